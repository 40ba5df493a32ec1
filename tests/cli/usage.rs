//! Usage errors: one line `pathwise: error: <what> (see 'pathwise <cmd> --help')`, exit 2; help
//! and version print normally with exit 0.

use crate::common::{one_line_error, pathwise_cmd};
use crate::snapshot;

fn usage(name: &str, args: &[&str]) -> String {
    let mut cmd = pathwise_cmd();
    cmd.args(args);
    let out = snapshot!(name, cmd);
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2), "{err}");
    assert!(out.stdout.is_empty());
    err
}

#[test]
fn negative_seed_is_one_line_not_a_clap_tip() {
    let err = usage(
        "negative_seed",
        &["fit", "log.csv", "-o", "m.json", "--seed", "-1"],
    );
    assert!(
        err.contains("'-1'") && err.ends_with("(see 'pathwise fit --help')\n"),
        "{err}"
    );
}

#[test]
fn restarts_too_large_for_the_type_is_one_line() {
    let err = usage(
        "restarts_overflow",
        &[
            "fit",
            "log.csv",
            "-o",
            "m.json",
            "--restarts",
            "99999999999999999999",
        ],
    );
    assert!(err.contains("--restarts"), "{err}");
}

#[test]
fn missing_required_argument_names_it_on_one_line() {
    let err = usage("missing_output", &["fit", "log.csv"]);
    assert!(err.contains("--output"), "{err}");
}

#[test]
fn unknown_flag_suggests_the_near_one_on_one_line() {
    let err = usage(
        "unknown_flag",
        &["data", "stats", "log.csv", "--fromat", "json"],
    );
    assert!(
        err.contains("--fromat") && err.contains("--format"),
        "{err}"
    );
    assert!(err.contains("(see 'pathwise data stats --help')"), "{err}");
}

#[test]
fn unknown_command_is_one_line() {
    usage("unknown_command", &["no-such-command"]);
}

#[test]
fn no_command_is_one_line() {
    usage("no_command", &[]);
}

#[test]
fn bad_format_value_lists_the_possible_ones() {
    let err = usage(
        "bad_format",
        &["data", "stats", "log.csv", "--format", "xml"],
    );
    assert!(err.contains("table, csv, json"), "{err}");
}

#[test]
fn help_and_version_print_on_stdout_with_exit_zero() {
    for args in [&["--help"][..], &["fit", "--help"], &["--version"]] {
        let out = pathwise_cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(out.stderr.is_empty(), "{args:?}");
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    let out = pathwise_cmd().arg("--help").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: pathwise"));
}
