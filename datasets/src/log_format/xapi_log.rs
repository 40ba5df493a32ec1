//! The `xapi` preset: files of xAPI statements (a JSON array, NDJSON or LRS pages, e.g. an LRS
//! export) read into the log with the statement reader `pathwise serve` uses
//! ([`crate::xapi::parse_statement`]). Items map to skills through an item→skill map (a file, or
//! the activities of a skill graph). Voiding statements remove the statement they void wherever
//! it is in the files; statements that are no answer, voided statements, repeats of a statement
//! id and items the map does not know are dropped and counted.

use std::path::Path;

use pathwise::text::quoted;
use pathwise::{Error, Location, OrderKind, RawRow, Result};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{Map, Value};

use super::json_spans::{Positions, statement_spans};
use super::rows::{ItemSkills, NOT_IN_MAP, Sink};
use crate::xapi::{self, Answer, Statement};

/// A file of xAPI statements longer than this is refused (split it: several files are read as
/// one log, voiding included).
pub const MAX_XAPI_FILE_BYTES: u64 = 512 << 20;

/// Reason counted for statements of another verb or without a result.
pub(crate) const NOT_AN_ANSWER: &str = "not an answer (another verb or no result)";
/// Reason counted for statements voided by a voiding statement.
pub(crate) const VOIDED: &str = "voided";
/// Reason counted for a statement id seen again with the same content.
pub(crate) const REPEATED: &str = "repeated statement";
/// Reason counted for items that are no activity of the graph.
pub(crate) const NOT_AN_ACTIVITY: &str = "item not an activity of the graph";

/// Where items get their skills.
pub(crate) enum SkillMap<'a> {
    /// An item→skill map file (`--item-skills`).
    File(&'a ItemSkills),
    /// A skill graph's activities.
    Activities(&'a ItemSkills),
}

/// The answers of every statement file of one log, kept until all are read (a voiding
/// statement may come after the statement it voids, in a later file too).
#[derive(Default)]
pub(crate) struct Statements {
    answers: Vec<(Answer, i64)>,
    by_id: FxHashMap<String, usize>,
    voided: FxHashSet<String>,
    repeated: u64,
    skipped: u64,
}

impl Statements {
    /// Reads the statements of `path`: parsed on all threads, then added in file order (so the
    /// log, the counts and the first error reported are those of a sequential read).
    pub fn read(&mut self, path: &Path) -> Result<()> {
        let file = path.display().to_string();
        super::sniff::refuse_special_file(path)?;
        let text = crate::read_limited(path, MAX_XAPI_FILE_BYTES, "a file of xAPI statements")?;
        let mut positions = Positions::new(&text);
        let at = |(line, column): (u64, u64)| {
            Location::file(&file).line(line).column(column.to_string())
        };
        let spans = statement_spans(&text)
            .map_err(|e| Error::input(at(positions.at(e.offset)), e.message))?;
        if spans.is_empty() {
            return Err(Error::input(
                Location::file(&file),
                "the file holds no xAPI statement",
            ));
        }
        let parsed: Vec<_> = spans
            .par_iter()
            .map(|span| parse(&text[span.clone()]))
            .collect();
        for (span, statement) in spans.iter().zip(parsed) {
            let (line, column) = positions.at(span.start);
            let statement = statement.map_err(|failure| match failure {
                Failure::Here(message) => Error::input(at((line, column)), message),
                // serde_json counts from the statement's start.
                Failure::Json {
                    line: l,
                    column: c,
                    message,
                } => {
                    let place = if l <= 1 {
                        (line, column + c.saturating_sub(1))
                    } else {
                        (line + l - 1, c)
                    };
                    Error::input(at(place), message)
                }
            })?;
            self.add(statement)
                .map_err(|m| Error::input(at((line, column)), m))?;
        }
        Ok(())
    }

    /// Adds one statement; an error is the message for the statement's place.
    fn add(&mut self, statement: Statement) -> std::result::Result<(), String> {
        let answer = match statement {
            Statement::Answer(answer) => answer,
            Statement::Void(id) => {
                self.voided.insert(id);
                return Ok(());
            }
            Statement::Skipped => {
                self.skipped += 1;
                return Ok(());
            }
        };
        // `parse` refuses an answer without a time.
        let time = answer.time.unwrap_or_default();
        if let Some(id) = &answer.id {
            if let Some(&earlier) = self.by_id.get(id) {
                if self.answers[earlier].0 != answer {
                    return Err(format!(
                        "id: {} is the id of an earlier statement with other content",
                        quoted(id)
                    ));
                }
                self.repeated += 1;
                return Ok(());
            }
            self.by_id.insert(id.clone(), self.answers.len());
        }
        self.answers.push((answer, time as i64));
        Ok(())
    }

    /// Adds the answers that are not voided to the log, their items' skills from `map`, and
    /// counts what was dropped.
    pub fn finish(self, sink: &mut Sink, map: SkillMap<'_>) -> Result<()> {
        let (map, unknown) = match map {
            SkillMap::File(map) => (map, NOT_IN_MAP),
            SkillMap::Activities(map) => (map, NOT_AN_ACTIVITY),
        };
        for (reason, n) in [(NOT_AN_ANSWER, self.skipped), (REPEATED, self.repeated)] {
            for _ in 0..n {
                sink.builder.drop_row(reason);
            }
        }
        if !self.answers.is_empty() {
            sink.check_order_kind(OrderKind::TimestampMillis, Location::default)?;
        }
        for (answer, time) in &self.answers {
            if answer
                .id
                .as_ref()
                .is_some_and(|id| self.voided.contains(id))
            {
                sink.builder.drop_row(VOIDED);
                continue;
            }
            let Some(skills) = map.get(&answer.item) else {
                sink.builder.drop_row(unknown);
                continue;
            };
            let skills: Vec<&str> = skills.iter().map(String::as_str).collect();
            sink.builder.push(RawRow {
                learner: &answer.learner,
                skills: &skills,
                item: Some(&answer.item),
                correct: answer.correct,
                order: *time,
                group: None,
            });
        }
        Ok(())
    }
}

/// Why one statement cannot be read.
enum Failure {
    /// At the statement's start.
    Here(String),
    /// A JSON syntax error, at a line and column counted from the statement's start.
    Json {
        line: u64,
        column: u64,
        message: String,
    },
}

/// Parses one statement (the bytes of one span); an answer always has its time.
fn parse(bytes: &[u8]) -> std::result::Result<Statement, Failure> {
    let map: Map<String, Value> = serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            return Failure::Here("a statement must be a JSON object".to_owned());
        }
        Failure::Json {
            line: e.line() as u64,
            column: e.column() as u64,
            message: format!("malformed JSON: {}", bare(&e)),
        }
    })?;
    if !xapi::is_statement(&map) {
        return Err(Failure::Here(
            "not an xAPI statement: it has no actor and verb".to_owned(),
        ));
    }
    let statement = xapi::parse_statement(&map).map_err(|e| Failure::Here(e.to_string()))?;
    if matches!(&statement, Statement::Answer(a) if a.time.is_none()) {
        return Err(Failure::Here(
            "timestamp: missing; each answer in a log needs its time".to_owned(),
        ));
    }
    Ok(statement)
}

