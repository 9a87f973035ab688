//! What can go wrong between an exchange's message and the local book.

/// An error of the live-market data model, naming the field and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MarketError {
    /// A number that is not a plain decimal (`65432.10`, `-0.5`, `12`).
    #[error("`{field}` = {value:?} is not a plain decimal number")]
    NotDecimal {
        /// Which field.
        field: &'static str,
        /// The text received.
        value: String,
    },
    /// A price or quantity that is not a whole number of the instrument's steps.
    #[error("`{field}` = {value} is not a multiple of the step {step}")]
    OffStep {
        /// Which field.
        field: &'static str,
        /// The text received.
        value: String,
        /// The instrument's tick size or quantity step.
        step: String,
    },
    /// A number too large for the integer steps (more than 2^63 steps).
    #[error("`{field}` = {value} is out of range for steps of {step}")]
    OutOfRange {
        /// Which field.
        field: &'static str,
        /// The text received.
        value: String,
        /// The step.
        step: String,
    },
    /// A tick size or quantity step that is not positive.
    #[error("`{field}` = {value} must be a positive decimal")]
    BadStep {
        /// Which field.
        field: &'static str,
        /// The text received.
        value: String,
    },
    /// A negative price or size in a book level.
    #[error("`{field}` = {value} steps is negative at price {price} ticks")]
    Negative {
        /// Which field.
        field: &'static str,
        /// The value, in steps.
        value: i64,
        /// The level's price, in ticks.
        price: i64,
    },
    /// A delta whose update id does not follow the book's: an update was
    /// missed, the book needs a fresh snapshot.
    #[error("{symbol}: update {got} does not follow {expected_after}: resync needed (a fresh snapshot)")]
    SequenceGap {
        /// The instrument.
        symbol: String,
        /// The book's last update id.
        expected_after: u64,
        /// The delta's update id.
        got: u64,
    },
    /// After an update the best bid is at or above the best ask.
    #[error(
        "{symbol}: crossed book after update {update_id}: best bid {best_bid} ticks >= best ask {best_ask} ticks: resync needed"
    )]
    Crossed {
        /// The instrument.
        symbol: String,
        /// The update that crossed it.
        update_id: u64,
        /// Best bid, in ticks.
        best_bid: i64,
        /// Best ask, in ticks.
        best_ask: i64,
    },
    /// A delta arrived while the book has no valid snapshot.
    #[error("{symbol}: delta {update_id} arrived while the book needs a snapshot ({why})")]
    NeedsSnapshot {
        /// The instrument.
        symbol: String,
        /// The delta's update id.
        update_id: u64,
        /// Why the book is not live.
        why: String,
    },
    /// A trade tape with no trades.
    #[error("{symbol}: the trade tape is empty")]
    EmptyTape {
        /// The instrument.
        symbol: String,
    },
    /// A trade earlier than the one before it.
    #[error("{symbol}: trade #{index} at {current_us} µs is earlier than trade #{previous} at {previous_us} µs")]
    TradesOutOfOrder {
        /// The instrument.
        symbol: String,
        /// Position of the earlier-stamped trade.
        index: usize,
        /// Position of the trade before it.
        previous: usize,
        /// Its time, µs since the Unix epoch.
        current_us: i64,
        /// The time of the trade before it.
        previous_us: i64,
    },
    /// A trade whose price or quantity is zero or negative.
    #[error("{symbol}: trade #{index} has `{field}` = {value} steps; it must be > 0")]
    NotPositive {
        /// The instrument.
        symbol: String,
        /// Position of the trade.
        index: usize,
        /// `price` or `qty`.
        field: &'static str,
        /// The value, in steps.
        value: i64,
    },
}
