//! xAPI statements read as answers: which verbs count, where correctness, the learner, the item
//! and the time come from, and voiding. The one reader of statements: `pathwise serve` reads the
//! statements posted to `/v1/events` with it, and the `xapi` log preset reads files of statements
//! (an LRS export) with it.
//!
//! ```
//! use pathwise_datasets::xapi::{Statement, parse_statement};
//! let statement = serde_json::json!({
//!     "actor": {"account": {"homePage": "https://lms.example", "name": "42"}},
//!     "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
//!     "object": {"id": "https://lms.example/q/1"},
//!     "result": {"success": true},
//!     "timestamp": "2024-01-02T03:04:05Z"
//! });
//! let Statement::Answer(answer) = parse_statement(statement.as_object().unwrap())? else {
//!     unreachable!()
//! };
//! assert_eq!(answer.learner, "https://lms.example|42");
//! assert!(answer.correct);
//! # Ok::<(), pathwise_datasets::xapi::StatementError>(())
//! ```

use serde_json::{Map, Value};

/// `result.score.scaled` at or above this counts as a correct answer when `result.success` is
/// absent.
pub const SCALED_THRESHOLD: f64 = 0.5;

/// The verbs whose statements with a result are answers.
pub const ANSWER_VERBS: [&str; 5] = [
    "http://adlnet.gov/expapi/verbs/answered",
    "https://w3id.org/xapi/acrossx/verbs/evaluated",
    "http://adlnet.gov/expapi/verbs/passed",
    "http://adlnet.gov/expapi/verbs/failed",
    "http://adlnet.gov/expapi/verbs/completed",
];

/// The verb of a statement that voids another.
pub const VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// At most this many characters in an id (learner, item, statement id).
pub const MAX_ID_CHARS: usize = 256;

/// One answer a statement records.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The statement's id, if it has one.
    pub id: Option<String>,
    /// The learner: `HOMEPAGE|NAME` from `actor.account`, else `actor.mbox`, else `sha1:` and
    /// `actor.mbox_sha1sum`.
    pub learner: String,
    /// The activity answered: `object.id`.
    pub item: String,
    /// Whether the answer was correct.
    pub correct: bool,
    /// `timestamp` in milliseconds since the Unix epoch; `None` when the statement has none.
    pub time: Option<f64>,
}

/// What one statement stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// An answer.
    Answer(Answer),
    /// Undo the statement with this id.
    Void(String),
    /// Not an answer pathwise counts (another verb, or no result): skipped and counted.
    Skipped,
}

/// Why a statement cannot be read: the field at fault (a path inside the statement such as
/// `actor.account` or `result.score.scaled`) and one line saying what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct StatementError {
    /// The field at fault, relative to the statement.
    pub field: String,
    /// What is wrong, in one line.
    pub message: String,
}

impl StatementError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Whether a JSON object is an xAPI statement (it has an actor and a verb).
pub fn is_statement(map: &Map<String, Value>) -> bool {
    map.contains_key("actor") && map.contains_key("verb")
}

