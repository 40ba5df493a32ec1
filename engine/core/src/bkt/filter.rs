//! The online filter: one learner's knowledge state, updated in O(1) per response.
//!
//! For each skill the state holds P(known) *before the next response* (the one-step prediction),
//! per learner class. A response `c` on a skill with parameters (g, s, l, f) updates it as
//!
//! ```text
//! P(correct)       = k (1 − s) + (1 − k) g
//! k | response     = k·P(c | known) / P(c)                       (Bayes)
//! k next           = (k | response)(1 − f) + (1 − k | response) l  (learning opportunity)
//! ```
//!
//! With a learner prior (see the `mixture` module) each class `c` keeps its own `k_c`, and the
//! class posterior is multiplied by each response's likelihood under the class; mastery is the
//! posterior-weighted mean. Only the learner's earlier responses ever enter a prediction.

use serde::{Deserialize, Serialize};

/// What the filter said about one response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Step {
    /// P(correct) before the response was seen.
    pub p_correct: f64,
    /// P(known) before the response was seen.
    pub p_known_before: f64,
    /// P(known) after the response and its learning opportunity: the mastery the learner now
    /// has, i.e. `p_known_before` of their next response on this skill.
    pub p_known_after: f64,
    /// Which documented fallback, if any, gave the parameters.
    pub fallback: Fallback,
}

/// Which parameters scored a response whose skill or item the model had not seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    /// The model knows the skill (and the item, when it has per-item parameters).
    #[default]
    None,
    /// The model has per-item parameters but not for this item: the skill's own values are used.
    UnseenItem,
    /// The model does not know the skill: the population-average parameters
    /// ([`crate::Model::average`]) are used.
    UnseenSkill,
}

/// Parameters of one observation: (guess, slip, learn, forget).
pub(crate) type Emission = (f64, f64, f64, f64);

/// One class's update of one skill: returns (P(correct), P(this response)) before the response
/// and moves `k` to P(known) before the next response.
#[inline]
pub(crate) fn class_update(k: &mut f64, (g, s, l, f): Emission, correct: bool) -> (f64, f64) {
    let known = *k;
    let pc = known * (1.0 - s) + (1.0 - known) * g;
    let (lik, e1) = if correct {
        (pc, 1.0 - s)
    } else {
        (1.0 - pc, s)
    };
    let post = if lik > 0.0 { known * e1 / lik } else { known };
    // Clamped: rounding can land a hair above 1 (e.g. 1.0000000000000002 after a near-certain
    // posterior), which a stored state's check would then reject.
    *k = (post * (1.0 - f) + (1.0 - post) * l).clamp(0.0, 1.0);
    (pc, lik)
}

/// Multiplies the class posterior by per-class likelihoods and renormalises (left unchanged if
/// every likelihood is 0).
#[inline]
pub(crate) fn update_classes(classes: &mut [f64], lik: &[f64]) {
    let total: f64 = classes.iter().zip(lik).map(|(p, l)| p * l).sum();
    if total > 0.0 && total.is_finite() {
        for (p, l) in classes.iter_mut().zip(lik) {
            *p = *p * l / total;
        }
    }
}

