//! NAB's application profiles: how much a true positive, a false positive
//! and a missed window weigh (NAB's `config/profiles.json`).

/// The weights of one profile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostProfile {
    /// The name NAB gives it (`standard`, `reward_low_FP_rate`, `reward_low_FN_rate`).
    pub name: &'static str,
    /// Weight of a detection at the left edge of a window.
    pub tp: f64,
    /// Weight of a false positive (scaled by how far past a window it is).
    pub fp: f64,
    /// Cost of a window with no detection.
    pub fn_weight: f64,
}

// ANCHOR: profiles
/// NAB's standard profile.
pub const STANDARD: CostProfile = CostProfile { name: "standard", tp: 1.0, fp: 0.11, fn_weight: 1.0 };
/// False positives cost twice as much.
pub const REWARD_LOW_FP_RATE: CostProfile =
    CostProfile { name: "reward_low_FP_rate", tp: 1.0, fp: 0.22, fn_weight: 1.0 };
/// Missed windows cost twice as much.
pub const REWARD_LOW_FN_RATE: CostProfile =
    CostProfile { name: "reward_low_FN_rate", tp: 1.0, fp: 0.11, fn_weight: 2.0 };
/// The three profiles, in NAB's order.
pub const PROFILES: [CostProfile; 3] = [STANDARD, REWARD_LOW_FP_RATE, REWARD_LOW_FN_RATE];
// ANCHOR_END: profiles
