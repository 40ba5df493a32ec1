//! [`LearnerState`]: one learner's knowledge under one model, with the evidence the mastery rule
//! needs, updated in O(1) per response.

use std::collections::BTreeMap;

use super::filter::{Emission, Fallback, Step, observe_classes};
use super::mastery::{Evidence, MasteryRule, Status};
use super::model::Model;
use crate::error::{Error, Result};

/// One learner's state under one [`Model`]: P(known) per skill (and learner class), the
/// [`Evidence`] of their responses per skill, and when each skill was last practised.
///
/// The state belongs to the model it was made with (it carries the model's
/// [fingerprint](Model::fingerprint)); every call checks that and fails with
/// [`Error::StateMismatch`] rather than reading one skill's numbers as another's. A platform
/// stores it with [`LearnerState::to_json`] (keyed by skill id) and loads it with
/// [`LearnerState::from_json`], which carries a state over to a refitted model by skill id.
///
/// ```
/// use pathwise::{LearnerState, Model, FitInfo, Params, SkillModel, bkt::SkillStats, Variant};
/// use pathwise::bkt::mastery::Status;
/// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let skill = SkillModel::new("add", p, vec![], vec![], SkillStats::default());
/// let model = Model::new(Variant::default(), vec![skill], vec![], FitInfo::default())?;
/// let mut state = LearnerState::new(&model);
/// assert_eq!(state.status(&model, "add")?, Status::NotAssessed);
/// let step = state.observe(&model, "add", None, true)?;
/// assert!(step.p_known_after > step.p_known_before);
/// assert_eq!(state.mastery(&model, "add")?, step.p_known_after);
/// for _ in 0..4 {
///     state.observe(&model, "add", None, true)?;
/// }
/// assert_eq!(state.status(&model, "add")?, Status::Mastered);
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerState {
    /// The fingerprint of the model the state belongs to.
    pub(super) model: String,
    pub(super) rule: MasteryRule,
    /// P(known) before the next response, `known[skill * classes + class]`, skills in the
    /// model's (sorted) order.
    pub(super) known: Vec<f64>,
    /// Posterior over learner classes (`[1.0]` for models without a learner prior).
    pub(super) classes: Vec<f64>,
    /// Per model skill.
    pub(super) evidence: Vec<Evidence>,
    /// Per model skill: the number of the learner's response that last practised it (1-based;
    /// 0 = never).
    pub(super) last: Vec<u64>,
    /// Responses so far.
    pub(super) responses: u64,
    /// Skills the model does not know, seen by this learner.
    pub(super) unseen: BTreeMap<String, Unseen>,
}

/// A skill the model does not know, as one learner practised it (population-average parameters).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Unseen {
    pub known: Vec<f64>,
    pub evidence: Evidence,
    pub last: u64,
}

impl LearnerState {
    /// A learner with no responses yet under the default [`MasteryRule`]: every skill at its
    /// prior and not assessed.
    pub fn new(model: &Model) -> Self {
        Self::blank(model, MasteryRule::default())
    }

    /// A learner with no responses yet, judged by `rule` (validated).
    pub fn with_rule(model: &Model, rule: MasteryRule) -> Result<Self> {
        rule.validate()?;
        Ok(Self::blank(model, rule))
    }

    /// A new state under `rule`, which the caller has validated.
    pub(crate) fn blank_with(model: &Model, rule: MasteryRule) -> Self {
        Self::blank(model, rule)
    }

    pub(super) fn blank(model: &Model, rule: MasteryRule) -> Self {
        let classes = model.initial_classes();
        let n = classes.len();
        let mut known = Vec::with_capacity(model.n_skills() * n);
        for s in 0..model.n_skills() {
            for c in 0..n {
                known.push(model.class_prior(s, c));
            }
        }
        Self {
            model: model.fingerprint().to_owned(),
            rule,
            known,
            classes,
            evidence: vec![Evidence::default(); model.n_skills()],
            last: vec![0; model.n_skills()],
            responses: 0,
            unseen: BTreeMap::new(),
        }
    }

