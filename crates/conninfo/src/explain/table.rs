//! The mapping table: dialect × setting → effective policy, one row per documented case, each
//! with the driver versions it describes and its source (document title / version, or the
//! driver source file read). `explain` picks a row and reports it; tests check every row
//! against expectations written by hand.

use super::{ChainCheck, Dialect, Exposure, Tls};
use crate::Transport;

/// What a client does with a given setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowPolicy {
    /// Whether TLS is used.
    pub tls: Tls,
    /// The transport of the first attempt.
    pub first_transport: Transport,
    /// Whether the chain is verified.
    pub verify_chain: ChainCheck,
    /// Whether the host name is verified.
    pub verify_hostname: bool,
    /// Whether a refused (or failed) TLS attempt continues in plaintext.
    pub plaintext_fallback: bool,
    /// Which roots a verification uses.
    pub ca_store: &'static str,
    /// Whether a man in the middle is accepted.
    pub mitm_exposed: Exposure,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// Stable identifier (`libpq/require`), used by tests and the README.
    pub id: &'static str,
    /// The dialect.
    pub dialect: Dialect,
    /// The setting as written (`sslmode=require`).
    pub setting: &'static str,
    /// The driver versions the row describes.
    pub versions: &'static str,
    /// The policy, or `None` when the client rejects the setting.
    pub policy: Option<RowPolicy>,
    /// Where the row comes from.
    pub source: &'static str,
    /// One line on what is surprising about the row.
    pub note: &'static str,
}

const LIBPQ_DOC: &str =
    "PostgreSQL 15 documentation, libpq \"SSL Support\" (sslmode table) and fe-connect.c / fe-secure-openssl.c of PG15-17; observed with libpq 15.18";
const LIBPQ16_DOC: &str =
    "PostgreSQL 16 documentation, libpq \"Connection Parameters\" (sslrootcert=system) and release notes 16";
const LIBPQ17_DOC: &str =
    "PostgreSQL 17 documentation, libpq \"Connection Parameters\" (sslnegotiation) and release notes 17";
const PGJDBC_DOC: &str =
    "pgjdbc 42.2.5 release notes (\"ssl=true implies sslmode=verify-full\"; sslmode=allow/prefer/require added); pgjdbc source SslMode.java, LibPQFactory.java, MakeSSL.java (42.7.x)";
const PGJDBC_OLD_DOC: &str =
    "pgjdbc 42.2.5 release notes (the behaviour before that release is inferred from its \"Changed\" entry)";
const NPGSQL8_DOC: &str =
    "Npgsql 8.0 release notes (\"SSL Mode=Require no longer validates certificates\"); Npgsql source NpgsqlConnector.cs (SSL negotiation) and NpgsqlConnectionStringBuilder";
const NPGSQL6_DOC: &str =
    "Npgsql 6.0 release notes (\"Changes to SSL configuration\", \"The default SSL Mode is now Prefer\"); Npgsql docs \"Security and Encryption\" (6.0)";
const NPGSQL5_DOC: &str =
    "Npgsql docs \"Security and Encryption\", section \"Older versions\" (before 6.0)";
const NODE_DOC: &str =
    "pg-connection-string 2.x source index.js (sslmode switch added in 2.4.0); node-postgres docs \"SSL\"; Node.js tls.connect defaults (rejectUnauthorized: true, checkServerIdentity)";
const NODE_COMPAT_DOC: &str =
    "pg-connection-string README / source (uselibpqcompat, newer 2.x releases); version boundary not checked against the changelog";
const NODE7_DOC: &str =
    "node-postgres CHANGELOG pg@8.0.0 (rejectUnauthorized default changed to true)";
const ASYNCPG_DOC: &str =
    "asyncpg source connect_utils.py (_parse_connect_dsn_and_args, SSLMode) 0.2x; asyncpg docs \"connect()\" (sslmode)";
const SQLX_DOC: &str =
    "sqlx-postgres source options/ssl_mode.rs (PgSslMode::from_str) and connection/tls.rs (maybe_upgrade, \"FIXME: Implement ALLOW\"), 0.7/0.8";
