//! End-to-end tests of `pathwise report`: the page's numbers equal the CSV's, ids are escaped,
//! `--group-by` and `--learners` shape the cohorts, bad input exits 2 with one line and leaves no
//! folder, and the page renders in headless Chromium.

use crate::common::pathwise;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/report")
        .join(name)
}

/// A model fitted on the fixture class with the library, written into `dir`.
fn fitted_model(dir: &Path) -> PathBuf {
    fitted_model_of(dir, &fixture("class.csv"))
}

/// A model fitted on the log `log` with the library, written into `dir`.
fn fitted_model_of(dir: &Path, log: &Path) -> PathBuf {
    let options = pathwise_datasets::LogOptions {
        preset: Some(pathwise_datasets::Preset::Generic),
        ..Default::default()
    };
    let log = pathwise_datasets::load_logs(&[log.to_path_buf()], &options)
        .unwrap()
        .log;
    let model = pathwise::fit(&log, &pathwise::FitOptions::default(), |_| {
        std::ops::ControlFlow::Continue(())
    })
    .unwrap();
    let path = dir.join("model.json");
    std::fs::write(&path, model.to_json()).unwrap();
    path
}

struct Run {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    output: Output,
}

fn report(extra: &[&str]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let output = run_report(&report_args(tmp.path(), &out, extra));
    Run {
        _tmp: tmp,
        out,
        output,
    }
}

/// The arguments of a report on the fixture class into `out`, with a model fitted into `dir`.
fn report_args(dir: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let model = fitted_model(dir);
    let mut args: Vec<String> = [
        "report",
        "--model",
        model.to_str().unwrap(),
        "--graph",
        fixture("curriculum.toml").to_str().unwrap(),
        fixture("class.csv").to_str().unwrap(),
        "--preset",
        "generic",
        "-o",
        out.to_str().unwrap(),
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|a| a.to_string()));
    args
}

/// Exit 0, or the run's stderr in the failure message.
fn assert_success(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A report on the fixture class with the fitted model changed by `edit` (its JSON).
fn report_with_model(edit: impl FnOnce(&mut serde_json::Value)) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let args = report_args(tmp.path(), &out, &[]);
    let model_path = PathBuf::from(&args[2]);
    let mut model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model_path).unwrap()).unwrap();
    edit(&mut model);
    std::fs::write(&model_path, serde_json::to_string(&model).unwrap()).unwrap();
    let output = run_report(&args);
    assert_success(&output);
    Run {
        _tmp: tmp,
        out,
        output,
    }
}

/// Runs a report with `args` (from [`report_args`]).
fn run_report(args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    pathwise(&args)
}

fn assert_ok(run: &Run) {
    assert_eq!(
        run.output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&run.output.stderr)
    );
}

