//! `pgtls explain` tests.
