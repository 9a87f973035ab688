//! Pools for the headline slots: companies, people, firms, places, products,
//! coins. Companies, people, analyst houses, funds, law firms, exchanges and
//! tokens are fictional; regulators, statistics offices and central banks are
//! the real ones, because real wires name them.

use super::one;
use crate::simulate::rng::SimRng;

/// The industry of a company, so that a biotech gets drug approvals and a
/// carmaker gets vehicle recalls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sector {
    Tech,
    Biotech,
    Finance,
    Energy,
    Consumer,
    Industrial,
    Auto,
    Media,
}

/// A listed company: full name, the short name headlines use, ticker, sector.
#[derive(Debug, Clone, Copy)]
pub(super) struct Company {
    pub name: &'static str,
    pub short: &'static str,
    pub ticker: &'static str,
    pub sector: Sector,
}

const fn co(name: &'static str, short: &'static str, ticker: &'static str, sector: Sector) -> Company {
    Company { name, short, ticker, sector }
}

use Sector::*;

/// Listed companies of ordinary size (the ones wires cover).
pub(super) const COMPANIES: &[Company] = &[
    co("Helios Semiconductor", "Helios", "HLSM", Tech),
    co("Vantage Cloud Systems", "Vantage Cloud", "VCSY", Tech),
    co("Quillon Software", "Quillon", "QLSW", Tech),
    co("Arcwell Networks", "Arcwell", "ARCW", Tech),
    co("Nimbus Data", "Nimbus", "NMBD", Tech),
    co("Lumenfield Devices", "Lumenfield", "LMFD", Tech),
    co("Corvane Robotics", "Corvane", "CRVN", Tech),
    co("Tessaract Micro", "Tessaract", "TSRM", Tech),
    co("Bluepeak Software", "Bluepeak", "BLPK", Tech),
    co("Orbis Payments", "Orbis", "ORBP", Tech),
    co("Veridian Analytics", "Veridian", "VRDN", Tech),
    co("Crux Biotech", "Crux", "CRUX", Biotech),
    co("Aldera Therapeutics", "Aldera", "ALDT", Biotech),
    co("Calyx Therapeutics", "Calyx", "CLYX", Biotech),
    co("Pellucid Bio", "Pellucid", "PLCD", Biotech),
    co("Orenda Pharmaceuticals", "Orenda", "ORPH", Biotech),
    co("Synthera Genomics", "Synthera", "SYNG", Biotech),
    co("Vireo Medical", "Vireo", "VIRM", Biotech),
    co("Halcyon Biologics", "Halcyon", "HLBX", Biotech),
    co("Tamarind Health", "Tamarind", "TMRD", Biotech),
    co("Granite Harbor Bancorp", "Granite Harbor", "GHBC", Finance),
    co("First Lakeshore Financial", "First Lakeshore", "FLKF", Finance),
    co("Ridgeway Capital Group", "Ridgeway", "RDGC", Finance),
    co("Stonebridge Bank", "Stonebridge", "SBNK", Finance),
    co("Atlas Mutual Insurance", "Atlas Mutual", "ATMI", Finance),
    co("Copperline Asset Management", "Copperline", "CPAM", Finance),
    co("Bolt Energy", "Bolt", "BOLT", Energy),
    co("Redrock Petroleum", "Redrock", "RRPT", Energy),
    co("Sunmere Renewables", "Sunmere", "SNMR", Energy),
    co("Bayline Gas Partners", "Bayline", "BYGP", Energy),
    co("Cinder Ridge Mining", "Cinder Ridge", "CDRM", Energy),
    co("Polar Crest Oil", "Polar Crest", "PCOL", Energy),
    co("Evergreen Retail", "Evergreen", "EVER", Consumer),
    co("Marigold Foods", "Marigold", "MRGF", Consumer),
    co("Copperfield Apparel", "Copperfield", "CPFA", Consumer),
    co("Harvest Table Restaurants", "Harvest Table", "HVTR", Consumer),
    co("Brightway Stores", "Brightway", "BRWY", Consumer),
    co("Summit Beverage", "Summit", "SMBV", Consumer),
    co("Wayfarer Hotels", "Wayfarer", "WYFH", Consumer),
    co("Northwind Logistics", "Northwind", "NWLG", Industrial),
    co("Dyna Logistics", "Dyna", "DYNA", Industrial),
    co("Ironclad Machinery", "Ironclad", "IRCM", Industrial),
    co("Strata Aerospace", "Strata", "STRX", Industrial),
    co("Keystone Rail", "Keystone", "KYRL", Industrial),
    co("Fulcrum Industrial", "Fulcrum", "FLCR", Industrial),
    co("Acme Corp", "Acme", "ACME", Industrial),
    co("Albatross Airlines", "Albatross", "ALBA", Industrial),
    co("Voltara Motors", "Voltara", "VLTM", Auto),
    co("Ridgeline Automotive", "Ridgeline", "RDGA", Auto),
    co("Caspian Electric Vehicles", "Caspian", "CSEV", Auto),
    co("Beacon Telecom", "Beacon", "BCNT", Media),
    co("Lattice Media", "Lattice", "LTMD", Media),
    co("Paragon Broadcasting", "Paragon", "PRGB", Media),
    co("Starwell Streaming", "Starwell", "STWL", Media),
];

