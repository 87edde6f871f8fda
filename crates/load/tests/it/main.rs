//! pgtls-load integration tests.

mod coordinator;
mod engine;
mod real_postgres;
mod stats;
