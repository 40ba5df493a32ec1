//! The writer thread: the one place changes reach the store. It takes every change waiting at
//! that moment, commits them in one transaction (one disk flush for all: a group commit), brings
//! the states in memory up to them and only then acknowledges each, so an acknowledged event is
//! always on disk.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::error::ApiError;
use crate::service::Core;
use crate::store::{Change, Changed};

/// The most changes committed together.
pub const MAX_GROUP: usize = 512;

/// A change waiting for the writer, and where to say what became of it.
pub(crate) struct Job {
    /// The change.
    pub change: Change,
    /// Told once the change is committed (or has failed).
    pub reply: oneshot::Sender<Result<Changed, ApiError>>,
}

/// Starts the writer thread; it ends once every sender is dropped and the queue is empty.
pub(crate) fn spawn(core: Arc<Core>) -> std::io::Result<(Sender<Job>, JoinHandle<()>)> {
    let (jobs, queue) = channel();
    let thread = std::thread::Builder::new()
        .name("pathwise-writer".into())
        .spawn(move || run(&core, &queue))?;
    Ok((jobs, thread))
}

fn run(core: &Core, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP
            && let Ok(job) = queue.try_recv()
        {
            group.push(job);
        }
        let (changes, replies): (Vec<Change>, Vec<_>) =
            group.into_iter().map(|j| (j.change, j.reply)).unzip();
        match core.store.commit(&changes) {
            Ok(results) => {
                core.commits.fetch_add(1, Ordering::Relaxed);
                let n = changes.len() as u64;
                core.committed.fetch_add(n, Ordering::Relaxed);
                for ((change, result), reply) in changes.iter().zip(results).zip(replies) {
                    if let Ok(changed) = &result {
                        core.engine().committed(&*core.store, change, changed);
                    }
                    // A client that went away needs no answer.
                    let _ = reply.send(result.map_err(ApiError::from));
                }
            }
            Err(e) => {
                let e = ApiError::from(e);
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}