/// Reads one statement.
pub fn parse_statement(map: &Map<String, Value>) -> Result<Statement, StatementError> {
    // The shape the OpenAPI document gives a statement holds whatever its verb.
    for (name, string) in [
        ("id", true),
        ("timestamp", true),
        ("actor", false),
        ("verb", false),
        ("object", false),
        ("result", false),
    ] {
        let fits = |v: &Value| if string { v.is_string() } else { v.is_object() };
        if map.get(name).is_some_and(|v| !fits(v)) {
            let what = if string { "a string" } else { "an object" };
            return Err(StatementError::new(name, format!("must be {what}")));
        }
    }
    let verb = map
        .get("verb")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| StatementError::new("verb.id", "missing or not a string"))?;
    let object = map.get("object").and_then(Value::as_object);
    if verb == VOIDED {
        let target = object
            .filter(|o| o.get("objectType").and_then(Value::as_str) == Some("StatementRef"))
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                StatementError::new(
                    "object",
                    "a voiding statement's object is a StatementRef with an id",
                )
            })?;
        return Ok(Statement::Void(target.to_owned()));
    }
    if !ANSWER_VERBS.contains(&verb) {
        return Ok(Statement::Skipped);
    }
    let Some(result) = map.get("result").and_then(Value::as_object) else {
        return Ok(Statement::Skipped);
    };
    let correct = match result.get("success") {
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(StatementError::new("result.success", "must be a boolean")),
        None => match result.get("score").and_then(|s| s.get("scaled")) {
            Some(Value::Number(n)) => {
                let scaled = n.as_f64().unwrap_or(f64::NAN);
                if !(-1.0..=1.0).contains(&scaled) {
                    return Err(StatementError::new(
                        "result.score.scaled",
                        format!("must be between -1 and 1, found {n}"),
                    ));
                }
                scaled >= SCALED_THRESHOLD
            }
            Some(_) => {
                return Err(StatementError::new(
                    "result.score.scaled",
                    "must be a number",
                ));
            }
            None => return Ok(Statement::Skipped),
        },
    };
    let item = object
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| StatementError::new("object.id", "missing or not a string"))?;
    check_id(item).map_err(|m| StatementError::new("object.id", m))?;
    let learner = learner(map.get("actor"))?;
    let id = match map.get("id") {
        Some(Value::String(id)) => {
            check_id(id).map_err(|m| StatementError::new("id", m))?;
            Some(id.clone())
        }
        _ => None,
    };
    let time = match map.get("timestamp") {
        Some(Value::String(t)) => Some(
            chrono::DateTime::parse_from_rfc3339(t)
                .map_err(|e| StatementError::new("timestamp", format!("not RFC 3339: {e}")))?
                .timestamp_millis() as f64,
        ),
        _ => None,
    };
    Ok(Statement::Answer(Answer {
        id,
        learner,
        item: item.to_owned(),
        correct,
        time,
    }))
}

/// The learner id of an actor: `HOMEPAGE|NAME` from `account`, else the `mbox` (`mailto:...`),
/// else `sha1:` and the `mbox_sha1sum`.
fn learner(actor: Option<&Value>) -> Result<String, StatementError> {
    let actor = actor
        .and_then(Value::as_object)
        .ok_or_else(|| StatementError::new("actor", "must be an object"))?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let (id, field) = if let Some(account) = actor.get("account") {
        let home = text(account.get("homePage"));
        let name = text(account.get("name"));
        match (home, name) {
            (Some(home), Some(name)) => (format!("{home}|{name}"), "actor.account"),
            _ => {
                return Err(StatementError::new(
                    "actor.account",
                    "needs homePage and name strings",
                ));
            }
        }
    } else if let Some(mbox) = text(actor.get("mbox")) {
        (mbox, "actor.mbox")
    } else if let Some(sum) = text(actor.get("mbox_sha1sum")) {
        (format!("sha1:{sum}"), "actor.mbox_sha1sum")
    } else {
        return Err(StatementError::new(
            "actor",
            "identify the learner by account, mbox or mbox_sha1sum",
        ));
    };
    check_id(&id).map_err(|m| StatementError::new(field, m))?;
    Ok(id)
}

