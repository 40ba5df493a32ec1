//! Helpers shared by the CLI tests (each test file includes this module with `mod common;`).

use std::process::{Command, Output};

/// Runs the `pathwise` binary built for these tests with `args` and waits for it.
pub fn pathwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .output()
        .expect("the binary runs")
}
