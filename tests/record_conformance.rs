//! Conformance of the `record` module with the W3C Data Integrity EdDSA test vectors for the
//! eddsa-jcs-2022 cryptosuite (fixtures and their origin in `tests/fixtures/vc-di-eddsa/`).
//!
//! Every intermediate value is reproduced from the key pair and the unsigned document alone:
//! the proof configuration, both canonical forms, both hashes, the signed bytes, the signature
//! and the final `proofValue`. Then the signed document is verified, and single-character changes
//! to it are checked: every change that alters the JSON value fails verification.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::{
    IssuerKey, VerifyFailure, jcs_parse_strict, proof_config, proof_hashes, proof_value,
    public_key_from_multibase, sign_document, verify_credential,
};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/vc-di-eddsa"
);

fn fixture(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `created` of the vectors' proof: 2023-02-24T23:36:38Z.
fn created() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_677_281_798)
}

fn key() -> IssuerKey {
    let pair = json("keyPair.json");
    let key =
        IssuerKey::from_secret_multibase(pair["privateKeyMultibase"].as_str().unwrap()).unwrap();
    let public = public_key_from_multibase(pair["publicKeyMultibase"].as_str().unwrap()).unwrap();
    assert_eq!(
        key.verifying_key(),
        public,
        "the vectors' key pair belongs together"
    );
    key
}

#[test]
fn reproduces_every_intermediate_value_and_the_proof_value() {
    let key = key();
    let unsigned = json("unsigned.json");

    let config = proof_config(&unsigned, &key, created());
    assert_eq!(config, json("eddsa-jcs-2022/proofConfigJCS.json"));

    let hashes = proof_hashes(&unsigned, &config).unwrap();
    assert_eq!(
        hashes.canonical_proof_config,
        fixture("eddsa-jcs-2022/proofCanonJCS.txt").trim_end()
    );
    assert_eq!(
        hashes.canonical_document,
        fixture("eddsa-jcs-2022/canonDocJCS.txt").trim_end()
    );
    assert_eq!(
        hex(&hashes.proof_config_hash),
        fixture("eddsa-jcs-2022/proofHashJCS.txt").trim()
    );
    assert_eq!(
        hex(&hashes.document_hash),
        fixture("eddsa-jcs-2022/docHashJCS.txt").trim()
    );
    assert_eq!(
        hex(&hashes.hash_data()),
        fixture("eddsa-jcs-2022/combinedHashJCS.txt").trim()
    );

    let value = proof_value(&hashes, &key);
    assert_eq!(value, fixture("eddsa-jcs-2022/sigBTC58JCS.txt").trim());
    let signature = bs58::decode(&value[1..]).into_vec().unwrap();
    assert_eq!(
        hex(&signature),
        fixture("eddsa-jcs-2022/sigHexJCS.txt").trim()
    );

    let signed = sign_document(&unsigned, &key, created()).unwrap();
    assert_eq!(signed, json("eddsa-jcs-2022/signedJCS.json"));
}

/// A time at which the vectors' credential is valid (validFrom 2023-01-01).
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

#[test]
fn verifies_the_signed_vector() {
    let text = fixture("eddsa-jcs-2022/signedJCS.json");
    let ok = verify_credential(&text, None, now()).unwrap();
    assert_eq!(ok.signer, key().did());
    assert_eq!(ok.issuer, "https://vc.example/issuers/5678");
    assert!(
        !ok.issuer_is_signer,
        "an https issuer cannot be tied to the key offline"
    );
    assert_eq!(ok.subject.as_deref(), Some("did:example:abcdefgh"));
    assert_eq!(ok.created.as_deref(), Some("2023-02-24T23:36:38Z"));
    // Before validFrom it is not yet valid; asking for a did:key issuer it does not name fails.
    let before = UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    assert!(matches!(
        verify_credential(&text, None, before),
        Err(VerifyFailure::NotYetValid { .. })
    ));
    assert!(matches!(
        verify_credential(&text, Some(&key().did()), now()),
        Err(VerifyFailure::UnexpectedIssuer { .. })
    ));
}

/// Replacement characters tried at every position: ones that keep JSON valid in many places
/// (letters, digits, punctuation inside strings, whitespace) and ones that mostly break it.
const REPLACEMENTS: &[char] = &[
    'a', 'z', 'A', 'Z', '0', '1', '9', 'e', '.', '-', ':', '/', '#', ' ', '\t', '"', '{', '[',
];

#[test]
fn every_single_character_change_that_alters_the_document_fails() {
    let text = fixture("eddsa-jcs-2022/signedJCS.json");
    let original = jcs_parse_strict(&text).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let (mut altered, mut same_value, mut unparsable) = (0usize, 0usize, 0usize);
    for i in 0..chars.len() {
        for &c in REPLACEMENTS {
            if chars[i] == c {
                continue;
            }
            let mut mutated = chars.clone();
            mutated[i] = c;
            let mutated: String = mutated.into_iter().collect();
            let Ok(value) = jcs_parse_strict(&mutated) else {
                unparsable += 1;
                assert!(matches!(
                    verify_credential(&mutated, None, now()),
                    Err(VerifyFailure::NotJson(_) | VerifyFailure::MalformedCredential(_))
                ));
                continue;
            };
            let verdict = verify_credential(&mutated, None, now());
            if value == original {
                // Only insignificant whitespace changed: the canonical form, and so the
                // signature, is the same by design of JCS.
                same_value += 1;
                assert!(
                    verdict.is_ok(),
                    "whitespace change at {i} to {c:?} broke verification"
                );
            } else {
                altered += 1;
                assert!(
                    verdict.is_err(),
                    "change at byte {i} ({:?} -> {c:?}) still verifies:\n{mutated}",
                    chars[i]
                );
            }
        }
    }
    // The loop really exercised all three kinds.
    assert!(altered > 1000, "only {altered} value-changing mutations");
    assert!(
        same_value > 100,
        "only {same_value} whitespace-only mutations"
    );
    assert!(unparsable > 1000, "only {unparsable} unparsable mutations");
    eprintln!(
        "{altered} value-changing mutations all failed; {same_value} whitespace-only verified; {unparsable} did not parse"
    );
}

#[test]
fn every_single_character_change_to_the_proof_value_is_a_signature_or_format_failure() {
    let text = fixture("eddsa-jcs-2022/signedJCS.json");
    let proof_value = fixture("eddsa-jcs-2022/sigBTC58JCS.txt").trim().to_owned();
    let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut tried = 0;
    for i in 1..proof_value.len() {
        for c in alphabet.chars().step_by(7) {
            let mut v: Vec<char> = proof_value.chars().collect();
            if v[i] == c {
                continue;
            }
            v[i] = c;
            let mutated = text.replace(&proof_value, &v.into_iter().collect::<String>());
            tried += 1;
            match verify_credential(&mutated, None, now()) {
                Err(VerifyFailure::SignatureMismatch | VerifyFailure::MalformedProof(_)) => {}
                other => panic!("proofValue change at {i} to {c}: {other:?}"),
            }
        }
    }
    assert!(tried > 500);
}
