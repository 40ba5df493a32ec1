//! `pathwise record`: keygen → issue (library) → verify round trip, tampering, bad files, key
//! file permissions, and the exit-code contract (0 valid, 1 not valid, 2 unreadable input).

mod common;

use common::pathwise;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::{CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim};

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
        valid_from: UNIX_EPOCH + Duration::from_secs(1_760_000_100),
        valid_until: Some(SystemTime::now() + Duration::from_secs(86_400 * 365)),
    };
    serde_json::to_string_pretty(&pathwise::issue_credential(&input, key).unwrap()).unwrap()
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
    let digest = pathwise::sha256_hex(written.as_bytes());
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
    let args = [
        "record",
        "issue",
        "--key",
        s(&key),
        "--model",
        s(&model),
        "--graph",
        s(&graph),
        s(&log),
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
    let out = pathwise(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 mastered skill(s)"),
        "{}",
        stdout(&out)
    );
    let first = std::fs::read(&cred).unwrap();
    // reproducible with a fixed validFrom
    assert_eq!(pathwise(&args).status.code(), Some(0));
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
    assert!(
        a[0]["result"]["masteredAtOrder"].is_string(),
        "sequence log: {a}"
    );
    let model_sha = pathwise::sha256_hex(&std::fs::read(&model).unwrap());
    let graph_sha = pathwise::sha256_hex(&std::fs::read(&graph).unwrap());
    assert_eq!(vc["evidence"][1]["sha256"], model_sha.as_str());
    assert_eq!(vc["evidence"][2]["sha256"], graph_sha.as_str());
    let rows = pathwise(&["record", "rows", s(&log), "--learner", "ann"]);
    let rows_sha = stdout(&rows).split_whitespace().next().unwrap().to_owned();
    assert_eq!(vc["evidence"][0]["sha256"], rows_sha.as_str());
    assert_eq!(vc["evidence"][0]["rows"], 12);

    let out = pathwise(&["record", "verify", s(&cred), "--issuer", &did]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("frac.add_like"));
}

#[test]
fn issue_for_all_learners_writes_one_file_per_learner_with_mastery() {
    let dir = tempfile::tempdir().unwrap();
    keygen(dir.path());
    let key = dir.path().join("issuer.key");
    let (model, graph, log) = write_issue_inputs(dir.path());
    let folder = dir.path().join("class");
    let out = pathwise(&[
        "record",
        "issue",
        "--key",
        s(&key),
        "--model",
        s(&model),
        "--graph",
        s(&graph),
        s(&log),
        "--all-learners",
        "-o",
        s(&folder),
    ]);
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

    // bad inputs: exit 2, one line, nothing written
    let missing = dir.path().join("none.json");
    let out = pathwise(&[
        "record",
        "issue",
        "--key",
        s(&key),
        "--model",
        s(&missing),
        "--graph",
        s(&graph),
        s(&log),
        "--learner",
        "ann",
        "-o",
        s(&dir.path().join("x.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(!dir.path().join("x.json").exists());
    let out = pathwise(&[
        "record",
        "issue",
        "--key",
        s(&key),
        "--model",
        s(&model),
        "--graph",
        s(&graph),
        s(&log),
        "--learner",
        "zoe",
        "-o",
        s(&dir.path().join("x.json")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("zoe"), "{}", stderr(&out));
    assert!(!dir.path().join("x.json").exists());
}
