//! Exchange numbers as they arrive (decimal strings such as `"65432.10"` or
//! `"0.00000123"`) turned into whole steps of a tick size without a detour
//! through `f64`, so `0.1 + 0.2` problems cannot move a price level.

use super::error::MarketError;

/// A decimal number held exactly: `mantissa · 10^(−scale)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// At most this many digits after the point (Bybit quotes at most 10).
const MAX_SCALE: u32 = 18;
/// At most this many digits in all (well inside `i128`).
const MAX_DIGITS: usize = 30;

impl Decimal {
    /// Parses a plain decimal: an optional sign, digits, an optional point
    /// and digits (`"12"`, `"-0.5"`, `"65432.10"`, `".5"` is refused).
    /// `field` names the value in the error.
    pub fn parse(field: &'static str, text: &str) -> Result<Self, MarketError> {
        let bad = || MarketError::NotDecimal { field, value: text.to_string() };
        let (negative, body) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = whole.len() + fraction.len();
        if whole.is_empty()
            || digits > MAX_DIGITS
            || fraction.len() > MAX_SCALE as usize
            || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
            || (body.contains('.') && fraction.is_empty())
        {
            return Err(bad());
        }
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        Ok(Self { mantissa: if negative { -mantissa } else { mantissa }, scale: fraction.len() as u32 })
    }

    /// `10^(−scale)`: the step of a number written with `scale` decimals
    /// (`Decimal::unit(8)` is 0.00000001). `None` beyond 18 decimals.
    pub fn unit(scale: u32) -> Option<Self> {
        (scale <= MAX_SCALE).then_some(Self { mantissa: 1, scale })
    }

    /// `steps` whole steps of this size, exactly (`0.01 × 654321 = 6543.21`).
    pub fn times(self, steps: i64) -> Self {
        Self { mantissa: self.mantissa * i128::from(steps), scale: self.scale }
    }

    /// Digits after the point, as written (`"65432.10"` has 2).
    pub fn scale(self) -> u32 {
        self.scale
    }

    /// The value as `f64` (for display and statistics, not for matching levels).
    pub fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// `true` when the number is above zero.
    pub fn is_positive(self) -> bool {
        self.mantissa > 0
    }

    /// How many whole `step`s make this number; an error when it is not a
    /// whole number of steps or does not fit in `i64`.
    pub fn steps_of(self, step: Decimal, field: &'static str) -> Result<i64, MarketError> {
        let scale = self.scale.max(step.scale);
        let value = self.mantissa * 10i128.pow(scale - self.scale);
        let unit = step.mantissa * 10i128.pow(scale - step.scale);
        let describe = |d: Decimal| d.to_string();
        if unit <= 0 {
            return Err(MarketError::BadStep { field: "step", value: describe(step) });
        }
        if value % unit != 0 {
            return Err(MarketError::OffStep { field, value: describe(self), step: describe(step) });
        }
        i64::try_from(value / unit).map_err(|_| MarketError::OutOfRange {
            field,
            value: describe(self),
            step: describe(step),
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse("x", text).unwrap()
    }

    #[test]
    fn prices_become_exact_ticks() {
        assert_eq!(d("65432.10").steps_of(d("0.01"), "price"), Ok(6_543_210));
        assert_eq!(d("65432.1").steps_of(d("0.10"), "price"), Ok(654_321));
        // An illiquid pair quoted in BTC: 1.23e-6 with a 1e-8 tick.
        assert_eq!(d("0.00000123").steps_of(d("0.00000001"), "price"), Ok(123));
        // 0.1 + 0.2 is 0.30000000000000004 in f64; here 0.3 is 3 ticks of 0.1.
        assert_eq!(d("0.3").steps_of(d("0.1"), "price"), Ok(3));
        assert_eq!(d("-1.5").steps_of(d("0.5"), "qty"), Ok(-3));
        assert_eq!(d("1000").steps_of(d("0.001"), "qty"), Ok(1_000_000));
    }

    #[test]
    fn off_tick_and_malformed_numbers_are_named() {
        let error = d("65432.105").steps_of(d("0.01"), "price").unwrap_err();
        assert_eq!(error.to_string(), "`price` = 65432.105 is not a multiple of the step 0.01");
        for bad in ["", "-", "1.", ".5", "1e-8", "12a", "1.2.3", "NaN", " 1"] {
            let error = Decimal::parse("price", bad).unwrap_err();
            assert!(error.to_string().contains("`price`"), "{bad:?}: {error}");
        }
        assert!(d("1").steps_of(d("0"), "qty").is_err(), "a zero step");
        assert!(d("99999999999999999999").steps_of(d("1"), "qty").is_err(), "beyond i64");
    }

    #[test]
    fn decimals_print_as_they_came() {
        for text in ["65432.10", "0.00000123", "-0.5", "12", "0.01"] {
            assert_eq!(d(text).to_string(), text);
        }
        assert!((d("0.00000123").to_f64() - 1.23e-6).abs() < 1e-20);
        assert_eq!(d("0.01").times(654_321).to_string(), "6543.21");
        assert_eq!(d("0.00000001").times(123).to_string(), "0.00000123");
    }
}
