//! Mastery record credentials: issuing and verifying.
//!
//! A credential is a W3C Verifiable Credential (Data Model 2.0) shaped after Open Badges 3.0 /
//! CLR 2.0 achievement credentials: the issuer is a `did:key` profile, the subject lists one
//! `Achievement` (type `Competency`) per mastered skill with a `result` holding the model's
//! mastery probability, the number of attempts and when mastery was reached, and the evidence
//! names the SHA-256 of the learner's interaction rows, of the model file and of the graph file.
//! `docs/records.md` shows a full example and explains what it proves.
//!
//! [`issue_credential`] takes a plain [`CredentialInput`], so it does not depend on how mastery
//! was computed; [`verify_credential`] needs nothing but the credential's text and a clock.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::failure::VerifyFailure;
use super::jcs::{JcsError, canonicalize, parse_strict};
use super::key::IssuerKey;
use super::proof::{sign_document, verify_proof};
use super::rows::ROWS_CANONICAL_FORM;
use super::time;
use crate::{Error, Location, Result};

/// The JSON-LD context of every credential pathwise issues.
pub const VC_CONTEXT_V2: &str = "https://www.w3.org/ns/credentials/v2";
/// The credential type pathwise adds to `VerifiableCredential`.
pub const CREDENTIAL_TYPE: &str = "MasteryRecordCredential";
/// Prefix of the subject id made from a learner id when the learner gave no DID.
pub const LEARNER_URN_PREFIX: &str = "urn:pathwise:learner:";
/// Prefix of an achievement id made from a skill id.
pub const SKILL_URN_PREFIX: &str = "urn:pathwise:skill:";

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
    /// (see [`crate::learner_rows_digest`]).
    pub rows_sha256: String,
    /// How many rows (responses) that form holds.
    pub rows: u64,
    /// SHA-256 (hex) of the model file's bytes, if a model file was used.
    pub model_sha256: Option<String>,
    /// SHA-256 (hex) of the skill graph file's bytes, if a graph file was used.
    pub graph_sha256: Option<String>,
}

/// Builds, signs and returns a mastery record credential for `input`, issued by `key`.
///
/// Deterministic: the same input and key give byte-identical JSON (the credential id is derived
/// from the content, and Ed25519 signatures use no randomness).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pathwise::{CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim};
/// let key = IssuerKey::from_seed(1);
/// let input = CredentialInput {
///     learner_id: "ann".into(),
///     learner_did: None,
///     issuer_name: Some("Example School".into()),
///     mastery_threshold: 0.95,
///     claims: vec![MasteryClaim {
///         skill: "frac.add".into(),
///         name: "Add fractions".into(),
///         standard: Some("CCSS.MATH.CONTENT.4.NF.B.3.A".into()),
///         probability: 0.97,
///         attempts: 12,
///         mastered_at: MasteredAt::Time(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
///     }],
///     evidence: EvidenceDigests { rows_sha256: "0".repeat(64), rows: 12, model_sha256: None, graph_sha256: None },
///     valid_from: UNIX_EPOCH + Duration::from_secs(1_700_000_100),
///     valid_until: None,
/// };
/// let credential = pathwise::issue_credential(&input, &key).unwrap();
/// let text = serde_json::to_string_pretty(&credential).unwrap();
/// let ok = pathwise::verify_credential(&text, Some(&key.did()), std::time::SystemTime::now()).unwrap();
/// assert_eq!(ok.skills[0].skill, "frac.add");
/// ```
pub fn issue_credential(input: &CredentialInput, key: &IssuerKey) -> Result<Value> {
    validate(input)?;
    let mut issuer = Map::new();
    issuer.insert("id".into(), key.did().into());
    issuer.insert("type".into(), json!(["Profile"]));
    if let Some(name) = &input.issuer_name {
        issuer.insert("name".into(), name.clone().into());
    }
    let subject_id = match &input.learner_did {
        Some(did) => did.clone(),
        None => format!("{LEARNER_URN_PREFIX}{}", percent_encode(&input.learner_id)),
    };
    let achievements: Vec<Value> = input.claims.iter().map(achievement).collect();
    let mut doc = Map::new();
    doc.insert("@context".into(), json!([VC_CONTEXT_V2]));
    doc.insert(
        "type".into(),
        json!(["VerifiableCredential", CREDENTIAL_TYPE]),
    );
    doc.insert("name".into(), "Mastery record".into());
    doc.insert(
        "description".into(),
        "The skills that the issuer's Bayesian Knowledge Tracing model estimates this learner has \
         mastered, computed from the interaction rows named in the evidence. It attests the model's \
         estimate at the time of issue; it is not an exam result."
            .into(),
    );
    doc.insert("issuer".into(), Value::Object(issuer));
    doc.insert(
        "validFrom".into(),
        time::format_utc(input.valid_from).into(),
    );
    if let Some(until) = input.valid_until {
        doc.insert("validUntil".into(), time::format_utc(until).into());
    }
    doc.insert(
        "credentialSubject".into(),
        json!({
            "id": subject_id,
            "type": ["AchievementSubject"],
            "masteryThreshold": input.mastery_threshold,
            "achievement": achievements,
        }),
    );
    doc.insert("evidence".into(), Value::Array(evidence(input)));
    let id = content_uuid(&Value::Object(doc.clone()))?;
    doc.insert("id".into(), format!("urn:uuid:{id}").into());
    sign_document(&Value::Object(doc), key, input.valid_from)
}