    /// The mastery rule the state is judged by.
    pub fn rule(&self) -> &MasteryRule {
        &self.rule
    }

    /// The fingerprint of the model the state belongs to ([`Model::fingerprint`]).
    pub fn model_fingerprint(&self) -> &str {
        &self.model
    }

    /// Responses observed so far.
    pub fn responses(&self) -> u64 {
        self.responses
    }

    /// `Ok` when the state belongs to `model`, else [`Error::StateMismatch`].
    pub fn check(&self, model: &Model) -> Result<()> {
        if self.model == model.fingerprint() {
            Ok(())
        } else {
            Err(Error::StateMismatch {
                state: short(&self.model),
                model: short(model.fingerprint()),
            })
        }
    }

    /// P(known) of `skill` before the next response; a skill the model does not know starts at
    /// the population-average prior.
    pub fn mastery(&self, model: &Model, skill: &str) -> Result<f64> {
        self.check(model)?;
        Ok(match model.skill_index(skill) {
            Some(s) => self.known_dense(s),
            None => self.unseen_known(model, skill),
        })
    }

    /// The mastery estimate of `skill`: P(known) as a share of the skill's attainable ceiling
    /// (see [`crate::bkt::mastery`]), at most 1. The [`MasteryRule`] threshold applies to it.
    pub fn estimate(&self, model: &Model, skill: &str) -> Result<f64> {
        self.check(model)?;
        Ok(match model.skill_index(skill) {
            Some(s) => self.estimate_dense(model, s),
            None => estimate(self.unseen_known(model, skill), model.average_ceiling()),
        })
    }

    /// The learner's responses on `skill`, as the mastery rule counts them.
    pub fn evidence(&self, model: &Model, skill: &str) -> Result<Evidence> {
        self.check(model)?;
        Ok(match model.skill_index(skill) {
            Some(s) => self.evidence[s],
            None => self
                .unseen
                .get(skill)
                .map(|u| u.evidence)
                .unwrap_or_default(),
        })
    }

    /// Where the learner stands on `skill` under the state's [`MasteryRule`].
    pub fn status(&self, model: &Model, skill: &str) -> Result<Status> {
        let evidence = self.evidence(model, skill)?;
        Ok(self.rule.status(self.estimate(model, skill)?, &evidence))
    }

    /// P(correct) of the next response on `skill` / `item` (fallbacks as in [`Fallback`]).
    pub fn p_correct(&self, model: &Model, skill: &str, item: Option<&str>) -> Result<f64> {
        let k = self.mastery(model, skill)?;
        let (g, s, _, _) = resolve(model, skill, item).0;
        Ok(k * (1.0 - s) + (1.0 - k) * g)
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
    ) -> Result<Step> {
        self.check(model)?;
        let (e, fallback) = resolve(model, skill, item);
        let step = match model.skill_index(skill) {
            Some(s) => self.update_dense(model, s, e, correct),
            None => self.update_unseen(model, skill, e, correct),
        };
        Ok(Step { fallback, ..step })
    }

    /// [`LearnerState::observe`] with dense indices (a skill from [`Model::skill_index`], an item
    /// from [`crate::SkillModel::item_index`]), for callers that resolved the ids once. The
    /// caller guarantees the state belongs to `model` and the indices are in range.
    pub(crate) fn observe_dense(
        &mut self,
        model: &Model,
        skill: usize,
        item: Option<usize>,
        correct: bool,
    ) -> Step {
        let e = model.skills()[skill].item_values(item);
        self.update_dense(model, skill, e, correct)
    }

    /// P(correct) with dense indices (see [`LearnerState::observe_dense`]).
    #[inline]
    pub(crate) fn p_correct_dense(&self, model: &Model, skill: usize, item: Option<usize>) -> f64 {
        let (g, s, _, _) = model.skills()[skill].item_values(item);
        let k = self.known_dense(skill);
        k * (1.0 - s) + (1.0 - k) * g
    }

