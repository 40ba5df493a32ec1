//! Durable event storage behind the small [`Store`] trait, and [`SqliteStore`], its SQLite
//! implementation (WAL journal, `synchronous = FULL`: a commit has reached the disk when it
//! returns; readers do not wait for the writer). Events are kept as posted, so learner states can be recomputed after a refit or a
//! new graph.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, OptionalExtension, params};

use crate::events::Event;

/// The schema version [`SqliteStore`] writes (SQLite's `user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An event reuses the id of a recorded event with other content (`index` in the batch).
    #[error("event id {id:?} (event {index} of the batch) was already recorded with other content")]
    Conflict {
        /// The event's place in the batch.
        index: usize,
        /// The id.
        id: String,
    },
    /// The database refused or failed.
    #[error("state database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database was written by a newer pathwise.
    #[error(
        "state database has schema version {0}, newer than this pathwise reads ({SCHEMA_VERSION})"
    )]
    Newer(i64),
}

/// What became of one appended event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// Recorded now, at this place in the order of recording.
    New(Seq),
    /// Its id was already recorded with the same content: not recorded again.
    Duplicate,
    /// Its id was voided: never recorded.
    Voided,
}

/// The place of an event in the order of recording (increasing, never reused).
pub type Seq = i64;

/// A change to the stored events; [`Store::commit`] commits several at once.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Record `events` in order (skipping those whose id is already recorded with the same
    /// content; refusing all when an id is recorded with other content), then void the events
    /// of the ids `voids` (recorded or not yet: a voided id is never recorded).
    Post {
        /// The events to record.
        events: Vec<Event>,
        /// The ids to void.
        voids: Vec<String>,
    },
    /// Erase a learner's events.
    Delete(String),
}

/// What a [`Change`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// A [`Change::Post`].
    Posted {
        /// Per event of the post.
        appended: Vec<Appended>,
        /// The learners whose recorded events the voids removed.
        voided: Vec<String>,
    },
    /// A [`Change::Delete`]: how many events the learner had.
    Deleted(u64),
}

/// Where the service keeps events. Every method may be called from several threads at once;
/// the service calls [`Store::commit`] from one thread only.
pub trait Store: Send + Sync {
    /// Commits `changes` in one durable transaction (a group commit: one disk flush for all).
    /// Each change is all or nothing: one that fails gives its own error and the others are
    /// recorded. An error of the whole (the database failed) means none was recorded.
    #[allow(clippy::type_complexity)]
    fn commit(&self, changes: &[Change]) -> Result<Vec<Result<Changed, StoreError>>, StoreError>;
    /// A learner's events in the order they were recorded, each with its [`Seq`].
    fn events(&self, learner: &str) -> Result<Vec<(Seq, Event)>, StoreError>;
    /// At most `limit` events of every learner recorded after `after`, in the order of
    /// recording (a page of an export).
    fn page(&self, after: Seq, limit: usize) -> Result<Vec<(Seq, Event)>, StoreError>;
}

/// A [`Store`] in one SQLite file: one connection writes, others read beside it (WAL).
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// Idle read connections, opened on demand.
    readers: Mutex<Vec<Connection>>,
}

fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = connect(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::Newer(version));
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS events (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 id TEXT UNIQUE,
                 learner TEXT NOT NULL,
                 item TEXT,
                 skill TEXT,
                 correct INTEGER NOT NULL,
                 time REAL NOT NULL
             );
             CREATE INDEX IF NOT EXISTS events_by_learner ON events (learner, seq);
             CREATE TABLE IF NOT EXISTS voided (id TEXT PRIMARY KEY);",
        )?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Self {
            path: path.to_owned(),
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    fn readers(&self) -> MutexGuard<'_, Vec<Connection>> {
        // The list is consistent after any panic: one push or pop.
        self.readers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn row_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    Ok(Event {
        id: row.get(0)?,
        learner: row.get(1)?,
        item: row.get(2)?,
        skill: row.get(3)?,
        correct: row.get(4)?,
        time: row.get(5)?,
    })
}