/// The texts of every `<td class="c-COL…">` cell inside the table opened by `scope`.
fn cells(page: &str, scope: &str, col: &str) -> Vec<String> {
    let start = page
        .find(scope)
        .unwrap_or_else(|| panic!("{scope} on the page"));
    let end = page[start..]
        .find("</table>")
        .map_or(page.len(), |e| start + e);
    let open = format!("<td class=\"c-{col}");
    let mut out = Vec::new();
    let mut rest = &page[start..end];
    while let Some(at) = rest.find(&open) {
        let after = &rest[at..];
        let gt = after.find('>').unwrap();
        let close = after.find("</td>").unwrap();
        out.push(unescape(&after[gt + 1..close]));
        rest = &after[close..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn csv_column(path: &Path, col: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == col)
        .unwrap_or_else(|| panic!("{col} in {}", path.display()));
    r.records().map(|rec| rec.unwrap()[i].to_owned()).collect()
}

fn summary_value(page: &str, key: &str) -> String {
    let open = format!("<b class=\"s-{key}\">");
    let at = page.find(&open).unwrap() + open.len();
    let end = page[at..].find("</b>").unwrap();
    unescape(&page[at..at + end])
}

#[test]
fn page_numbers_equal_the_csv_numbers_and_ids_are_escaped() {
    let run = report(&[]);
    assert_ok(&run);
    let page = std::fs::read_to_string(run.out.join("index.html")).unwrap();
    assert!(
        !page.contains("<script>"),
        "an id reached the page unescaped"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("ann &amp; bob"));
    assert!(page.contains("Counting &amp; &lt;numbers&gt;"));

    let learners = run.out.join("learners.csv");
    let skills = run.out.join("skills.csv");
    let ids = csv_column(&learners, "learner");
    assert_eq!(ids.len(), 16);
    assert_eq!(summary_value(&page, "learners"), "16");
    assert_eq!(summary_value(&page, "skills"), "4");
    let responses: u64 = csv_column(&learners, "responses")
        .iter()
        .map(|r| r.parse::<u64>().unwrap())
        .sum();
    assert_eq!(responses, 533);
    assert_eq!(summary_value(&page, "responses"), "533");
    assert_eq!(summary_value(&page, "range"), "2024-09-02 – 2024-10-12");

    // Skills in curriculum order, same counts on the page and in the CSV.
    assert_eq!(csv_column(&skills, "skill"), ["count", "add", "sub", "mul"]);
    for col in pathwise_report::html::SKILL_COUNTS_SHOWN {
        assert_eq!(
            cells(&page, "<table class=\"skills\"", col),
            csv_column(&skills, col),
            "skills.csv column {col}"
        );
    }
    for i in 0..4 {
        let row = |c: &str| csv_column(&skills, c)[i].parse::<usize>().unwrap();
        assert_eq!(row("mastered") + row("ready") + row("not_ready"), 16);
    }
    for col in [
        "learner",
        "rank",
        "group",
        "mastered",
        "mean_mastery",
        "top_skill_name",
        "top_activity",
        "top_reason",
    ] {
        assert_eq!(
            cells(&page, "<table class=\"learners\"", col),
            csv_column(&learners, col),
            "learners.csv column {col}"
        );
    }
    // Every learner with a recommendation has a reason a teacher can read.
    for (skill, reason) in csv_column(&learners, "top_skill")
        .iter()
        .zip(csv_column(&learners, "top_reason"))
    {
        assert_eq!(skill.is_empty(), reason.is_empty());
    }
    // s02 spun its wheels on addition: 14 attempts, mostly wrong.
    let stuck = run.out.join("stuck.csv");
    let stuck_learners = csv_column(&stuck, "learner");
    let at = stuck_learners.iter().position(|l| l == "s02").unwrap();
    assert_eq!(csv_column(&stuck, "skill")[at], "add");
    assert_eq!(csv_column(&stuck, "attempts")[at], "14");
    assert_eq!(
        cells(&page, "<table class=\"stuck\"", "learner"),
        stuck_learners
    );
    assert_eq!(
        cells(&page, "<table class=\"stuck\"", "mastery"),
        csv_column(&stuck, "mastery")
    );
    // s03 and s09 stopped after ten days: no recent activity.
    let inactive = csv_column(&run.out.join("inactive.csv"), "learner");
    assert!(inactive.contains(&"s03".to_owned()) && inactive.contains(&"s09".to_owned()));
    assert_eq!(
        cells(&page, "<table class=\"inactive\"", "learner"),
        inactive
    );
    // Groups: every learner in exactly one, the page lists the same groups.
    let groups = run.out.join("groups.csv");
    let sizes: usize = csv_column(&groups, "learners")
        .iter()
        .map(|s| s.parse::<usize>().unwrap())
        .sum();
    assert_eq!(sizes, 16);
    assert_eq!(
        page.matches("<div class=\"group\"").count(),
        csv_column(&groups, "group").len()
    );
    let mastery = run.out.join("mastery.csv");
    assert_eq!(csv_column(&mastery, "learner"), ids);
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    assert!(stdout.starts_with("All learners: 16 learners, 4 skills, 533 attempts"));
}

/// The regression of issue 17 (ASSISTments skill 22, prior 0.979: 4,148 of 4,150 learners shown
/// as mastered, 229 had attempted it): a skill with a prior of 0.99 that three learners never
/// attempted counts none of them as mastered, shows no number for them, and its mastered count
/// never exceeds the learners who attempted it.
#[test]
fn report_counts_a_high_prior_skill_never_attempted_as_not_assessed() {
    let run = report_with_model(|model| model["skills"]["mul"]["prior"] = serde_json::json!(0.99));
    let out = &run.out;

    let skills = out.join("skills.csv");
    let at = csv_column(&skills, "skill")
        .iter()
        .position(|s| s == "mul")
        .unwrap();
    let col = |c: &str| csv_column(&skills, c)[at].parse::<usize>().unwrap();
    assert_eq!(col("not_assessed"), 3);
    assert_eq!(col("learners_attempted"), 13);
    assert!(col("mastered") <= col("learners_attempted"));
    // Never attempted: an empty cell in mastery.csv, no row in evidence.csv.
    let never: Vec<String> = {
        let log = std::fs::read_to_string(fixture("class.csv")).unwrap();
        let mut r = csv::Reader::from_reader(log.as_bytes());
        let rows: Vec<(String, String)> = r
            .records()
            .map(|x| {
                let x = x.unwrap();
                (x[0].to_owned(), x[1].to_owned())
            })
            .collect();
        let mut all: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        all.sort();
        all.dedup();
        all.into_iter()
            .filter(|l| !rows.iter().any(|r| &r.0 == l && r.1 == "mul"))
            .collect()
    };
    assert_eq!(never.len(), 3);
    let learners = csv_column(&out.join("mastery.csv"), "learner");
    let mul = csv_column(&out.join("mastery.csv"), "mul");
    for l in &never {
        let i = learners.iter().position(|x| x == l).unwrap();
        assert_eq!(mul[i], "", "{l}");
    }
    let ev_learners = csv_column(&out.join("evidence.csv"), "learner");
    let ev_skills = csv_column(&out.join("evidence.csv"), "skill");
    assert!(
        !ev_learners
            .iter()
            .zip(&ev_skills)
            .any(|(l, s)| s == "mul" && never.contains(l))
    );
    // Every status in evidence.csv is one of the four, and "mastered" rows agree with the count.
    let status = csv_column(&out.join("evidence.csv"), "status");
    let mastered_mul = ev_skills
        .iter()
        .zip(&status)
        .filter(|(s, st)| *s == "mul" && *st == "mastered")
        .count();
    assert_eq!(mastered_mul, col("mastered"));
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("not assessed (no attempts)</title>"));
}

/// Issue 17: nine ASSISTments skills fit guess at the bound and one of them was the top pick for
/// 75% of learners without a word. A model whose every skill has guess at 0.499 (flag
/// `guess_high`): the skills table and the Flagged fits list name the flag, no group's next step
/// rests on a flagged skill, and the class-wide top pick carries a warning on the page and in
/// the terminal summary.
#[test]
fn report_marks_flagged_fits_and_warns_on_a_flagged_top_pick() {
    let run = report_with_model(|model| {
        for (_, skill) in model["skills"].as_object_mut().unwrap() {
            skill["guess"] = serde_json::json!(0.499);
        }
    });
    let (out, output) = (&run.out, &run.output);
    for flags in csv_column(&out.join("skills.csv"), "flags") {
        assert!(flags.split(';').any(|f| f == "guess_high"), "{flags}");
    }
    assert!(
        csv_column(&out.join("groups.csv"), "next_skill")
            .iter()
            .all(String::is_empty)
    );
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(page.contains("id=\"top-pick-warning\""));
    assert!(page.contains("<td class=\"c-flags\">guess_high"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("rests on a flagged fit (guess_high"),
        "{stdout}"
    );
}

#[test]
fn json_format_writes_the_same_numbers() {
    let csv_run = report(&[]);
    let json_run = report(&["--format", "json"]);
    assert_ok(&csv_run);
    assert_ok(&json_run);
    assert!(!json_run.out.join("skills.csv").exists());
    let text = std::fs::read_to_string(json_run.out.join("skills.json")).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&text).unwrap();
    let csv_path = csv_run.out.join("skills.csv");
    for col in ["mastered", "ready", "not_assessed", "mean_mastery"] {
        let from_csv: Vec<Option<f64>> = csv_column(&csv_path, col)
            .iter()
            .map(|v| v.parse().ok())
            .collect();
        let from_json: Vec<Option<f64>> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[col].as_f64())
            .collect();
        assert_eq!(from_csv, from_json, "{col}");
    }
    let summary: serde_json::Value = serde_json::from_slice(&json_run.output.stdout).unwrap();
    assert_eq!(summary["cohorts"][0]["learners"], 16);
    assert_eq!(summary["cohorts"][0]["responses"], 533);
    // Same input, same page and tables, byte for byte.
    let again = report(&[]);
    for file in [
        "index.html",
        "learners.csv",
        "skills.csv",
        "groups.csv",
        "mastery.csv",
        "evidence.csv",
        "stuck.csv",
    ] {
        let a = std::fs::read_to_string(csv_run.out.join(file)).unwrap();
        let b = std::fs::read_to_string(again.out.join(file)).unwrap();
        assert!(a == b, "{file} differs between two runs");
    }
}

