//! Reading inputs end to end: a log header that names a column twice, a JSON graph with a key
//! twice, a key file saved with a byte-order mark, `eval --split-column` (a data set's own
//! split) and `predict`'s order column (rows that join back to an unsorted input).

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use crate::common::{pathwise_cmd, repo};

const MODEL: &str = "tests/fixtures/recommend/model.json";
const LOG: &str = "tests/fixtures/recommend/log.csv";
const GRAPH: &str = "tests/fixtures/recommend/graph.toml";
const EVAL_LOG: &str = "tests/fixtures/eval_13_learners.csv";

fn run(args: &[&str]) -> Output {
    pathwise_cmd().args(args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Exit code 2 and one `pathwise: error:` line that contains `want`.
fn assert_one_line_error(out: &Output, want: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("pathwise: error: "), "{err}");
    assert!(err.contains(want), "{err}");
}

#[test]
fn csv_duplicate_header_is_one_line_naming_both_columns() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("twice.csv");
    std::fs::write(&log, "learner,skill,correct,order,skill\nann,add,1,1,sub\n").unwrap();
    let out = run(&["data", "stats", s(&log)]);
    assert_one_line_error(
        &out,
        &format!(
            "{}:1: columns 2 and 5 are both named 'skill'",
            log.display()
        ),
    );
}

#[test]
fn graph_json_with_a_duplicate_key_is_one_line_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("g.json");
    std::fs::write(
        &graph,
        "{\"skill\": [{\"id\": \"a\"}, {\"id\": \"b\"}],\n \"skill\": [{\"id\": \"c\"}]}",
    )
    .unwrap();
    let out = run(&["graph", "check", s(&graph)]);
    assert_one_line_error(
        &out,
        &format!("{}:2:8: duplicate member name 'skill'", graph.display()),
    );
}

