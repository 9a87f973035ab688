//! Normal families: what newswires, exchanges' feeds and company press
//! offices publish. Several house styles are mixed on purpose: agency
//! sentences ("X quarterly profit beats estimates"), terminal flashes in
//! capitals ("*X 3Q ADJ EPS $1.42, EST. $1.31"), press-release title case
//! ("X Reports Third Quarter 2025 Results") and market-story phrasing
//! ("X shares slide 8% after ..."). The `shock_news` families are the hard
//! negatives: big moves and alarming events, worded as news.

use super::names::{self, Company, Sector};
use super::{Quarter, date, int_k, log_range, month, one, record_and_payable, round_sig, usd_m, weekday, year};
use crate::simulate::rng::SimRng;

/// Bullish/neutral rating pairs: (new, old) for upgrades.
const UPGRADES: &[(&str, &str)] = &[
    ("Buy", "Hold"),
    ("Overweight", "Equal Weight"),
    ("Outperform", "Market Perform"),
    ("Outperform", "Neutral"),
    ("Buy", "Neutral"),
    ("Hold", "Sell"),
    ("Neutral", "Underweight"),
];

const RATINGS: &[&str] = &["Buy", "Overweight", "Outperform", "Neutral", "Equal Weight", "Hold", "Underweight", "Sell"];

fn upper(s: &str) -> String {
    s.to_uppercase()
}

// ---------------------------------------------------------------- earnings

pub(super) fn earnings_beat(r: &mut SimRng) -> String {
    let c = names::company(r);
    let q = Quarter::new(r);
    let eps = r.range(0.25, 4.8);
    let est = eps * r.range(0.82, 0.97);
    let rev = r.range(0.4, 28.0);
    let growth = r.range(2.0, 31.0);
    match r.int(0, 8) {
        7 => format!("{} tops estimates, shares climb", c.short),
        8 => format!(
            "UPDATE 2-{} quarterly profit beats estimates as {} offsets {}; company raises full-year forecast and expands buyback by {}",
            c.name,
            one(r, names::TAILWINDS),
            one(r, names::HEADWINDS),
            usd_m(r.range(100.0, 5000.0))
        ),
        0 => format!("{} {} profit beats estimates on {}", c.name, q.word(), one(r, names::TAILWINDS)),
        1 => format!("*{} {} ADJ EPS ${eps:.2}, EST. ${est:.2}", upper(c.short), q.dj()),
        2 => format!("{} Reports {} {} Results; Revenue Up {growth:.0}% Year Over Year", c.name, q.title(), q.year),
        3 => format!(
            "{} shares rise {:.1}% after quarterly results top Wall Street forecasts",
            c.short,
            r.range(1.5, 12.0)
        ),
        4 => format!(
            "{} posts {} EPS of ${eps:.2} vs. ${est:.2} consensus; revenue ${rev:.2}B vs. ${:.2}B",
            c.name,
            q.q(),
            rev * r.range(0.93, 0.99)
        ),
        5 => format!("{} beats on top and bottom lines, credits {}", c.short, one(r, names::TAILWINDS)),
        _ => format!(
            "{} {} adjusted earnings of ${eps:.2} a share top the ${est:.2} analysts had expected; sales rise {growth:.0}%",
            c.name,
            q.word()
        ),
    }
}

pub(super) fn earnings_miss(r: &mut SimRng) -> String {
    let c = names::company(r);
    let q = Quarter::new(r);
    let est = r.range(0.3, 4.5);
    let eps = est * r.range(0.6, 0.95);
    let revest = r.range(0.5, 25.0);
    match r.int(0, 7) {
        6 => format!("{} misses; shares drop {:.0}%", c.short, r.range(3.0, 15.0)),
        7 => format!(
            "{} reported {} adjusted earnings of ${eps:.2} a share on {}, short of the ${est:.2} expected, as {} hit sales in its largest division",
            c.name,
            q.word(),
            weekday(r),
            one(r, names::HEADWINDS)
        ),
        0 => format!("{} {} earnings fall short of estimates, hurt by {}", c.name, q.word(), one(r, names::HEADWINDS)),
        1 => format!("*{} {} ADJ EPS ${eps:.2}, EST. ${est:.2}", upper(c.short), q.dj()),
        2 => format!("{} shares slide {:.1}% after revenue miss", c.short, r.range(2.0, 14.0)),
        3 => format!("{} misses {} profit forecasts; {} weighs on margins", c.name, q.q(), one(r, names::HEADWINDS)),
        4 => format!(
            "{} {} revenue of ${:.2} billion trails the ${revest:.2} billion consensus",
            c.name,
            q.word(),
            revest * r.range(0.88, 0.98)
        ),
        _ => format!("{} swings to {} loss of {}, wider than expected", c.name, q.word(), usd_m(r.range(12.0, 900.0))),
    }
}

pub(super) fn earnings_in_line(r: &mut SimRng) -> String {
    let c = names::company(r);
    let q = Quarter::new(r);
    let eps = r.range(0.2, 4.0);
    match r.int(0, 5) {
        0 => format!("{} {} results in line with expectations", c.name, q.word()),
        1 => format!("{} posts {} EPS of ${eps:.2}, matching consensus", c.name, q.q()),
        2 => format!("{} revenue roughly flat at ${:.1} billion, in line with forecasts", c.short, r.range(0.5, 30.0)),
        3 => format!(
            "{} reports {} revenue up {:.0}%, in line with analyst estimates; margins steady",
            c.name,
            q.q(),
            r.range(1.0, 9.0)
        ),
        4 => format!("{} meets estimates, keeps {} outlook unchanged", c.short, year(r)),
        _ => format!("*{} {} EPS ${eps:.2}, EST. ${eps:.2}", upper(c.short), q.dj()),
    }
}

pub(super) fn earnings_preannouncement(r: &mut SimRng) -> String {
    let c = names::company(r);
    let q = Quarter::new(r);
    let lo = r.range(0.5, 20.0);
    let hi = lo * r.range(1.02, 1.08);
    let eps = r.range(0.2, 3.5);
    match r.int(0, 4) {
        0 => format!(
            "{} expects {} revenue of ${lo:.2} billion to ${hi:.2} billion, above prior view, in preliminary results",
            c.name,
            q.word()
        ),
        1 => format!("{} warns {} sales will miss forecasts, citing {}", c.name, q.word(), one(r, names::HEADWINDS)),
        2 => format!("{} issues preliminary {} results ahead of investor conference", c.name, q.q()),
        3 => format!(
            "{} sees {} EPS of about ${eps:.2}, below the ${:.2} consensus, in preliminary update",
            c.short,
            q.q(),
            eps * r.range(1.08, 1.3)
        ),
        _ => format!(
            "{} pre-announces {} revenue growth of {:.0}%; full results due {}",
            c.name,
            q.q(),
            r.range(3.0, 25.0),
            date(r)
        ),
    }
}

// ---------------------------------------------------------------- guidance

pub(super) fn guidance_raise(r: &mut SimRng) -> String {
    let c = names::company(r);
    let y = year(r);
    let lo = r.range(1.0, 40.0);
    let hi = lo * r.range(1.02, 1.06);
    let e = r.range(1.0, 9.0);
    match r.int(0, 5) {
        0 => format!("{} raises full-year {y} revenue forecast to ${lo:.1} billion-${hi:.1} billion", c.name),
        1 => format!("{} lifts annual profit outlook after strong {}", c.name, Quarter::new(r).noun()),
        2 => format!("*{} RAISES {y} ADJ EPS VIEW TO ${e:.2}-${:.2}", upper(c.short), e * 1.04),
        3 => {
            let g = r.int(3, 14);
            format!("{} boosts guidance, now sees {y} sales growth of {g}% to {}%", c.short, g + r.int(1, 3))
        }
        4 => format!("{} ups fiscal {y} outlook on {}", c.name, one(r, names::TAILWINDS)),
        _ => {
            let eb = r.int(12, 95) * 10;
            format!(
                "{} Raises {y} Guidance; Now Expects Adjusted EBITDA of ${} Million to ${} Million",
                c.name,
                int_k(eb),
                int_k(eb + r.int(2, 8) * 10)
            )
        }
    }
}

