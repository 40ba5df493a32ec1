//! Rebuilding a learner's [`LearnerState`] from an interaction log.

use crate::bkt::mastery::MasteryRule;
use crate::{InteractionLog, LearnerState, Model};

/// Replays learners of a log through a model's filter. The map from the log's skill ids to the
/// model's is made once; skills the model does not know go through
/// [`LearnerState::observe`]'s documented fallback (population-average parameters).
///
/// ```
/// use pathwise::bkt::SkillStats;
/// use pathwise::recommend::Replayer;
/// use pathwise::*;
/// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let model = Model::new(Variant::default(), vec![SkillModel::new("add", p, vec![], vec![], SkillStats::default())], vec![], FitInfo::default())?;
/// let mut b = LogBuilder::new();
/// b.push(RawRow { learner: "ann", skills: &["add"], item: None, correct: true, order: 1, group: None });
/// let log = b.build();
/// let replayer = Replayer::new(&model, &log);
/// let state = replayer.replay(log.learners().id("ann").unwrap());
/// assert!(state.mastery(&model, "add")? > 0.2);
/// assert_eq!(state.evidence(&model, "add")?.attempts, 1);
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Replayer<'a> {
    model: &'a Model,
    log: &'a InteractionLog,
    /// The model's index of each log skill.
    skill: Vec<Option<usize>>,
    /// Unknown log skills: how many observations they have, by id (for warnings).
    unknown: Vec<(String, usize)>,
    rule: MasteryRule,
}

impl<'a> Replayer<'a> {
    /// Maps the log's skills to the model's.
    pub fn new(model: &'a Model, log: &'a InteractionLog) -> Self {
        let skill: Vec<Option<usize>> = log
            .skills()
            .names()
            .iter()
            .map(|s| model.skill_index(s))
            .collect();
        let unknown = skill
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_none())
            .map(|(s, _)| {
                let name = log.skills().name(s as u32).to_owned();
                (name, log.skill_observations(s as u32))
            })
            .collect();
        Self {
            model,
            log,
            skill,
            unknown,
            rule: MasteryRule::default(),
        }
    }

    /// Judges the replayed states by `rule` (validated by the caller, e.g. with
    /// [`MasteryRule::validate`]) instead of the default.
    pub fn with_rule(mut self, rule: MasteryRule) -> Self {
        self.rule = rule;
        self
    }

    /// Log skills the model does not know, with their observation counts.
    pub fn unknown_skills(&self) -> &[(String, usize)] {
        &self.unknown
    }

    /// The state of learner `learner` (a dense id of the log) after all their responses, in
    /// time order. An id outside the log gives a new learner.
    pub fn replay(&self, learner: u32) -> LearnerState {
        let mut state = LearnerState::blank_with(self.model, self.rule);
        if (learner as usize) >= self.log.learners().len() {
            return state;
        }
        for r in self.log.learner_responses(learner) {
            let response = self.log.response(r);
            for &s in response.skills {
                let item = response.item.map(|i| self.log.items().name(i));
                match self.skill.get(s as usize).copied().flatten() {
                    Some(ms) => {
                        let sm = &self.model.skills()[ms];
                        let item = if sm.items().is_empty() {
                            None
                        } else {
                            item.and_then(|i| sm.item_index(i))
                        };
                        state.observe_dense(self.model, ms, item, response.correct);
                    }
                    None => {
                        let name = self.log.skills().name(s);
                        // The state was made for this model: the check cannot fail.
                        let _ = state.observe(self.model, name, item, response.correct);
                    }
                }
            }
        }
        state
    }
}
