//! pgtls-conninfo (work in progress).