pub(super) fn guidance_cut(r: &mut SimRng) -> String {
    let c = names::company(r);
    let y = year(r);
    let e = r.range(0.8, 8.0);
    let cut = r.range(0.8, 0.95);
    match r.int(0, 7) {
        6 => format!("{} cuts outlook; shares fall {:.0}%", c.short, r.range(4.0, 15.0)),
        7 => format!(
            "{} lowered its {y} forecast on {}, saying {} and {} would weigh on results for the rest of the year",
            c.name,
            weekday(r),
            one(r, names::HEADWINDS),
            one(r, names::HEADWINDS)
        ),
        0 => format!("{} cuts full-year guidance, citing {}", c.name, one(r, names::HEADWINDS)),
        1 => format!(
            "{} lowers {y} earnings forecast to ${:.2}-${:.2} a share from ${e:.2}-${:.2}",
            c.name,
            e * cut,
            e * cut * 1.04,
            e * 1.04
        ),
        2 => format!("*{} CUTS {y} REV FORECAST; SEES ${:.1}B-${:.1}B", upper(c.short), e * 3.0 * cut, e * 3.1 * cut),
        3 => format!("{} trims annual sales outlook on {}", c.short, one(r, names::HEADWINDS)),
        4 => format!(
            "{} withdraws full-year guidance amid {}",
            c.name,
            one(r, &["tariff uncertainty", "a pending strategic review", "volatile demand", "a labour dispute"])
        ),
        _ => format!(
            "{} now expects {y} revenue to decline {:.0}%, versus earlier call for growth",
            c.name,
            r.range(1.0, 9.0)
        ),
    }
}

pub(super) fn guidance_reaffirm(r: &mut SimRng) -> String {
    let c = names::company(r);
    let y = year(r);
    let e = r.range(0.8, 8.0);
    match r.int(0, 4) {
        0 => format!("{} reaffirms {y} outlook at investor day", c.name),
        1 => format!("{} reiterates full-year guidance of ${e:.2} to ${:.2} per share", c.name, e * 1.05),
        2 => format!("{} maintains annual forecast despite {}", c.short, one(r, names::HEADWINDS)),
        3 => format!("{} confirms fiscal {y} targets, sees revenue growth of {:.0}%", c.name, r.range(2.0, 12.0)),
        _ => format!("{} backs guidance, says {} trends tracking expectations", c.name, Quarter::new(r).word()),
    }
}

// ---------------------------------------------------------------- analysts

pub(super) fn analyst_upgrade(r: &mut SimRng) -> String {
    let c = names::company(r);
    let f = one(r, names::ANALYST_FIRMS);
    let (to, from) = *r.pick(UPGRADES);
    let pt = r.int(12, 420);
    match r.int(0, 5) {
        5 => format!("{} upgraded to {to} at {f}", c.short),
        0 => format!("{f} upgrades {} to {to} from {from}, price target ${pt}", c.name),
        1 => format!("{} upgraded to {to} at {f}; PT raised to ${pt} from ${}", c.short, pt * r.int(70, 92) / 100),
        2 => format!("{} shares gain {:.1}% after {f} upgrade", c.name, r.range(1.0, 7.0)),
        3 => format!("*{} RAISED TO {} AT {}", upper(c.short), upper(to), upper(f)),
        _ => format!("{f} turns more positive on {}, citing {}", c.name, one(r, names::TAILWINDS)),
    }
}

pub(super) fn analyst_downgrade(r: &mut SimRng) -> String {
    let c = names::company(r);
    let f = one(r, names::ANALYST_FIRMS);
    let (from, to) = *r.pick(UPGRADES);
    let pt = r.int(10, 380);
    match r.int(0, 4) {
        0 => format!("{f} downgrades {} to {to} from {from} on valuation", c.name),
        1 => format!("{} cut to {to} at {f}; target lowered to ${pt} from ${}", c.short, pt * r.int(110, 135) / 100),
        2 => format!(
            "{} shares fall {:.1}% after {f} downgrade, citing {}",
            c.name,
            r.range(1.0, 8.0),
            one(r, names::HEADWINDS)
        ),
        3 => format!("*{} CUT TO {} AT {}", upper(c.short), upper(to), upper(f)),
        _ => format!("{f} moves to the sidelines on {} after strong run", c.name),
    }
}

pub(super) fn analyst_initiation(r: &mut SimRng) -> String {
    let c = names::company(r);
    let f = one(r, names::ANALYST_FIRMS);
    let rating = one(r, RATINGS);
    let pt = r.int(10, 400);
    match r.int(0, 4) {
        0 => format!("{f} initiates coverage of {} with {rating} rating, ${pt} target", c.name),
        1 => format!("{} coverage started at {f} with {rating}", c.name),
        2 => format!("{f} begins coverage on {}, sees {}% upside", c.short, r.int(5, 45)),
        3 => format!("{f} starts {} at {rating}, says valuation already reflects {}", c.name, one(r, names::TAILWINDS)),
        _ => format!("*{} INITIATED AT {} AT {}; PT ${pt}", upper(c.short), upper(rating), upper(f)),
    }
}

pub(super) fn analyst_price_target(r: &mut SimRng) -> String {
    let c = names::company(r);
    let f = one(r, names::ANALYST_FIRMS);
    let rating = one(r, RATINGS);
    let pt = r.int(10, 400);
    let old = pt * r.int(75, 125) / 100;
    match r.int(0, 4) {
        0 => format!("{f} raises {} price target to ${pt} from ${old}, keeps {rating}", c.name),
        1 => format!("{f} cuts {} target to ${pt} from ${old}; rating {rating}", c.short,),
        2 => format!("{} price target lifted to ${pt} at {f}", c.name),
        3 => format!("{f} trims price target on {} to ${pt} ahead of earnings", c.name),
        _ => format!("{} PT changed to ${pt} from ${old} at {f}", c.ticker),
    }
}

// ---------------------------------------------------------------- M&A

pub(super) fn deal_definitive_agreement(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let bn = r.range(0.3, 45.0);
    let px = r.range(8.0, 180.0);
    match r.int(0, 6) {
        6 => format!(
            "{} said on {} it would buy {} for about ${bn:.1} billion in cash and stock, in a deal expected to close by late {}",
            a.name,
            weekday(r),
            t.name,
            year(r)
        ),
        0 => format!("{} to acquire {} in ${bn:.1} billion all-stock deal", a.name, t.name),
        1 => format!(
            "{} and {} sign definitive agreement to merge; combined company to keep {} name",
            a.name, t.name, a.short
        ),
        2 => format!(
            "{} agrees to buy {}'s {} business for {}",
            a.name,
            t.name,
            one(
                r,
                &[
                    "software",
                    "specialty chemicals",
                    "European",
                    "consumer lending",
                    "aftermarket parts",
                    "data-centre"
                ]
            ),
            usd_m(bn * 300.0)
        ),
        3 => format!("{} to Acquire {} for ${px:.2} Per Share in Cash", a.name, t.name),
        4 => format!("{} completes acquisition of {}", a.name, t.name),
        _ => format!(
            "{} to buy {} for ${bn:.1} billion including debt; deal expected to close in {} {}",
            a.short,
            t.name,
            one(r, &["the first half of", "the second half of", "early", "late"]),
            year(r)
        ),
    }
}

