//! A labelled corpus of financial headlines, organised in template
//! *families*, for fitting and testing text anomaly detectors.
//!
//! The simulator's own headlines ([`super::SimulatedMarket::news`]) come from
//! a dozen templates; a detector fitted on them learns the templates, not the
//! language. This corpus is larger and organised so that generalisation can
//! be measured:
//!
//! * a **family** ([`Family`]) is one way of writing one kind of headline:
//!   `earnings_beat`, `deal_sourced_talks`, `chatroom_pump`, ... Each has
//!   several templates and randomised slots (companies, people, numbers,
//!   dates), so fifty lines of one family are not fifty copies;
//! * a **topic** groups families that talk about the same thing (`earnings`,
//!   `m_and_a`, `pump_call`, ...); it is the unit the split balances;
//! * a **label** ([`FamilyLabel`]) says which side of the line a family is on:
//!   normal news, or a semantic anomaly with its [`AnomalyType`]
//!   (`PumpSpam`, `FakeInsider`, `PromptInjection`).
//!
//! Normal families cover what wires publish: earnings, guidance, analyst
//! actions, sourced M&A, filings, enforcement, macro data and central banks,
//! products, litigation, crypto news, management, dividends and buybacks,
//! layoffs, strikes and plants, in several house styles (agency sentences,
//! terminal flashes in capitals, press-release title case). The topic
//! `shock_news` holds the **hard negatives**: a takeover at a 60 % premium,
//! a biotech up 80 % on an FDA approval, a CEO arrested, a Chapter 11 filing,
//! an IPO that doubles on day one, a meme-stock rally *reported* by a wire.
//! They are shocking, and they are news: labelled [`FamilyLabel::Normal`].
//!
//! Anomalous families are written the way forums, chat groups, spam accounts
//! and promoters write: pump calls, cashtag floods, "not financial advice"
//! shilling, coordinated-buy instructions, guaranteed-return offers, group
//! invites, unsourced insider tips, fake press releases and breaking alerts,
//! and prompt injections aimed at an LLM reading the feed (some hidden after a
//! normal-looking headline).
//!
//! Companies, people, analyst houses, funds, exchanges and tokens are
//! fictional; regulators, statistics offices and central banks are real,
//! because real wires name them. Numbers are plausible, not historical.
//!
//! ```
//! use llm_anomaly::simulate::news_corpus::{generate, split_families};
//!
//! let corpus = generate(7, 20);
//! let (fit, held_out) = split_families();
//! let held: Vec<&str> = held_out.iter().map(|f| f.name).collect();
//! // Fit on normal lines of the fit families; test on everything held out.
//! let train: Vec<&str> = corpus
//!     .iter()
//!     .filter(|h| !h.is_anomalous() && !held.contains(&h.family))
//!     .map(|h| h.text.as_str())
//!     .collect();
//! assert!(!train.is_empty() && !fit.is_empty());
//! ```

mod anomalous;
mod names;
mod normal;
mod seed_list;
pub(crate) mod wire;

pub use seed_list::seed_headlines;

use crate::alert::AnomalyType;
use crate::simulate::rng::SimRng;

/// The random stream of [`generate`] ("NEWS").
const STREAM: u64 = 0x4e45_5753;

/// Which side of the line a family is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyLabel {
    /// Ordinary news, including shocking but genuine news.
    Normal,
    /// A semantic anomaly of this type.
    Anomalous(AnomalyType),
}

/// A template family: one way of writing one kind of headline.
#[derive(Debug, Clone, Copy)]
pub struct Family {
    /// Unique snake_case name, e.g. `earnings_beat`, `chatroom_pump`.
    pub name: &'static str,
    /// The group used for splits, e.g. `earnings`, `m_and_a`, `pump_call`.
    pub topic: &'static str,
    /// Normal or anomalous (with the anomaly type).
    pub label: FamilyLabel,
    /// Draws one headline of this family.
    pub generate: fn(&mut SimRng) -> String,
}

/// One generated headline.
#[derive(Debug, Clone, PartialEq)]
pub struct CorpusHeadline {
    /// The headline (one line).
    pub text: String,
    /// Name of the family that wrote it.
    pub family: &'static str,
    /// Topic of that family.
    pub topic: &'static str,
    /// Label of that family.
    pub label: FamilyLabel,
}

impl CorpusHeadline {
    /// `true` for every anomalous family, whatever its type.
    pub fn is_anomalous(&self) -> bool {
        matches!(self.label, FamilyLabel::Anomalous(_))
    }
}