    /// P(known) of model skill `skill` (dense index in range).
    #[inline]
    pub(crate) fn known_dense(&self, skill: usize) -> f64 {
        let n = self.classes.len();
        let k = &self.known[skill * n..(skill + 1) * n];
        k.iter().zip(&self.classes).map(|(k, p)| k * p).sum()
    }

    /// The mastery estimate of model skill `skill` (dense index in range).
    #[inline]
    pub(crate) fn estimate_dense(&self, model: &Model, skill: usize) -> f64 {
        estimate(self.known_dense(skill), model.ceiling(skill))
    }

    /// The evidence on model skill `skill` (dense index in range).
    #[inline]
    pub(crate) fn evidence_dense(&self, skill: usize) -> Evidence {
        self.evidence[skill]
    }

    /// Responses since model skill `skill` was last practised, not counting that response
    /// (`None` when never practised).
    #[inline]
    pub(crate) fn idle_dense(&self, skill: usize) -> Option<u64> {
        idle(self.responses, self.last[skill])
    }

    /// A skill the model does not know: (P(known), evidence, idle).
    pub(crate) fn unseen_skill(&self, model: &Model, skill: &str) -> (f64, Evidence, Option<u64>) {
        match self.unseen.get(skill) {
            Some(u) => (
                mixture(&u.known, &self.classes),
                u.evidence,
                idle(self.responses, u.last),
            ),
            None => (self.unseen_known(model, skill), Evidence::default(), None),
        }
    }

    fn unseen_known(&self, model: &Model, skill: &str) -> f64 {
        match self.unseen.get(skill) {
            Some(u) => mixture(&u.known, &self.classes),
            None => (0..self.classes.len())
                .map(|c| model.fallback_class_prior(c) * self.classes[c])
                .sum(),
        }
    }

    fn update_dense(&mut self, model: &Model, s: usize, e: Emission, correct: bool) -> Step {
        let n = self.classes.len();
        let known = &mut self.known[s * n..(s + 1) * n];
        let step = observe_classes(known, &mut self.classes, e, correct);
        self.responses += 1;
        self.last[s] = self.responses;
        let estimate = estimate(step.p_known_after, model.ceiling(s));
        record(&self.rule, &mut self.evidence[s], estimate, correct);
        step
    }

    fn update_unseen(&mut self, model: &Model, skill: &str, e: Emission, correct: bool) -> Step {
        let n = self.classes.len();
        let unseen = self
            .unseen
            .entry(skill.to_owned())
            .or_insert_with(|| Unseen {
                known: (0..n).map(|c| model.fallback_class_prior(c)).collect(),
                evidence: Evidence::default(),
                last: 0,
            });
        let step = observe_classes(&mut unseen.known, &mut self.classes, e, correct);
        self.responses += 1;
        unseen.last = self.responses;
        let estimate = estimate(step.p_known_after, model.average_ceiling());
        record(&self.rule, &mut unseen.evidence, estimate, correct);
        step
    }
}

/// Counts a response in `evidence` (the tries restart when the skill is mastered after it).
fn record(rule: &MasteryRule, evidence: &mut Evidence, estimate: f64, correct: bool) {
    evidence.record(correct);
    if rule.is_mastered(estimate, evidence) {
        evidence.tries = 0;
    }
}

/// P(known) as a share of the ceiling, at most 1.
#[inline]
pub(crate) fn estimate(known: f64, ceiling: f64) -> f64 {
    (known / ceiling).min(1.0)
}

fn idle(responses: u64, last: u64) -> Option<u64> {
    (last > 0).then(|| responses.saturating_sub(last))
}

pub(super) fn mixture(known: &[f64], classes: &[f64]) -> f64 {
    known.iter().zip(classes).map(|(k, p)| k * p).sum()
}

/// The first 12 hex digits of a fingerprint, for messages.
pub(super) fn short(fingerprint: &str) -> String {
    fingerprint.chars().take(12).collect()
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
