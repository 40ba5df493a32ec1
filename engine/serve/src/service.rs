//! [`Service`]: the recommender, the store and the learners' states in memory. Every method runs
//! synchronously (callers on the async side use `spawn_blocking`). Writes go through one writer
//! thread that commits the changes waiting at that moment together ([`crate::writer`]); reads
//! take only the lock of the learner's shard ([`Learners`]), so a learner's state always equals
//! the replay of their stored events.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::thread::JoinHandle;

use pathwise::mastery::MasteryRule;
use pathwise::{LearnerState, Recommendation, Recommender, SkillKnowledge};
use serde::Serialize;

use crate::error::ApiError;
use crate::events::{Body, Event};
use crate::learners::{Learner, Learners};
use crate::store::{Appended, Change, Changed, Store};
use crate::writer::{self, Job};

/// The state a service keeps between requests.
pub struct Service {
    core: Arc<Core>,
    /// Changes for the writer thread; `None` once the service is dropped.
    jobs: Option<Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    counts: Counts,
}

/// What the writer thread shares with the request handlers.
pub(crate) struct Core {
    recommender: Recommender,
    rule: MasteryRule,
    pub(crate) store: Box<dyn Store>,
    pub(crate) learners: Learners,
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

impl Core {
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
    fn load(&self, id: &str) -> Result<Learner, ApiError> {
        let mut learner = Learner {
            state: LearnerState::with_rule(self.recommender.model(), self.rule)?,
            events: 0,
            unmapped: 0,
            last: 0,
        };
        for (seq, e) in self.store.events(id)? {
            self.apply(&mut learner, &e)?;
            learner.last = seq;
        }
        Ok(learner)
    }

    /// `f` of the learner (loaded if not in memory).
    fn read<R>(&self, id: &str, f: impl FnOnce(&Learner) -> R) -> Result<R, ApiError> {
        self.learners.read(id, || self.load(id), f)
    }

    /// Brings the states in memory up to a committed change (called by the writer thread only,
    /// after the commit, before the change is acknowledged).
    pub(crate) fn committed(&self, change: &Change, changed: &Changed) {
        match (change, changed) {
            (Change::Post { events, .. }, Changed::Posted { appended, voided }) => {
                for (e, outcome) in events.iter().zip(appended) {
                    let Appended::New(seq) = *outcome else {
                        continue;
                    };
                    let applied = self.learners.update(
                        &e.learner,
                        || self.load(&e.learner),
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

impl Service {
    /// A service over `recommender`, judging mastery by `rule`, keeping events in `store`; it
    /// starts the writer thread, which stops (after committing what it was given) when the
    /// service is dropped.
    pub fn new(
        recommender: Recommender,
        rule: MasteryRule,
        store: Box<dyn Store>,
    ) -> std::io::Result<Self> {
        let core = Arc::new(Core {
            recommender,
            rule,
            store,
            learners: Learners::default(),
        });
        let (jobs, writer) = writer::spawn(core.clone())?;
        Ok(Self {
            core,
            jobs: Some(jobs),
            writer: Some(writer),
            counts: Counts::default(),
        })
    }

    /// Commits `change` through the writer thread and waits until it is on disk.
    fn commit(&self, change: Change) -> Result<Changed, ApiError> {
        let (reply, done) = tokio::sync::oneshot::channel();
        let stopped = || ApiError::internal("the service is stopping");
        self.jobs
            .as_ref()
            .ok_or_else(stopped)?
            .send(Job { change, reply })
            .map_err(|_| stopped())?;
        done.blocking_recv().map_err(|_| stopped())?
    }

    /// Records the body's events (all or none), applies its voids and updates the learners'
    /// states; the reply shows each learner's skills touched by the post.
    pub fn post(&self, body: &Body) -> Result<Posted, ApiError> {
        let mut touched: Vec<(String, Vec<u32>)> = Vec::new();
        let mut events = Vec::with_capacity(body.events.len());
        let mut skipped = body.skipped;
        for (i, (e, from_xapi)) in body.events.iter().zip(&body.from_xapi).enumerate() {
            let skills = match self.core.skills_of(e) {
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
        let n = events.len();
        let change = Change::Post {
            events,
            voids: body.voids.clone(),
        };
        let Changed::Posted { appended, .. } = self.commit(change)? else {
            return Err(ApiError::internal(
                "the store answered a post with another change",
            ));
        };
        let recorded = appended
            .iter()
            .filter(|a| matches!(a, Appended::New(_)))
            .count();
        let mut learners = Vec::with_capacity(touched.len());
        for (id, mut skills) in touched {
            skills.sort_unstable();
            skills.dedup();
            learners.push(self.view(&id, Some(&skills))?);
        }
        let voided = appended.iter().filter(|a| **a == Appended::Voided).count();
        let posted = Posted {
            recorded,
            duplicates: n - recorded - voided,
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

    /// The learner's counts and knowledge of the skills `only` (all: `None`).
    fn view(&self, id: &str, only: Option<&[u32]>) -> Result<LearnerView, ApiError> {
        let recommender = &self.core.recommender;
        let (know, events, unmapped) = self.core.read(id, |learner| {
            let know = recommender.knowledge(&learner.state);
            (know, learner.events, learner.unmapped)
        })?;
        let graph = recommender.graph();
        let skills = know?
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
            events,
            unmapped,
            skills,
        })
    }

    /// What the learner knows of every graph skill (a learner never seen has no events and
    /// every skill at its prior).
    pub fn knowledge(&self, id: &str) -> Result<LearnerView, ApiError> {
        self.view(id, None)
    }

    /// The top `k` next activities for the learner, towards `goals` (skill ids; empty: the
    /// service's policy).
    pub fn next(&self, id: &str, k: usize, goals: &[String]) -> Result<Next, ApiError> {
        let own = &self.core.recommender;
        let recommender = if goals.is_empty() {
            own.clone()
        } else {
            let policy = pathwise::Policy {
                goals: goals.to_vec(),
                ..own.policy().clone()
            };
            Recommender::new(own.graph().clone(), own.model().clone(), policy)
                .map_err(|e| ApiError::field("goal", e.to_string()))?
        };
        self.counts.next.fetch_add(1, Ordering::Relaxed);
        let (recommendations, note) = self.core.read(id, |learner| {
            let recommendations = recommender.recommend(&learner.state, k);
            let note = match &recommendations {
                Ok(list) if list.is_empty() => Some(recommender.why_none(&learner.state)),
                _ => None,
            };
            (recommendations, note)
        })?;
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
        let cached = self.core.learners.len();
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
        match self.commit(Change::Delete(id.to_owned()))? {
            Changed::Deleted(n) => Ok(n),
            Changed::Posted { .. } => Err(ApiError::internal(
                "the store answered a deletion with another change",
            )),
        }
    }

    /// How many learners' states are in memory.
    pub fn learners_in_memory(&self) -> usize {
        self.core.learners.len()
    }
}

impl Drop for Service {
    /// Stops the writer thread once it has committed every change it was given.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

#[cfg(test)]
#[path = "service_tests.rs"]
mod tests;
