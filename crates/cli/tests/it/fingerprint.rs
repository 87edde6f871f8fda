//! `pgtls fingerprint` tests.
