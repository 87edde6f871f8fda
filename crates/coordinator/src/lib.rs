//! pgtls-coordinator (work in progress).

pub mod peers;
