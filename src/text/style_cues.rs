//! [`StyleCues`]: what a reader sees at a glance in a promotional post —
//! shouting capitals, exclamation marks, emoji, cashtags, promised returns
//! and urgency — measured, so they can be one part of the combined score.
//!
//! Every cue is a count or a share of the text itself; nothing is learned
//! here. Wire news has some of them too ("$AAPL", "surges 12%"), which is
//! why the combination weighs them instead of flagging on any one.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// The cues of one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StyleCues {
    /// Share of the letters that are capitals in words of two or more
    /// capitals ("HUGE", "BUY"), in [0, 1].
    pub shouting: f64,
    /// Exclamation marks.
    pub exclamations: usize,
    /// Emoji and pictographs.
    pub emoji: usize,
    /// Cashtags (`$TSLA`).
    pub cashtags: usize,
    /// Promised returns ("100x", "10x", "guaranteed", "to the moon", "1000%").
    pub promised_returns: usize,
    /// Urgency ("now", "today", "last chance", "before it's too late", "hurry").
    pub urgency: usize,
}

/// The names of [`StyleCues::features`], in order.
pub const STYLE_CUE_NAMES: [&str; 6] = ["shouting", "exclamations", "emoji", "cashtags", "promised_returns", "urgency"];

static CASHTAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$[A-Za-z]{1,6}\b").expect("valid regex"));
static PROMISE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b\d{1,5}\s?x\b|\b\d{3,}\s?%|guarantee|to the moon|moon(ing)?\b|lambo|can'?t lose|easy money|free money|\bmillionaire|\b\d+\s?bagger|rocket|skyrocket|explode|going parabolic",
    )
    .expect("valid regex")
});
static URGENCY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(right )?now\b|\brn\b|\btoday\b|\btonight\b|last chance|too late|\bhurry|don'?t miss|before (it|the)|\basap\b|\burgent|\bact fast|\bquick(ly)?\b|\bfinal call|\bminutes? left|\bimmediately",
    )
    .expect("valid regex")
});

impl StyleCues {
    /// Measures `text`.
    pub fn of(text: &str) -> Self {
        let mut letters = 0usize;
        let mut shouted = 0usize;
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let word_letters = word.chars().filter(|c| c.is_alphabetic()).count();
            letters += word_letters;
            let capitals = word.chars().filter(|c| c.is_uppercase()).count();
            if capitals >= 2 && capitals == word_letters {
                shouted += capitals;
            }
        }
        Self {
            shouting: if letters == 0 { 0.0 } else { shouted as f64 / letters as f64 },
            exclamations: text.chars().filter(|&c| c == '!' || c == '！').count(),
            emoji: text.chars().filter(|&c| is_pictograph(c)).count(),
            cashtags: CASHTAG.find_iter(text).count(),
            promised_returns: PROMISE.find_iter(text).count(),
            urgency: URGENCY.find_iter(text).count(),
        }
    }

    /// The cues as numbers, in the order of [`STYLE_CUE_NAMES`]; counts are
    /// `ln(1 + count)`, so the tenth emoji weighs less than the first.
    pub fn features(&self) -> [f64; 6] {
        let log = |n: usize| (n as f64).ln_1p();
        [
            self.shouting,
            log(self.exclamations),
            log(self.emoji),
            log(self.cashtags),
            log(self.promised_returns),
            log(self.urgency),
        ]
    }

    /// The strongest cue present, by name, for explanations.
    pub fn strongest(&self) -> Option<&'static str> {
        let features = self.features();
        features
            .iter()
            .enumerate()
            .filter(|(_, x)| **x > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| STYLE_CUE_NAMES[i])
    }
}

/// Emoji and pictographs: the Unicode blocks promotional posts draw from.
fn is_pictograph(c: char) -> bool {
    matches!(c as u32,
        0x1F300..=0x1FAFF // symbols & pictographs, emoticons, transport, supplemental
        | 0x2600..=0x27BF // miscellaneous symbols, dingbats
        | 0x2B50..=0x2B55 // stars, circles
        | 0x1F1E6..=0x1F1FF // regional indicators (flags)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pump_spam_lights_every_cue() {
        let cues = StyleCues::of("🚀🚀 $GME TO THE MOON!!! 100x guaranteed, BUY NOW before it's too late 💎");
        assert_eq!(cues.exclamations, 3);
        assert_eq!(cues.emoji, 3);
        assert_eq!(cues.cashtags, 1);
        assert!(cues.promised_returns >= 2, "{cues:?}");
        assert!(cues.urgency >= 2, "{cues:?}");
        assert!(cues.shouting > 0.3, "{cues:?}");
    }

    #[test]
    fn wire_news_lights_none_but_a_ticker_in_capitals() {
        let cues = StyleCues::of("Federal Reserve holds rates steady; Apple (AAPL) shares rise 1.2%");
        assert_eq!(
            (cues.exclamations, cues.emoji, cues.cashtags, cues.promised_returns, cues.urgency),
            (0, 0, 0, 0, 0)
        );
        // "AAPL" is 4 capitals of 49 letters (7 + 7 + 5 + 5 + 6 + 5 + 4 + 6 + 4).
        assert!((cues.shouting - 4.0 / 49.0).abs() < 1e-12, "{}", cues.shouting);
        assert_eq!(StyleCues::of("").features(), [0.0; 6]);
        assert_eq!(StyleCues::of("").strongest(), None);
    }
}
