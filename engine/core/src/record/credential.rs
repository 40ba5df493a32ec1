//! What a mastery record says: the plain input types of [`super::issue_credential`] and the
//! names and identifiers every credential uses.

use std::time::SystemTime;

/// The JSON-LD context of every credential pathwise issues.
pub const VC_CONTEXT_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The credential type pathwise adds to `VerifiableCredential`.
pub const CREDENTIAL_TYPE: &str = "MasteryRecordCredential";
/// Prefix of the subject id made from a learner id when the learner gave no DID.
pub(crate) const LEARNER_URN_PREFIX: &str = "urn:pathwise:learner:";
/// Prefix of an achievement id made from a skill id.
pub(crate) const SKILL_URN_PREFIX: &str = "urn:pathwise:skill:";

/// Everything a credential says, independent of how mastery was computed.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialInput {
    /// The learner's id in the interaction log.
    pub learner_id: String,
    /// The learner's own DID (`did:…`), if they gave one: it becomes the subject id. Otherwise
    /// the subject id is `urn:pathwise:learner:` + the percent-encoded learner id.
    pub learner_did: Option<String>,
    /// A display name for the issuer (e.g. the school or platform).
    pub issuer_name: Option<String>,
    /// The P(known) a skill needed to count as mastered.
    pub mastery_threshold: f64,
    /// One claim per mastered skill.
    pub claims: Vec<MasteryClaim>,
    /// Digests of the inputs the claims were computed from.
    pub evidence: EvidenceDigests,
    /// When the credential starts being valid (also the proof's `created`).
    pub valid_from: SystemTime,
    /// When it stops being valid, if ever.
    pub valid_until: Option<SystemTime>,
}

/// One mastered skill.
#[derive(Debug, Clone, PartialEq)]
pub struct MasteryClaim {
    /// The skill id in the graph.
    pub skill: String,
    /// The skill's human-readable name.
    pub name: String,
    /// The external standard code the graph aligns the skill with, if any.
    pub standard: Option<String>,
    /// The model's estimate of P(known) after the learner's last attempt.
    pub probability: f64,
    /// Number of attempts at the skill in the log.
    pub attempts: u64,
    /// When mastery was reached.
    pub mastered_at: MasteredAt,
}

/// When mastery was reached: the attempt after which P(known) reached the threshold and stayed
/// there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasteredAt {
    /// At this time (the log's order column holds timestamps).
    Time(SystemTime),
    /// At the attempt with this order key: the log holds sequence numbers, not timestamps.
    Sequence(i64),
    /// Not known, for the reason given (e.g. "mastered before any recorded attempt").
    Unknown(String),
}

/// Digests of the inputs, written as the credential's evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceDigests {
    /// SHA-256 (hex) of the learner's rows in canonical form pathwise-rows-v1
    /// (see [`super::learner_rows_digest`]).
    pub rows_sha256: String,
    /// How many rows (responses) that form holds.
    pub rows: u64,
    /// SHA-256 (hex) of the model file's bytes, if a model file was used.
    pub model_sha256: Option<String>,
    /// SHA-256 (hex) of the skill graph file's bytes, if a graph file was used.
    pub graph_sha256: Option<String>,
}

/// `secs` seconds after the Unix epoch (tests).
#[cfg(test)]
pub(crate) fn at(secs: u64) -> SystemTime {
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
}

/// A credential input with two claims (one dated, one by sequence number) and every digest.
#[cfg(test)]
pub(crate) fn sample_input() -> CredentialInput {
    CredentialInput {
        learner_id: "ann lee/7".into(),
        learner_did: None,
        issuer_name: Some("Example School".into()),
        mastery_threshold: 0.95,
        claims: vec![
            MasteryClaim {
                skill: "frac.add".into(),
                name: "Add fractions".into(),
                standard: Some("CCSS.MATH.CONTENT.4.NF.B.3.A".into()),
                probability: 0.9731,
                attempts: 12,
                mastered_at: MasteredAt::Time(at(1_700_000_000)),
            },
            MasteryClaim {
                skill: "frac.eq".into(),
                name: "Equivalent fractions".into(),
                standard: None,
                probability: 0.999,
                attempts: 3,
                mastered_at: MasteredAt::Sequence(41),
            },
        ],
        evidence: EvidenceDigests {
            rows_sha256: "a".repeat(64),
            rows: 15,
            model_sha256: Some("b".repeat(64)),
            graph_sha256: Some("c".repeat(64)),
        },
        valid_from: at(1_700_000_100),
        valid_until: Some(at(1_800_000_000)),
    }
}
