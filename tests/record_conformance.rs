//! Conformance of the `record` module with the W3C Data Integrity EdDSA test vectors for the
//! eddsa-jcs-2022 cryptosuite (fixtures and their origin and licence in
//! `tests/fixtures/vc-di-eddsa/SOURCE.md`), and of its JCS numbers with ECMAScript
//! (`tests/fixtures/jcs-numbers/`).
//!
//! Every intermediate value is reproduced from the key pair and the unsigned document alone:
//! the proof configuration, both canonical forms, both hashes, the signed bytes, the signature
//! and the final `proofValue`. Then the signed document is verified, and every one-character
//! edit of it (replacements, deletions and insertions at every position) is checked: each edit
//! that alters the JSON value, or leaves no JSON at all, fails verification without a panic;
//! only edits of insignificant whitespace, which JCS discards by design, still verify.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::{
    IssuerKey, VerifyFailure, jcs_canonicalize, jcs_parse_strict, proof_config, proof_hashes,
    proof_value, public_key_from_multibase, sign_document, verify_credential,
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
    'a', 'z', 'A', 'Z', '0', '1', '9', 'e', '.', '-', ':', '/', '#', ' ', '\t', '"', '{', '[', 'é',
    '\u{1}',
];

/// Characters inserted before every position.
const INSERTIONS: &[char] = &['x', '0', ' ', '"', ',', '\\'];

/// Every one-character edit of `text`, with the position it touches: each character replaced by
/// each of [`REPLACEMENTS`], by its neighbour in Unicode order and by its other case; each
/// character deleted; each of [`INSERTIONS`] inserted before each character and at the end.
fn one_character_edits(text: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let with = |i: usize, replacement: Option<char>, insert: bool| -> String {
        let mut out: Vec<char> = chars.clone();
        match (replacement, insert) {
            (Some(c), true) => out.insert(i, c),
            (Some(c), false) => out[i] = c,
            (None, _) => {
                out.remove(i);
            }
        }
        out.into_iter().collect()
    };
    let mut edits = Vec::new();
    for (i, &original) in chars.iter().enumerate() {
        let neighbour = char::from_u32(original as u32 + 1).unwrap_or('a');
        let other_case = if original.is_ascii_lowercase() {
            original.to_ascii_uppercase()
        } else {
            original.to_ascii_lowercase()
        };
        let mut replacements: Vec<char> = REPLACEMENTS.to_vec();
        replacements.extend([neighbour, other_case]);
        replacements.sort_unstable();
        replacements.dedup();
        for c in replacements.into_iter().filter(|&c| c != original) {
            edits.push((i, with(i, Some(c), false)));
        }
        edits.push((i, with(i, None, false)));
        for &c in INSERTIONS {
            edits.push((i, with(i, Some(c), true)));
        }
    }
    for &c in INSERTIONS {
        edits.push((chars.len(), format!("{text}{c}")));
    }
    edits
}

#[test]
fn every_one_character_change_that_alters_the_document_fails() {
    let text = fixture("eddsa-jcs-2022/signedJCS.json");
    let original = jcs_parse_strict(&text).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let (mut altered, mut same_value, mut unparsable) = (0usize, 0usize, 0usize);
    // Positions where some edit changed the document's value (or broke it) and so had to fail.
    let mut rejected_at = vec![false; chars.len() + 1];
    for (i, mutated) in one_character_edits(&text) {
        // Never a panic: whatever the edit, verification returns a verdict.
        let verdict = verify_credential(&mutated, None, now());
        let Ok(value) = jcs_parse_strict(&mutated) else {
            unparsable += 1;
            rejected_at[i] = true;
            assert!(
                matches!(
                    verdict,
                    Err(VerifyFailure::NotJson(_) | VerifyFailure::MalformedCredential(_))
                ),
                "edit at {i} does not parse, yet: {verdict:?}\n{mutated}"
            );
            continue;
        };
        if value == original {
            // Only insignificant whitespace changed: the canonical form, and so the
            // signature, is the same by design of JCS.
            same_value += 1;
            assert!(
                verdict.is_ok(),
                "whitespace edit at {i} broke verification:\n{mutated}"
            );
        } else {
            altered += 1;
            rejected_at[i] = true;
            assert!(
                verdict.is_err(),
                "edit at char {i} still verifies:\n{mutated}"
            );
        }
    }
    // Every position was reached by at least one edit that had to fail.
    let missed: Vec<usize> = (0..rejected_at.len())
        .filter(|&i| !rejected_at[i])
        .collect();
    assert!(missed.is_empty(), "no failing edit at positions {missed:?}");
    // The loop really exercised all three kinds.
    assert!(altered > 10_000, "only {altered} value-changing edits");
    assert!(same_value > 500, "only {same_value} whitespace-only edits");
    assert!(unparsable > 5_000, "only {unparsable} unparsable edits");
    eprintln!(
        "{altered} value-changing edits all failed; {same_value} whitespace-only edits verified; \
         {unparsable} edits did not parse (all refused)"
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

/// JCS numbers against a real ECMAScript engine: `tests/fixtures/jcs-numbers/numbers.txt` holds
/// Node.js's `String(x)` for every power of two, pseudo-random doubles and short decimals (made by
/// `generate.js` beside it). Each is reproduced from the double's bits, and the text itself is a
/// fixed point of parse-and-canonicalise.
#[test]
fn jcs_numbers_match_ecmascript() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/jcs-numbers/numbers.txt"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut checked = 0;
    for line in text.lines() {
        let (bits, want) = line.split_once(' ').unwrap();
        let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        let value = Value::Number(serde_json::Number::from_f64(x).unwrap());
        assert_eq!(jcs_canonicalize(&value).unwrap(), want, "bits {bits}");
        let reread = jcs_parse_strict(want).unwrap();
        assert_eq!(jcs_canonicalize(&reread).unwrap(), want, "{want} re-read");
        checked += 1;
    }
    assert!(checked > 3000, "only {checked} numbers");
}
