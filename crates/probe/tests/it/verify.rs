//! Verification tests: libpq's host-name rules, OpenSSL's chain decisions (compared with the real
//! `openssl verify` where it exists), trust-store loading, and the rustls verifier.

mod certgen;
mod chains;
mod hostname;
mod property;
mod store;
mod verifier;
