//! `pathwise data stats` end to end on the hand-made fixtures in `datasets/fixtures/`: values,
//! formats, preset detection notes, and one-line errors with exit code 2.

use crate::common::{fails, pathwise};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../datasets/fixtures")
        .join(name)
        .display()
        .to_string()
}

fn stats_json(args: &[&str]) -> (serde_json::Value, String) {
    let mut all = vec!["data", "stats", "--format", "json"];
    all.extend_from_slice(args);
    let out = pathwise(&all);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let json = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    (json, stderr)
}

/// Writes `text` to a file `name` in a fresh temporary folder; returns the folder and the path.
fn temp_log(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.display().to_string();
    (dir, path)
}

#[test]
fn stats_of_a_generic_log_as_json() {
    let (j, stderr) = stats_json(&[&fixture("generic.csv")]);
    assert_eq!(j["preset"], "generic");
    assert_eq!(j["preset_detected"], true);
    assert_eq!(j["rows"], 7);
    assert_eq!(j["responses"], 7);
    assert_eq!(j["observations"], 8);
    assert_eq!(j["learners"], 3);
    assert_eq!(j["skills"], 3);
    assert_eq!(j["items"], 6);
    assert_eq!(j["groups"], 2);
    assert_eq!(j["multi_skill_responses"], 1);
    assert_eq!(j["order"], "sequence");
    assert!((j["correct_share"].as_f64().unwrap() - 5.0 / 7.0).abs() < 1e-12);
    assert_eq!(j["dropped"], serde_json::json!({}));
    assert_eq!(
        stderr,
        "pathwise: reading the log with the generic preset (detected; choose with --preset)\n"
    );
}

