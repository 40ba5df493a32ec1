//! The fitted model: per-skill parameters, optional per-item parameters, learner-prior classes
//! and fit statistics.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::fit_flags::{FitFlag, skill_flags};
use super::mastery::ceiling_of;
use super::params::{Params, Variant};
use crate::error::{Error, Location, Result};

/// Per-item parameters inside one skill. Fields that the model's variant does not fit per item
/// hold the skill's own values.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemParams {
    /// The item id, as in the log.
    pub id: String,
    /// P(correct | unknown) on this item.
    pub guess: f64,
    /// P(incorrect | known) on this item.
    pub slip: f64,
    /// P(unknown → known) after practising this item.
    pub learn: f64,
    /// P(known → unknown) after practising this item.
    pub forget: f64,
}

/// What the fit of one skill saw and how it ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SkillStats {
    /// Log-likelihood of the skill's training observations under the fitted parameters (for
    /// learner-prior models: the skill's share of the mixture's expected complete log-likelihood
    /// is not defined, so this is the log-likelihood under the population prior).
    pub log_likelihood: f64,
    /// Training observations of the skill.
    pub observations: u64,
    /// Training learners with at least one observation of the skill.
    pub learners: u64,
    /// EM iterations (M-steps) of the winning restart.
    pub iterations: u32,
    /// Whether the winning restart met the tolerance before `max_iter`.
    pub converged: bool,
    /// Warnings about the fit ([`FitFlag`]). In a [`SkillModel`] these are the skill's flags
    /// ([`SkillModel::flags`]); given to [`SkillModel::new`], only the flags that need the
    /// responses ([`FitFlag::AllCorrect`], [`FitFlag::AllIncorrect`]) are taken, the others are
    /// recomputed from the parameters and counts.
    pub flags: Vec<FitFlag>,
}

/// One skill of a [`Model`].
#[derive(Debug, Clone, PartialEq)]
pub struct SkillModel {
    id: String,
    params: Params,
    class_priors: Vec<f64>,
    items: Vec<ItemParams>,
    item_index: HashMap<String, usize>,
    stats: SkillStats,
}

impl SkillModel {
    /// A skill with these parameters. `items` are its per-item parameters (empty when the
    /// variant has none); `class_priors` the prior of each learner class (empty unless the model
    /// has a learner prior). The skill's flags are `stats.flags`' response flags plus those its
    /// parameters and counts raise ([`SkillModel::flags`]).
    pub fn new(
        id: impl Into<String>,
        params: Params,
        items: Vec<ItemParams>,
        class_priors: Vec<f64>,
        mut stats: SkillStats,
    ) -> Self {
        stats.flags = skill_flags(&stats.flags, &params, stats.observations, stats.learners);
        let item_index = items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.clone(), i))
            .collect();
        Self {
            id: id.into(),
            params,
            class_priors,
            items,
            item_index,
            stats,
        }
    }

    /// The skill id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The skill's own parameters (for items without their own parameters, and unseen items).
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The prior of each learner class (empty unless the model has a learner prior).
    pub fn class_priors(&self) -> &[f64] {
        &self.class_priors
    }

    /// Per-item parameters, sorted by item id.
    pub fn items(&self) -> &[ItemParams] {
        &self.items
    }

    /// The index of `item` in [`SkillModel::items`].
    pub fn item_index(&self, item: &str) -> Option<usize> {
        self.item_index.get(item).copied()
    }

    /// Fit statistics.
    pub fn stats(&self) -> &SkillStats {
        &self.stats
    }

    /// Why the skill's fit should not be trusted, if it should not: too little data, responses
    /// that cannot separate knowing from not knowing, a parameter at the edge of its range
    /// (`docs/bkt.md`, "Degenerate fits"). Empty for a well-identified skill; in the order of
    /// [`FitFlag::ALL`].
    pub fn flags(&self) -> &[FitFlag] {
        &self.stats.flags
    }

    /// (guess, slip, learn, forget) for an observation on item `item` (an index into
    /// [`SkillModel::items`]; `None` = no item or an unseen item → the skill's own values).
    #[inline]
    pub fn item_values(&self, item: Option<usize>) -> (f64, f64, f64, f64) {
        match item.and_then(|i| self.items.get(i)) {
            Some(it) => (it.guess, it.slip, it.learn, it.forget),
            None => {
                let p = &self.params;
                (p.guess, p.slip, p.learn, p.forget)
            }
        }
    }
}

/// How a model was fitted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FitInfo {
    /// Random restarts per skill.
    pub restarts: u32,
    /// The seed of the restarts' generator.
    pub seed: u64,
    /// The largest number of EM iterations over skills.
    pub iterations: u32,
    /// Whether every skill converged.
    pub converged: bool,
    /// Training log-likelihood of the whole model (the sum over skills; for learner-prior models
    /// the mixture's log-likelihood).
    pub log_likelihood: f64,
    /// SHA-256 of the input files, when the caller provides it.
    pub input_sha256: Option<String>,
    /// The pseudo-observations per parameter of the fit ([`crate::PseudoCounts`]; 0 is maximum
    /// likelihood).
    pub pseudo_counts: f64,
}