fn validate(input: &CredentialInput) -> Result<()> {
    let learner = || Location::subject("learner", &input.learner_id);
    if input.learner_id.is_empty() {
        return Err(Error::config("the learner id is empty"));
    }
    if let Some(did) = &input.learner_did {
        let ok = did.strip_prefix("did:").and_then(|r| r.split_once(':'));
        if !ok.is_some_and(|(method, id)| !method.is_empty() && !id.is_empty()) {
            return Err(Error::input(
                learner(),
                format!("'{did}' is not a DID (did:METHOD:ID)"),
            ));
        }
    }
    if !(input.mastery_threshold > 0.0 && input.mastery_threshold <= 1.0) {
        return Err(Error::config(format!(
            "the mastery threshold must be in (0, 1], found {}",
            input.mastery_threshold
        )));
    }
    let mut seen = std::collections::HashSet::new();
    for claim in &input.claims {
        let at = || Location::subject("skill", &claim.skill);
        if !seen.insert(claim.skill.as_str()) {
            return Err(Error::input(at(), "claimed twice"));
        }
        if !(0.0..=1.0).contains(&claim.probability) {
            return Err(Error::input(
                at(),
                format!("mastery probability {} is not in [0, 1]", claim.probability),
            ));
        }
    }
    let digests = [
        ("rows", Some(&input.evidence.rows_sha256)),
        ("model", input.evidence.model_sha256.as_ref()),
        ("graph", input.evidence.graph_sha256.as_ref()),
    ];
    for (what, digest) in digests {
        if let Some(d) = digest {
            if d.len() != 64
                || !d
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(Error::config(format!(
                    "the {what} SHA-256 must be 64 lower-case hex digits, found '{d}'"
                )));
            }
        }
    }
    Ok(())
}

fn achievement(claim: &MasteryClaim) -> Value {
    let mut result = Map::new();
    result.insert("type".into(), json!(["Result"]));
    result.insert("masteryProbability".into(), claim.probability.into());
    result.insert("attempts".into(), claim.attempts.into());
    match &claim.mastered_at {
        MasteredAt::Time(t) => {
            result.insert("masteredAt".into(), time::format_utc(*t).into());
        }
        MasteredAt::Sequence(order) => {
            result.insert("masteredAtOrder".into(), order.to_string().into());
            result.insert(
                "masteredAtNote".into(),
                "the interaction log has sequence numbers, not timestamps: masteredAtOrder is the \
                 order key of the attempt after which mastery was reached"
                    .into(),
            );
        }
        MasteredAt::Unknown(reason) => {
            result.insert("masteredAtNote".into(), reason.clone().into());
        }
    }
    let mut a = Map::new();
    a.insert(
        "id".into(),
        format!("{SKILL_URN_PREFIX}{}", percent_encode(&claim.skill)).into(),
    );
    a.insert("type".into(), json!(["Achievement"]));
    a.insert("achievementType".into(), "Competency".into());
    a.insert("skillId".into(), claim.skill.clone().into());
    a.insert("name".into(), claim.name.clone().into());
    if let Some(code) = &claim.standard {
        a.insert(
            "alignment".into(),
            json!([{ "type": ["Alignment"], "targetCode": code, "targetName": claim.name }]),
        );
    }
    a.insert("result".into(), Value::Object(result));
    Value::Object(a)
}