/// Why `s` is not an acceptable id, if it is not: ids are non-empty, at most [`MAX_ID_CHARS`]
/// characters, without control characters.
pub fn check_id(s: &str) -> Result<(), String> {
    if s.is_empty() {
        Err("must not be empty".into())
    } else if s.chars().nth(MAX_ID_CHARS).is_some() {
        Err(format!("longer than {MAX_ID_CHARS} characters"))
    } else if s.chars().any(char::is_control) {
        Err("holds a control character".into())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Statement, StatementError> {
        let value: Value = serde_json::from_str(text).unwrap();
        parse_statement(value.as_object().unwrap())
    }

    fn statement(verb: &str, result: &str) -> String {
        format!(
            r#"{{"id":"s1","actor":{{"account":{{"homePage":"https://lms.example","name":"42"}}}},
               "verb":{{"id":"{verb}"}},"object":{{"id":"https://lms.example/q/1"}},
               "timestamp":"2024-01-02T03:04:05Z"{result}}}"#
        )
    }

    fn answer(text: &str) -> Answer {
        match read(text).unwrap() {
            Statement::Answer(a) => a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_evaluated_statement_with_success_is_an_answer() {
        let a = answer(&statement(
            ANSWER_VERBS[1],
            r#","result":{"success":false}"#,
        ));
        assert_eq!(a.learner, "https://lms.example|42");
        assert_eq!(a.item, "https://lms.example/q/1");
        assert_eq!(a.id.as_deref(), Some("s1"));
        assert!(!a.correct);
        assert_eq!(a.time, Some(1_704_164_645_000.0));
    }

    #[test]
    fn a_scaled_score_counts_from_the_threshold() {
        for (scaled, correct) in [(-1.0, false), (0.49, false), (0.5, true), (1.0, true)] {
            let result = format!(r#","result":{{"score":{{"scaled":{scaled}}}}}"#);
            let a = answer(&statement(ANSWER_VERBS[0], &result));
            assert_eq!(a.correct, correct, "{scaled}");
        }
    }

    #[test]
    fn a_scaled_score_out_of_range_is_refused_naming_the_field() {
        for scaled in ["1.5", "-2", "1e999"] {
            let result = format!(r#","result":{{"score":{{"scaled":{scaled}}}}}"#);
            let text = statement(ANSWER_VERBS[0], &result);
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                continue; // 1e999 is no JSON number serde_json reads
            };
            let e = parse_statement(value.as_object().unwrap()).unwrap_err();
            assert_eq!(e.field, "result.score.scaled", "{scaled}");
            assert!(e.message.starts_with("must be between -1 and 1"), "{e}");
        }
    }

    #[test]
    fn statements_without_result_or_of_other_verbs_are_skipped() {
        assert_eq!(
            read(&statement(ANSWER_VERBS[4], "")).unwrap(),
            Statement::Skipped
        );
        let viewed = "http://id.tincanapi.com/verb/viewed";
        assert_eq!(
            read(&statement(viewed, r#","result":{"success":true}"#)).unwrap(),
            Statement::Skipped
        );
    }

    #[test]
    fn a_skipped_statement_of_the_wrong_shape_is_refused_naming_the_field() {
        let viewed = "http://id.tincanapi.com/verb/viewed";
        let bad = statement(viewed, "")
            .replace(r#""timestamp":"2024-01-02T03:04:05Z""#, r#""timestamp":{}"#);
        assert_eq!(read(&bad).unwrap_err().field, "timestamp");
        let bad = statement(viewed, r#","result":[]"#);
        assert_eq!(read(&bad).unwrap_err().field, "result");
    }

    #[test]
    fn voiding_names_its_target_and_bad_actors_are_named() {
        let void = r#"{"actor":{"mbox":"mailto:a@b.c"},"verb":{"id":"http://adlnet.gov/expapi/verbs/voided"},
                      "object":{"objectType":"StatementRef","id":"s1"}}"#;
        assert_eq!(read(void).unwrap(), Statement::Void("s1".into()));
        let nobody = statement(ANSWER_VERBS[0], r#","result":{"success":true}"#).replace(
            r#""account":{"homePage":"https://lms.example","name":"42"}"#,
            r#""name":"x""#,
        );
        assert_eq!(read(&nobody).unwrap_err().field, "actor");
    }

    #[test]
    fn ids_are_bounded_and_free_of_control_characters() {
        assert!(check_id("q1").is_ok());
        assert!(check_id("").is_err());
        assert!(check_id(&"é".repeat(MAX_ID_CHARS)).is_ok());
        assert!(check_id(&"é".repeat(MAX_ID_CHARS + 1)).is_err());
        assert!(check_id("a\u{1b}[2K").is_err());
    }
}