macro_rules! normal {
    ($topic:literal, $f:ident) => {
        Family { name: stringify!($f), topic: $topic, label: FamilyLabel::Normal, generate: |r| tidy(normal::$f(r)) }
    };
}

macro_rules! anomalous {
    ($topic:literal, $kind:ident, $f:ident) => {
        Family {
            name: stringify!($f),
            topic: $topic,
            label: FamilyLabel::Anomalous(AnomalyType::$kind),
            generate: anomalous::$f,
        }
    };
}

static FAMILIES: &[Family] = &[
    // Normal.
    normal!("earnings", earnings_beat),
    normal!("earnings", earnings_miss),
    normal!("earnings", earnings_in_line),
    normal!("earnings", earnings_preannouncement),
    normal!("guidance", guidance_raise),
    normal!("guidance", guidance_cut),
    normal!("guidance", guidance_reaffirm),
    normal!("analyst", analyst_upgrade),
    normal!("analyst", analyst_downgrade),
    normal!("analyst", analyst_initiation),
    normal!("analyst", analyst_price_target),
    normal!("m_and_a", deal_definitive_agreement),
    normal!("m_and_a", deal_sourced_talks),
    normal!("m_and_a", deal_tender_offer),
    normal!("m_and_a", deal_regulatory_approval),
    normal!("m_and_a", deal_terminated),
    normal!("filings", filing_periodic),
    normal!("filings", filing_stake_13d),
    normal!("filings", filing_ipo_s1),
    normal!("filings", filing_late_notice),
    normal!("enforcement", sec_settlement),
    normal!("enforcement", regulatory_probe),
    normal!("enforcement", antitrust_action),
    normal!("macro", macro_inflation),
    normal!("macro", macro_jobs),
    normal!("macro", macro_central_bank),
    normal!("macro", macro_activity),
    normal!("macro", macro_rates_fx),
    normal!("macro", macro_commodities),
    normal!("products", product_launch),
    normal!("products", product_recall),
    normal!("products", product_approval),
    normal!("litigation", litigation_verdict),
    normal!("litigation", litigation_class_action),
    normal!("litigation", litigation_patent),
    normal!("crypto", crypto_exchange_listing),
    normal!("crypto", crypto_network_upgrade),
    normal!("crypto", crypto_etf_flows),
    normal!("crypto", crypto_exchange_hack),
    normal!("crypto", crypto_stablecoin_reserves),
    normal!("management", management_appointment),
    normal!("management", management_departure),
    normal!("capital_return", dividend),
    normal!("capital_return", buyback),
    normal!("operations", layoffs),
    normal!("operations", strike),
    normal!("operations", plant_opening),
    // Hard negatives: shocking, and news.
    normal!("shock_news", takeover_premium),
    normal!("shock_news", fda_approval_surge),
    normal!("shock_news", guidance_plunge),
    normal!("shock_news", executive_arrest),
    normal!("shock_news", sec_fraud_charges),
    normal!("shock_news", bankruptcy_filing),
    normal!("shock_news", ipo_debut_surge),
    normal!("shock_news", short_seller_report),
    normal!("shock_news", retail_frenzy_report),
    normal!("shock_news", crypto_record_move),
    // Anomalous.
    anomalous!("pump_call", PumpSpam, chatroom_pump),
    anomalous!("pump_call", PumpSpam, moon_hype),
    anomalous!("pump_call", PumpSpam, penny_stock_alert),
    anomalous!("cashtag_spam", PumpSpam, cashtag_flood),
    anomalous!("cashtag_spam", PumpSpam, ticker_list_spam),
    anomalous!("shill", PumpSpam, nfa_shill),
    anomalous!("shill", PumpSpam, influencer_shill),
    anomalous!("scam_promo", PumpSpam, guaranteed_returns),
    anomalous!("scam_promo", PumpSpam, group_invite),
    anomalous!("scam_promo", PumpSpam, giveaway_scam),
    anomalous!("coordinated_buy", PumpSpam, coordinated_buy_time),
    anomalous!("coordinated_buy", PumpSpam, squeeze_rally),
    anomalous!("insider_tip", FakeInsider, relative_tip),
    anomalous!("insider_tip", FakeInsider, agency_leak),
    anomalous!("insider_tip", FakeInsider, leaked_deal),
    anomalous!("insider_tip", FakeInsider, rumour_as_fact),
    anomalous!("fake_release", FakeInsider, fake_press_release),
    anomalous!("fake_release", FakeInsider, fake_breaking_alert),
    anomalous!("prompt_injection", PromptInjection, injection_direct),
    anomalous!("prompt_injection", PromptInjection, injection_system_tag),
    anomalous!("prompt_injection", PromptInjection, injection_embedded),
    anomalous!("prompt_injection", PromptInjection, injection_markup),
];

