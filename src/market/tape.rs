//! A trade tape: one instrument's prints in time order, with integer price
//! ticks and quantity steps, the aggressor side and the exchange's trade id.
//!
//! This is what the manipulation detector reads: 24 bytes of plain numbers
//! per trade, no symbol string, no heap data.

use super::error::MarketError;
use super::instrument::Instrument;

/// Who crossed the spread: the taker (aggressor) of a trade. Public feeds
/// tell it (Bybit's `S`, Binance's `is_buyer_maker = false` for a taker buy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TakerSide {
    /// The taker bought (lifted the ask).
    Buy,
    /// The taker sold (hit the bid).
    Sell,
}

impl TakerSide {
    /// The taker side from Binance's `is_buyer_maker` (`true`: the buyer
    /// rested, so the taker sold).
    pub fn from_buyer_maker(is_buyer_maker: bool) -> Self {
        if is_buyer_maker { Self::Sell } else { Self::Buy }
    }

    /// `+1` for a taker buy, `−1` for a taker sell.
    pub fn sign(self) -> i64 {
        match self {
            Self::Buy => 1,
            Self::Sell => -1,
        }
    }
}

/// One print of a trade tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TapeTrade {
    /// Exchange time, microseconds since the Unix epoch.
    pub time_us: i64,
    /// Price, in ticks of the instrument.
    pub price: i64,
    /// Quantity, in quantity steps (> 0).
    pub qty: i64,
    /// The aggressor side.
    pub taker: TakerSide,
    /// The exchange's trade id: the integer id where it has one (Binance),
    /// otherwise the position in the file or a 64-bit hash of the id string.
    pub id: u64,
}

/// One instrument's trades in time order (equal times are normal: one
/// market order sweeping three levels prints three trades in the same
/// millisecond).
#[derive(Debug, Clone, PartialEq)]
pub struct TradeTape {
    instrument: Instrument,
    trades: Vec<TapeTrade>,
}

impl TradeTape {
    /// A tape of `instrument`. Refuses an empty tape, a trade earlier than
    /// the one before it, and a price or quantity that is not positive,
    /// naming the trade.
    pub fn new(instrument: Instrument, trades: Vec<TapeTrade>) -> Result<Self, MarketError> {
        let symbol = || instrument.symbol().to_string();
        if trades.is_empty() {
            return Err(MarketError::EmptyTape { symbol: symbol() });
        }
        for (index, t) in trades.iter().enumerate() {
            for (field, value) in [("price", t.price), ("qty", t.qty)] {
                if value <= 0 {
                    return Err(MarketError::NotPositive { symbol: symbol(), index, field, value });
                }
            }
            if index > 0 && t.time_us < trades[index - 1].time_us {
                return Err(MarketError::TradesOutOfOrder {
                    symbol: symbol(),
                    index,
                    previous: index - 1,
                    current_us: t.time_us,
                    previous_us: trades[index - 1].time_us,
                });
            }
        }
        Ok(Self { instrument, trades })
    }

    /// The instrument.
    pub fn instrument(&self) -> &Instrument {
        &self.instrument
    }

    /// The trades, oldest first.
    pub fn trades(&self) -> &[TapeTrade] {
        &self.trades
    }

    /// Number of trades (never 0).
    pub fn len(&self) -> usize {
        self.trades.len()
    }

    /// Always `false`: an empty tape is refused.
    pub fn is_empty(&self) -> bool {
        self.trades.is_empty()
    }

    /// Time of the first and the last trade, µs.
    pub fn span_us(&self) -> (i64, i64) {
        (self.trades[0].time_us, self.trades[self.trades.len() - 1].time_us)
    }

    /// Price of `trade` in quote currency (for statistics and display).
    pub fn price_of(&self, trade: &TapeTrade) -> f64 {
        self.instrument.price_of(trade.price)
    }

    /// Quantity of `trade` in base currency.
    pub fn qty_of(&self, trade: &TapeTrade) -> f64 {
        self.instrument.qty_of(trade.qty)
    }

    /// The trades and the instrument, taken apart.
    pub fn into_parts(self) -> (Instrument, Vec<TapeTrade>) {
        (self.instrument, self.trades)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(time_us: i64, price: i64, qty: i64) -> TapeTrade {
        TapeTrade { time_us, price, qty, taker: TakerSide::Buy, id: 0 }
    }

    #[test]
    fn a_tape_keeps_equal_times_and_refuses_what_it_cannot_use() {
        let btc = Instrument::new("BTCUSDT", "0.1", "0.001").unwrap();
        let tape = TradeTape::new(btc.clone(), vec![trade(1, 650_000, 5), trade(1, 650_001, 2)]).unwrap();
        assert_eq!((tape.len(), tape.span_us()), (2, (1, 1)));
        assert!((tape.price_of(&tape.trades()[1]) - 65_000.1).abs() < 1e-6);
        let late = TradeTape::new(btc.clone(), vec![trade(5, 1, 1), trade(4, 1, 1)]).unwrap_err();
        assert_eq!(late.to_string(), "BTCUSDT: trade #1 at 4 µs is earlier than trade #0 at 5 µs");
        let zero = TradeTape::new(btc.clone(), vec![trade(5, 1, 0)]).unwrap_err();
        assert_eq!(zero.to_string(), "BTCUSDT: trade #0 has `qty` = 0 steps; it must be > 0");
        assert!(TradeTape::new(btc, Vec::new()).unwrap_err().to_string().contains("empty"));
        assert_eq!(TakerSide::from_buyer_maker(true), TakerSide::Sell);
    }
}