fn evidence(input: &CredentialInput) -> Vec<Value> {
    let e = &input.evidence;
    let mut out = vec![json!({
        "type": ["Evidence"],
        "name": "Interaction rows",
        "description": "SHA-256 of the learner's interaction rows in canonical form pathwise-rows-v1 \
                        (one RFC 8785 JSON line per response; see docs/records.md)",
        "canonicalForm": ROWS_CANONICAL_FORM,
        "learnerId": input.learner_id,
        "rows": e.rows,
        "sha256": e.rows_sha256,
    })];
    if let Some(d) = &e.model_sha256 {
        out.push(json!({
            "type": ["Evidence"],
            "name": "Model file",
            "description": "SHA-256 of the BKT model file's bytes",
            "sha256": d,
        }));
    }
    if let Some(d) = &e.graph_sha256 {
        out.push(json!({
            "type": ["Evidence"],
            "name": "Skill graph file",
            "description": "SHA-256 of the skill graph file's bytes",
            "sha256": d,
        }));
    }
    out
}

/// A UUID (RFC 9562 version 8, content-derived) from the SHA-256 of the canonical document.
fn content_uuid(doc: &Value) -> Result<String> {
    let canonical = canonicalize(doc).map_err(|e| Error::config(e.to_string()))?;
    let mut b: [u8; 16] = Sha256::digest(canonical.as_bytes())[..16]
        .try_into()
        .unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// Percent-encodes everything but ASCII letters, digits and `-._~` (RFC 3986 unreserved).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a valid credential says, for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedSummary {
    /// The issuer's id.
    pub issuer: String,
    /// The issuer's display name, if given.
    pub issuer_name: Option<String>,
    /// The DID of the key that signed.
    pub signer: String,
    /// True when the issuer *is* the signing key's DID, so the signature proves who issued it.
    /// False for other issuer ids (e.g. `https://…`), whose link to the key cannot be checked
    /// offline.
    pub issuer_is_signer: bool,
    /// The credential's `id`.
    pub id: Option<String>,
    /// The credential's `type`s.
    pub types: Vec<String>,
    /// The subject's id (the learner).
    pub subject: Option<String>,
    /// `validFrom`, as written.
    pub valid_from: Option<String>,
    /// `validUntil`, as written.
    pub valid_until: Option<String>,
    /// The proof's `created`, as written.
    pub created: Option<String>,
    /// The mastered skills the credential claims.
    pub skills: Vec<VerifiedSkill>,
    /// The evidence digests.
    pub evidence: Vec<VerifiedEvidence>,
}

/// One claimed skill of a verified credential.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedSkill {
    /// The skill id.
    pub skill: String,
    /// Its name.
    pub name: Option<String>,
    /// The external standard code, if any.
    pub standard: Option<String>,
    /// The mastery probability.
    pub probability: Option<f64>,
    /// The number of attempts.
    pub attempts: Option<u64>,
    /// When mastery was reached (a date-time, or `order N` for sequence-numbered logs).
    pub mastered_at: Option<String>,
}

/// One evidence digest of a verified credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedEvidence {
    /// What was hashed.
    pub name: String,
    /// The SHA-256, hex.
    pub sha256: String,
}