pub(super) fn deal_sourced_talks(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let outlet = one(r, &["Bloomberg News", "Reuters", "the Financial Times", "The Wall Street Journal"]);
    match r.int(0, 5) {
        0 => format!("{} in talks to acquire {}, people familiar with the matter said", a.name, t.name),
        1 => format!(
            "{} is exploring a sale of its {} unit, according to people familiar with the matter",
            a.name,
            one(r, &["logistics", "insurance", "consumer", "chemicals", "payments"])
        ),
        2 => format!("{} draws takeover interest from {}, sources say", t.name, a.name),
        3 => format!("{} weighs bid for {}, people with knowledge of the matter say", a.name, t.name),
        4 => format!("{} hires advisers to explore strategic options including a sale, {outlet} reports", t.name),
        _ => format!("{} said to near deal for {} valued at about ${:.0} billion", a.name, t.name, r.range(1.0, 30.0)),
    }
}

pub(super) fn deal_tender_offer(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let px = r.range(6.0, 150.0);
    match r.int(0, 4) {
        0 => {
            format!("{} commences tender offer for all outstanding shares of {} at ${px:.2} per share", a.name, t.name)
        }
        1 => format!("{} extends tender offer for {} to {}", a.name, t.name, date(r)),
        2 => format!("{} launches hostile ${px:.0}-a-share tender offer for {}", a.name, t.name),
        3 => format!("{} board recommends shareholders tender their shares to {}", t.name, a.name),
        _ => format!(
            "{} says {:.1}% of {} shares tendered; offer expires {}",
            a.name,
            r.range(35.0, 92.0),
            t.short,
            date(r)
        ),
    }
}

pub(super) fn deal_regulatory_approval(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let reg = one(r, names::ANTITRUST);
    match r.int(0, 4) {
        0 => format!("{reg} clears {}'s ${:.1} billion purchase of {}", a.name, r.range(0.5, 40.0), t.name),
        1 => format!("{}'s acquisition of {} wins EU approval with conditions", a.name, t.name),
        2 => format!("{} shareholders approve merger with {}", t.name, a.name),
        3 => {
            format!("{} receives all regulatory approvals for {} deal, expects closing on {}", a.name, t.short, date(r))
        }
        _ => format!("HSR waiting period expires for {}'s proposed acquisition of {}", a.name, t.name),
    }
}

pub(super) fn deal_terminated(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let reg = one(r, names::ANTITRUST);
    match r.int(0, 4) {
        0 => format!("{} and {} terminate merger agreement after regulatory pushback", a.name, t.name),
        1 => format!(
            "{} walks away from ${:.1} billion {} deal, will pay {} break fee",
            a.name,
            r.range(1.0, 30.0),
            t.short,
            usd_m(r.range(40.0, 900.0))
        ),
        2 => format!("{} rejects {}'s unsolicited offer as undervaluing the company", t.name, a.name),
        3 => format!("{} abandons bid for {} after challenge from {reg}", a.name, t.name),
        _ => format!("{} ends sale talks with {}, shares fall {:.0}%", t.name, a.name, r.range(3.0, 18.0)),
    }
}

// ---------------------------------------------------------------- filings

pub(super) fn filing_periodic(r: &mut SimRng) -> String {
    let c = names::company(r);
    let q = Quarter::new(r);
    match r.int(0, 5) {
        0 => format!("{} files annual report on Form 10-K for fiscal {}", c.name, q.year),
        1 => format!("{} 10-Q shows cash and equivalents of {} at quarter end", c.name, usd_m(r.range(40.0, 9000.0))),
        2 => format!("{} 8-K: company enters amended ${:.0} billion credit agreement", c.name, r.range(1.0, 6.0)),
        3 => format!("Form 8-K: {} discloses departure of chief accounting officer", c.name),
        4 => format!("{} discloses material weakness in internal controls in 10-K filing", c.name),
        _ => format!("{} {} 10-Q: backlog rises to {}", c.short, q.dj(), usd_m(r.range(200.0, 40000.0))),
    }
}

pub(super) fn filing_stake_13d(r: &mut SimRng) -> String {
    let c = names::company(r);
    let f = one(r, names::FUNDS);
    let p = r.range(5.0, 14.0);
    match r.int(0, 4) {
        0 => format!("{f} discloses {p:.1}% stake in {} in 13D filing, says it may seek board changes", c.name),
        1 => format!("Activist {f} takes {p:.1}% stake in {}", c.name),
        2 => format!("{f} reports {p:.1}% passive stake in {} - SEC filing", c.name),
        3 => format!("{f} raises {} stake to {p:.1}%, filing shows", c.name),
        _ => format!("Schedule 13D/A: {f} cuts holding in {} to {p:.1}%", c.ticker),
    }
}

pub(super) fn filing_ipo_s1(r: &mut SimRng) -> String {
    let (n, t) = *r.pick(names::IPO_CANDIDATES);
    let venue = one(r, &["Nasdaq", "New York Stock Exchange", "NYSE"]);
    let lo = r.int(12, 30);
    match r.int(0, 4) {
        0 => format!("{n} files for U.S. IPO, discloses revenue of {}", usd_m(r.range(60.0, 2500.0))),
        1 => format!("{n} makes S-1 filing public, plans to list on the {venue} under '{t}'"),
        2 => format!("{n} sets IPO terms: {:.1} million shares at ${lo}-${} each", r.range(5.0, 40.0), lo + 2),
        3 => format!("{n} confidentially submits draft registration statement for proposed IPO"),
        _ => format!(
            "{n} prices IPO at ${lo}.00 per share, {}",
            one(r, &["top of range", "bottom of range", "midpoint"])
        ),
    }
}

pub(super) fn filing_late_notice(r: &mut SimRng) -> String {
    let c = names::company(r);
    let issue = one(r, names::ISSUES);
    match r.int(0, 4) {
        0 => format!("{} files notification of late filing for quarterly report on Form 12b-25", c.name),
        1 => format!("{} delays 10-K filing, says review of {issue} is not complete", c.name),
        2 => format!("{} receives Nasdaq notice over delayed quarterly report", c.name),
        3 => format!("{} will not file annual report on time, expects to file within 15-day extension period", c.name),
        _ => format!("{} postpones earnings release and 10-Q pending audit committee review of {issue}", c.short),
    }
}

// ---------------------------------------------------------------- enforcement

pub(super) fn sec_settlement(r: &mut SimRng) -> String {
    let c = names::company(r);
    let m = usd_m(r.range(1.0, 400.0));
    let reg = one(r, names::SECURITIES_REGULATORS);
    let issue = one(r, names::ISSUES);
    match r.int(0, 5) {
        5 => format!(
            "{} agreed to pay {m} to resolve a {reg} investigation into {issue}, the regulator said, without admitting or denying wrongdoing",
            c.name
        ),
        0 => format!("{} to pay {m} to settle SEC charges over {issue}", c.name),
        1 => format!("SEC fines {} {m} for recordkeeping failures", names::company_in(r, Sector::Finance).name),
        2 => format!("{} agrees to {m} settlement with {reg}, neither admits nor denies the findings", c.name),
        3 => format!("{reg} orders {} to pay {m} penalty over {issue}", names::company_in(r, Sector::Finance).name),
        _ => format!("{} resolves Justice Department probe with deferred prosecution agreement, will pay {m}", c.name),
    }
}

pub(super) fn regulatory_probe(r: &mut SimRng) -> String {
    let c = names::company(r);
    let reg = one(r, names::SECURITIES_REGULATORS);
    let issue = one(r, names::ISSUES);
    match r.int(0, 4) {
        0 => format!("{reg} opens investigation into {}'s {issue}", c.name)
            .replace("'s its ", "'s ")
            .replace("s's ", "s' "),
        1 => format!("{} discloses SEC subpoena over {issue}", c.name),
        2 => format!("{} says it is cooperating with {reg} inquiry into {issue}", c.name),
        3 => format!("{reg} probing {} over {issue}, people familiar say", c.name),
        _ => format!("{} receives civil investigative demand from the FTC", c.name),
    }
}

