//! How far a fit has come: the [`Progress`] the caller's callback receives, and the shared
//! counters and cancel flag behind it.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// How far a fit has come, passed to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Skills whose fit is finished.
    pub skills_done: usize,
    /// Skills to fit.
    pub skills_total: usize,
    /// EM iterations run so far, over all skills and restarts.
    pub iterations: usize,
}

/// Shared progress state: counters and the cancel flag.
pub(super) struct Tracker<'a, F> {
    total: usize,
    done: AtomicUsize,
    iterations: AtomicUsize,
    cancelled: AtomicBool,
    progress: &'a F,
}

impl<'a, F: Fn(Progress) -> ControlFlow<()> + Sync> Tracker<'a, F> {
    pub(super) fn new(total: usize, progress: &'a F) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            iterations: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            progress,
        }
    }

    fn report(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let p = Progress {
            skills_done: self.done.load(Ordering::Relaxed),
            skills_total: self.total,
            iterations: self.iterations.load(Ordering::Relaxed),
        };
        if (self.progress)(p).is_break() {
            self.cancelled.store(true, Ordering::Relaxed);
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    pub(super) fn iteration_done(&self) -> Result<()> {
        self.iterations.fetch_add(1, Ordering::Relaxed);
        self.report()
    }

    pub(super) fn skill_done(&self) -> Result<()> {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.report()
    }

    pub(super) fn skills_done(&self, n: usize) -> Result<()> {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.report()
    }
}