/// Every family, normal first then anomalous, in a fixed order.
pub fn families() -> &'static [Family] {
    FAMILIES
}

/// `per_family` headlines from every family, in the order of [`families`]
/// (all lines of the first family, then the second, ...). One seeded
/// generator draws them all, so the same `(seed, per_family)` gives
/// byte-identical output.
pub fn generate(seed: u64, per_family: usize) -> Vec<CorpusHeadline> {
    let mut rng = SimRng::new(seed, STREAM);
    let mut out = Vec::with_capacity(FAMILIES.len() * per_family);
    for f in FAMILIES {
        for _ in 0..per_family {
            out.push(CorpusHeadline { text: (f.generate)(&mut rng), family: f.name, topic: f.topic, label: f.label });
        }
    }
    out
}

/// The 1 000 headlines the sentence-model speed benchmark embeds
/// (`benches/minilm.rs` and its PyTorch counterpart): 1 000 lines spread
/// evenly over [`generate`]`(7, 13)` (13 per family), so every family is in
/// it.
pub fn benchmark_headlines() -> Vec<String> {
    let corpus = generate(7, 13);
    (0..1000).map(|i| corpus[i * corpus.len() / 1000].text.clone()).collect()
}

/// Splits the family list into `(fit, held_out)` by family, so that a
/// held-out family is never seen in fitting.
///
/// The rule, deterministic and independent of any seed: within each topic,
/// sort the families by name; the **last** family of every topic that has
/// two or more families is held out, the others go to fit. A topic with a
/// single family goes entirely to fit. Every topic with two or more families
/// is therefore represented in both halves, and a detector is tested on ways
/// of writing it has not seen. Both halves keep the order of [`families`].
pub fn split_families() -> (Vec<&'static Family>, Vec<&'static Family>) {
    let held: Vec<&'static str> = {
        let mut topics: Vec<&'static str> = FAMILIES.iter().map(|f| f.topic).collect();
        topics.sort_unstable();
        topics.dedup();
        topics
            .into_iter()
            .filter_map(|t| {
                let members: Vec<&'static str> = FAMILIES.iter().filter(|f| f.topic == t).map(|f| f.name).collect();
                if members.len() >= 2 { members.into_iter().max() } else { None }
            })
            .collect()
    };
    FAMILIES.iter().partition(|f| !held.contains(&f.name))
}

// ---------------------------------------------------------------- slot helpers

/// One of `xs`.
fn one(r: &mut SimRng, xs: &[&'static str]) -> &'static str {
    xs[r.int(0, xs.len() - 1)]
}

/// A fiscal quarter and its year.
#[derive(Debug, Clone, Copy)]
struct Quarter {
    n: usize,
    year: usize,
}

impl Quarter {
    fn new(r: &mut SimRng) -> Self {
        Self { n: r.int(1, 4), year: year(r) }
    }

    /// `Q3`.
    fn q(self) -> String {
        format!("Q{}", self.n)
    }

    /// `3Q` (terminal style).
    fn dj(self) -> String {
        format!("{}Q", self.n)
    }

    /// `third quarter` (noun).
    fn noun(self) -> &'static str {
        ["first quarter", "second quarter", "third quarter", "fourth quarter"][self.n - 1]
    }

    /// `third-quarter` (agency style, adjectival).
    fn word(self) -> &'static str {
        ["first-quarter", "second-quarter", "third-quarter", "fourth-quarter"][self.n - 1]
    }

    /// `Third Quarter` (press-release style).
    fn title(self) -> &'static str {
        ["First Quarter", "Second Quarter", "Third Quarter", "Fourth Quarter"][self.n - 1]
    }
}

fn year(r: &mut SimRng) -> usize {
    r.int(2023, 2026)
}

fn month(r: &mut SimRng) -> &'static str {
    one(r, names::MONTHS)
}

fn weekday(r: &mut SimRng) -> &'static str {
    one(r, names::WEEKDAYS)
}

/// `March 14`.
fn date(r: &mut SimRng) -> String {
    format!("{} {}", month(r), r.int(1, 28))
}

