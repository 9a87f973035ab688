//! News headlines.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One news item. `symbol` is `None` for market-wide (macro) news.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewsItem {
    /// Publication time.
    pub timestamp: DateTime<Utc>,
    /// The instrument the item is about, if any.
    pub symbol: Option<String>,
    /// The headline text.
    pub headline: String,
    /// Where it came from (a wire, a forum, a social account).
    pub source: String,
}
