//! [`Service`]: the recommender, the store and the learners' states in memory. Every method runs
//! synchronously (callers on the async side use `spawn_blocking`); one lock orders appends and
//! state updates, so a learner's state always equals the replay of their stored events.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use pathwise::mastery::MasteryRule;
use pathwise::{LearnerState, Recommendation, Recommender, SkillKnowledge};
use serde::Serialize;

use crate::error::ApiError;
use crate::events::{Body, Event};
use crate::store::{Appended, Store};

/// The state a service keeps between requests.
pub struct Service {
    recommender: Recommender,
    rule: MasteryRule,
    inner: Mutex<Inner>,
    counts: Counts,
}

/// Totals since start, for `/metrics`.
#[derive(Debug, Default)]
struct Counts {
    recorded: AtomicU64,
    duplicates: AtomicU64,
    skipped: AtomicU64,
    voids: AtomicU64,
    next: AtomicU64,
}

struct Inner {
    store: Box<dyn Store>,
    /// States of the learners seen since start, each the replay of the learner's stored events.
    learners: HashMap<String, Learner>,
}

struct Learner {
    state: LearnerState,
    /// Stored events, including those the graph no longer maps to a skill.
    events: u64,
    /// Stored events that name a skill or item the graph does not know (any more).
    unmapped: u64,
}

/// One skill of one learner, as replies show it.
#[derive(Debug, Clone, Serialize)]
pub struct SkillView {
    /// The skill id.
    pub skill: String,
    /// What the learner knows of it.
    #[serde(flatten)]
    pub knowledge: SkillKnowledge,
}

/// A learner's knowledge of the skills asked about.
#[derive(Debug, Clone, Serialize)]
pub struct LearnerView {
    /// The learner id.
    pub learner: String,
    /// Stored events of the learner.
    pub events: u64,
    /// Stored events the graph maps to no skill (they do not move the state).
    pub unmapped: u64,
    /// Per skill, in the graph's order.
    pub skills: Vec<SkillView>,
}

/// The reply to a post of events.
#[derive(Debug, Clone, Serialize)]
pub struct Posted {
    /// Events recorded now.
    pub recorded: usize,
    /// Events whose id was already recorded (not counted again).
    pub duplicates: usize,
    /// xAPI statements that are no answer (another verb, no result, an activity the graph
    /// does not know) or that were voided before they arrived.
    pub skipped: usize,
    /// Voiding statements applied.
    pub voids: usize,
    /// Each learner of the post, with the skills the post touched.
    pub learners: Vec<LearnerView>,
}

/// The reply to a next-activity request.
#[derive(Debug, Clone, Serialize)]
pub struct Next {
    /// The learner id.
    pub learner: String,
    /// Best first.
    pub recommendations: Vec<Recommendation>,
    /// Why the list is empty, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Service {
    /// A service over `recommender`, judging mastery by `rule`, keeping events in `store`.
    pub fn new(recommender: Recommender, rule: MasteryRule, store: Box<dyn Store>) -> Self {
        Self {
            recommender,
            rule,
            inner: Mutex::new(Inner {
                store,
                learners: HashMap::new(),
            }),
            counts: Counts::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-updated state behind that matters:
        // states are rebuilt from the store, which is transactional.
        self.inner.lock().unwrap_or_else(|poisoned| {
            let mut inner = poisoned.into_inner();
            inner.learners.clear();
            inner
        })
    }

    /// The graph skills an event practises (dense indices), or why it has none: a skill the
    /// graph does not know, or an item that is no graph activity.
    fn skills_of(&self, e: &Event) -> Result<Vec<u32>, (&'static str, String)> {
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

    /// Applies one event to a state; `false` when the graph maps it to no skill.
    fn apply(&self, state: &mut LearnerState, e: &Event) -> Result<bool, ApiError> {
        let Ok(skills) = self.skills_of(e) else {
            return Ok(false);
        };
        let graph = self.recommender.graph();
        let model = self.recommender.model();
        for s in skills {
            state.observe(model, &graph.skill(s).id, e.item.as_deref(), e.correct)?;
        }
        Ok(true)
    }

    /// The learner's entry, replayed from the store on first use since start.
    fn learner<'a>(&self, inner: &'a mut Inner, id: &str) -> Result<&'a mut Learner, ApiError> {
        if !inner.learners.contains_key(id) {
            let events = inner.store.events(id)?;
            let mut learner = Learner {
                state: LearnerState::with_rule(self.recommender.model(), self.rule)?,
                events: events.len() as u64,
                unmapped: 0,
            };
            for e in &events {
                if !self.apply(&mut learner.state, e)? {
                    learner.unmapped += 1;
                }
            }
            inner.learners.insert(id.to_owned(), learner);
        }
        Ok(inner.learners.get_mut(id).expect("inserted above"))
    }

