//! `pathwise record`: keygen (did:key encoding, key file permissions) → issue (one learner and
//! `--all-learners`, from the CLI and the library) → verify round trip; every reason a credential
//! is not valid (exit 1); bad inputs (exit 2, one line).

mod common;

use common::pathwise;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::record::{CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `record keygen` and returns the printed DID and the key read back from the file.
fn keygen(dir: &Path) -> (String, IssuerKey) {
    let key_path = dir.join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&key_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let did = stdout(&out).trim().to_owned();
    let key = IssuerKey::from_key_file(&std::fs::read_to_string(&key_path).unwrap(), "issuer.key")
        .unwrap();
    assert_eq!(key.did(), did, "the printed did:key is the file's key");
    (did, key)
}

fn credential(key: &IssuerKey) -> String {
    credential_valid(
        key,
        UNIX_EPOCH + Duration::from_secs(1_760_000_100),
        Some(SystemTime::now() + Duration::from_secs(86_400 * 365)),
    )
}

/// A signed credential for one skill, valid from `valid_from` until `valid_until`.
fn credential_valid(
    key: &IssuerKey,
    valid_from: SystemTime,
    valid_until: Option<SystemTime>,
) -> String {
    let input = CredentialInput {
        learner_id: "learner-7".into(),
        learner_did: Some("did:example:learner7".into()),
        issuer_name: Some("Test School".into()),
        mastery_threshold: 0.95,
        claims: vec![MasteryClaim {
            skill: "frac.add_like".into(),
            name: "Add fractions with like denominators".into(),
            standard: Some("CCSS.MATH.CONTENT.4.NF.B.3.A".into()),
            probability: 0.9812,
            attempts: 9,
            mastered_at: MasteredAt::Time(UNIX_EPOCH + Duration::from_secs(1_760_000_000)),
        }],
        evidence: EvidenceDigests {
            rows_sha256: "1".repeat(64),
            rows: 9,
            model_sha256: Some("2".repeat(64)),
            graph_sha256: Some("3".repeat(64)),
        },
        valid_from,
        valid_until,
    };
    serde_json::to_string_pretty(&pathwise::record::issue_credential(&input, key).unwrap()).unwrap()
}

#[test]
fn keygen_issue_verify_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (did, key) = keygen(dir.path());
    assert!(did.starts_with("did:key:z6Mk"), "{did}");
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, credential(&key)).unwrap();

    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &did]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("VALID: signature by {did}")),
        "{text}"
    );
    assert!(text.contains("Test School"), "{text}");
    assert!(text.contains("did:example:learner7"), "{text}");
    assert!(text.contains("frac.add_like"), "{text}");
    assert!(text.contains("0.981"), "{text}");
    assert!(text.contains("2025-10-09T08:53:20Z"), "{text}");

    let out = pathwise(&["record", "verify", s(&cred), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["issuer"], did.as_str());
    assert_eq!(json["skills"][0]["attempts"], 9);
    assert_eq!(json["evidence"][1]["sha256"], "2".repeat(64));
}

/// Base58btc (Bitcoin alphabet) decoding, written out here so that the check does not share the
/// encoder's crate.
fn base58_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut number: Vec<u8> = Vec::new(); // big-endian
    for c in text.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c);
        let mut carry = digit.unwrap_or_else(|| panic!("{c:?} is not base58")) as u32;
        for byte in number.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            number.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; text.bytes().take_while(|&c| c == b'1').count()];
    out.extend(number);
    out
}

