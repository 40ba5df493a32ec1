//! 100,000-skill graphs through `graph check`, `graph stats`, `recommend` and `path`: a
//! prerequisite chain (the recursive component search overflowed the stack at about 90,000
//! skills) and a layered DAG of 1,000-skill layers (the stored ancestor closure was quadratic:
//! a 50,000-skill chain took 12.7 GB, the layered DAG more than 8 GB). The files are generated
//! here, the same shapes as the benches' `large_graph` example.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

use crate::common::pathwise;

const N: usize = 100_000;
const WIDTH: usize = 1_000;

/// The prerequisites of skill `s`: the one before it in the chain; in the layered DAG, skills `j`,
/// `2j`, `2j + 1` (mod the width) of the layer before, `j` being its position in its own layer.
fn requires(layered: bool, s: usize) -> Vec<usize> {
    if !layered {
        s.checked_sub(1).into_iter().collect()
    } else if s < WIDTH {
        Vec::new()
    } else {
        let (before, j) = ((s / WIDTH - 1) * WIDTH, s % WIDTH);
        vec![
            before + j,
            before + 2 * j % WIDTH,
            before + (2 * j + 1) % WIDTH,
        ]
    }
}

/// The graph in native TOML, one activity per skill.
fn graph_toml(layered: bool) -> String {
    let mut text = String::new();
    for s in 0..N {
        let requires: Vec<String> = requires(layered, s)
            .iter()
            .map(|p| format!("\"s{p}\""))
            .collect();
        let _ = writeln!(
            text,
            "[[skill]]\nid = \"s{s}\"\nrequires = [{}]\n\n[[activity]]\nid = \"a{s}\"\n\
             skills = [\"s{s}\"]\nminutes = 5\n",
            requires.join(", ")
        );
    }
    text
}

/// A model of the first three skills (the others take its average parameters) and one learner
/// who mastered `s0`.
fn model_and_log(dir: &Path) {
    // A fast learner: the expected opportunities per step of the path (a Markov chain on a grid,
    // the path's cost per skill, not the graph's) converge in one step.
    let skill = r#"{ "prior": 0.2, "learn": 0.99, "forget": 0.0, "guess": 0.2, "slip": 0.1,
        "log_likelihood": -10.0, "observations": 8, "learners": 1, "iterations": 5, "converged": true }"#;
    let model = format!(
        r#"{{ "format": "pathwise-model", "version": 1,
  "variant": {{ "forgets": false, "item_guess_slip": false, "item_learn": false, "learner_prior": false }},
  "skills": {{ "s0": {skill}, "s1": {skill}, "s2": {skill} }},
  "fit": {{ "restarts": 1, "seed": 0, "iterations": 5, "converged": true, "log_likelihood": -30.0 }} }}"#
    );
    std::fs::write(dir.join("model.json"), model).unwrap();
    let mut log = String::from("learner,skill,item,correct,order\n");
    for t in 0..8 {
        let _ = writeln!(log, "ann,s0,a0,1,{t}");
    }
    std::fs::write(dir.join("log.csv"), log).unwrap();
}

fn ok(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {err}");
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn check_recommend_and_path(layered: bool, depth: usize) {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("graph.toml");
    std::fs::write(&graph, graph_toml(layered)).unwrap();
    model_and_log(dir.path());
    let graph = graph.to_str().unwrap();
    let model = dir.path().join("model.json");
    let model = model.to_str().unwrap();
    let log = dir.path().join("log.csv");
    let log = log.to_str().unwrap();

    let check = ok(&pathwise(&["graph", "check", graph, "--format", "json"]));
    let check: serde_json::Value = serde_json::from_str(&check).unwrap();
    assert_eq!(check["skills"], N);
    let stats = ok(&pathwise(&["graph", "stats", graph, "--format", "json"]));
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    assert_eq!(stats["depth"], depth);

    let common = ["--model", model, "--graph", graph, log, "--format", "csv"];
    let top = ok(&pathwise(
        &[&["recommend"], &common[..], &["--top", "1"]].concat(),
    ));
    let row: Vec<&str> = top.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[..2], ["ann", "1"], "{top}");
    assert_eq!(row[4], "learn", "{top}");
    if !layered {
        assert_eq!(row[3], "s1", "the only ready skill of the chain: {top}");
    }

    // Without a goal the whole graph is the goal: the header, then every skill but the mastered
    // s0, each after its prerequisites.
    let path = ok(&pathwise(
        &[&["path"], &common[..], &["--learner", "ann"]].concat(),
    ));
    let mut step = vec![0usize; N];
    for line in path.lines().skip(1) {
        let row: Vec<&str> = line.split(',').collect();
        let skill: usize = row[2].strip_prefix('s').unwrap().parse().unwrap();
        step[skill] = row[1].parse().unwrap();
    }
    assert_eq!(path.lines().count(), N);
    for s in 1..N {
        assert!(step[s] > 0, "s{s} is missing from the path");
        assert!(requires(layered, s).iter().all(|&p| step[p] < step[s]));
    }
}

#[test]
fn a_100k_skill_chain_checks_recommends_and_plans() {
    check_recommend_and_path(false, N - 1);
}

#[test]
fn a_100k_skill_layered_dag_checks_recommends_and_plans() {
    check_recommend_and_path(true, N / WIDTH - 1);
}
