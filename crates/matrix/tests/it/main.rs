//! pgtls-matrix integration tests: one binary, a module per topic.

mod sample;

mod client;
mod html;
mod junit;
mod matrix;
mod probe_page;
mod psql;
mod schema;
mod table;
