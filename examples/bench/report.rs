//! Output: aligned text tables for the terminal, the same tables as Markdown, and a small JSON writer (no serde).

use std::fmt::Write as _;

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// A table of strings with a header row.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub align: Vec<Align>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these columns; names starting with `<` are left-aligned (the `<` is dropped), others right-aligned.
    pub fn new(columns: &[&str]) -> Table {
        let mut t = Table::default();
        for c in columns {
            match c.strip_prefix('<') {
                Some(name) => {
                    t.headers.push(name.to_owned());
                    t.align.push(Align::Left);
                }
                None => {
                    t.headers.push((*c).to_owned());
                    t.align.push(Align::Right);
                }
            }
        }
        t
    }

    /// Adds a row; shorter rows are padded with empty cells, longer ones are a bug (panics).
    pub fn row(&mut self, cells: Vec<String>) {
        assert!(cells.len() <= self.headers.len(), "row has {} cells for {} columns", cells.len(), self.headers.len());
        let mut cells = cells;
        cells.resize(self.headers.len(), String::new());
        self.rows.push(cells);
    }

    fn widths(&self) -> Vec<usize> {
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        w
    }

    /// Plain text with columns padded to equal width and a dashed rule under the header; no trailing spaces.
    pub fn to_text(&self) -> String {
        let w = self.widths();
        let line = |cells: &[String]| {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                if i > 0 {
                    s.push_str("  ");
                }
                let pad = w[i] - c.chars().count();
                match self.align[i] {
                    Align::Left => {
                        s.push_str(c);
                        s.push_str(&" ".repeat(pad));
                    }
                    Align::Right => {
                        s.push_str(&" ".repeat(pad));
                        s.push_str(c);
                    }
                }
            }
            s.trim_end().to_owned()
        };
        let mut out = line(&self.headers);
        out.push('\n');
        let rule: Vec<String> = w.iter().map(|&n| "-".repeat(n)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r));
            out.push('\n');
        }
        out
    }

    /// GitHub-flavoured Markdown, with `|` in cells escaped and the alignment row set per column.
    pub fn to_markdown(&self) -> String {
        let esc = |c: &str| c.replace('|', "\\|").replace('\n', " ");
        let mut out = String::new();
        out.push('|');
        for h in &self.headers {
            let _ = write!(out, " {} |", esc(h));
        }
        out.push_str("\n|");
        for a in &self.align {
            out.push_str(match a {
                Align::Left => "---|",
                Align::Right => "---:|",
            });
        }
        out.push('\n');
        for r in &self.rows {
            out.push('|');
            for c in r {
                let _ = write!(out, " {} |", esc(c));
            }
            out.push('\n');
        }
        out
    }
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// Non-finite numbers are written as `null` (JSON has no NaN or infinity).
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    /// Keys in insertion order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(key, value)` pairs.
    pub fn obj<K: Into<String>>(pairs: Vec<(K, Json)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// A number, or `null` when `x` is `None`.
    pub fn opt(x: Option<f64>) -> Json {
        x.map_or(Json::Null, Json::Num)
    }

    /// Pretty-printed with two-space indentation and a final newline.
    pub fn to_pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(x) => write_num(out, *x),
            Json::Str(s) => write_str(out, s),
            Json::Arr(items) => {
                if items.is_empty() {
                    out.push_str("[]");
                    return;
                }
                // Arrays of scalars (timings, dimensions) on one line.
                if items.iter().all(|v| !matches!(v, Json::Arr(_) | Json::Obj(_))) {
                    out.push('[');
                    for (i, v) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        v.write(out, indent + 1);
                    }
                    out.push(']');
                    return;
                }
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&"  ".repeat(indent + 1));
                    v.write(out, indent + 1);
                }
                out.push('\n');
                out.push_str(&"  ".repeat(indent));
                out.push(']');
            }
            Json::Obj(pairs) => {
                if pairs.is_empty() {
                    out.push_str("{}");
                    return;
                }
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&"  ".repeat(indent + 1));
                    write_str(out, k);
                    out.push_str(": ");
                    v.write(out, indent + 1);
                }
                out.push('\n');
                out.push_str(&"  ".repeat(indent));
                out.push('}');
            }
        }
    }
}

fn write_num(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
    } else if x == x.trunc() && x.abs() < 1e15 {
        // Integral values without a fraction (and -0 as 0).
        let _ = write!(out, "{}", x as i64);
    } else {
        // Rust's shortest round-trip form; it never uses exponent notation, which JSON would accept anyway.
        let _ = write!(out, "{x}");
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A number with `digits` decimals, or `-` when it is not finite (a failed or missing measurement).
pub fn fixed(x: f64, digits: usize) -> String {
    if x.is_finite() {
        format!("{x:.digits$}")
    } else {
        "-".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_table_aligns() {
        let mut t = Table::new(&["<kernel", "ms", "<note"]);
        t.row(vec!["saxpy".into(), "0.250".into(), "ok".into()]);
        t.row(vec!["vector_add".into(), "12.5".into()]);
        let s = t.to_text();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "kernel         ms  note");
        assert_eq!(lines[1], "----------  -----  ----");
        assert_eq!(lines[2], "saxpy       0.250  ok");
        assert_eq!(lines[3], "vector_add   12.5");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn markdown_table() {
        let mut t = Table::new(&["<kernel", "GB/s"]);
        t.row(vec!["a|b".into(), "1.0".into()]);
        assert_eq!(t.to_markdown(), "| kernel | GB/s |\n|---|---:|\n| a\\|b | 1.0 |\n");
    }

    #[test]
    #[should_panic]
    fn too_many_cells() {
        let mut t = Table::new(&["a"]);
        t.row(vec!["1".into(), "2".into()]);
    }

    #[test]
    fn json_values() {
        let j = Json::obj(vec![
            ("name", Json::str("sa\"x\\py\n\u{1}")),
            ("ms", Json::Num(0.25)),
            ("n", Json::Num(67108864.0)),
            ("neg", Json::Num(-3.0)),
            ("nan", Json::Num(f64::NAN)),
            ("inf", Json::Num(f64::INFINITY)),
            ("none", Json::opt(None)),
            ("ok", Json::Bool(true)),
            ("list", Json::Arr(vec![Json::Num(1.0), Json::Null])),
            ("nested", Json::Arr(vec![Json::Arr(vec![Json::Num(0.5)]), Json::obj(vec![("k", Json::Bool(false))])])),
            ("empty", Json::Arr(vec![])),
            ("eo", Json::Obj(vec![])),
        ]);
        let want = r#"{
  "name": "sa\"x\\py\n\u0001",
  "ms": 0.25,
  "n": 67108864,
  "neg": -3,
  "nan": null,
  "inf": null,
  "none": null,
  "ok": true,
  "list": [1, null],
  "nested": [
    [0.5],
    {
      "k": false
    }
  ],
  "empty": [],
  "eo": {}
}
"#;
        assert_eq!(j.to_pretty(), want);
    }

    #[test]
    fn json_numbers_round_trip() {
        for x in [0.1, 1e-7, 123456.789, 3.4e38, 1e300, -2.5e-300, 0.0, -0.0, 1e15, 123e20] {
            let mut s = String::new();
            write_num(&mut s, x);
            let back: f64 = s.parse().unwrap();
            assert_eq!(back, x, "{s}");
            assert!(s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-'), "{s}");
        }
    }

    #[test]
    fn fixed_formats() {
        assert_eq!(fixed(1.23456, 2), "1.23");
        assert_eq!(fixed(f64::NAN, 2), "-");
    }
}