/// Small and micro caps: the usual targets of promotions and meme rallies.
pub(super) const MICRO_CAPS: &[Company] = &[
    co("Quantum Cobalt Corp", "Quantum Cobalt", "QCOB", Energy),
    co("ZenVolt Battery", "ZenVolt", "ZVLT", Energy),
    co("Nexa Biopharma", "Nexa", "NXBP", Biotech),
    co("Aurora Lithium Mines", "Aurora Lithium", "AURL", Energy),
    co("Pixelon AI", "Pixelon", "PXAI", Tech),
    co("Hydrogenix Fuel Systems", "Hydrogenix", "HYGX", Energy),
    co("Solace Cannabis", "Solace", "SLCN", Consumer),
    co("Graphyne Materials", "Graphyne", "GRPH", Industrial),
    co("MetaDrone Systems", "MetaDrone", "MDRN", Tech),
    co("Bluewave Uranium", "Bluewave", "BWUR", Energy),
    co("Omnivax Labs", "Omnivax", "OVAX", Biotech),
    co("Tesseron Quantum", "Tesseron", "TSQN", Tech),
    co("Vortex Mobility", "Vortex", "VTXM", Auto),
    co("Kryo Genetics", "Kryo", "KRYO", Biotech),
    co("Lunar Rare Earths", "Lunar", "LNRE", Energy),
    co("Ampere Grid Storage", "Ampere Grid", "AMPG", Energy),
];

/// Meme tokens and small coins (fictional), without the `$`.
pub(super) const MEME_COINS: &[&str] =
    &["MOONR", "PEPEX", "ZAPX", "KITTY", "LAMBO", "ROCKT", "NEBULA", "FROGZ", "WAGMI", "DEGEN", "SHIBX", "GIGAX"];

/// Tradeable tokens (fictional name, symbol) for listings and upgrades.
pub(super) const TOKENS: &[(&str, &str)] = &[
    ("Sable", "SBL"),
    ("Veyra", "VYR"),
    ("Quorra", "QRA"),
    ("Tessel", "TSL"),
    ("Halo Protocol", "HALO"),
    ("Mirage", "MRG"),
    ("Pylon", "PYL"),
    ("Kairo", "KRO"),
    ("Lumen Network", "LMN"),
    ("Obsidian", "OBS"),
];

/// Crypto exchanges (fictional).
pub(super) const EXCHANGES: &[&str] =
    &["Coinvale", "Bitharbor", "Northstar Digital", "Ledgerline", "Tradewind Crypto", "Krypta", "Bitmarket"];

/// Stablecoins (fictional name, symbol).
pub(super) const STABLECOINS: &[(&str, &str)] =
    &[("Anchor Dollar", "ANCD"), ("Meridian USD", "MUSD"), ("Harbor Stable", "HUSD"), ("Sterling Token", "STLG")];

/// DeFi protocols (fictional).
pub(super) const PROTOCOLS: &[&str] = &["Wavelend", "Orca Vaults", "Pillar Finance", "Driftbridge", "Cascade Swap"];