#[test]
fn keygen_prints_the_did_key_of_the_ed25519_public_key_in_the_file() {
    // The decoder against the W3C vectors' public key (multicodec ed25519-pub = 0xed 0x01).
    let w3c = base58_decode("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
    assert_eq!((w3c.len(), &w3c[..2]), (34, &[0xed, 0x01][..]));

    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&key_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert_eq!(
        printed.lines().count(),
        1,
        "stdout is the DID alone: {printed}"
    );
    let did = printed.trim_end();
    // did:key:z + base58btc(0xed 0x01 ‖ 32-byte Ed25519 public key)
    let multibase = did.strip_prefix("did:key:").expect("a did:key");
    let encoded = multibase
        .strip_prefix('z')
        .expect("base58btc multibase ('z')");
    let bytes = base58_decode(encoded);
    assert_eq!(bytes.len(), 34, "{did}");
    assert_eq!(&bytes[..2], &[0xed, 0x01], "multicodec ed25519-pub");
    let key = IssuerKey::from_key_file(&std::fs::read_to_string(&key_path).unwrap(), "k").unwrap();
    assert_eq!(&bytes[2..], key.verifying_key().as_bytes());
    // The key file is a Multikey naming the same key.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    assert_eq!(file["type"], "Multikey");
    assert_eq!(file["controller"], did);
    assert_eq!(file["publicKeyMultibase"], multibase);
    assert_eq!(file["id"], format!("{did}#{multibase}").as_str());
    let secret = base58_decode(&file["secretKeyMultibase"].as_str().unwrap()[1..]);
    assert_eq!(
        (secret.len(), &secret[..2]),
        (34, &[0x80, 0x26][..]),
        "ed25519-priv"
    );
}

#[test]
fn tampered_expired_or_foreign_credentials_exit_one_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (did, key) = keygen(dir.path());
    let text = credential(&key);
    let cred = dir.path().join("cred.json");

    std::fs::write(&cred, text.replace("0.9812", "0.9912")).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("NOT VALID: signature mismatch"),
        "{}",
        stdout(&out)
    );

    std::fs::write(&cred, &text).unwrap();
    let other = IssuerKey::from_seed(99).did();
    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &other]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("unexpected issuer"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains(&did), "{}", stdout(&out));

    let out = pathwise(&["record", "verify", s(&cred), "--at", "2020-01-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("not yet valid"), "{}", stdout(&out));
    let out = pathwise(&[
        "record",
        "verify",
        s(&cred),
        "--at",
        "2999-01-01T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["reason"], "expired");

    std::fs::write(&cred, text.replace("eddsa-jcs-2022", "eddsa-rdfc-2022")).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("unsupported cryptosuite"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn malformed_proofs_and_credentials_exit_one_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(11);
    let text = credential(&key);
    let cred = dir.path().join("cred.json");
    let verdict = |content: &str| {
        std::fs::write(&cred, content).unwrap();
        let out = pathwise(&["record", "verify", s(&cred)]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
        stdout(&out)
    };
    for (from, to, reason) in [
        (
            "\"assertionMethod\"",
            "\"authentication\"",
            "NOT VALID: malformed proof: proof purpose 'authentication', expected 'assertionMethod'",
        ),
        (
            "\"proofValue\": \"z",
            "\"proofValue\": \"u",
            "NOT VALID: malformed proof: proofValue is not base58btc multibase",
        ),
        (
            "\"proofValue\"",
            "\"signatureValue\"",
            "NOT VALID: malformed proof: proof has no \"proofValue\"",
        ),
        (
            "\"proof\": {",
            "\"proof\": \"x\", \"unsigned\": {",
            "NOT VALID: malformed proof: \"proof\" is not an object",
        ),
        (
            "\"verificationMethod\": \"did:key:",
            "\"verificationMethod\": \"did:web:",
            "NOT VALID: malformed proof: verification method cannot be resolved offline",
        ),
        (
            "\"type\": \"DataIntegrityProof\"",
            "\"type\": \"Ed25519Signature2020\"",
            "NOT VALID: unsupported cryptosuite: proof type 'Ed25519Signature2020'",
        ),
        (
            "\"name\": \"Test School\"",
            "\"name\": \"Test School\", \"name\": \"Other School\"",
            "NOT VALID: malformed credential: not I-JSON: duplicate member name 'name'",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        let got = verdict(&text.replacen(from, to, 1));
        assert!(got.starts_with(reason), "{from} -> {to}: {got}");
    }
    std::fs::write(&cred, text.replace("assertionMethod", "authentication")).unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["reason"], "malformed_proof");
}

#[test]
fn validity_dates_are_checked_against_the_clock() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(12);
    let cred = dir.path().join("cred.json");
    let day = Duration::from_secs(86_400);
    let now = SystemTime::now();

    // validFrom ten days ahead: not yet valid today.
    std::fs::write(&cred, credential_valid(&key, now + 10 * day, None)).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("NOT VALID: not yet valid: valid from "),
        "{}",
        stdout(&out)
    );
    // validUntil yesterday: expired today.
    std::fs::write(
        &cred,
        credential_valid(&key, now - 30 * day, Some(now - day)),
    )
    .unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["reason"], "expired");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .starts_with("expired: valid until "),
        "{json}"
    );
    // validFrom yesterday, validUntil in a year: valid, and the summary says until when.
    std::fs::write(
        &cred,
        credential_valid(&key, now - day, Some(now + 365 * day)),
    )
    .unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &key.did()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("valid:      from "),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unreadable_or_non_json_input_exits_two_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"issuer\": ").unwrap();
    for args in [
        vec!["record", "verify", s(&bad)],
        vec!["record", "verify", "/no/such/credential.json"],
    ] {
        let out = pathwise(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("pathwise: error: "), "{err}");
        assert!(out.stdout.is_empty());
    }
    let out = pathwise(&["record", "verify", s(&bad)]);
    assert!(
        stderr(&out).contains("bad.json: not JSON"),
        "{}",
        stderr(&out)
    );
    std::fs::write(&bad, [0xff, 0xfe, b'{']).unwrap();
    let out = pathwise(&["record", "verify", s(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid UTF-8"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn key_file_is_owner_only_and_never_silently_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (did, _) = keygen(dir.path());
    let path = dir.path().join("issuer.key");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");

    let out = pathwise(&["record", "keygen", "-o", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let still = IssuerKey::from_key_file(&std::fs::read_to_string(&path).unwrap(), "k").unwrap();
    assert_eq!(still.did(), did, "the old key is untouched");

    let out = pathwise(&["record", "keygen", "-o", s(&path), "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(stdout(&out).trim(), did);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after --force");
    // only the key file: no temporary file left behind
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A key into a folder that does not exist: one line naming the folder.
    let missing = dir.path().join("no-such-folder").join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.trim_end().ends_with("no-such-folder does not exist"),
        "{err}"
    );
}

#[test]
fn rows_digest_matches_the_library_and_the_documented_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "learner,skill,item,correct,order\n\
         ann,frac.add,q2,1,20\n\
         bob,frac.add,q1,0,1\n\
         ann,frac.add~~frac.eq,q1,0,10\n",
    )
    .unwrap();
    let lines = dir.path().join("ann.jsonl");
    let out = pathwise(&[
        "record",
        "rows",
        s(&log),
        "--learner",
        "ann",
        "-o",
        s(&lines),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&lines).unwrap();
    assert_eq!(
        written,
        "{\"correct\":0,\"item\":\"q1\",\"learner\":\"ann\",\"order\":\"10\",\"skills\":[\"frac.add\",\"frac.eq\"]}\n\
         {\"correct\":1,\"item\":\"q2\",\"learner\":\"ann\",\"order\":\"20\",\"skills\":[\"frac.add\"]}\n"
    );
    let digest = pathwise::record::sha256_hex(written.as_bytes());
    assert_eq!(
        stdout(&out).trim(),
        format!("{digest}  2 rows  learner ann  (pathwise-rows-v1)")
    );

    let out = pathwise(&["record", "rows", s(&log), "--learner", "zoe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("learner 'zoe' is not in the log"),
        "{}",
        stderr(&out)
    );
}

/// A model with two skills whose parameters make a few correct answers enough for mastery.
/// Runs `pathwise record issue --key KEY --model MODEL --graph GRAPH LOG` and then `rest`.
fn issue([key, model, graph, log]: [&Path; 4], rest: &[&str]) -> Output {
    let mut args = vec!["record", "issue", "--key", s(key), "--model", s(model)];
    args.extend(["--graph", s(graph), s(log)]);
    args.extend(rest);
    pathwise(&args)
}

fn write_issue_inputs(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use pathwise::{FitInfo, Model, Params, SkillModel, SkillStats, Variant};
    let p = Params {
        prior: 0.3,
        learn: 0.3,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };
    let skills = ["frac.add_like", "frac.equivalent"]
        .iter()
        .map(|s| SkillModel::new(*s, p, vec![], vec![], SkillStats::default()))
        .collect();
    let model = Model::new(Variant::default(), skills, vec![], FitInfo::default()).unwrap();
    let model_path = dir.join("model.json");
    std::fs::write(&model_path, model.to_json()).unwrap();
    let graph_path = dir.join("graph.toml");
    std::fs::write(
        &graph_path,
        r#"
[[skill]]
id = "frac.equivalent"
name = "Equivalent fractions"

[[skill]]
id = "frac.add_like"
name = "Add fractions with like denominators"
requires = ["frac.equivalent"]
standard = "CCSS.MATH.CONTENT.4.NF.B.3.A"
"#,
    )
    .unwrap();
    let log_path = dir.join("log.csv");
    let mut log = String::from("learner,skill,item,correct,order\n");
    for i in 0..6 {
        log.push_str(&format!("ann,frac.add_like,a{i},1,{}\n", 10 + i));
        log.push_str(&format!("ann,frac.equivalent,e{i},{},{}\n", i % 2, 20 + i));
        log.push_str(&format!("bob,frac.add_like,a{i},0,{}\n", 10 + i));
    }
    std::fs::write(&log_path, log).unwrap();
    (model_path, graph_path, log_path)
}

#[test]
fn issue_then_verify_with_evidence_that_matches_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let (did, _) = keygen(dir.path());
    let key = dir.path().join("issuer.key");
    let (model, graph, log) = write_issue_inputs(dir.path());
    let cred = dir.path().join("ann.json");
    let rest = [
        "--learner",
        "ann",
        "--learner-did",
        "did:example:ann",
        "--issuer-name",
        "Test School",
        "--valid-from",
        "2026-01-01T00:00:00Z",
        "-o",
        s(&cred),
    ];
    let out = issue([&key, &model, &graph, &log], &rest);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 mastered skill(s)"),
        "{}",
        stdout(&out)
    );
    let first = std::fs::read(&cred).unwrap();
    // reproducible with a fixed validFrom
    assert_eq!(
        issue([&key, &model, &graph, &log], &rest).status.code(),
        Some(0)
    );
    assert_eq!(std::fs::read(&cred).unwrap(), first);

    let vc: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(vc["credentialSubject"]["id"], "did:example:ann");
    let a = &vc["credentialSubject"]["achievement"];
    assert_eq!(
        a.as_array().unwrap().len(),
        1,
        "only frac.add_like is mastered: {a}"
    );
    assert_eq!(a[0]["skillId"], "frac.add_like");
    assert_eq!(a[0]["name"], "Add fractions with like denominators");
    assert_eq!(
        a[0]["alignment"][0]["targetCode"],
        "CCSS.MATH.CONTENT.4.NF.B.3.A"
    );
    assert_eq!(a[0]["result"]["attempts"], 6);
    // Six correct answers with prior 0.3, learn 0.3, guess 0.2, slip 0.1: P(known) is 0.7610,
    // 0.9543, 0.9926, 0.9988, 0.9998, 0.99997 — over 0.95 from the second attempt, mastered at the
    // third (order 12), when the run of correct answers reaches three.
    let p = a[0]["result"]["masteryProbability"].as_f64().unwrap();
    assert!((p - 0.999_972_084_214_097_6).abs() < 1e-12, "{p}");
    assert_eq!(a[0]["result"]["masteredAtOrder"], "12", "sequence log: {a}");
    assert!(a[0]["result"].get("masteredAt").is_none());
    // The VC 2.0 / Open Badges shape and the eddsa-jcs-2022 proof.
    assert_eq!(
        vc["@context"],
        serde_json::json!(["https://www.w3.org/ns/credentials/v2"])
    );
    assert_eq!(
        vc["type"],
        serde_json::json!(["VerifiableCredential", "MasteryRecordCredential"])
    );
    assert_eq!(vc["issuer"]["id"], did.as_str());
    assert_eq!(vc["issuer"]["name"], "Test School");
    assert_eq!(vc["validFrom"], "2026-01-01T00:00:00Z");
    assert!(vc.get("validUntil").is_none());
    assert_eq!(a[0]["type"], serde_json::json!(["Achievement"]));
    assert_eq!(a[0]["achievementType"], "Competency");
    let proof = &vc["proof"];
    assert_eq!(proof["type"], "DataIntegrityProof");
    assert_eq!(proof["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(proof["proofPurpose"], "assertionMethod");
    let multibase = &did["did:key:".len()..];
    assert_eq!(
        proof["verificationMethod"],
        format!("{did}#{multibase}").as_str()
    );
    assert_eq!(proof["created"], "2026-01-01T00:00:00Z");
    let signature = proof["proofValue"].as_str().unwrap();
    assert_eq!(
        base58_decode(signature.strip_prefix('z').unwrap()).len(),
        64,
        "an Ed25519 signature, base58btc multibase"
    );
    let model_sha = pathwise::record::sha256_hex(&std::fs::read(&model).unwrap());
    let graph_sha = pathwise::record::sha256_hex(&std::fs::read(&graph).unwrap());
    assert_eq!(vc["evidence"][1]["sha256"], model_sha.as_str());
    assert_eq!(vc["evidence"][2]["sha256"], graph_sha.as_str());
    let rows = pathwise(&["record", "rows", s(&log), "--learner", "ann"]);
    let rows_sha = stdout(&rows).split_whitespace().next().unwrap().to_owned();
    assert_eq!(vc["evidence"][0]["sha256"], rows_sha.as_str());
    assert_eq!(vc["evidence"][0]["rows"], 12);
    assert_eq!(vc["evidence"][0]["learnerId"], "ann");
    let names: Vec<&str> = (0..3)
        .map(|i| vc["evidence"][i]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Interaction rows", "Model file", "Skill graph file"]
    );

    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &did]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("frac.add_like"));
}

#[test]
fn issue_for_all_learners_writes_one_file_per_learner_with_mastery() {
    let dir = tempfile::tempdir().unwrap();
    let (did, _) = keygen(dir.path());
    let key = dir.path().join("issuer.key");
    let (model, graph, log) = write_issue_inputs(dir.path());
    let folder = dir.path().join("class");
    let out = issue(
        [&key, &model, &graph, &log],
        &["--all-learners", "-o", s(&folder)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("issued 1 credential(s)"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("1 learner(s) with no mastered skill skipped"));
    let files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["ann.credential.json"]);
    let ann = folder.join("ann.credential.json");
    let vc: serde_json::Value = serde_json::from_slice(&std::fs::read(&ann).unwrap()).unwrap();
    assert_eq!(vc["credentialSubject"]["id"], "urn:pathwise:learner:ann");
    assert_eq!(
        vc["credentialSubject"]["achievement"][0]["skillId"],
        "frac.add_like"
    );
    let out = pathwise(&["record", "verify", s(&ann), "--issuer", &did]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // bad inputs: exit 2, one line, nothing written
    let missing = dir.path().join("none.json");
    let out = issue(
        [&key, &missing, &graph, &log],
        &["--learner", "ann", "-o", s(&dir.path().join("x.json"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(!dir.path().join("x.json").exists());
    let out = issue(
        [&key, &model, &graph, &log],
        &["--learner", "zoe", "-o", s(&dir.path().join("x.json"))],
    );
    assert_eq!(out.status.code(), Some(2));
    // One error line (beside the log reader's note on the preset it detected).
    let err = stderr(&out);
    let errors: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("pathwise: error: "))
        .collect();
    assert_eq!(
        errors,
        ["pathwise: error: learner 'zoe': not in the log"],
        "{err}"
    );
    assert!(!dir.path().join("x.json").exists());
}

#[test]
fn issue_with_an_unreadable_or_wrong_key_file_exits_two_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (model, graph, log) = write_issue_inputs(dir.path());
    let good = IssuerKey::from_seed(13).to_key_file();
    let other = IssuerKey::from_seed(14);
    let mixed = good.replace(&IssuerKey::from_seed(13).did(), &other.did());
    let cases: [(&str, Option<String>, &str); 5] = [
        ("missing.key", None, "missing.key: cannot read"),
        ("folder.key", None, "folder.key: cannot read"),
        ("garbage.key", Some("not a key".into()), "not a key file"),
        (
            "model-as.key",
            Some(std::fs::read_to_string(&model).unwrap()),
            "not a pathwise issuer key file",
        ),
        (
            "mixed.key",
            Some(mixed),
            "does not belong to the secret key",
        ),
    ];
    for (name, content, needle) in cases {
        let key = dir.path().join(name);
        match content {
            Some(text) => std::fs::write(&key, text).unwrap(),
            None if name == "folder.key" => std::fs::create_dir(&key).unwrap(),
            None => {}
        }
        let cred = dir.path().join("cred.json");
        let out = issue(
            [&key, &model, &graph, &log],
            &["--learner", "ann", "-o", s(&cred)],
        );
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
        assert!(err.starts_with("pathwise: error: "), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(!cred.exists(), "{name}: nothing written");
    }
}

#[test]
fn issue_from_a_timestamped_log_dates_mastery() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("issuer.key");
    let (model, graph, _) = write_issue_inputs(dir.path());
    let log = dir.path().join("timed.csv");
    let mut text = String::from("learner,skill,item,correct,order\n");
    for i in 0..6 {
        text.push_str(&format!("ann,frac.add_like,a{i},1,2026-03-02 09:0{i}:00\n"));
    }
    std::fs::write(&log, text).unwrap();
    let cred = dir.path().join("ann.json");
    let out = issue(
        [&key, &model, &graph, &log],
        &[
            "--learner",
            "ann",
            "--valid-from",
            "2026-03-03T00:00:00Z",
            "--valid-days",
            "365",
            "-o",
            s(&cred),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let vc: serde_json::Value = serde_json::from_slice(&std::fs::read(&cred).unwrap()).unwrap();
    let result = &vc["credentialSubject"]["achievement"][0]["result"];
    // Mastered at the third correct attempt (see the sequence-log test): 09:02.
    assert_eq!(result["masteredAt"], "2026-03-02T09:02:00Z", "{result}");
    assert!(result.get("masteredAtOrder").is_none());
    assert_eq!(result["attempts"], 6);
    assert_eq!(vc["validFrom"], "2026-03-03T00:00:00Z");
    assert_eq!(vc["validUntil"], "2027-03-03T00:00:00Z");
    let out = pathwise(&["record", "verify", s(&cred), "--at", "2026-06-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("2026-03-02T09:02:00Z"),
        "{}",
        stdout(&out)
    );
}

/// No byte that a terminal interprets: ESC, CR, C1 controls, bidirectional overrides.
fn assert_terminal_safe(text: &str) {
    for c in ['\u{1b}', '\r', '\u{9b}', '\u{202e}', '\u{2028}'] {
        assert!(!text.contains(c), "{c:?} printed raw: {text:?}");
    }
}

#[test]
fn verify_escapes_control_characters_in_proof_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(21);
    let forged_line = format!("VALID: signature by {} checks out", key.did());
    let hostile = format!("\\u001b[2K\\r{forged_line}\\n\\u202e");
    let text = credential(&key).replace("\"assertionMethod\"", &format!("\"{hostile}\""));
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, text).unwrap();
    for format in ["table", "csv", "json"] {
        let out = pathwise(&["record", "verify", s(&cred), "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stdout(&out));
        let printed = stdout(&out);
        assert_terminal_safe(&printed);
        if format == "table" {
            assert_eq!(printed.lines().count(), 1, "{printed}");
            assert!(
                printed.starts_with("NOT VALID: malformed proof: proof purpose '\\e[2K\\rVALID"),
                "{printed}"
            );
        }
    }
}

#[test]
fn verify_escapes_names_in_a_valid_credential_signed_by_an_attackers_key() {
    let dir = tempfile::tempdir().unwrap();
    let attacker = IssuerKey::from_seed(22);
    let input = CredentialInput {
        learner_id: "mallory".into(),
        learner_did: None,
        issuer_name: Some("Example School\u{1b}[2K\r\u{202e}".into()),
        mastery_threshold: 0.95,
        claims: vec![MasteryClaim {
            skill: "frac.add\nVALID: everything".into(),
            name: format!("\u{9b}31mRed{}", "x".repeat(5000)),
            standard: Some("STD\r".into()),
            probability: 0.99,
            attempts: 3,
            mastered_at: MasteredAt::Sequence(4),
        }],
        evidence: EvidenceDigests {
            rows_sha256: "1".repeat(64),
            rows: 3,
            model_sha256: None,
            graph_sha256: None,
        },
        valid_from: UNIX_EPOCH + Duration::from_secs(1_760_000_100),
        valid_until: None,
    };
    let vc = pathwise::record::issue_credential(&input, &attacker).unwrap();
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, serde_json::to_string_pretty(&vc).unwrap()).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert_terminal_safe(&table);
    assert!(
        table.contains("Example School\\e[2K\\r\\u{202e}"),
        "{table}"
    );
    let row = table
        .lines()
        .find(|l| l.starts_with("frac.add"))
        .expect("the skill row");
    assert!(row.starts_with("frac.add\\nVALID: everything"), "{row}");
    assert!(
        row.len() < 400,
        "a 5000-character name is cut: {}",
        row.len()
    );
    for format in ["csv", "json"] {
        let out = pathwise(&["record", "verify", s(&cred), "--format", format]);
        assert_eq!(out.status.code(), Some(0));
        assert_terminal_safe(&stdout(&out));
    }
    // JSON keeps the values exact, with the dangerous characters as \u escapes.
    let out = pathwise(&["record", "verify", s(&cred), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issuer_name"], "Example School\u{1b}[2K\r\u{202e}");
    assert_eq!(json["skills"][0]["skill"], "frac.add\nVALID: everything");
}

#[test]
fn verify_without_issuer_says_the_issuer_is_not_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(23);
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, credential(&key)).unwrap();

    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert!(lines[0].starts_with("VALID: signature by "), "{lines:?}");
    assert!(
        lines[1].starts_with(
            "issuer not pinned: anyone can make a key named 'Test School'; pass --issuer did:key:"
        ),
        "{lines:?}"
    );
    let out = pathwise(&["record", "verify", s(&cred), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issuer_pinned"], false);
    assert!(
        json["warning"]
            .as_str()
            .unwrap()
            .starts_with("issuer not pinned")
    );

    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &key.did()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stdout(&out).contains("not pinned"), "{}", stdout(&out));
    let out = pathwise(&[
        "record",
        "verify",
        s(&cred),
        "--issuer",
        &key.did(),
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issuer_pinned"], true);
    assert!(json.get("warning").is_none());
}

#[test]
fn verify_honours_format_csv() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(24);
    let cred = dir.path().join("cred.json");
    let text = credential(&key);
    std::fs::write(&cred, &text).unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--format", "csv"]);
    assert_eq!(out.status.code(), Some(0));
    let mut reader = csv::Reader::from_reader(&out.stdout[..]);
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "valid",
            "issuer_pinned",
            "issuer",
            "issuer_name",
            "signer",
            "subject",
            "credential",
            "skill",
            "name",
            "standard",
            "mastery",
            "attempts",
            "mastered_at"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "true");
    assert_eq!(&rows[0][1], "false");
    assert_eq!(&rows[0][3], "Test School");
    assert_eq!(&rows[0][7], "frac.add_like");
    assert_eq!(&rows[0][10], "0.9812");

    std::fs::write(&cred, text.replace("0.9812", "0.9912")).unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--format", "csv"]);
    assert_eq!(out.status.code(), Some(1));
    let printed = stdout(&out);
    assert!(
        printed.starts_with("valid,reason,message\nfalse,signature_mismatch,"),
        "{printed}"
    );
}

#[test]
fn credential_with_bom_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(25);
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, format!("\u{feff}{}", credential(&key))).unwrap();
    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &key.did()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).starts_with("VALID: "), "{}", stdout(&out));
}

#[test]
fn oversized_proof_value_is_rejected_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::from_seed(26);
    let text = credential(&key);
    let vc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let value = vc["proof"]["proofValue"].as_str().unwrap().to_owned();
    // 408 KB of valid base58 digits: decoding it would take tens of seconds.
    let huge = format!("z{}", "2".repeat(408_000));
    let cred = dir.path().join("cred.json");
    std::fs::write(&cred, text.replace(&value, &huge)).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(1));
    let printed = stdout(&out);
    assert_eq!(
        printed.trim_end(),
        "NOT VALID: malformed proof: proofValue is 408001 characters long; an Ed25519 \
         signature in base58btc multibase has at most 89"
    );
    // The same for a verification method that names an oversized key: never echoed whole.
    let method = vc["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .to_owned();
    let long_key = format!("did:key:z6Mk{}", "2".repeat(400_000));
    std::fs::write(&cred, text.replace(&method, &long_key)).unwrap();
    let out = pathwise(&["record", "verify", s(&cred)]);
    assert_eq!(out.status.code(), Some(1));
    let printed = stdout(&out);
    assert!(printed.contains("characters long"), "{}", &printed[..200]);
    assert!(printed.len() < 400, "{} bytes printed", printed.len());
}

#[test]
fn json_inputs_from_dev_zero_or_a_silent_fifo_fail_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (model, graph, log) = write_issue_inputs(dir.path());
    let key = dir.path().join("issuer.key");
    std::fs::write(&key, IssuerKey::from_seed(27).to_key_file()).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["record", "verify", "/dev/zero"],
            "pathwise: error: /dev/zero: more than the 8 MiB a credential may have",
        ),
        (
            vec!["predict", "--model", "/dev/zero", s(&log)],
            "pathwise: error: /dev/zero: more than the 512 MiB a model file may have",
        ),
    ];
    for (args, want) in cases {
        let out = pathwise(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(stderr(&out).trim_end(), want);
    }
    let out = issue(
        [Path::new("/dev/zero"), &model, &graph, &log],
        &["--learner", "ann", "-o", s(&dir.path().join("x.json"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/dev/zero: more than the 64 KiB a key file may have"),
        "{}",
        stderr(&out)
    );

    #[cfg(unix)]
    {
        let fifo = dir.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // No writer: read as empty, refused as not JSON (before the fix: waits forever).
            let out = pathwise(&["record", "verify", s(&fifo)]);
            assert_eq!(out.status.code(), Some(2));
            let err = stderr(&out);
            assert!(err.contains("fifo.json: not JSON: EOF"), "{err}");
            let out = pathwise(&["predict", "--model", s(&fifo), s(&log)]);
            assert_eq!(out.status.code(), Some(2));
            assert!(stderr(&out).contains("fifo.json"), "{}", stderr(&out));
        }
    }
}

#[test]
fn model_json_with_duplicate_keys_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let (model, graph, log) = write_issue_inputs(dir.path());
    let text = std::fs::read_to_string(&model).unwrap();
    let emptied = format!(
        "{}, \"skills\": {{}}}}\n",
        text.trim_end().trim_end_matches('}')
    );
    std::fs::write(&model, emptied).unwrap();
    let out = pathwise(&["predict", "--model", s(&model), s(&log)]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.lines().any(|l| l.starts_with("pathwise: error: ")
            && l.contains("model.json:")
            && l.contains("duplicate member name 'skills'")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let key = dir.path().join("issuer.key");
    std::fs::write(&key, IssuerKey::from_seed(28).to_key_file()).unwrap();
    let out = issue(
        [&key, &model, &graph, &log],
        &["--learner", "ann", "-o", s(&dir.path().join("x.json"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("duplicate member name 'skills'"));
}

#[test]
fn issue_all_learners_with_an_overlong_id_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("issuer.key");
    std::fs::write(&key, IssuerKey::from_seed(29).to_key_file()).unwrap();
    let (model, graph, _) = write_issue_inputs(dir.path());
    let long = "l".repeat(300);
    let learners: Vec<String> = (0..9)
        .map(|i| format!("learner-{i}"))
        .chain([long.clone()])
        .collect();
    let log = dir.path().join("class.csv");
    let mut text = String::from("learner,skill,item,correct,order\n");
    for learner in &learners {
        for i in 0..6 {
            text.push_str(&format!("{learner},frac.add_like,a{i},1,{}\n", 10 + i));
        }
    }
    std::fs::write(&log, text).unwrap();
    let folder = dir.path().join("class");
    let out = issue(
        [&key, &model, &graph, &log],
        &["--all-learners", "-o", s(&folder), "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issued"].as_array().unwrap().len(), 10);
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 10, "{files:?}");
    assert_eq!(files[0], "learner-0.credential.json");
    let cut = files.iter().find(|f| f.starts_with("lll")).unwrap();
    assert!(cut.len() < 130, "{cut}");
    let issued_to: Vec<&str> = json["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["learner"].as_str().unwrap())
        .collect();
    assert!(issued_to.contains(&long.as_str()));
    let long_file = json["issued"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["learner"] == long.as_str())
        .unwrap()["file"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = pathwise(&["record", "verify", &long_file]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn issue_honours_format_csv_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (did, _) = keygen(dir.path());
    let key = dir.path().join("issuer.key");
    let (model, graph, log) = write_issue_inputs(dir.path());
    let cred = dir.path().join("ann.json");
    let out = issue(
        [&key, &model, &graph, &log],
        &["--learner", "ann", "-o", s(&cred), "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "file,learner,skills,signer\n{},ann,1,{did}\n",
            cred.display()
        )
    );
    let out = issue(
        [&key, &model, &graph, &log],
        &["--learner", "ann", "-o", s(&cred), "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["signer"], did.as_str());
    assert_eq!(json["issued"][0]["learner"], "ann");
    assert_eq!(json["issued"][0]["skills"], 1);
}
