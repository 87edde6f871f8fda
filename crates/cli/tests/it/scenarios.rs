//! `pgtls scenarios` tests.