/// Sell-side research houses (fictional).
pub(super) const ANALYST_FIRMS: &[&str] = &[
    "Halvorsen & Co",
    "Brightline Securities",
    "Keller Finch",
    "Marlowe Partners",
    "Ashby Research",
    "Crestmont Capital Markets",
    "Whitlock Brothers",
    "Danforth Securities",
    "Pemberton Equity Research",
    "Larkspur Advisory",
];

/// Activist and long-only funds (fictional) for stake disclosures.
pub(super) const FUNDS: &[&str] = &[
    "Harrow Street Capital",
    "Elmstead Advisors",
    "Corsair Ridge Management",
    "Tillman Point Capital",
    "Saltmarsh Partners",
    "Greyhound Bay Investors",
];

/// Short sellers (fictional research shops).
pub(super) const SHORT_SELLERS: &[&str] =
    &["Nightjar Research", "Blue Lantern Research", "Vesper Research", "Cassandra Analytics"];

/// ETF issuers (fictional).
pub(super) const ETF_ISSUERS: &[&str] =
    &["Corvid Asset Management", "Lighthouse Funds", "Cardinal ETF Trust", "Tallis Invest"];

/// Audit firms (fictional) for attestations.
pub(super) const AUDITORS: &[&str] = &["Mercer Lane LLP", "Holbrook Assurance", "Fairgate & Co"];

/// Plaintiff law firms (fictional).
pub(super) const LAW_FIRMS: &[&str] =
    &["Bramwell Law Group", "Hartigan & Moss LLP", "Kessler Rowe", "Pardo Whitfield LLP", "Lindgren Shaw"];

/// Companies preparing to list (fictional, private).
pub(super) const IPO_CANDIDATES: &[(&str, &str)] = &[
    ("Cobaltline Robotics", "CBLR"),
    ("Quantia Health", "QNTA"),
    ("Ferrovia Freight", "FRVF"),
    ("Solstice Payments", "SOLP"),
    ("Everly Foods", "EVLY"),
    ("Trellis AI", "TRLS"),
    ("Grayhaven Security", "GRHV"),
    ("Parcelwise", "PRCW"),
    ("Moonbeam Energy Storage", "MBES"),
    ("Kindred Pet Care", "KNDP"),
];

/// Securities and conduct regulators.
pub(super) const SECURITIES_REGULATORS: &[&str] = &["SEC", "CFTC", "FINRA", "the UK's FCA", "Germany's BaFin"];

/// Competition authorities.
pub(super) const ANTITRUST: &[&str] =
    &["the FTC", "the Justice Department", "the European Commission", "Britain's CMA", "China's SAMR"];

/// First names.
const FIRST: &[&str] = &[
    "Maria", "David", "Aisha", "Thomas", "Elena", "Rahul", "Sophie", "Marcus", "Ingrid", "Kenji", "Laura", "Samuel",
    "Priya", "Oliver", "Nadia", "Daniel", "Chen", "Fatima", "Robert", "Hannah",
];

/// Last names.
const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Hartmann",
    "Castellano",
    "Nakamura",
    "Bennett",
    "Iyer",
    "Kowalski",
    "Whitaker",
    "Duarte",
    "Feldman",
    "Osei",
    "Brandt",
    "Sorensen",
    "Abernathy",
];

/// Cities with plants, offices and strikes.
pub(super) const CITIES: &[&str] = &[
    "Austin",
    "Monterrey",
    "Rotterdam",
    "Pune",
    "Wroclaw",
    "Columbus",
    "Nagoya",
    "Guadalajara",
    "Leipzig",
    "Penang",
    "Reno",
    "Charlotte",
    "Ostrava",
    "Querétaro",
    "Greenville",
    "Chennai",
];

