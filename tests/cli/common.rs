//! What every CLI test uses: the real binary, the repository's fixtures, and snapshots of a run
//! (arguments, exit code, stdout, stderr) free of machine paths and timings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root (fixtures are read relative to it).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file of the repository, as a string argument.
pub fn repo_file(path: &str) -> String {
    repo().join(path).to_string_lossy().into_owned()
}

/// The `pathwise` binary built for these tests, run from the repository's root (so that
/// fixtures can be named by relative paths, and snapshots hold no machine path).
pub fn pathwise_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pathwise"));
    cmd.current_dir(repo());
    cmd
}

/// Runs the `pathwise` binary with `args` and waits for it.
pub fn pathwise(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs a command expected to fail on bad input: exit 2, nothing on stdout, one line on stderr,
/// which it returns without the line end.
pub fn fails(args: &[&str]) -> String {
    let out = pathwise(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr.trim_end().to_owned()
}

/// Snapshot settings that replace `dir` (a test's temporary folder) by `[TMP]`, the repository by
/// `[REPO]`, and durations by `[TIME]`.
pub fn settings(dir: Option<&Path>) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    if let Some(dir) = dir {
        for form in [dir.to_path_buf(), dir.canonicalize().unwrap_or_default()] {
            let text = form.to_string_lossy().into_owned();
            if !text.is_empty() {
                settings.add_filter(&regex_escape(&text), "[TMP]");
            }
        }
    }
    let root = repo().canonicalize().unwrap_or_else(|_| repo());
    settings.add_filter(&regex_escape(&root.to_string_lossy()), "[REPO]");
    settings.add_filter(r"\b\d+(\.\d+)? ?(ms|s)\b", "[TIME]");
    settings
}

fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Records `cmd`'s arguments, exit code, stdout and stderr as the snapshot `name` (paths of
/// `dir` and the repository hidden), and returns its output for further checks.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $cmd:expr) => {
        $crate::snapshot!($name, $cmd, None)
    };
    ($name:expr, $cmd:expr, $dir:expr) => {{
        let mut cmd: std::process::Command = $cmd;
        let output = cmd.output().expect("the binary runs");
        $crate::common::settings($dir).bind(|| {
            insta_cmd::assert_cmd_snapshot!($name, cmd);
        });
        output
    }};
}

/// The exit code and the single stderr line of a run that must fail with one line.
pub fn one_line_error(out: &Output) -> (Option<i32>, String) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("pathwise: error: "), "{err}");
    (out.status.code(), err)
}
