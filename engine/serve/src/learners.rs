//! [`Learners`]: the states of the learners seen since start, in memory, each the replay of the
//! learner's stored events. Sharded behind read-write locks, so that reading one learner never
//! waits for the writer updating another.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{RwLock, RwLockWriteGuard};

use pathwise::LearnerState;

use crate::error::ApiError;
use crate::store::Seq;

/// Independent locks; far more than the threads that take them.
const SHARDS: usize = 64;

/// One learner's state and counts.
#[derive(Debug, Clone)]
pub struct Learner {
    /// The replay of the learner's stored events.
    pub state: LearnerState,
    /// Stored events, including those the graph no longer maps to a skill.
    pub events: u64,
    /// Stored events that name a skill or item the graph does not know (any more).
    pub unmapped: u64,
    /// The last stored event in the state (0: none), so that an event is applied once.
    pub last: Seq,
}

type Shard = HashMap<String, Learner>;

/// The learners in memory. A learner is loaded (replayed from the store) under its shard's write
/// lock, and the writer applies committed events under the same lock, skipping those the load
/// already saw: so a state never misses or doubles an event.
#[derive(Debug)]
pub struct Learners {
    shards: Vec<RwLock<Shard>>,
    hasher: RandomState,
}

impl Default for Learners {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            hasher: RandomState::new(),
        }
    }
}

impl Learners {
    fn shard(&self, id: &str) -> &RwLock<Shard> {
        &self.shards[self.hasher.hash_one(id) as usize % SHARDS]
    }

    /// The shard for writing; a shard poisoned by a panic is emptied (its learners are replayed
    /// from the store when next asked about).
    fn write(&self, id: &str) -> RwLockWriteGuard<'_, Shard> {
        let shard = self.shard(id);
        shard.write().unwrap_or_else(|poisoned| {
            shard.clear_poison();
            let mut guard = poisoned.into_inner();
            guard.clear();
            guard
        })
    }

    /// `f` of the learner if in memory (taking only the shard's read lock).
    pub fn get<R>(&self, id: &str, f: impl FnOnce(&Learner) -> R) -> Option<R> {
        self.shard(id).read().ok()?.get(id).map(f)
    }

    /// `f` of the learner, loaded by `load` when not in memory. A learner with no stored event
    /// is not kept, so that asking about unknown ids does not grow the memory.
    pub fn read<R>(
        &self,
        id: &str,
        load: impl FnOnce() -> Result<Learner, ApiError>,
        f: impl FnOnce(&Learner) -> R,
    ) -> Result<R, ApiError> {
        let mut f = Some(f);
        if let Some(out) = self.get(id, |learner| f.take().map(|f| f(learner))) {
            return Ok(out.expect("f is taken once"));
        }
        let f = f.expect("f is taken only when the learner is found");
        self.update(id, load, |learner| f(learner))
    }

    /// `f` of the learner for changing, loaded by `load` when not in memory (under the write
    /// lock, so that the writer cannot apply an event in between).
    pub fn update<R>(
        &self,
        id: &str,
        load: impl FnOnce() -> Result<Learner, ApiError>,
        f: impl FnOnce(&mut Learner) -> R,
    ) -> Result<R, ApiError> {
        let mut shard = self.write(id);
        if let Some(learner) = shard.get_mut(id) {
            return Ok(f(learner));
        }
        let mut learner = load()?;
        let out = f(&mut learner);
        if learner.events > 0 {
            shard.insert(id.to_owned(), learner);
        }
        Ok(out)
    }

    /// Forgets a learner (replayed from the store when next asked about).
    pub fn remove(&self, id: &str) {
        self.write(id).remove(id);
    }

    /// How many learners are in memory.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().map_or(0, |s| s.len()))
            .sum()
    }

    /// Whether no learner is in memory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
