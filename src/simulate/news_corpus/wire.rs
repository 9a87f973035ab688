//! The simulator's news wire: headlines of the corpus families, rewritten
//! to name the simulated company.
//!
//! The simulator ([`crate::simulate::SimulatedMarket`]) publishes an
//! earnings headline when an earnings surge starts, a routine corporate
//! headline now and then, a pump call before a pump-and-dump, a fake insider
//! tip, and market-wide macro news. They are drawn from the families of the
//! corpus's **fit** half ([`super::split_families`]): the simulated wire
//! writes in the house styles a text detector fitted on the corpus knows,
//! as a surveillance desk fits its detector on its own feed's history. How
//! well that detector does on ways of writing it has never seen is measured
//! on the held-out families (example 02), not here.

use super::names::{COMPANIES, Company, MICRO_CAPS};
use super::{FAMILIES, Family, FamilyLabel, split_families};
use crate::alert::AnomalyType;
use crate::simulate::rng::SimRng;

/// Normal families a routine corporate headline is drawn from (those of
/// the fit half).
const ROUTINE: &[&str] = &[
    "buyback",
    "management_appointment",
    "guidance_raise",
    "analyst_price_target",
    "analyst_initiation",
    "product_launch",
    "plant_opening",
    "filing_periodic",
];

/// Draws this many times at most for a headline that names one company.
const TRIES: usize = 64;

/// An earnings headline about `name` (`ticker`): a beat or a miss.
pub(crate) fn earnings(rng: &mut SimRng, name: &str, ticker: &str, beat: bool) -> String {
    let family = if beat { "earnings_beat" } else { "earnings_miss" };
    about(rng, &[family], name, ticker)
}

/// A routine corporate headline about `name`: a dividend, a buyback, a
/// buyback, an appointment, guidance, a rating, a product, a plant, a filing.
pub(crate) fn routine(rng: &mut SimRng, name: &str, ticker: &str) -> String {
    about(rng, ROUTINE, name, ticker)
}

/// A pump call, cashtag spam or shilling post about `ticker`.
pub(crate) fn pump_spam(rng: &mut SimRng, name: &str, ticker: &str) -> String {
    about(rng, &of_kind(AnomalyType::PumpSpam), name, ticker)
}

/// An unsourced insider tip or fake release about `name`.
pub(crate) fn fake_insider(rng: &mut SimRng, name: &str, ticker: &str) -> String {
    about(rng, &of_kind(AnomalyType::FakeInsider), name, ticker)
}

/// A market-wide macro headline (data, central banks, rates, commodities).
pub(crate) fn macro_news(rng: &mut SimRng) -> String {
    let (fit, _) = split_families();
    let pool: Vec<&Family> = fit.into_iter().filter(|f| f.topic == "macro").collect();
    (rng.pick(&pool).generate)(rng)
}

/// Names of the fit-half families of `kind`.
fn of_kind(kind: AnomalyType) -> Vec<&'static str> {
    let (fit, _) = split_families();
    fit.into_iter().filter(|f| f.label == FamilyLabel::Anomalous(kind)).map(|f| f.name).collect()
}

/// A headline of one of `families` (fit-half names) about `name`/`ticker`:
/// drawn until it names exactly one corpus company, which is then replaced
/// (full name, short name, capitalised short name, ticker). A family that
/// never names one company in [`TRIES`] draws is a bug of the pool.
fn about(rng: &mut SimRng, families: &[&str], name: &str, ticker: &str) -> String {
    let (fit, _) = split_families();
    let pool: Vec<&Family> =
        FAMILIES.iter().filter(|f| families.contains(&f.name) && fit.iter().any(|g| g.name == f.name)).collect();
    assert!(!pool.is_empty(), "no fit-half family among {families:?}");
    for _ in 0..TRIES {
        let family = rng.pick(&pool);
        let text = (family.generate)(rng);
        if let Some(rewritten) = retarget(&text, name, ticker) {
            return rewritten;
        }
    }
    panic!("the families {families:?} never named a single company in {TRIES} draws")
}

/// `text` about `name` instead of the one corpus company it names; `None`
/// when it names none or several.
fn retarget(text: &str, name: &str, ticker: &str) -> Option<String> {
    let named: Vec<&Company> = COMPANIES
        .iter()
        .chain(MICRO_CAPS)
        .filter(|c| text.contains(c.short) || text.contains(c.ticker) || text.contains(&c.short.to_uppercase()))
        .collect();
    let [company] = named.as_slice() else { return None };
    let short = name.split_whitespace().next().unwrap_or(name);
    let out = text
        .replace(company.name, name)
        .replace(company.short, short)
        .replace(&company.short.to_uppercase(), &short.to_uppercase())
        .replace(company.ticker, ticker);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pool_is_in_the_fit_half_and_names_the_company() {
        let (fit, _) = split_families();
        for name in ROUTINE {
            assert!(fit.iter().any(|f| f.name == *name), "{name} is not a fit-half family");
        }
        let mut rng = SimRng::new(5, 9);
        for _ in 0..40 {
            for text in [
                earnings(&mut rng, "Zephyr Widgets", "ZPHW", true),
                earnings(&mut rng, "Zephyr Widgets", "ZPHW", false),
                routine(&mut rng, "Zephyr Widgets", "ZPHW"),
                fake_insider(&mut rng, "Zephyr Widgets", "ZPHW"),
            ] {
                assert!(text.to_lowercase().contains("zephyr") || text.contains("ZPHW"), "{text}");
                assert!(!COMPANIES.iter().any(|c| text.contains(c.name)), "{text}");
            }
            let spam = pump_spam(&mut rng, "Zephyr Widgets", "ZPHW");
            assert!(spam.contains("ZPHW") || spam.to_lowercase().contains("zephyr"), "{spam}");
            assert!(!macro_news(&mut rng).is_empty());
        }
    }

    #[test]
    fn retargeting_refuses_a_headline_about_two_companies() {
        let two = format!("{} to buy {}", COMPANIES[0].name, COMPANIES[1].name);
        assert_eq!(retarget(&two, "Zephyr Widgets", "ZPHW"), None);
        assert_eq!(retarget("Oil slips as inventories build", "Zephyr Widgets", "ZPHW"), None);
        let one = format!("*{} 3Q ADJ EPS $1.42 ({})", COMPANIES[0].short.to_uppercase(), COMPANIES[0].ticker);
        assert_eq!(retarget(&one, "Zephyr Widgets", "ZPHW").unwrap(), "*ZEPHYR 3Q ADJ EPS $1.42 (ZPHW)");
    }
}
