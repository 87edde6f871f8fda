//! `pgtls matrix` tests.
