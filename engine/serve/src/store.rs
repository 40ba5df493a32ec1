//! Durable event storage behind the small [`Store`] trait, and [`SqliteStore`], its SQLite
//! implementation (WAL journal, `synchronous = FULL`: an append has reached the disk when it
//! returns). Events are kept as posted, so learner states can be recomputed after a refit or a
//! new graph.

use std::path::Path;

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
    /// Recorded now.
    New,
    /// Its id was already recorded with the same content: not recorded again.
    Duplicate,
    /// Its id was voided: never recorded.
    Voided,
}

/// Where the service keeps events. Appends are all-or-nothing per batch and durable when they
/// return.
pub trait Store: Send {
    /// Records `events` in order, skipping those whose id is already recorded with the same
    /// content; fails (recording none) when an id is recorded with other content.
    fn append(&mut self, events: &[Event]) -> Result<Vec<Appended>, StoreError>;
    /// A learner's events in the order they were recorded.
    fn events(&self, learner: &str) -> Result<Vec<Event>, StoreError>;
    /// Erases a learner's events; returns how many there were.
    fn delete(&mut self, learner: &str) -> Result<u64, StoreError>;
    /// Voids the events of these ids (recorded or not yet: a voided id is never recorded);
    /// returns the learners whose recorded events were removed.
    fn void(&mut self, ids: &[String]) -> Result<Vec<String>, StoreError>;
}

/// A [`Store`] in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
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
        Ok(Self { conn })
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

impl Store for SqliteStore {
    fn append(&mut self, events: &[Event]) -> Result<Vec<Appended>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut out = Vec::with_capacity(events.len());
        {
            let mut find = tx.prepare_cached(
                "SELECT id, learner, item, skill, correct, time FROM events WHERE id = ?1",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (id, learner, item, skill, correct, time)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut voided = tx.prepare_cached("SELECT 1 FROM voided WHERE id = ?1")?;
            for (index, e) in events.iter().enumerate() {
                if let Some(id) = &e.id
                    && voided.exists([id])?
                {
                    out.push(Appended::Voided);
                    continue;
                }
                if let Some(id) = &e.id
                    && let Some(old) = find.query_row([id], row_event).optional()?
                {
                    if old == *e {
                        out.push(Appended::Duplicate);
                        continue;
                    }
                    return Err(StoreError::Conflict {
                        index,
                        id: id.clone(),
                    });
                }
                insert.execute(params![e.id, e.learner, e.item, e.skill, e.correct, e.time])?;
                out.push(Appended::New);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn events(&self, learner: &str) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, learner, item, skill, correct, time FROM events
             WHERE learner = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map([learner], row_event)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn delete(&mut self, learner: &str) -> Result<u64, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM events WHERE learner = ?1", [learner])?;
        Ok(n as u64)
    }

    fn void(&mut self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut learners = Vec::new();
        {
            let mut mark = tx.prepare_cached("INSERT OR IGNORE INTO voided (id) VALUES (?1)")?;
            let mut remove =
                tx.prepare_cached("DELETE FROM events WHERE id = ?1 RETURNING learner")?;
            for id in ids {
                mark.execute([id])?;
                if let Some(learner) = remove
                    .query_row([id], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    learners.push(learner);
                }
            }
        }
        tx.commit()?;
        Ok(learners)
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

    #[test]
    fn appends_survive_reopening_and_ids_count_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut store = SqliteStore::open(&path).unwrap();
        let batch = [event(Some("e1"), "a", true), event(None, "a", false)];
        assert_eq!(
            store.append(&batch).unwrap(),
            [Appended::New, Appended::New]
        );
        assert_eq!(
            store.append(&batch[..1]).unwrap(),
            [Appended::Duplicate],
            "a retried id is not recorded twice"
        );
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.events("a").unwrap(), batch);
        assert!(store.events("b").unwrap().is_empty());
    }

    #[test]
    fn a_reused_id_with_other_content_records_nothing_of_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        store.append(&[event(Some("e1"), "a", true)]).unwrap();
        let err = store
            .append(&[event(Some("e2"), "a", true), event(Some("e1"), "a", false)])
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict { index: 1, .. }),
            "{err}"
        );
        assert_eq!(
            store.events("a").unwrap().len(),
            1,
            "the batch was rolled back"
        );
    }

    #[test]
    fn a_voided_id_is_removed_and_never_recorded_again() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        store.append(&[event(Some("e1"), "a", true)]).unwrap();
        let ids = ["e1".to_owned(), "e2".to_owned()];
        assert_eq!(store.void(&ids).unwrap(), ["a"]);
        assert!(store.events("a").unwrap().is_empty());
        assert_eq!(
            store.void(&ids).unwrap(),
            Vec::<String>::new(),
            "voiding twice is harmless"
        );
        let late = [event(Some("e1"), "a", true), event(Some("e2"), "b", true)];
        assert_eq!(
            store.append(&late).unwrap(),
            [Appended::Voided, Appended::Voided]
        );
    }

    #[test]
    fn delete_erases_one_learner() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::open(&dir.path().join("s.db")).unwrap();
        store
            .append(&[event(None, "a", true), event(None, "b", true)])
            .unwrap();
        assert_eq!(store.delete("a").unwrap(), 1);
        assert_eq!(store.delete("a").unwrap(), 0);
        assert_eq!(store.events("b").unwrap().len(), 1);
    }
}
