//! `pgtls load` tests.
