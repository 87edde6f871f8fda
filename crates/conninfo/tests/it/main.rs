//! pgtls-conninfo integration tests. Every expectation is written by hand from libpq's sources,
//! documentation or observed psql 15 behaviour (see `psql_oracle` for the checks against a real
//! psql), never computed by the code under test.

mod util;

mod environment;
mod explain_behaviour;
mod explain_table;
mod fuzz_corpus;
mod keyword_value;
mod psql_oracle;
mod render;
mod sslmode_table;
mod uri;
mod validation;
