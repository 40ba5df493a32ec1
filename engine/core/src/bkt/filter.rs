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

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::Model;
use crate::error::{Error, Location, Result};

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
    /// ([`Model::average`]) are used.
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
    // posterior), which `LearnerState::check` would then reject.
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

/// One learner's knowledge state under one [`Model`]: P(known) per model skill (and learner
/// class), updated in O(1) per response. Serialisable so a platform can store it between
/// requests; [`LearnerState::check`] verifies a stored state against its model.
///
/// ```
/// use pathwise::{LearnerState, Model, FitInfo, Params, SkillModel, SkillStats, Variant};
/// let p = Params { prior: 0.2, learn: 0.1, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let skill = SkillModel::new("add", p, vec![], vec![], SkillStats::default());
/// let model = Model::new(Variant::default(), vec![skill], vec![], FitInfo::default())?;
/// let mut state = LearnerState::new(&model);
/// assert!((state.p_correct(&model, "add", None) - (0.2 * 0.9 + 0.8 * 0.2)).abs() < 1e-12);
/// let step = state.observe(&model, "add", None, true);
/// assert!(step.p_known_after > step.p_known_before);
/// assert_eq!(state.mastery(&model, "add"), step.p_known_after);
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerState {
    /// P(known) before the next response, `known[skill * classes + class]`, skills in the
    /// model's (sorted) order.
    known: Vec<f64>,
    /// Posterior over learner classes (`[1.0]` for models without a learner prior).
    classes: Vec<f64>,
    /// Skills the model does not know, seen by this learner: P(known) per class.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    unseen: BTreeMap<String, Vec<f64>>,
}

impl LearnerState {
    /// A learner with no responses yet: every skill at its prior.
    pub fn new(model: &Model) -> Self {
        let classes = model.initial_classes();
        let n = classes.len();
        let mut known = Vec::with_capacity(model.n_skills() * n);
        for s in 0..model.n_skills() {
            for c in 0..n {
                known.push(model.class_prior(s, c));
            }
        }
        Self {
            known,
            classes,
            unseen: BTreeMap::new(),
        }
    }

    /// Checks that a (deserialised) state belongs to `model` and holds probabilities.
    pub fn check(&self, model: &Model) -> Result<()> {
        let n = model.n_classes();
        let ok = self.classes.len() == n
            && self.known.len() == model.n_skills() * n
            && self.unseen.values().all(|v| v.len() == n)
            && self
                .known
                .iter()
                .chain(&self.classes)
                .chain(self.unseen.values().flatten())
                .all(|p| (0.0..=1.0).contains(p));
        if ok {
            Ok(())
        } else {
            Err(Error::input(
                Location::default(),
                format!(
                    "the learner state does not match the model ({} skills, {} learner classes)",
                    model.n_skills(),
                    n
                ),
            ))
        }
    }

    fn n_classes(&self) -> usize {
        self.classes.len()
    }

    fn fits(&self, model: &Model) -> bool {
        self.classes.len() == model.n_classes()
            && self.known.len() == model.n_skills() * self.n_classes()
    }

    /// P(known) of skill `skill` (a dense index from [`Model::skill_index`]) before the next
    /// response. Panics if `skill` is out of range.
    #[inline]
    pub fn mastery_dense(&self, skill: usize) -> f64 {
        let n = self.n_classes();
        let k = &self.known[skill * n..(skill + 1) * n];
        k.iter().zip(&self.classes).map(|(k, p)| k * p).sum()
    }

    /// P(known) of every model skill, in the model's skill order.
    pub fn masteries(&self) -> Vec<f64> {
        let n = self.n_classes().max(1);
        (0..self.known.len() / n)
            .map(|s| self.mastery_dense(s))
            .collect()
    }

    /// P(correct) of the next response on skill `skill` and item `item` (dense indices from
    /// [`Model::skill_index`] and [`crate::SkillModel::item_index`]; `None` = no/unseen item).
    #[inline]
    pub fn p_correct_dense(&self, model: &Model, skill: usize, item: Option<usize>) -> f64 {
        let (g, s, _, _) = model.skills()[skill].item_values(item);
        let k = self.mastery_dense(skill);
        k * (1.0 - s) + (1.0 - k) * g
    }

    /// Updates the state with a response on skill `skill`, item `item` (dense indices).
    /// Panics if `skill` is out of range.
    #[inline]
    pub fn observe_dense(
        &mut self,
        model: &Model,
        skill: usize,
        item: Option<usize>,
        correct: bool,
    ) -> Step {
        let e = model.skills()[skill].item_values(item);
        let n = self.n_classes();
        let known = &mut self.known[skill * n..(skill + 1) * n];
        let step = observe_classes(known, &mut self.classes, e, correct);
        Step {
            fallback: Fallback::None,
            ..step
        }
    }