#[test]
fn group_by_writes_one_folder_per_class_and_an_index() {
    let run = report(&["--group-by", "group"]);
    assert_ok(&run);
    let index = std::fs::read_to_string(run.out.join("index.html")).unwrap();
    assert!(index.contains("<a href=\"5_2Fb_20_3Cx_3E/index.html\">5/b &lt;x&gt;</a>"));
    assert!(index.contains("<a href=\"5a/index.html\">5a</a>"));
    let cohorts = run.out.join("cohorts.csv");
    assert_eq!(csv_column(&cohorts, "cohort"), ["5/b <x>", "5a"]);
    assert_eq!(csv_column(&cohorts, "learners"), ["8", "8"]);
    for folder in ["5a", "5_2Fb_20_3Cx_3E"] {
        let page = std::fs::read_to_string(run.out.join(folder).join("index.html")).unwrap();
        assert!(page.contains("href=\"../index.html\""));
        let n = csv_column(&run.out.join(folder).join("learners.csv"), "learner").len();
        assert_eq!(n, 8);
    }
    let a = csv_column(&run.out.join("5a/learners.csv"), "learner");
    assert!(a.contains(&"ann & bob".to_owned()));
}

#[test]
fn learners_file_limits_the_cohort() {
    let list = fixture("some_learners.csv");
    let run = report(&["--learners", list.to_str().unwrap(), "--groups", "1"]);
    assert_ok(&run);
    let mut ids = csv_column(&run.out.join("learners.csv"), "learner");
    ids.sort();
    assert_eq!(ids, ["ann & bob", "s05"]);
    assert_eq!(csv_column(&run.out.join("groups.csv"), "learners"), ["2"]);
}

