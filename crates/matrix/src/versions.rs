//! Versions of pgtls and of the TLS libraries it links, recorded at build time from Cargo
//! metadata (the package version) and the workspace's Cargo.lock (see `build.rs`).

use crate::model::{Library, Tool};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/versions.rs"));
}

/// pgtls's version (the workspace package version).
pub const PGTLS: &str = env!("CARGO_PKG_VERSION");

/// `(crate, version)` of the TLS and crypto libraries linked in, rustls first.
pub const LIBRARIES: &[(&str, &str)] = generated::LIBRARIES;

/// `rustc --version` of the compiler that built pgtls, when the build script could ask it.
pub const RUSTC: Option<&str> = generated::RUSTC;

/// The version of one linked library, from Cargo.lock.
pub fn library(name: &str) -> Option<&'static str> {
    LIBRARIES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The report's [`Tool`] block.
pub fn tool() -> Tool {
    Tool {
        name: "pgtls".to_owned(),
        version: PGTLS.to_owned(),
        rustc: RUSTC.map(str::to_owned),
        libraries: LIBRARIES
            .iter()
            .map(|(n, v)| Library {
                name: (*n).to_owned(),
                version: (*v).to_owned(),
            })
            .collect(),
    }
}

/// Now, as RFC 3339 UTC with second precision (`2025-01-31T12:00:00Z`).
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}
