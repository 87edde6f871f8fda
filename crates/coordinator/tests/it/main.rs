//! pgtls-coordinator integration tests (one binary, a module per topic).

mod support;

mod api;
mod catalog;
mod hostile;
mod psql;
mod raw;
