//! End-to-end tests of `pathwise eval`: every learner tested exactly once, no leakage of a test
//! learner's later responses, JSON contract, determinism across thread counts, and one-line
//! exit-2 errors.

use crate::common::pathwise;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

fn fixture() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/eval_13_learners.csv")
        .to_string_lossy()
        .into_owned()
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// One prediction row of `--predictions`.
#[derive(Debug, Clone)]
struct Pred {
    model: String,
    fold: u32,
    learner: String,
    order: i64,
    correct: u8,
    p: String,
}

fn read_predictions(path: &Path) -> Vec<Pred> {
    let mut r = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "model",
            "fold",
            "learner",
            "item",
            "skills",
            "order",
            "correct",
            "p_correct"
        ]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            Pred {
                model: rec[0].to_owned(),
                fold: rec[1].parse().unwrap(),
                learner: rec[2].to_owned(),
                order: rec[5].parse().unwrap(),
                correct: rec[6].parse().unwrap(),
                p: rec[7].to_owned(),
            }
        })
        .collect()
}

fn run_with_predictions(log: &str, extra: &[&str], dir: &Path, name: &str) -> Vec<Pred> {
    let pred = dir.join(name);
    let pred_s = pred.to_string_lossy().into_owned();
    let mut args = vec!["eval", log, "--predictions", &pred_s, "--format", "json"];
    args.extend_from_slice(extra);
    ok(&pathwise(&args));
    read_predictions(&pred)
}

#[test]
fn every_learner_is_tested_exactly_once_with_13_learners_in_5_folds() {
    let dir = tempfile::tempdir().unwrap();
    let preds = run_with_predictions(&fixture(), &["--folds", "5"], dir.path(), "p.csv");
    for model in ["majority", "skill-mean", "afm", "pfa"] {
        let mine: Vec<&Pred> = preds.iter().filter(|p| p.model == model).collect();
        // Every response is scored once: 150 rows, each one response (four are multi-skill
        // `a~~b` rows, still scored once).
        assert_eq!(mine.len(), 150, "{model}");
        let keys: BTreeSet<(&str, i64)> =
            mine.iter().map(|p| (p.learner.as_str(), p.order)).collect();
        assert_eq!(keys.len(), 150);
        // Each learner in exactly one fold; fold sizes 3,3,3,2,2.
        let mut fold_of: BTreeMap<&str, BTreeSet<u32>> = BTreeMap::new();
        for p in &mine {
            fold_of.entry(&p.learner).or_default().insert(p.fold);
        }
        assert_eq!(fold_of.len(), 13);
        assert!(fold_of.values().all(|f| f.len() == 1));
        let mut sizes = [0; 5];
        for f in fold_of.values() {
            sizes[*f.iter().next().unwrap() as usize - 1] += 1;
        }
        sizes.sort();
        assert_eq!(sizes, [2, 2, 3, 3, 3]);
    }
}

#[test]
fn majority_predicts_the_correct_rate_of_the_other_folds() {
    let dir = tempfile::tempdir().unwrap();
    let preds = run_with_predictions(
        &fixture(),
        &["--folds", "3", "--models", "majority"],
        dir.path(),
        "p.csv",
    );
    for fold in 1..=3 {
        let train: Vec<&Pred> = preds.iter().filter(|p| p.fold != fold).collect();
        let rate = train.iter().map(|p| f64::from(p.correct)).sum::<f64>() / train.len() as f64;
        for p in preds.iter().filter(|p| p.fold == fold) {
            let got: f64 = p.p.parse().unwrap();
            assert!((got - rate).abs() < 1e-12, "fold {fold}: {got} vs {rate}");
        }
    }
}

/// Writes the fixture with learner `u05`'s last three responses flipped.
fn flipped_fixture(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let u05: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("u05,"))
        .collect();
    let flip: BTreeSet<usize> = u05[u05.len() - 3..].iter().copied().collect();
    let out: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            if !flip.contains(&i) {
                return (*line).to_owned();
            }
            let mut f: Vec<String> = line.split(',').map(str::to_owned).collect();
            f[3] = if f[3] == "1" { "0".into() } else { "1".into() };
            f.join(",")
        })
        .collect();
    let path = dir.join("flipped.csv");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
    path
}

#[test]
fn a_learners_later_responses_never_leak_into_their_earlier_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let flipped = flipped_fixture(dir.path());
    let flipped = flipped.to_string_lossy().into_owned();
    // Every model family, BKT variants included (learner-prior: its class posterior too).
    let models =
        "majority,skill-mean,afm,pfa,bkt,bkt-forgets,bkt-item,bkt-item-learn,bkt-learner-prior";
    for split in [
        &["--folds", "4", "--models", models][..],
        &[
            "--split",
            "time",
            "--test-fraction",
            "0.6",
            "--models",
            models,
        ][..],
    ] {
        let a = run_with_predictions(&fixture(), split, dir.path(), "a.csv");
        let b = run_with_predictions(&flipped, split, dir.path(), "b.csv");
        assert_eq!(a.len(), b.len());
        let orders: Vec<i64> = a
            .iter()
            .filter(|p| p.learner == "u05" && p.model == "pfa")
            .map(|p| p.order)
            .collect();
        assert!(orders.len() >= 4, "{split:?}");
        let first_flipped = {
            let all: Vec<i64> = std::fs::read_to_string(fixture())
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("u05,"))
                .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
                .collect();
            all[all.len() - 3]
        };
        let mut compared = 0;
        let mut changed_later = 0;
        for (pa, pb) in a.iter().zip(&b) {
            assert_eq!(
                (&pa.model, &pa.learner, pa.order),
                (&pb.model, &pb.learner, pb.order)
            );
            if pa.learner != "u05" {
                continue;
            }
            if pa.order <= first_flipped {
                assert_eq!(pa.p, pb.p, "{} at order {} ({split:?})", pa.model, pa.order);
                compared += 1;
            } else if pa.p != pb.p {
                changed_later += 1;
            }
        }
        assert!(compared >= 4);
        // The flipped responses are really seen by the online models afterwards.
        assert!(changed_later > 0, "{split:?}");
    }
}

