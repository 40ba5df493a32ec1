//! A model that shares no skill with the log or the graph it is given (fitted on another
//! curriculum) is refused by every command that reads the two together, with one line naming
//! both files and exit 2, before anything is written; a partial overlap gives one warning line
//! with the counts, which `-q` does not hide.
//!
//! Fixtures: `tests/fixtures/recommend/` (model, graph and log of one small curriculum) and
//! `tests/fixtures/mismatch/` (a model of 3 other skills, its 4-skill graph, a log with one skill
//! the model lacks, and a log of the model's skills only).

use std::path::Path;
use std::process::Output;

use crate::common::{one_line_error, pathwise_cmd};

const GRAPH: &str = "tests/fixtures/recommend/graph.toml";
const LOG: &str = "tests/fixtures/recommend/log.csv";
const OTHER_MODEL: &str = "tests/fixtures/mismatch/model.json";
const OTHER_GRAPH: &str = "tests/fixtures/mismatch/graph.toml";
const OTHER_LOG: &str = "tests/fixtures/mismatch/log.csv";

/// The error when `OTHER_MODEL` meets the recommend fixtures' graph.
const NO_SHARED_GRAPH: &str = "pathwise: error: tests/fixtures/mismatch/model.json shares no \
     skill with tests/fixtures/recommend/graph.toml (model: 3 skills, graph: 5)\n";
/// The error when `OTHER_MODEL` meets the recommend fixtures' log.
const NO_SHARED_LOG: &str = "pathwise: error: tests/fixtures/mismatch/model.json shares no \
     skill with tests/fixtures/recommend/log.csv (model: 3 skills, log: 5)\n";
/// The warning when `OTHER_MODEL` meets `OTHER_LOG`, whose skill `delta` it lacks.
fn partial_log(consequence: &str) -> String {
    format!(
        "pathwise: warning: 1 log skills are not in the model (delta): \
         tests/fixtures/mismatch/model.json has 2 of the 3 skills of \
         tests/fixtures/mismatch/log.csv; {consequence}"
    )
}
const LOG_FALLBACK: &str = "their responses use the model's population-average parameters";

fn run(args: &[&str]) -> Output {
    pathwise_cmd().args(args).output().expect("the binary runs")
}

/// A refused run: exit 2, nothing on stdout, exactly `expected` on stderr (under `-q`, which
/// hides status lines such as the detected log preset, but no warning).
fn refused(args: &[&str], expected: &str) {
    let out = run(&[args, &["-q"]].concat());
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err, expected);
    assert!(out.stdout.is_empty());
}

/// A run that succeeds; its stderr lines.
fn succeeds(args: &[&str]) -> Vec<String> {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{err}");
    err.lines().map(str::to_owned).collect()
}

/// The lines of `lines` that mention `what`, which must be exactly one, equal to `expected`.
fn one_warning(lines: &[String], what: &str, expected: &str) {
    let hits: Vec<&String> = lines.iter().filter(|l| l.contains(what)).collect();
    assert_eq!(hits, [expected], "{lines:#?}");
}

