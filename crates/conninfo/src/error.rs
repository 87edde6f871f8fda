//! The crate's one error type. `Display` is libpq's own message text (without the trailing
//! newline), except that a password inside an echoed URI is shown as `********`.

use std::fmt;

/// Why a connection string or environment was rejected before any I/O.
///
/// Each variant's `Display` is the message libpq prints for the same input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConninfoError {
    /// `missing "=" after "<keyword>" in connection info string`
    MissingEquals {
        /// The text read as a keyword.
        keyword: String,
    },
    /// `unterminated quoted string in connection info string`
    UnterminatedQuote,
    /// `invalid connection option "<keyword>"`
    InvalidOption {
        /// The unknown keyword.
        keyword: String,
    },
    /// `invalid URI query parameter: "<keyword>"`
    InvalidUriQueryParameter {
        /// The unknown (decoded) query parameter name.
        keyword: String,
    },
    /// `extra key/value separator "=" in URI query parameter: "<keyword>"`
    UriExtraSeparator {
        /// The parameter name, as written.
        keyword: String,
    },
    /// `missing key/value separator "=" in URI query parameter: "<param>"`
    UriMissingSeparator {
        /// The parameter text, as written.
        param: String,
    },
    /// `invalid percent-encoded token: "<token>"`
    InvalidPercentEncoding {
        /// The token being decoded (`********` when it was the password).
        token: String,
    },
    /// `forbidden value %00 in percent-encoded value: "<token>"`
    ForbiddenPercentZero {
        /// The token being decoded (`********` when it was the password).
        token: String,
    },
    /// `end of string reached when looking for matching "]" in IPv6 host address in URI: "<uri>"`
    UriUnterminatedIpv6 {
        /// The URI, password redacted.
        uri: String,
    },
    /// `IPv6 host address may not be empty in URI: "<uri>"`
    UriEmptyIpv6 {
        /// The URI, password redacted.
        uri: String,
    },
    /// `unexpected character "<c>" at position <n> in URI (expected ":" or "/"): "<uri>"`
    UriUnexpectedCharacter {
        /// The character found after `]`.
        character: char,
        /// 1-based byte position in the URI.
        position: usize,
        /// The URI, password redacted.
        uri: String,
    },
    /// `invalid <keyword> value: "<value>"` (sslmode, channel_binding, sslnegotiation,
    /// sslcertmode, gssencmode, require_auth, target_session_attrs, load_balance_hosts).
    InvalidValue {
        /// The option.
        keyword: &'static str,
        /// The rejected value.
        value: String,
    },
    /// `invalid <keyword> value: "<value>"` for ssl_min/max_protocol_version (libpq 15's text;
    /// libpq 16+ puts the keyword in double quotes).
    InvalidProtocolVersion {
        /// `ssl_min_protocol_version` or `ssl_max_protocol_version`.
        keyword: &'static str,
        /// The rejected value.
        value: String,
    },
    /// `invalid SSL protocol version range`
    InvalidProtocolRange,
    /// `weak sslmode "<mode>" may not be used with sslrootcert=system (use "verify-full")`
    WeakSslModeWithSystemRoot {
        /// The sslmode in effect.
        mode: String,
    },
    /// `weak sslmode "<mode>" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`
    WeakSslModeWithDirect {
        /// The sslmode in effect.
        mode: String,
    },
    /// `could not match <hosts> host names to <hostaddrs> hostaddr values`
    HostCountMismatch {
        /// Entries in `host`.
        hosts: usize,
        /// Entries in `hostaddr`.
        hostaddrs: usize,
    },
    /// `could not match <ports> port numbers to <hosts> hosts`
    PortCountMismatch {
        /// Entries in `port`.
        ports: usize,
        /// Number of host slots.
        hosts: usize,
    },
    /// `invalid integer value "<value>" for connection option "<keyword>"`
    InvalidInteger {
        /// The option (`port`, `connect_timeout`).
        keyword: &'static str,
        /// The rejected value.
        value: String,
    },
    /// `invalid port number: "<value>"`
    InvalidPort {
        /// The rejected port.
        value: String,
    },
    /// `negative require_auth method "<method>" cannot be mixed with non-negative methods`
    RequireAuthNegativeMixed {
        /// The offending element (with its `!`).
        method: String,
    },
    /// `require_auth method "<method>" cannot be mixed with negative methods`
    RequireAuthPositiveMixed {
        /// The offending element.
        method: String,
    },
    /// `require_auth method "<method>" is specified more than once`
    RequireAuthDuplicate {
        /// The duplicated element, as written.
        method: String,
    },
    /// No user name given and the operating-system user is unknown.
    NoUser,
    /// Another client's connection string that this client itself rejects (its own message).
    Foreign {
        /// The dialect (`pgjdbc`, `npgsql`, ...).
        dialect: &'static str,
        /// The client's own error text.
        message: String,
    },
    /// `service=` needs pg_service.conf, which pgtls does not read.
    ServiceUnsupported {
        /// The service name.
        service: String,
    },
}