/// Verifies a credential's text: its eddsa-jcs-2022 proof by the `did:key` it names, that it is
/// a VC Data Model 2.0 credential (`@context` starting with the v2 context, a `type` that
/// includes `VerifiableCredential`, a `credentialSubject`), that a `did:key` issuer is the
/// signing key, that the issuer is `expected_issuer` (when given), and that `now` is within
/// `validFrom`..`validUntil`, not before the proof's `created` and not after its `expires`.
///
/// Works offline: `did:key` identifiers carry their public key. Text that is not JSON gives
/// [`VerifyFailure::NotJson`]; every other failure means the credential is not valid.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pathwise::VerifyFailure;
/// let key = pathwise::IssuerKey::from_seed(2);
/// let unsigned = serde_json::json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "type": ["VerifiableCredential"],
///     "issuer": key.did(),
///     "validFrom": "2026-01-01T00:00:00Z",
///     "credentialSubject": {"id": "did:example:ann"},
/// });
/// let issued = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
/// let text = pathwise::sign_document(&unsigned, &key, issued).unwrap().to_string();
/// let later = issued + Duration::from_secs(86_400);
/// let ok = pathwise::verify_credential(&text, Some(&key.did()), later).unwrap();
/// assert!(ok.issuer_is_signer);
/// assert_eq!(
///     pathwise::verify_credential(&text.replace("example:ann", "example:bob"), None, later),
///     Err(VerifyFailure::SignatureMismatch)
/// );
/// ```
pub fn verify_credential(
    json: &str,
    expected_issuer: Option<&str>,
    now: SystemTime,
) -> Result<VerifiedSummary, VerifyFailure> {
    let doc = parse_strict(json).map_err(|e| match e {
        JcsError::Syntax(m) => VerifyFailure::NotJson(m),
        other => VerifyFailure::MalformedCredential(other.to_string()),
    })?;
    let proof = verify_proof(&doc)?;
    check_data_model(&doc)?;
    let malformed = |m: &str| VerifyFailure::MalformedCredential(m.to_owned());
    let (issuer, issuer_name) = match doc.get("issuer") {
        Some(Value::String(id)) => (id.clone(), None),
        Some(Value::Object(profile)) => match profile.get("id") {
            Some(Value::String(id)) => (id.clone(), str_of(profile.get("name"))),
            _ => return Err(malformed("the issuer has no \"id\" string")),
        },
        _ => {
            return Err(malformed(
                "no \"issuer\" (a string or an object with an \"id\")",
            ));
        }
    };
    if issuer.starts_with("did:key:") && issuer != proof.signer {
        return Err(VerifyFailure::UnexpectedIssuer {
            expected: format!("{} (the signing key)", proof.signer),
            found: issuer,
        });
    }
    if let Some(expected) = expected_issuer {
        if issuer != expected {
            return Err(VerifyFailure::UnexpectedIssuer {
                expected: expected.to_owned(),
                found: issuer,
            });
        }
        if proof.signer != expected {
            return Err(VerifyFailure::UnexpectedIssuer {
                expected: expected.to_owned(),
                found: format!("{} (the signing key)", proof.signer),
            });
        }
    }
    let now = chrono::DateTime::<chrono::Utc>::from(now);
    let date =
        |name: &str| -> Result<Option<(String, chrono::DateTime<chrono::Utc>)>, VerifyFailure> {
            match doc.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => {
                    time::parse(s).map(|t| Some((s.clone(), t))).ok_or_else(|| {
                        malformed(&format!(
                            "\"{name}\" is not an RFC 3339 date-time with a time zone"
                        ))
                    })
                }
                Some(_) => Err(malformed(&format!("\"{name}\" is not a string"))),
            }
        };
    let valid_from = date("validFrom")?;
    let valid_until = date("validUntil")?;
    if let Some((text, t)) = &valid_from {
        if now < *t {
            return Err(VerifyFailure::NotYetValid {
                valid_from: text.clone(),
            });
        }
    }
    if let Some((text, t)) = &valid_until {
        if now > *t {
            return Err(VerifyFailure::Expired {
                valid_until: text.clone(),
            });
        }
    }
    // A proof made after `now` (the issuer's clock or a backdated check): not valid yet either.
    if let Some(created) = &proof.created {
        if time::parse(created).is_some_and(|t| now < t) {
            return Err(VerifyFailure::NotYetValid {
                valid_from: created.clone(),
            });
        }
    }
    if let Some(expires) = &proof.expires {
        if time::parse(expires).is_some_and(|t| now > t) {
            return Err(VerifyFailure::Expired {
                valid_until: expires.clone(),
            });
        }
    }
    Ok(summary(
        &doc,
        issuer,
        issuer_name,
        proof,
        valid_from,
        valid_until,
    ))
}

