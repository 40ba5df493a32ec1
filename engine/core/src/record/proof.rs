//! Data Integrity proofs with the **eddsa-jcs-2022** cryptosuite (W3C VC Data Integrity EdDSA
//! Cryptosuites v1.0, §3.3).
//!
//! Signing a JSON document:
//! 1. proof configuration = `{type: "DataIntegrityProof", cryptosuite: "eddsa-jcs-2022", created,
//!    verificationMethod, proofPurpose: "assertionMethod"}`, plus the document's `@context` when
//!    it has one;
//! 2. `proofConfigHash` = SHA-256 of the JCS form of the proof configuration;
//! 3. `documentHash` = SHA-256 of the JCS form of the document (without `proof`);
//! 4. `hashData` = `proofConfigHash ‖ documentHash` (64 bytes), signed with Ed25519;
//! 5. `proof` = the configuration plus `proofValue` = base58btc multibase (`z…`) of the signature.
//!
//! Verifying runs the same steps on the document without its proof and the proof without its
//! `proofValue`, with the public key taken from the `did:key` verification method (no network).
//! One deliberate strictness beyond the specification: when the proof has an `@context`, the
//! document's `@context` must be *equal* to it (the specification accepts a document whose
//! context merely starts with it, which leaves trailing contexts unsigned).

use std::time::SystemTime;

use ed25519_dalek::{Signature, Signer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::did_key::public_key_from_did_key;
use super::failure::VerifyFailure;
use super::jcs::canonicalize;
use super::key::IssuerKey;
use super::time;
use crate::text::quoted;
use crate::{Error, Result};

/// The proof `type` this module makes and checks.
pub(crate) const PROOF_TYPE: &str = "DataIntegrityProof";
/// The cryptosuite this module makes and checks.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The proof purpose of a credential's proof.
pub(crate) const ASSERTION_METHOD: &str = "assertionMethod";

/// The longest base58btc multibase `proofValue` of a 64-byte signature: `z` and at most 88
/// digits (58^88 > 2^512). Longer values are refused before decoding, whose cost grows with the
/// square of the length.
pub(crate) const MAX_PROOF_VALUE_CHARS: usize = 89;

/// The intermediate values of eddsa-jcs-2022 hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ProofHashes {
    /// JCS form of the proof configuration.
    pub(crate) canonical_proof_config: String,
    /// JCS form of the document without its proof.
    pub(crate) canonical_document: String,
    /// SHA-256 of `canonical_proof_config`.
    pub(crate) proof_config_hash: [u8; 32],
    /// SHA-256 of `canonical_document`.
    pub(crate) document_hash: [u8; 32],
}

impl ProofHashes {
    /// `proofConfigHash ‖ documentHash`: the 64 bytes that are signed.
    pub(crate) fn hash_data(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.proof_config_hash);
        out[32..].copy_from_slice(&self.document_hash);
        out
    }
}

/// What a valid proof says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VerifiedProof {
    /// The DID of the key that signed (the verification method without its fragment).
    pub(crate) signer: String,
    /// The proof's `created` date-time, as written.
    pub(crate) created: Option<String>,
    /// The proof's `expires` date-time, as written.
    pub(crate) expires: Option<String>,
}

/// The eddsa-jcs-2022 proof configuration for `unsecured` (step 1 above): signed by `key`'s
/// `did:key` verification method, `created` at that time (UTC seconds).
pub(crate) fn proof_config(
    unsecured: &Value,
    key: &IssuerKey,
    created: SystemTime,
) -> Result<Value> {
    let mut config = Map::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), CRYPTOSUITE.into());
    config.insert("created".into(), time::format_utc(created)?.into());
    config.insert(
        "verificationMethod".into(),
        key.verification_method().into(),
    );
    config.insert("proofPurpose".into(), ASSERTION_METHOD.into());
    if let Some(context) = unsecured.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    Ok(Value::Object(config))
}

/// Canonicalises and hashes a proof configuration and a document (steps 2–4 above).
pub(crate) fn proof_hashes(unsecured: &Value, proof_config: &Value) -> ProofHashes {
    let canonical_proof_config = canonicalize(proof_config);
    let canonical_document = canonicalize(unsecured);
    ProofHashes {
        proof_config_hash: Sha256::digest(canonical_proof_config.as_bytes()).into(),
        document_hash: Sha256::digest(canonical_document.as_bytes()).into(),
        canonical_proof_config,
        canonical_document,
    }
}