#[test]
fn json_has_the_documented_fields() {
    let out = ok(&pathwise(&[
        "eval",
        &fixture(),
        "--folds",
        "5",
        "--format",
        "json",
        "--per-skill",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["folds"], 5);
    assert_eq!(v["split"], "learner");
    assert_eq!(v["tested_responses"], 150);
    let models = v["models"].as_array().unwrap();
    let names: Vec<&str> = models
        .iter()
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["majority", "skill-mean", "afm", "pfa"]);
    for m in models {
        assert_eq!(m["n"], 150);
        for key in ["auc", "rmse", "accuracy", "log_loss"] {
            let x = m[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x) || key == "log_loss", "{key} {x}");
            assert!(m[format!("{key}_mean")].is_number());
            assert!(m[format!("{key}_std")].is_number());
        }
        let folds = m["folds"].as_array().unwrap();
        assert_eq!(folds.len(), 5);
        let n: u64 = folds.iter().map(|f| f["n"].as_u64().unwrap()).sum();
        assert_eq!(n, 150);
        let skills: BTreeSet<&str> = m["per_skill"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["skill"].as_str().unwrap())
            .collect();
        assert_eq!(skills, BTreeSet::from(["add", "mul", "sub"]));
    }
    // The constant model has AUC 0.5 in every fold.
    let majority = &models[0];
    assert_eq!(majority["auc_mean"], 0.5);
    assert_eq!(majority["auc_std"], 0.0);
}

#[test]
fn output_is_identical_with_one_or_two_threads() {
    let run = |threads: &str| {
        ok(&pathwise(&[
            "eval",
            &fixture(),
            "--format",
            "csv",
            "--per-skill",
            "--threads",
            threads,
        ]))
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert!(one.starts_with("model,skill,n,auc,auc_mean,auc_std,rmse,"));
    assert_eq!(one.lines().count(), 1 + 4 * 4);
}

fn fails_with(args: &[&str], expected: &str) {
    let out = pathwise(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or_default();
    assert!(last.starts_with("pathwise: error: "), "{err}");
    assert!(last.contains(expected), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_arguments_exit_two_with_one_line() {
    let log = fixture();
    fails_with(
        &["eval", &log, "--models", "pfa,bkt9"],
        "unknown model 'bkt9'; known models: majority, skill-mean, afm, pfa, bkt, bkt-forgets, \
         bkt-item, bkt-item-learn, bkt-learner-prior",
    );
    fails_with(
        &["eval", &log, "--folds", "1"],
        "'--folds <K>': 1 is not in 2..=1000",
    );
    fails_with(
        &["eval", &log, "--folds", "14"],
        "--folds 14 needs at least 14 learners, the log has 13",
    );
    fails_with(
        &["eval", &log, "--split", "time", "--test-fraction", "1.5"],
        "strictly between 0 and 1",
    );
    fails_with(&["eval", "no/such/log.csv"], "no/such/log.csv");
}

#[test]
fn nothing_is_written_when_the_run_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let pred = dir.path().join("pred.csv");
    let o = pathwise(&[
        "eval",
        &fixture(),
        "--folds",
        "20",
        "-o",
        out.to_str().unwrap(),
        "--predictions",
        pred.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The shared datasets folder, when present.
fn shared_datasets() -> Option<PathBuf> {
    let dir = std::env::var_os("PATHWISE_SHARED_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets"));
    dir.is_dir().then_some(dir)
}

#[test]
fn baselines_learn_something_on_the_kdd_cup_sample() {
    let Some(shared) = shared_datasets() else {
        eprintln!("note: shared datasets not found; skipping the KDD Cup evaluation");
        return;
    };
    let d = shared.join("kddcup2010_algebra_2005_2006_pybkt_head");
    let (a, b) = (d.join("ct_part1.tsv"), d.join("ct_part2.tsv"));
    let out = ok(&pathwise(&[
        "eval",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    let auc = |name: &str| {
        v["models"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["model"] == name)
            .unwrap()["auc"]
            .as_f64()
            .unwrap()
    };
    assert!(auc("skill-mean") > 0.6, "{}", auc("skill-mean"));
    assert!(auc("pfa") > auc("skill-mean"), "{}", auc("pfa"));
    assert!(auc("afm") > auc("skill-mean"), "{}", auc("afm"));
}

#[test]
fn output_into_a_missing_folder_is_one_line_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("eval.json");
    let out = pathwise(&[
        "eval",
        &fixture(),
        "--models",
        "bkt",
        "-o",
        missing.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.trim_end().ends_with("no-such-folder does not exist"),
        "{stderr}"
    );
}
