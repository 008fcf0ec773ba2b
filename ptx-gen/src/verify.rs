//! IR verifier (being written).
use crate::ir::Module;

/// An invariant the IR breaks.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct VerifyError(pub String);

/// Checks every invariant of `module`.
pub fn verify_module(_module: &Module) -> Result<(), VerifyError> {
    Ok(())
}
