//! An instrument's steps (tick size, quantity step) and the small integer
//! id the hot path uses instead of its symbol string.

use std::collections::HashMap;

use super::decimal::Decimal;
use super::error::MarketError;

/// Index of an instrument in an [`InstrumentRegistry`] (0, 1, 2, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstrumentId(u32);

impl InstrumentId {
    /// Position in registration order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A tradable instrument: its symbol and the steps its prices and
/// quantities come in (Bybit's `priceFilter.tickSize` and
/// `lotSizeFilter.qtyStep` / `basePrecision`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instrument {
    symbol: String,
    tick_size: Decimal,
    qty_step: Decimal,
}

impl Instrument {
    /// An instrument from the exchange's decimal strings, e.g.
    /// `Instrument::new("BTCUSDT", "0.10", "0.001")`. Errors name a step
    /// that is not a positive decimal.
    pub fn new(symbol: &str, tick_size: &str, qty_step: &str) -> Result<Self, MarketError> {
        let positive = |field, text: &str| {
            let value = Decimal::parse(field, text)?;
            if value.is_positive() { Ok(value) } else { Err(MarketError::BadStep { field, value: text.to_string() }) }
        };
        Ok(Self {
            symbol: symbol.to_string(),
            tick_size: positive("tick_size", tick_size)?,
            qty_step: positive("qty_step", qty_step)?,
        })
    }

    /// An instrument from steps already parsed (a trade file whose steps
    /// were read off its numbers). Errors name a step that is not positive.
    pub fn from_steps(symbol: &str, tick_size: Decimal, qty_step: Decimal) -> Result<Self, MarketError> {
        for (field, step) in [("tick_size", tick_size), ("qty_step", qty_step)] {
            if !step.is_positive() {
                return Err(MarketError::BadStep { field, value: step.to_string() });
            }
        }
        Ok(Self { symbol: symbol.to_string(), tick_size, qty_step })
    }

    /// The tick size.
    pub fn tick_size(&self) -> Decimal {
        self.tick_size
    }

    /// The quantity step.
    pub fn qty_step(&self) -> Decimal {
        self.qty_step
    }

    /// The symbol, as the exchange spells it.
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// The price `text` in whole ticks; an error when it is off the tick.
    pub fn price_ticks(&self, text: &str) -> Result<i64, MarketError> {
        Decimal::parse("price", text)?.steps_of(self.tick_size, "price")
    }

    /// The quantity `text` in whole quantity steps; an error when it is
    /// off the step.
    pub fn qty_steps(&self, text: &str) -> Result<i64, MarketError> {
        Decimal::parse("qty", text)?.steps_of(self.qty_step, "qty")
    }

    /// A price in ticks as `f64` (for statistics and display).
    pub fn price_of(&self, ticks: i64) -> f64 {
        ticks as f64 * self.tick_size.to_f64()
    }

    /// A quantity in steps as `f64`.
    pub fn qty_of(&self, steps: i64) -> f64 {
        steps as f64 * self.qty_step.to_f64()
    }
}

/// The instruments a process follows, each with its [`InstrumentId`]:
/// symbols are looked up once, when a message arrives, and the hot path
/// carries the id.
#[derive(Debug, Clone, Default)]
pub struct InstrumentRegistry {
    instruments: Vec<Instrument>,
    by_symbol: HashMap<String, InstrumentId>,
}

impl InstrumentRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `instrument` (or returns the id of the symbol already
    /// registered, keeping the first steps given).
    pub fn register(&mut self, instrument: Instrument) -> InstrumentId {
        if let Some(&id) = self.by_symbol.get(instrument.symbol()) {
            return id;
        }
        let id = InstrumentId(self.instruments.len() as u32);
        self.by_symbol.insert(instrument.symbol().to_string(), id);
        self.instruments.push(instrument);
        id
    }

    /// The id of `symbol`, if registered.
    pub fn id(&self, symbol: &str) -> Option<InstrumentId> {
        self.by_symbol.get(symbol).copied()
    }

    /// The instrument of `id`.
    pub fn get(&self, id: InstrumentId) -> &Instrument {
        &self.instruments[id.index()]
    }

    /// How many instruments are registered.
    pub fn len(&self) -> usize {
        self.instruments.len()
    }

    /// `true` when none is.
    pub fn is_empty(&self) -> bool {
        self.instruments.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_quantities_become_steps_and_symbols_become_ids() {
        let btc = Instrument::new("BTCUSDT", "0.10", "0.001").unwrap();
        assert_eq!(btc.price_ticks("65432.1"), Ok(654_321));
        assert_eq!(btc.qty_steps("0.015"), Ok(15));
        assert!((btc.price_of(654_321) - 65_432.1).abs() < 1e-6);
        assert!(btc.price_ticks("65432.15").is_err());
        let mut registry = InstrumentRegistry::new();
        let id = registry.register(btc.clone());
        assert_eq!(registry.register(btc), id, "registered once");
        let other = registry.register(Instrument::new("XYZBTC", "0.00000001", "1").unwrap());
        assert_eq!((id.index(), other.index()), (0, 1));
        assert_eq!(registry.id("XYZBTC"), Some(other));
        assert_eq!(registry.get(other).price_ticks("0.00000123"), Ok(123));
        assert!(Instrument::new("BAD", "0", "1").unwrap_err().to_string().contains("tick_size"));
    }
}
