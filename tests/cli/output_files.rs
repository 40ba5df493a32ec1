//! Output files: atomic writes that leave nothing behind when interrupted (SIGINT, SIGTERM), stale
//! temporaries of killed runs removed by the next run, links written through, devices written
//! directly, write errors that name the file, `-o -` as standard output.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{one_line_error, pathwise_cmd, repo_file};
use crate::snapshot;

const MODEL: &str = "tests/fixtures/recommend/model.json";
const LOG: &str = "tests/fixtures/recommend/log.csv";

/// A log of `rows` responses over the fixture model's skills: its predictions take long enough
/// to write (tens of MB) for a signal to arrive while the temporary file is open.
fn big_log(dir: &Path, rows: usize) -> PathBuf {
    use std::io::Write;
    let path = dir.join("big.csv");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(w, "learner,skill,item,correct,order").unwrap();
    let skills = ["add", "count", "sub"];
    for i in 0..rows {
        let learner = i / 100;
        writeln!(
            w,
            "l{learner},{},item-{},{},{}",
            skills[i % 3],
            i % 17,
            (i / 7) % 2,
            i % 100
        )
        .unwrap();
    }
    w.flush().unwrap();
    path
}

/// The temporaries beside `target` (`.<name>.pathwise-tmp-<pid>-<n>`).
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".pathwise-tmp-"))
        .collect()
}

/// Spawns `pathwise args...` and waits until a temporary file appears in `dir` (writing has
/// started), or the process ends.
fn spawn_until_writing(args: &[&str], dir: &Path) -> (Child, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .current_dir(crate::common::repo())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        if !temporaries(dir).is_empty() {
            return (child, true);
        }
        if child.try_wait().unwrap().is_some() {
            return (child, false);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("no temporary file appeared");
}

fn kill(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn interrupted_predict(signal: &str) -> (Option<i32>, PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let log = big_log(dir.path(), 600_000);
    let out = dir.path().join("pred.csv");
    let (log, out_arg) = (
        log.to_str().unwrap().to_owned(),
        out.to_str().unwrap().to_owned(),
    );
    let (mut child, writing) = spawn_until_writing(
        &["predict", "--model", MODEL, &log, "-o", &out_arg],
        dir.path(),
    );
    assert!(writing, "the run ended before it started writing");
    kill(&child, signal);
    let status = child.wait().unwrap();
    (status.code(), out, dir)
}

#[cfg(unix)]
#[test]
fn interrupted_predict_leaves_no_temporary_file() {
    let (code, out, dir) = interrupted_predict("INT");
    assert_eq!(code, Some(130));
    assert!(!out.exists());
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn terminated_predict_leaves_no_temporary_file_and_exits_143() {
    let (code, out, dir) = interrupted_predict("TERM");
    assert_eq!(code, Some(143));
    assert!(!out.exists());
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_runs_temporary_is_removed_by_the_next_run() {
    let (code, out, dir) = interrupted_predict("KILL");
    assert_eq!(code, None, "killed by the signal");
    let left = temporaries(dir.path());
    assert_eq!(left.len(), 1, "SIGKILL cannot be caught: {left:?}");
    assert!(left[0].starts_with(".pred.csv.pathwise-tmp-"), "{left:?}");
    let out_arg = out.to_str().unwrap();
    let done = pathwise_cmd()
        .args(["predict", "--model", MODEL, LOG, "-o", out_arg])
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(0));
    assert!(out.exists());
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn output_through_a_symbolic_link_replaces_the_file_not_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    std::fs::write(&real, "old\n").unwrap();
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let out = pathwise_cmd()
        .args([
            "predict",
            "--model",
            MODEL,
            LOG,
            "-o",
            link.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&real)
            .unwrap()
            .starts_with("learner,skill,item")
    );
}

#[cfg(target_os = "linux")]
#[test]
fn output_to_a_full_device_is_written_directly_and_the_error_names_it() {
    use std::os::unix::fs::FileTypeExt;
    if !std::fs::metadata("/dev/full").is_ok_and(|m| m.file_type().is_char_device()) {
        return;
    }
    let mut cmd = pathwise_cmd();
    // A log of the model's own skills: no warning, so the error is the only line.
    let (model, log) = (
        "tests/fixtures/mismatch/model.json",
        "tests/fixtures/mismatch/model_skills.csv",
    );
    cmd.args(["-q", "predict", "--model", model, log, "-o", "/dev/full"]);
    let out = snapshot!("predict_to_dev_full", cmd);
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("/dev/full: cannot write: No space left on device"),
        "{err}"
    );
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn dash_output_is_standard_output_not_a_file_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args([
            "predict",
            "--model",
            &repo_file(MODEL),
            &repo_file(LOG),
            "-o",
            "-",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("learner,skill,item"));
    assert!(!dir.path().join("-").exists());
}

#[test]
fn dash_output_is_refused_where_one_stream_cannot_hold_it() {
    for (name, args) in [
        (
            "report_to_stdout",
            &["report", "--model", MODEL, "--graph", "g", LOG, "-o", "-"][..],
        ),
        ("fit_to_stdout", &["fit", LOG, "-o", "-"]),
        ("keygen_to_stdout", &["record", "keygen", "-o", "-"]),
    ] {
        let mut cmd = pathwise_cmd();
        cmd.args(args);
        let out = snapshot!(name, cmd);
        let (code, err) = one_line_error(&out);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("-o -"), "{err}");
    }
}

#[test]
fn output_into_a_missing_folder_fails_before_the_work() {
    let mut cmd = pathwise_cmd();
    cmd.args(["fit", LOG, "-o", "no/such/folder/model.json"]);
    let out = snapshot!("fit_into_missing_folder", cmd);
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("the folder no/such/folder does not exist"),
        "{err}"
    );
}