/// A record date and a payable date two to five weeks later: (`March 3`,
/// `March 24`).
fn record_and_payable(r: &mut SimRng) -> (String, String) {
    let m = r.int(0, 11);
    let d = r.int(1, 28);
    let later = d + 7 * r.int(2, 5);
    let (pm, pd) = if later > 28 { ((m + 1) % 12, later - 28) } else { (m, later) };
    (format!("{} {d}", names::MONTHS[m]), format!("{} {pd}", names::MONTHS[pm]))
}

/// Log-uniform in [lo, hi): amounts and head counts spread over orders of
/// magnitude.
fn log_range(r: &mut SimRng, lo: f64, hi: f64) -> f64 {
    libm::exp(r.range(libm::log(lo), libm::log(hi)))
}

/// `n` rounded to `digits` significant digits (7,026 -> 7,000).
fn round_sig(n: usize, digits: u32) -> usize {
    let len = n.max(1).ilog10() + 1;
    if len <= digits {
        return n;
    }
    let unit = 10usize.pow(len - digits);
    (n + unit / 2) / unit * unit
}

/// Final touches on a normal headline: `Analytics's` -> `Analytics'`, and a
/// capital first letter.
fn tidy(text: String) -> String {
    let text = text.replace("s's ", "s' ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// `12,345`.
fn int_k(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// An amount given in millions of dollars, written as a wire would:
/// `$4.5 million`, `$320 million`, `$2.4 billion`.
fn usd_m(m: f64) -> String {
    if m >= 1000.0 {
        format!("${:.1} billion", m / 1000.0)
    } else if m >= 10.0 {
        format!("${m:.0} million")
    } else {
        format!("${m:.1} million")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;

    #[test]
    fn same_seed_same_corpus_and_seeds_differ() {
        assert_eq!(generate(11, 10), generate(11, 10));
        let a: Vec<String> = generate(11, 10).into_iter().map(|h| h.text).collect();
        let b: Vec<String> = generate(12, 10).into_iter().map(|h| h.text).collect();
        assert_ne!(a, b);
        assert_eq!(a.len(), families().len() * 10);
    }

    #[test]
    fn family_names_are_unique_and_sizes_are_in_range() {
        let names: HashSet<&str> = families().iter().map(|f| f.name).collect();
        assert_eq!(names.len(), families().len());
        let normal = families().iter().filter(|f| f.label == FamilyLabel::Normal).count();
        let anomalous = families().len() - normal;
        assert!((40..=60).contains(&normal), "{normal} normal families");
        assert!((15..=25).contains(&anomalous), "{anomalous} anomalous families");
        // Normal first, then anomalous.
        let first_anomalous = families().iter().position(|f| f.label != FamilyLabel::Normal).unwrap();
        assert!(families()[first_anomalous..].iter().all(|f| f.label != FamilyLabel::Normal));
        let topics = |normal: bool| {
            families()
                .iter()
                .filter(|f| (f.label == FamilyLabel::Normal) == normal)
                .map(|f| f.topic)
                .collect::<HashSet<_>>()
        };
        assert!(topics(true).len() >= 12);
        assert!(topics(false).len() >= 6);
        assert!(topics(true).is_disjoint(&topics(false)));
    }

    #[test]
    fn every_family_is_varied() {
        for f in families() {
            let mut rng = SimRng::new(3, 9);
            let texts: HashSet<String> = (0..50).map(|_| (f.generate)(&mut rng)).collect();
            assert!(texts.len() >= 20, "{}: only {} distinct texts of 50", f.name, texts.len());
        }
    }

    #[test]
    fn texts_are_single_lines_of_sane_length() {
        for h in generate(5, 40) {
            assert!(!h.text.trim().is_empty(), "{}: empty", h.family);
            assert!(!h.text.contains('\n') && !h.text.contains('\r'), "{}: {:?}", h.family, h.text);
            assert!(h.text.chars().count() <= 400, "{}: {} chars", h.family, h.text.chars().count());
            assert!(!h.text.contains("{}") && !h.text.contains("  "), "{}: {:?}", h.family, h.text);
            if !h.is_anomalous() {
                let words = h.text.split_whitespace().count();
                assert!((5..=30).contains(&words), "{}: {words} words: {}", h.family, h.text);
            }
        }
    }

    #[test]
    fn split_is_disjoint_and_covers_topics_and_types() {
        let (fit, held) = split_families();
        assert_eq!(fit.len() + held.len(), families().len());
        let fit_names: HashSet<&str> = fit.iter().map(|f| f.name).collect();
        assert!(held.iter().all(|f| !fit_names.contains(f.name)));
        let mut sizes: BTreeMap<&str, usize> = BTreeMap::new();
        for f in families() {
            *sizes.entry(f.topic).or_default() += 1;
        }
        for (topic, n) in sizes {
            let in_fit = fit.iter().any(|f| f.topic == topic);
            let in_held = held.iter().any(|f| f.topic == topic);
            assert!(in_fit, "{topic} missing from fit");
            assert_eq!(in_held, n >= 2, "{topic}");
            if n >= 2 {
                assert_eq!(held.iter().filter(|f| f.topic == topic).count(), 1);
                let last = families().iter().filter(|f| f.topic == topic).map(|f| f.name).max().unwrap();
                assert!(held.iter().any(|f| f.name == last));
            }
        }
        for kind in [AnomalyType::PumpSpam, AnomalyType::FakeInsider, AnomalyType::PromptInjection] {
            assert!(held.iter().any(|f| f.label == FamilyLabel::Anomalous(kind)), "{kind:?} never held out");
            assert!(fit.iter().any(|f| f.label == FamilyLabel::Anomalous(kind)), "{kind:?} never in fit");
        }
        assert_eq!(
            split_families().1.iter().map(|f| f.name).collect::<Vec<_>>(),
            held.iter().map(|f| f.name).collect::<Vec<_>>()
        );
    }

    #[test]
    fn hard_negatives_are_normal() {
        for name in [
            "takeover_premium",
            "fda_approval_surge",
            "guidance_plunge",
            "executive_arrest",
            "sec_fraud_charges",
            "bankruptcy_filing",
            "ipo_debut_surge",
            "retail_frenzy_report",
        ] {
            let f = families().iter().find(|f| f.name == name).expect(name);
            assert_eq!(f.label, FamilyLabel::Normal, "{name}");
            assert_eq!(f.topic, "shock_news");
        }
        let hard: Vec<CorpusHeadline> =
            generate(1, 30).into_iter().filter(|h| h.family == "takeover_premium").collect();
        assert!(hard.iter().any(|h| h.text.contains("premium")));
        assert!(hard.iter().all(|h| !h.is_anomalous()));
    }

    /// Lower-case words of a line, punctuation stripped.
    fn words(line: &str) -> HashSet<String> {
        line.to_lowercase()
            .split(|c: char| c.is_whitespace() || ",.:;!?()[]{}<>|\"'".contains(c))
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// No single word gives an anomalous family away: no word is in more than
    /// 60 % of a family's lines while being rare (< 3 %) in every other
    /// family's. (The old generator put "premium" in every fake-insider line.)
    #[test]
    fn no_token_identifies_an_anomalous_family() {
        let n = 200;
        let per_family: Vec<(&Family, Vec<HashSet<String>>)> = families()
            .iter()
            .map(|f| {
                let mut rng = SimRng::new(8, 1);
                (f, (0..n).map(|_| words(&(f.generate)(&mut rng))).collect())
            })
            .collect();
        let mut bad = Vec::new();
        for (f, lines) in per_family.iter().filter(|(f, _)| f.label != FamilyLabel::Normal) {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for w in lines.iter().flatten() {
                *counts.entry(w.as_str()).or_default() += 1;
            }
            let others: Vec<&HashSet<String>> =
                per_family.iter().filter(|(g, _)| g.name != f.name).flat_map(|(_, l)| l).collect();
            for (w, k) in counts.into_iter().filter(|&(_, k)| k * 10 > n * 6) {
                let elsewhere = others.iter().filter(|l| l.contains(w)).count();
                if elsewhere * 100 < others.len() * 3 {
                    bad.push(format!(
                        "{}: {w:?} in {k} of {n} lines, {elsewhere} of {} elsewhere",
                        f.name,
                        others.len()
                    ));
                }
            }
        }
        assert!(bad.is_empty(), "{bad:#?}");
    }

    #[test]
    fn helpers_format_like_wires() {
        assert_eq!(int_k(1_234_567), "1,234,567");
        assert_eq!(int_k(999), "999");
        assert_eq!(usd_m(4.52), "$4.5 million");
        assert_eq!(usd_m(320.4), "$320 million");
        assert_eq!(usd_m(2400.0), "$2.4 billion");
        assert_eq!(round_sig(7_026, 2), "7000".parse::<usize>().unwrap());
        assert_eq!(round_sig(1_644_265, 2), 1_600_000);
        assert_eq!(round_sig(42, 2), 42);
        assert_eq!(
            tidy("the UK's FCA fines Veridian Analytics's unit".into()),
            "The UK's FCA fines Veridian Analytics' unit"
        );
    }
}
