//! Integration tests of the `pathwise` binary: exit codes and one-line errors (DESIGN.md contracts).

use std::process::Command;

fn pathwise(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn help_exits_zero() {
    let out = pathwise(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: pathwise"));
}

#[test]
fn unknown_subcommand_is_a_usage_error_with_exit_two() {
    let out = pathwise(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-command"));
}

#[test]
fn unfinished_demo_says_so_on_one_line_and_exits_two() {
    let out = pathwise(&["demo"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1);
    assert!(err.starts_with("pathwise: error: the demo is not built yet"));
    assert!(out.stdout.is_empty());
}