pub(super) fn antitrust_action(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let reg = one(r, names::ANTITRUST);
    let (sector, markets): (Sector, &[&'static str]) = *r.pick(&[
        (Sector::Tech, &["online advertising", "app distribution", "payment terminals", "cloud software"][..]),
        (Sector::Media, &["pay-TV distribution", "sports broadcasting rights", "wireless spectrum"][..]),
        (Sector::Industrial, &["freight brokerage", "rail freight", "industrial gases"][..]),
        (Sector::Consumer, &["grocery retail", "hotel booking", "packaged foods"][..]),
    ]);
    let d = names::company_in(r, sector);
    let market = one(r, markets);
    match r.int(0, 4) {
        0 => format!("{reg} sues to block {}'s acquisition of {}", a.name, t.name),
        1 => format!("EU charges {} with abusing dominance in {market}", d.name),
        2 => format!("Justice Department files antitrust lawsuit against {} over {market} practices", d.name),
        3 => {
            let m = r.int(20, 2400);
            let fine =
                if m >= 1000 { format!("€{:.1} billion", m as f64 / 1000.0) } else { format!("€{m} million") };
            format!("{} fined {fine} by European Commission over {market} cartel", d.name)
        }
        _ => format!("Britain's CMA refers {}-{} deal for in-depth phase 2 review", a.short, t.short),
    }
}

// ---------------------------------------------------------------- macro

pub(super) fn macro_inflation(r: &mut SimRng) -> String {
    let m = month(r);
    let mom = r.int(0, 8) as f64 / 10.0 - 0.2;
    let yoy = r.range(1.6, 4.2);
    let est = mom + (r.int(0, 4) as f64 - 2.0) / 10.0;
    let vs = if mom > est + 0.05 {
        "above"
    } else if mom < est - 0.05 {
        "below"
    } else {
        "in line with"
    };
    let verb = if mom > 0.05 {
        "rises"
    } else if mom < -0.05 {
        "falls"
    } else {
        "is unchanged"
    };
    let by = if verb == "is unchanged" { String::new() } else { format!(" {:.1}%", mom.abs()) };
    match r.int(0, 6) {
        0 => format!("U.S. CPI {verb}{by} in {m}, {vs} expectations; core up {yoy:.1}% year over year"),
        1 => format!("Consumer prices {verb}{by} in {m}, Labor Department says")
            .replace("rises", "rose")
            .replace("falls", "fell"),
        2 => {
            let (v, prep) = *r.pick(&[("eases", "to"), ("accelerates", "to"), ("holds", "at"), ("slows", "to")]);
            format!("Euro zone inflation {v} {prep} {yoy:.1}% in {m}, Eurostat flash estimate shows")
        }
        3 => format!("PCE price index up {yoy:.1}% from a year earlier, {vs} forecasts"),
        4 => format!("U.S. producer prices {verb}{by} in {m}; economists had expected {est:.1}%"),
        5 => format!("UK inflation {} to {yoy:.1}% in {m}, ONS says", one(r, &["falls", "rises", "slows", "climbs"])),
        _ => format!("*US {} CPI {:+.1}% M/M; EST. {:+.1}%", upper(m), mom, est)
            .replace("-0.0", "0.0")
            .replace("+0.0", "0.0"),
    }
}

pub(super) fn macro_jobs(r: &mut SimRng) -> String {
    let m = month(r);
    let n = r.int(0, 360) as i64 - 40;
    let e = r.int(80, 260) as i64;
    let u = r.range(3.4, 4.9);
    match r.int(0, 6) {
        6 => format!("Payrolls beat; jobless rate falls to {u:.1}%"),
        0 => format!("U.S. payrolls rise by {},000 in {m}; unemployment rate at {u:.1}%", n.max(5)),
        1 => format!("Nonfarm payrolls {}{n}K vs {e}K expected", if n >= e { "beat: +" } else { "miss: " }),
        2 => format!(
            "Initial jobless claims {} to {},000 in week ended {}",
            one(r, &["rise", "fall", "edge up", "drop"]),
            r.int(190, 260),
            date(r)
        ),
        3 => format!(
            "JOLTS: job openings {} to {:.2} million in {m}",
            one(r, &["fall", "rise", "slip"]),
            r.range(6.8, 9.5)
        ),
        4 => format!(
            "Average hourly earnings up {:.1}% m/m in {m} as wage growth {}",
            r.range(0.1, 0.5),
            one(r, &["cools", "holds firm", "picks up"])
        ),
        _ => format!("Canada adds {},000 jobs in {m}; jobless rate {u:.1}%", n.clamp(2, 90)),
    }
}

pub(super) fn macro_central_bank(r: &mut SimRng) -> String {
    let lo = 25 * r.int(10, 22) as i64;
    let b = |x: i64| format!("{}.{:02}", x / 100, x % 100);
    let votes = r.int(5, 9);
    let ecb = 25 * r.int(6, 16) as i64;
    match r.int(0, 9) {
        8 => "Fed leaves rates unchanged, as expected".to_string(),
        9 => format!(
            "The Fed held its benchmark rate in a {}%-{}% range on {} and signalled it still expects {} cuts this year, while raising inflation projections",
            b(lo),
            b(lo + 25),
            weekday(r),
            one(r, &["two", "three", "one or two"])
        ),
        0 => format!(
            "Fed holds rates steady at {}%-{}%, signals {}",
            b(lo),
            b(lo + 25),
            one(r, &["patience on cuts", "data dependence", "concern about sticky inflation", "cuts later this year"])
        ),
        1 => format!("Federal Reserve cuts rates by 25 basis points to {}%-{}% range", b(lo - 25), b(lo)),
        2 => match r.int(0, 2) {
            0 => format!("ECB cuts deposit rate by 25 basis points to {}%", b(ecb)),
            1 => format!("ECB leaves deposit rate at {}%, as expected", b(ecb)),
            _ => format!("ECB raises deposit rate to {}%, says more tightening possible", b(ecb)),
        },
        3 => format!("Bank of England holds Bank Rate at {}% in {votes}-{} vote", b(lo), 9 - votes),
        4 => format!(
            "Bank of Japan raises short-term rate to {}%, highest since {}",
            b(25 * r.int(1, 4) as i64),
            r.int(1995, 2008)
        ),
        5 => format!(
            "Fed minutes show officials divided over pace of {}",
            one(r, &["rate cuts", "balance-sheet runoff", "further tightening"])
        ),
        6 => format!(
            "Swiss National Bank {} policy rate to {}%",
            one(r, &["cuts", "lowers", "trims"]),
            b(25 * r.int(0, 6) as i64)
        ),
        _ => format!(
            "{} says policy is well positioned, {}",
            one(r, &["Fed Chair", "A Fed governor", "ECB's chief economist", "BoE deputy governor"]),
            one(
                r,
                &[
                    "no rush to cut",
                    "more easing likely",
                    "inflation fight not over",
                    "labour market cooling gradually"
                ]
            )
        ),
    }
}

