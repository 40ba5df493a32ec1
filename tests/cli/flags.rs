//! The flags every command shares: `-o/--output` (old `--out` kept as a hidden alias), `-o -`,
//! `--format`, and the global `--threads` and `-q/--quiet`.

use crate::common::pathwise_cmd;
use crate::snapshot;

const MODEL: &str = "tests/fixtures/recommend/model.json";
const LOG: &str = "tests/fixtures/recommend/log.csv";
const GRAPH: &str = "tests/fixtures/recommend/graph.toml";

#[test]
fn the_old_out_flag_still_works_as_a_hidden_alias() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pred.csv");
    let run = pathwise_cmd()
        .args([
            "predict",
            "--model",
            MODEL,
            LOG,
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    assert!(out.exists());
    let help = pathwise_cmd().args(["predict", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("-o, --output") && !help.contains("--out "),
        "{help}"
    );
}

#[test]
fn quiet_silences_status_lines_before_or_after_the_command() {
    let loud = pathwise_cmd()
        .args(["predict", "--model", MODEL, LOG])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&loud.stderr).contains("pathwise: predicted"));
    for args in [
        &["-q", "predict", "--model", MODEL, LOG][..],
        &["predict", "--quiet", "--model", MODEL, LOG],
    ] {
        let quiet = pathwise_cmd().args(args).output().unwrap();
        assert_eq!(quiet.status.code(), Some(0));
        // Only the warning stays: the fixture log's skill `fractions` is not in the model.
        let err = String::from_utf8_lossy(&quiet.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(
            lines[0].starts_with("pathwise: warning: 1 log skills are not in the model"),
            "{err}"
        );
        assert_eq!(quiet.stdout, loud.stdout);
    }
}

#[test]
fn quiet_never_silences_errors() {
    let out = pathwise_cmd()
        .args(["-q", "data", "stats", "no-such.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("pathwise: error: "));
}

#[test]
fn threads_is_global_and_results_do_not_depend_on_it() {
    let run = |threads: &str| {
        let out = pathwise_cmd()
            .args([
                "--threads",
                threads,
                "eval",
                LOG,
                "--folds",
                "2",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn predict_prints_json_and_tables_too() {
    let mut cmd = pathwise_cmd();
    cmd.args(["predict", "--model", MODEL, LOG, "--format", "json"]);
    let out = snapshot!("predict_json", cmd);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 60);
    assert_eq!(rows[0]["learner"], "ann");
    let mut cmd = pathwise_cmd();
    cmd.args(["predict", "--model", MODEL, LOG, "--format", "table"]);
    snapshot!("predict_table", cmd);
}

#[test]
fn stats_and_replay_write_to_output_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    for (args, name) in [
        (vec!["data", "stats", LOG, "--format", "json"], "data.json"),
        (
            vec!["graph", "stats", GRAPH, "--format", "csv"],
            "graph.csv",
        ),
        (
            vec![
                "replay",
                LOG,
                "--model-kind",
                "skill-mean",
                "--format",
                "json",
            ],
            "replay.json",
        ),
    ] {
        let to_stdout = pathwise_cmd().args(&args).output().unwrap();
        assert_eq!(to_stdout.status.code(), Some(0), "{args:?}");
        let path = file(name);
        let to_file = pathwise_cmd()
            .args(&args)
            .args(["-o", &path])
            .output()
            .unwrap();
        assert_eq!(to_file.status.code(), Some(0), "{args:?}");
        assert!(to_file.stdout.is_empty(), "{args:?}");
        assert_eq!(std::fs::read(&path).unwrap(), to_stdout.stdout, "{args:?}");
    }
}

#[test]
fn simulate_log_on_standard_output_moves_the_summary_to_stderr() {
    let out = pathwise_cmd()
        .args([
            "simulate",
            "--graph",
            GRAPH,
            "--learners",
            "2",
            "--steps",
            "3",
            "-o",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("learner,skill,item,correct,order\n"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1 + 2 * 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("policy"));
}

#[test]
fn eval_refuses_two_outputs_on_standard_output() {
    let mut cmd = pathwise_cmd();
    cmd.args(["eval", LOG, "--predictions", "-"]);
    let out = snapshot!("eval_two_stdout_outputs", cmd);
    assert_eq!(out.status.code(), Some(2));
}
