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
    if mark == DecimalMark::Point
        && let Some(x) = parse_simple_decimal(field)
    {
        return Ok(x);
    }
    let plain = field.iter().all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if plain && mark == DecimalMark::Point {
        // Only ASCII bytes: always valid UTF-8.
        let text = std::str::from_utf8(field).map_err(|_| NumberError::NotANumber)?;
        return text.parse().map_err(|_| NumberError::NotANumber);
    }
    parse_slow(field, mark)
}

/// Exact powers of ten as `f64` (all of them are representable up to 10^22).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Clinger's fast path for what price files mostly hold, `-123.4567`: an
/// optional sign, digits, an optional point and digits, no exponent. When
/// the digits, as an integer `m`, are at most 2^53 and there are at most 22
/// after the point, `m / 10^k` is a division of two exact doubles, which
/// IEEE 754 rounds correctly: the same value `str::parse` gives, faster.
/// `None` sends anything else to the full parser.
#[inline]
fn parse_simple_decimal(field: &[u8]) -> Option<f64> {
    let (negative, digits) = match field.first()? {
        b'-' => (true, &field[1..]),
        b'+' => (false, &field[1..]),
        _ => (false, field),
    };
    let mut mantissa: u64 = 0;
    let mut seen_digit = false;
    let mut fraction_digits: Option<usize> = None;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                seen_digit = true;
                if let Some(k) = fraction_digits.as_mut() {
                    *k += 1;
                }
            }
            b'.' if fraction_digits.is_none() => fraction_digits = Some(0),
            _ => return None,
        }
    }
    let k = fraction_digits.unwrap_or(0);
    if !seen_digit || mantissa > (1 << 53) || k >= POW10.len() {
        return None;
    }
    let value = mantissa as f64 / POW10[k];
    Some(if negative { -value } else { value })
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
        // A comma file's `.` counts as a group character, so only the
        // decimal mark can be left to translate.
        return text.replace(decimal, ".").parse().map_err(|_| NumberError::NotANumber);
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
    fn the_fast_path_gives_what_the_standard_parser_gives() {
        let mut state: u64 = 7;
        for _ in 0..200_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let digits = 1 + (state >> 60) as usize;
            let point = (state >> 32) as usize % (digits + 1);
            let body: String = (0..digits).map(|i| char::from(b'0' + ((state >> (i * 3 % 48)) % 10) as u8)).collect();
            let text = format!("{}{}.{}", if state & 1 == 0 { "-" } else { "" }, &body[..point], &body[point..]);
            let want: f64 = text.parse().unwrap();
            assert_eq!(parse_number(text.as_bytes(), Point).map(f64::to_bits), Ok(want.to_bits()), "{text}");
        }
        for text in ["0", "-0.0", ".5", "5.", "9007199254740992", "9007199254740993", "0.1234567890123456789012"] {
            let want: f64 = text.parse().unwrap();
            assert_eq!(parse_number(text.as_bytes(), Point).map(f64::to_bits), Ok(want.to_bits()), "{text}");
        }
        assert_eq!(parse_simple_decimal(b"."), None);
        assert_eq!(parse_simple_decimal(b"-"), None);
        assert_eq!(parse_simple_decimal(b"1e5"), None);
    }

    #[test]
    fn nan_parses_so_the_bar_check_can_name_it() {
        assert!(parse_number(b"NaN", Point).unwrap().is_nan());
    }
}