    /// Records the body's events (all or none), applies its voids and updates the learners'
    /// states; the reply shows each learner's skills touched by the post.
    pub fn post(&self, body: &Body) -> Result<Posted, ApiError> {
        let mut touched: Vec<(String, Vec<u32>)> = Vec::new();
        let mut events = Vec::with_capacity(body.events.len());
        let mut skipped = body.skipped;
        for (i, (e, from_xapi)) in body.events.iter().zip(&body.from_xapi).enumerate() {
            let skills = match self.skills_of(e) {
                Ok(skills) => skills,
                // A statement about an activity that is not in the graph (a video, a page).
                Err(_) if *from_xapi => {
                    skipped += 1;
                    continue;
                }
                Err((field, message)) => {
                    return Err(ApiError::field(format!("[{i}].{field}"), message));
                }
            };
            events.push(e.clone());
            match touched.iter_mut().find(|(l, _)| *l == e.learner) {
                Some((_, all)) => all.extend(skills),
                None => touched.push((e.learner.clone(), skills)),
            }
        }
        let mut inner = self.lock();
        // Replay stored events first, so that the new ones are applied exactly once.
        for (learner, _) in &touched {
            self.learner(&mut inner, learner)?;
        }
        let appended = inner.store.append(&events)?;
        let mut recorded = 0;
        for (e, outcome) in events.iter().zip(&appended) {
            if *outcome == Appended::New {
                recorded += 1;
                let learner = self.learner(&mut inner, &e.learner)?;
                learner.events += 1;
                if !self.apply(&mut learner.state, e)? {
                    learner.unmapped += 1;
                }
            }
        }
        if !body.voids.is_empty() {
            // Learners who lost events are replayed from the store when next asked about.
            for learner in inner.store.void(&body.voids)? {
                inner.learners.remove(&learner);
            }
        }
        let mut learners = Vec::with_capacity(touched.len());
        for (id, mut skills) in touched {
            skills.sort_unstable();
            skills.dedup();
            let learner = self.learner(&mut inner, &id)?;
            learners.push(self.view(&id, learner, Some(&skills))?);
        }
        let voided = appended.iter().filter(|a| **a == Appended::Voided).count();
        let posted = Posted {
            recorded,
            duplicates: events.len() - recorded - voided,
            skipped: skipped + voided,
            voids: body.voids.len(),
            learners,
        };
        let add = |counter: &AtomicU64, n: usize| counter.fetch_add(n as u64, Ordering::Relaxed);
        add(&self.counts.recorded, posted.recorded);
        add(&self.counts.duplicates, posted.duplicates);
        add(&self.counts.skipped, posted.skipped);
        add(&self.counts.voids, posted.voids);
        Ok(posted)
    }

    fn view(
        &self,
        id: &str,
        learner: &Learner,
        only: Option<&[u32]>,
    ) -> Result<LearnerView, ApiError> {
        let know = self.recommender.knowledge(&learner.state)?;
        let graph = self.recommender.graph();
        let skills = know
            .into_iter()
            .enumerate()
            .filter(|(s, _)| only.is_none_or(|o| o.binary_search(&(*s as u32)).is_ok()))
            .map(|(s, knowledge)| SkillView {
                skill: graph.skill(s as u32).id.clone(),
                knowledge,
            })
            .collect();
        Ok(LearnerView {
            learner: id.to_owned(),
            events: learner.events,
            unmapped: learner.unmapped,
            skills,
        })
    }

    /// What the learner knows of every graph skill (a learner never seen has no events and
    /// every skill at its prior).
    pub fn knowledge(&self, id: &str) -> Result<LearnerView, ApiError> {
        let mut inner = self.lock();
        let learner = self.learner(&mut inner, id)?;
        let view = self.view(id, learner, None);
        forget_if_new(&mut inner, id);
        view
    }

    /// The top `k` next activities for the learner, towards `goals` (skill ids; empty: the
    /// service's policy).
    pub fn next(&self, id: &str, k: usize, goals: &[String]) -> Result<Next, ApiError> {
        let recommender = if goals.is_empty() {
            self.recommender.clone()
        } else {
            let policy = pathwise::Policy {
                goals: goals.to_vec(),
                ..self.recommender.policy().clone()
            };
            Recommender::new(
                self.recommender.graph().clone(),
                self.recommender.model().clone(),
                policy,
            )
            .map_err(|e| ApiError::field("goal", e.to_string()))?
        };
        self.counts.next.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.lock();
        let learner = self.learner(&mut inner, id)?;
        let recommendations = recommender.recommend(&learner.state, k);
        let note = match &recommendations {
            Ok(list) if list.is_empty() => Some(recommender.why_none(&learner.state)),
            _ => None,
        };
        forget_if_new(&mut inner, id);
        let recommendations = recommendations?;
        let note = note.transpose()?;
        Ok(Next {
            learner: id.to_owned(),
            recommendations,
            note,
        })
    }

    /// The totals since start in the Prometheus text format.
    pub fn metrics(&self) -> String {
        let cached = self.lock().learners.len();
        let mut out = String::new();
        let counters = [
            ("events_recorded", "Events recorded", &self.counts.recorded),
            (
                "events_duplicate",
                "Events already recorded (retries)",
                &self.counts.duplicates,
            ),
            (
                "events_skipped",
                "xAPI statements skipped",
                &self.counts.skipped,
            ),
            ("voids", "Voiding statements applied", &self.counts.voids),
            ("next_requests", "Next-activity requests", &self.counts.next),
        ];
        for (name, help, counter) in counters {
            let _ = writeln!(
                out,
                "# HELP pathwise_{name}_total {help} since start.\n\
                 # TYPE pathwise_{name}_total counter\n\
                 pathwise_{name}_total {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP pathwise_learners_in_memory Learners whose state is held in memory.\n\
             # TYPE pathwise_learners_in_memory gauge\n\
             pathwise_learners_in_memory {cached}"
        );
        out
    }

    /// Erases the learner's events and state; returns how many events there were.
    pub fn delete(&self, id: &str) -> Result<u64, ApiError> {
        let mut inner = self.lock();
        let n = inner.store.delete(id)?;
        inner.learners.remove(id);
        Ok(n)
    }
}

/// Drops the entry of a learner with no stored event, so that asking about unknown ids does not
/// grow the memory.
fn forget_if_new(inner: &mut Inner, id: &str) {
    if inner.learners.get(id).is_some_and(|l| l.events == 0) {
        inner.learners.remove(id);
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
