//! Accumulating errors: one build reports every problem of a kernel, each under its own tokens.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;

/// The first and last token of a piece of source: an error under it underlines all of it (stable Rust cannot
/// join spans, so both ends are kept).
#[derive(Clone, Copy, Debug)]
pub struct SpanRange {
    pub start: Span,
    pub end: Span,
}

impl SpanRange {
    /// A range of one token.
    pub fn single(span: Span) -> SpanRange {
        SpanRange { start: span, end: span }
    }

    /// From the first to the last token of `node`.
    pub fn of(node: &dyn ToTokens) -> SpanRange {
        let mut tokens = node.to_token_stream().into_iter();
        let start = tokens.next().map_or_else(Span::call_site, |t| t.span());
        let end = tokens.last().map_or(start, |t| t.span());
        SpanRange { start, end }
    }

    /// Two tokens carrying the two ends, for `syn::Error::new_spanned`.
    fn tokens(self) -> TokenStream {
        [TokenTree::Ident(Ident::new("start", self.start)), TokenTree::Ident(Ident::new("end", self.end))]
            .into_iter()
            .collect()
    }
}

impl From<Span> for SpanRange {
    fn from(span: Span) -> SpanRange {
        SpanRange::single(span)
    }
}

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

    /// Records `msg` under `span` (a token, or a first-to-last range).
    pub fn at(&mut self, span: impl Into<SpanRange>, msg: impl std::fmt::Display) {
        self.list.push(error_at(span.into(), msg));
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

/// An error under `range`.
pub fn error_at(range: SpanRange, msg: impl std::fmt::Display) -> syn::Error {
    syn::Error::new_spanned(range.tokens(), msg)
}
