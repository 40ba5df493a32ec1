//! `pathwise simulate` and `pathwise replay` end to end on the demo curriculum and cohort.

mod common;

use common::pathwise;
use std::path::PathBuf;
use std::process::Output;

fn repo_file(path: &str) -> String {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.join(path).to_string_lossy().into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn simulate(policy: &str, extra: &[&str]) -> serde_json::Value {
    let graph = repo_file("datasets/demo/curriculum.toml");
    let mut args = vec![
        "simulate",
        "--graph",
        &graph,
        "--learners",
        "30",
        "--steps",
        "60",
        "--runs",
        "20",
        "--seed",
        "1",
        "--format",
        "json",
        "--policy",
        policy,
    ];
    args.extend_from_slice(extra);
    json(&pathwise(&args))
}

#[test]
fn pathwise_policy_beats_random_on_the_demo_curriculum_over_20_seeds() {
    let ours = simulate("pathwise", &[]);
    let random = simulate("random", &[]);
    let gain = |v: &serde_json::Value| v["learning_gain"].as_f64().unwrap();
    let mastered = |v: &serde_json::Value| v["mean_mastered"].as_f64().unwrap();
    assert!(
        gain(&ours) > gain(&random),
        "{} vs {}",
        gain(&ours),
        gain(&random)
    );
    assert!(mastered(&ours) > mastered(&random));
    assert_eq!(ours["per_run"].as_array().unwrap().len(), 20);
    assert_eq!(ours["curve"].as_array().unwrap().len(), 61);
    assert!(ours["std_learning_gain"].as_f64().unwrap() >= 0.0);
}

#[test]
fn simulate_writes_a_log_that_loads_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let graph = repo_file("datasets/demo/curriculum.toml");
    let log = dir.path().join("sim.csv");
    let log2 = dir.path().join("sim2.csv");
    for path in [&log, &log2] {
        let out = pathwise(&[
            "simulate",
            "--graph",
            &graph,
            "--learners",
            "7",
            "--steps",
            "11",
            "--policy",
            "curriculum-order",
            "--seed",
            "3",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0));
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(text, std::fs::read_to_string(&log2).unwrap());
    assert!(text.starts_with("learner,skill,item,correct,order\n"));
    let stats = json(&pathwise(&[
        "data",
        "stats",
        log.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(stats["rows"].as_u64(), Some(77));
    assert_eq!(stats["learners"].as_u64(), Some(7));
}

#[test]
fn simulate_rejects_an_unknown_policy_on_one_line() {
    let graph = repo_file("datasets/demo/curriculum.toml");
    let out = pathwise(&["simulate", "--graph", &graph, "--policy", "greedy"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown policy `greedy`"), "{err}");
}

#[test]
fn replay_scores_every_non_warmup_response_and_measures_hits() {
    let cohort = repo_file("datasets/demo/cohort.csv");
    let graph = repo_file("datasets/demo/curriculum.toml");
    let out = pathwise(&[
        "replay",
        &cohort,
        "--model-kind",
        "skill-mean",
        "--warmup-learners",
        "20",
        "--graph",
        &graph,
        "--format",
        "json",
    ]);
    let v = json(&out);
    assert_eq!(v["warmup_learners"].as_u64(), Some(20));
    assert_eq!(v["scored_learners"].as_u64(), Some(84 - 20));
    assert_eq!(v["slices"].as_array().unwrap().len(), 10);
    let n: u64 = v["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["n"].as_u64().unwrap())
        .sum();
    assert_eq!(Some(n), v["overall"]["n"].as_u64());
    let auc = v["overall"]["auc"].as_f64().unwrap();
    assert!(auc > 0.5 && auc < 1.0, "{auc}");
    let hit = v["hit_rate"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&hit));
}

#[test]
fn replay_rejects_an_unknown_model_kind() {
    let cohort = repo_file("datasets/demo/cohort.csv");
    let out = pathwise(&["replay", &cohort, "--model-kind", "deep-kt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("deep-kt"), "{err}");
}
