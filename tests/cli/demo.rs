//! `pathwise demo` end to end, and the basic exit-code contracts (`docs/architecture.md`).

use crate::common::pathwise;

#[test]
fn help_exits_zero() {
    let out = pathwise(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: pathwise"));
}

#[test]
fn unknown_subcommand_is_a_usage_error_with_exit_two() {
    let out = pathwise(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-command"));
}

#[test]
fn demo_runs_end_to_end_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("demo");
    let out = pathwise(&["demo", "-o", out_dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for file in [
        "curriculum.toml",
        "cohort.csv",
        "model.json",
        "credential-7A-01.json",
    ] {
        assert!(out_dir.join(file).exists(), "{file} missing");
    }
    // Every step printed its command, and the credential verified.
    assert!(stdout.contains("$ pathwise fit --forgets --item-guess-slip"));
    assert!(stdout.contains("$ pathwise record verify"));
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("model.json")).unwrap())
            .unwrap();
    assert_eq!(model["format"], "pathwise-model");
    // The three classes reached 34 of the curriculum's 70 skills; the rest are never practised.
    assert_eq!(model["skills"].as_object().unwrap().len(), 34);
    // The policy comparison: pathwise against every baseline, the strongest included.
    for baseline in [
        "lowest-mastery-ready",
        "curriculum-order",
        "random-ready",
        "random",
    ] {
        assert!(
            stdout.contains(&format!("pathwise − {baseline} (paired by seed)")),
            "{stdout}"
        );
    }
    assert!(out_dir.join("report").join("index.html").exists());
    // Commands run inside the folder: what they print names its files, never a temporary one.
    assert!(
        stdout.contains("$ pathwise data stats cohort.csv"),
        "{stdout}"
    );
    assert!(stdout.contains("wrote report/index.html"), "{stdout}");
    assert!(!stdout.contains("pathwise-tmp"), "{stdout}");
    // A second run replaces its own earlier output.
    let again = pathwise(&["demo", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert!(stdout.contains("VALID: signature by did:key:z6Mk"));
    // Recovered against true parameters: one row per parameter, true mean, fitted mean, error.
    let recovery: Vec<Vec<f64>> = ["prior ", "learn ", "forget ", "guess ", "slip "]
        .iter()
        .map(|name| {
            let line = stdout
                .lines()
                .find(|l| l.starts_with(name))
                .unwrap_or_else(|| panic!("no recovery row for {name}: {stdout}"));
            line.split_whitespace()
                .skip(1)
                .map(|v| v.parse().unwrap())
                .collect()
        })
        .collect();
    for row in &recovery {
        let [truth, fitted, error] = row[..] else {
            panic!("{row:?}")
        };
        assert!((0.0..=1.0).contains(&truth) && (0.0..=1.0).contains(&fitted));
        assert!(error < 0.15, "{row:?}");
    }
    // The simulation's true prior mean over the 20 well-practised skills.
    assert_eq!(recovery[0][0], 0.218);
}

#[test]
fn demo_refuses_a_folder_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let mydocs = dir.path().join("mydocs");
    std::fs::create_dir(&mydocs).unwrap();
    std::fs::write(mydocs.join("thesis.txt"), "years of work").unwrap();
    let out = pathwise(&["demo", "-o", mydocs.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("pathwise: error: ") && err.contains("mydocs: not replaced"));
    assert!(
        out.stdout.is_empty(),
        "the demo started: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
    assert_eq!(
        std::fs::read_to_string(mydocs.join("thesis.txt")).unwrap(),
        "years of work"
    );
}

#[test]
fn demo_into_an_unwritable_place_is_one_line_and_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let out = pathwise(&["demo", "-o", blocker.join("sub").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("pathwise: error: "));
}
