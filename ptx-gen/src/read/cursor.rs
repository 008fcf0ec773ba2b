//! A cursor over the token vector, with the small `peek`/`eat`/`expect` helpers every stage uses.

use super::lexer::{error_at, Tok, Token};
use super::lit::Lit;
use super::ReadError;

/// The token stream of one PTX text and a position in it.
///
/// The last token is always [`Tok::Eof`] and the cursor never moves past it, so `peek` never fails.
pub(crate) struct Cursor<'a> {
    pub src: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first of `toks` (which must end with [`Tok::Eof`], as the lexer guarantees).
    pub fn new(src: &'a str, toks: Vec<Token>) -> Cursor<'a> {
        Cursor { src, toks, pos: 0 }
    }

    /// The current token.
    pub fn peek(&self) -> Token {
        self.peek_at(0)
    }

    /// The token `n` places ahead (the end-of-input token past the end).
    pub fn peek_at(&self, n: usize) -> Token {
        let last = self.toks.len() - 1;
        self.toks[(self.pos + n).min(last)]
    }

    /// Returns the current token and moves past it (never past the end of input).
    pub fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.kind != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    /// The source text of `t`.
    pub fn text(&self, t: Token) -> &'a str {
        &self.src[t.start as usize..t.end as usize]
    }

    /// The source text from the start of `first` to the end of `last`.
    pub fn span_text(&self, first: Token, last: Token) -> &'a str {
        let end = last.end.max(first.end);
        &self.src[first.start as usize..end as usize]
    }

    /// An error located at `t`.
    pub fn err(&self, t: Token, message: impl Into<String>) -> ReadError {
        error_at(self.src, t.start as usize, message)
    }

    /// How `t` is named in messages: its text in backticks, or "end of input".
    pub fn describe(&self, t: Token) -> String {
        match t.kind {
            Tok::Eof => "end of input".into(),
            _ => format!("`{}`", self.text(t)),
        }
    }

    /// "expected {what}, found …" at the current token.
    pub fn expected(&self, what: &str) -> ReadError {
        let t = self.peek();
        self.err(t, format!("expected {what}, found {}", self.describe(t)))
    }

    /// Whether the current token is the punctuation `c`.
    pub fn is_punct(&self, c: u8) -> bool {
        self.peek().kind == Tok::Punct(c)
    }

    /// Moves past the punctuation `c` if it is next.
    pub fn eat_punct(&mut self, c: u8) -> bool {
        if self.is_punct(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// The punctuation `c`, or an error.
    pub fn expect_punct(&mut self, c: u8) -> Result<Token, ReadError> {
        if self.is_punct(c) {
            Ok(self.bump())
        } else {
            Err(self.expected(&format!("`{}`", c as char)))
        }
    }

    /// Whether the current token is the dotted word `word` (with its dot).
    pub fn is_dot(&self, word: &str) -> bool {
        let t = self.peek();
        t.kind == Tok::Dot && self.text(t) == word
    }

    /// Moves past the dotted word `word` if it is next.
    pub fn eat_dot(&mut self, word: &str) -> bool {
        if self.is_dot(word) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// An identifier, or an error naming `what` was expected.
    pub fn expect_ident(&mut self, what: &str) -> Result<(Token, &'a str), ReadError> {
        let t = self.peek();
        if t.kind == Tok::Ident {
            self.bump();
            Ok((t, self.text(t)))
        } else {
            Err(self.expected(what))
        }
    }

    /// A numeric literal with an optional leading `-`; returns the token of its first character.
    pub fn literal(&mut self) -> Result<(Token, Lit), ReadError> {
        let first = self.peek();
        let neg = self.eat_punct(b'-');
        let t = self.peek();
        if t.kind != Tok::Number {
            return Err(self.expected("a number"));
        }
        self.bump();
        let lit = Lit::parse(self.text(t)).map_err(|m| self.err(t, m))?;
        Ok((first, if neg { lit.negate() } else { lit }))
    }

    /// A non-negative integer that fits in a u32 (counts, alignments, directive values).
    pub fn u32_literal(&mut self, what: &str) -> Result<(Token, u32), ReadError> {
        let (t, lit) = self.literal()?;
        match lit.as_u64().and_then(|v| u32::try_from(v).ok()) {
            Some(v) => Ok((t, v)),
            None => Err(self.err(t, format!("{what} must be an integer from 0 to {}", u32::MAX))),
        }
    }

    /// Moves past every token that starts on the same line as `t` (for line-based directives such as `.loc`).
    pub fn skip_rest_of_line(&mut self, t: Token) {
        let line_end = self.src[t.start as usize..].find('\n').map_or(self.src.len(), |i| t.start as usize + i);
        while self.peek().kind != Tok::Eof && (self.peek().start as usize) < line_end {
            self.bump();
        }
    }
}
