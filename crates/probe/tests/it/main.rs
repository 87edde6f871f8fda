//! pgtls-probe integration tests.

mod auth;
mod coordinator;
mod fuzz_corpus;
mod invariant;
mod negotiation;
mod policy;
mod real_postgres;
mod support;
mod verify;
