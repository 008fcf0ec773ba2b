//! PTX writer (being written).
use crate::ir::Module;

/// Why a module could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{0}")]
    Other(String),
}

/// Writes `module` as PTX text.
pub fn write_module(_module: &Module) -> Result<String, WriteError> {
    Err(WriteError::Other("the PTX writer is not written yet".into()))
}
