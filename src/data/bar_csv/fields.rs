//! One line of a delimited file, split into fields, on bytes.
//!
//! Working on bytes keeps a stray Latin-1 byte in a column nobody reads
//! harmless, and line framing (one record per line, `\n` or `\r\n`) keeps
//! line numbers exact for Windows files. Double quotes work as in RFC 4180
//! within a line (`"9,098"`, `"say ""hi"""`); a quoted field that runs past
//! the end of its line is reported, since bar files never need one.

use std::ops::Range;

/// A quote was opened and not closed on this line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnclosedQuote;

/// The byte ranges of the fields of one line.
#[derive(Debug, Default, Clone)]
pub struct Fields {
    ranges: Vec<Range<usize>>,
}

impl Fields {
    /// Splits `line` (without its line ending) at `delimiter`. Surrounding
    /// spaces are trimmed (tabs too, unless tab is the delimiter); quotes
    /// around a field are removed from its range. Reuses its buffer: no
    /// allocation once it has seen the widest line.
    pub fn split(&mut self, line: &[u8], delimiter: u8) -> Result<(), UnclosedQuote> {
        self.ranges.clear();
        let mut start = 0;
        let mut in_quotes = false;
        for (i, &b) in line.iter().enumerate() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if b == delimiter && !in_quotes {
                self.ranges.push(trim(line, start..i, delimiter));
                start = i + 1;
            }
        }
        if in_quotes {
            return Err(UnclosedQuote);
        }
        self.ranges.push(trim(line, start..line.len(), delimiter));
        Ok(())
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// `true` for no fields (only before the first split).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The bytes of field `i` of `line`, `None` past the last field.
    #[inline]
    pub fn get<'a>(&self, line: &'a [u8], i: usize) -> Option<&'a [u8]> {
        self.ranges.get(i).map(|r| &line[r.clone()])
    }

    /// `true` when every field from `from` on is empty (a trailing delimiter).
    pub fn empty_from(&self, from: usize) -> bool {
        self.ranges.iter().skip(from).all(|r| r.is_empty())
    }
}

fn trim(line: &[u8], mut r: Range<usize>, delimiter: u8) -> Range<usize> {
    let blank = |b: u8| b == b' ' || (b == b'\t' && delimiter != b'\t');
    while r.start < r.end && blank(line[r.start]) {
        r.start += 1;
    }
    while r.end > r.start && blank(line[r.end - 1]) {
        r.end -= 1;
    }
    if r.end - r.start >= 2 && line[r.start] == b'"' && line[r.end - 1] == b'"' {
        r.start += 1;
        r.end -= 1;
    }
    r
}

/// A field's text with `""` turned back into `"` (only symbols need it).
pub fn unescape(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains("\"\"") { field.replace("\"\"", "\"").into() } else { field.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str, delimiter: u8) -> Result<Vec<String>, UnclosedQuote> {
        let mut f = Fields::default();
        f.split(line.as_bytes(), delimiter)?;
        Ok((0..f.len()).map(|i| String::from_utf8_lossy(f.get(line.as_bytes(), i).unwrap()).into_owned()).collect())
    }

    #[test]
    fn quotes_protect_delimiters_and_are_removed() {
        assert_eq!(split("a, \"9,098\" ,c", b',').unwrap(), ["a", "9,098", "c"]);
        assert_eq!(split("\"say \"\"hi\"\"\",x", b',').unwrap(), ["say \"\"hi\"\"", "x"]);
        assert_eq!(unescape("say \"\"hi\"\""), "say \"hi\"");
        assert_eq!(split("a\t b\t", b'\t').unwrap(), ["a", "b", ""]);
        assert_eq!(split("", b',').unwrap(), [""]);
    }

    #[test]
    fn an_open_quote_is_reported() {
        assert_eq!(split("a,\"b", b','), Err(UnclosedQuote));
    }

    #[test]
    fn bytes_that_are_not_utf8_stay_in_their_field() {
        let line = b"2024-01-01,caf\xe9,1";
        let mut f = Fields::default();
        f.split(line, b',').unwrap();
        assert_eq!(f.get(line, 2), Some(&b"1"[..]));
        assert!(std::str::from_utf8(f.get(line, 1).unwrap()).is_err());
    }
}