/// Months.
pub(super) const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Weekdays.
pub(super) const WEEKDAYS: &[&str] = &["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

/// Drug names (fictional).
pub(super) const DRUGS: &[&str] = &[
    "zelmitinib",
    "ravocept",
    "tarlizumab",
    "Olvexa",
    "bexaridone",
    "cenlimab",
    "primazotide",
    "Fendura",
    "lorvastine",
    "Quilexa",
];

/// Indications.
pub(super) const INDICATIONS: &[&str] = &[
    "plaque psoriasis",
    "non-small cell lung cancer",
    "type 2 diabetes",
    "early Alzheimer's disease",
    "ulcerative colitis",
    "obesity",
    "migraine prevention",
    "heart failure",
    "multiple myeloma",
    "severe asthma",
];

/// Business drivers, for the good news.
pub(super) const TAILWINDS: &[&str] = &[
    "strong demand",
    "higher prices",
    "cost cuts",
    "robust cloud growth",
    "resilient consumer spending",
    "a rebound in orders",
    "record subscriptions",
    "strong holiday sales",
    "firm pricing",
    "lower input costs",
    "demand for AI chips",
    "higher net interest income",
];

/// Business headwinds, for the bad news.
pub(super) const HEADWINDS: &[&str] = &[
    "weaker demand",
    "higher costs",
    "supply-chain disruptions",
    "a stronger dollar",
    "softer consumer spending",
    "inventory destocking",
    "tariff uncertainty",
    "lower commodity prices",
    "a slowdown in China",
    "elevated interest rates",
    "delayed customer orders",
    "weather-related disruptions",
];

/// Compliance and governance issues.
pub(super) const ISSUES: &[&str] = &[
    "revenue recognition",
    "off-channel communications",
    "its cybersecurity disclosures",
    "misleading statements about product safety",
    "related-party transactions",
    "inadequate anti-money-laundering controls",
    "its accounting for leases",
    "its sales practices",
    "inventory valuation",
    "data privacy practices",
];

/// A company of any sector.
pub(super) fn company(r: &mut SimRng) -> &'static Company {
    r.pick(COMPANIES)
}

/// A company of `sector`.
pub(super) fn company_in(r: &mut SimRng, sector: Sector) -> &'static Company {
    let n = COMPANIES.iter().filter(|c| c.sector == sector).count();
    let k = r.int(0, n - 1);
    COMPANIES.iter().filter(|c| c.sector == sector).nth(k).expect("sector has companies")
}

/// Two different companies: (acquirer, target).
pub(super) fn two_companies(r: &mut SimRng) -> (&'static Company, &'static Company) {
    let a = company(r);
    loop {
        let b = company(r);
        if b.ticker != a.ticker {
            return (a, b);
        }
    }
}

/// Two different companies of `sector`.
pub(super) fn two_in(r: &mut SimRng, sector: Sector) -> (&'static Company, &'static Company) {
    let a = company_in(r, sector);
    loop {
        let b = company_in(r, sector);
        if b.ticker != a.ticker {
            return (a, b);
        }
    }
}

/// A micro cap.
pub(super) fn micro(r: &mut SimRng) -> &'static Company {
    r.pick(MICRO_CAPS)
}

/// A person's name.
pub(super) fn person(r: &mut SimRng) -> String {
    format!("{} {}", r.pick(FIRST), r.pick(LAST))
}

/// A product of the company's sector.
pub(super) fn product(r: &mut SimRng, sector: Sector) -> &'static str {
    let pool: &[&str] = match sector {
        Tech => &[
            "AI inference chip",
            "data-centre switch",
            "cloud security suite",
            "developer platform",
            "edge server line",
            "payments app",
            "analytics assistant",
        ],
        Biotech => &["glucose monitor", "diagnostic test", "infusion pump", "surgical robot", "home testing kit"],
        Finance => {
            &["digital savings account", "small-business lending platform", "robo-advisory service", "credit card"]
        }
        Energy => &["home battery system", "solar panel line", "EV charging network", "low-carbon fuel blend"],
        Consumer => {
            &["private-label range", "loyalty program", "energy drink", "same-day delivery service", "plant-based menu"]
        }
        Industrial => {
            &["freight-tracking platform", "hydraulic excavator", "regional jet", "warehouse robot", "cargo drone"]
        }
        Auto => &["electric pickup", "compact SUV", "driver-assistance software", "solid-state battery pack"],
        Media => &[
            "ad-supported streaming tier",
            "5G home internet plan",
            "sports streaming bundle",
            "satellite phone service",
        ],
    };
    one(r, pool)
}