impl fmt::Display for ConninfoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ConninfoError::*;
        match self {
            MissingEquals { keyword } => write!(
                f,
                "missing \"=\" after \"{keyword}\" in connection info string"
            ),
            UnterminatedQuote => {
                f.write_str("unterminated quoted string in connection info string")
            }
            InvalidOption { keyword } => write!(f, "invalid connection option \"{keyword}\""),
            InvalidUriQueryParameter { keyword } => {
                write!(f, "invalid URI query parameter: \"{keyword}\"")
            }
            UriExtraSeparator { keyword } => write!(
                f,
                "extra key/value separator \"=\" in URI query parameter: \"{keyword}\""
            ),
            UriMissingSeparator { param } => write!(
                f,
                "missing key/value separator \"=\" in URI query parameter: \"{param}\""
            ),
            InvalidPercentEncoding { token } => {
                write!(f, "invalid percent-encoded token: \"{token}\"")
            }
            ForbiddenPercentZero { token } => write!(
                f,
                "forbidden value %00 in percent-encoded value: \"{token}\""
            ),
            UriUnterminatedIpv6 { uri } => write!(
                f,
                "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"{uri}\""
            ),
            UriEmptyIpv6 { uri } => {
                write!(f, "IPv6 host address may not be empty in URI: \"{uri}\"")
            }
            UriUnexpectedCharacter {
                character,
                position,
                uri,
            } => write!(
                f,
                "unexpected character \"{character}\" at position {position} in URI (expected \":\" or \"/\"): \"{uri}\""
            ),
            InvalidValue { keyword, value } => write!(f, "invalid {keyword} value: \"{value}\""),
            // libpq 15's text (psql 15.18); libpq 16+ quotes the keyword:
            // `invalid "ssl_min_protocol_version" value: "X"`.
            InvalidProtocolVersion { keyword, value } => {
                write!(f, "invalid {keyword} value: \"{value}\"")
            }
            InvalidProtocolRange => f.write_str("invalid SSL protocol version range"),
            WeakSslModeWithSystemRoot { mode } => write!(
                f,
                "weak sslmode \"{mode}\" may not be used with sslrootcert=system (use \"verify-full\")"
            ),
            WeakSslModeWithDirect { mode } => write!(
                f,
                "weak sslmode \"{mode}\" may not be used with sslnegotiation=direct (use \"require\", \"verify-ca\", or \"verify-full\")"
            ),
            HostCountMismatch { hosts, hostaddrs } => write!(
                f,
                "could not match {hosts} host names to {hostaddrs} hostaddr values"
            ),
            PortCountMismatch { ports, hosts } => {
                write!(f, "could not match {ports} port numbers to {hosts} hosts")
            }
            InvalidInteger { keyword, value } => write!(
                f,
                "invalid integer value \"{value}\" for connection option \"{keyword}\""
            ),
            InvalidPort { value } => write!(f, "invalid port number: \"{value}\""),
            RequireAuthNegativeMixed { method } => write!(
                f,
                "negative require_auth method \"{method}\" cannot be mixed with non-negative methods"
            ),
            RequireAuthPositiveMixed { method } => write!(
                f,
                "require_auth method \"{method}\" cannot be mixed with negative methods"
            ),
            RequireAuthDuplicate { method } => write!(
                f,
                "require_auth method \"{method}\" is specified more than once"
            ),
            NoUser => f.write_str("could not look up local user name"),
            Foreign { dialect, message } => write!(f, "{dialect}: {message}"),
            ServiceUnsupported { service } => write!(
                f,
                "service \"{service}\" needs pg_service.conf, which pgtls does not read"
            ),
        }
    }
}

impl std::error::Error for ConninfoError {}
