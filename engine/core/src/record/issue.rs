//! Issuing mastery record credentials: the W3C Verifiable Credential (Data Model 2.0) made
//! from a [`CredentialInput`], signed with an eddsa-jcs-2022 proof.
//!
//! The credential is shaped after Open Badges 3.0 / CLR 2.0 achievement credentials: the issuer
//! is a `did:key` profile, the subject lists one `Achievement` (type `Competency`) per mastered
//! skill with a `result` holding the model's mastery probability, the number of attempts and when
//! mastery was reached, and the evidence names the SHA-256 of the learner's interaction rows, of
//! the model file and of the graph file. `docs/records.md` shows a full example.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::credential::{
    CREDENTIAL_TYPE, CredentialInput, LEARNER_URN_PREFIX, MasteredAt, MasteryClaim,
    SKILL_URN_PREFIX, VC_CONTEXT_V2,
};
use super::jcs::canonicalize;
use super::key::IssuerKey;
use super::proof::sign_document;
use super::rows::ROWS_CANONICAL_FORM;
use super::time;
use crate::text::{QUOTE_LIMIT, cut, quoted};
use crate::{Error, Location, Result};

/// Builds, signs and returns a mastery record credential for `input`, issued by `key`.
///
/// Deterministic: the same input and key give byte-identical JSON (the credential id is derived
/// from the content, and Ed25519 signatures use no randomness). Errors name the rule an input
/// breaks: an empty learner id, a learner DID that is not `did:METHOD:ID`, a threshold outside
/// (0, 1], a skill claimed twice or with a probability outside [0, 1], a digest that is not 64
/// lower-case hex digits, a date outside the years 0..=9999.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use pathwise::record::{
///     CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim, issue_credential,
///     verify_credential,
/// };
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
/// let credential = issue_credential(&input, &key).unwrap();
/// let text = serde_json::to_string_pretty(&credential).unwrap();
/// let ok = verify_credential(&text, Some(&key.did()), SystemTime::now()).unwrap();
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
    let achievements = input
        .claims
        .iter()
        .map(achievement)
        .collect::<Result<Vec<Value>>>()?;
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
        time::format_utc(input.valid_from)?.into(),
    );
    if let Some(until) = input.valid_until {
        doc.insert("validUntil".into(), time::format_utc(until)?.into());
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
    let id = content_uuid(&Value::Object(doc.clone()));
    doc.insert("id".into(), format!("urn:uuid:{id}").into());
    sign_document(&Value::Object(doc), key, input.valid_from)
}

fn validate(input: &CredentialInput) -> Result<()> {
    let learner = || {
        Location::subject(
            crate::SubjectKind::Learner,
            &cut(&input.learner_id, QUOTE_LIMIT),
        )
    };
    if input.learner_id.is_empty() {
        return Err(Error::setting("learner_id", "the learner id is empty"));
    }
    if let Some(did) = &input.learner_did {
        let ok = did.strip_prefix("did:").and_then(|r| r.split_once(':'));
        if !ok.is_some_and(|(method, id)| !method.is_empty() && !id.is_empty()) {
            return Err(Error::input(
                learner(),
                format!("{} is not a DID (did:METHOD:ID)", quoted(did)),
            ));
        }
    }
    if !(input.mastery_threshold > 0.0 && input.mastery_threshold <= 1.0) {
        return Err(Error::setting(
            "mastery_threshold",
            format!(
                "the mastery threshold must be in (0, 1], found {}",
                input.mastery_threshold
            ),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for claim in &input.claims {
        let at = || Location::subject(crate::SubjectKind::Skill, &cut(&claim.skill, QUOTE_LIMIT));
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
                    "the {what} SHA-256 must be 64 lower-case hex digits, found {}",
                    quoted(d)
                )));
            }
        }
    }
    Ok(())
}

fn achievement(claim: &MasteryClaim) -> Result<Value> {
    let mut result = Map::new();
    result.insert("type".into(), json!(["Result"]));
    result.insert("masteryProbability".into(), claim.probability.into());
    result.insert("attempts".into(), claim.attempts.into());
    match &claim.mastered_at {
        MasteredAt::Time(t) => {
            result.insert("masteredAt".into(), time::format_utc(*t)?.into());
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
    Ok(Value::Object(a))
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
fn content_uuid(doc: &Value) -> String {
    let canonical = canonicalize(doc);
    let mut b: [u8; 16] = Sha256::digest(canonical.as_bytes())[..16]
        .try_into()
        .unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::credential::{at, sample_input as input};
    use crate::record::verify_credential;

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
