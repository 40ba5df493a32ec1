//! `pathwise record issue`: one learner and `--all-learners`, evidence digests that match the
//! inputs, output formats, and bad inputs (exit 2, one line, nothing written).

use super::*;

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