/// The base58btc multibase `proofValue` of an Ed25519 signature over `hashes`.
pub(crate) fn proof_value(hashes: &ProofHashes, key: &IssuerKey) -> String {
    let signature = key.signing_key().sign(&hashes.hash_data());
    format!("z{}", bs58::encode(signature.to_bytes()).into_string())
}

/// `unsecured` with an eddsa-jcs-2022 proof by `key`, created at `created`.
///
/// Errors when `unsecured` is not a JSON object or already has a `proof`, or `created` is
/// outside the years 0..=9999.
pub(crate) fn sign_document(
    unsecured: &Value,
    key: &IssuerKey,
    created: SystemTime,
) -> Result<Value> {
    let Value::Object(document) = unsecured else {
        return Err(Error::config("only a JSON object can carry a proof"));
    };
    if document.contains_key("proof") {
        return Err(Error::config("the document already has a proof"));
    }
    let config = proof_config(unsecured, key, created)?;
    let hashes = proof_hashes(unsecured, &config);
    let mut proof = match config {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    proof.insert("proofValue".into(), proof_value(&hashes, key).into());
    let mut secured = document.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(secured))
}

/// Checks the eddsa-jcs-2022 proof of `secured`: structure, cryptosuite, and the signature by the
/// `did:key` it names. Does not look at dates or the issuer (see `verify_credential`).
pub(crate) fn verify_proof(secured: &Value) -> Result<VerifiedProof, VerifyFailure> {
    let malformed = |m: String| VerifyFailure::MalformedProof(m);
    let Value::Object(document) = secured else {
        return Err(VerifyFailure::MalformedCredential(
            "the document is not a JSON object".into(),
        ));
    };
    let proof = match document.get("proof") {
        None => return Err(malformed("the document has no proof".into())),
        Some(Value::Object(proof)) => proof,
        Some(Value::Array(_)) => {
            return Err(malformed(
                "proof sets (several proofs) are not supported: expected one proof object".into(),
            ));
        }
        Some(_) => return Err(malformed("\"proof\" is not an object".into())),
    };
    let text = |name: &str| -> Result<Option<&str>, VerifyFailure> {
        match proof.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(malformed(format!("proof \"{name}\" is not a string"))),
        }
    };
    let required = |name: &str| -> Result<&str, VerifyFailure> {
        text(name)?.ok_or_else(|| malformed(format!("proof has no \"{name}\"")))
    };

    let proof_type = required("type")?;
    if proof_type != PROOF_TYPE {
        return Err(VerifyFailure::UnsupportedCryptosuite(format!(
            "proof type {} (only {PROOF_TYPE} is supported)",
            quoted(proof_type)
        )));
    }
    let suite = required("cryptosuite")?;
    if suite != CRYPTOSUITE {
        return Err(VerifyFailure::UnsupportedCryptosuite(format!(
            "{} (only {CRYPTOSUITE} is supported)",
            quoted(suite)
        )));
    }
    let purpose = required("proofPurpose")?;
    if purpose != ASSERTION_METHOD {
        return Err(malformed(format!(
            "proof purpose {}, expected '{ASSERTION_METHOD}'",
            quoted(purpose)
        )));
    }
    let method = required("verificationMethod")?;
    let public_key = public_key_from_did_key(method).map_err(|e| {
        malformed(format!(
            "verification method cannot be resolved offline: {e}"
        ))
    })?;
    let signer = method.split_once('#').map_or(method, |(did, _)| did);
    let created = text("created")?;
    let expires = text("expires")?;
    for (name, value) in [("created", created), ("expires", expires)] {
        if value.is_some_and(|v| time::parse(v).is_none()) {
            return Err(malformed(format!(
                "proof \"{name}\" is not an RFC 3339 date-time with a time zone"
            )));
        }
    }
    let signature = decode_proof_value(required("proofValue")?)?;

    let mut options = proof.clone();
    options.remove("proofValue");
    let mut unsecured = document.clone();
    unsecured.remove("proof");
    if let Some(context) = options.get("@context") {
        if unsecured.get("@context") != Some(context) {
            return Err(malformed(
                "the proof's @context differs from the document's @context".into(),
            ));
        }
    }
    let hashes = proof_hashes(&Value::Object(unsecured), &Value::Object(options));
    public_key
        .verify_strict(&hashes.hash_data(), &signature)
        .map_err(|_| VerifyFailure::SignatureMismatch)?;
    Ok(VerifiedProof {
        signer: signer.to_owned(),
        created: created.map(str::to_owned),
        expires: expires.map(str::to_owned),
    })
}