#[test]
fn stats_count_dropped_rows_by_reason() {
    let (j, _) = stats_json(&[&fixture("assistments.csv")]);
    assert_eq!(j["preset"], "assistments");
    assert_eq!(j["rows"], 6);
    assert_eq!(j["rows_kept"], 4);
    assert_eq!(j["responses"], 3);
    assert_eq!(j["multi_skill_responses"], 1);
    assert_eq!(
        j["dropped"],
        serde_json::json!({"no_skill": 1, "original_0": 1})
    );
    assert!((j["correct_share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
}

#[test]
fn stats_of_datashop_and_dkt_files() {
    let (j, _) = stats_json(&[&fixture("datashop.tsv")]);
    assert_eq!(j["preset"], "datashop");
    assert_eq!(j["order"], "timestamp_millis");
    assert_eq!(
        (j["rows"].as_u64(), j["skills"].as_u64()),
        (Some(4), Some(2))
    );
    let (j, _) = stats_json(&[&fixture("dkt.txt")]);
    assert_eq!(j["preset"], "dkt");
    assert_eq!(j["learners"], 2);
    assert_eq!(j["rows"], 5);
    assert!((j["correct_share"].as_f64().unwrap() - 0.6).abs() < 1e-12);
}

#[test]
fn a_given_preset_prints_no_detection_note() {
    let (j, stderr) = stats_json(&["--preset", "generic", &fixture("generic.csv")]);
    assert_eq!(j["preset_detected"], false);
    assert_eq!(stderr, "");
}

#[test]
fn column_overrides_from_the_command_line() {
    let (j, _) = stats_json(&[
        &fixture("unmapped.csv"),
        "--col",
        "learner=user",
        "--col",
        "skill=skil",
    ]);
    assert_eq!(j["preset"], "generic");
    assert_eq!(j["rows"], 1);
}

#[test]
fn csv_and_table_formats() {
    let out = pathwise(&[
        "data",
        "stats",
        &fixture("assistments.csv"),
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "statistic,value");
    assert_eq!(lines[1], "preset,assistments (detected)");
    assert!(lines.contains(&"rows,6"));
    assert!(lines.contains(&"dropped_original_0,1"));
    assert!(lines.contains(&"correct_share,0.6667"));

    let out = pathwise(&["data", "stats", &fixture("assistments.csv")]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("statistic              value\n"), "{text}");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert!(rows.contains(&vec!["rows", "6"]), "{text}");
    assert!(rows.contains(&vec!["dropped_no_skill", "1"]), "{text}");
}

#[test]
fn missing_file_is_one_line_and_exit_two() {
    let path = fixture("no-such-log.csv");
    assert_eq!(
        fails(&["data", "stats", &path]),
        format!("pathwise: error: {path}: cannot open the file: no such file")
    );
}

#[test]
fn empty_file() {
    let path = fixture("empty.csv");
    assert_eq!(
        fails(&["data", "stats", &path]),
        format!("pathwise: error: {path}: the file is empty; expected a header line")
    );
}

#[test]
fn header_without_a_mapped_column() {
    let path = fixture("unmapped.csv");
    assert_eq!(
        fails(&["data", "stats", "--preset", "generic", &path]),
        format!(
            "pathwise: error: {path}:1: no learner column: looked for 'learner' (preset generic); \
             columns present: 'user', 'skil', 'item', 'correct', 'order'; closest match: 'user'; \
             map one with --col learner=NAME"
        )
    );
}

#[test]
fn row_with_too_few_fields() {
    let path = fixture("short_row.csv");
    assert_eq!(
        fails(&["data", "stats", &path]),
        format!("pathwise: error: {path}:3: the row has 3 fields but the header has 5")
    );
}

#[test]
fn correct_value_not_zero_or_one() {
    let path = fixture("bad_correct.csv");
    assert_eq!(
        fails(&["data", "stats", &path]),
        format!(
            "pathwise: error: {path}:3:correct: expected 0 or 1 (or 0.0, 1.0, true, false), found '2'"
        )
    );
}

#[test]
fn unknown_preset_lists_the_valid_ones() {
    assert_eq!(
        fails(&["data", "stats", "--preset", "kdd", &fixture("generic.csv")]),
        "pathwise: error: --preset: preset 'kdd': unknown preset; expected one of assistments, \
         datashop, pybkt, dkt, generic, xapi"
    );
}

#[test]
fn malformed_col_option() {
    assert_eq!(
        fails(&["data", "stats", "--col", "skill", &fixture("generic.csv")]),
        "pathwise: error: --col 'skill': expected ROLE=NAME, e.g. --col skill=skill_name"
    );
}

#[test]
fn latin1_bytes_need_the_encoding_option_which_then_works() {
    let path = fixture("latin1.csv");
    assert_eq!(
        fails(&["data", "stats", &path]),
        format!(
            "pathwise: error: {path}:2:skill: invalid UTF-8 byte 0xE9 at byte offset 46; if the \
             file is Latin-1, read it with --encoding latin1"
        )
    );
    let (j, _) = stats_json(&["--encoding", "latin1", &path]);
    assert_eq!(j["rows"], 2);
    assert_eq!(j["skills"], 1);
}

#[test]
fn a_byte_order_mark_is_fine() {
    let (j, _) = stats_json(&[&fixture("bom.csv")]);
    assert_eq!(j["learners"], 1);
}

#[test]
fn no_log_is_a_usage_error() {
    let out = pathwise(&["data", "stats"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<LOG>"));
}

#[test]
fn semicolon_separated_csv_is_detected() {
    // Excel's CSV export in many locales; this used to fail with "closest match:
    // 'learner;skill;correct;order'".
    let (_dir, path) = temp_log(
        "excel.csv",
        "learner;skill;correct;order\nann;add;1;1\nbob;add;0;1\n",
    );
    let (j, _) = stats_json(&[&path]);
    assert_eq!(
        (j["rows"].as_u64(), j["learners"].as_u64()),
        (Some(2), Some(2))
    );
}

#[test]
fn ambiguous_delimiter_asks_for_the_option_which_then_works() {
    let (_dir, path) = temp_log(
        "mixed.csv",
        "learner;skill;correct;order;note, text\nann;add;1;1;x\n",
    );
    let path = path.as_str();
    assert_eq!(
        fails(&["data", "stats", path]),
        format!(
            "pathwise: error: {path}:1: cannot tell the delimiter: the header line holds ',' 1 \
             time and ';' 4 times; give it with --delimiter (e.g. --delimiter ';')"
        )
    );
    let (j, _) = stats_json(&["--delimiter", ";", path]);
    assert_eq!(j["rows"], 1);
}