/// A fitted BKT model: one set of parameters per skill (see `docs/bkt.md`).
///
/// Skills are kept sorted by id, so the dense skill index of [`Model::skill_index`] is stable for
/// a given model file. A model usually comes from [`fit`](crate::fit) or a model file
/// ([`Model::from_json`]); it can also be assembled from known parameters:
///
/// ```
/// use pathwise::bkt::SkillStats;
/// use pathwise::{FitInfo, LogBuilder, Model, Params, RawRow, SkillModel, Variant, predict};
///
/// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let skill = SkillModel::new("add", p, vec![], vec![], SkillStats::default());
/// let model = Model::new(Variant::default(), vec![skill], vec![], FitInfo::default())?;
///
/// // The model file round-trips exactly.
/// assert_eq!(Model::from_json(&model.to_json(), "model.json")?, model);
///
/// // predict: P(correct) of every response from the learner's earlier ones.
/// let mut log = LogBuilder::new();
/// for (order, correct) in [(1, false), (2, true), (3, true)] {
///     log.push(RawRow { learner: "ann", skills: &["add"], item: None, correct, order,
///                       group: None });
/// }
/// let rows = predict(&model, &log.build()).rows;
/// // First response: P(correct) = prior·(1 − slip) + (1 − prior)·guess.
/// assert!((rows[0].step.p_correct - (0.2 * 0.9 + 0.8 * 0.2)).abs() < 1e-12);
/// assert!(rows[2].step.p_correct > rows[1].step.p_correct);
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    variant: Variant,
    skills: Vec<SkillModel>,
    index: HashMap<String, usize>,
    class_weights: Vec<f64>,
    average: Params,
    average_class_priors: Vec<f64>,
    fit: FitInfo,
    /// Per skill: the lowest attainable P(known) ceiling over the skill's and its items' values.
    ceilings: Vec<f64>,
    average_ceiling: f64,
    fingerprint: String,
}

impl Model {
    /// Assembles a model, checking that every probability is in `[0, 1]`, that skill ids are
    /// unique and that every skill has one prior per learner class. Skills are sorted by id.
    /// `class_weights` is empty unless `variant.learner_prior`.
    pub fn new(
        variant: Variant,
        mut skills: Vec<SkillModel>,
        class_weights: Vec<f64>,
        fit: FitInfo,
    ) -> Result<Model> {
        skills.sort_by(|a, b| a.id.cmp(&b.id));
        for pair in skills.windows(2) {
            if pair[0].id == pair[1].id {
                return Err(Error::input(
                    Location::subject(crate::SubjectKind::Skill, &pair[0].id),
                    "the skill appears twice",
                ));
            }
        }
        check_probs(&Location::default(), "class weight", &class_weights)?;
        if variant.learner_prior == class_weights.is_empty() {
            return Err(Error::input(
                Location::default(),
                "learner classes must be given exactly when the variant has a learner prior",
            ));
        }
        for s in &skills {
            let at = Location::subject(crate::SubjectKind::Skill, &s.id);
            let p = &s.params;
            check_probs(
                &at,
                "parameter",
                &[p.prior, p.learn, p.forget, p.guess, p.slip],
            )?;
            check_probs(&at, "class prior", &s.class_priors)?;
            if s.class_priors.len() != class_weights.len() {
                return Err(Error::input(
                    at,
                    format!(
                        "has {} class priors but the model has {} learner classes",
                        s.class_priors.len(),
                        class_weights.len()
                    ),
                ));
            }
            for it in &s.items {
                let at = at.clone().about(crate::SubjectKind::Item, &it.id);
                check_probs(
                    &at,
                    "item parameter",
                    &[it.guess, it.slip, it.learn, it.forget],
                )?;
            }
        }
        let index = skills
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let n = skills.len().max(1) as f64;
        let mean =
            |f: &dyn Fn(&Params) -> f64| skills.iter().map(|s| f(&s.params)).sum::<f64>() / n;
        let average = if skills.is_empty() {
            Params::default()
        } else {
            Params {
                prior: mean(&|p| p.prior),
                learn: mean(&|p| p.learn),
                forget: mean(&|p| p.forget),
                guess: mean(&|p| p.guess),
                slip: mean(&|p| p.slip),
            }
        };
        let average_class_priors = (0..class_weights.len())
            .map(|c| skills.iter().map(|s| s.class_priors[c]).sum::<f64>() / n)
            .collect();
        let ceilings = skills.iter().map(skill_ceiling).collect();
        let average_ceiling = super::mastery::ceiling(&average);
        let fingerprint = fingerprint(variant, &skills, &class_weights);
        Ok(Model {
            variant,
            skills,
            index,
            class_weights,
            average,
            average_class_priors,
            fit,
            ceilings,
            average_ceiling,
            fingerprint,
        })
    }

