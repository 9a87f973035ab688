//! Headline templates: ordinary news and the semantic anomalies.

use super::rng::SimRng;

/// An ordinary earnings headline; `beat` says which way.
pub fn earnings(rng: &mut SimRng, name: &str, beat: bool) -> String {
    let q = rng.int(1, 4);
    let eps = rng.range(0.4, 3.5);
    let templates_beat = [
        format!("{name} Q{q} earnings beat estimates: EPS ${eps:.2} vs ${:.2} expected", eps * 0.9),
        format!("{name} reports Q{q} revenue above consensus, raises full-year outlook"),
    ];
    let templates_miss = [
        format!("{name} Q{q} earnings miss: EPS ${eps:.2} vs ${:.2} expected", eps * 1.12),
        format!("{name} reports weaker Q{q} sales, cuts full-year outlook"),
    ];
    let pool = if beat { &templates_beat } else { &templates_miss };
    rng.pick(pool).clone()
}

/// A routine corporate headline (dividend, guidance, management).
pub fn routine(rng: &mut SimRng, name: &str) -> String {
    let d = rng.range(0.1, 1.2);
    let pool = [
        format!("{name} declares quarterly dividend of ${d:.2} per share"),
        format!("{name} reaffirms full-year guidance at investor day"),
        format!("{name} appoints new chief financial officer"),
        format!("{name} announces ${:.0} million share buyback", d * 500.0),
        format!("{name} opens new distribution centre, expects modest cost savings"),
    ];
    rng.pick(&pool).clone()
}

/// A market-wide macro headline.
pub fn macro_news(rng: &mut SimRng) -> String {
    let pool = [
        "Fed holds rates steady, signals patience on cuts",
        "US CPI rises 0.2% month on month, in line with forecasts",
        "Payrolls grow by 180,000; unemployment rate unchanged",
        "ECB leaves deposit rate unchanged as expected",
        "Oil prices slip as inventories build",
        "Treasury yields edge higher ahead of bond auction",
    ];
    rng.pick(&pool).to_string()
}

/// Pump spam: promotional hype with urgency and promises.
pub fn pump_spam(rng: &mut SimRng, ticker: &str) -> String {
    let pct = rng.int(3, 20) * 100;
    let pool = [
        format!(
            "🚀🚀 ${ticker} is about to EXPLODE!!! {pct}% guaranteed, insiders loading up, BUY NOW before it's too late!!!"
        ),
        format!("${ticker} TO THE MOON 🌕 next 100x gem, whales accumulating, don't miss out!!! {pct}% incoming"),
        format!("URGENT: ${ticker} breakout confirmed, secret catalyst tonight, easy {pct}% — get in NOW 🚀"),
    ];
    rng.pick(&pool).clone()
}

/// An unsourced "insider" takeover claim.
pub fn fake_insider(rng: &mut SimRng, name: &str) -> String {
    let premium = rng.int(40, 90);
    let pool = [
        format!("Insider source: {name} to be acquired at {premium}% premium, deal announced tonight — not public yet"),
        format!("Heard from a friend at the bank: {name} buyout at {premium}% premium is done, filing Monday"),
    ];
    rng.pick(&pool).clone()
}