fn assert_one_line_exit_2(run: &Run, needle: &str) {
    assert_eq!(run.output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&run.output.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("preset")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("pathwise: error: "), "{err}");
    assert!(lines[0].contains(needle), "{err}");
    assert!(!run.out.exists(), "a report folder was left behind");
    let parent = run.out.parent().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(parent)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("pathwise-tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary folders left: {leftovers:?}"
    );
}

/// One rule: the report judges every (learner, skill) cell by the same mastery rule as
/// `recommend` (the shared `--mastery/--streak/--spinning`, the estimate P(known)/ceiling of a
/// model with forgetting), so wherever `recommend` names a learner's skill, the report's evidence
/// table gives it the same status and estimate (a skill with no row there is not assessed).
#[test]
fn report_and_recommend_agree_on_every_status() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let rule = ["--mastery", "0.9", "--streak", "2", "--spinning", "4"];
    let args = report_args(tmp.path(), &out, &rule);
    // A model with forgetting: the estimate differs from P(known).
    let (model, log) = (args[2].as_str(), args[5].as_str());
    let fit = ["fit", log, "--forgets", "--preset", "generic", "-o", model];
    assert_success(&pathwise(&fit));
    assert_success(&run_report(&args));
    let recs = tmp.path().join("recs.csv");
    let mut rec_args: Vec<&str> = vec!["recommend"];
    // The model, graph, log and preset of the report's arguments.
    rec_args.extend(args[1..8].iter().map(String::as_str));
    rec_args.extend(rule);
    rec_args.extend([
        "--top",
        "20",
        "--format",
        "csv",
        "-o",
        recs.to_str().unwrap(),
    ]);
    assert_success(&pathwise(&rec_args));
    let evidence = out.join("evidence.csv");
    let cell = |c: &str| csv_column(&evidence, c);
    let (ev_learner, ev_skill, ev_status, ev_estimate) = (
        cell("learner"),
        cell("skill"),
        cell("status"),
        cell("estimate"),
    );
    let rec = |c: &str| csv_column(&recs, c);
    let (learners, skills, statuses, estimates) =
        (rec("learner"), rec("skill"), rec("status"), rec("estimate"));
    assert!(learners.len() >= 10, "too few recommendations to compare");
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..learners.len() {
        let row = (0..ev_learner.len())
            .find(|&j| ev_learner[j] == learners[i] && ev_skill[j] == skills[i]);
        match row {
            Some(j) => {
                assert_eq!(ev_status[j], statuses[i], "{} {}", learners[i], skills[i]);
                assert_eq!(
                    ev_estimate[j], estimates[i],
                    "{} {}",
                    learners[i], skills[i]
                );
            }
            None => assert_eq!(statuses[i], "not_assessed", "{} {}", learners[i], skills[i]),
        }
        seen.insert(statuses[i].clone());
    }
    // The comparison covers several statuses (the low spinning count makes some stuck).
    assert!(seen.len() >= 3, "{seen:?}");
    let p_known = cell("mastery");
    assert!((0..ev_estimate.len()).any(|j| ev_estimate[j] != p_known[j]));
    // The report counts the same rule's mastered cells.
    let mastered = ev_status.iter().filter(|s| *s == "mastered").count();
    let skills_csv = out.join("skills.csv");
    let per_skill: usize = csv_column(&skills_csv, "mastered")
        .iter()
        .map(|m| m.parse::<usize>().unwrap())
        .sum();
    assert_eq!(mastered, per_skill);
}

