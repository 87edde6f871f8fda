//! pgtls-scram (work in progress).
