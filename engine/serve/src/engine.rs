//! [`Engine`]: one model and graph in use, and the learners' states computed through them. A
//! reload swaps the whole engine for a new one whose states start empty: each learner is replayed
//! from the stored events through the new model and graph when next asked about, so a state is
//! always the replay of the learner's stored events through the engine in use.

use pathwise::bkt::mastery::MasteryRule;
use pathwise::{LearnerState, Recommender};

use crate::error::ApiError;
use crate::events::Event;
use crate::learners::{Learner, Learners};
use crate::store::{Appended, Change, Changed, Store};

/// A recommender, the mastery rule and the states in memory computed through them.
pub struct Engine {
    /// The graph, model and policy.
    pub recommender: Recommender,
    rule: MasteryRule,
    learners: Learners,
}

impl Engine {
    /// An engine with no learner in memory yet.
    pub fn new(recommender: Recommender, rule: MasteryRule) -> Self {
        Self {
            recommender,
            rule,
            learners: Learners::default(),
        }
    }

    /// How many learners' states are in memory.
    pub fn learners_in_memory(&self) -> usize {
        self.learners.len()
    }

    /// The graph skills an event practises (dense indices), or why it has none: a skill the
    /// graph does not know, or an item that is no graph activity.
    pub fn skills_of(&self, e: &Event) -> Result<Vec<u32>, (&'static str, String)> {
        let graph = self.recommender.graph();
        if let Some(skill) = &e.skill {
            return graph
                .skill_index(skill)
                .map(|s| vec![s])
                .ok_or(("skill", "no skill of the graph has this id".into()));
        }
        let item = e.item.as_deref().unwrap_or_default();
        graph
            .activity_index(item)
            .map(|a| graph.activity(a).skills.clone())
            .ok_or((
                "item",
                "no activity of the graph has this id; give its skill too".into(),
            ))
    }

    /// Applies one stored event to a learner.
    fn apply(&self, learner: &mut Learner, e: &Event) -> Result<(), ApiError> {
        learner.events += 1;
        let Ok(skills) = self.skills_of(e) else {
            learner.unmapped += 1;
            return Ok(());
        };
        let graph = self.recommender.graph();
        let model = self.recommender.model();
        for s in skills {
            learner
                .state
                .observe(model, &graph.skill(s).id, e.item.as_deref(), e.correct)?;
        }
        Ok(())
    }

    /// The learner as the replay of their stored events.
    fn load(&self, store: &dyn Store, id: &str) -> Result<Learner, ApiError> {
        let mut learner = Learner {
            state: LearnerState::with_rule(self.recommender.model(), self.rule)?,
            events: 0,
            unmapped: 0,
            last: 0,
        };
        for (seq, e) in store.events(id)? {
            self.apply(&mut learner, &e)?;
            learner.last = seq;
        }
        Ok(learner)
    }

    /// `f` of the learner (replayed from `store` if not in memory).
    pub fn read<R>(
        &self,
        store: &dyn Store,
        id: &str,
        f: impl FnOnce(&Learner) -> R,
    ) -> Result<R, ApiError> {
        self.learners.read(id, || self.load(store, id), f)
    }

    /// `f` of the learner: from memory only (`None` when the learner must first be replayed
    /// from the store, which may wait for the disk), or replayed from `store` if needed.
    pub fn read_where<R>(
        &self,
        store: &dyn Store,
        id: &str,
        memory_only: bool,
        f: impl FnOnce(&Learner) -> R,
    ) -> Option<Result<R, ApiError>> {
        if memory_only {
            self.learners.get(id, f).map(Ok)
        } else {
            Some(self.read(store, id, f))
        }
    }

    /// Brings the states in memory up to a committed change (called by the writer thread only,
    /// after the commit, before the change is acknowledged).
    pub fn committed(&self, store: &dyn Store, change: &Change, changed: &Changed) {
        match (change, changed) {
            (Change::Post { events, .. }, Changed::Posted { appended, voided }) => {
                for (e, outcome) in events.iter().zip(appended) {
                    let Appended::New(seq) = *outcome else {
                        continue;
                    };
                    let applied = self.learners.update(
                        &e.learner,
                        || self.load(store, &e.learner),
                        |learner| {
                            if seq <= learner.last {
                                return Ok(());
                            }
                            learner.last = seq;
                            self.apply(learner, e)
                        },
                    );
                    if !matches!(applied, Ok(Ok(()))) {
                        // Replayed from the store when next asked about (the event is stored).
                        self.learners.remove(&e.learner);
                    }
                }
                // Learners who lost events are replayed from the store when next asked about.
                for learner in voided {
                    self.learners.remove(learner);
                }
            }
            (Change::Delete(learner), _) => self.learners.remove(learner),
            _ => {}
        }
    }
}