const TOKIO_DOC: &str =
    "tokio-postgres 0.7 docs \"Config\" (sslmode: disable, prefer, require) and source config.rs / connect_tls.rs";

const fn p(
    tls: Tls,
    first_transport: Transport,
    verify_chain: ChainCheck,
    verify_hostname: bool,
    plaintext_fallback: bool,
    ca_store: &'static str,
    mitm_exposed: Exposure,
) -> Option<RowPolicy> {
    Some(RowPolicy {
        tls,
        first_transport,
        verify_chain,
        verify_hostname,
        plaintext_fallback,
        ca_store,
        mitm_exposed,
    })
}

use ChainCheck::{IfRootFile, No as NoChain, Yes as Chain};
use Exposure::{IfNoRootFile, No as Safe, Yes as Exposed};
use Tls::{Never, Optional, Required};
use Transport::{Plaintext as Plain, Tls as T};

const NONE: &str = "none";
const ROOT_FILE: &str = "sslrootcert, else ~/.postgresql/root.crt";

/// Every row.
pub const ROWS: &[Row] = &[
    // ---- libpq (psql, psycopg, and anything else on libpq) ----
    Row { id: "libpq/default", dialect: Dialect::Libpq, setting: "(no sslmode)", versions: "libpq 10-18",
        policy: p(Optional, T, IfRootFile, false, true, ROOT_FILE, Exposed),
        source: LIBPQ_DOC, note: "default sslmode=prefer: a MITM answering N gets plaintext" },
    Row { id: "libpq/disable", dialect: Dialect::Libpq, setting: "sslmode=disable", versions: "libpq 10-18",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: LIBPQ_DOC, note: "plaintext only" },
    Row { id: "libpq/allow", dialect: Dialect::Libpq, setting: "sslmode=allow", versions: "libpq 10-18",
        policy: p(Optional, Plain, IfRootFile, false, true, ROOT_FILE, Exposed),
        source: LIBPQ_DOC, note: "plaintext first; TLS only if the server rejects plaintext" },
    Row { id: "libpq/prefer", dialect: Dialect::Libpq, setting: "sslmode=prefer", versions: "libpq 10-18",
        policy: p(Optional, T, IfRootFile, false, true, ROOT_FILE, Exposed),
        source: LIBPQ_DOC, note: "falls back to plaintext after N, a failed handshake or an auth error over TLS" },
    Row { id: "libpq/require", dialect: Dialect::Libpq, setting: "sslmode=require", versions: "libpq 10-18",
        policy: p(Required, T, IfRootFile, false, false, ROOT_FILE, IfNoRootFile),
        source: LIBPQ_DOC, note: "verifies the chain only when the root file exists (then like verify-ca)" },
    Row { id: "libpq/verify-ca", dialect: Dialect::Libpq, setting: "sslmode=verify-ca", versions: "libpq 10-18",
        policy: p(Required, T, Chain, false, false, ROOT_FILE, Safe),
        source: LIBPQ_DOC, note: "any certificate from a CA in the root file is accepted, whatever its name" },
    Row { id: "libpq/verify-full", dialect: Dialect::Libpq, setting: "sslmode=verify-full", versions: "libpq 10-18",
        policy: p(Required, T, Chain, true, false, ROOT_FILE, Safe),
        source: LIBPQ_DOC, note: "the recommended mode" },
    Row { id: "libpq/requiressl=1", dialect: Dialect::Libpq, setting: "requiressl=1", versions: "libpq 10-18",
        policy: p(Required, T, IfRootFile, false, false, ROOT_FILE, IfNoRootFile),
        source: LIBPQ_DOC, note: "legacy spelling of sslmode=require" },
    Row { id: "libpq-uri/ssl=true", dialect: Dialect::LibpqUri, setting: "ssl=true (URI)", versions: "libpq 10-18",
        policy: p(Required, T, IfRootFile, false, false, ROOT_FILE, IfNoRootFile),
        source: LIBPQ_DOC, note: "libpq maps the JDBC spelling to sslmode=require, NOT verify-full as pgjdbc does" },
    Row { id: "libpq-uri/ssl=false", dialect: Dialect::LibpqUri, setting: "ssl=false (URI)", versions: "libpq 10-18",
        policy: None,
        source: LIBPQ_DOC, note: "only ssl=true is translated; anything else is an unknown parameter" },
    Row { id: "libpq/required", dialect: Dialect::Libpq, setting: "sslmode=required", versions: "libpq 10-18",
        policy: None,
        source: LIBPQ_DOC, note: "not a libpq value; only node-postgres accepts it (and reads it as verify-full)" },
    Row { id: "libpq/system", dialect: Dialect::Libpq, setting: "sslrootcert=system (no sslmode)", versions: "libpq 16-18",
        policy: p(Required, T, Chain, true, false, "the OS trust store (OpenSSL default paths)", Safe),
        source: LIBPQ16_DOC, note: "the default sslmode becomes verify-full" },
    Row { id: "libpq/system-weak", dialect: Dialect::Libpq, setting: "sslrootcert=system with sslmode other than verify-full", versions: "libpq 16-18",
        policy: None,
        source: LIBPQ16_DOC, note: "rejected before connecting" },
    Row { id: "libpq15/system", dialect: Dialect::Libpq, setting: "sslrootcert=system (no sslmode)", versions: "libpq 10-15",
        policy: p(Optional, T, IfRootFile, false, true, "a file named \"system\" (normally missing)", Exposed),
        source: LIBPQ_DOC, note: "before 16, \"system\" is an ordinary (missing) file name: prefer, unverified" },
    Row { id: "libpq/direct-weak", dialect: Dialect::Libpq, setting: "sslnegotiation=direct with disable/allow/prefer", versions: "libpq 17-18",
        policy: None,
        source: LIBPQ17_DOC, note: "rejected before connecting" },
    Row { id: "libpq/syntax", dialect: Dialect::Libpq, setting: "a string libpq cannot parse or validate", versions: "libpq 10-18",
        policy: None,
        source: LIBPQ_DOC, note: "libpq's own message, before any network I/O" },
    Row { id: "libpq/unknown-keyword", dialect: Dialect::Libpq, setting: "a keyword newer than the libpq version", versions: "libpq 10-17",
        policy: None,
        source: LIBPQ_DOC, note: "e.g. sslnegotiation with libpq 16: invalid connection option" },
    // ---- pgjdbc ----
    Row { id: "pgjdbc/default", dialect: Dialect::Pgjdbc, setting: "(no ssl, no sslmode)", versions: "pgjdbc 42.2.5+",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: PGJDBC_DOC, note: "default sslmode=prefer with a non-validating factory" },
    Row { id: "pgjdbc/ssl=true", dialect: Dialect::Pgjdbc, setting: "ssl=true (or bare ssl)", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, Chain, true, false, "sslrootcert, else ~/.postgresql/root.crt (must exist)", Safe),
        source: PGJDBC_DOC, note: "ssl=true means verify-full in pgjdbc, but only sslmode=require in libpq" },
    Row { id: "pgjdbc/ssl=false", dialect: Dialect::Pgjdbc, setting: "ssl=false (no sslmode)", versions: "pgjdbc 42.2.5+",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: PGJDBC_DOC, note: "ssl=false does not disable TLS: sslmode stays prefer" },
    Row { id: "pgjdbc/disable", dialect: Dialect::Pgjdbc, setting: "sslmode=disable", versions: "pgjdbc 42.2.5+",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: PGJDBC_DOC, note: "plaintext only" },
    Row { id: "pgjdbc/allow", dialect: Dialect::Pgjdbc, setting: "sslmode=allow", versions: "pgjdbc 42.2.5+",
        policy: p(Optional, Plain, NoChain, false, true, NONE, Exposed),
        source: PGJDBC_DOC, note: "non-validating, plaintext first" },
    Row { id: "pgjdbc/prefer", dialect: Dialect::Pgjdbc, setting: "sslmode=prefer", versions: "pgjdbc 42.2.5+",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: PGJDBC_DOC, note: "non-validating even when root.crt exists (libpq would verify)" },
    Row { id: "pgjdbc/require", dialect: Dialect::Pgjdbc, setting: "sslmode=require", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: PGJDBC_DOC, note: "never verifies, even when root.crt exists (libpq would)" },
    Row { id: "pgjdbc/verify-ca", dialect: Dialect::Pgjdbc, setting: "sslmode=verify-ca", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, Chain, false, false, "sslrootcert, else ~/.postgresql/root.crt (must exist)", Safe),
        source: PGJDBC_DOC, note: "as libpq" },
    Row { id: "pgjdbc/verify-full", dialect: Dialect::Pgjdbc, setting: "sslmode=verify-full", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, Chain, true, false, "sslrootcert, else ~/.postgresql/root.crt (must exist)", Safe),
        source: PGJDBC_DOC, note: "as libpq" },
    Row { id: "pgjdbc/nonvalidating", dialect: Dialect::Pgjdbc, setting: "sslfactory=org.postgresql.ssl.NonValidatingFactory with verify-full", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, NoChain, true, false, NONE, Exposed),
        source: PGJDBC_DOC, note: "the factory trusts any chain; only the name is checked, so a self-signed MITM certificate for the right name passes" },
    Row { id: "pgjdbc/nonvalidating-require", dialect: Dialect::Pgjdbc, setting: "sslfactory=org.postgresql.ssl.NonValidatingFactory with ssl=true or require/verify-ca", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: PGJDBC_DOC, note: "no verification at all" },
    Row { id: "pgjdbc/defaultjava", dialect: Dialect::Pgjdbc, setting: "sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory with verify-full", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, Chain, true, false, "the JVM default trust store (cacerts)", Safe),
        source: PGJDBC_DOC, note: "roots from the JVM, not root.crt" },
    Row { id: "pgjdbc/defaultjava-ca", dialect: Dialect::Pgjdbc, setting: "sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory with ssl/require/verify-ca", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, Chain, false, false, "the JVM default trust store (cacerts)", Exposed),
        source: PGJDBC_DOC, note: "public roots, no name check: any publicly issued certificate passes" },
    Row { id: "pgjdbc/custom-factory", dialect: Dialect::Pgjdbc, setting: "sslfactory=<another class>", versions: "pgjdbc 42.2.5+",
        policy: p(Required, T, NoChain, false, false, "whatever the factory does", Exposed),
        source: PGJDBC_DOC, note: "pgtls cannot see into the class: assumed non-validating (names are still checked for verify-full)" },
    Row { id: "pgjdbc/required", dialect: Dialect::Pgjdbc, setting: "sslmode=required", versions: "pgjdbc 42.2.5+",
        policy: None,
        source: PGJDBC_DOC, note: "Invalid sslmode value" },
    Row { id: "pgjdbc-old/ssl=true", dialect: Dialect::Pgjdbc, setting: "ssl=true", versions: "pgjdbc before 42.2.5",
        policy: p(Required, T, NoChain, false, false, "unknown", Exposed),
        source: PGJDBC_OLD_DOC, note: "42.2.5 changed ssl=true to require a valid certificate; treat older drivers as unverified" },
    Row { id: "pgjdbc-old/default", dialect: Dialect::Pgjdbc, setting: "(no ssl)", versions: "pgjdbc before 42.2.5",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: PGJDBC_OLD_DOC, note: "sslmode=prefer (the later default) was added in 42.2.5" },
    // ---- Npgsql ----
    Row { id: "npgsql8/default", dialect: Dialect::Npgsql, setting: "(no SSL Mode)", versions: "Npgsql 6.0+",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: NPGSQL6_DOC, note: "default Prefer since 6.0: TLS if offered, certificate not validated" },
    Row { id: "npgsql8/disable", dialect: Dialect::Npgsql, setting: "SSL Mode=Disable", versions: "Npgsql 6.0+",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: NPGSQL6_DOC, note: "plaintext only" },
    Row { id: "npgsql8/allow", dialect: Dialect::Npgsql, setting: "SSL Mode=Allow", versions: "Npgsql 6.0+",
        policy: p(Optional, Plain, NoChain, false, true, NONE, Exposed),
        source: NPGSQL6_DOC, note: "plaintext first" },
    Row { id: "npgsql8/prefer", dialect: Dialect::Npgsql, setting: "SSL Mode=Prefer", versions: "Npgsql 6.0+",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: NPGSQL8_DOC, note: "never validates (not even with Root Certificate)" },
    Row { id: "npgsql8/require", dialect: Dialect::Npgsql, setting: "SSL Mode=Require", versions: "Npgsql 8.0+",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NPGSQL8_DOC, note: "no validation since 8.0 (Trust Server Certificate no longer needed)" },
    Row { id: "npgsql8/verify-ca", dialect: Dialect::Npgsql, setting: "SSL Mode=VerifyCA;Root Certificate=...", versions: "Npgsql 6.0+",
        policy: p(Required, T, Chain, false, false, "the Root Certificate file", Safe),
        source: NPGSQL8_DOC, note: "any certificate from that CA passes, whatever its name" },
    Row { id: "npgsql8/verify-ca-system", dialect: Dialect::Npgsql, setting: "SSL Mode=VerifyCA (no Root Certificate)", versions: "Npgsql 6.0+",
        policy: p(Required, T, Chain, false, false, "PGSSLROOTCERT, else ~/.postgresql/root.crt if present, else the system store", IfNoRootFile),
        source: NPGSQL8_DOC, note: "without a root file the system store is used, and any publicly trusted certificate for any name passes" },
    Row { id: "npgsql8/verify-full", dialect: Dialect::Npgsql, setting: "SSL Mode=VerifyFull", versions: "Npgsql 6.0+",
        policy: p(Required, T, Chain, true, false, "Root Certificate, else PGSSLROOTCERT, else ~/.postgresql/root.crt if present, else the system store", Safe),
        source: NPGSQL8_DOC, note: "the pre-6.0 meaning of Require" },
    Row { id: "npgsql/invalid", dialect: Dialect::Npgsql, setting: "SSL Mode=required (any unknown name)", versions: "Npgsql 3.0+",
        policy: None,
        source: NPGSQL8_DOC, note: "Enum.Parse fails while the connection string is parsed" },
    Row { id: "npgsql8/libpq-spelling", dialect: Dialect::Npgsql, setting: "SSL Mode=verify-full (libpq spelling)", versions: "Npgsql 6.0+",
        policy: None,
        source: NPGSQL8_DOC, note: "the enum is parsed by name, case-insensitively, without hyphens: VerifyFull" },
    Row { id: "npgsql6/require", dialect: Dialect::Npgsql, setting: "SSL Mode=Require (no Trust Server Certificate)", versions: "Npgsql 6.x-7.x",
        policy: None,
        source: NPGSQL6_DOC, note: "6.0 and 7.0 refuse Require without Trust Server Certificate=true" },
    Row { id: "npgsql6/require-tsc", dialect: Dialect::Npgsql, setting: "SSL Mode=Require;Trust Server Certificate=true", versions: "Npgsql 6.x-7.x",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NPGSQL6_DOC, note: "explicit opt-out of validation" },
    Row { id: "npgsql5/require", dialect: Dialect::Npgsql, setting: "SSL Mode=Require", versions: "Npgsql before 6.0",
        policy: p(Required, T, Chain, true, false, "the system store (Root Certificate if given)", Safe),
        source: NPGSQL5_DOC, note: "before 6.0 Require validated chain and name" },
    Row { id: "npgsql5/require-tsc", dialect: Dialect::Npgsql, setting: "SSL Mode=Require;Trust Server Certificate=true", versions: "Npgsql before 6.0",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NPGSQL5_DOC, note: "validation disabled" },
    Row { id: "npgsql5/prefer", dialect: Dialect::Npgsql, setting: "SSL Mode=Prefer", versions: "Npgsql before 6.0",
        policy: p(Optional, T, Chain, true, true, "the system store (Root Certificate if given)", Exposed),
        source: NPGSQL5_DOC, note: "validates when TLS is used, but a MITM answering N gets plaintext" },
    Row { id: "npgsql5/prefer-tsc", dialect: Dialect::Npgsql, setting: "SSL Mode=Prefer;Trust Server Certificate=true", versions: "Npgsql before 6.0",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: NPGSQL5_DOC, note: "validation disabled, plaintext fallback" },
    Row { id: "npgsql5/verify", dialect: Dialect::Npgsql, setting: "SSL Mode=VerifyCA or VerifyFull", versions: "Npgsql before 6.0",
        policy: None,
        source: NPGSQL6_DOC, note: "VerifyCA/VerifyFull were added in 6.0" },
    Row { id: "npgsql5/default", dialect: Dialect::Npgsql, setting: "(no SSL Mode)", versions: "Npgsql before 6.0",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: NPGSQL5_DOC, note: "default Disable before 6.0" },
    // ---- node-postgres ----
    Row { id: "node/default", dialect: Dialect::NodePostgres, setting: "(no ssl, no sslmode)", versions: "pg 8.x",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: NODE_DOC, note: "no TLS unless asked (PGSSLMODE in the environment can change this)" },
    Row { id: "node/ssl=true", dialect: Dialect::NodePostgres, setting: "ssl=true or ssl=1", versions: "pg 8.x",
        policy: p(Required, T, Chain, true, false, "Node's bundled CA list (NODE_EXTRA_CA_CERTS adds)", Safe),
        source: NODE_DOC, note: "verify-full against Node's CAs" },
    Row { id: "node/disable", dialect: Dialect::NodePostgres, setting: "sslmode=disable or ssl=0", versions: "pg 8.x",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: NODE_DOC, note: "plaintext only" },
    Row { id: "node/require", dialect: Dialect::NodePostgres, setting: "sslmode=prefer, require, verify-ca or verify-full", versions: "pg 8.x (pg-connection-string 2.4+)",
        policy: p(Required, T, Chain, true, false, "sslrootcert file if given, else Node's bundled CA list", Safe),
        source: NODE_DOC, note: "all four mean verify-full, and prefer never falls back to plaintext" },
    Row { id: "node/no-verify", dialect: Dialect::NodePostgres, setting: "sslmode=no-verify", versions: "pg 8.1+",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NODE_DOC, note: "TLS with rejectUnauthorized=false: any certificate" },
    Row { id: "node/required", dialect: Dialect::NodePostgres, setting: "sslmode=required (any unknown value)", versions: "pg 8.x (pg-connection-string 2.4+)",
        policy: p(Required, T, Chain, true, false, "sslrootcert file if given, else Node's bundled CA list", Safe),
        source: NODE_DOC, note: "any non-empty sslmode turns TLS on with Node's defaults; the value itself is not checked" },
    Row { id: "node-compat/prefer", dialect: Dialect::NodePostgres, setting: "uselibpqcompat=true&sslmode=prefer", versions: "pg 8.16+ (pg-connection-string with uselibpqcompat)",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NODE_COMPAT_DOC, note: "unverified TLS; node-postgres has no plaintext fallback" },
    Row { id: "node-compat/require", dialect: Dialect::NodePostgres, setting: "uselibpqcompat=true&sslmode=require (no sslrootcert)", versions: "pg 8.16+ (pg-connection-string with uselibpqcompat)",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NODE_COMPAT_DOC, note: "libpq meaning, but ~/.postgresql/root.crt is never read" },
    Row { id: "node-compat/verify-ca", dialect: Dialect::NodePostgres, setting: "uselibpqcompat=true&sslmode=verify-ca (or require) with sslrootcert", versions: "pg 8.16+ (pg-connection-string with uselibpqcompat)",
        policy: p(Required, T, Chain, false, false, "the sslrootcert file", Safe),
        source: NODE_COMPAT_DOC, note: "chain checked, name not" },
    Row { id: "node-compat/verify-ca-noroot", dialect: Dialect::NodePostgres, setting: "uselibpqcompat=true&sslmode=verify-ca without sslrootcert", versions: "pg 8.16+ (pg-connection-string with uselibpqcompat)",
        policy: None,
        source: NODE_COMPAT_DOC, note: "throws a SECURITY WARNING error" },
    Row { id: "node/ssl=false", dialect: Dialect::NodePostgres, setting: "ssl=false (any string but true/1/0/no-verify)", versions: "pg 8.x",
        policy: p(Required, T, Chain, true, false, "Node's bundled CA list", Safe),
        source: "pg source connection-parameters.js and pg-connection-string index.js (only true/1/0 are converted; other strings stay truthy)",
        note: "ssl=false turns TLS ON: the string is truthy" },
    Row { id: "node/not-a-uri", dialect: Dialect::NodePostgres, setting: "a keyword/value string", versions: "pg 8.x",
        policy: None,
        source: NODE_DOC, note: "pg-connection-string resolves it as a relative URL: pgtls reports it instead of guessing" },
    Row { id: "node7/ssl=true", dialect: Dialect::NodePostgres, setting: "ssl=true", versions: "pg 7.x",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: NODE7_DOC, note: "before 8.0 rejectUnauthorized defaulted to false" },
    // ---- asyncpg ----
    Row { id: "asyncpg/default", dialect: Dialect::Asyncpg, setting: "(no sslmode, TCP host)", versions: "asyncpg 0.22-0.30",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: ASYNCPG_DOC, note: "default prefer; prefer never verifies, even when root.crt exists" },
    Row { id: "asyncpg/prefer", dialect: Dialect::Asyncpg, setting: "sslmode=prefer or allow", versions: "asyncpg 0.22-0.30",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: ASYNCPG_DOC, note: "CERT_NONE; falls back to plaintext" },
    Row { id: "asyncpg/require", dialect: Dialect::Asyncpg, setting: "sslmode=require", versions: "asyncpg 0.22-0.30",
        policy: p(Required, T, IfRootFile, false, false, ROOT_FILE, IfNoRootFile),
        source: ASYNCPG_DOC, note: "as libpq; an explicit sslrootcert that is missing is an error" },
    Row { id: "asyncpg/verify-full", dialect: Dialect::Asyncpg, setting: "sslmode=verify-full", versions: "asyncpg 0.22-0.30",
        policy: p(Required, T, Chain, true, false, "sslrootcert, else ~/.postgresql/root.crt (must exist)", Safe),
        source: ASYNCPG_DOC, note: "Python ssl hostname rules (no CN fallback)" },
    Row { id: "asyncpg/required", dialect: Dialect::Asyncpg, setting: "sslmode=required", versions: "asyncpg 0.22-0.30",
        policy: None,
        source: ASYNCPG_DOC, note: "ClientConfigurationError" },
    Row { id: "asyncpg/not-a-uri", dialect: Dialect::Asyncpg, setting: "a keyword/value string", versions: "asyncpg 0.22-0.30",
        policy: None,
        source: ASYNCPG_DOC, note: "asyncpg's dsn is a URI only" },
    // ---- sqlx ----
    Row { id: "sqlx/default", dialect: Dialect::Sqlx, setting: "(no sslmode)", versions: "sqlx 0.7-0.8",
        policy: p(Optional, T, NoChain, false, true, NONE, Exposed),
        source: SQLX_DOC, note: "default prefer: TLS if offered, not verified; falls back only on N" },
    Row { id: "sqlx/allow", dialect: Dialect::Sqlx, setting: "sslmode=allow", versions: "sqlx 0.7-0.8",
        policy: p(Never, Plain, NoChain, false, false, NONE, Exposed),
        source: SQLX_DOC, note: "allow is not implemented: it behaves as disable" },
    Row { id: "sqlx/require", dialect: Dialect::Sqlx, setting: "sslmode=require", versions: "sqlx 0.7-0.8",
        policy: p(Required, T, NoChain, false, false, NONE, Exposed),
        source: SQLX_DOC, note: "never verifies, even with sslrootcert" },
    Row { id: "sqlx/verify-ca", dialect: Dialect::Sqlx, setting: "sslmode=verify-ca", versions: "sqlx 0.7-0.8",
        policy: p(Required, T, Chain, false, false, "the TLS backend's roots (webpki-roots or the system store) plus sslrootcert", Exposed),
        source: SQLX_DOC, note: "public roots stay trusted, so any publicly issued certificate for any name passes" },
    Row { id: "sqlx/verify-full", dialect: Dialect::Sqlx, setting: "sslmode=verify-full", versions: "sqlx 0.7-0.8",
        policy: p(Required, T, Chain, true, false, "the TLS backend's roots (webpki-roots or the system store) plus sslrootcert", Safe),
        source: SQLX_DOC, note: "as libpq verify-full, with public roots also trusted" },
    Row { id: "sqlx/required", dialect: Dialect::Sqlx, setting: "sslmode=required", versions: "sqlx 0.7-0.8",
        policy: None,
        source: SQLX_DOC, note: "unknown value for ssl_mode" },
    Row { id: "sqlx/not-a-uri", dialect: Dialect::Sqlx, setting: "a keyword/value string", versions: "sqlx 0.7-0.8",
        policy: None,
        source: SQLX_DOC, note: "PgConnectOptions::from_str parses a URL" },
    // ---- tokio-postgres ----
    Row { id: "tokio/prefer", dialect: Dialect::TokioPostgres, setting: "sslmode=prefer (default)", versions: "tokio-postgres 0.7",
        policy: p(Optional, T, NoChain, false, true, "the TlsConnect you pass", Exposed),
        source: TOKIO_DOC, note: "falls back to plaintext on N; verification is the connector's" },
    Row { id: "tokio/require", dialect: Dialect::TokioPostgres, setting: "sslmode=require", versions: "tokio-postgres 0.7",
        policy: p(Required, T, NoChain, false, false, "the TlsConnect you pass", Exposed),
        source: TOKIO_DOC, note: "tokio-postgres itself never verifies; a verifying connector (postgres-openssl / postgres-native-tls defaults) makes it verify-full" },
    Row { id: "tokio/verify-full", dialect: Dialect::TokioPostgres, setting: "sslmode=verify-full (or verify-ca, allow)", versions: "tokio-postgres 0.7",
        policy: None,
        source: TOKIO_DOC, note: "only disable, prefer and require exist" },
    Row { id: "tokio/sslrootcert", dialect: Dialect::TokioPostgres, setting: "sslrootcert=... (any libpq-only keyword)", versions: "tokio-postgres 0.7",
        policy: None,
        source: TOKIO_DOC, note: "unknown option" },
];

