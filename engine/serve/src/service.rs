//! [`Service`]: the recommender, the store and the learners' states in memory. Every method runs
//! synchronously (callers on the async side use `spawn_blocking`). Writes go through one writer
//! thread that commits the changes waiting at that moment together (`writer`); reads
//! take only the lock of the learner's shard (`Learners`), so a learner's state always equals
//! the replay of their stored events.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, PoisonError, RwLock};
use std::thread::JoinHandle;

use axum::http::StatusCode;
use pathwise::bkt::mastery::MasteryRule;
use pathwise::{Recommender, SkillKnowledge};

use crate::engine::Engine;
use crate::error::ApiError;
use crate::events::{Body, Event};
use crate::replies::{Exported, LearnerView, Next, PathView, Posted, Reloaded, SkillView};
use crate::store::{Appended, Change, Changed, Seq, Store};
use crate::writer::{self, Job};
use tokio::sync::oneshot;

/// The state a service keeps between requests.
pub struct Service {
    core: Arc<Core>,
    rule: MasteryRule,
    reload: Option<Reload>,
    /// Changes for the writer thread; `None` once the service is dropped.
    jobs: Option<Sender<Job>>,
    writer: Option<JoinHandle<()>>,
    counts: Counts,
}

/// What the writer thread shares with the request handlers.
pub(crate) struct Core {
    pub(crate) store: Box<dyn Store>,
    engine: RwLock<Arc<Engine>>,
    /// Transactions the writer committed (each one disk flush).
    pub(crate) commits: AtomicU64,
    /// Changes (posts, deletions) those transactions held.
    pub(crate) committed: AtomicU64,
}

/// Builds the recommender anew from the service's files, for a reload.
pub type Reload = Box<dyn Fn() -> Result<Recommender, String> + Send + Sync>;

/// Totals since start, for `/metrics`.
#[derive(Debug, Default)]
struct Counts {
    recorded: AtomicU64,
    duplicates: AtomicU64,
    skipped: AtomicU64,
    voids: AtomicU64,
    next: AtomicU64,
}

/// What the writer thread says of a change.
type Done = oneshot::Receiver<Result<Changed, ApiError>>;

fn stopping() -> ApiError {
    ApiError::internal("the service is stopping")
}

/// A post checked and handed to the writer thread, not yet on disk.
pub struct Pending {
    done: Done,
    post: Committed,
}

impl Pending {
    /// Waits until the post is on disk.
    pub async fn wait(self) -> Result<Committed, ApiError> {
        let changed = self.done.await.map_err(|_| stopping())??;
        self.post.with(changed)
    }

    /// Waits until the post is on disk, blocking the thread.
    pub fn wait_blocking(self) -> Result<Committed, ApiError> {
        let changed = self.done.blocking_recv().map_err(|_| stopping())??;
        self.post.with(changed)
    }
}

/// A post on disk, whose reply is made by [`Service::reply`].
#[derive(Debug, Clone)]
pub struct Committed {
    appended: Vec<Appended>,
    /// Each learner of the post with the skill ids it touched.
    touched: Vec<(String, Vec<String>)>,
    events: usize,
    skipped: usize,
    voids: usize,
}

impl Committed {
    fn with(mut self, changed: Changed) -> Result<Self, ApiError> {
        let Changed::Posted { appended, .. } = changed else {
            return Err(ApiError::internal(
                "the store answered a post with another change",
            ));
        };
        self.appended = appended;
        Ok(self)
    }
}

