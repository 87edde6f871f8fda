//! pgtls-probe integration tests.

mod verify;
