//! The W3C Data Integrity EdDSA test vectors for eddsa-jcs-2022 (`tests/fixtures/vc-di-eddsa`,
//! origin and licence in its `SOURCE.md`) and ECMAScript's number spellings
//! (`tests/fixtures/jcs-numbers`), checked against the crate-private pieces that make them: every
//! intermediate value is reproduced from the key pair and the unsigned document alone (the proof
//! configuration, both canonical forms, both hashes, the signed bytes, the signature and the
//! final `proofValue`), and every number of the fixture is written as Node.js writes it.
//! `tests/cli/record_conformance.rs` checks the signed vector through the public API.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::did_key::public_key_from_multibase;
use super::jcs::canonicalize;
use super::key::IssuerKey;
use super::proof::{proof_config, proof_hashes, proof_value, sign_document};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures");

fn fixture(name: &str) -> String {
    let path = format!("{FIXTURES}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(name: &str) -> Value {
    serde_json::from_str(&fixture(&format!("vc-di-eddsa/{name}"))).unwrap()
}

fn vector(name: &str) -> String {
    fixture(&format!("vc-di-eddsa/eddsa-jcs-2022/{name}"))
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

    let config = proof_config(&unsigned, &key, created()).unwrap();
    assert_eq!(config, json("eddsa-jcs-2022/proofConfigJCS.json"));

    let hashes = proof_hashes(&unsigned, &config);
    assert_eq!(
        hashes.canonical_proof_config,
        vector("proofCanonJCS.txt").trim_end()
    );
    assert_eq!(
        hashes.canonical_document,
        vector("canonDocJCS.txt").trim_end()
    );
    assert_eq!(
        hex(&hashes.proof_config_hash),
        vector("proofHashJCS.txt").trim()
    );
    assert_eq!(hex(&hashes.document_hash), vector("docHashJCS.txt").trim());
    assert_eq!(
        hex(&hashes.hash_data()),
        vector("combinedHashJCS.txt").trim()
    );

    let value = proof_value(&hashes, &key);
    assert_eq!(value, vector("sigBTC58JCS.txt").trim());
    let signature = bs58::decode(&value[1..]).into_vec().unwrap();
    assert_eq!(hex(&signature), vector("sigHexJCS.txt").trim());

    let signed = sign_document(&unsigned, &key, created()).unwrap();
    assert_eq!(signed, json("eddsa-jcs-2022/signedJCS.json"));
}

/// JCS numbers against a real ECMAScript engine: `numbers.txt` holds Node.js's `String(x)` for
/// every power of two, pseudo-random doubles and short decimals (made by `generate.js` beside
/// it). Each is reproduced from the double's bits, and the text itself is a fixed point of
/// strict-read-and-canonicalise.
#[test]
fn jcs_numbers_match_ecmascript() {
    let text = fixture("jcs-numbers/numbers.txt");
    let mut checked = 0;
    for line in text.lines() {
        let (bits, want) = line.split_once(' ').unwrap();
        let x = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
        let value = Value::Number(serde_json::Number::from_f64(x).unwrap());
        assert_eq!(canonicalize(&value), want, "bits {bits}");
        let reread = crate::json::parse_strict(want, 64).unwrap();
        assert_eq!(canonicalize(&reread), want, "{want} re-read");
        checked += 1;
    }
    assert_eq!(checked, 3404, "the whole fixture");
}
