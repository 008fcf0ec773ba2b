//! Accumulating errors: one build reports every problem of a kernel, each under its own tokens.

use proc_macro2::Span;
use quote::ToTokens;

/// Errors collected so far, in source order of discovery.
#[derive(Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    /// No errors yet.
    pub fn new() -> Errors {
        Errors::default()
    }

    /// Records `msg` at `span`.
    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.list.push(syn::Error::new(span, msg));
    }

    /// Records `msg` under the tokens of `node` (all of them, not only the first).
    pub fn spanned(&mut self, node: &dyn ToTokens, msg: impl std::fmt::Display) {
        self.list.push(syn::Error::new_spanned(node.to_token_stream(), msg));
    }

    /// Records an error built elsewhere (it may already combine several).
    pub fn push(&mut self, e: syn::Error) {
        self.list.extend(e);
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The errors, one per problem.
    pub fn into_vec(self) -> Vec<syn::Error> {
        self.list
    }
}
