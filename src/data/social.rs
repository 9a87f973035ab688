//! Social-media mention counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How often a symbol was mentioned in one time bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialMentions {
    /// Start of the bucket.
    pub timestamp: DateTime<Utc>,
    /// The instrument.
    pub symbol: String,
    /// Number of mentions in the bucket.
    pub mentions: u32,
}
