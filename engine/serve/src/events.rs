//! Reading `POST /v1/events` bodies: one pathwise event or xAPI statement (a JSON object) or a
//! batch (an array of them), each checked field by field so that an error names the field at fault, e.g.
//! `[3].correct`.

use serde_json::{Map, Value};

use pathwise_datasets::xapi::{self, Statement};

use crate::error::ApiError;

/// The id rule of every id a request names (learner, item, skill, event, goal): shared with the
/// xAPI statement reader.
pub use pathwise_datasets::xapi::{MAX_ID_CHARS, check_id};

/// At most this many events in one request.
pub const MAX_BATCH: usize = 1000;

/// One response of a learner, as posted and as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The event's id, which makes a retried post count once.
    pub id: Option<String>,
    /// The learner's id.
    pub learner: String,
    /// The item answered; without `skill`, the graph activity of this id gives the skills.
    pub item: Option<String>,
    /// The skill practised.
    pub skill: Option<String>,
    /// Whether the answer was correct.
    pub correct: bool,
    /// When, in milliseconds since the Unix epoch (as in pathwise logs).
    pub time: f64,
}

/// What a `POST /v1/events` body asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// The answers, in order.
    pub events: Vec<Event>,
    /// Per event: whether it came from an xAPI statement (whose activity the graph may not know:
    /// skipped then, where a pathwise event naming an unknown item is an error).
    pub from_xapi: Vec<bool>,
    /// Ids of statements voided by voiding statements.
    pub voids: Vec<String>,
    /// xAPI statements that are no answer (another verb, or no result).
    pub skipped: usize,
    /// Whether the body was an array.
    pub batch: bool,
}

/// Reads a body: one pathwise event or xAPI statement (a JSON object) or a batch of them (an
/// array, which may mix both). An empty batch is an error (nothing to record is a mistake worth
/// naming).
pub fn parse_body(body: &[u8]) -> Result<Body, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    let mut out = Body::default();
    match value {
        Value::Object(map) => out.read(&map, "")?,
        Value::Array(items) => {
            if items.is_empty() {
                return Err(ApiError::bad_request("the batch holds no event"));
            }
            if items.len() > MAX_BATCH {
                return Err(ApiError::bad_request(format!(
                    "the batch holds {} events, more than the limit of {MAX_BATCH}",
                    items.len()
                )));
            }
            out.batch = true;
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(map) => out.read(map, &format!("[{i}]"))?,
                    _ => {
                        return Err(ApiError::field(
                            format!("[{i}]"),
                            "an event must be an object",
                        ));
                    }
                }
            }
        }
        _ => {
            return Err(ApiError::bad_request(
                "the body must be an event object or an array of them",
            ));
        }
    }
    Ok(out)
}

impl Body {
    fn read(&mut self, map: &Map<String, Value>, at: &str) -> Result<(), ApiError> {
        if !xapi::is_statement(map) {
            self.events.push(parse_event(map, at)?);
            self.from_xapi.push(false);
            return Ok(());
        }
        let statement = xapi::parse_statement(map)
            .map_err(|e| ApiError::field(path(at, &e.field), e.message))?;
        match statement {
            Statement::Answer(a) => {
                self.events.push(Event {
                    id: a.id,
                    learner: a.learner,
                    item: Some(a.item),
                    skill: None,
                    correct: a.correct,
                    // A statement without a timestamp happened when it arrives.
                    time: a.time.unwrap_or_else(|| {
                        std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0.0, |d| d.as_millis() as f64)
                    }),
                });
                self.from_xapi.push(true);
            }
            Statement::Void(id) => self.voids.push(id),
            Statement::Skipped => self.skipped += 1,
        }
        Ok(())
    }
}

