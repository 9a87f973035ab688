//! Comparing an example's fresh output with the committed one when its
//! numbers come from neural networks: candle's matrix kernels take other
//! SIMD paths on other CPUs (AVX2 against AVX-512, Intel against AMD), so
//! the last printed digits move from machine to machine while the text,
//! the line structure and every count stay put.
//!
//! The rule: the same lines, the same text between the numbers, and every
//! pair of numbers within [`RELATIVE`] of each other plus two units of the
//! last digit printed.

/// Relative difference allowed between two numbers.
pub const RELATIVE: f64 = 0.05;

/// `Ok` when `fresh` differs from `committed` only in numbers within the
/// tolerance; else the first difference, with its line.
pub fn within_tolerance(committed: &str, fresh: &str) -> Result<(), String> {
    let (old, new): (Vec<&str>, Vec<&str>) = (committed.lines().collect(), fresh.lines().collect());
    if old.len() != new.len() {
        return Err(format!("{} lines committed, {} now", old.len(), new.len()));
    }
    for (index, (a, b)) in old.iter().zip(&new).enumerate() {
        let (text_a, numbers_a) = split_numbers(a);
        let (text_b, numbers_b) = split_numbers(b);
        if text_a != text_b || numbers_a.len() != numbers_b.len() {
            return Err(format!("line {}: text differs:\n- {a}\n+ {b}", index + 1));
        }
        for (x, y) in numbers_a.iter().zip(&numbers_b) {
            let unit = 10f64.powi(-(x.decimals.max(y.decimals) as i32));
            let allowed = RELATIVE * x.value.abs().max(y.value.abs()) + 2.0 * unit;
            if (x.value - y.value).abs() > allowed {
                return Err(format!(
                    "line {}: {} is now {} (allowed ±{allowed:.4}):\n- {a}\n+ {b}",
                    index + 1,
                    x.value,
                    y.value
                ));
            }
        }
    }
    Ok(())
}

/// A number found in a line and how many decimals it was printed with.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    value: f64,
    decimals: usize,
}

/// The line with every number replaced by `#`, and the numbers.
fn split_numbers(line: &str) -> (String, Vec<Number>) {
    let chars: Vec<char> = line.chars().collect();
    let (mut text, mut numbers) = (String::new(), Vec::new());
    let mut i = 0;
    while i < chars.len() {
        let starts_number = chars[i].is_ascii_digit()
            || (chars[i] == '-'
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                && !(i > 0 && chars[i - 1].is_alphanumeric()));
        if !starts_number || (i > 0 && (chars[i - 1].is_alphabetic() || chars[i - 1] == '_')) {
            text.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let mut decimals = 0;
        if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
                decimals += 1;
            }
        }
        if i + 1 < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
            let mut j = i + 1;
            if j < chars.len() && (chars[j] == '-' || chars[j] == '+') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        let literal: String = chars[start..i].iter().collect();
        match literal.parse::<f64>() {
            Ok(value) => {
                text.push('#');
                numbers.push(Number { value, decimals });
            }
            Err(_) => text.push_str(&literal),
        }
    }
    (text, numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moved_last_digits_pass_and_changed_text_or_counts_fail() {
        let committed = "threshold 0.1529 (5% above)\nROC-AUC 0.771\n  5.02  0.9939  prompt_injection";
        let fresh = "threshold 0.1538 (5% above)\nROC-AUC 0.770\n  5.01  0.9939  prompt_injection";
        assert_eq!(within_tolerance(committed, fresh), Ok(()));
        assert!(within_tolerance("ROC-AUC 0.771", "PR-AUC 0.771").is_err(), "text");
        assert!(within_tolerance("events 21", "events 30").is_err(), "a count far off");
        assert!(within_tolerance("a\nb", "a").is_err(), "lines");
        assert!(within_tolerance("p 0.50", "p 0.60").is_err(), "20 % off");
    }

    #[test]
    fn numbers_are_read_with_signs_exponents_and_decimals_but_not_inside_names() {
        let (text, numbers) = split_numbers("x -4.32, 1.5e-3; F1 0.336 bench_2 {\"a\":12}");
        assert_eq!(text, "x #, #; F1 # bench_2 {\"a\":#}");
        assert_eq!(numbers.iter().map(|n| n.value).collect::<Vec<_>>(), vec![-4.32, 1.5e-3, 0.336, 12.0]);
        assert_eq!(numbers[0].decimals, 2);
    }
}
