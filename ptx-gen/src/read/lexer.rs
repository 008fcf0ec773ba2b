//! The lexer: PTX text to a flat token vector, one pass over the bytes.
//!
//! Tokens carry byte offsets only; line and column are computed from the offset when an error is reported
//! ([`line_col`]), so the common path never counts lines. Comments (`//…`, `/*…*/`) and whitespace are skipped
//! here, so every later stage sees them nowhere.
//!
//! Token shapes (a superset of what PTX needs, so that the parser, not the lexer, names what is wrong):
//! - identifier: `[A-Za-z_$%][A-Za-z0-9_$]*` (`%r12`, `$L__BB0_2`, `_Z3fooPf`);
//! - dotted word: `.` followed by `[A-Za-z0-9_$:]+` (`.u32`, `.L1::evict_last`, `.L2::128B`, the `.x` of `%tid.x`);
//! - number: a digit followed by `[A-Za-z0-9_.]*`, plus an exponent sign after `e`/`E` in decimal numbers
//!   (`0x1F`, `0f3F800000`, `1.5e-3`); the literal parser validates the spelling;
//! - string: `"…"` without escapes spanning lines (only `.file` and `.pragma` use them);
//! - punctuation: one of `, ; : { } [ ] ( ) + - ! @ | < > =`.

use super::ReadError;

/// What kind of token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident,
    /// A dotted word; its text includes the dot.
    Dot,
    Number,
    Str,
    Punct(u8),
    /// End of input (always the last token).
    Eof,
}

/// A token: its kind and its byte range in the source.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: u32,
    pub end: u32,
}

/// 1-based line and column (in characters) of byte `offset` of `src`.
pub(crate) fn line_col(src: &str, offset: usize) -> (u32, u32) {
    // Clamp to a char boundary so that slicing never panics, whatever offset an error carries.
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(col))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An error at byte `offset` of `src`.
pub(crate) fn error_at(src: &str, offset: usize, message: impl Into<String>) -> ReadError {
    let (line, col) = line_col(src, offset);
    ReadError { line, col, message: message.into() }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b == b'%'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Splits `src` into tokens, ending with one [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, ReadError> {
    if u32::try_from(src.len()).is_err() {
        return Err(ReadError { line: 1, col: 1, message: "PTX text larger than 4 GiB".into() });
    }
    let bytes = src.as_bytes();
    // A PTX line holds about 4 tokens in 25 bytes; reserving avoids most regrowth.
    let mut toks = Vec::with_capacity(bytes.len() / 5 + 1);
    let mut i = 0usize;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr_newline(bytes, i);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                match find_block_comment_end(bytes, i + 2) {
                    Some(end) => i = end,
                    None => return Err(error_at(src, start, "unterminated `/*` comment")),
                }
                continue;
            }
            b'.' => {
                i += 1;
                while i < bytes.len() && (is_ident_continue(bytes[i]) || bytes[i] == b':') {
                    i += 1;
                }
                if i == start + 1 {
                    return Err(error_at(src, start, "unexpected `.`"));
                }
                Tok::Dot
            }
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Tok::Number
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += 1;
                }
                if bytes.get(i) != Some(&b'"') {
                    return Err(error_at(src, start, "unterminated string"));
                }
                i += 1;
                Tok::Str
            }
            b',' | b';' | b':' | b'{' | b'}' | b'[' | b']' | b'(' | b')' | b'+' | b'-' | b'!' | b'@' | b'|' | b'<'
            | b'>' | b'=' => {
                i += 1;
                Tok::Punct(b)
            }
            b if is_ident_start(b) => {
                i += 1;
                while i < bytes.len() && is_ident_continue(bytes[i]) {
                    i += 1;
                }
                Tok::Ident
            }
            _ => {
                let c = src[start..].chars().next().unwrap_or('?');
                return Err(error_at(src, start, format!("unexpected character `{}`", c.escape_debug())));
            }
        };
        // Offsets fit in u32: the length was checked above.
        toks.push(Token { kind, start: start as u32, end: i as u32 });
    }
    toks.push(Token { kind: Tok::Eof, start: bytes.len() as u32, end: bytes.len() as u32 });
    Ok(toks)
}

/// The index of the newline ending the line comment at `i` (or the end of input).
fn memchr_newline(bytes: &[u8], i: usize) -> usize {
    bytes[i..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |p| i + p)
}

/// The index just past the `*/` closing a block comment whose body starts at `i`.
fn find_block_comment_end(bytes: &[u8], i: usize) -> Option<usize> {
    let body = bytes.get(i..)?;
    body.windows(2).position(|w| w == b"*/").map(|p| i + p + 2)
}

/// The end of the number starting at `i`.
///
/// Consumes `[A-Za-z0-9_.]`; in a decimal number (not `0x`/`0f`/`0d`/`0b`) an `e`/`E` may be followed by a sign.
fn number_end(bytes: &[u8], start: usize) -> usize {
    let prefixed = bytes[start] == b'0'
        && matches!(bytes.get(start + 1), Some(b'x' | b'X' | b'f' | b'F' | b'd' | b'D' | b'b' | b'B'));
    let mut i = start + 1;
    while i < bytes.len() {
        let b = bytes[i];
        let exponent_sign = (b == b'+' || b == b'-')
            && !prefixed
            && matches!(bytes[i - 1], b'e' | b'E')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || exponent_sign {
            i += 1;
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, &str)> {
        tokenize(src).unwrap().iter().map(|t| (t.kind, &src[t.start as usize..t.end as usize])).collect()
    }

    #[test]
    fn splits_instruction_line() {
        let toks = kinds("\tld.global.L1::evict_last.v2.f32 \t{%f1, %f2}, [%rd1+-16]; // c\n");
        let texts: Vec<&str> = toks.iter().map(|t| t.1).collect();
        assert_eq!(
            texts,
            [
                "ld", ".global", ".L1::evict_last", ".v2", ".f32", "{", "%f1", ",", "%f2", "}", ",", "[", "%rd1", "+",
                "-", "16", "]", ";", ""
            ]
        );
        assert_eq!(toks.last().unwrap().0, Tok::Eof);
    }

    #[test]
    fn numbers_and_special_registers() {
        let toks = kinds("1.5e-3 0f3F800000 0x1F %tid.x 2-1");
        let texts: Vec<&str> = toks.iter().map(|t| t.1).collect();
        assert_eq!(texts, ["1.5e-3", "0f3F800000", "0x1F", "%tid", ".x", "2", "-", "1", ""]);
    }

    #[test]
    fn comments_skipped_and_unterminated_reported() {
        assert_eq!(kinds("a /* x \n y */ b // z").len(), 3);
        let e = tokenize("a\n  /* never closed").unwrap_err();
        assert_eq!((e.line, e.col), (2, 3));
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 99), (1, 2));
    }
}