#[test]
fn bad_input_exits_2_with_one_line_and_writes_nothing() {
    let unknown = fixture("unknown_learners.csv");
    let run = report(&["--learners", unknown.to_str().unwrap()]);
    assert_one_line_exit_2(&run, "unknown_learners.csv:2");
    assert!(String::from_utf8_lossy(&run.output.stderr).contains("learner 'nobody'"));

    let run = report(&["--mastery", "1.5"]);
    assert_one_line_exit_2(&run, "mastery");
    let run = report(&["--streak", "5", "--spinning", "5"]);
    assert_one_line_exit_2(&run, "wheel-spinning");

    let run = report(&["--group-by", "no_such_column"]);
    assert_one_line_exit_2(&run, "no_such_column");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let bad_model = tmp.path().join("model.json");
    std::fs::write(&bad_model, "{ not json").unwrap();
    let output = pathwise(&[
        "report",
        "--model",
        bad_model.to_str().unwrap(),
        "--graph",
        fixture("curriculum.toml").to_str().unwrap(),
        fixture("class.csv").to_str().unwrap(),
        "--preset",
        "generic",
        "-o",
        out.to_str().unwrap(),
    ]);
    let run = Run {
        _tmp: tmp,
        out,
        output,
    };
    assert_one_line_exit_2(&run, "model.json");
}

