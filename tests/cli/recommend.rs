//! End-to-end tests of `pathwise recommend` and `pathwise path` on a tiny curriculum
//! (tests/fixtures/recommend): output fields, the rules, determinism, warnings and bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/recommend")
        .join(name)
        .display()
        .to_string()
}

fn pathwise(args: &[&str], threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("the binary runs")
}

fn base(command: &str) -> Vec<String> {
    vec![
        command.to_owned(),
        "--model".into(),
        fixture("model.json"),
        "--graph".into(),
        fixture("graph.toml"),
        fixture("log.csv"),
    ]
}

fn run(command: &str, extra: &[&str]) -> Output {
    let mut args = base(command);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    pathwise(&args, "2")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> Vec<serde_json::Value> {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

#[test]
fn recommends_for_every_learner_with_all_fields() {
    let rows = json(&run("recommend", &["--format", "json"]));
    let learners: Vec<&str> = rows
        .iter()
        .map(|r| r["learner"].as_str().unwrap())
        .collect();
    let mut order = learners.clone();
    order.dedup();
    assert_eq!(order, ["ann", "bob", "cat", "dan"]);
    for r in &rows {
        for key in [
            "learner",
            "rank",
            "activity",
            "skill",
            "kind",
            "score",
            "components",
            "mastery",
            "estimate",
            "status",
            "p_correct",
            "remedial_for",
            "reason",
        ] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
        assert_ne!(r["status"], "mastered", "mastered skill recommended: {r}");
        for c in [
            "learning",
            "readiness",
            "persistence",
            "doubt",
            "forgetting",
            "unlock",
        ] {
            let v = r["components"][c].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&v), "{c} = {v}");
        }
        let reason = r["reason"].as_str().unwrap();
        assert!(
            !reason.contains("; -") && !reason.contains(" -0."),
            "{reason}"
        );
    }
    // ann mastered counting: addition and subtraction are ready, word problems are not.
    let ann: Vec<&serde_json::Value> = rows.iter().filter(|r| r["learner"] == "ann").collect();
    let skills: Vec<&str> = ann.iter().map(|r| r["skill"].as_str().unwrap()).collect();
    assert!(
        skills.contains(&"add") && skills.contains(&"sub"),
        "{skills:?}"
    );
    assert!(!skills.contains(&"word") && !skills.contains(&"count"));
    assert_eq!(ann[0]["rank"], 1);
    let reason = ann[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("Ready: prerequisite Counting mastered; estimate"),
        "{reason}"
    );
    // bob is still counting.
    let bob: Vec<&serde_json::Value> = rows.iter().filter(|r| r["learner"] == "bob").collect();
    assert_eq!(bob.len(), 1);
    assert_eq!(bob[0]["activity"], "count-1");
    assert_eq!(bob[0]["kind"], "learn");
    // dan mastered everything the model knows: "story" (not in the model) falls back to the
    // population average and, with no activity, is recommended by itself.
    let dan: Vec<&serde_json::Value> = rows.iter().filter(|r| r["learner"] == "dan").collect();
    assert_eq!(dan.len(), 1);
    assert_eq!(dan[0]["skill"], "story");
    assert!(dan[0]["activity"].is_null());
    assert!(
        dan[0]["reason"]
            .as_str()
            .unwrap()
            .ends_with("no activity in the graph practises it")
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let mut args = base("recommend");
    args.extend(["--format".to_owned(), "csv".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let one = pathwise(&args, "1");
    let two = pathwise(&args, "2");
    assert_eq!(one.status.code(), Some(0));
    assert_eq!(one.stdout, two.stdout);
    let text = stdout(&one);
    assert!(text.starts_with(
        "learner,rank,activity,skill,kind,score,components,mastery,estimate,status,p_correct,reason\n"
    ));
}

#[test]
fn warns_about_skills_the_graph_and_model_do_not_share() {
    let out = run("recommend", &["--format", "csv"]);
    let err = stderr(&out);
    assert!(
        err.contains("1 graph skills are not in the model (story)"),
        "{err}"
    );
    assert!(
        err.contains("1 model skills are not in the graph (geometry)"),
        "{err}"
    );
    assert!(
        err.contains("1 log skills are not in the graph (fractions)"),
        "{err}"
    );
    assert!(
        err.contains("1 log skills are not in the model (fractions)"),
        "{err}"
    );
}

#[test]
fn goals_label_prerequisites_and_top_limits() {
    let rows = json(&run(
        "recommend",
        &[
            "--learner",
            "ann",
            "--goal",
            "word",
            "--top",
            "1",
            "--format",
            "json",
        ],
    ));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["kind"], "prerequisite");
    let reason = rows[0]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("Prerequisite on the way to Word problems (1 step)."),
        "{reason}"
    );
    // A goal that is mastered: nothing to recommend, and stderr says why.
    let out = run(
        "recommend",
        &["--learner", "dan", "--goal", "word", "--format", "json"],
    );
    assert_eq!(json(&out).len(), 0);
    assert!(
        stderr(&out).contains(
            "learner 'dan': no recommendation: all 4 skills on the way to the goals are mastered"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn path_orders_the_unmastered_ancestors_with_expected_practice() {
    let out = run(
        "path",
        &["--learner", "bob", "--goal", "word", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("learner,step,skill,mastery,estimate,status,expected_opportunities,minutes")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let skills: Vec<&str> = rows.iter().map(|r| r[2]).collect();
    assert_eq!(skills.len(), 4, "{skills:?}");
    assert_eq!(skills[0], "count");
    assert_eq!(skills[3], "word");
    for r in &rows {
        let e: f64 = r[6].parse().unwrap();
        let minutes: f64 = r[7].parse().unwrap();
        // Mastery needs three correct answers in a row: never fewer than 3 opportunities for a
        // skill that has none yet.
        assert!((1.0..60.0).contains(&e), "{r:?}");
        assert!(minutes > e, "{r:?}"); // every activity here takes ≥ 5 minutes
    }
    let table = run("path", &["--learner", "bob", "--goal", "word"]);
    assert!(
        stdout(&table).contains("total: 4 skills"),
        "{}",
        stdout(&table)
    );
}

#[test]
fn path_json_has_the_documented_fields() {
    let rows = json(&run("path", &["--learner", "ann", "--format", "json"]));
    // Without goals the whole graph is the goal: everything but counting.
    let skills: Vec<&str> = rows.iter().map(|r| r["skill"].as_str().unwrap()).collect();
    assert_eq!(skills.len(), 4);
    assert!(!skills.contains(&"count"));
    assert_eq!(*skills.last().unwrap(), "story");
    for r in &rows {
        for key in [
            "learner",
            "step",
            "skill",
            "mastery",
            "estimate",
            "status",
            "expected_opportunities",
            "minutes",
        ] {
            assert!(r.get(key).is_some(), "missing {key} in {r}");
        }
    }
    // story has no activity: no minutes.
    assert!(rows.last().unwrap()["minutes"].is_null());
}

#[test]
fn unknown_goal_is_one_line_exit_two_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let file: PathBuf = dir.path().join("out.csv");
    let out = run(
        "recommend",
        &["--goal", "calculus", "-o", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    let last = err.lines().last().unwrap();
    assert!(
        last.starts_with("pathwise: error: skill 'calculus'"),
        "{err}"
    );
    assert!(!file.exists());
}

#[test]
fn bad_inputs_exit_two_with_one_line() {
    for (flag, value, rule) in [
        (
            "--mastery",
            "1.5",
            "the mastery threshold must be in (0, 1)",
        ),
        ("--streak", "0", "the mastery streak must be 1 to 1000"),
        (
            "--spinning",
            "2",
            "the wheel-spinning count must exceed the streak",
        ),
        ("--ready", "0", "the ready threshold must be in (0, 1)"),
    ] {
        let out = run("recommend", &[flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(stderr(&out).contains(rule), "{flag}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }

    let out = pathwise(
        &[
            "recommend",
            "--model",
            "no-such.json",
            "--graph",
            &fixture("graph.toml"),
            &fixture("log.csv"),
        ],
        "1",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such.json"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn a_cycle_is_an_error_unless_edges_are_dropped() {
    let args = |drop: bool| {
        let mut a = vec![
            "recommend".to_owned(),
            "--model".into(),
            fixture("model.json"),
            "--graph".into(),
            fixture("cycle.toml"),
            fixture("log.csv"),
            "--format".into(),
            "csv".into(),
        ];
        if drop {
            a.push("--drop-cycle-edges".into());
        }
        a
    };
    let a = args(false);
    let out = pathwise(&a.iter().map(String::as_str).collect::<Vec<_>>(), "1");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cycle"), "{}", stderr(&out));
    let a = args(true);
    let out = pathwise(&a.iter().map(String::as_str).collect::<Vec<_>>(), "1");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("dropped 1 edge"), "{}", stderr(&out));
}
