//! The `xapi` log preset end to end: files of xAPI statements (a JSON array or NDJSON, e.g. an LRS
//! export; tests/fixtures/xapi holds the answers of tests/fixtures/recommend/log.csv as
//! statements, plus a page view, an answer without result and a voided answer) read by every
//! command that reads a log, and the bad inputs each refused on one line with exit code 2.

use std::path::Path;

use crate::common::{fails, pathwise, pathwise_cmd, repo_file};
use crate::snapshot;

const ARRAY: &str = "tests/fixtures/xapi/statements.json";
const NDJSON: &str = "tests/fixtures/xapi/statements.ndjson";
const ITEMS: &str = "tests/fixtures/xapi/item_skills.csv";
const GRAPH: &str = "tests/fixtures/recommend/graph.toml";
const MODEL: &str = "tests/fixtures/recommend/model.json";

/// The fitted parameters of a model file (the rest names the input files).
fn parameters(model: &Path) -> serde_json::Value {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model).unwrap()).unwrap();
    json["skills"].clone()
}

#[test]
fn fit_preset_xapi_array_and_ndjson_give_the_model_of_the_csv_they_stand_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name);
    // Run in the folder, on copies, so that the snapshot holds no machine path.
    for file in [ITEMS, ARRAY] {
        let name = Path::new(file).file_name().unwrap();
        std::fs::copy(repo_file(file), dir.path().join(name)).unwrap();
    }
    let array = out("array.json");
    let mut cmd = pathwise_cmd();
    cmd.current_dir(dir.path()).args([
        "fit",
        "--preset",
        "xapi",
        "--item-skills",
        "item_skills.csv",
        "statements.json",
        "-o",
        "array.json",
    ]);
    snapshot!("fit_preset_xapi", cmd, Some(dir.path()));
    let ndjson = out("ndjson.json");
    let o = pathwise(&[
        "fit",
        "--item-skills",
        &repo_file(ITEMS),
        &repo_file(NDJSON),
        "-o",
        &ndjson.display().to_string(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("reading the log with the xapi preset (detected; choose with --preset)"),
        "{stderr}"
    );
    let csv = out("csv.json");
    let o = pathwise(&[
        "fit",
        &repo_file("tests/fixtures/recommend/log.csv"),
        "-o",
        &csv.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(parameters(&array), parameters(&ndjson));
    assert_eq!(parameters(&array), parameters(&csv));
}

#[test]
fn data_stats_counts_skipped_and_voided_statements_as_dropped_rows() {
    let mut cmd = pathwise_cmd();
    cmd.args(["data", "stats", "--item-skills", ITEMS, ARRAY]);
    snapshot!("data_stats_xapi", cmd);
}

#[test]
fn xapi_statements_read_alike_on_one_thread_and_two() {
    let run = |threads: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_pathwise"))
            .args(["data", "stats", "--format", "json", "--item-skills"])
            .args([repo_file(ITEMS), repo_file(NDJSON)])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        o.stdout
    };
    assert_eq!(run("1"), run("2"));
}

#[test]
fn a_voiding_statement_in_a_later_file_voids_an_answer_of_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo_file(NDJSON)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (first, second) = (dir.path().join("a.ndjson"), dir.path().join("b.ndjson"));
    // The voiding statement is the last line; put it first in a second file.
    std::fs::write(&first, lines[..lines.len() - 1].join("\n")).unwrap();
    std::fs::write(&second, lines[lines.len() - 1]).unwrap();
    let stats = |files: &[&Path]| -> serde_json::Value {
        let mut args = vec![
            "data".to_owned(),
            "stats".into(),
            "--format".into(),
            "json".into(),
            "--preset".into(),
            "xapi".into(),
            "--item-skills".into(),
            repo_file(ITEMS),
        ];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = pathwise(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let alone = stats(&[&first]);
    assert_eq!(alone["rows_kept"], 61);
    assert_eq!(alone["dropped"].get("voided"), None);
    let both = stats(&[&first, &second]);
    assert_eq!(both["rows_kept"], 60);
    assert_eq!(both["dropped"]["voided"], 1);
}

#[test]
fn commands_with_a_graph_map_statement_objects_through_its_activities() {
    let o = pathwise(&[
        "recommend",
        "--model",
        &repo_file(MODEL),
        "--graph",
        &repo_file(GRAPH),
        "--format",
        "csv",
        &repo_file(ARRAY),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("https://lms.example|dan"), "{stdout}");
    let replay = pathwise(&[
        "replay",
        "--model-kind",
        "bkt",
        "--graph",
        &repo_file(GRAPH),
        "--format",
        "json",
        &repo_file(NDJSON),
    ]);
    let stderr = String::from_utf8_lossy(&replay.stderr);
    assert_eq!(replay.status.code(), Some(0), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&replay.stdout).unwrap();
    assert!(json["hit_rate"].is_number(), "{json}");
    let dir = tempfile::tempdir().unwrap();
    let report = pathwise(&[
        "report",
        "--model",
        &repo_file(MODEL),
        "--graph",
        &repo_file(GRAPH),
        &repo_file(ARRAY),
        "-o",
        &dir.path().join("report").display().to_string(),
    ]);
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert_eq!(report.status.code(), Some(0), "{stdout}");
    // 60 answers, one of them on frac-1, which is no activity of the graph.
    assert!(
        stdout.contains("4 learners, 5 skills, 59 attempts"),
        "{stdout}"
    );
}

/// Writes `text` as `name` in a fresh folder and runs `data stats --preset xapi` on it with the
/// fixture's item→skill map; returns the error line.
fn refused(name: &str, text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.display().to_string();
    let line = fails(&[
        "data",
        "stats",
        "--preset",
        "xapi",
        "--item-skills",
        &repo_file(ITEMS),
        &path,
    ]);
    line.replace(&path, name)
}

const GOOD: &str = r#"{"actor":{"mbox":"mailto:ann@example.org"},"verb":{"id":"http://adlnet.gov/expapi/verbs/answered"},"object":{"id":"add-1"},"result":{"success":true},"timestamp":"2024-05-01T10:00:00Z"}"#;

#[test]
fn xapi_malformed_json_is_named_at_its_line_and_column() {
    let text = format!(
        "[\n  {GOOD},\n  {}\n]\n",
        GOOD.replace("\"verb\":", "\"verb\"")
    );
    assert_eq!(
        refused("log.json", &text),
        "pathwise: error: log.json:3:52: malformed JSON: expected `:`"
    );
}

#[test]
fn xapi_statement_missing_its_actor_is_named_at_its_start() {
    let no_actor = GOOD.replace(r#""actor":{"mbox":"mailto:ann@example.org"},"#, "");
    assert_eq!(
        refused("log.ndjson", &format!("{GOOD}\n{no_actor}\n")),
        "pathwise: error: log.ndjson:2:1: not an xAPI statement: it has no actor and verb"
    );
    let nobody = GOOD.replace(r#"{"mbox":"mailto:ann@example.org"}"#, r#"{"name":"Ann"}"#);
    assert_eq!(
        refused("log.ndjson", &format!("{GOOD}\n{nobody}\n")),
        "pathwise: error: log.ndjson:2:1: actor: identify the learner by account, mbox or \
         mbox_sha1sum"
    );
}

#[test]
fn xapi_without_an_item_skill_map_or_a_graph_says_what_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.json");
    std::fs::write(&path, format!("[{GOOD}]")).unwrap();
    let line = fails(&["data", "stats", &path.display().to_string()]);
    assert_eq!(
        line,
        "pathwise: error: xAPI statements name items, not skills: give an item→skill map with \
         --item-skills FILE (a CSV of item,skill), or, to a command that reads a skill graph, a \
         graph whose activities are the statements' object ids"
    );
}

#[test]
fn xapi_with_table_options_that_would_be_ignored_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.json");
    std::fs::write(&path, format!("[{GOOD}]")).unwrap();
    let path = path.display().to_string();
    let items = repo_file(ITEMS);
    let base = ["data", "stats", "--item-skills", &items, &path];
    let with = |extra: [&str; 2]| {
        let mut args = base.to_vec();
        args.extend(extra);
        fails(&args)
    };
    assert_eq!(
        with(["--col", "learner=user"]),
        "pathwise: error: xAPI statements have no columns to map (--col learner=..., or report \
         --group-by); they give learner, item, correctness and time themselves"
    );
    assert_eq!(
        with(["--encoding", "latin1"]),
        "pathwise: error: xAPI statements are JSON, which is UTF-8: --encoding latin1 does not apply"
    );
}

#[test]
fn xapi_score_out_of_range_is_refused_naming_the_field() {
    let scaled = GOOD.replace(r#"{"success":true}"#, r#"{"score":{"scaled":1.5}}"#);
    assert_eq!(
        refused("log.json", &format!("[{scaled}]")),
        "pathwise: error: log.json:1:2: result.score.scaled: must be between -1 and 1, found 1.5"
    );
}

#[test]
fn xapi_empty_file_or_empty_array_is_refused() {
    assert_eq!(
        refused("log.json", "\n"),
        "pathwise: error: log.json: the file holds no xAPI statement"
    );
    assert_eq!(
        refused("log.json", "[ ]"),
        "pathwise: error: log.json: the file holds no xAPI statement"
    );
}

#[test]
fn xapi_answer_without_timestamp_or_cut_short_file_is_refused() {
    let untimed = GOOD.replace(r#","timestamp":"2024-05-01T10:00:00Z""#, "");
    assert_eq!(
        refused("log.json", &format!("[{GOOD},\n{untimed}]")),
        "pathwise: error: log.json:2:1: timestamp: missing; each answer in a log needs its time"
    );
    let cut_short = refused("log.json", &format!("[{GOOD},\n{GOOD}"));
    assert_eq!(
        cut_short,
        format!(
            "pathwise: error: log.json:2:{}: the file ends inside a value; is it cut short?",
            GOOD.len()
        )
    );
}

#[test]
fn xapi_deeply_nested_statement_is_one_line_not_a_stack_overflow() {
    let deep = GOOD.replace(
        r#""result":{"success":true}"#,
        &format!(
            r#""result":{{"success":true,"extensions":{}{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        ),
    );
    let line = refused("log.json", &format!("[{deep}]"));
    assert!(
        line.starts_with("pathwise: error: log.json:1:")
            && line.ends_with("recursion limit exceeded"),
        "{line}"
    );
}

#[cfg(unix)]
#[test]
fn xapi_from_dev_zero_is_refused_without_reading_it() {
    assert_eq!(
        fails(&[
            "data",
            "stats",
            "--preset",
            "xapi",
            "--item-skills",
            &repo_file(ITEMS),
            "/dev/zero"
        ]),
        "pathwise: error: /dev/zero: not a regular file (a pipe, device or socket); logs are read \
         more than once, so save it to a file first"
    );
}