/// Looks a row up by id.
pub fn row(id: &str) -> Option<&'static Row> {
    ROWS.iter().find(|r| r.id == id)
}

/// The table as Markdown (for the README).
pub fn markdown() -> String {
    let mut s = String::from(
        "| row | dialect | setting | versions | tls | verify chain | verify host | plaintext fallback | MITM accepted | CA store | source |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in ROWS {
        match r.policy {
            Some(p) => s.push_str(&format!(
                "| `{}` | {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                r.id,
                r.dialect,
                r.setting,
                r.versions,
                match p.tls {
                    Tls::Never => "never",
                    Tls::Optional => "optional",
                    Tls::Required => "required",
                },
                match p.verify_chain {
                    ChainCheck::Yes => "yes",
                    ChainCheck::No => "no",
                    ChainCheck::IfRootFile => "if root file",
                },
                if p.verify_hostname { "yes" } else { "no" },
                if p.plaintext_fallback { "yes" } else { "no" },
                match p.mitm_exposed {
                    Exposure::Yes => "**yes**",
                    Exposure::No => "no",
                    Exposure::IfNoRootFile => "**if no root file**",
                },
                p.ca_store,
                r.source
            )),
            None => s.push_str(&format!(
                "| `{}` | {} | `{}` | {} | rejected by the client | - | - | - | - | - | {} |\n",
                r.id, r.dialect, r.setting, r.versions, r.source
            )),
        }
    }
    s
}
