//! Bad inputs of docs/bad-inputs.md that no other test shows: each is refused with exit 2 and one
//! line naming the place (or, where the catalogue says so, accepted).

use std::path::Path;

use crate::common::{fails, pathwise, repo_file};

/// Runs `pathwise args` and returns its one stderr line, checking exit 2.
fn refused(args: &[&str]) -> String {
    let output = pathwise(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    let line = lines.last().copied().unwrap_or_default();
    assert!(line.starts_with("pathwise: error: "), "{args:?}: {stderr}");
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|l| !l.contains("error")),
        "{stderr}"
    );
    line.to_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const HEADER: &str = "learner,skill,correct,order\n";

#[test]
fn an_order_that_is_not_a_number_nan_infinite_or_past_u64_is_named() {
    let dir = tempfile::tempdir().unwrap();
    for value in ["NaN", "inf", "99999999999999999999999999"] {
        let log = write(
            dir.path(),
            "log.csv",
            &format!("{HEADER}ann,count,1,{value}\n"),
        );
        let line = refused(&["data", "stats", &log]);
        assert!(
            line.ends_with(&format!(
                "log.csv:2:order: expected a sequence number or a date and time, found '{value}'"
            )),
            "{line}"
        );
    }
}

#[test]
fn negative_sequence_numbers_are_an_order_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        &format!("{HEADER}ann,count,1,-5\nann,count,0,-7\n"),
    );
    let output = pathwise(&["-q", "data", "stats", &log, "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_wrong_delimiter_makes_the_header_one_column_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "log.csv", &format!("{HEADER}ann,count,1,1\n"));
    let line = refused(&["data", "stats", "--delimiter", "tab", &log]);
    assert!(
        line.contains("columns present: 'learner,skill,correct,o… (4 more characters)'"),
        "{line}"
    );
}

#[test]
fn an_unterminated_quote_is_a_row_with_too_few_fields() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(
        dir.path(),
        "log.csv",
        &format!("{HEADER}\"ann,count,1,1\nbob,add,0,2\n"),
    );
    let line = refused(&["data", "stats", &log]);
    assert!(
        line.ends_with("log.csv:2: the row has 1 field but the header has 4"),
        "{line}"
    );
}

#[test]
fn a_ten_megabyte_value_is_quoted_in_eighty_characters() {
    let dir = tempfile::tempdir().unwrap();
    let value = "1".repeat(10_000_000);
    let log = write(
        dir.path(),
        "log.csv",
        &format!("{HEADER}ann,count,{value},1\n"),
    );
    let line = refused(&["data", "stats", &log]);
    assert!(
        line.ends_with("… (9999921 more characters)'"),
        "{}",
        &line[..200]
    );
    assert!(line.len() < 400, "{}", line.len());
}

#[test]
fn a_graph_with_a_duplicate_json_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let graph = write(
        dir.path(),
        "g.json",
        r#"{"skill":[{"id":"a"}],"skill":[{"id":"b"}]}"#,
    );
    let line = refused(&["graph", "check", &graph]);
    assert!(
        line.ends_with("g.json:1:29: duplicate member name 'skill'"),
        "{line}"
    );
}

