//! Numbers as spreadsheets and exchanges write them.
//!
//! A file has one [`DecimalMark`]: a point (`1234.5`) or a comma (`1234,5`,
//! as in most of Europe). Thousands separators are accepted only where they
//! cannot be confused with the decimal mark: groups of exactly three digits
//! after a first group of one to three (`"9,098"`, `"1,234.50"`,
//! `1.234,50`, `1 234,50`). Anything else that is not a plain number is
//! refused with a message, never read as a smaller number: `"9,5"` in a
//! decimal-point file is an error that suggests `--decimal-comma`.

/// The decimal mark of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecimalMark {
    /// `1234.5`; thousands may be grouped with `,` (`"1,234.5"`).
    Point,
    /// `1234,5`; thousands may be grouped with `.` or a space (`1.234,5`).
    Comma,
}

/// Why a field is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// The field is empty.
    Empty,
    /// Not a number at all (`null`, `n/a`, `abc`).
    NotANumber,
    /// A comma in a decimal-point file that is not a thousands separator.
    CommaInPointFile,
    /// A point in a decimal-comma file that is not a thousands separator.
    PointInCommaFile,
}

impl NumberError {
    /// A hint for the user, naming the flag that changes the reading.
    pub fn hint(&self) -> &'static str {
        match self {
            NumberError::Empty => "the field is empty",
            NumberError::NotANumber => "not a number",
            NumberError::CommaInPointFile => {
                "a comma that is not a thousands separator: if the file uses decimal commas, pass --decimal-comma"
            }
            NumberError::PointInCommaFile => {
                "a point in a decimal-comma file that is not a thousands separator: pass --decimal-point if the file uses decimal points"
            }
        }
    }
}

/// Parses one field. Plain numbers (digits, sign, `.`, exponent) take the
/// fast path; `NaN` and `inf` parse (the bar check refuses them later, by name).
#[inline]
pub fn parse_number(field: &[u8], mark: DecimalMark) -> Result<f64, NumberError> {
    if field.is_empty() {
        return Err(NumberError::Empty);
    }
    let plain = field.iter().all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if plain && mark == DecimalMark::Point {
        // Only ASCII bytes: always valid UTF-8.
        let text = std::str::from_utf8(field).map_err(|_| NumberError::NotANumber)?;
        return text.parse().map_err(|_| NumberError::NotANumber);
    }
    parse_slow(field, mark)
}

#[cold]
fn parse_slow(field: &[u8], mark: DecimalMark) -> Result<f64, NumberError> {
    let text = std::str::from_utf8(field).map_err(|_| NumberError::NotANumber)?;
    let (decimal, group_chars): (char, &[char]) = match mark {
        DecimalMark::Point => ('.', &[',']),
        DecimalMark::Comma => (',', &['.', ' ', '\u{a0}', '\u{202f}']),
    };
    let has_group = text.contains(group_chars);
    if !has_group {
        if mark == DecimalMark::Comma {
            if text.contains('.') {
                return Err(NumberError::PointInCommaFile);
            }
            return text.replace(',', ".").parse().map_err(|_| NumberError::NotANumber);
        }
        return text.parse().map_err(|_| NumberError::NotANumber);
    }
    // Split off sign and fraction, then check the grouping of the integer part.
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int_part, frac_part) = match unsigned.split_once(decimal) {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let groups: Vec<&str> = int_part.split(group_chars).collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && frac_part.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    if !grouped {
        return Err(match mark {
            DecimalMark::Point => NumberError::CommaInPointFile,
            DecimalMark::Comma => NumberError::PointInCommaFile,
        });
    }
    let sign = if text.starts_with('-') { "-" } else { "" };
    let joined = format!("{sign}{}.{}", groups.concat(), frac_part.unwrap_or("0"));
    joined.parse().map_err(|_| NumberError::NotANumber)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalMark::{Comma, Point};

    #[test]
    fn plain_and_grouped_numbers() {
        for (text, mark, want) in [
            ("1234.5", Point, 1234.5),
            ("-0.25", Point, -0.25),
            ("1e-8", Point, 1e-8),
            ("9,098", Point, 9098.0),
            ("1,234,567.25", Point, 1_234_567.25),
            ("-1,234", Point, -1234.0),
            ("1234,5", Comma, 1234.5),
            ("1.234,5", Comma, 1234.5),
            ("1 234 567,5", Comma, 1_234_567.5),
            ("1\u{a0}234", Comma, 1234.0),
            ("42", Comma, 42.0),
        ] {
            assert_eq!(parse_number(text.as_bytes(), mark), Ok(want), "{text}");
        }
    }

    #[test]
    fn ambiguous_or_broken_numbers_are_refused_never_shortened() {
        for (text, mark, want) in [
            ("9,5", Point, NumberError::CommaInPointFile),
            ("1,23,456", Point, NumberError::CommaInPointFile),
            ("12,34.5", Point, NumberError::CommaInPointFile),
            ("1,234.", Point, NumberError::CommaInPointFile),
            ("1.5", Comma, NumberError::PointInCommaFile),
            ("1.23,4", Comma, NumberError::PointInCommaFile),
            ("", Point, NumberError::Empty),
            ("null", Point, NumberError::NotANumber),
            ("1.2.3", Point, NumberError::NotANumber),
            ("12abc", Comma, NumberError::NotANumber),
        ] {
            assert_eq!(parse_number(text.as_bytes(), mark), Err(want), "{text}");
        }
    }

    #[test]
    fn nan_parses_so_the_bar_check_can_name_it() {
        assert!(parse_number(b"NaN", Point).unwrap().is_nan());
    }
}
