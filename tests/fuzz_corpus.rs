//! Replays the committed fuzz seeds (`fuzz/seeds/<target>/`, including every input that once
//! crashed a target) through the same entry points as the fuzz targets, on stable and in seconds:
//! each file is read or refused with one clean line, never a panic. `docs/fuzzing.md` says how the
//! targets themselves are run.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

#[path = "../fuzz/src/lib.rs"]
mod fuzz;

use fuzz::Target;

#[test]
fn every_fuzz_seed_is_read_or_refused_with_one_clean_line() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for target in Target::ALL {
        let dir = seeds.join(target.name());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: no seeds", dir.display());
        for file in files {
            let data = std::fs::read(&file).unwrap();
            if catch_unwind(AssertUnwindSafe(|| fuzz::run(target, &data))).is_err() {
                failures.push(file.display().to_string());
            }
            replayed += 1;
        }
    }
    fuzz::remove_scratch();
    assert!(failures.is_empty(), "panicked on {failures:#?}");
    assert!(replayed >= Target::ALL.len());
}

// Regression tests for what fuzzing found, each named after the defect. Before the fixes these
// messages held the input's control characters raw (a terminal would run them) or grew with it.

/// The message `run` returns for `data` (the input is refused).
fn refused(target: Target, data: &[u8]) -> String {
    let message = fuzz::run(target, data).expect("the input is refused");
    fuzz::remove_scratch();
    message
}

#[test]
fn control_characters_in_a_log_header_are_escaped_in_the_missing_column_error() {
    // Selector 0x38: delimiter and preset detected, UTF-8, log.csv.
    let message = refused(Target::LogCsv, b"\x38le\x1b[2Karner,skill\n");
    assert!(
        message.contains("columns present: 'le\\e[2Karner', 'skill'"),
        "{message}"
    );
}

#[test]
fn a_header_of_thousands_of_columns_is_listed_in_a_short_error() {
    let header: Vec<String> = (0..5000).map(|i| format!("column{i}")).collect();
    let data = format!("\x38{}\n", header.join(","));
    let message = refused(Target::LogCsv, data.as_bytes());
    assert!(message.contains("'column16' and 4983 more"), "{message}");
    assert!(message.len() < 600, "{message}");
}

#[test]
fn control_characters_in_a_dkt_record_header_are_escaped() {
    let message = refused(Target::LogDkt, b"\x11");
    assert!(message.ends_with("found '\\u{11}'"), "{message}");
}

#[test]
fn an_unknown_graph_field_with_control_characters_is_escaped() {
    let message = refused(Target::GraphJson, b"{\"skill\": [{\"i\x7f\": \"a\"}]}");
    assert!(message.contains("unknown field `i\\u{7f}`"), "{message}");
    let message = refused(
        Target::GraphToml,
        b"[[skill]]\nid = \"a\"\n\"x\\u001b\" = 1\n",
    );
    assert!(message.contains("x\\e"), "{message}");
}

#[test]
fn control_characters_in_a_skills_csv_header_are_escaped() {
    // Selector 0x02: graph.csv with the bytes after the NUL as graph.skills.csv.
    let message = refused(
        Target::GraphTable,
        b"\x02prerequisite,skill\na,b\n\0n\x07me\n",
    );
    assert!(message.ends_with("found: 'n\\u{7}me'"), "{message}");
}

#[test]
fn a_long_cycle_is_named_in_one_short_line() {
    let skills: Vec<String> = (0..500)
        .map(|i| {
            format!(
                "[[skill]]\nid = \"s{i}\"\nrequires = [\"s{}\"]\n",
                (i + 1) % 500
            )
        })
        .collect();
    let message = refused(Target::GraphToml, skills.concat().as_bytes());
    assert!(
        message.contains("s0 -> s499 -> s498 -> s497 -> s496 -> s495 -> s494 -> s493 -> … (492 more skills) -> s0"),
        "{message}"
    );
}

#[test]
fn a_model_format_with_control_characters_is_escaped() {
    let message = refused(Target::ModelJson, b"{\"format\": \"pathwise-m\x7fdel\"}");
    assert!(
        message.ends_with("found \"pathwise-m\\u{7f}del\")"),
        "{message}"
    );
}

#[test]
fn a_long_value_in_a_fixed_parameters_file_is_cut() {
    let data = format!("{{\"add\": {{\"guess\": \"{}\"}}}}", "0".repeat(5000));
    let message = pathwise::FixedParams::from_json(&data, "fixed.json")
        .unwrap_err()
        .to_string();
    assert!(message.len() < 400, "{message}");
    assert!(message.contains("more characters"), "{message}");
}

#[test]
fn a_corrupt_parquet_data_page_is_an_error_not_a_panic() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/log_parquet");
    let data = std::fs::read(seeds.join("corrupt_dictionary_page.parquet")).unwrap();
    let message = refused(Target::LogParquet, &data);
    assert!(message.contains("its data is corrupt"), "{message}");
}

#[test]
fn a_malformed_parquet_footer_is_refused_before_polars_reads_it() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/log_parquet");
    let data = std::fs::read(seeds.join("malformed_footer_metadata.parquet")).unwrap();
    let message = refused(Target::LogParquet, &data);
    assert!(
        message.contains("not a valid Parquet file: malformed footer metadata"),
        "{message}"
    );
}