pub(super) fn macro_activity(r: &mut SimRng) -> String {
    let m = month(r);
    let pmi = r.range(46.0, 56.0);
    let x = r.range(-0.8, 3.5);
    match r.int(0, 6) {
        0 => format!("U.S. GDP grows at {:.1}% annualized rate in {}", x.abs(), Quarter::new(r).noun()),
        1 => format!("ISM manufacturing PMI {} to {pmi:.1} in {m}", one(r, &["rises", "falls", "edges up", "slips"])),
        2 => format!(
            "China's official manufacturing PMI at {pmi:.1} in {m}, {}",
            if pmi < 50.0 { "signalling contraction" } else { "back in expansion" }
        ),
        3 => {
            let (v, prep) = *r.pick(&[("ticks up", "to"), ("drops", "to"), ("steadies", "at"), ("rises", "to")]);
            format!("Euro zone composite PMI {v} {prep} {pmi:.1} in {m}")
        }
        4 => format!(
            "U.S. retail sales {} {:.1}% in {m}, {} forecasts",
            if x < 0.5 { "dip" } else { "rise" },
            (x / 3.0).abs(),
            one(r, &["beating", "missing", "matching"])
        ),
        5 => format!(
            "Germany's economy {} {:.1}% in {}, Destatis says",
            if x < 1.0 { "shrinks" } else { "grows" },
            (x / 4.0).abs(),
            Quarter::new(r).noun()
        ),
        _ => format!(
            "Housing starts {} {:.1}% in {m} to {:.2} million annualized rate",
            one(r, &["fall", "rise"]),
            r.range(0.5, 12.0),
            r.range(1.1, 1.6)
        ),
    }
}

pub(super) fn macro_rates_fx(r: &mut SimRng) -> String {
    let y = r.range(3.4, 5.1);
    match r.int(0, 6) {
        0 => format!(
            "10-year Treasury yield {} to {y:.2}%, highest since {}",
            one(r, &["climbs", "rises", "jumps"]),
            month(r)
        ),
        1 => format!(
            "Dollar slips against the yen after {}",
            one(r, &["soft jobs data", "dovish Fed remarks", "weak retail sales"])
        ),
        2 => format!("Two-year yields fall {} basis points as traders boost rate-cut bets", r.int(5, 22)),
        3 => format!(
            "Euro {} to ${:.4} after ECB decision",
            one(r, &["rises", "slides", "steadies"]),
            r.range(1.02, 1.18)
        ),
        4 => {
            format!("Yen weakens past {} per dollar, prompting warning from Japan's finance ministry", r.int(148, 162))
        }
        5 => format!(
            "Treasury sells ${} billion of 10-year notes at {y:.3}%, {}",
            r.int(39, 48),
            one(r, &["tailing slightly", "stopping through", "with solid demand"])
        ),
        _ => format!(
            "Sterling hits {}-month high of ${:.4} as UK data beats forecasts",
            r.int(2, 18),
            r.range(1.22, 1.38)
        ),
    }
}

pub(super) fn macro_commodities(r: &mut SimRng) -> String {
    let p = r.range(0.5, 4.5);
    match r.int(0, 7) {
        7 => format!("Oil prices fall {p:.1}% in Asian trade"),
        0 => format!(
            "Oil rises {p:.1}% to ${:.2} a barrel as {}",
            r.range(62.0, 95.0),
            one(
                r,
                &[
                    "supply disruptions mount",
                    "U.S. inventories fall",
                    "OPEC+ signals restraint",
                    "Middle East tensions flare"
                ]
            )
        ),
        1 => format!("Brent crude falls below ${} on demand worries", r.int(60, 90)),
        2 => format!(
            "OPEC+ agrees to {} output cuts of {:.1} million barrels per day",
            one(r, &["extend", "deepen", "gradually unwind"]),
            r.range(0.5, 2.2)
        ),
        3 => format!(
            "Gold hits record ${} an ounce as {}",
            int_k(r.int(2400, 3600)),
            one(r, &["central banks buy", "real yields fall", "haven demand rises"])
        ),
        4 => format!(
            "U.S. crude inventories {} by {:.1} million barrels, EIA says",
            one(r, &["rise", "fall"]),
            r.range(0.5, 8.0)
        ),
        5 => format!("Copper slides {p:.1}% on concerns about Chinese demand"),
        _ => format!("Natural gas futures jump {:.0}% on colder weather forecasts", p * 3.0),
    }
}

// ---------------------------------------------------------------- products

pub(super) fn product_launch(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = names::product(r, c.sector);
    match r.int(0, 5) {
        0 => format!("{} unveils new {p}, available from {}", c.name, month(r)),
        1 => format!("{} launches {p} in {} markets", c.name, r.int(3, 40)),
        2 => {
            let t = names::company_in(r, Sector::Tech);
            format!(
                "{} introduces {} priced at ${}",
                t.short,
                names::product(r, Sector::Tech),
                int_k(r.int(2, 240) * 10 - 1)
            )
        }
        3 => {
            let a = names::company_in(r, Sector::Auto);
            format!(
                "{} unveils {}, with a starting price of ${},000",
                a.name,
                one(r, &["electric pickup", "compact SUV", "hybrid sedan", "electric van"]),
                r.int(26, 90)
            )
        }
        4 => format!("{} debuts {p}; analysts call it an incremental update", c.name),
        _ => format!(
            "{} expands {p} to {}",
            c.name,
            one(r, &["Europe", "Japan", "Latin America", "India", "Canada", "the Middle East"])
        ),
    }
}

pub(super) fn product_recall(r: &mut SimRng) -> String {
    match r.int(0, 5) {
        5 => {
            let c = names::company_in(r, Sector::Auto);
            format!(
                "{} is recalling about {} vehicles in the U.S. because a software error can disable the rearview camera, according to a filing with safety regulators",
                c.name,
                int_k(round_sig(r.int(20_000, 900_000), 2))
            )
        }
        0 => {
            let c = names::company_in(r, Sector::Auto);
            let defect = one(
                r,
                &[
                    "a fire risk",
                    "faulty wiring",
                    "a software defect",
                    "brake issues",
                    "seat-belt faults",
                    "a loss of drive power",
                ],
            );
            format!("{} recalls {} vehicles over {defect}", c.name, int_k(round_sig(r.int(2_000, 900_000), 2)))
        }
        1 => {
            let c = names::company_in(r, Sector::Consumer);
            let item = one(
                r,
                &[
                    "space heaters",
                    "slow cookers",
                    "children's pajamas",
                    "frozen meals",
                    "bottles of iced tea",
                    "camping stoves",
                ],
            );
            let defect = one(
                r,
                &["a fire hazard", "a burn risk", "possible contamination", "undeclared allergens", "a choking hazard"],
            );
            format!(
                "{} recalls {} {item} over {defect}, CPSC says",
                c.name,
                int_k(round_sig(r.int(5_000, 2_000_000), 2))
            )
        }
        2 => {
            let c = names::company_in(r, Sector::Biotech);
            format!(
                "{} expands recall of {} to {} units after reports of {}",
                c.name,
                one(r, &["insulin pens", "infusion pumps", "glucose monitors", "home test kits"]),
                int_k(round_sig(r.int(10_000, 2_000_000), 2)),
                one(r, &["inaccurate readings", "battery failures", "injuries", "software errors"])
            )
        }
        3 => {
            let c = names::company_in(r, Sector::Biotech);
            format!(
                "{} issues voluntary recall of {} lots of {} after {}",
                c.name,
                r.int(2, 40),
                one(r, names::DRUGS),
                one(
                    r,
                    &[
                        "impurity found in testing",
                        "a labelling error",
                        "sterility concerns",
                        "particulate matter found"
                    ]
                )
            )
        }
        _ => {
            let c = names::company_in(r, Sector::Auto);
            let defect = one(r, &["steering failures", "unexpected braking", "battery fires", "airbag inflators"]);
            format!(
                "NHTSA opens probe into {} {} vehicles over {defect}",
                int_k(round_sig(r.int(20_000, 1_500_000), 2)),
                c.short
            )
        }
    }
}