/// Updates one skill's per-class knowledge and the class posterior with one response (the
/// step's fallback is the caller's to fill in).
#[inline]
pub(crate) fn observe_classes(
    known: &mut [f64],
    classes: &mut [f64],
    e: Emission,
    correct: bool,
) -> Step {
    if known.len() == 1 {
        let before = known[0];
        let (pc, _) = class_update(&mut known[0], e, correct);
        return Step {
            p_correct: pc,
            p_known_before: before,
            p_known_after: known[0],
            fallback: Fallback::None,
        };
    }
    let mut lik = [0.0; super::params::LEARNER_CLASSES];
    let mut pc = 0.0;
    let mut before = 0.0;
    for (c, k) in known.iter_mut().enumerate() {
        before += classes[c] * *k;
        let (p, l) = class_update(k, e, correct);
        pc += classes[c] * p;
        if let Some(slot) = lik.get_mut(c) {
            *slot = l;
        }
    }
    update_classes(classes, &lik[..known.len().min(lik.len())]);
    let after = known.iter().zip(classes.iter()).map(|(k, p)| k * p).sum();
    Step {
        p_correct: pc,
        p_known_before: before,
        p_known_after: after,
        fallback: Fallback::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        FitInfo, LearnerState, Model, Params, SkillModel, Variant,
        bkt::{ItemParams, SkillStats},
    };

    const P: Params = Params {
        prior: 0.35,
        learn: 0.15,
        forget: 0.04,
        guess: 0.22,
        slip: 0.12,
    };

    /// Direct reference: P(o_t = 1 | o_<t) and P(known_t | o_<t) by enumerating every hidden
    /// path (and class) of the first t + 1 steps.
    fn reference(
        priors: &[f64],
        weights: &[f64],
        emis: &[(f64, f64, f64, f64)],
        obs: &[bool],
        t: usize,
    ) -> (f64, f64) {
        let (mut p_prefix, mut p_correct, mut p_known) = (0.0, 0.0, 0.0);
        for (c, (&prior, &w)) in priors.iter().zip(weights).enumerate() {
            let _ = c;
            for path in 0..(1u32 << (t + 1)) {
                let k = |i: usize| (path >> i) & 1 == 1;
                let mut pr = w * if k(0) { prior } else { 1.0 - prior };
                for i in 0..t {
                    let (g, s, l, f) = emis[i];
                    let pc = if k(i) { 1.0 - s } else { g };
                    pr *= if obs[i] { pc } else { 1.0 - pc };
                    pr *= match (k(i), k(i + 1)) {
                        (false, false) => 1.0 - l,
                        (false, true) => l,
                        (true, false) => f,
                        (true, true) => 1.0 - f,
                    };
                }
                p_prefix += pr;
                let (g, s, _, _) = emis[t];
                p_correct += pr * if k(t) { 1.0 - s } else { g };
                if k(t) {
                    p_known += pr;
                }
            }
        }
        (p_correct / p_prefix, p_known / p_prefix)
    }

    fn item_model(variant: Variant, class_weights: Vec<f64>, class_priors: Vec<f64>) -> Model {
        let items = vec![
            ItemParams {
                id: "easy".into(),
                guess: 0.4,
                slip: 0.05,
                learn: 0.3,
                forget: 0.02,
            },
            ItemParams {
                id: "hard".into(),
                guess: 0.1,
                slip: 0.2,
                learn: 0.05,
                forget: 0.06,
            },
        ];
        let s = SkillModel::new("x", P, items, class_priors, SkillStats::default());
        Model::new(variant, vec![s], class_weights, FitInfo::default()).unwrap()
    }

    #[test]
    fn filter_agrees_with_path_enumeration() {
        let all = Variant {
            forgets: true,
            item_guess_slip: true,
            item_learn: true,
            learner_prior: false,
        };
        let cases = [
            (item_model(all, vec![], vec![]), vec![P.prior], vec![1.0]),
            (
                item_model(
                    Variant {
                        learner_prior: true,
                        ..all
                    },
                    vec![0.3, 0.7],
                    vec![0.1, 0.6],
                ),
                vec![0.1, 0.6],
                vec![0.3, 0.7],
            ),
        ];
        let obs = [
            false, true, true, false, true, true, true, false, true, true,
        ];
        let items = [
            "easy", "hard", "hard", "easy", "nope", "hard", "easy", "easy", "hard", "hard",
        ];
        for (model, priors, weights) in cases {
            let sm = model.skill("x").unwrap();
            let emis: Vec<_> = items
                .iter()
                .map(|i| sm.item_values(sm.item_index(i)))
                .collect();
            let mut state = LearnerState::new(&model);
            for t in 0..obs.len() {
                let (pc, pk) = reference(&priors, &weights, &emis, &obs, t);
                assert!((state.p_correct(&model, "x", Some(items[t])).unwrap() - pc).abs() < 1e-12);
                let step = state.observe(&model, "x", Some(items[t]), obs[t]).unwrap();
                assert!(
                    (step.p_correct - pc).abs() < 1e-12,
                    "t={t}: {} vs {pc}",
                    step.p_correct
                );
                assert!((step.p_known_before - pk).abs() < 1e-12, "t={t}");
                let expected = if items[t] == "nope" {
                    Fallback::UnseenItem
                } else {
                    Fallback::None
                };
                assert_eq!(step.fallback, expected);
            }
        }
    }
}
