//! The settings of a fit ([`FitOptions`]), their checks, and EM's stopping rule.

use super::pseudo_counts::PseudoCounts;
use crate::bkt::model::Model;
use crate::bkt::params::{Bounds, FixedParams, ParamName, Variant};
use crate::error::{Error, Result};

/// Settings of [`fit`](crate::fit). Threads: `fit` runs on the caller's rayon pool (wrap the call in
/// `ThreadPool::install` to choose the count); the result does not depend on it.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Which variant to fit.
    pub variant: Variant,
    /// Ranges the M-step keeps each parameter in (default: guess, slip < 0.5).
    pub bounds: Bounds,
    /// Pseudo-observations added to every parameter's counts (default: 5 at the textbook
    /// values; [`PseudoCounts::none`] is maximum-likelihood EM).
    pub pseudo_counts: PseudoCounts,
    /// Starting points per skill (default 5): the first is the warm start (or the textbook start
    /// prior 0.5, learn 0.1, guess 0.2, slip 0.1), the others are drawn from the seeded
    /// generator. At least 1.
    pub restarts: u32,
    /// Seed of the restarts' generator (default 0).
    pub seed: u64,
    /// EM stops when the relative change of the log-likelihood between two iterations is at most
    /// `tol` (default 1e-6). Must be > 0.
    pub tol: f64,
    /// EM stops after this many iterations even when not converged (default 200). At least 1.
    pub max_iter: u32,
    /// Parameters held at given values.
    pub fixed: FixedParams,
    /// A model whose parameters are the first starting point (skills and items it knows).
    pub warm_start: Option<Model>,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            variant: Variant::default(),
            bounds: Bounds::default(),
            pseudo_counts: PseudoCounts::default(),
            restarts: 5,
            seed: 0,
            tol: 1e-6,
            max_iter: 200,
            fixed: FixedParams::default(),
            warm_start: None,
        }
    }
}

/// The most restarts a fit takes: every restart of a skill holds its own EM state, allocated
/// before the first iteration.
pub const MAX_RESTARTS: u32 = 1000;

impl FitOptions {
    /// Checks the settings: `1 ≤ restarts ≤` [`MAX_RESTARTS`], `tol > 0`, `max_iter ≥ 1`, bounds
    /// inside `[0, 1]`.
    pub fn validate(&self) -> Result<()> {
        if self.restarts == 0 {
            return Err(Error::setting("restarts", "restarts must be at least 1"));
        }
        if self.restarts > MAX_RESTARTS {
            return Err(Error::setting(
                "restarts",
                format!(
                    "restarts must be at most {MAX_RESTARTS}, got {}",
                    self.restarts
                ),
            ));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::setting(
                "tol",
                format!("tol must be a positive number, got {}", self.tol),
            ));
        }
        if self.max_iter == 0 {
            return Err(Error::setting("max_iter", "max_iter must be at least 1"));
        }
        let pc = &self.pseudo_counts;
        if !(pc.weight >= 0.0 && pc.weight.is_finite()) {
            return Err(Error::setting(
                "pseudo_counts",
                format!("pseudo-counts must be a number ≥ 0, got {}", pc.weight),
            ));
        }
        for name in ParamName::ALL {
            let m = pc.at.get(name);
            if !(m > 0.0 && m < 1.0) {
                return Err(Error::setting(
                    "pseudo_counts",
                    format!(
                        "pseudo_counts value of {} must lie strictly between 0 and 1, got {m}",
                        name.as_str()
                    ),
                ));
            }
        }
        for name in ParamName::ALL {
            let (lo, hi) = self.bounds.range(name);
            if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
                return Err(Error::setting(
                    "bounds",
                    format!(
                        "bounds of {} must satisfy 0 ≤ min ≤ max ≤ 1, got [{lo}, {hi}]",
                        name.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// True when EM has converged: the relative change of the log-likelihood is at most `tol`.
pub(super) fn converged(prev: f64, ll: f64, tol: f64) -> bool {
    (ll - prev).abs() <= tol * prev.abs().max(f64::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bkt::params::Params;

    #[test]
    fn validate_rejects_zero_restarts_and_non_positive_tol() {
        let bad = [
            FitOptions {
                restarts: 0,
                ..FitOptions::default()
            },
            FitOptions {
                restarts: MAX_RESTARTS + 1,
                ..FitOptions::default()
            },
            FitOptions {
                tol: 0.0,
                ..FitOptions::default()
            },
            FitOptions {
                tol: -1.0,
                ..FitOptions::default()
            },
            FitOptions {
                max_iter: 0,
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts::with_weight(-1.0),
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts::with_weight(f64::NAN),
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts {
                    at: Params {
                        guess: 0.0,
                        ..Params::default()
                    },
                    ..PseudoCounts::default()
                },
                ..FitOptions::default()
            },
        ];
        // Each broken rule names its setting, so a front end can point at its own flag or field.
        let settings = [
            "restarts",
            "restarts",
            "tol",
            "tol",
            "max_iter",
            "pseudo_counts",
            "pseudo_counts",
            "pseudo_counts",
        ];
        assert_eq!(bad.len(), settings.len());
        for (o, want) in bad.iter().zip(settings) {
            match o.validate() {
                Err(Error::Config { setting, .. }) => assert_eq!(setting, Some(want), "{o:?}"),
                other => panic!("{o:?}: expected a config error, got {other:?}"),
            }
        }
        FitOptions::default().validate().unwrap();
    }
}
