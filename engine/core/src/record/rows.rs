//! The canonical byte form of one learner's interaction rows, hashed into a credential's evidence
//! so that a verifier who holds the rows can check they are the ones the issuer used.
//!
//! Canonical form **pathwise-rows-v1**: one line per response of the learner (an attempt, scored
//! once; repeated ASSISTments-style rows of one multi-skill problem count as one response), each
//! line the RFC 8785 (JCS) form of
//!
//! ```json
//! {"correct":1,"item":"q17","learner":"ann","order":"1700000000000","skills":["frac.add","frac.eq"]}
//! ```
//!
//! followed by `\n` (0x0A). `correct` is 0 or 1; `item` is `null` when the log has no item;
//! `order` is the order key as a decimal integer *string* (exact beyond 2^53): milliseconds since
//! the Unix epoch for timestamps, otherwise the sequence number; `skills` are sorted by code point.
//! Lines are sorted by `order` as an integer, then by their bytes, so file order never matters.
//! The digest is the SHA-256 of the concatenated lines, written as 64 lower-case hex digits.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::jcs::canonicalize;
use crate::InteractionLog;

/// The name of the canonical row form, written into the evidence.
pub const ROWS_CANONICAL_FORM: &str = "pathwise-rows-v1";

/// The SHA-256 of one learner's rows in canonical form, and how many rows (lines) there were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsDigest {
    /// SHA-256 of the canonical form, 64 lower-case hex digits.
    pub sha256: String,
    /// Number of lines (responses).
    pub rows: u64,
}

/// Learner `learner`'s rows in canonical form pathwise-rows-v1 (see the module docs), or `None`
/// when the log has no such learner.
pub fn canonical_learner_rows(log: &InteractionLog, learner: &str) -> Option<Vec<u8>> {
    let id = log.learners().id(learner)?;
    let mut lines: Vec<(i64, String)> = log
        .learner_responses(id)
        .map(|index| {
            let r = log.response(index);
            let mut skills: Vec<&str> = r.skills.iter().map(|&s| log.skills().name(s)).collect();
            skills.sort_unstable();
            let line = json!({
                "correct": u8::from(r.correct),
                "item": r.item.map_or(Value::Null, |i| log.items().name(i).into()),
                "learner": learner,
                "order": r.order.to_string(),
                "skills": skills,
            });
            (r.order, canonicalize(&line))
        })
        .collect();
    lines.sort();
    let mut out = Vec::new();
    for (_, line) in lines {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    Some(out)
}

/// The digest of learner `learner`'s canonical rows, or `None` when the log has no such learner.
pub fn learner_rows_digest(log: &InteractionLog, learner: &str) -> Option<RowsDigest> {
    let bytes = canonical_learner_rows(log, learner)?;
    Some(RowsDigest {
        sha256: sha256_hex(&bytes),
        rows: bytes.iter().filter(|&&b| b == b'\n').count() as u64,
    })
}

/// SHA-256 of `bytes` as 64 lower-case hex digits (how credentials write file digests).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LogBuilder;
    use crate::log::test_row as row;

    #[test]
    fn canonical_form_is_documented_bytes_and_ignores_file_order_and_other_learners() {
        let mut b = LogBuilder::new();
        b.push(row("ann", &["y"], "q2", true, 20));
        b.push(row("bob", &["x"], "q1", false, 1));
        b.push(row("ann", &["x"], "q1", false, 10));
        b.push(row("ann", &["w"], "q1", false, 10)); // same problem, second skill
        let log = b.build();
        let text = String::from_utf8(canonical_learner_rows(&log, "ann").unwrap()).unwrap();
        assert_eq!(
            text,
            "{\"correct\":0,\"item\":\"q1\",\"learner\":\"ann\",\"order\":\"10\",\"skills\":[\"w\",\"x\"]}\n\
             {\"correct\":1,\"item\":\"q2\",\"learner\":\"ann\",\"order\":\"20\",\"skills\":[\"y\"]}\n"
        );
        let digest = learner_rows_digest(&log, "ann").unwrap();
        assert_eq!(digest.rows, 2);
        assert_eq!(digest.sha256, sha256_hex(text.as_bytes()));

        let mut b = LogBuilder::new();
        b.push(row("ann", &["x"], "q1", false, 10));
        b.push(row("ann", &["w"], "q1", false, 10));
        b.push(row("ann", &["y"], "q2", true, 20));
        assert_eq!(learner_rows_digest(&b.build(), "ann").unwrap(), digest);
        assert!(learner_rows_digest(&log, "nobody").is_none());
    }

    #[test]
    fn sha256_hex_matches_a_known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
