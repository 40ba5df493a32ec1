//! What the recommender needs about a learner beyond the BKT state: the highest P(known) each
//! skill ever reached (so that a forgotten skill is recognised as a *review*) and how many of the
//! learner's responses ago each skill was last practised (for the optional decay).

use serde::{Deserialize, Serialize};

use crate::Model;

/// One learner's practice history under one [`Model`], kept beside their
/// [`LearnerState`](crate::LearnerState) and updated with it. Serialisable, like the state.
///
/// ```
/// use pathwise::{FitInfo, LearnerHistory, LearnerState, Model, Params, SkillModel, SkillStats, Variant};
/// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let model = Model::new(Variant::default(), vec![SkillModel::new("add", p, vec![], vec![], SkillStats::default())], vec![], FitInfo::default())?;
/// let mut state = LearnerState::new(&model);
/// let mut history = LearnerHistory::new(&model);
/// let step = state.observe_dense(&model, 0, None, true);
/// history.record(0, step.p_known_after);
/// history.tick();
/// assert_eq!(history.peak(0), step.p_known_after);
/// assert_eq!(history.idle(0), 0);
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnerHistory {
    /// Highest P(known) after a response, per model skill (the prior before any).
    peak: Vec<f64>,
    /// The response count when each model skill was last practised (`None` = never).
    last: Vec<Option<u64>>,
    /// Responses recorded so far.
    responses: u64,
}

impl LearnerHistory {
    /// An empty history for a learner under `model`.
    pub fn new(model: &Model) -> Self {
        Self {
            peak: model.skills().iter().map(|s| s.params().prior).collect(),
            last: vec![None; model.n_skills()],
            responses: 0,
        }
    }

    /// Records P(known) after a response on model skill `skill` (a dense index); call it for each
    /// skill of the response, then [`LearnerHistory::tick`] once. Out-of-range skills are ignored.
    pub fn record(&mut self, skill: usize, p_known_after: f64) {
        if let (Some(peak), Some(last)) = (self.peak.get_mut(skill), self.last.get_mut(skill)) {
            *peak = peak.max(p_known_after);
            *last = Some(self.responses);
        }
    }

    /// Ends one response: the clock of [`LearnerHistory::idle`] advances by one.
    pub fn tick(&mut self) {
        self.responses += 1;
    }

    /// Highest P(known) model skill `skill` reached (0 when out of range).
    pub fn peak(&self, skill: usize) -> f64 {
        self.peak.get(skill).copied().unwrap_or(0.0)
    }

    /// Responses since model skill `skill` was last practised, not counting that response
    /// (0 when never practised or out of range: nothing to decay).
    pub fn idle(&self, skill: usize) -> u64 {
        match self.last.get(skill) {
            Some(Some(at)) => self.responses.saturating_sub(at + 1),
            _ => 0,
        }
    }

    /// True when the history was made for a model with `n_skills` skills.
    pub fn fits(&self, n_skills: usize) -> bool {
        self.peak.len() == n_skills && self.last.len() == n_skills
    }
}