/// Records a post's events and voids inside the transaction (the caller's savepoint).
fn post(tx: &Connection, events: &[Event], voids: &[String]) -> Result<Changed, StoreError> {
    let mut appended = Vec::with_capacity(events.len());
    let mut find = tx.prepare_cached(
        "SELECT id, learner, item, skill, correct, time FROM events WHERE id = ?1",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (id, learner, item, skill, correct, time)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut is_voided = tx.prepare_cached("SELECT 1 FROM voided WHERE id = ?1")?;
    for (index, e) in events.iter().enumerate() {
        if let Some(id) = &e.id {
            if is_voided.exists([id])? {
                appended.push(Appended::Voided);
                continue;
            }
            if let Some(old) = find.query_row([id], row_event).optional()? {
                if old != *e {
                    return Err(StoreError::Conflict {
                        index,
                        id: id.clone(),
                    });
                }
                appended.push(Appended::Duplicate);
                continue;
            }
        }
        insert.execute(params![e.id, e.learner, e.item, e.skill, e.correct, e.time])?;
        appended.push(Appended::New(tx.last_insert_rowid()));
    }
    let mut voided = Vec::new();
    let mut mark = tx.prepare_cached("INSERT OR IGNORE INTO voided (id) VALUES (?1)")?;
    let mut remove = tx.prepare_cached("DELETE FROM events WHERE id = ?1 RETURNING learner")?;
    for id in voids {
        mark.execute([id])?;
        if let Some(learner) = remove
            .query_row([id], |r| r.get::<_, String>(0))
            .optional()?
        {
            voided.push(learner);
        }
    }
    Ok(Changed::Posted { appended, voided })
}

impl Store for SqliteStore {
    fn commit(&self, changes: &[Change]) -> Result<Vec<Result<Changed, StoreError>>, StoreError> {
        // Only the service's writer thread commits: a panic there leaves no transaction open.
        let mut conn = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let mut tx = conn.transaction()?;
        let mut out = Vec::with_capacity(changes.len());
        for change in changes {
            let mut part = tx.savepoint()?;
            let done = match change {
                Change::Post { events, voids } => post(&part, events, voids),
                Change::Delete(learner) => part
                    .execute("DELETE FROM events WHERE learner = ?1", [learner])
                    .map(|n| Changed::Deleted(n as u64))
                    .map_err(StoreError::from),
            };
            match done {
                Ok(_) => part.commit()?,
                // Dropping the rolled-back savepoint releases it.
                Err(_) => part.rollback()?,
            }
            out.push(done);
        }
        tx.commit()?;
        Ok(out)
    }

    fn events(&self, learner: &str) -> Result<Vec<(Seq, Event)>, StoreError> {
        self.select(
            "SELECT id, learner, item, skill, correct, time, seq FROM events
             WHERE learner = ?1 ORDER BY seq",
            params![learner],
        )
    }

    fn page(&self, after: Seq, limit: usize) -> Result<Vec<(Seq, Event)>, StoreError> {
        self.select(
            "SELECT id, learner, item, skill, correct, time, seq FROM events
             WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            params![after, limit as i64],
        )
    }
}

impl SqliteStore {
    /// The events a query selects, through an idle read connection.
    fn select(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<(Seq, Event)>, StoreError> {
        let conn = match self.readers().pop() {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let events = {
            let mut stmt = conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params, |r| Ok((r.get(6)?, row_event(r)?)))?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        self.readers().push(conn);
        Ok(events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: Option<&str>, learner: &str, correct: bool) -> Event {
        Event {
            id: id.map(str::to_owned),
            learner: learner.into(),
            item: Some("q".into()),
            skill: None,
            correct,
            time: 1.0,
        }
    }

    fn one(store: &SqliteStore, change: Change) -> Result<Changed, StoreError> {
        store.commit(&[change]).unwrap().pop().unwrap()
    }

    fn append(store: &SqliteStore, events: &[Event]) -> Result<Vec<Appended>, StoreError> {
        let change = Change::Post {
            events: events.to_vec(),
            voids: vec![],
        };
        one(store, change).map(|c| match c {
            Changed::Posted { appended, .. } => appended,
            other => panic!("{other:?}"),
        })
    }

    fn void(store: &SqliteStore, ids: &[&str]) -> Vec<String> {
        let change = Change::Post {
            events: vec![],
            voids: ids.iter().map(|s| s.to_string()).collect(),
        };
        match one(store, change).unwrap() {
            Changed::Posted { voided, .. } => voided,
            other => panic!("{other:?}"),
        }
    }

    fn events(store: &SqliteStore, learner: &str) -> Vec<Event> {
        store
            .events(learner)
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    }

    #[test]
    fn appends_survive_reopening_and_ids_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let store = SqliteStore::open(&path).unwrap();
        let batch = [event(Some("e1"), "a", true), event(None, "a", false)];
        assert_eq!(
            append(&store, &batch).unwrap(),
            [Appended::New(1), Appended::New(2)]
        );
        assert_eq!(
            append(&store, &batch[..1]).unwrap(),
            [Appended::Duplicate],
            "a retried id is not recorded twice"
        );
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(events(&store, "a"), batch);
        assert_eq!(store.events("a").unwrap()[1].0, 2);
        assert!(events(&store, "b").is_empty());
    }

    #[test]
    fn a_reused_id_with_other_content_records_nothing_of_its_post_and_spares_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        append(&store, &[event(Some("e1"), "a", true)]).unwrap();
        let post = |events: Vec<Event>| Change::Post {
            events,
            voids: vec![],
        };
        let done = store
            .commit(&[
                post(vec![
                    event(Some("e2"), "a", true),
                    event(Some("e1"), "a", false),
                ]),
                post(vec![event(Some("e3"), "b", true)]),
            ])
            .unwrap();
        assert!(
            matches!(done[0], Err(StoreError::Conflict { index: 1, .. })),
            "{done:?}"
        );
        assert!(done[1].is_ok(), "{done:?}");
        assert_eq!(events(&store, "a").len(), 1, "the post was rolled back");
        assert_eq!(events(&store, "b").len(), 1, "the other post was recorded");
    }

    #[test]
    fn a_voided_id_is_removed_and_never_recorded_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        append(&store, &[event(Some("e1"), "a", true)]).unwrap();
        assert_eq!(void(&store, &["e1", "e2"]), ["a"]);
        assert!(events(&store, "a").is_empty());
        assert!(
            void(&store, &["e1", "e2"]).is_empty(),
            "voiding twice is harmless"
        );
        let late = [event(Some("e1"), "a", true), event(Some("e2"), "b", true)];
        assert_eq!(
            append(&store, &late).unwrap(),
            [Appended::Voided, Appended::Voided]
        );
    }

    #[test]
    fn pages_follow_the_order_of_recording() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        let all: Vec<Event> = (0..5)
            .map(|i| event(None, &format!("l{}", i % 2), true))
            .collect();
        append(&store, &all).unwrap();
        let first = store.page(0, 3).unwrap();
        assert_eq!(first.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [1, 2, 3]);
        let rest = store.page(3, 3).unwrap();
        assert_eq!(rest.iter().map(|(s, _)| *s).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(rest[0].1, all[3]);
        assert!(store.page(5, 3).unwrap().is_empty());
    }

    #[test]
    fn delete_erases_one_learner() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        append(&store, &[event(None, "a", true), event(None, "b", true)]).unwrap();
        let delete = |l: &str| one(&store, Change::Delete(l.into())).unwrap();
        assert_eq!(delete("a"), Changed::Deleted(1));
        assert_eq!(delete("a"), Changed::Deleted(0));
        assert_eq!(events(&store, "b").len(), 1);
    }
}