pub(super) fn product_approval(r: &mut SimRng) -> String {
    let c = names::company_in(r, Sector::Biotech);
    let d = one(r, names::DRUGS);
    let ind = one(r, names::INDICATIONS);
    match r.int(0, 5) {
        0 => format!("FDA approves {}'s {d} for {ind}", c.name),
        1 => format!("{} receives FDA 510(k) clearance for {}", c.name, names::product(r, c.sector)),
        2 => format!("EMA committee recommends approval of {}'s {d}", c.name),
        3 => format!("{} wins FDA breakthrough therapy designation for {d} in {ind}", c.name),
        4 => format!("FDA accepts {}'s application for {d}; decision date set for {}", c.name, date(r)),
        _ => format!("{}'s {d} meets primary endpoint in phase 3 {ind} trial", c.name),
    }
}

// ---------------------------------------------------------------- litigation

pub(super) fn litigation_verdict(r: &mut SimRng) -> String {
    let c = names::company(r);
    let m = usd_m(r.range(5.0, 2500.0));
    let case = one(r, &["breach-of-contract", "trade-secrets", "product-liability", "wrongful-termination", "fraud"]);
    let court = one(
        r,
        &[
            "A Delaware jury",
            "A federal jury in Texas",
            "A California state court",
            "A jury in Manhattan federal court",
        ],
    );
    match r.int(0, 4) {
        0 => format!("{court} orders {} to pay {m} in {case} case", c.name),
        1 => format!("{} wins dismissal of {case} lawsuit", c.name),
        2 => format!("Jury finds {} liable in {case} suit, awards {m}", c.name),
        3 => format!("Appeals court overturns {m} verdict against {}", c.name),
        _ => format!("{} to appeal {m} jury verdict in {case} case", c.name),
    }
}

pub(super) fn litigation_class_action(r: &mut SimRng) -> String {
    let c = names::company(r);
    let issue = one(r, names::ISSUES);
    let firm = one(r, names::LAW_FIRMS);
    match r.int(0, 4) {
        0 => format!("{} faces shareholder class action over disclosures about {issue}", c.name),
        1 => format!(
            "{firm} files securities class action against {} ({}); lead plaintiff deadline {}",
            c.name,
            c.ticker,
            date(r)
        ),
        2 => format!("{} agrees to pay {} to settle investor class action", c.name, usd_m(r.range(5.0, 600.0))),
        3 => format!("Judge certifies class in lawsuit accusing {} of misrepresenting {issue}", c.name),
        _ => format!("{} customers sue over data breach in proposed class action", c.name),
    }
}

pub(super) fn litigation_patent(r: &mut SimRng) -> String {
    let (sector, techs): (Sector, &[&'static str]) = *r.pick(&[
        (
            Sector::Tech,
            &["chip packaging", "wireless charging", "video compression", "image sensor", "memory controller"][..],
        ),
        (Sector::Biotech, &["drug delivery", "antibody", "gene-editing", "insulin pump"][..]),
        (Sector::Auto, &["battery", "driver-assistance", "electric motor"][..]),
        (Sector::Media, &["streaming", "5G network", "ad-insertion"][..]),
    ]);
    let (a, b) = names::two_in(r, sector);
    let tech = one(r, techs);
    match r.int(0, 4) {
        0 => format!("{} sues {} for patent infringement over {tech} technology", a.name, b.name),
        1 => format!("ITC rules {} infringed {} patents, issues limited exclusion order", b.name, a.name),
        2 => format!("{} and {} settle patent dispute; terms not disclosed", a.name, b.name),
        3 => format!("Patent board invalidates key claims of {} {tech} patent in dispute with {}", a.name, b.name),
        _ => format!(
            "Jury says {} owes {} {} for infringing {tech} patents",
            b.name,
            a.name,
            usd_m(r.range(10.0, 900.0))
        ),
    }
}

// ---------------------------------------------------------------- crypto

pub(super) fn crypto_exchange_listing(r: &mut SimRng) -> String {
    let ex = one(r, names::EXCHANGES);
    let (tok, sym) = *r.pick(names::TOKENS);
    match r.int(0, 4) {
        0 => format!("{ex} to list {tok} ({sym}), trading opens {}", date(r)),
        1 => format!("{ex} adds {sym} to spot markets with {sym}/USDT and {sym}/USD pairs"),
        2 => format!("{ex} will delist {sym} trading pairs on {}, citing low liquidity", date(r)),
        3 => format!("{tok} jumps {}% after {ex} listing announcement", r.int(8, 60)),
        _ => format!("{ex} launches {sym} perpetual futures with up to {}x leverage", r.pick(&[10, 20, 25, 50])),
    }
}

pub(super) fn crypto_network_upgrade(r: &mut SimRng) -> String {
    let (tok, _) = *r.pick(names::TOKENS);
    let up = one(r, &["Aurora", "Meridian", "Cascade", "Granite", "Zephyr", "Halcyon", "Basalt"]);
    match r.int(0, 4) {
        0 => format!("{tok} completes '{up}' hard fork at block {}", int_k(r.int(1_000_000, 40_000_000))),
        1 => format!("{tok} developers set {} for '{up}' network upgrade", date(r)),
        2 => format!("{tok} '{up}' upgrade goes live on testnet ahead of mainnet activation in {}", month(r)),
        3 => {
            format!("{tok} validators approve governance proposal to cut staking rewards to {:.1}%", r.range(2.0, 7.0))
        }
        _ => format!("{tok} mainnet halted for {} hours after consensus bug; validators restart network", r.int(2, 19)),
    }
}

pub(super) fn crypto_etf_flows(r: &mut SimRng) -> String {
    let m = usd_m(r.int(4, 140) as f64 * 10.0);
    let issuer = one(r, names::ETF_ISSUERS);
    match r.int(0, 4) {
        0 => format!("Spot bitcoin ETFs see {m} of net {} on {}", one(r, &["inflows", "outflows"]), weekday(r)),
        1 => format!(
            "U.S. ether ETFs record {} straight day of outflows, totaling {m}",
            one(r, &["third", "fourth", "fifth", "seventh"])
        ),
        2 => format!("{issuer}'s bitcoin fund takes in {m}, the most since {}", month(r)),
        3 => format!("Digital-asset funds post weekly outflows of {m} as rate-cut hopes fade, {issuer} data shows"),
        _ => format!(
            "SEC approves listing of spot {} ETFs from {} issuers",
            one(r, &["ether", "Solana", "XRP", "Litecoin"]),
            r.int(3, 11)
        ),
    }
}

pub(super) fn crypto_exchange_hack(r: &mut SimRng) -> String {
    let ex = one(r, names::EXCHANGES);
    let m = r.int(3, 600);
    match r.int(0, 4) {
        0 => format!("{ex} says hackers stole ${m} million from hot wallet; withdrawals paused"),
        1 => format!("{ex} suspends deposits after security breach, says customer funds are covered"),
        2 => format!(
            "DeFi protocol {} exploited for ${m} million in flash-loan attack, team says",
            one(r, names::PROTOCOLS)
        ),
        3 => format!(
            "{ex} confirms unauthorized access to {} accounts, will reimburse affected users",
            int_k(r.int(200, 90_000))
        ),
        _ => format!("Blockchain analysts trace ${m} million stolen from {ex} to mixing service"),
    }
}

pub(super) fn crypto_stablecoin_reserves(r: &mut SimRng) -> String {
    let (st, sym) = *r.pick(names::STABLECOINS);
    let bn = r.range(1.0, 140.0);
    match r.int(0, 4) {
        0 => format!("{st} issuer reports ${bn:.1} billion in reserves, {}% in short-term Treasuries", r.int(60, 92)),
        1 => format!("Attestation by {} shows {sym} fully backed as of {}", one(r, names::AUDITORS), date(r)),
        2 => format!("{sym} supply rises to ${bn:.1} billion, monthly transparency report shows"),
        3 => format!("{st} briefly slips to ${:.3} before regaining dollar peg", r.range(0.95, 0.995)),
        _ => format!("{st} publishes quarterly reserve report; cash and repo holdings at ${:.1} billion", bn * 0.3),
    }
}