#[test]
fn a_failed_run_keeps_the_previous_report() {
    let run = report(&[]);
    assert_ok(&run);
    let before = std::fs::read(run.out.join("index.html")).unwrap();
    let model = run.out.parent().unwrap().join("model.json");
    let output = pathwise(&[
        "report",
        "--model",
        model.to_str().unwrap(),
        "--graph",
        fixture("curriculum.toml").to_str().unwrap(),
        fixture("class.csv").to_str().unwrap(),
        "--preset",
        "generic",
        "--learners",
        fixture("unknown_learners.csv").to_str().unwrap(),
        "-o",
        run.out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read(run.out.join("index.html")).unwrap(), before);
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Exit 2 with one line that names `folder` and says it was not replaced.
fn assert_refused(output: &Output, folder: &str, why: &str) {
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.contains("preset")).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("pathwise: error: ") && lines[0].contains(folder),
        "{err}"
    );
    assert!(
        lines[0].contains("not replaced") && lines[0].contains(why),
        "{err}"
    );
}

#[test]
fn report_refuses_a_folder_it_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let mydocs = tmp.path().join("mydocs");
    std::fs::create_dir(&mydocs).unwrap();
    std::fs::write(mydocs.join("thesis.txt"), "years of work").unwrap();
    let output = run_report(&report_args(tmp.path(), &mydocs, &[]));
    assert_refused(&output, "mydocs", "did not write");
    assert_eq!(names_in(&mydocs), ["thesis.txt"]);
    assert_eq!(
        std::fs::read_to_string(mydocs.join("thesis.txt")).unwrap(),
        "years of work"
    );
    assert_eq!(names_in(tmp.path()), ["model.json", "mydocs"]);
}

#[test]
fn report_refuses_a_file_in_place_of_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("notes.txt");
    std::fs::write(&file, "keep me").unwrap();
    let output = run_report(&report_args(tmp.path(), &file, &[]));
    assert_refused(&output, "notes.txt", "is a file");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
}

#[cfg(unix)]
#[test]
fn report_refuses_a_symbolic_link_and_leaves_what_it_leads_to() {
    let tmp = tempfile::tempdir().unwrap();
    // Even a link to an earlier report: a link is never followed to delete.
    let earlier = tmp.path().join("earlier");
    let output = run_report(&report_args(tmp.path(), &earlier, &[]));
    assert_eq!(output.status.code(), Some(0));
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&earlier, &link).unwrap();
    let before = names_in(&earlier);
    let output = run_report(&report_args(tmp.path(), &link, &[]));
    assert_refused(&output, "link", "symbolic link");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(names_in(&earlier), before);
}

#[test]
fn report_uses_an_empty_folder_and_replaces_only_its_own_earlier_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    std::fs::create_dir(&out).unwrap();
    let args = report_args(tmp.path(), &out, &[]);
    assert_eq!(run_report(&args).status.code(), Some(0));
    let marker = std::fs::read_to_string(out.join(".pathwise-report")).unwrap();
    assert!(
        marker.starts_with("pathwise report folder, format 1\n"),
        "{marker}"
    );
    // Its own earlier output is replaced as a whole: a stale table of another format goes.
    std::fs::write(out.join("skills.json"), "[]").unwrap();
    assert_eq!(run_report(&args).status.code(), Some(0));
    assert!(!out.join("skills.json").exists());
    assert!(out.join("skills.csv").is_file());
    assert_eq!(names_in(tmp.path()), ["model.json", "report"]);
    // A marker of another command or format is not this command's.
    std::fs::write(
        out.join(".pathwise-report"),
        "pathwise report folder, format 0\n",
    )
    .unwrap();
    assert_refused(&run_report(&args), "report", "did not write");
}

