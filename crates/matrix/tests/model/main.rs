//! Property tests of the probe against a reference model of libpq 15, through the real wire.
//!
//! - [`case`]: one generated situation as plain data (the certificate chain's facts, the host
//!   the client uses, what the client trusts, the server's SSL answer, hba line and
//!   authentication method, the client's password, sslmode and channel_binding), and the
//!   proptest strategies that generate it.
//! - [`reference`]: the reference model — a small function from a case to the outcome libpq 15
//!   reaches (`tls` / `plaintext` / `rejected`), the TCP connections it makes and the secrets
//!   it hands over on each. Written from `shared/reference/libpq-client.md`, separately from the
//!   probe: it never calls the probe's policy or verification code.
//! - [`harness`]: builds the case's certificates with `pgtls-pki`, serves them with
//!   `pgtls-coordinator` on 127.0.0.1:0, and runs the probe (or real psql) against it, reading
//!   what reached the server from the coordinator's transcripts.
//! - [`props`]: the properties (probe == model, credentials only where the model allows them,
//!   psql == model); [`examples`]: hand-written cases pinning the model to the reference notes;
//!   [`known`]: disagreements found so far and rare corners, through the real wire.
//!
//! Case counts: 256 per probe property (proptest's default); `PROPTEST_CASES=N` overrides
//! them for long runs, `PGTLS_MODEL_PSQL_CASES=N` the psql differential (default 24). The RNG
//! seed is fixed unless `PROPTEST_RNG_SEED=<u64>` is given; failures are persisted under
//! `crates/matrix/proptest-regressions/model/` and replayed first on every run.

mod case;
mod examples;
mod harness;
mod known;
mod props;
mod reference;
