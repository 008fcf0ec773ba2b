//! placeholder
use super::diag::Errors;
use super::hir::Body;
pub fn check_uniformity(_body: &Body, _errors: &mut Errors) {}
