//! Verifying mastery record credentials (or any VC 2.0 credential secured with an
//! eddsa-jcs-2022 proof by a `did:key`), offline, and summarising what a valid one says.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::Value;

use super::credential::VC_CONTEXT_V2;
use super::failure::VerifyFailure;
use super::proof::{VerifiedProof, verify_proof};
use super::time;
use crate::json::{JsonError, parse_strict};
use crate::text::quoted;

/// The longest credential text verified: 8 MiB (a credential with a thousand skills is about
/// 700 KiB). Longer texts fail with [`VerifyFailure::TooLarge`] before they are parsed.
pub const MAX_CREDENTIAL_BYTES: usize = 8 << 20;

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
    /// True when the verifier named the issuer it expected (and it matched, or verification
    /// would have failed). False means anyone could have made the signing key and given it any
    /// name: the result says the file is intact, not who issued it.
    pub issuer_pinned: bool,
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
/// Works offline: `did:key` identifiers carry their public key. The text is read strictly
/// (duplicate member names refused, a leading byte order mark skipped, at most
/// [`MAX_CREDENTIAL_BYTES`]). Text that is not JSON gives [`VerifyFailure::NotJson`]; every other
/// failure means the credential is not valid.
///
/// Without `expected_issuer`, a valid result only says that the file is intact and signed by the
/// key it names: anyone can make a key and call it "Example School". Pass the issuer's `did:key`,
/// learnt through a channel you trust, to check who signed.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use pathwise::record::{
///     CredentialInput, EvidenceDigests, IssuerKey, VerifyFailure, issue_credential,
///     verify_credential,
/// };
/// let key = IssuerKey::from_seed(2);
/// let issued = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
/// let input = CredentialInput {
///     learner_id: "ann".into(),
///     learner_did: Some("did:example:ann".into()),
///     issuer_name: None,
///     mastery_threshold: 0.95,
///     claims: vec![],
///     evidence: EvidenceDigests { rows_sha256: "0".repeat(64), rows: 0, model_sha256: None, graph_sha256: None },
///     valid_from: issued,
///     valid_until: None,
/// };
/// let text = issue_credential(&input, &key).unwrap().to_string();
/// let later = issued + Duration::from_secs(86_400);
/// let ok = verify_credential(&text, Some(&key.did()), later).unwrap();
/// assert!(ok.issuer_is_signer);
/// assert_eq!(
///     verify_credential(&text.replace("example:ann", "example:bob"), None, later),
///     Err(VerifyFailure::SignatureMismatch)
/// );
/// ```
pub fn verify_credential(
    json: &str,
    expected_issuer: Option<&str>,
    now: SystemTime,
) -> Result<VerifiedSummary, VerifyFailure> {
    let doc = parse_strict(json, MAX_CREDENTIAL_BYTES).map_err(|e| match e {
        JsonError::TooLarge { bytes, .. } => VerifyFailure::TooLarge { bytes },
        JsonError::Syntax { .. } => VerifyFailure::NotJson(e.to_string()),
        JsonError::Duplicate { .. } => {
            VerifyFailure::MalformedCredential(format!("not I-JSON: {e}"))
        }
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
    // A clock beyond chrono's range (±262,000 years) is after every date a credential can hold.
    let now = time::to_chrono(now).unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let date =
        |name: &str| -> Result<Option<(String, chrono::DateTime<chrono::Utc>)>, VerifyFailure> {
            match doc.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => {
                    time::parse(s).map(|t| Some((s.clone(), t))).ok_or_else(|| {
                        malformed(&format!(
                            "\"{name}\" {} is not an RFC 3339 date-time with a time zone",
                            quoted(s)
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
    let mut summary = summary(&doc, issuer, issuer_name, proof, valid_from, valid_until);
    summary.issuer_pinned = expected_issuer.is_some();
    Ok(summary)
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
    proof: VerifiedProof,
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
        issuer_pinned: false,
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
    use crate::record::IssuerKey;
    use crate::record::credential::{at, sample_input as input};
    use crate::record::issue_credential;
    use crate::record::proof::sign_document;
    use serde_json::json;

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
}
