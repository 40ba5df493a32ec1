//! xAPI statements posted to `/v1/events`, read into pathwise events (see `docs/serve.md`):
//! which verbs count, where correctness, the learner, the item and the time come from, and
//! voiding.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::events::{Event, check_id};

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

/// What one statement stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// An answer.
    Answer(Event),
    /// Undo the statement with this id.
    Void(String),
    /// Not an answer pathwise counts (another verb, or no result): skipped and counted.
    Skipped,
}

/// Whether a JSON object is an xAPI statement (it has an actor and a verb).
pub fn is_statement(map: &Map<String, Value>) -> bool {
    map.contains_key("actor") && map.contains_key("verb")
}

/// Reads one statement; `at` is its place in the body (`""` or `[i]`) for error fields.
pub fn parse_statement(map: &Map<String, Value>, at: &str) -> Result<Statement, ApiError> {
    let field = |name: &str| {
        if at.is_empty() {
            name.to_owned()
        } else {
            format!("{at}.{name}")
        }
    };
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
            return Err(ApiError::field(field(name), format!("must be {what}")));
        }
    }
    let verb = map
        .get("verb")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::field(field("verb.id"), "missing or not a string"))?;
    let object = map.get("object").and_then(Value::as_object);
    if verb == VOIDED {
        let target = object
            .filter(|o| o.get("objectType").and_then(Value::as_str) == Some("StatementRef"))
            .and_then(|o| o.get("id"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ApiError::field(
                    field("object"),
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
        Some(_) => {
            return Err(ApiError::field(
                field("result.success"),
                "must be a boolean",
            ));
        }
        None => match result.get("score").and_then(|s| s.get("scaled")) {
            Some(Value::Number(n)) => n.as_f64().is_some_and(|x| x >= SCALED_THRESHOLD),
            Some(_) => {
                return Err(ApiError::field(
                    field("result.score.scaled"),
                    "must be a number",
                ));
            }
            None => return Ok(Statement::Skipped),
        },
    };
    let item = object
        .and_then(|o| o.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::field(field("object.id"), "missing or not a string"))?;
    check_id(item).map_err(|m| ApiError::field(field("object.id"), m))?;
    let learner = learner(map.get("actor"), &field)?;
    let id = match map.get("id") {
        None => None,
        Some(Value::String(id)) => {
            check_id(id).map_err(|m| ApiError::field(field("id"), m))?;
            Some(id.clone())
        }
        Some(_) => return Err(ApiError::field(field("id"), "must be a string")),
    };
    let time = match map.get("timestamp") {
        Some(Value::String(t)) => chrono::DateTime::parse_from_rfc3339(t)
            .map_err(|e| ApiError::field(field("timestamp"), format!("not RFC 3339: {e}")))?
            .timestamp_millis() as f64,
        Some(_) => return Err(ApiError::field(field("timestamp"), "must be a string")),
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64),
    };
    Ok(Statement::Answer(Event {
        id,
        learner,
        item: Some(item.to_owned()),
        skill: None,
        correct,
        time,
    }))
}

/// The learner id of an actor: `HOMEPAGE|NAME` from `account`, else the `mbox` (`mailto:...`),
/// else `sha1:` and the `mbox_sha1sum`.
fn learner(actor: Option<&Value>, field: &dyn Fn(&str) -> String) -> Result<String, ApiError> {
    let actor = actor
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::field(field("actor"), "must be an object"))?;
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let (id, name) = if let Some(account) = actor.get("account") {
        let home = text(account.get("homePage"));
        let name = text(account.get("name"));
        match (home, name) {
            (Some(home), Some(name)) => (format!("{home}|{name}"), "actor.account"),
            _ => {
                return Err(ApiError::field(
                    field("actor.account"),
                    "needs homePage and name strings",
                ));
            }
        }
    } else if let Some(mbox) = text(actor.get("mbox")) {
        (mbox, "actor.mbox")
    } else if let Some(sum) = text(actor.get("mbox_sha1sum")) {
        (format!("sha1:{sum}"), "actor.mbox_sha1sum")
    } else {
        return Err(ApiError::field(
            field("actor"),
            "identify the learner by account, mbox or mbox_sha1sum",
        ));
    };
    check_id(&id).map_err(|m| ApiError::field(field(name), m))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Statement, ApiError> {
        let value: Value = serde_json::from_str(text).unwrap();
        parse_statement(value.as_object().unwrap(), "")
    }

    fn statement(verb: &str, result: &str) -> String {
        format!(
            r#"{{"id":"s1","actor":{{"account":{{"homePage":"https://lms.example","name":"42"}}}},
               "verb":{{"id":"{verb}"}},"object":{{"id":"https://lms.example/q/1"}},
               "timestamp":"2024-01-02T03:04:05Z"{result}}}"#
        )
    }

    #[test]
    fn an_evaluated_statement_with_success_is_an_answer() {
        let s = read(&statement(
            ANSWER_VERBS[1],
            r#","result":{"success":false}"#,
        ))
        .unwrap();
        let Statement::Answer(e) = s else {
            panic!("{s:?}")
        };
        assert_eq!(e.learner, "https://lms.example|42");
        assert_eq!(e.item.as_deref(), Some("https://lms.example/q/1"));
        assert_eq!(e.id.as_deref(), Some("s1"));
        assert!(!e.correct);
        assert_eq!(e.time, 1_704_164_645_000.0);
    }

    #[test]
    fn a_scaled_score_counts_from_the_threshold() {
        for (scaled, correct) in [(0.49, false), (0.5, true), (1.0, true)] {
            let result = format!(r#","result":{{"score":{{"scaled":{scaled}}}}}"#);
            let Statement::Answer(e) = read(&statement(ANSWER_VERBS[0], &result)).unwrap() else {
                panic!()
            };
            assert_eq!(e.correct, correct, "{scaled}");
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
        assert_eq!(read(&bad).unwrap_err().field.as_deref(), Some("timestamp"));
        let bad = statement(viewed, r#","result":[]"#);
        assert_eq!(read(&bad).unwrap_err().field.as_deref(), Some("result"));
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
        assert_eq!(read(&nobody).unwrap_err().field.as_deref(), Some("actor"));
    }
}