/// The VC Data Model 2.0 rules every credential meets, whoever issued it: `@context` is a list
/// that starts with the v2 context, `type` includes `VerifiableCredential`, and there is a
/// `credentialSubject` (an object, or a non-empty list of objects).
fn check_data_model(doc: &Value) -> Result<(), VerifyFailure> {
    let malformed =
        |m: String| -> Result<(), VerifyFailure> { Err(VerifyFailure::MalformedCredential(m)) };
    let context_ok = match doc.get("@context") {
        Some(Value::Array(list)) => list.first().and_then(Value::as_str) == Some(VC_CONTEXT_V2),
        _ => false,
    };
    if !context_ok {
        return malformed(format!(
            "\"@context\" must be a list starting with \"{VC_CONTEXT_V2}\" (VC Data Model 2.0)"
        ));
    }
    let type_ok = match doc.get("type") {
        Some(Value::String(t)) => t == "VerifiableCredential",
        Some(Value::Array(types)) => types.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !type_ok {
        return malformed("\"type\" does not include \"VerifiableCredential\"".into());
    }
    let subject_ok = match doc.get("credentialSubject") {
        Some(Value::Object(_)) => true,
        Some(Value::Array(list)) => !list.is_empty() && list.iter().all(Value::is_object),
        _ => false,
    };
    if !subject_ok {
        return malformed("no \"credentialSubject\" object".into());
    }
    Ok(())
}

fn str_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn summary(
    doc: &Value,
    issuer: String,
    issuer_name: Option<String>,
    proof: super::proof::VerifiedProof,
    valid_from: Option<(String, chrono::DateTime<chrono::Utc>)>,
    valid_until: Option<(String, chrono::DateTime<chrono::Utc>)>,
) -> VerifiedSummary {
    let types = match doc.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| str_of(Some(t))).collect(),
        _ => Vec::new(),
    };
    let subject = doc.get("credentialSubject");
    let skills = subject
        .and_then(|s| s.get("achievement"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(verified_skill).collect())
        .unwrap_or_default();
    let evidence = doc
        .get("evidence")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    Some(VerifiedEvidence {
                        name: str_of(e.get("name")).unwrap_or_else(|| "evidence".into()),
                        sha256: str_of(e.get("sha256"))?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    VerifiedSummary {
        issuer_is_signer: issuer == proof.signer,
        issuer,
        issuer_name,
        signer: proof.signer,
        id: str_of(doc.get("id")),
        types,
        subject: str_of(subject.and_then(|s| s.get("id"))),
        valid_from: valid_from.map(|(s, _)| s),
        valid_until: valid_until.map(|(s, _)| s),
        created: proof.created,
        skills,
        evidence,
    }
}

fn verified_skill(a: &Value) -> Option<VerifiedSkill> {
    let result = a.get("result");
    let field = |name: &str| result.and_then(|r| r.get(name));
    let mastered_at = str_of(field("masteredAt"))
        .or_else(|| str_of(field("masteredAtOrder")).map(|o| format!("order {o}")));
    Some(VerifiedSkill {
        skill: str_of(a.get("skillId"))?,
        name: str_of(a.get("name")),
        standard: a
            .get("alignment")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .and_then(|al| str_of(al.get("targetCode"))),
        probability: field("masteryProbability").and_then(Value::as_f64),
        attempts: field("attempts").and_then(Value::as_u64),
        mastered_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn input() -> CredentialInput {
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

    #[test]
    fn issued_credential_has_the_documented_shape_and_verifies() {
        let key = IssuerKey::from_seed(5);
        let vc = issue_credential(&input(), &key).unwrap();
        assert_eq!(vc["issuer"]["id"], key.did().as_str());
        assert_eq!(vc["validFrom"], "2023-11-14T22:15:00Z");
        assert_eq!(vc["validUntil"], "2027-01-15T08:00:00Z");
        assert_eq!(
            vc["credentialSubject"]["id"],
            "urn:pathwise:learner:ann%20lee%2F7"
        );
        let a0 = &vc["credentialSubject"]["achievement"][0];
        assert_eq!(a0["id"], "urn:pathwise:skill:frac.add");
        assert_eq!(
            a0["alignment"][0]["targetCode"],
            "CCSS.MATH.CONTENT.4.NF.B.3.A"
        );
        assert_eq!(a0["result"]["masteryProbability"], 0.9731);
        assert_eq!(a0["result"]["masteredAt"], "2023-11-14T22:13:20Z");
        let a1 = &vc["credentialSubject"]["achievement"][1];
        assert_eq!(a1["result"]["masteredAtOrder"], "41");
        assert!(a1.get("alignment").is_none());
        assert_eq!(vc["evidence"][0]["sha256"], "a".repeat(64));
        assert_eq!(vc["evidence"][2]["name"], "Skill graph file");
        assert_eq!(vc["@context"], json!([VC_CONTEXT_V2]));
        assert_eq!(
            vc["type"],
            json!(["VerifiableCredential", "MasteryRecordCredential"])
        );
        assert_eq!(vc["issuer"]["type"], json!(["Profile"]));
        assert_eq!(vc["issuer"]["name"], "Example School");
        assert_eq!(
            vc["credentialSubject"]["type"],
            json!(["AchievementSubject"])
        );
        assert_eq!(vc["credentialSubject"]["masteryThreshold"], 0.95);
        assert_eq!(a0["type"], json!(["Achievement"]));
        assert_eq!(a0["achievementType"], "Competency");
        assert_eq!(a0["skillId"], "frac.add");
        assert_eq!(a0["name"], "Add fractions");
        assert_eq!(a0["result"]["attempts"], 12);
        assert_eq!(a1["result"]["attempts"], 3);
        assert_eq!(a1["result"]["masteryProbability"], 0.999);
        let names: Vec<&str> = (0..3)
            .map(|i| vc["evidence"][i]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Interaction rows", "Model file", "Skill graph file"]
        );
        assert_eq!(vc["evidence"][0]["learnerId"], "ann lee/7");
        assert_eq!(vc["evidence"][0]["rows"], 15);
        assert_eq!(vc["evidence"][0]["canonicalForm"], "pathwise-rows-v1");
        assert_eq!(vc["evidence"][1]["sha256"], "b".repeat(64));
        assert_eq!(vc["evidence"][2]["sha256"], "c".repeat(64));
        let proof = &vc["proof"];
        assert_eq!(proof["type"], "DataIntegrityProof");
        assert_eq!(proof["cryptosuite"], "eddsa-jcs-2022");
        assert_eq!(proof["proofPurpose"], "assertionMethod");
        let mb = key.did()["did:key:".len()..].to_owned();
        assert_eq!(
            proof["verificationMethod"],
            format!("did:key:{mb}#{mb}").as_str()
        );
        assert_eq!(proof["created"], "2023-11-14T22:15:00Z");
        assert_eq!(proof["@context"], vc["@context"]);
        let sig = proof["proofValue"].as_str().unwrap();
        assert_eq!(bs58::decode(&sig[1..]).into_vec().unwrap().len(), 64);
        assert!(sig.starts_with('z'), "{sig}");
        let id = vc["id"].as_str().unwrap();
        assert!(
            id.starts_with("urn:uuid:") && id.as_bytes()[23] == b'8',
            "{id}"
        );

        let text = serde_json::to_string_pretty(&vc).unwrap();
        let ok = verify_credential(&text, Some(&key.did()), at(1_750_000_000)).unwrap();
        assert!(ok.issuer_is_signer);
        assert_eq!(ok.issuer_name.as_deref(), Some("Example School"));
        assert_eq!(ok.skills.len(), 2);
        assert_eq!(ok.skills[0].probability, Some(0.9731));
        assert_eq!(
            ok.skills[0].standard.as_deref(),
            Some("CCSS.MATH.CONTENT.4.NF.B.3.A")
        );
        assert_eq!(ok.skills[1].mastered_at.as_deref(), Some("order 41"));
        assert_eq!(ok.evidence.len(), 3);
        // the same input gives the same bytes
        assert_eq!(vc, issue_credential(&input(), &key).unwrap());
    }

    #[test]
    fn verification_failures_are_told_apart() {
        let key = IssuerKey::from_seed(5);
        let text = serde_json::to_string(&issue_credential(&input(), &key).unwrap()).unwrap();
        let now = at(1_750_000_000);
        assert!(matches!(
            verify_credential(&text, None, at(1_700_000_000)),
            Err(VerifyFailure::NotYetValid { valid_from }) if valid_from == "2023-11-14T22:15:00Z"
        ));
        assert!(matches!(
            verify_credential(&text, None, at(1_900_000_000)),
            Err(VerifyFailure::Expired { .. })
        ));
        let other = IssuerKey::from_seed(6).did();
        assert!(matches!(
            verify_credential(&text, Some(&other), now),
            Err(VerifyFailure::UnexpectedIssuer { expected, .. }) if expected == other
        ));
        assert_eq!(
            verify_credential(&text.replace("0.9731", "0.9732"), None, now),
            Err(VerifyFailure::SignatureMismatch)
        );
        // same value, other spelling: JCS makes it the same document
        assert!(verify_credential(&text.replace("0.9731", "9.731e-1"), None, now).is_ok());
        assert!(matches!(
            verify_credential(&text[..text.len() - 1], None, now),
            Err(VerifyFailure::NotJson(_))
        ));
        assert!(matches!(
            verify_credential("{\"a\":1,\"a\":1}", None, now),
            Err(VerifyFailure::MalformedCredential(m)) if m.contains("duplicate")
        ));
    }

    #[test]
    fn documents_that_are_not_vc_2_0_credentials_are_malformed() {
        let key = IssuerKey::from_seed(5);
        let mut vc = issue_credential(&input(), &key).unwrap();
        vc.as_object_mut().unwrap().remove("proof");
        for (path, value, needle) in [
            (
                "/@context",
                json!(["https://www.w3.org/2018/credentials/v1"]),
                "@context",
            ),
            ("/@context", json!(VC_CONTEXT_V2), "@context"),
            (
                "/type",
                json!(["MasteryRecordCredential"]),
                "VerifiableCredential",
            ),
            ("/credentialSubject", json!([]), "credentialSubject"),
            ("/credentialSubject", json!("urn:x"), "credentialSubject"),
        ] {
            let mut doc = vc.clone();
            *doc.pointer_mut(path).unwrap() = value;
            let text = sign_document(&doc, &key, at(1_700_000_100))
                .unwrap()
                .to_string();
            match verify_credential(&text, None, at(1_750_000_000)) {
                Err(VerifyFailure::MalformedCredential(m)) if m.contains(needle) => {}
                other => panic!("{path}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_proof_created_after_now_is_not_yet_valid() {
        // validFrom 2023-11-14, but signed (created) 2025-10-09: checked in between.
        let key = IssuerKey::from_seed(5);
        let mut vc = issue_credential(&input(), &key).unwrap();
        vc.as_object_mut().unwrap().remove("proof");
        let text = sign_document(&vc, &key, at(1_760_000_000))
            .unwrap()
            .to_string();
        assert_eq!(
            verify_credential(&text, None, at(1_750_000_000)),
            Err(VerifyFailure::NotYetValid {
                valid_from: "2025-10-09T08:53:20Z".into()
            })
        );
        assert!(verify_credential(&text, None, at(1_760_000_000)).is_ok());
    }

    #[test]
    fn a_credential_resigned_by_another_key_is_an_unexpected_issuer() {
        // Someone copies a credential, keeps the issuer, and signs it with their own key.
        let key = IssuerKey::from_seed(5);
        let forger = IssuerKey::from_seed(6);
        let mut vc = issue_credential(&input(), &key).unwrap();
        vc.as_object_mut().unwrap().remove("proof");
        let forged = sign_document(&vc, &forger, at(1_700_000_100)).unwrap();
        let text = serde_json::to_string(&forged).unwrap();
        assert!(matches!(
            verify_credential(&text, None, at(1_750_000_000)),
            Err(VerifyFailure::UnexpectedIssuer { found, .. }) if found == key.did()
        ));
    }

    #[test]
    fn bad_inputs_are_refused_before_signing() {
        let key = IssuerKey::from_seed(5);
        let mut i = input();
        i.claims[1].probability = 1.5;
        let err = issue_credential(&i, &key).unwrap_err().to_string();
        assert!(
            err.contains("skill 'frac.eq'") && err.contains("[0, 1]"),
            "{err}"
        );
        let mut i = input();
        i.learner_did = Some("ann".into());
        assert!(
            issue_credential(&i, &key)
                .unwrap_err()
                .to_string()
                .contains("not a DID")
        );
        let mut i = input();
        i.evidence.rows_sha256 = "XYZ".into();
        assert!(
            issue_credential(&i, &key)
                .unwrap_err()
                .to_string()
                .contains("hex")
        );
        let mut i = input();
        i.claims.push(i.claims[0].clone());
        assert!(
            issue_credential(&i, &key)
                .unwrap_err()
                .to_string()
                .contains("claimed twice")
        );
        let mut i = input();
        i.learner_did = Some("did:example:ann".into());
        let vc = issue_credential(&i, &key).unwrap();
        assert_eq!(vc["credentialSubject"]["id"], "did:example:ann");
    }
}
