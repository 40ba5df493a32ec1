//! A learner's stored events as files other programs read: NDJSON (one event per line, each a
//! valid `POST /v1/events` body) and CSV in pathwise's generic log schema
//! (`learner,skill,item,correct,order`), which every `pathwise` command reads.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::replies::Exported;

/// One JSON object per line: `id` (when the event has one), `learner`, `item` and/or `skill`,
/// `correct`, `time`, as posted.
pub fn ndjson(events: &[Exported]) -> Vec<u8> {
    let mut out = Vec::new();
    for Exported { event: e, .. } in events {
        let mut line = Map::new();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                line.insert(key.to_owned(), value);
            }
        };
        put("id", e.id.clone().map(Value::from));
        put("learner", Some(e.learner.clone().into()));
        put("item", e.item.clone().map(Value::from));
        put("skill", e.skill.clone().map(Value::from));
        put("correct", Some(e.correct.into()));
        put("time", Some(e.time.into()));
        out.extend(Value::Object(line).to_string().into_bytes());
        out.push(b'\n');
    }
    out
}

/// The generic log schema: one row per skill an event practises in the graph in use (an event
/// the graph maps to no skill has no row); `order` is the event's sequence number, its place in
/// the order of recording, which is the order the service's state follows.
pub fn csv(events: &[Exported]) -> Result<Vec<u8>, ApiError> {
    let fail = |e: csv::Error| ApiError::internal(format!("cannot write the CSV: {e}"));
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["learner", "skill", "item", "correct", "order"])
        .map_err(fail)?;
    for Exported {
        seq,
        event: e,
        skills,
    } in events
    {
        let order = seq.to_string();
        let correct = if e.correct { "1" } else { "0" };
        for skill in skills {
            let item = e.item.as_deref().unwrap_or_default();
            out.write_record([e.learner.as_str(), skill, item, correct, &order])
                .map_err(fail)?;
        }
    }
    out.into_inner()
        .map_err(|e| ApiError::internal(format!("cannot write the CSV: {e}")))
}