fn parse_event(map: &Map<String, Value>, at: &str) -> Result<Event, ApiError> {
    const KNOWN: [&str; 6] = ["id", "learner", "item", "skill", "correct", "time"];
    if let Some(unknown) = map.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ApiError::field(
            path(at, unknown),
            format!("unknown field; an event has {}", KNOWN.join(", ")),
        ));
    }
    let learner =
        id(map, at, "learner")?.ok_or_else(|| ApiError::field(path(at, "learner"), "missing"))?;
    let item = id(map, at, "item")?;
    let skill = id(map, at, "skill")?;
    if item.is_none() && skill.is_none() {
        return Err(ApiError::field(
            path(at, "item"),
            "an event needs an item, a skill or both",
        ));
    }
    let correct = match map.get("correct") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) if n.as_u64() == Some(0) => false,
        Some(Value::Number(n)) if n.as_u64() == Some(1) => true,
        Some(_) => {
            return Err(ApiError::field(
                path(at, "correct"),
                "must be true, false, 1 or 0",
            ));
        }
        None => return Err(ApiError::field(path(at, "correct"), "missing")),
    };
    let time = match map.get("time") {
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|t| t.is_finite())
            .ok_or_else(|| ApiError::field(path(at, "time"), "must be a finite number"))?,
        Some(_) => {
            return Err(ApiError::field(
                path(at, "time"),
                "must be a number (milliseconds since the Unix epoch)",
            ));
        }
        None => return Err(ApiError::field(path(at, "time"), "missing")),
    };
    Ok(Event {
        id: id(map, at, "id")?,
        learner,
        item,
        skill,
        correct,
        time,
    })
}

/// An optional id field: a non-empty string of at most [`MAX_ID_CHARS`] characters without control
/// characters.
fn id(map: &Map<String, Value>, at: &str, name: &str) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => check_id(s)
            .map(|()| Some(s.clone()))
            .map_err(|m| ApiError::field(path(at, name), m)),
        Some(_) => Err(ApiError::field(path(at, name), "must be a string")),
    }
}

fn path(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(body: &str) -> Option<String> {
        parse_body(body.as_bytes()).unwrap_err().field
    }

    #[test]
    fn one_event_and_a_batch_read_alike() {
        let one = r#"{"learner":"a","item":"q1","correct":true,"time":1,"id":"e1"}"#;
        let body = parse_body(one.as_bytes()).unwrap();
        assert!(!body.batch);
        let events = body.events;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].id.as_deref(), Some("e1"));
        let batch = format!("[{one},{}]", one.replace("e1", "e2"));
        assert_eq!(parse_body(batch.as_bytes()).unwrap().events.len(), 2);
    }

    #[test]
    fn bad_fields_are_named_with_their_place_in_the_batch() {
        let ok = r#"{"learner":"a","skill":"s","correct":1,"time":1}"#;
        assert_eq!(
            field_of(&format!(
                r#"[{ok},{{"learner":"a","skill":"s","correct":"yes","time":1}}]"#
            )),
            Some("[1].correct".into())
        );
        assert_eq!(
            field_of(r#"{"skill":"s","correct":true,"time":1}"#),
            Some("learner".into())
        );
        assert_eq!(
            field_of(r#"{"learner":"a","correct":true,"time":1}"#),
            Some("item".into())
        );
        assert_eq!(
            field_of(r#"{"learner":"a","skill":"s","correct":true,"time":"noon"}"#),
            Some("time".into())
        );
        assert_eq!(
            field_of(r#"{"learner":"","skill":"s","correct":true,"time":1}"#),
            Some("learner".into())
        );
        assert_eq!(
            field_of(r#"{"learner":"a","skill":"s","correct":true,"time":1,"colour":1}"#),
            Some("colour".into())
        );
    }

    #[test]
    fn deeply_nested_json_is_a_400_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let e = parse_body(deep.as_bytes()).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn oversized_batches_and_ids_are_refused() {
        let ok = r#"{"learner":"a","skill":"s","correct":true,"time":1}"#;
        let batch = format!("[{}]", vec![ok; MAX_BATCH + 1].join(","));
        assert!(
            parse_body(batch.as_bytes())
                .unwrap_err()
                .message
                .contains("limit")
        );
        let long = "é".repeat(MAX_ID_CHARS + 1);
        let body = format!(r#"{{"learner":"{long}","skill":"s","correct":true,"time":1}}"#);
        assert_eq!(field_of(&body), Some("learner".into()));
    }
}
