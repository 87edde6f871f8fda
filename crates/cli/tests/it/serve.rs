//! `pgtls serve` tests.
