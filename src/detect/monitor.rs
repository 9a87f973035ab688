//! Many symbols, one detector each, no allocation per tick.
//!
//! The seed's `CryptoAnomalyMonitor` cloned the symbol `String` on every
//! tick (twice) to look up its detector. Here a symbol is registered once
//! and gets a [`SymbolId`], an index into a `Vec`; ticks by id touch no
//! hash map and no heap. [`MultiSymbolMonitor::process_tick`] accepts a
//! `&str` and looks it up without allocating when the symbol is known; the
//! map hashes with `foldhash` (fast, seeded per map) rather than SipHash:
//! symbol names come from the exchange, not from an attacker.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::{AlertRule, Detection, PairDetector, PriceVolumeDetector, RollingZScorePair};
use crate::error::{Error, Result};

/// Index of a symbol registered with a [`MultiSymbolMonitor`]; only the
/// monitor hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SymbolId(u32);

impl SymbolId {
    /// Position of the symbol in registration order (0, 1, 2, ...).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One [`PriceVolumeDetector`] per symbol, created from a template.
#[derive(Debug, Clone)]
pub struct MultiSymbolMonitor<P = RollingZScorePair> {
    template: PriceVolumeDetector<P>,
    rule: AlertRule,
    index: HashMap<Box<str>, SymbolId, RandomState>,
    names: Vec<Box<str>>,
    detectors: Vec<PriceVolumeDetector<P>>,
}

impl<P: PairDetector + Clone> MultiSymbolMonitor<P> {
    /// A monitor whose new symbols start as a copy of `template` (which
    /// should be fresh) and are judged by `rule`.
    pub fn new(template: PriceVolumeDetector<P>, rule: AlertRule) -> Self {
        Self { template, rule, index: HashMap::default(), names: Vec::new(), detectors: Vec::new() }
    }

    /// The id of `symbol`, registering it on first sight (the only allocation).
    pub fn symbol_id(&mut self, symbol: &str) -> SymbolId {
        if let Some(&id) = self.index.get(symbol) {
            return id;
        }
        let id = SymbolId(u32::try_from(self.names.len()).expect("fewer than 2^32 symbols"));
        self.index.insert(symbol.into(), id);
        self.names.push(symbol.into());
        self.detectors.push(self.template.clone());
        id
    }

    /// Scores then learns one tick of a registered symbol. `Ok(None)` while
    /// that symbol warms up. An id this monitor never issued is an error.
    #[inline]
    pub fn process(&mut self, id: SymbolId, price: f64, volume: f64) -> Result<Option<Detection>> {
        let registered = self.detectors.len();
        let detector = self.detectors.get_mut(id.index()).ok_or_else(|| unknown_id(id, registered))?;
        Ok(detector.process(price, volume)?.map(|s| self.rule.classify(s)))
    }

    /// Like [`Self::process`], by name.
    pub fn process_tick(&mut self, symbol: &str, price: f64, volume: f64) -> Result<(SymbolId, Option<Detection>)> {
        let id = self.symbol_id(symbol);
        Ok((id, self.process(id, price, volume)?))
    }

    /// Starts a new session for one symbol: its next return is measured from
    /// `open` (see [`PriceVolumeDetector::set_reference_price`]).
    pub fn set_reference_price(&mut self, id: SymbolId, open: f64) -> Result<()> {
        let registered = self.detectors.len();
        self.detectors.get_mut(id.index()).ok_or_else(|| unknown_id(id, registered))?.set_reference_price(open)
    }

    /// The name of a registered symbol (`None` for an id from elsewhere).
    pub fn symbol(&self, id: SymbolId) -> Option<&str> {
        self.names.get(id.index()).map(|s| &**s)
    }

    /// All registered symbols, in registration order.
    pub fn active_symbols(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|s| &**s)
    }

    /// The rule in force.
    pub fn rule(&self) -> AlertRule {
        self.rule
    }

    /// Changes the thresholds without touching any learned state.
    pub fn set_rule(&mut self, rule: AlertRule) {
        self.rule = rule;
    }
}

/// The error for an id this monitor did not issue (out of line: cold).
#[cold]
#[inline(never)]
fn unknown_id(id: SymbolId, registered: usize) -> Error {
    Error::param("id", id.0, format!("no such symbol: this monitor has registered {registered}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{AnomalyType, PriceVolumeConfig};

    #[test]
    fn symbols_are_independent() {
        let template = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(20)).unwrap();
        let mut m = MultiSymbolMonitor::new(template, AlertRule::uniform(3.0).unwrap());
        for _ in 0..20 {
            m.process_tick("BTCUSDT", 100.0, 1000.0).unwrap();
            m.process_tick("ETHUSDT", 10.0, 50.0).unwrap();
        }
        // 1000 is a surge for ETH's history but ordinary for BTC's.
        let (_, eth) = m.process_tick("ETHUSDT", 10.0, 1000.0).unwrap();
        let (_, btc) = m.process_tick("BTCUSDT", 100.0, 1000.0).unwrap();
        assert_eq!(eth.unwrap().kind, AnomalyType::VolumeSurge);
        assert_eq!(btc.unwrap().kind, AnomalyType::Normal);
        assert_eq!(m.active_symbols().collect::<Vec<_>>(), vec!["BTCUSDT", "ETHUSDT"]);
    }

    #[test]
    fn an_id_from_another_monitor_is_an_error_not_a_panic() {
        let template = PriceVolumeDetector::zscore(PriceVolumeConfig::seed_compatible(20)).unwrap();
        let mut big = MultiSymbolMonitor::new(template.clone(), AlertRule::uniform(3.0).unwrap());
        let mut small = MultiSymbolMonitor::new(template, AlertRule::uniform(3.0).unwrap());
        big.symbol_id("A");
        let foreign = big.symbol_id("B");
        small.symbol_id("A");
        let e = small.process(foreign, 100.0, 1.0).unwrap_err().to_string();
        assert!(e.contains("`id` = 1") && e.contains("registered 1"), "{e}");
        assert!(small.set_reference_price(foreign, 100.0).is_err());
        assert_eq!(small.symbol(foreign), None);
        assert_eq!(big.symbol(foreign), Some("B"));
    }
}