fn decode_proof_value(value: &str) -> Result<Signature, VerifyFailure> {
    let malformed = |m: &str| VerifyFailure::MalformedProof(format!("proofValue {m}"));
    let b58 = value
        .strip_prefix('z')
        .ok_or_else(|| malformed("is not base58btc multibase (it must start with 'z')"))?;
    let length = value.chars().count();
    if length > MAX_PROOF_VALUE_CHARS {
        return Err(malformed(&format!(
            "is {length} characters long; an Ed25519 signature in base58btc multibase has at \
             most {MAX_PROOF_VALUE_CHARS}"
        )));
    }
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|_| malformed("is not valid base58btc"))?;
    let bytes: [u8; 64] = bytes.try_into().map_err(|b: Vec<u8>| {
        malformed(&format!("holds {} bytes, not a 64-byte signature", b.len()))
    })?;
    Ok(Signature::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:x", "n": 0.5})
    }

    #[test]
    fn signs_and_verifies_a_document() {
        let key = IssuerKey::from_seed(9);
        let signed = sign_document(&doc(), &key, SystemTime::UNIX_EPOCH).unwrap();
        let ok = verify_proof(&signed).unwrap();
        assert_eq!(ok.signer, key.did());
        assert_eq!(ok.created.as_deref(), Some("1970-01-01T00:00:00Z"));
        // deterministic: Ed25519 signatures do not use randomness
        assert_eq!(
            signed,
            sign_document(&doc(), &key, SystemTime::UNIX_EPOCH).unwrap()
        );
    }

    #[test]
    fn each_broken_part_gets_its_own_failure() {
        let key = IssuerKey::from_seed(9);
        let signed = sign_document(&doc(), &key, SystemTime::UNIX_EPOCH).unwrap();
        let with = |path: &str, v: Value| {
            let mut d = signed.clone();
            *d.pointer_mut(path).unwrap() = v;
            verify_proof(&d).unwrap_err()
        };
        assert_eq!(with("/n", json!(0.6)), VerifyFailure::SignatureMismatch);
        assert!(matches!(
            with("/proof/cryptosuite", json!("ecdsa-rdfc-2019")),
            VerifyFailure::UnsupportedCryptosuite(m) if m.contains("ecdsa-rdfc-2019")
        ));
        assert!(matches!(
            with("/proof/type", json!("Ed25519Signature2020")),
            VerifyFailure::UnsupportedCryptosuite(_)
        ));
        assert!(matches!(
            with("/proof/proofValue", json!("uAAAA")),
            VerifyFailure::MalformedProof(m) if m.contains("start with 'z'")
        ));
        assert!(matches!(
            with("/proof/proofValue", json!("z3x")),
            VerifyFailure::MalformedProof(m) if m.contains("not a 64-byte signature")
        ));
        assert!(matches!(
            with("/proof/verificationMethod", json!("https://example.com/key")),
            VerifyFailure::MalformedProof(m) if m.contains("offline")
        ));
        assert!(matches!(
            with("/proof/proofPurpose", json!("authentication")),
            VerifyFailure::MalformedProof(m) if m.contains("proof purpose")
        ));
        assert!(matches!(
            with("/proof/created", json!("yesterday")),
            VerifyFailure::MalformedProof(m) if m.contains("created")
        ));
        assert!(matches!(
            with("/proof", json!([])),
            VerifyFailure::MalformedProof(m) if m.contains("proof sets")
        ));
        assert!(matches!(
            with("/@context", json!(["https://www.w3.org/ns/credentials/v2", "https://x.example"])),
            VerifyFailure::MalformedProof(m) if m.contains("@context")
        ));
        // signed by another key than the one named
        let other = IssuerKey::from_seed(10);
        assert_eq!(
            with(
                "/proof/verificationMethod",
                other.verification_method().into()
            ),
            VerifyFailure::SignatureMismatch
        );
        let mut no_proof = signed.clone();
        no_proof.as_object_mut().unwrap().remove("proof");
        assert!(matches!(
            verify_proof(&no_proof),
            Err(VerifyFailure::MalformedProof(_))
        ));
    }

    #[test]
    fn refuses_to_sign_twice_or_a_non_object() {
        let key = IssuerKey::from_seed(9);
        let signed = sign_document(&doc(), &key, SystemTime::UNIX_EPOCH).unwrap();
        assert!(sign_document(&signed, &key, SystemTime::UNIX_EPOCH).is_err());
        assert!(sign_document(&json!([1]), &key, SystemTime::UNIX_EPOCH).is_err());
    }
}