// ---------------------------------------------------------------- management

pub(super) fn management_appointment(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = names::person(r);
    match r.int(0, 4) {
        0 => format!("{} names {p} chief executive, effective {}", c.name, date(r)),
        1 => format!("{} appoints {p} as chief financial officer", c.name),
        2 => format!("{} Announces Appointment of {p} to Board of Directors", c.name),
        3 => format!("{} promotes {p} to president and chief operating officer", c.name),
        _ => format!("{} taps former {} executive {p} as CEO", c.name, names::company(r).short),
    }
}

pub(super) fn management_departure(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = names::person(r);
    match r.int(0, 4) {
        0 => format!("{} CEO {p} to step down; board begins search for successor", c.name),
        1 => format!("{} CFO {p} resigns to pursue other opportunities", c.name),
        2 => format!("{} says chief technology officer {p} will retire at year end", c.name),
        3 => format!("{} chairman {p} steps down after {} years", c.name, r.int(4, 22)),
        _ => format!("{} shares fall {:.1}% after surprise CEO exit", c.short, r.range(2.0, 11.0)),
    }
}

// ---------------------------------------------------------------- capital return

pub(super) fn dividend(r: &mut SimRng) -> String {
    let c = names::company(r);
    let d = r.range(0.05, 2.4);
    match r.int(0, 5) {
        5 => format!("{} lifts quarterly dividend by {}%", c.short, r.int(2, 12)),
        0 => format!("{} declares quarterly dividend of ${d:.2} per share", c.name),
        1 => format!("{} raises quarterly dividend {}% to ${d:.2}", c.name, r.int(2, 15)),
        2 => {
            let (record, payable) = record_and_payable(r);
            format!(
                "{} Declares Regular Quarterly Cash Dividend of ${d:.2}; Payable {payable} to Holders of Record {record}",
                c.name
            )
        }
        3 => format!("{} suspends dividend to preserve cash amid {}", c.name, one(r, names::HEADWINDS)),
        _ => format!("{} announces special dividend of ${:.2} a share", c.name, d * 2.0),
    }
}

pub(super) fn buyback(r: &mut SimRng) -> String {
    let c = names::company(r);
    let m = usd_m(round_sig(log_range(r, 50.0, 15_000.0) as usize, 2) as f64);
    match r.int(0, 4) {
        0 => format!("{} announces {m} share repurchase program", c.name),
        1 => format!("{} board authorizes additional {m} buyback", c.name),
        2 => format!("{} to buy back up to {}% of outstanding shares", c.name, r.int(3, 12)),
        3 => format!("{} launches {m} accelerated share repurchase", c.name),
        _ => format!("{} completes {m} buyback, retires {:.1} million shares", c.name, r.range(0.5, 40.0)),
    }
}

// ---------------------------------------------------------------- operations

pub(super) fn layoffs(r: &mut SimRng) -> String {
    let c = names::company(r);
    let n = int_k(round_sig(log_range(r, 80.0, 12_000.0) as usize, 2));
    match r.int(0, 6) {
        5 => format!("{} to cut {n} jobs", c.short),
        6 => format!(
            "{} said it would eliminate about {n} positions and close {} sites over the next {} months to save {} a year amid {}",
            c.name,
            r.int(2, 20),
            r.int(6, 24),
            usd_m(r.range(50.0, 900.0)),
            one(r, names::HEADWINDS)
        ),
        0 => format!("{} to cut about {n} jobs, or {}% of workforce", c.name, r.int(2, 15)),
        1 => format!("{} announces restructuring, expects {} in charges", c.name, usd_m(r.range(20.0, 1200.0))),
        2 => format!(
            "{} lays off {n} employees in {} division",
            c.name,
            one(r, &["sales", "research", "retail", "consumer", "cloud"])
        ),
        3 => format!(
            "{} to close {} {} as part of cost-cutting plan",
            c.name,
            r.int(3, 120),
            if c.sector == Sector::Consumer { "stores" } else { one(r, &["offices", "plants", "sites", "branches"]) }
        ),
        _ => format!("{} cuts {}% of staff, citing {}", c.short, r.int(3, 20), one(r, names::HEADWINDS)),
    }
}

pub(super) fn strike(r: &mut SimRng) -> String {
    let sector = *r.pick(&[Sector::Auto, Sector::Industrial, Sector::Consumer]);
    let c = names::company_in(r, sector);
    let city = one(r, names::CITIES);
    let union = one(r, &["Machinists' union", "Teamsters", "IG Metall", "United Steelworkers", "Dockworkers' union"]);
    match r.int(0, 4) {
        0 => format!("Workers at {}'s {city} plant walk off the job after contract talks fail", c.name),
        1 => format!("{union} members ratify new {}-year contract with {}, ending strike", r.int(2, 5), c.name),
        2 => format!("{} says strike at {city} facility will weigh on {} output", c.name, Quarter::new(r).word()),
        3 => format!("{union} sets strike deadline of {} for {} workers", date(r), c.name),
        _ => format!("Strike at {city} port enters day {}; {} reroutes shipments", r.int(2, 30), c.name),
    }
}

pub(super) fn plant_opening(r: &mut SimRng) -> String {
    let c = names::company(r);
    let city = one(r, names::CITIES);
    let fac = one(
        r,
        &["battery plant", "distribution centre", "chip fab", "assembly plant", "research campus", "data centre"],
    );
    match r.int(0, 4) {
        0 => format!("{} opens {} manufacturing plant in {city}", c.name, usd_m(r.range(40.0, 900.0))),
        1 => format!("{} to build new {fac} in {city}, creating {} jobs", c.name, int_k(r.int(150, 4000))),
        2 => format!("{} breaks ground on {city} {fac}", c.name),
        3 => format!("{} starts production at {city} {fac} ahead of schedule", c.name),
        _ => format!("{} picks {city} for ${:.1} billion {fac}", c.name, r.range(1.0, 12.0)),
    }
}

// ---------------------------------------------------------------- shock news (hard negatives)

pub(super) fn takeover_premium(r: &mut SimRng) -> String {
    let (a, t) = names::two_companies(r);
    let p = r.int(35, 110);
    let px = r.range(9.0, 160.0);
    match r.int(0, 5) {
        5 => format!(
            "{} agreed to buy {} for ${px:.2} a share in cash, a {p}% premium that values {} at about ${:.1} billion including debt",
            a.name,
            t.name,
            t.short,
            r.range(1.0, 40.0)
        ),
        0 => format!(
            "{} agrees to buy {} for ${px:.0} a share in cash, a {p}% premium to {}'s close",
            a.name,
            t.name,
            weekday(r)
        ),
        1 => format!(
            "{} shares soar {p}% after agreeing to be acquired by {} for ${:.1} billion",
            t.name,
            a.name,
            r.range(1.0, 40.0)
        ),
        2 => format!(
            "{} to acquire {} at {p}% premium in deal valued at ${:.1} billion",
            a.name,
            t.name,
            r.range(1.0, 40.0)
        ),
        3 => format!("*{} SURGES {p}% AFTER {} AGREES TO BUY FOR ${px:.2}/SHR", upper(t.short), upper(a.short)),
        _ => format!(
            "{} accepts ${px:.2}-per-share takeover offer from {}, nearly doubling its market value",
            t.name, a.name
        ),
    }
}

