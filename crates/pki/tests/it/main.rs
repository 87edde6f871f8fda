//! pgtls-pki integration tests: one binary, a module per topic.

mod util;

mod recipes;

mod details;
mod factory;
mod files;
mod fingerprint;
mod fuzz_corpus;
mod fuzzing;
mod openssl;
mod webpki_verify;
