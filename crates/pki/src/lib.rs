//! pgtls-pki (work in progress).
