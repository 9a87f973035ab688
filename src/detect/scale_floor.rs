//! The low-variance rule: a floor under the scale of a z-score.
//!
//! With a perfectly flat history the standard deviation is 0 and every
//! z-score is either 0/0 or infinite. The seed chapter returned 0 there,
//! which hides the very spike one wants to see (a 10× volume print after a
//! flat hour scored "normal"). Our rule: the scale used is
//!
//! ```text
//! scale = max(sigma, relative * |mean| + absolute)
//! ```
//!
//! so a flat history still has a scale: small moves stay small, big moves
//! are big. With `relative = 0.05` for raw volume, a volume within
//! 5 % × threshold of a flat average is never a surge, while 10× is.

use serde::Serialize;

use crate::error::{Result, finite_param};

/// Minimum scale of a z-score: `max(sigma, relative * |mean| + absolute)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScaleFloor {
    relative: f64,
    absolute: f64,
}

impl ScaleFloor {
    /// A floor; `relative` finite and ≥ 0, `absolute` finite and > 0 (use a
    /// tiny one such as `1e-12` when only the relative part matters).
    pub fn new(relative: f64, absolute: f64) -> Result<Self> {
        let relative = finite_param("relative", relative)?;
        let absolute = finite_param("absolute", absolute)?;
        if relative < 0.0 {
            return Err(crate::Error::param("relative", relative, "must be >= 0"));
        }
        if absolute <= 0.0 {
            return Err(crate::Error::param(
                "absolute",
                absolute,
                "must be > 0 (a flat history of zeros, where the relative part is 0 too, would divide by zero)",
            ));
        }
        Ok(Self { relative, absolute })
    }

    /// For the crate's own constant floors, which are valid by construction.
    pub(crate) const fn new_unchecked(relative: f64, absolute: f64) -> Self {
        Self { relative, absolute }
    }

    /// The relative part.
    pub fn relative(&self) -> f64 {
        self.relative
    }

    /// The absolute part.
    pub fn absolute(&self) -> f64 {
        self.absolute
    }

    // ANCHOR: apply
    /// The scale to divide by, given the measured `sigma` and `mean`.
    #[inline]
    pub fn apply(&self, sigma: f64, mean: f64) -> f64 {
        sigma.max(self.min_scale(mean))
    }

    /// The floor itself at this `mean`: `relative * |mean| + absolute`.
    #[inline]
    pub fn min_scale(&self, mean: f64) -> f64 {
        self.relative * mean.abs() + self.absolute
    }
    // ANCHOR_END: apply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_binds_only_when_sigma_is_small() {
        let f = ScaleFloor::new(0.05, 1e-9).unwrap();
        approx::assert_relative_eq!(f.apply(0.0, 1000.0), 50.0 + 1e-9);
        approx::assert_relative_eq!(f.apply(80.0, 1000.0), 80.0);
        approx::assert_relative_eq!(f.apply(0.0, 0.0), 1e-9);
    }

    #[test]
    fn invalid_floors_are_refused_with_their_names() {
        assert!(ScaleFloor::new(-0.1, 0.0).unwrap_err().to_string().contains("`relative`"));
        assert!(ScaleFloor::new(0.0, f64::NAN).unwrap_err().to_string().contains("`absolute`"));
        assert!(ScaleFloor::new(0.0, 0.0).is_err());
        // A relative floor alone would be 0 on a history of zeros.
        assert!(ScaleFloor::new(0.05, 0.0).unwrap_err().to_string().contains("`absolute`"));
    }
}