#[cfg(target_os = "linux")]
#[test]
fn report_removes_the_stale_temporary_folders_of_a_killed_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    // pid_max is at most 2^22 on Linux: these processes cannot exist.
    let stale = tmp.path().join(".report.pathwise-tmp-4999999-0");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(
        stale.join(".pathwise-report"),
        "pathwise report folder, format 1\n",
    )
    .unwrap();
    std::fs::write(stale.join("index.html"), "half").unwrap();
    let other = tmp.path().join(".other.pathwise-tmp-4999999-0");
    std::fs::create_dir(&other).unwrap();
    let output = run_report(&report_args(tmp.path(), &out, &[]));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        names_in(tmp.path()),
        [".other.pathwise-tmp-4999999-0", "model.json", "report"]
    );
}

/// Issue 14: a report stopped by SIGTERM left its temporary folder behind when the signal landed
/// in the first milliseconds. The run stops itself at each named point of its writing
/// (`PATHWISE_SIGTERM_AT`, a checkpoint that sends SIGTERM and waits for the handler), so every
/// point is hit whatever the machine's load; a run without the cleanup (no handler, a temporary
/// not registered) fails here. Fresh and over an earlier report: afterwards there is either no
/// folder or a whole one (the earlier or the new), and nothing else.
#[cfg(unix)]
#[test]
fn report_stopped_by_sigterm_leaves_no_temporary_folder() {
    let stages = [
        "folder-created",
        "marker-written",
        "cohort-written",
        "before-swap",
        "after-swap",
    ];
    for earlier in [false, true] {
        for stage in stages {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("report");
            let args = report_args(tmp.path(), &out, &["--group-by", "group"]);
            if earlier {
                assert_eq!(run_report(&args).status.code(), Some(0));
                std::fs::write(out.join("cohorts.csv"), "earlier").unwrap();
            }
            let mut child = Command::new(env!("CARGO_BIN_EXE_pathwise"))
                .args(&args)
                .env("PATHWISE_SIGTERM_AT", stage)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
            let status = loop {
                if let Some(status) = child.try_wait().unwrap() {
                    break status;
                }
                if std::time::Instant::now() > deadline {
                    let _ = child.kill();
                    panic!("{stage}: the run did not stop after its SIGTERM");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            };
            let what = format!("{stage} (earlier report: {earlier})");
            assert_eq!(status.code(), Some(143), "{what}: {status}");
            let names = names_in(tmp.path());
            assert_eq!(
                names,
                ["model.json", "report"][..1 + usize::from(earlier || stage == "after-swap")],
                "{what}"
            );
            if out.exists() {
                assert!(out.join(".pathwise-report").is_file(), "{what}");
                let cohorts = std::fs::read_to_string(out.join("cohorts.csv")).unwrap();
                // Before the swap the earlier report stands, after it the new one.
                assert_eq!(cohorts == "earlier", stage != "after-swap", "{what}");
            }
        }
    }
}

/// Every CSV file under `dir`, recursively.
fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(csv_files(&path));
        } else if path.extension().is_some_and(|e| e == "csv") {
            files.push(path);
        }
    }
    files
}