fn recommend_like(command: &str, model: &str, graph: &str, log: &str) -> Vec<String> {
    let mut args = vec![command, "--model", model, "--graph", graph, log];
    if command == "path" {
        args.extend(["--learner", "ann"]);
    }
    args.into_iter().map(str::to_owned).collect()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn recommend_and_path_with_a_model_of_another_graph_exit_2_naming_both_files() {
    for command in ["recommend", "path"] {
        let args = recommend_like(command, OTHER_MODEL, GRAPH, LOG);
        refused(&strs(&args), NO_SHARED_GRAPH);
    }
}

#[test]
fn recommend_and_path_with_a_model_of_another_log_exit_2_naming_both_files() {
    for command in ["recommend", "path"] {
        let args = recommend_like(command, OTHER_MODEL, OTHER_GRAPH, LOG);
        refused(&strs(&args), NO_SHARED_LOG);
    }
}

#[test]
fn recommend_and_path_warn_once_with_the_counts_on_a_partial_overlap_even_when_quiet() {
    for command in ["recommend", "path"] {
        let mut args = recommend_like(command, OTHER_MODEL, OTHER_GRAPH, OTHER_LOG);
        args.push("-q".to_owned());
        let lines = succeeds(&strs(&args));
        one_warning(&lines, "log skills", &partial_log(LOG_FALLBACK));
        // The graph's own coverage warning comes from the recommender, once.
        one_warning(
            &lines,
            "graph skills",
            "pathwise: warning: 1 graph skills are not in the model (delta); they use the \
             model's population-average parameters and prior",
        );
    }
}

#[test]
fn predict_with_a_model_of_another_log_exits_2_naming_both_files() {
    refused(&["predict", "--model", OTHER_MODEL, LOG], NO_SHARED_LOG);
}

#[test]
fn predict_warns_once_with_the_counts_on_a_partial_overlap_even_when_quiet() {
    let lines = succeeds(&["predict", "-q", "--model", OTHER_MODEL, OTHER_LOG]);
    assert_eq!(lines, [partial_log(LOG_FALLBACK)]);
}

#[test]
fn predict_with_a_log_of_the_model_skills_only_does_not_warn() {
    let log = "tests/fixtures/mismatch/model_skills.csv";
    let lines = succeeds(&["predict", "-q", "--model", OTHER_MODEL, log]);
    assert!(lines.is_empty(), "{lines:?}");
}

fn report(model: &str, graph: &str, log: &str, out: &Path) -> Vec<String> {
    let out = out.to_string_lossy().into_owned();
    [
        "report", "--model", model, "--graph", graph, log, "-o", &out,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

#[test]
fn report_with_a_model_of_another_graph_or_log_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    refused(
        &strs(&report(OTHER_MODEL, GRAPH, LOG, &out)),
        NO_SHARED_GRAPH,
    );
    refused(
        &strs(&report(OTHER_MODEL, OTHER_GRAPH, LOG, &out)),
        NO_SHARED_LOG,
    );
    assert!(!out.exists());
}

#[test]
fn report_warns_once_with_the_counts_on_a_partial_overlap_even_when_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = report(OTHER_MODEL, OTHER_GRAPH, OTHER_LOG, &dir.path().join("r"));
    args.push("-q".to_owned());
    let lines = succeeds(&strs(&args));
    one_warning(&lines, "log skills", &partial_log(LOG_FALLBACK));
}

/// `record issue` for learner `ann` into `dir/ann.json`, with a fresh issuer key.
fn issue(dir: &Path, model: &str, graph: &str, log: &str) -> Vec<String> {
    let key = dir.join("issuer.key");
    if !key.exists() {
        let out = run(&["record", "keygen", "-o", key.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
    }
    let key = key.to_string_lossy().into_owned();
    let out = dir.join("ann.json").to_string_lossy().into_owned();
    [
        "record",
        "issue",
        "--key",
        &key,
        "--model",
        model,
        "--graph",
        graph,
        log,
        "--learner",
        "ann",
        "-o",
        &out,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect()
}

#[test]
fn record_issue_with_a_model_of_another_graph_or_log_exits_2_and_signs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let args = issue(dir.path(), OTHER_MODEL, GRAPH, LOG);
    refused(&strs(&args), NO_SHARED_GRAPH);
    let args = issue(dir.path(), OTHER_MODEL, OTHER_GRAPH, LOG);
    refused(&strs(&args), NO_SHARED_LOG);
    assert!(!dir.path().join("ann.json").exists());
}

#[test]
fn record_issue_warns_once_per_input_with_the_counts_on_a_partial_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = issue(dir.path(), OTHER_MODEL, OTHER_GRAPH, OTHER_LOG);
    args.push("-q".to_owned());
    let lines = succeeds(&strs(&args));
    let never = "no credential claims them";
    one_warning(&lines, "log skills", &partial_log(never));
    one_warning(
        &lines,
        "graph skills",
        &format!(
            "pathwise: warning: 1 graph skills are not in the model (delta): \
             tests/fixtures/mismatch/model.json has 3 of the 4 skills of \
             tests/fixtures/mismatch/graph.toml; {never}"
        ),
    );
    assert!(dir.path().join("ann.json").exists());
}