#[test]
fn activity_minutes_negative_nan_or_overflowing_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (minutes, expected) in [
        (
            "-3",
            "(activity 'x'): minutes must be a positive number, found -3",
        ),
        (
            "nan",
            "(activity 'x'): minutes must be a positive number, found NaN",
        ),
        ("1e999", ":6:9: floating-point number overflowed"),
    ] {
        let text = format!(
            "[[skill]]\nid=\"a\"\n[[activity]]\nid=\"x\"\nskills=[\"a\"]\nminutes={minutes}\n"
        );
        let graph = write(dir.path(), "g.toml", &text);
        let line = refused(&["graph", "check", &graph]);
        assert!(line.ends_with(expected), "{line}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped_in_graphs_and_models() {
    let dir = tempfile::tempdir().unwrap();
    let graph = std::fs::read_to_string(repo_file("tests/fixtures/recommend/graph.toml")).unwrap();
    let graph = write(dir.path(), "g.toml", &format!("\u{feff}{graph}"));
    assert_eq!(
        pathwise(&["-q", "graph", "check", &graph]).status.code(),
        Some(0)
    );
    let model = std::fs::read_to_string(repo_file("tests/fixtures/recommend/model.json")).unwrap();
    let model = write(dir.path(), "m.json", &format!("\u{feff}{model}"));
    let log = repo_file("tests/fixtures/recommend/log.csv");
    let output = pathwise(&["-q", "predict", "--model", &model, &log]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_model_with_nan_or_negative_or_overflowing_numbers_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = std::fs::read_to_string(repo_file("tests/fixtures/recommend/model.json")).unwrap();
    let log = repo_file("tests/fixtures/recommend/log.csv");
    for (from, to, expected) in [
        (
            "\"prior\": 0.2,",
            "\"prior\": NaN,",
            "not a pathwise model file (invalid JSON: expected value)",
        ),
        (
            "\"observations\": 20",
            "\"observations\": -20",
            "malformed model file: invalid value: integer `-20`, expected u64",
        ),
        (
            "\"observations\": 20",
            "\"observations\": 999999999999999999999999",
            "malformed model file: invalid type: floating point `1e+24`, expected u64",
        ),
    ] {
        let path = write(dir.path(), "m.json", &model.replacen(from, to, 1));
        let line = refused(&["predict", "--model", &path, &log]);
        assert!(line.ends_with(expected), "{line}");
    }
}

#[cfg(unix)]
#[test]
fn an_item_map_or_a_learner_list_from_dev_zero_is_refused_not_read_for_ever() {
    let log = repo_file("tests/fixtures/recommend/log.csv");
    let line = refused(&["data", "stats", &log, "--item-skills", "/dev/zero"]);
    assert!(
        line.ends_with("/dev/zero: not a regular file (a pipe, device or socket); logs are read more than once, so save it to a file first"),
        "{line}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let line = refused(&[
        "report",
        "--model",
        &repo_file("tests/fixtures/recommend/model.json"),
        "--graph",
        &repo_file("tests/fixtures/recommend/graph.toml"),
        &log,
        "--learners",
        "/dev/zero",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert!(
        line.ends_with("/dev/zero: more than the 64 MiB a learner list may have"),
        "{line}"
    );
    assert!(!out.exists());
}

#[test]
fn a_malformed_parquet_footer_is_one_line_not_an_abort() {
    // Found by fuzzing: polars-parquet 0.55 read the schema list's header from an integer field,
    // asked for 110 GB for this 1.1 KB file and aborted (exit 134).
    let file = repo_file("fuzz/seeds/log_parquet/malformed_footer_metadata.parquet");
    let line = fails(&["data", "stats", &file]);
    assert!(
        line.contains(
            "malformed_footer_metadata.parquet: not a valid Parquet file: malformed footer metadata"
        ),
        "{line}"
    );
}

#[test]
fn a_corrupt_parquet_data_page_is_one_line_not_a_panic() {
    // Found by a mutation run: the footer is intact, but polars-parquet 0.55 fails an assertion
    // while decoding a dictionary page (exit 101 and a multi-line panic message before).
    let file = repo_file("fuzz/seeds/log_parquet/corrupt_dictionary_page.parquet");
    let line = fails(&["data", "stats", &file]);
    assert!(
        line.contains(
            "corrupt_dictionary_page.parquet: cannot read the Parquet file: its data is corrupt"
        ),
        "{line}"
    );
}

#[test]
fn a_truncated_parquet_file_or_a_footer_longer_than_the_file_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let whole = std::fs::read(repo_file("fuzz/seeds/log_parquet/generic.parquet")).unwrap();
    let n = whole.len();
    let save = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_string_lossy().into_owned()
    };
    let cut = save("cut.parquet", &whole[..n - 10]);
    assert!(fails(&["data", "stats", &cut]).ends_with("cut.parquet: not a valid Parquet file: it does not end with the magic bytes 'PAR1' (a truncated file?)"));
    let mut long = whole.clone();
    long[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let long = save("long.parquet", &long);
    let line = fails(&["data", "stats", &long]);
    assert!(
        line.contains("long.parquet: not a valid Parquet file: the footer claims 4294967295 bytes"),
        "{line}"
    );
    let magic = save("magic.parquet", b"PAR1PAR1");
    let line = fails(&["data", "stats", &magic]);
    assert!(
        line.ends_with("8 bytes, too short for the 'PAR1' header and footer"),
        "{line}"
    );
}
