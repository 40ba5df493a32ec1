//! Conformance of `pathwise::record` with the W3C Data Integrity EdDSA test vectors for the
//! eddsa-jcs-2022 cryptosuite (fixtures and their origin and licence in
//! `tests/fixtures/vc-di-eddsa/SOURCE.md`), through the public API: the signed document verifies,
//! and every one-character edit of it (replacements, deletions and insertions at every position)
//! is checked: each edit that alters the JSON value, or leaves no JSON at all, fails verification
//! without a panic; only edits of insignificant whitespace, which JCS discards by design, still
//! verify. (The reproduction of every intermediate value from the key pair and the unsigned
//! document, and the JCS numbers against ECMAScript in `tests/fixtures/jcs-numbers/`, use the
//! crate's private pieces: they are unit tests in `engine/core/src/record/vectors.rs`.)

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::record::{VerifyFailure, verify_credential};
use serde_json::Value;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/vc-di-eddsa"
);

fn fixture(name: &str) -> String {
    let path = format!("{DIR}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The vectors' signer: `did:key:` and the key pair's public key.
fn signer() -> String {
    let pair: Value = serde_json::from_str(&fixture("keyPair.json")).unwrap();
    format!("did:key:{}", pair["publicKeyMultibase"].as_str().unwrap())
}

/// A time at which the vectors' credential is valid (validFrom 2023-01-01).
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_750_000_000)
}

#[test]
fn verifies_the_signed_vector() {
    let text = fixture("eddsa-jcs-2022/signedJCS.json");
    let ok = verify_credential(&text, None, now()).unwrap();
    assert_eq!(ok.signer, signer());
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
        verify_credential(&text, Some(&signer()), now()),
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
    // serde_json (with float_roundtrip, as pathwise builds it) reads the values to compare; a
    // duplicate member name it would accept silently loses a member, so the value differs.
    let original: Value = serde_json::from_str(&text).unwrap();
    let chars: Vec<char> = text.chars().collect();
    let (mut altered, mut same_value, mut unparsable) = (0usize, 0usize, 0usize);
    // Positions where some edit changed the document's value (or broke it) and so had to fail.
    let mut rejected_at = vec![false; chars.len() + 1];
    for (i, mutated) in one_character_edits(&text) {
        // Never a panic: whatever the edit, verification returns a verdict.
        let verdict = verify_credential(&mutated, None, now());
        let Ok(value) = serde_json::from_str::<Value>(&mutated) else {
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