    /// SHA-256 (hex) of everything that decides a learner's state under this model: the variant,
    /// the skill ids with their parameters, item parameters and class priors, and the class
    /// weights (not the fit statistics). A stored [`crate::LearnerState`] carries it, so that a
    /// state is never read against another model as if it were its own.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The attainable P(known) ceiling of skill `skill` (dense index; see
    /// [`crate::bkt::mastery::ceiling`]): the lowest over the skill's own values and its items'.
    #[inline]
    pub(crate) fn ceiling(&self, skill: usize) -> f64 {
        self.ceilings[skill]
    }

    /// The ceiling of a skill the model does not know (population-average parameters).
    pub(crate) fn average_ceiling(&self) -> f64 {
        self.average_ceiling
    }

    /// The variant the model was fitted with.
    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// All skills, sorted by id.
    pub fn skills(&self) -> &[SkillModel] {
        &self.skills
    }

    /// Number of skills.
    pub fn n_skills(&self) -> usize {
        self.skills.len()
    }

    /// The dense index of a skill id (its position in [`Model::skills`]).
    pub fn skill_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The skill with this id.
    pub fn skill(&self, id: &str) -> Option<&SkillModel> {
        self.skill_index(id).map(|i| &self.skills[i])
    }

    /// Weights of the learner classes (empty unless the model has a learner prior).
    pub fn class_weights(&self) -> &[f64] {
        &self.class_weights
    }

    /// Number of learner classes the filter tracks: 1 for models without a learner prior.
    pub fn n_classes(&self) -> usize {
        self.class_weights.len().max(1)
    }

    /// The population-average parameters (unweighted mean over skills): the documented fallback
    /// for a skill the model has never seen.
    pub fn average(&self) -> &Params {
        &self.average
    }

    /// The prior of class `c` for a skill the model has never seen: the mean over skills.
    pub(crate) fn fallback_class_prior(&self, c: usize) -> f64 {
        self.average_class_priors
            .get(c)
            .copied()
            .unwrap_or(self.average.prior)
    }

    /// The prior of class `c` on skill `skill` (dense index).
    #[inline]
    pub(crate) fn class_prior(&self, skill: usize, c: usize) -> f64 {
        let s = &self.skills[skill];
        s.class_priors.get(c).copied().unwrap_or(s.params.prior)
    }

    /// The initial class distribution of a new learner (`[1.0]` without a learner prior).
    pub(crate) fn initial_classes(&self) -> Vec<f64> {
        if self.class_weights.is_empty() {
            vec![1.0]
        } else {
            self.class_weights.clone()
        }
    }

    /// How the model was fitted.
    pub fn fit_info(&self) -> &FitInfo {
        &self.fit
    }

    /// Sets the input fingerprint recorded in the model file.
    pub fn set_input_sha256(&mut self, sha256: Option<String>) {
        self.fit.input_sha256 = sha256;
    }
}

fn skill_ceiling(s: &SkillModel) -> f64 {
    let own = super::mastery::ceiling(&s.params);
    s.items
        .iter()
        .map(|it| ceiling_of(it.guess, it.slip, it.learn, it.forget))
        .fold(own, f64::min)
}

/// See [`Model::fingerprint`]: every value in a fixed order, floats by their bits.
fn fingerprint(variant: Variant, skills: &[SkillModel], class_weights: &[f64]) -> String {
    let mut h = Sha256::new();
    let flags = [
        variant.forgets,
        variant.item_guess_slip,
        variant.item_learn,
        variant.learner_prior,
    ];
    h.update(flags.map(u8::from));
    fn number(h: &mut Sha256, v: f64) {
        h.update(v.to_bits().to_le_bytes());
    }
    fn text(h: &mut Sha256, t: &str) {
        h.update((t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    h.update((class_weights.len() as u64).to_le_bytes());
    for &w in class_weights {
        number(&mut h, w);
    }
    h.update((skills.len() as u64).to_le_bytes());
    for s in skills {
        text(&mut h, &s.id);
        let p = &s.params;
        for v in [p.prior, p.learn, p.forget, p.guess, p.slip] {
            number(&mut h, v);
        }
        h.update((s.class_priors.len() as u64).to_le_bytes());
        for &c in &s.class_priors {
            number(&mut h, c);
        }
        h.update((s.items.len() as u64).to_le_bytes());
        for it in &s.items {
            text(&mut h, &it.id);
            for v in [it.guess, it.slip, it.learn, it.forget] {
                number(&mut h, v);
            }
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn check_probs(at: &Location, what: &str, values: &[f64]) -> Result<()> {
    for &v in values {
        if !(0.0..=1.0).contains(&v) {
            return Err(Error::input(
                at.clone(),
                format!("{what} {v} is not a probability in [0, 1]"),
            ));
        }
    }
    Ok(())
}
