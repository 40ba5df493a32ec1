//! `pathwise record verify`: the round trip, every reason a credential is not valid (exit 1),
//! escaped output, formats, and bad inputs (exit 2, one line).

use super::*;

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