    /// P(known) of skill `skill` before the next response; a skill the model does not know
    /// starts at the population-average prior.
    pub fn mastery(&self, model: &Model, skill: &str) -> f64 {
        match model.skill_index(skill) {
            Some(s) if self.fits(model) => self.mastery_dense(s),
            _ => {
                let n = self.n_classes();
                let fallback: Vec<f64> = (0..n).map(|c| model.fallback_class_prior(c)).collect();
                let k = self.unseen.get(skill).unwrap_or(&fallback);
                k.iter().zip(&self.classes).map(|(k, p)| k * p).sum()
            }
        }
    }

    /// P(correct) of the next response on `skill` / `item` (fallbacks as in [`Fallback`]).
    pub fn p_correct(&self, model: &Model, skill: &str, item: Option<&str>) -> f64 {
        let (g, s, _, _) = resolve(model, skill, item).0;
        let k = self.mastery(model, skill);
        k * (1.0 - s) + (1.0 - k) * g
    }

    /// Updates the state with a response on `skill` / `item`, in O(1) (a hash lookup of the
    /// ids). Unknown skills and items use the documented fallbacks, reported in the step.
    /// A response on several skills: call this once per skill.
    pub fn observe(
        &mut self,
        model: &Model,
        skill: &str,
        item: Option<&str>,
        correct: bool,
    ) -> Step {
        let (e, fallback) = resolve(model, skill, item);
        let n = self.n_classes();
        let step = match model.skill_index(skill) {
            Some(s) if self.fits(model) => {
                let known = &mut self.known[s * n..(s + 1) * n];
                observe_classes(known, &mut self.classes, e, correct)
            }
            _ => {
                let known = self
                    .unseen
                    .entry(skill.to_owned())
                    .or_insert_with(|| (0..n).map(|c| model.fallback_class_prior(c)).collect());
                observe_classes(known, &mut self.classes, e, correct)
            }
        };
        Step { fallback, ..step }
    }
}

/// The parameters for (skill, item) by name, with the fallback used.
fn resolve(model: &Model, skill: &str, item: Option<&str>) -> (Emission, Fallback) {
    match model.skill(skill) {
        None => {
            let a = model.average();
            ((a.guess, a.slip, a.learn, a.forget), Fallback::UnseenSkill)
        }
        Some(sm) => {
            let has_items = !sm.items().is_empty();
            let index = item.and_then(|i| sm.item_index(i));
            let fallback = if has_items && item.is_some() && index.is_none() {
                Fallback::UnseenItem
            } else {
                Fallback::None
            };
            (sm.item_values(index), fallback)
        }
    }
}

/// Updates one skill's per-class knowledge and the class posterior with one response.
#[inline]
fn observe_classes(known: &mut [f64], classes: &mut [f64], e: Emission, correct: bool) -> Step {
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
    let mut lik = [0.0; super::mixture::LEARNER_CLASSES];
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
    use crate::{FitInfo, ItemParams, Params, SkillModel, SkillStats, Variant};

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
                assert!((state.p_correct(&model, "x", Some(items[t])) - pc).abs() < 1e-12);
                let step = state.observe(&model, "x", Some(items[t]), obs[t]);
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

    #[test]
    fn unseen_skills_use_the_population_average_and_state_round_trips() {
        let model = item_model(Variant::default(), vec![], vec![]);
        let mut state = LearnerState::new(&model);
        let step = state.observe(&model, "never-seen", None, true);
        assert_eq!(step.fallback, Fallback::UnseenSkill);
        assert_eq!(step.p_known_before, model.average().prior);
        let text = serde_json::to_string(&state).unwrap();
        let back: LearnerState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, state);
        back.check(&model).unwrap();
        assert_eq!(back.mastery(&model, "never-seen"), step.p_known_after);
        let other = Model::new(
            Variant::default(),
            vec![
                SkillModel::new("a", P, vec![], vec![], SkillStats::default()),
                SkillModel::new("b", P, vec![], vec![], SkillStats::default()),
            ],
            vec![],
            FitInfo::default(),
        )
        .unwrap();
        assert!(back.check(&other).is_err());
    }

    #[test]
    fn dense_and_named_calls_agree() {
        let model = item_model(Variant::default(), vec![], vec![]);
        let mut a = LearnerState::new(&model);
        let mut b = LearnerState::new(&model);
        let x = model.skill_index("x").unwrap();
        for c in [true, false, true] {
            let sa = a.observe(&model, "x", None, c);
            let sb = b.observe_dense(&model, x, None, c);
            assert_eq!(sa, sb);
        }
        assert_eq!(a.masteries(), vec![a.mastery(&model, "x")]);
        assert_eq!(
            a.p_correct_dense(&model, x, None),
            a.p_correct(&model, "x", None)
        );
    }
}