#[test]
fn key_file_with_a_bom_issues_like_the_logs_and_graphs_read() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("issuer.key");
    let out = run(&["record", "keygen", "-o", s(&key)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&key).unwrap();
    std::fs::write(&key, format!("\u{feff}{text}")).unwrap();
    let credential = dir.path().join("ann.json");
    let out = run(&[
        "record",
        "issue",
        "--key",
        s(&key),
        "--model",
        MODEL,
        "--graph",
        GRAPH,
        LOG,
        "--learner",
        "ann",
        "-o",
        s(&credential),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The credential saved with a BOM too (as Windows editors do) still verifies.
    let text = std::fs::read_to_string(&credential).unwrap();
    std::fs::write(&credential, format!("\u{feff}{text}")).unwrap();
    let out = run(&["record", "verify", s(&credential)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// CSV text as rows of cells keyed by the header's names.
fn records(text: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn predict_rows_join_back_to_an_unsorted_input_by_learner_and_order() {
    // The fixture's rows, last first: the output is in time order, the input is not.
    let text = std::fs::read_to_string(repo().join(LOG)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let header = lines.remove(0);
    lines.reverse();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("reversed.csv");
    std::fs::write(&log, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let out = run(&["-q", "predict", "--model", MODEL, s(&log)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let predicted = records(&String::from_utf8(out.stdout).unwrap());
    let input = records(&std::fs::read_to_string(&log).unwrap());
    assert_eq!(predicted.len(), input.len());
    assert_eq!(
        predicted[0].keys().len(),
        8,
        "learner, skill, item, correct, three probabilities and the order"
    );
    // Every input row is found by (learner, order, skill), with its own item and answer.
    let by_key: HashMap<(&str, &str, &str), &HashMap<String, String>> = predicted
        .iter()
        .map(|p| ((&*p["learner"], &*p["order"], &*p["skill"]), p))
        .collect();
    assert_eq!(by_key.len(), predicted.len(), "the key is unique");
    for row in &input {
        let p = by_key[&(&*row["learner"], &*row["order"], &*row["skill"])];
        assert_eq!((&p["item"], &p["correct"]), (&row["item"], &row["correct"]));
    }
    // Time order within each learner.
    let orders: Vec<(&str, i64)> = predicted
        .iter()
        .map(|p| (&*p["learner"], p["order"].parse().unwrap()))
        .collect();
    assert!(
        orders
            .windows(2)
            .all(|w| w[0].0 != w[1].0 || w[0].1 <= w[1].1)
    );
}

/// `EVAL_LOG` with a split column `name` whose label for each learner is `label(learner)`.
fn with_split_column(dir: &Path, name: &str, label: impl Fn(&str) -> String) -> String {
    let text = std::fs::read_to_string(repo().join(EVAL_LOG)).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let cell = if i == 0 {
            name.to_owned()
        } else {
            label(line.split(',').next().unwrap())
        };
        out.push_str(&format!("{line},{cell}\n"));
    }
    let path = dir.join("split.csv");
    std::fs::write(&path, out).unwrap();
    path.to_string_lossy().into_owned()
}

fn eval_json(args: &[&str]) -> serde_json::Value {
    let out = run(&[
        &["-q", "eval"],
        args,
        &["--models", "majority,skill-mean", "--format", "json"],
    ]
    .concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn eval_split_column_uses_the_data_sets_own_folds() {
    let dir = tempfile::tempdir().unwrap();
    // AKT-like: learners u00..u12 in folds 1..=3 by their number.
    let log = with_split_column(dir.path(), "fold", |learner| {
        (learner[1..].parse::<u32>().unwrap() % 3 + 1).to_string()
    });
    let report = eval_json(&[&log, "--split-column", "fold"]);
    assert_eq!(report["split"], "group");
    assert_eq!(report["split_column"], "fold");
    assert_eq!(report["folds"], 3);
    let folds = report["models"][0]["folds"].as_array().unwrap();
    let labels: Vec<&str> = folds.iter().map(|f| f["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "2", "3"]);
    // Every response is tested once, as with learner folds.
    let learner_split = eval_json(&[EVAL_LOG, "--folds", "3"]);
    assert_eq!(
        report["tested_responses"],
        learner_split["tested_responses"]
    );

    // DKVMN-like: a train/test column; only the test learners' responses are tested.
    let log = with_split_column(dir.path(), "dkvmn_split", |learner| {
        if learner == "u03" || learner == "u07" {
            "test"
        } else {
            "train"
        }
        .to_owned()
    });
    let report = eval_json(&[&log, "--split-column", "dkvmn_split"]);
    assert_eq!(report["folds"], 1);
    assert_eq!(report["models"][0]["folds"][0]["label"], "test");
    let text = std::fs::read_to_string(&log).unwrap();
    let tested = text.lines().filter(|l| l.ends_with(",test")).count();
    assert_eq!(report["tested_responses"], tested);
}

#[test]
fn eval_split_column_errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = with_split_column(dir.path(), "fold", |_| "1".to_owned());
    let out = run(&["-q", "eval", &log, "--split-column", "fold"]);
    assert_one_line_error(&out, "the split column has 1 distinct label(s)");
    let out = run(&[
        "-q",
        "eval",
        &log,
        "--split-column",
        "fold",
        "--col",
        "group=fold",
    ]);
    assert_one_line_error(&out, "--split-column reads its column as the log's group");
    let out = run(&["-q", "eval", &log, "--split-column", "fold", "--folds", "3"]);
    assert_one_line_error(&out, "--folds");
    let out = run(&["-q", "eval", &log, "--split-column", "flod"]);
    assert_one_line_error(&out, "no column 'flod'");
    let empty = with_split_column(dir.path(), "fold", |l| match l {
        "u05" => String::new(),
        "u00" => "1".to_owned(),
        _ => "2".to_owned(),
    });
    let out = run(&["-q", "eval", &empty, "--split-column", "fold"]);
    assert_one_line_error(
        &out,
        "learner 'u05' has a response (order 1) without a split label",
    );
}
