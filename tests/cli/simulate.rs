//! `pathwise simulate` and `pathwise replay` end to end on the demo curriculum and cohort.

use std::process::Output;

use crate::common::{pathwise, repo_file};

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

/// The figures of `policy` in a multi-policy JSON output.
fn policy<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == name)
        .unwrap_or_else(|| panic!("no {name} in {v}"))
}

/// Issue 17: the default policy must beat every baseline, paired by seed, on mastered skills and
/// learning gain (docs/recommender.md has the four-world table; this is a small world).
#[test]
fn pathwise_beats_every_baseline_on_the_demo_curriculum_over_20_seeds() {
    let v = simulate("all", &[]);
    let ours = policy(&v, "pathwise");
    let runs = |p: &serde_json::Value, figure: &str| -> Vec<f64> {
        p["per_run"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[figure].as_f64().unwrap())
            .collect()
    };
    for baseline in [
        "lowest-mastery-ready",
        "curriculum-order",
        "random-ready",
        "random",
    ] {
        let theirs = policy(&v, baseline);
        for figure in ["mastered", "learning_gain"] {
            let d: Vec<f64> = runs(ours, figure)
                .iter()
                .zip(runs(theirs, figure))
                .map(|(a, b)| a - b)
                .collect();
            let n = d.len() as f64;
            let mean = d.iter().sum::<f64>() / n;
            let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            assert!(
                mean > 2.0 * sd / n.sqrt(),
                "{figure}: pathwise − {baseline} = {mean} (se {})",
                sd / n.sqrt()
            );
        }
    }
    assert_eq!(ours["per_run"].as_array().unwrap().len(), 20);
    assert_eq!(ours["curve"].as_array().unwrap().len(), 61);
    assert!(ours["std_learning_gain"].as_f64().unwrap() >= 0.0);
}

/// Issue 17.8: with a goal every policy practises only the goal and its prerequisites, goals are
/// reached, and the CSV has mean, standard deviation and standard error in columns of their own.
#[test]
fn every_policy_honours_the_goal_and_the_csv_splits_mean_and_std() {
    let graph = repo_file("datasets/demo/curriculum.toml");
    let out = pathwise(&[
        "simulate",
        "--graph",
        &graph,
        "--goal",
        "pv.tens_ones",
        "--learners",
        "50",
        "--steps",
        "80",
        "--runs",
        "3",
        "--policy",
        "all",
        "--format",
        "csv",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "policy,mastered_mean,mastered_std,mastered_se,steps_to_goals_mean,\
             steps_to_goals_std,reached_goals,learning_gain_mean,learning_gain_std,learning_gain_se"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let reached: f64 = row[6].parse().unwrap();
        let steps: f64 = row[4].parse().unwrap();
        if row[0] != "random" {
            assert!(reached > 0.5, "{row:?}");
            assert!(steps < 80.0, "{row:?}");
        }
    }
    // The table ends with pathwise's paired differences.
    let out = pathwise(&[
        "simulate",
        "--graph",
        &graph,
        "--learners",
        "10",
        "--steps",
        "10",
        "--runs",
        "2",
        "--policy",
        "pathwise,random",
    ]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("pathwise − random (paired by seed): mastered "),
        "{table}"
    );
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
fn simulate_output_with_several_policies_is_refused_and_writes_nothing() {
    let graph = repo_file("datasets/demo/curriculum.toml");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sim.csv");
    let log = log.to_string_lossy();
    for policy in ["pathwise,random", "all"] {
        let out = pathwise(&[
            "simulate", "--graph", &graph, "--policy", policy, "-o", &log,
        ]);
        assert_eq!(out.status.code(), Some(2), "{policy}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("--output: the simulated log is written for one --policy at a time"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
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