impl Core {
    /// The engine in use (a reload swaps it).
    pub(crate) fn engine(&self) -> Arc<Engine> {
        self.engine
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
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
            store,
            engine: RwLock::new(Arc::new(Engine::new(recommender, rule))),
            commits: AtomicU64::new(0),
            committed: AtomicU64::new(0),
        });
        let (jobs, writer) = writer::spawn(core.clone())?;
        Ok(Self {
            core,
            rule,
            reload: None,
            jobs: Some(jobs),
            writer: Some(writer),
            counts: Counts::default(),
        })
    }

    /// The service with `reload` as the way `POST /v1/admin/reload` builds a new recommender.
    pub fn with_reload(mut self, reload: Reload) -> Self {
        self.reload = Some(reload);
        self
    }

    /// Hands `change` to the writer thread; the receiver hears when it is on disk.
    fn send(&self, change: Change) -> Result<Done, ApiError> {
        let (reply, done) = oneshot::channel();
        self.jobs
            .as_ref()
            .ok_or_else(stopping)?
            .send(Job { change, reply })
            .map_err(|_| stopping())?;
        Ok(done)
    }

    /// Commits `change` through the writer thread and waits until it is on disk.
    fn commit(&self, change: Change) -> Result<Changed, ApiError> {
        self.send(change)?.blocking_recv().map_err(|_| stopping())?
    }

    /// Records the body's events (all or none), applies its voids and updates the learners'
    /// states; the reply shows each learner's skills touched by the post. Waits for the disk:
    /// on the async side, use [`Service::submit`], [`Pending::wait`] and [`Service::reply`].
    pub fn post(&self, body: &Body) -> Result<Posted, ApiError> {
        let committed = self.submit(body)?.wait_blocking()?;
        self.reply(&committed, false)
            .unwrap_or_else(|| Err(ApiError::internal("no reply was made")))
    }

    /// Checks the body's events against the graph and hands them to the writer thread.
    pub fn submit(&self, body: &Body) -> Result<Pending, ApiError> {
        let engine = self.core.engine();
        let graph = engine.recommender.graph();
        // Skill ids, not indices: a reload may change the graph before the reply is made.
        let mut touched: Vec<(String, Vec<String>)> = Vec::new();
        let mut events = Vec::with_capacity(body.events.len());
        let mut skipped = body.skipped;
        for (i, (e, from_xapi)) in body.events.iter().zip(&body.from_xapi).enumerate() {
            let skills = match engine.skills_of(e) {
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
            let skills = skills.into_iter().map(|s| graph.skill(s).id.clone());
            match touched.iter_mut().find(|(l, _)| *l == e.learner) {
                Some((_, all)) => all.extend(skills),
                None => touched.push((e.learner.clone(), skills.collect())),
            }
        }
        let events_n = events.len();
        let change = Change::Post {
            events,
            voids: body.voids.clone(),
        };
        Ok(Pending {
            done: self.send(change)?,
            post: Committed {
                appended: Vec::new(),
                touched,
                events: events_n,
                skipped,
                voids: body.voids.len(),
            },
        })
    }

    /// The reply to a committed post: from the states in memory only (`None` when a learner
    /// must first be replayed from the store, which may wait for the disk), or not.
    pub fn reply(&self, post: &Committed, memory_only: bool) -> Option<Result<Posted, ApiError>> {
        let engine = self.core.engine();
        let graph = engine.recommender.graph();
        let mut learners = Vec::with_capacity(post.touched.len());
        for (id, skills) in &post.touched {
            let mut skills: Vec<u32> = skills.iter().filter_map(|s| graph.skill_index(s)).collect();
            skills.sort_unstable();
            skills.dedup();
            match self.view(&engine, id, Some(&skills), memory_only)? {
                Ok(view) => learners.push(view),
                Err(e) => return Some(Err(e)),
            }
        }
        let count = |want: fn(&Appended) -> bool| post.appended.iter().filter(|a| want(a)).count();
        let recorded = count(|a| matches!(a, Appended::New(_)));
        let voided = count(|a| *a == Appended::Voided);
        let posted = Posted {
            recorded,
            duplicates: post.events - recorded - voided,
            skipped: post.skipped + voided,
            voids: post.voids,
            learners,
        };
        let add = |counter: &AtomicU64, n: usize| counter.fetch_add(n as u64, Ordering::Relaxed);
        add(&self.counts.recorded, posted.recorded);
        add(&self.counts.duplicates, posted.duplicates);
        add(&self.counts.skipped, posted.skipped);
        add(&self.counts.voids, posted.voids);
        Some(Ok(posted))
    }

    /// The learner's counts and knowledge of the skills `only` (all: `None`).
    fn view(
        &self,
        engine: &Engine,
        id: &str,
        only: Option<&[u32]>,
        memory_only: bool,
    ) -> Option<Result<LearnerView, ApiError>> {
        let recommender = &engine.recommender;
        let read = engine.read_where(&*self.core.store, id, memory_only, |learner| {
            let know = recommender.knowledge(&learner.state);
            (know, learner.events, learner.unmapped)
        })?;
        Some(read.and_then(|(know, events, unmapped)| {
            self.show(engine, id, know?, events, unmapped, only)
        }))
    }

    fn show(
        &self,
        engine: &Engine,
        id: &str,
        know: Vec<SkillKnowledge>,
        events: u64,
        unmapped: u64,
        only: Option<&[u32]>,
    ) -> Result<LearnerView, ApiError> {
        let graph = engine.recommender.graph();
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
            events,
            unmapped,
            skills,
        })
    }

    /// What the learner knows of every graph skill (a learner never seen has no events and
    /// every skill at its prior).
    pub fn knowledge(&self, id: &str) -> Result<LearnerView, ApiError> {
        self.view(&self.core.engine(), id, None, false)
            .unwrap_or_else(|| Err(ApiError::internal("no reply was made")))
    }

    /// The top `k` next activities for the learner, towards `goals` (skill ids; empty: the
    /// service's policy).
    pub fn next(&self, id: &str, k: usize, goals: &[String]) -> Result<Next, ApiError> {
        self.next_where(id, k, goals, false)
            .unwrap_or_else(|| Err(ApiError::internal("no reply was made")))
    }

    /// [`Service::next`] from the states in memory only: `None` when the learner must first be
    /// replayed from the store (which may wait for the disk).
    pub fn next_in_memory(
        &self,
        id: &str,
        k: usize,
        goals: &[String],
    ) -> Option<Result<Next, ApiError>> {
        self.next_where(id, k, goals, true)
    }

    fn next_where(
        &self,
        id: &str,
        k: usize,
        goals: &[String],
        memory_only: bool,
    ) -> Option<Result<Next, ApiError>> {
        let engine = self.core.engine();
        let own = &engine.recommender;
        let recommender = if goals.is_empty() {
            own.clone()
        } else {
            let policy = pathwise::Policy {
                goals: goals.to_vec(),
                ..own.policy().clone()
            };
            match Recommender::new(own.graph().clone(), own.model().clone(), policy) {
                Ok(r) => r,
                Err(e) => return Some(Err(ApiError::field("goal", e.to_string()))),
            }
        };
        let read = engine.read_where(&*self.core.store, id, memory_only, |learner| {
            let recommendations = recommender.recommend(&learner.state, k);
            let note = match &recommendations {
                Ok(list) if list.is_empty() => Some(recommender.why_none(&learner.state)),
                _ => None,
            };
            (recommendations, note)
        })?;
        self.counts.next.fetch_add(1, Ordering::Relaxed);
        Some(read.and_then(|(recommendations, note)| {
            Ok(Next {
                learner: id.to_owned(),
                recommendations: recommendations?,
                note: note.transpose()?,
            })
        }))
    }

    /// The totals since start in the Prometheus text format.
    pub fn metrics(&self) -> String {
        let cached = self.learners_in_memory();
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
            (
                "commits",
                "Transactions committed (one disk flush each)",
                &self.core.commits,
            ),
            (
                "committed_changes",
                "Posts and deletions committed (their ratio to commits is the mean group size)",
                &self.core.committed,
            ),
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

    /// The learning path to `goals` (skill ids; empty: the service's policy): every skill on
    /// the way that is not mastered, prerequisites first, as `pathwise path` gives it.
    pub fn path(&self, id: &str, goals: &[String]) -> Result<PathView, ApiError> {
        let engine = self.core.engine();
        let recommender = &engine.recommender;
        if let Some(g) = goals
            .iter()
            .find(|g| recommender.graph().skill_index(g).is_none())
        {
            return Err(ApiError::field(
                "goal",
                format!("no skill of the graph has the id {g:?}"),
            ));
        }
        let goals: Vec<&str> = goals.iter().map(String::as_str).collect();
        let plan = engine.read(&*self.core.store, id, |learner| {
            recommender.path(&learner.state, &goals)
        })??;
        Ok(PathView {
            learner: id.to_owned(),
            plan,
        })
    }

    /// The learner's stored events in the order they were recorded, each with the skills the
    /// graph in use maps it to (none: unmapped).
    pub fn export(&self, id: &str) -> Result<Vec<Exported>, ApiError> {
        self.exported(self.core.store.events(id)?)
    }

    /// At most `limit` stored events of every learner recorded after `after` (a sequence
    /// number; 0: from the first), in the order of recording, as [`Service::export`] gives them.
    pub fn export_page(&self, after: Seq, limit: usize) -> Result<Vec<Exported>, ApiError> {
        self.exported(self.core.store.page(after, limit)?)
    }

    fn exported(&self, events: Vec<(Seq, Event)>) -> Result<Vec<Exported>, ApiError> {
        let engine = self.core.engine();
        let graph = engine.recommender.graph();
        Ok(events
            .into_iter()
            .map(|(seq, event)| {
                let skills = engine.skills_of(&event).unwrap_or_default();
                let skills = skills.into_iter().map(|s| graph.skill(s).id.clone());
                Exported {
                    seq,
                    skills: skills.collect(),
                    event,
                }
            })
            .collect())
    }

    /// Swaps in a new recommender built by the service's reload function (its files read
    /// again). Learners' states are replayed from their stored events through the new model and
    /// graph when next asked about; requests keep being answered meanwhile.
    pub fn reload(&self) -> Result<Reloaded, ApiError> {
        let reload = self.reload.as_ref().ok_or_else(|| {
            ApiError::status(
                StatusCode::CONFLICT,
                "this service has no files to reload from",
            )
        })?;
        let recommender = reload()
            .map_err(|message| ApiError::status(StatusCode::UNPROCESSABLE_ENTITY, message))?;
        let ids = |r: &Recommender| -> BTreeSet<String> {
            r.model()
                .skills()
                .iter()
                .map(|s| s.id().to_owned())
                .collect()
        };
        let new_ids = ids(&recommender);
        let (graph_skills, activities) = {
            let g = recommender.graph();
            (g.skills().len(), g.activities().len())
        };
        let warnings = recommender.warnings().to_vec();
        let engine = Arc::new(Engine::new(recommender, self.rule));
        let old = std::mem::replace(
            &mut *self
                .core
                .engine
                .write()
                .unwrap_or_else(PoisonError::into_inner),
            engine,
        );
        let old_ids = ids(&old.recommender);
        Ok(Reloaded {
            model_skills: new_ids.len(),
            carried: new_ids.intersection(&old_ids).count(),
            added: new_ids.difference(&old_ids).cloned().collect(),
            dropped: old_ids.difference(&new_ids).cloned().collect(),
            graph_skills,
            activities,
            learners_to_replay: old.learners_in_memory(),
            warnings,
        })
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
        self.core.engine().learners_in_memory()
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