pub(super) fn fda_approval_surge(r: &mut SimRng) -> String {
    let c = names::company_in(r, Sector::Biotech);
    let d = one(r, names::DRUGS);
    let p = r.int(25, 140);
    match r.int(0, 4) {
        0 => format!("{} shares jump {p}% after FDA approval of {d}", c.name),
        1 => format!("{} stock more than doubles as {d} wins FDA nod for {}", c.name, one(r, names::INDICATIONS)),
        2 => format!("{} soars {p}% after phase 3 trial of {d} hits main goal", c.short),
        3 => format!("{} rockets {p}% premarket on surprise FDA approval", c.name),
        _ => format!("{} shares surge {p}% as FDA advisers back {d} in {}-{} vote", c.name, r.int(8, 14), r.int(0, 3)),
    }
}

pub(super) fn guidance_plunge(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = r.int(20, 55);
    match r.int(0, 4) {
        0 => format!("{} stock plunges {p}% after guidance cut", c.name),
        1 => format!("{} shares crater {p}%, most on record, after company slashes outlook", c.name),
        2 => format!(
            "{} sinks {p}% as weak forecast wipes out ${:.0} billion in market value",
            c.short,
            r.range(1.0, 60.0)
        ),
        3 => format!("{} tumbles {p}% after warning of {}", c.name, one(r, names::HEADWINDS)),
        _ => format!("*{} FALLS {p}% IN PREMARKET TRADING AFTER CUTTING {} FORECAST", upper(c.short), year(r)),
    }
}

pub(super) fn executive_arrest(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = names::person(r);
    match r.int(0, 4) {
        0 => format!("{} CEO {p} arrested on fraud charges; trading halted", c.name),
        1 => format!("Founder of {} detained by authorities in {}, company says", c.name, one(r, names::CITIES)),
        2 => format!("{} shares halted after chief executive charged with wire fraud by federal prosecutors", c.name),
        3 => format!("{} CFO indicted on charges of inflating revenue, Justice Department says", c.name),
        _ => format!("{} former CEO {p} pleads not guilty to securities fraud charges", c.name),
    }
}

pub(super) fn sec_fraud_charges(r: &mut SimRng) -> String {
    let c = names::company(r);
    let p = names::person(r);
    match r.int(0, 4) {
        0 => format!("SEC charges {} founder {p} with securities fraud", c.name),
        1 => format!(
            "SEC sues {} and former CEO, alleging they misled investors about {}",
            c.name,
            one(r, names::ISSUES)
        ),
        2 => format!("{} accused by SEC of {} accounting fraud", c.name, usd_m(r.range(20.0, 3000.0))),
        3 => format!(
            "SEC suspends trading in {} over questions about accuracy of public information",
            names::micro(r).name
        ),
        _ => {
            format!("SEC charges {} executives with insider trading ahead of {} deal", c.name, names::company(r).short)
        }
    }
}

pub(super) fn bankruptcy_filing(r: &mut SimRng) -> String {
    let c = names::company(r);
    match r.int(0, 4) {
        0 => format!("{} files for Chapter 11 bankruptcy protection", c.name),
        1 => format!(
            "{} files for bankruptcy with ${:.1} billion in debt, secures {} DIP financing",
            c.name,
            r.range(0.5, 30.0),
            usd_m(r.range(50.0, 2000.0))
        ),
        2 => format!("{} shares plunge {}% after company raises going-concern doubt", c.name, r.int(25, 70)),
        3 => format!("{} reaches restructuring support agreement with lenders ahead of Chapter 11 filing", c.name),
        _ => format!("{} to be delisted after bankruptcy filing; shares to trade over the counter", c.name),
    }
}

pub(super) fn ipo_debut_surge(r: &mut SimRng) -> String {
    let (n, t) = *r.pick(names::IPO_CANDIDATES);
    let p = r.int(40, 180);
    let ipo = r.int(12, 34);
    match r.int(0, 4) {
        0 => format!("{n} shares soar {p}% in first day of trading"),
        1 => format!("{n} prices IPO above range, then jumps {p}% in {} debut", one(r, &["Nasdaq", "NYSE"])),
        2 => format!("{n} valued at ${:.1} billion after stock nearly triples in debut", r.range(2.0, 30.0)),
        3 => format!("{n} opens at ${:.2}, far above ${ipo} IPO price", ipo as f64 * (1.0 + p as f64 / 100.0)),
        _ => format!(
            "*{t} OPENS AT ${:.2} IN TRADING DEBUT; IPO PRICED AT ${ipo}",
            ipo as f64 * (1.0 + p as f64 / 100.0)
        ),
    }
}

pub(super) fn short_seller_report(r: &mut SimRng) -> String {
    let c = names::company(r);
    let s = one(r, names::SHORT_SELLERS);
    let claim =
        one(r, &["inflated revenue", "undisclosed related-party deals", "channel stuffing", "overstated user numbers"]);
    match r.int(0, 3) {
        0 => {
            format!("{} shares fall {}% after short seller {s} alleges accounting irregularities", c.name, r.int(8, 35))
        }
        1 => format!("{s} discloses short position in {}, alleges {claim}", c.name),
        2 => format!("{} rejects short-seller report as 'misleading and inaccurate'", c.name),
        _ => format!("{} slides as {s} report questions {claim}", c.short),
    }
}

pub(super) fn retail_frenzy_report(r: &mut SimRng) -> String {
    let c = names::micro(r);
    let p = r.int(30, 400);
    match r.int(0, 4) {
        0 => format!("{} shares surge {p}% as retail traders pile in, options volume hits record", c.name),
        1 => format!("Meme-stock rally returns: {} up {p}% on heavy social-media chatter", c.name),
        2 => format!("Trading in {} halted {} times for volatility after {p}% jump", c.name, r.int(3, 12)),
        3 => format!("{} rally draws scrutiny as online traders target heavily shorted stock", c.name),
        _ => format!("{} tumbles {}% a day after meme-fuelled surge", c.name, r.int(20, 60)),
    }
}

pub(super) fn crypto_record_move(r: &mut SimRng) -> String {
    let ex = one(r, names::EXCHANGES);
    let (tok, _) = *r.pick(names::TOKENS);
    match r.int(0, 5) {
        5 => format!("Bitcoin hits fresh record above ${},000", r.int(70, 150)),
        0 => format!("Bitcoin tops ${},000 for the first time", r.int(70, 150)),
        1 => format!("Ether slides {}% in hours as liquidations top {}", r.int(8, 25), usd_m(r.range(400.0, 4000.0))),
        2 => format!("{tok} more than doubles in a week after {ex} listing, market data show"),
        3 => format!("Crypto market loses ${} billion as bitcoin drops below ${},000", r.int(100, 600), r.int(40, 90)),
        _ => format!("Bitcoin jumps {}% to record as ETF inflows accelerate", r.int(5, 15)),
    }
}

/// A normal headline from one of a few common families, used as the cover
/// text of embedded prompt injections.
pub(super) fn cover_headline(r: &mut SimRng) -> (String, &'static Company) {
    let c = names::company(r);
    let q = Quarter::new(r);
    let text = match r.int(0, 5) {
        0 => format!("{} {} profit beats estimates on {}", c.name, q.word(), one(r, names::TAILWINDS)),
        1 => format!("{} upgrades {} to Buy, price target ${}", one(r, names::ANALYST_FIRMS), c.name, r.int(15, 300)),
        2 => format!("{} raises full-year {} outlook", c.name, q.year),
        3 => format!("{} declares quarterly dividend of ${:.2} per share", c.name, r.range(0.05, 2.0)),
        4 => format!("{} misses {} estimates on {}", c.name, q.q(), one(r, names::HEADWINDS)),
        _ => format!("{} to cut about {} jobs in restructuring", c.name, int_k(round_sig(r.int(100, 5000), 2))),
    };
    (text, c)
}
