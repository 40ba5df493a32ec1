//! `pathwise fit` and `pathwise predict` end to end on a generated cohort, and their one-line,
//! exit-2 errors on bad input (with no output file left behind).

use crate::common::{fails, pathwise};
use std::path::Path;
use std::process::Output;

use pathwise_datasets::generate::{CohortSpec, TruthOptions, draw_skill_truths};

fn ok(args: &[&str]) -> Output {
    let out = pathwise(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn write_cohort(dir: &Path, learners: usize, seed: u64) -> String {
    let spec = CohortSpec {
        learners,
        attempts: 5..=15,
        skills: draw_skill_truths(3, &TruthOptions::default(), 1),
        class_weights: vec![],
        seed,
    };
    let path = dir.join(format!("cohort{seed}.csv"));
    spec.write_csv(std::fs::File::create(&path).unwrap())
        .unwrap();
    path.display().to_string()
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn fit_then_predict_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_cohort(dir.path(), 400, 1);
    let test = write_cohort(dir.path(), 50, 2);
    let model = dir.path().join("model.json");
    let out = ok(&[
        "fit",
        &train,
        "--preset",
        "generic",
        "--forgets",
        "--restarts",
        "2",
        "--quiet",
        "-o",
        &s(&model),
        "--format",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let skills = report.as_array().unwrap();
    assert_eq!(skills.len(), 3);
    assert_eq!(skills[0]["skill"], "S00");
    assert!(skills[0]["observations"].as_u64().unwrap() >= 400 * 5);
    assert_eq!(skills[0]["learners"], 400);

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(json["format"], "pathwise-model");
    assert_eq!(json["version"], 1);
    assert_eq!(json["variant"]["forgets"], true);
    assert_eq!(json["fit"]["restarts"], 2);
    assert_eq!(json["fit"]["pseudo_counts"], 5.0);
    assert_eq!(json["fit"]["input_sha256"].as_str().unwrap().len(), 64);
    let truth = draw_skill_truths(3, &TruthOptions::default(), 1);
    let guess = json["skills"]["S00"]["guess"].as_f64().unwrap();
    assert!(
        (guess - truth[0].guess).abs() < 0.05,
        "{guess} vs {}",
        truth[0].guess
    );

    // Same model whatever the thread count.
    let one = dir.path().join("one.json");
    let two = dir.path().join("two.json");
    for (threads, path) in [("1", &one), ("2", &two)] {
        ok(&[
            "fit",
            &train,
            "--preset",
            "generic",
            "--threads",
            threads,
            "--quiet",
            "-o",
            &s(path),
        ]);
    }
    assert_eq!(std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());

    let pred = dir.path().join("pred.csv");
    let out = ok(&[
        "predict",
        "--model",
        &s(&model),
        &test,
        "--preset",
        "generic",
        "-o",
        &s(&pred),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fallbacks: 0 observations on 0 skills"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&pred).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("learner,skill,item,correct,p_correct,p_known_before,p_known_after,order")
    );
    let test_rows = std::fs::read_to_string(&test).unwrap().lines().count() - 1;
    assert_eq!(text.lines().count() - 1, test_rows);
    let mut previous: Option<(String, String, f64)> = None;
    for line in lines.take(200) {
        let f: Vec<&str> = line.split(',').collect();
        let p: Vec<f64> = f[4..7].iter().map(|v| v.parse().unwrap()).collect();
        assert!(p.iter().all(|v| (0.0..=1.0).contains(v)), "{line}");
        // p_known_after of a response is p_known_before of the learner's next one on the skill.
        if let Some((l, sk, after)) = &previous {
            if l == f[0] && sk == f[1] {
                assert_eq!(*after, p[1], "{line}");
            }
        }
        previous = Some((f[0].to_owned(), f[1].to_owned(), p[2]));
    }
}

#[test]
fn bad_input_exits_two_with_one_line_and_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_cohort(dir.path(), 30, 3);
    let model = dir.path().join("model.json");
    let pred = dir.path().join("pred.csv");
    let out = s(&model);

    let e = fails(&[
        "fit",
        &train,
        "--preset",
        "generic",
        "--restarts",
        "0",
        "-o",
        &out,
    ]);
    assert!(
        e.contains("--restarts") && e.contains("not in 1..=1000"),
        "{e}"
    );
    // An output folder that does not exist is named before any fitting, with no OS jargon.
    let missing = dir.path().join("no-such-folder").join("model.json");
    let e = fails(&["fit", &train, "--preset", "generic", "-o", &s(&missing)]);
    assert!(
        e.ends_with("no-such-folder does not exist") && !e.contains("os error"),
        "{e}"
    );
    for tol in ["0", "-1"] {
        let e = fails(&[
            "fit", &train, "--preset", "generic", "--tol", tol, "-o", &out,
        ]);
        assert!(e.contains("tol must be a positive number"), "{e}");
    }
    let fixed = dir.path().join("fixed.json");
    std::fs::write(&fixed, r#"{"S00": {"slip": 1.5}}"#).unwrap();
    let e = fails(&[
        "fit",
        &train,
        "--preset",
        "generic",
        "--fixed",
        &s(&fixed),
        "-o",
        &out,
    ]);
    assert!(
        e.ends_with("(skill 'S00'): slip = 1.5 is not a probability in [0, 1]"),
        "{e}"
    );
    let e = fails(&[
        "fit", &train, "--preset", "generic", "--bounds", "guess=2", "-o", &out,
    ]);
    assert!(e.contains("--bounds 'guess=2'"), "{e}");
    for k in ["-1", "inf"] {
        let e = fails(&[
            "fit",
            &train,
            "--preset",
            "generic",
            "--pseudo-counts",
            k,
            "-o",
            &out,
        ]);
        assert!(
            e.contains("--pseudo-counts: pseudo-counts must be a number ≥ 0"),
            "{e}"
        );
    }
    assert!(!model.exists());

    // A good model, then broken copies of it.
    ok(&["fit", &train, "--preset", "generic", "--quiet", "-o", &out]);
    let good = std::fs::read_to_string(&model).unwrap();
    let cases = [
        (
            "other.json",
            r#"{"format": "pybkt-model", "version": 1}"#.to_owned(),
            "not a pathwise model file",
        ),
        (
            "v2.json",
            good.replace("\"version\": 1", "\"version\": 2"),
            "version 2 is not supported",
        ),
        ("cut.json", good[..good.len() / 2].to_owned(), "truncated"),
        (
            "bad.json",
            good.replacen("\"guess\": ", "\"guess\": 7", 1),
            "is not a probability in [0, 1]",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let e = fails(&[
            "predict",
            "--model",
            &s(&path),
            &train,
            "--preset",
            "generic",
            "-o",
            &s(&pred),
        ]);
        assert!(e.starts_with("pathwise: error: "), "{e}");
        assert!(e.contains(name) && e.contains(expected), "{e}");
        assert!(!pred.exists());
        let warm = dir.path().join("warm.json");
        let e = fails(&[
            "fit",
            &train,
            "--preset",
            "generic",
            "--warm-start",
            &s(&path),
            "-o",
            &s(&warm),
        ]);
        assert!(e.contains(expected), "{e}");
        assert!(!warm.exists());
    }
}

#[test]
fn bounds_none_alone_is_maximum_likelihood_and_pseudo_counts_can_be_named() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_cohort(dir.path(), 40, 4);
    let fitted = |extra: &[&str]| {
        let model = dir.path().join("model.json");
        let mut args = vec!["fit", &train, "--preset", "generic", "--quiet"];
        args.extend_from_slice(extra);
        let out = s(&model);
        args.extend_from_slice(&["-o", &out]);
        ok(&args);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
        json["fit"]["pseudo_counts"].as_f64().unwrap()
    };
    assert_eq!(fitted(&[]), 5.0);
    assert_eq!(fitted(&["--bounds", "none"]), 0.0);
    assert_eq!(fitted(&["--bounds", "none", "--pseudo-counts", "3"]), 3.0);
    assert_eq!(fitted(&["--pseudo-counts", "0"]), 0.0);
}

#[test]
fn fit_warns_about_flagged_skills_even_when_quiet_and_escapes_their_ids() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    let mut csv = String::from("learner,skill,correct,order\n");
    // "steady": 60 learners who learn after one to four attempts, with guesses and slips: no flag.
    for l in 0..60 {
        for t in 0..8 {
            let known = t > l % 4;
            let correct = u8::from(if known {
                (t + 3 * l) % 8 != 0
            } else {
                (t + l) % 5 == 0
            });
            csv += &format!("l{l},steady,{correct},{t}\n");
        }
    }
    // Seven skills with two learners each, all correct, one of them with a hostile id.
    for k in 0..7 {
        let skill = if k == 3 {
            "evil\u{1b}[2K".to_owned()
        } else {
            format!("tiny{k}")
        };
        for l in 0..2 {
            csv += &format!("l{l},{skill},1,{}\n", 100 + k);
        }
    }
    std::fs::write(&log, csv).unwrap();
    let model = dir.path().join("model.json");
    let out = ok(&[
        "fit",
        &s(&log),
        "--preset",
        "generic",
        "-q",
        "-o",
        &s(&model),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("evil\\e[2K "), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "{stdout}");
    assert_eq!(
        stderr,
        "pathwise: warning: 7 of 8 skills have a degenerate or thinly supported fit (flags in \
         docs/bkt.md): 'evil\\e[2K' (few_learners few_observations all_correct), \
         'tiny0' (few_learners few_observations all_correct), \
         'tiny1' (few_learners few_observations all_correct), \
         'tiny2' (few_learners few_observations all_correct), \
         'tiny4' (few_learners few_observations all_correct), and 2 more\n"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert!(json["skills"]["steady"].get("flags").is_none(), "{json}");
    assert_eq!(
        json["skills"]["tiny0"]["flags"],
        serde_json::json!(["few_learners", "few_observations", "all_correct"])
    );
}
