//! `pgtls probe` tests.
