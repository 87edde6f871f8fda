//! Records, at build time, the versions of the TLS libraries this binary links (read from the
//! workspace's Cargo.lock, the file that decides them) and the compiler's version, so reports state
//! versions without guessing. Writes `$OUT_DIR/versions.rs`.

use std::path::{Path, PathBuf};
use std::{env, fs};

/// Crates whose versions a security reviewer asks about, in the order reports list them.
const LIBRARIES: &[&str] = &[
    "rustls",
    "tokio-rustls",
    "rustls-webpki",
    "aws-lc-rs",
    "aws-lc-sys",
    "rcgen",
    "tokio",
];

fn find_lock(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join("Cargo.lock"))
        .find(|p| p.is_file())
}

/// `(name, version)` of every `[[package]]` in a Cargo.lock (a tiny reader: the format is stable
/// and flat; anything unexpected just yields fewer entries).
fn lock_packages(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut name: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            name = Some(v.trim_matches('"').to_owned());
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.take() {
                out.push((n, v.trim_matches('"').to_owned()));
            }
        }
    }
    out
}

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    let mut libs = Vec::new();
    if let Some(lock) = find_lock(&manifest_dir) {
        println!("cargo:rerun-if-changed={}", lock.display());
        let text = fs::read_to_string(&lock).unwrap_or_default();
        let packages = lock_packages(&text);
        for want in LIBRARIES {
            let versions: Vec<&str> = packages
                .iter()
                .filter(|(n, _)| n == want)
                .map(|(_, v)| v.as_str())
                .collect();
            if !versions.is_empty() {
                // Several versions of one crate in the lock are listed together rather than
                // guessing which one a given code path uses.
                libs.push((want.to_string(), versions.join(" + ")));
            }
        }
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());

    let mut code = String::from(
        "/// Libraries linked in, with their Cargo.lock versions.\n\
         pub const LIBRARIES: &[(&str, &str)] = &[\n",
    );
    for (n, v) in &libs {
        code.push_str(&format!("    ({n:?}, {v:?}),\n"));
    }
    code.push_str("];\n");
    code.push_str(&format!(
        "/// `rustc --version` of the compiler that built this crate.\npub const RUSTC: Option<&str> = {rustc_version:?};\n"
    ));
    fs::write(out_dir.join("versions.rs"), code).expect("write versions.rs");
    println!("cargo:rerun-if-changed=build.rs");
}