/// The error when xAPI statements have no item→skill map.
pub(crate) fn no_skill_map() -> Error {
    Error::config(
        "xAPI statements name items, not skills: give an item→skill map with --item-skills FILE \
         (a CSV of item,skill), or, to a command that reads a skill graph, a graph whose \
         activities are the statements' object ids",
    )
}

/// A serde_json error's message without the ` at line L column C` it appends.
pub(crate) fn bare(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_owned()
}

/// Whether `head` (the start of a `.json`, `.ndjson` or `.jsonl` file) looks like xAPI
/// statements: JSON opening with an object or an array that names an actor and a verb.
pub(crate) fn looks_like_statements(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let opens = head
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| matches!(b, b'[' | b'{'));
    let names = |key: &[u8]| memchr::memmem::find(head, key).is_some();
    opens && names(b"\"actor\"") && names(b"\"verb\"")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::{LogOptions, Preset, load_logs};

    fn statement(id: &str, item: &str, success: bool, minute: u32) -> String {
        format!(
            r#"{{"id":"{id}","actor":{{"mbox":"mailto:ann@example.org"}},"verb":{{"id":"http://adlnet.gov/expapi/verbs/answered"}},"object":{{"id":"{item}"}},"result":{{"success":{success}}},"timestamp":"2024-05-01T10:{minute:02}:00Z"}}"#
        )
    }

    fn options() -> LogOptions {
        LogOptions {
            preset: Some(Preset::Xapi),
            activity_skills: Some(HashMap::from([("q1".to_owned(), vec!["add".to_owned()])])),
            ..LogOptions::default()
        }
    }

    fn load(text: &str) -> pathwise::Result<crate::LoadedLog> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.json");
        std::fs::write(&path, text).unwrap();
        load_logs(&[path], &options())
    }

    #[test]
    fn an_lrs_page_reads_its_statements_in_time_order() {
        let page = format!(
            r#"{{"statements":[{},{}],"more":"/xapi/statements?page=2"}}"#,
            statement("b", "q1", true, 5),
            statement("a", "q1", false, 1)
        );
        let log = load(&page).unwrap().log;
        assert_eq!(log.n_responses(), 2);
        assert_eq!(log.order_kind(), pathwise::OrderKind::TimestampMillis);
        assert!(!log.response(0).correct, "the earlier answer comes first");
    }

    #[test]
    fn a_repeated_statement_counts_once_and_a_reused_id_is_refused() {
        let one = statement("a", "q1", true, 1);
        let log = load(&format!("{one}\n{one}\n")).unwrap().log;
        assert_eq!(log.n_responses(), 1);
        assert_eq!(log.dropped().get(super::REPEATED), Some(&1));
        let other = statement("a", "q1", false, 1);
        let e = load(&format!("{one}\n{other}\n")).unwrap_err().to_string();
        assert!(
            e.ends_with(
                "log.json:2:1: id: 'a' is the id of an earlier statement with other content"
            ),
            "{e}"
        );
    }

    #[test]
    fn items_that_are_no_graph_activity_are_dropped_and_counted() {
        let text = format!(
            "[{},{}]",
            statement("a", "q1", true, 1),
            statement("b", "video-7", true, 2)
        );
        let log = load(&text).unwrap().log;
        assert_eq!(log.n_responses(), 1);
        assert_eq!(log.dropped().get(super::NOT_AN_ACTIVITY), Some(&1));
    }

    #[test]
    fn statements_are_recognised_only_in_json_files_that_name_actor_and_verb() {
        assert!(super::looks_like_statements(
            b"\xEF\xBB\xBF [{\"actor\":1,\"verb\":2}]"
        ));
        assert!(!super::looks_like_statements(b"learner,actor,verb\n"));
        assert!(!super::looks_like_statements(b"{\"skills\":[]}"));
    }
}