#[test]
fn report_csv_cells_never_start_a_spreadsheet_formula() {
    // The fixture class with ids, a skill and a class value that spreadsheets would run.
    let hostile = [
        ("s02", "=HYPERLINK(\"http://evil.example\",\"x\")"),
        ("s03", "+cmd|' /C calc'!A0"),
        ("s04", "-2+3"),
        ("s05", "@SUM(1+1)"),
        ("s06", "\tTAB"),
        ("s07", "\rCR"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("class.csv");
    let mut reader = csv::Reader::from_path(fixture("class.csv")).unwrap();
    let mut writer = csv::Writer::from_path(&log).unwrap();
    writer.write_record(reader.headers().unwrap()).unwrap();
    for record in reader.records() {
        let mut row: Vec<String> = record.unwrap().iter().map(String::from).collect();
        if let Some((_, id)) = hostile.iter().find(|(from, _)| *from == row[0]) {
            row[0] = (*id).to_owned();
        }
        if row[1] == "count" {
            row[1] = "=1+1".into();
        }
        if row[5] == "5a" {
            row[5] = "=5a".into();
        }
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
    let graph = tmp.path().join("curriculum.toml");
    let toml = std::fs::read_to_string(fixture("curriculum.toml"))
        .unwrap()
        .replace("id = \"count\"", "id = \"=1+1\"")
        .replace("[\"count\"]", "[\"=1+1\"]")
        .replace("Counting & <numbers>", "-Counting");
    std::fs::write(&graph, toml).unwrap();
    let model = fitted_model_of(tmp.path(), &log);
    let out = tmp.path().join("report");
    let args = [
        "report",
        "--model",
        model.to_str().unwrap(),
        "--graph",
        graph.to_str().unwrap(),
        log.to_str().unwrap(),
        "--preset",
        "generic",
        "--group-by",
        "group",
        "-o",
        out.to_str().unwrap(),
    ];
    let output = pathwise(&args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let files = csv_files(&out);
    assert_eq!(files.len(), 1 + 2 * 7, "{files:?}");
    for file in &files {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(file)
            .unwrap();
        for record in r.records() {
            for cell in record.unwrap().iter() {
                let number = cell.trim_start_matches(['-', '+']).parse::<f64>().is_ok();
                assert!(
                    number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{}: {cell:?}",
                    file.display()
                );
            }
        }
    }
    let learners: Vec<String> = ["_3D5a", "5_2Fb_20_3Cx_3E"]
        .iter()
        .flat_map(|f| csv_column(&out.join(f).join("learners.csv"), "learner"))
        .collect();
    for (_, id) in hostile {
        assert!(
            learners.contains(&format!("'{id}")),
            "{id:?} in {learners:?}"
        );
    }
    assert_eq!(csv_column(&out.join("cohorts.csv"), "cohort")[1], "'=5a");
    let header = std::fs::read_to_string(out.join("_3D5a/mastery.csv")).unwrap();
    assert!(header.starts_with("learner,'=1+1,add,"), "{header}");
}

/// The headless Chromium binary, if installed. With `PATHWISE_REQUIRE_CHROMIUM=1` (CI) a
/// missing browser fails the test instead of skipping it.
fn chromium() -> Option<PathBuf> {
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        let found = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        });
        if found.is_some() {
            return found;
        }
    }
    assert!(
        std::env::var("PATHWISE_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
        "PATHWISE_REQUIRE_CHROMIUM=1 but no chromium on PATH"
    );
    eprintln!("note: chromium not found on PATH; skipping the browser rendering test");
    None
}

fn chromium_run(browser: &Path, profile: &Path, args: &[String]) -> Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs")
}

#[test]
fn the_page_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        return;
    };
    let run = report(&[]);
    assert_ok(&run);
    let url = format!("file://{}", run.out.join("index.html").display());
    let profile = tempfile::tempdir().unwrap();

    let dom = chromium_run(
        &browser,
        profile.path(),
        &["--dump-dom".into(), url.clone()],
    );
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    for key in [
        "<h1>Cohort report: All learners</h1>",
        "id=\"summary\"",
        "<svg class=\"hm\"",
        "<svg class=\"legend\"",
        "<table class=\"skills\"",
        "id=\"ready-next\"",
        "<div class=\"group\"",
        "<table class=\"stuck\"",
        "<table class=\"inactive\"",
        "<table class=\"learners\"",
        "class=\"na\"",
        ">not assessed</text>",
        "id=\"flagged\"",
    ] {
        assert!(dom.contains(key), "the rendered page lacks {key}");
    }
    assert!(!dom.contains("ERR_FILE_NOT_FOUND") && !dom.contains("<script>alert"));

    let png = run.out.parent().unwrap().join("page.png");
    let shot = chromium_run(
        &browser,
        profile.path(),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".into(),
            url,
        ],
    );
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // A blank page compresses to a few kilobytes; the report's heatmap, bars and text do not.
    assert!(
        bytes.len() > 40_000,
        "screenshot is only {} bytes",
        bytes.len()
    );
}
