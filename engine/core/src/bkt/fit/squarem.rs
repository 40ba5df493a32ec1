//! SQUAREM: extrapolating EM steps (Varadhan & Roland, "Simple and globally convergent methods
//! for accelerating the convergence of any EM algorithm", Scandinavian Journal of Statistics 35,
//! 2008), the SqS3 step length with their adaptive step bound.
//!
//! From θ₀, θ₁ = EM(θ₀) and θ₂ = EM(θ₁), with `r = θ₁ − θ₀` and `v = θ₂ − 2θ₁ + θ₀`, the next point
//! is `θ₀ − 2αr + α²v` with `α = −‖r‖/‖v‖`, kept in `[−max_step, −1]` and clamped into the
//! parameter bounds. At `α = −1` it is θ₂, a plain double EM step; longer steps jump along the
//! slow direction in which EM crawls near an optimum. The caller keeps EM's monotonicity: it
//! evaluates the extrapolated point and falls back to θ₂ when the likelihood went down.

use super::slot_params::SlotParams;
use crate::bkt::params::{Bounds, ParamName};

/// The step bound grows by this factor when a step reaches it, and shrinks by it after a
/// rejected step (`mstep` in the paper's software).
const STEP_FACTOR: f64 = 4.0;

/// The step-length state of one EM run.
#[derive(Debug, Clone)]
pub(super) struct Squarem {
    max_step: f64,
}

impl Squarem {
    /// A run's first extrapolation is at most a double EM step.
    pub fn new() -> Self {
        Self { max_step: 1.0 }
    }

    /// The extrapolated point from θ₀, θ₁ = EM(θ₀) and θ₂ = EM(θ₁), clamped into `bounds`; `None`
    /// when the step is θ₂ itself. Parameters that did not move (held or unused) stay as they are.
    pub fn extrapolate(
        &mut self,
        p0: &SlotParams,
        p1: &SlotParams,
        p2: &SlotParams,
        bounds: &Bounds,
    ) -> Option<SlotParams> {
        let (mut rr, mut vv) = (0.0f64, 0.0f64);
        for (_, _, r, v) in moves(p0, p1, p2) {
            rr += r * r;
            vv += v * v;
        }
        if !(vv > 0.0 && rr.is_finite() && vv.is_finite()) {
            return None;
        }
        let alpha = -(rr / vv).sqrt();
        if alpha > -1.0 {
            return None;
        }
        let alpha = if alpha <= -self.max_step {
            let capped = -self.max_step;
            self.max_step *= STEP_FACTOR;
            capped
        } else {
            alpha
        };
        let mut out = p0.clone();
        let values = out
            .fields_mut()
            .into_iter()
            .flat_map(|(_, xs)| xs.iter_mut());
        for (x, (name, x0, r, v)) in values.zip(moves(p0, p1, p2)) {
            if r != 0.0 || v != 0.0 {
                *x = bounds.clamp(name, x0 - 2.0 * alpha * r + alpha * alpha * v);
            }
        }
        Some(out)
    }

    /// Records that the last extrapolated point lowered the likelihood: later steps are shorter.
    pub fn rejected(&mut self) {
        self.max_step = (self.max_step / STEP_FACTOR).max(1.0);
    }
}

/// Every parameter of θ₀ with its name, `r = θ₁ − θ₀` and `v = θ₂ − 2θ₁ + θ₀`, in field order.
fn moves<'a>(
    p0: &'a SlotParams,
    p1: &'a SlotParams,
    p2: &'a SlotParams,
) -> impl Iterator<Item = (ParamName, f64, f64, f64)> + 'a {
    p0.fields()
        .into_iter()
        .zip(p1.fields())
        .zip(p2.fields())
        .flat_map(|(((name, a), (_, b)), (_, c))| {
            a.iter()
                .zip(b)
                .zip(c)
                .map(move |((&x0, &x1), &x2)| (name, x0, x1 - x0, x2 - 2.0 * x1 + x0))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(prior: f64, guess: f64) -> SlotParams {
        SlotParams {
            prior: vec![prior],
            guess: vec![guess],
            slip: vec![0.1],
            learn: vec![0.2],
            forget: vec![0.0],
        }
    }

    #[test]
    fn a_geometric_crawl_is_extrapolated_towards_its_limit_within_bounds() {
        // θ_k = 0.3 + 0.1·0.8^k in the prior: EM-like linear convergence to 0.3.
        let at = |k: i32| params(0.3 + 0.1 * 0.8f64.powi(k), 0.2);
        let mut sq = Squarem::new();
        // The first step is capped at a double EM step, so the bound grows.
        let first = sq
            .extrapolate(&at(0), &at(1), &at(2), &Bounds::default())
            .unwrap();
        assert!((first.prior[0] - at(2).prior[0]).abs() < 1e-12);
        let next = sq
            .extrapolate(&at(0), &at(1), &at(2), &Bounds::default())
            .unwrap();
        assert!(
            (next.prior[0] - 0.3).abs() < (at(2).prior[0] - 0.3).abs() / 2.0,
            "{next:?}"
        );
        // Unmoved parameters are untouched.
        assert_eq!(
            (next.guess[0], next.slip[0], next.forget[0]),
            (0.2, 0.1, 0.0)
        );
    }

    #[test]
    fn steps_are_clamped_into_the_bounds_and_a_plain_step_gives_none() {
        let mut sq = Squarem { max_step: 1e6 };
        // Guess heading for 0.6 while the default bounds keep it under 0.5.
        let at = |k: i32| params(0.3, 0.6 - 0.2 * 0.9f64.powi(k));
        let p = sq
            .extrapolate(&at(0), &at(1), &at(2), &Bounds::default())
            .unwrap();
        let (_, hi) = Bounds::default().range(ParamName::Guess);
        assert!(p.guess[0] <= hi && p.guess[0] > at(2).guess[0], "{p:?}");
        // Points that do not move: nothing to extrapolate.
        assert!(
            sq.extrapolate(&at(1), &at(1), &at(1), &Bounds::default())
                .is_none()
        );
    }
}
