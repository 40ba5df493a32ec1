//! Text from the input (ids, values, file names) reaches the terminal escaped: error, warning and
//! status lines and aligned tables show a control character as `\e`, `\r`, `\n` or `\u{…}`, so a
//! hostile id cannot erase or forge a line; CSV and JSON outputs keep the value as it is.

use std::path::Path;
use std::process::Output;

use crate::common::{one_line_error, pathwise};

/// An id that would erase the line, return the cursor and print a forged message.
const HOSTILE: &str = "x\u{1b}[2K\rVALID\u{202e}";
/// How it shows.
const SHOWN: &str = "x\\e[2K\\rVALID\\u{202e}";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// No byte of `text` acts on a terminal (besides the line ends).
fn assert_inert(text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && (c.is_control() || c == '\u{202e}'))
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in {text:?}");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const MODEL: &str = "tests/fixtures/recommend/model.json";
const GRAPH: &str = "tests/fixtures/recommend/graph.toml";

fn repo(path: &str) -> String {
    crate::common::repo_file(path)
}

#[test]
fn an_error_quoting_a_hostile_value_is_one_escaped_line() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        &format!("learner,skill,correct,order\nann,add,\"1{HOSTILE}\n2\",1\n"),
    );
    let out = pathwise(&["predict", "--model", &repo(MODEL), &log]);
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert_inert(&err);
}

#[test]
fn a_warning_naming_a_hostile_skill_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        &format!("learner,skill,correct,order\nann,add,1,1\nann,\"{HOSTILE}\",1,2\n"),
    );
    let out = pathwise(&["predict", "-q", "--model", &repo(MODEL), &log]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_inert(&err);
    assert!(
        err.contains(&format!("1 log skills are not in the model ({SHOWN})")),
        "{err}"
    );
}

#[test]
fn a_hostile_learner_id_is_escaped_in_warnings_status_lines_and_tables() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        &format!("learner,skill,correct,order\n\"{HOSTILE}\",count,1,1\nbob,count,0,2\n"),
    );
    let base = ["--model", &repo(MODEL), "--graph", &repo(GRAPH), &log];
    // A named learner absent from the log: a warning quoting the id.
    let out = pathwise(&[&["path"][..], &base, &["--learner", &format!("{HOSTILE}2")]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_inert(&err);
    assert!(err.contains(&format!("learner '{SHOWN}2'")), "{err}");
    // The aligned table escapes the id; the CSV keeps it.
    let table = pathwise(&[&["recommend"][..], &base].concat());
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = String::from_utf8_lossy(&table.stdout);
    assert_inert(&text);
    assert!(text.contains(SHOWN), "{text}");
    let csv = pathwise(&[&["recommend"][..], &base, &["--format", "csv"]].concat());
    assert!(String::from_utf8_lossy(&csv.stdout).contains(HOSTILE));
}

#[test]
fn a_hostile_graph_file_name_is_escaped_in_graph_check() {
    let dir = tempfile::tempdir().unwrap();
    let graph = write(
        dir.path(),
        &format!("g{}.toml", "\u{1b}[2K"),
        "[[skill]]\nid = \"a\"\n",
    );
    let out = pathwise(&["graph", "check", &graph]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_inert(&text);
    assert!(text.contains("g\\e[2K.toml: ok"), "{text}");
}
