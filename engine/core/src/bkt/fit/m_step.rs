//! The M-step: new slot parameters from expected counts and pseudo-counts, within the bounds; and
//! the objective EM maximises.

use std::collections::BTreeMap;

use super::counts::Counts;
use super::options::FitOptions;
use super::slot_params::SlotParams;
use crate::bkt::params::{PROB_FLOOR, ParamName};

/// The M-step: new parameters from expected counts plus the pseudo-counts, clamped into the
/// bounds, fixed parameters held. Slots without data take the pooled estimate of their skill.
pub(super) fn m_step(
    counts: &Counts,
    sp: &mut SlotParams,
    options: &FitOptions,
    fixed: Option<&BTreeMap<ParamName, f64>>,
) {
    let b = &options.bounds;
    let pc = &options.pseudo_counts;
    let settle = |name: ParamName, v: f64| {
        fixed.and_then(|f| f.get(&name)).map_or_else(
            || b.clamp(name, v),
            |v| v.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR),
        )
    };
    for (c, prior) in sp.prior.iter_mut().enumerate() {
        let (known, total) = (counts.prior_known[c], counts.prior_total[c]);
        let v = pc.estimate(ParamName::Prior, known, total, total);
        *prior = settle(ParamName::Prior, v.unwrap_or(*prior));
    }
    let pooled = |rows: &[[f64; 4]]| {
        let mut p = [0.0; 4];
        for r in rows {
            for k in 0..4 {
                p[k] += r[k];
            }
        }
        p
    };
    // Guess and learn are the first half of a row, slip and forget the second.
    let estimate =
        |(a, b): (ParamName, ParamName), row: &[f64; 4], pool: &[f64; 4], old: (f64, f64)| {
            let one = |name, r: &[f64; 4], half: usize| {
                pc.estimate(name, r[half], r[half + 1], r[1] + r[3])
            };
            (
                one(a, row, 0).or_else(|| one(a, pool, 0)).unwrap_or(old.0),
                one(b, row, 2).or_else(|| one(b, pool, 2)).unwrap_or(old.1),
            )
        };
    let pe = pooled(&counts.emit);
    for (k, row) in counts.emit.iter().enumerate() {
        let names = (ParamName::Guess, ParamName::Slip);
        let (g, s) = estimate(names, row, &pe, (sp.guess[k], sp.slip[k]));
        sp.guess[k] = settle(ParamName::Guess, g);
        sp.slip[k] = settle(ParamName::Slip, s);
    }
    let pt = pooled(&counts.trans);
    for (k, row) in counts.trans.iter().enumerate() {
        let names = (ParamName::Learn, ParamName::Forget);
        let (l, f) = estimate(names, row, &pt, (sp.learn[k], sp.forget[k]));
        sp.learn[k] = settle(ParamName::Learn, l);
        sp.forget[k] = if options.variant.forgets {
            settle(ParamName::Forget, f)
        } else {
            0.0
        };
    }
}

/// EM's objective at `sp`, from the E-step's `counts` there: the log-likelihood plus the log
/// prior density of the pseudo-counts (just the log-likelihood without them).
pub(super) fn objective(counts: &Counts, sp: &SlotParams, options: &FitOptions) -> f64 {
    counts.ll
        + options
            .pseudo_counts
            .log_density(sp, counts, options.variant.forgets)
}
