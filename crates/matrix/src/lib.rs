//! pgtls-matrix (work in progress).
