//! pgtls-probe (work in progress).

pub mod verify;
