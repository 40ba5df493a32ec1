//! Weak Beta priors on the BKT parameters, written as pseudo-observations: EM then finds the
//! maximum a posteriori fit instead of the maximum-likelihood one (the "Dirichlet priors" of Rai,
//! Gong & Beck, "Using Dirichlet priors to improve model parameter plausibility", EDM 2009).
//!
//! Every parameter θ with expected counts `num / den` is estimated as
//! `(num + k·m) / (den + k)`: `k` pseudo-observations whose share `m` is the parameter's textbook
//! value. On a skill with thousands of observations the change is in the fourth decimal; on a skill
//! with a handful it keeps EM away from the degenerate corners (learn = 1, guess = 0, prior = 1)
//! that maximum likelihood reaches on little data and that predict badly for new learners.

use super::counts::Counts;
use super::slot_params::SlotParams;
use crate::bkt::params::{Bounds, ParamName, Params};

/// Denominators at or below this count as "no data" for a slot (the M-step then pools).
pub(super) const NO_DATA: f64 = 1e-9;

/// Pseudo-observations added to every parameter's expected counts (see the module doc).
///
/// ```
/// use pathwise::{FitOptions, PseudoCounts};
/// // Maximum-likelihood EM, as pyBKT and most BKT tools fit:
/// let ml = FitOptions { pseudo_counts: PseudoCounts::none(), ..FitOptions::default() };
/// assert_eq!(ml.pseudo_counts.weight, 0.0);
/// assert_eq!(PseudoCounts::default().weight, 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PseudoCounts {
    /// Pseudo-observations per parameter (`k`); 0 is maximum likelihood.
    pub weight: f64,
    /// Where they sit (`m`): the parameters' textbook values.
    pub at: Params,
}

/// The default weight: five pseudo-observations per parameter.
pub const DEFAULT_PSEUDO_COUNTS: f64 = 5.0;

impl Default for PseudoCounts {
    /// Five pseudo-observations at prior 0.5, learn 0.1, forget 0.05, guess 0.2, slip 0.1.
    fn default() -> Self {
        Self {
            weight: DEFAULT_PSEUDO_COUNTS,
            at: Params {
                forget: 0.05,
                ..Params::default()
            },
        }
    }
}

impl PseudoCounts {
    /// No pseudo-observations: maximum-likelihood EM.
    pub fn none() -> Self {
        Self {
            weight: 0.0,
            ..Self::default()
        }
    }

    /// `weight` pseudo-observations at the default values.
    pub fn with_weight(weight: f64) -> Self {
        Self {
            weight,
            ..Self::default()
        }
    }

    /// `weight` pseudo-observations when given; else none under [`Bounds::none`] (so that
    /// unbounded alone is plain maximum-likelihood EM) and the default under any other bounds.
    /// The rule of `pathwise fit --pseudo-counts` and of the Python `Model`.
    pub fn chosen(weight: Option<f64>, bounds: &Bounds) -> Self {
        match weight {
            Some(k) => Self::with_weight(k),
            None if *bounds == Bounds::none() => Self::none(),
            None => Self::default(),
        }
    }

    /// The M-step estimate of `name` from expected counts `num / den`, in a slot that holds
    /// `total` observations (or sequences, for the prior); `None` when the slot has no data.
    pub(super) fn estimate(&self, name: ParamName, num: f64, den: f64, total: f64) -> Option<f64> {
        let k = self.weight;
        (total > NO_DATA && den + k > NO_DATA).then(|| (num + k * self.at.get(name)) / (den + k))
    }

    /// The log prior density of `sp`, up to a constant: `Σ k·m·ln θ + k·(1 − m)·ln(1 − θ)` over
    /// the parameters of slots that hold data in `counts` (those the M-step estimates; a slot
    /// without data takes a pooled value, which the prior does not judge). EM with these
    /// pseudo-counts never lowers log-likelihood + this.
    pub(super) fn log_density(&self, sp: &SlotParams, counts: &Counts, forgets: bool) -> f64 {
        let k = self.weight;
        if k == 0.0 {
            return 0.0;
        }
        let term = |name: ParamName, v: f64| {
            let m = self.at.get(name);
            let v = v.clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
            k * (m * v.ln() + (1.0 - m) * (1.0 - v).ln())
        };
        let mut sum = 0.0;
        for (p, &total) in sp.prior.iter().zip(&counts.prior_total) {
            if total > NO_DATA {
                sum += term(ParamName::Prior, *p);
            }
        }
        for (j, row) in counts.emit.iter().enumerate() {
            if row[1] + row[3] > NO_DATA {
                sum += term(ParamName::Guess, sp.guess[j]) + term(ParamName::Slip, sp.slip[j]);
            }
        }
        for (j, row) in counts.trans.iter().enumerate() {
            if row[1] + row[3] > NO_DATA {
                sum += term(ParamName::Learn, sp.learn[j]);
                if forgets {
                    sum += term(ParamName::Forget, sp.forget[j]);
                }
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_adds_the_pseudo_observations_at_their_value() {
        let pc = PseudoCounts::default();
        // 3 guesses right of 10 unknown attempts, plus 5 pseudo-attempts at 0.2: (3 + 1) / 15.
        let g = pc.estimate(ParamName::Guess, 3.0, 10.0, 12.0).unwrap();
        assert!((g - 4.0 / 15.0).abs() < 1e-15);
        assert_eq!(
            PseudoCounts::none().estimate(ParamName::Guess, 3.0, 10.0, 12.0),
            Some(0.3)
        );
        assert_eq!(pc.estimate(ParamName::Learn, 0.0, 0.0, 0.0), None);
    }

    #[test]
    fn log_density_peaks_at_the_pseudo_counts_values() {
        let pc = PseudoCounts::default();
        let mut counts = Counts::zero(1, 1, 1);
        counts.prior_total[0] = 1.0;
        counts.emit[0] = [1.0, 1.0, 1.0, 1.0];
        counts.trans[0] = [1.0, 1.0, 1.0, 1.0];
        let at = |prior: f64, guess: f64| SlotParams {
            prior: vec![prior],
            guess: vec![guess],
            slip: vec![0.1],
            learn: vec![0.1],
            forget: vec![0.0],
        };
        let best = pc.log_density(&at(0.5, 0.2), &counts, false);
        assert!(best > pc.log_density(&at(0.6, 0.2), &counts, false));
        assert!(best > pc.log_density(&at(0.5, 0.1), &counts, false));
        assert_eq!(
            PseudoCounts::none().log_density(&at(0.9, 0.4), &counts, false),
            0.0
        );
        // Slots without data are not judged.
        let empty = Counts::zero(1, 1, 1);
        assert_eq!(pc.log_density(&at(0.9, 0.4), &empty, false), 0.0);
    }
}
