use super::*;
use pathwise::bkt::mastery::{Evidence, MasteryRule};
use pathwise::{
    OrderKind,
    report::{LearnerInput, SkillEvidence, SkillRef, TopPick, build_report},
};
use std::path::Path;

/// Renders one cohort and writes its files into `dir`, as a front end would.
fn write_cohort(
    dir: &Path,
    ctx: &PageContext<'_>,
    input: &CohortInput,
    report: &CohortReport,
    settings: &ReportSettings,
    format: FileFormat,
) {
    let folder = render_cohort(ctx, input, report, settings);
    for file in folder.files(format) {
        let mut bytes = Vec::new();
        file.write_to(&mut bytes).unwrap();
        std::fs::write(dir.join(&file.name), bytes).unwrap();
    }
}

/// A chain of `n_skills` skills; learner i is at level i % 7: attempts some skills, masters the
/// first ones, never touches the last ones (not assessed).
fn input(n_learners: usize, n_skills: usize) -> CohortInput {
    let skills = (0..n_skills)
        .map(|s| SkillRef {
            id: format!("s{s}"),
            name: if s == 0 {
                "Fractions & <b>decimals</b>".into()
            } else {
                format!("Skill {s}")
            },
            requires: if s == 0 { vec![] } else { vec![s - 1] },
            flags: if s == 2 {
                vec![pathwise::bkt::FitFlag::FewLearners]
            } else {
                vec![]
            },
            not_in_model: false,
        })
        .collect();
    let learners = (0..n_learners)
        .map(|i| {
            let id = match i {
                0 => "<script>alert(1)</script>".to_owned(),
                1 => "ann & bob".to_owned(),
                _ => format!("l{i:04}"),
            };
            let level = (i % 7) as f64 / 7.0;
            let reach = ((level * n_skills as f64) as usize + 1).min(n_skills);
            let evidence: Vec<SkillEvidence> = (0..reach)
                .map(|s| {
                    let attempts = ((i + s) % 13) as u32 + 1;
                    let mastery =
                        (level + 0.9 * (1.0 - s as f64 / n_skills as f64) * level).min(1.0);
                    let streak = if mastery >= 0.95 { 3.min(attempts) } else { 0 };
                    let evidence = Evidence {
                        attempts,
                        correct: (attempts / 3).max(streak),
                        streak,
                        tries: attempts,
                    };
                    SkillEvidence::judged(s, evidence, mastery, mastery, &MasteryRule::default())
                })
                .collect();
            let top = Some(TopPick {
                skill: (reach - 1).min(n_skills - 1),
                activity: format!("act-{reach}"),
                kind: pathwise::Kind::Learn,
                reason: "Ready: <prerequisites> mastered".to_owned(),
            });
            LearnerInput {
                id,
                responses: evidence
                    .iter()
                    .map(|e| u64::from(e.evidence.attempts))
                    .sum(),
                evidence,
                first_order: (i as i64) * 86_400_000,
                last_order: (i as i64 % 40) * 86_400_000 + 1_600_000_000_000,
                last_skill: Some(i % n_skills),
                top,
            }
        })
        .collect();
    CohortInput {
        skills,
        learners,
        order_kind: OrderKind::TimestampMillis,
    }
}

fn ctx() -> html::PageContext<'static> {
    html::PageContext {
        title: "Class <7> & co",
        sources: "model m.json, graph g.toml",
        back_link: false,
    }
}

/// The texts of every `<td class="c-COL…">` cell, in page order, inside the element opened by
/// `scope` (e.g. `<table class="skills"`).
fn cells(page: &str, scope: &str, col: &str) -> Vec<String> {
    let start = page.find(scope).expect("scope on the page");
    let end = page[start..]
        .find("</table>")
        .map_or(page.len(), |e| start + e);
    let part = &page[start..end];
    let open = format!("<td class=\"c-{col}");
    let mut out = Vec::new();
    let mut rest = part;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at..];
        let gt = after.find('>').unwrap();
        let close = after.find("</td>").unwrap();
        out.push(after[gt + 1..close].to_owned());
        rest = &after[close..];
    }
    out
}

fn csv_column(path: &Path, col: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let i = r.headers().unwrap().iter().position(|h| h == col).unwrap();
    r.records().map(|rec| rec.unwrap()[i].to_owned()).collect()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn page_numbers_equal_csv_numbers_and_ids_are_escaped() {
    let input = input(30, 8);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_cohort(
        dir.path(),
        &ctx(),
        &input,
        &report,
        &settings,
        FileFormat::Csv,
    );
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();

    assert!(
        !page.contains("<script>"),
        "an id reached the page unescaped"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("ann &amp; bob"));
    assert!(page.contains("Fractions &amp; &lt;b&gt;decimals&lt;/b&gt;"));
    assert!(page.contains("Class &lt;7&gt; &amp; co"));

    let skills_csv = dir.path().join("skills.csv");
    for col in html::SKILL_COUNTS_SHOWN {
        assert_eq!(
            cells(&page, "<table class=\"skills\"", col),
            csv_column(&skills_csv, col),
            "skills column {col}"
        );
    }
    let learners_csv = dir.path().join("learners.csv");
    for col in ["rank", "group", "mastered", "mean_mastery", "top_activity"] {
        assert_eq!(
            cells(&page, "<table class=\"learners\"", col),
            csv_column(&learners_csv, col),
            "learners column {col}"
        );
    }
    let names: Vec<String> = cells(&page, "<table class=\"learners\"", "learner")
        .iter()
        .map(|s| unescape(s))
        .collect();
    assert_eq!(names, csv_column(&learners_csv, "learner"));
    let reasons: Vec<String> = cells(&page, "<table class=\"learners\"", "top_reason")
        .iter()
        .map(|s| unescape(s))
        .collect();
    assert_eq!(reasons, csv_column(&learners_csv, "top_reason"));
    assert_eq!(
        cells(&page, "<table class=\"stuck\"", "attempts"),
        csv_column(&dir.path().join("stuck.csv"), "attempts")
    );
    // The summary line.
    assert!(page.contains(&format!(
        "<b class=\"s-learners\">{}</b>",
        report.summary.learners
    )));
    // The first CSV column of learners.csv is `learner`; every table is there.
    let header = std::fs::read_to_string(&learners_csv).unwrap();
    assert!(header.starts_with("learner,rank,group,"));
    for f in ["groups", "stuck", "inactive", "mastery", "evidence"] {
        assert!(dir.path().join(format!("{f}.csv")).is_file(), "{f}.csv");
    }
    // Groups on the page are the groups in groups.csv.
    let groups_csv = dir.path().join("groups.csv");
    assert_eq!(
        page.matches("<div class=\"group\"").count(),
        csv_column(&groups_csv, "group").len()
    );
}

#[test]
fn json_tables_hold_the_csv_numbers() {
    let input = input(12, 5);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_cohort(
        a.path(),
        &ctx(),
        &input,
        &report,
        &settings,
        FileFormat::Csv,
    );
    write_cohort(
        b.path(),
        &ctx(),
        &input,
        &report,
        &settings,
        FileFormat::Json,
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join("skills.json")).unwrap())
            .unwrap();
    let csv_mean = csv_column(&a.path().join("skills.csv"), "mean_mastery");
    let csv_ready = csv_column(&a.path().join("skills.csv"), "ready");
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 5);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row["mean_mastery"].as_f64(),
            csv_mean[i].parse::<f64>().ok()
        );
        assert_eq!(
            row["ready"].as_i64().unwrap(),
            csv_ready[i].parse::<i64>().unwrap()
        );
        assert!(row["skill"].is_string());
    }
    let learners: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join("learners.json")).unwrap())
            .unwrap();
    assert_eq!(
        learners[0]["learner"],
        csv_column(&a.path().join("learners.csv"), "learner")[0]
    );
    assert!(learners[0]["inactive"].is_boolean());
    assert!(!b.path().join("skills.csv").exists());
    // The per-cell tables, written row by row, hold the same cells in both formats.
    let evidence: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join("evidence.json")).unwrap())
            .unwrap();
    let csv_status = csv_column(&a.path().join("evidence.csv"), "status");
    let json_status: Vec<&str> = evidence
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(json_status, csv_status);
    let cells: usize = input.learners.iter().map(|l| l.evidence.len()).sum();
    assert_eq!(csv_status.len(), cells);
    let mastery: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(b.path().join("mastery.json")).unwrap())
            .unwrap();
    // A skill the learner never attempted is an empty cell (null), not the model's prior: the
    // learner with the least progress attempted only the first skill.
    let rows = mastery.as_array().unwrap();
    let least = &input.learners[*report.progress_order.last().unwrap()];
    assert_eq!(least.evidence.len(), 1);
    let last = &rows[rows.len() - 1][input.skills.last().unwrap().id.as_str()];
    assert!(last.is_null(), "{last}");
}

#[test]
fn a_big_cohort_is_bucketed_and_the_page_stays_small() {
    let input = input(4150, 110);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let sheets = sheets::build(&input, &report);
    let page = html::page(&ctx(), &input, &report, &sheets, &settings);
    assert!(page.len() < 5_000_000, "page is {} bytes", page.len());
    assert!(page.contains("are shown as 100 bands"));
    assert_eq!(
        page.matches("<g transform=").count(),
        heatmap::LEARNER_BANDS
    );
    assert!(page.contains(&format!("Showing the first {} of", html::LIST_ROWS)));
    // Every learner still gets a row with its next step.
    assert_eq!(
        cells(&page, "<table class=\"learners\"", "rank").len(),
        4150
    );
}

#[test]
fn many_skills_are_banded_and_the_wide_table_is_left_out() {
    let input = input(200, 12_000);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let folder = render_cohort(&ctx(), &input, &report, &settings);
    let page = &folder.page;
    assert!(page.contains("12000 skills, in curriculum order, are shown as 100 bands"));
    let rows = page.matches("<g transform=").count();
    assert_eq!(rows, heatmap::LEARNER_BANDS);
    // At most 100 × 100 cells, whatever the size.
    let cells = page.matches("<rect x=").count() - colors::BINS - 2;
    assert_eq!(cells, rows * heatmap::SKILL_BANDS);
    let names: Vec<String> = folder.files(FileFormat::Csv).map(|f| f.name).collect();
    assert!(names.contains(&"evidence.csv".to_owned()));
    assert!(!names.contains(&"mastery.csv".to_owned()), "{names:?}");
}

#[test]
fn small_cohorts_get_one_heatmap_row_per_learner_and_hatched_unassessed_cells() {
    let input = input(9, 4);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let sheets = sheets::build(&input, &report);
    let page = html::page(&ctx(), &input, &report, &sheets, &settings);
    assert_eq!(page.matches("<g transform=").count(), 9);
    // The legend: 20 colour bins, a mastered key and a not-assessed key.
    assert_eq!(page.matches("<rect x=").count() - colors::BINS - 2, 9 * 4);
    let assessed: usize = input.learners.iter().map(|l| l.evidence.len()).sum();
    let hatched = page.matches("class=\"na\"").count();
    assert_eq!(hatched, 9 * 4 - assessed);
    assert!(hatched > 0);
    assert!(page.contains("not assessed (no attempts)</title>"));
    assert!(page.contains(">not assessed</text>"));
    // A flagged skill is marked and listed.
    assert!(page.contains("title=\"fit flagged: fewer than 10 learners practised the skill\""));
    assert!(page.contains("<td class=\"c-flags\">few_learners</td>"));
}

#[test]
fn a_class_wide_top_pick_on_a_flagged_fit_carries_a_warning() {
    let mut input = input(9, 4);
    let settings = ReportSettings::default();
    for l in &mut input.learners {
        l.top.as_mut().unwrap().skill = 2;
    }
    let report = build_report(&input, &settings).unwrap();
    assert_eq!(report.top_pick, Some(2));
    let page = render_cohort(&ctx(), &input, &report, &settings).page;
    assert!(page.contains("id=\"top-pick-warning\""));
    assert!(page.contains("(top pick for 9 of 9 learners), rests on a flagged fit (few_learners)"));
    input.skills[2].flags.clear();
    assert!(!input.skills[2].flagged());
    let report = build_report(&input, &settings).unwrap();
    let page = render_cohort(&ctx(), &input, &report, &settings).page;
    assert!(!page.contains("top-pick-warning"));
}

#[test]
fn the_index_links_every_cohort_folder() {
    let input = input(6, 3);
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let entries = vec![
        CohortEntry {
            name: "5/b <x>".into(),
            dir: cohort_dir_name("5/b <x>"),
            report: report.clone(),
        },
        CohortEntry {
            name: "6a".into(),
            dir: cohort_dir_name("6a"),
            report,
        },
    ];
    let sheet = cohorts_sheet(&entries);
    let page = index_page("all", "m.json", &sheet);
    assert!(page.contains("<a href=\"5_2Fb_20_3Cx_3E/index.html\">5/b &lt;x&gt;</a>"));
    assert!(page.contains("<a href=\"6a/index.html\">6a</a>"));
    assert_eq!(
        cells(&page, "<table class=\"cohorts\"", "learners"),
        ["6", "6"]
    );
}

/// Ids and names a spreadsheet would run as formulas, and markup a browser would run.
const HOSTILE: [&str; 7] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTAB",
    "\rCR",
    "\"><img src=x onerror=alert(1)>",
];

fn hostile_input() -> CohortInput {
    let mut input = input(HOSTILE.len() + 3, 3);
    for (l, id) in input.learners.iter_mut().zip(HOSTILE) {
        l.id = id.to_owned();
        if let Some(top) = &mut l.top {
            top.activity = format!("{id}-activity");
            top.reason = id.to_owned();
        }
    }
    input.skills[1].id = "=1+1".into();
    input.skills[1].name = "-Subtraction".into();
    input.skills[2].name = "</title><script>alert(2)</script>".into();
    input
}

/// Every cell (headers too) of every CSV file: none would start a spreadsheet formula.
fn assert_no_formula(csv_text: &str, file: &str) {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_text.as_bytes());
    for record in r.records() {
        for cell in record.unwrap().iter() {
            let number = cell.trim_start_matches(['-', '+']).parse::<f64>().is_ok();
            assert!(
                number || !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{file}: {cell:?}"
            );
        }
    }
}

#[test]
fn csv_cells_from_input_never_start_a_spreadsheet_formula() {
    let input = hostile_input();
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let folder = render_cohort(&ctx(), &input, &report, &settings);
    let mut learners = String::new();
    for file in folder.files(FileFormat::Csv) {
        let mut bytes = Vec::new();
        file.write_to(&mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        if file.name.ends_with(".csv") {
            assert_no_formula(&text, &file.name);
        }
        if file.name == "learners.csv" {
            learners = text;
        }
    }
    let ids: Vec<String> = csv::Reader::from_reader(learners.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_owned())
        .collect();
    for id in &HOSTILE[..6] {
        assert!(ids.contains(&format!("'{id}")), "{id:?} in {ids:?}");
    }
    // The JSON tables keep the values as they are.
    for file in folder.files(FileFormat::Json) {
        if file.name == "learners.json" {
            let mut bytes = Vec::new();
            file.write_to(&mut bytes).unwrap();
            let rows: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            let ids: Vec<&str> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["learner"].as_str().unwrap())
                .collect();
            for id in HOSTILE {
                assert!(ids.contains(&id), "{id:?}");
            }
        }
    }
    // The cohorts table (and the summary printed from it) too.
    let entries = [CohortEntry {
        name: "=cmd".into(),
        dir: cohort_dir_name("=cmd"),
        report: report.clone(),
    }];
    let mut bytes = Vec::new();
    cohorts_sheet(&entries).write_csv(&mut bytes).unwrap();
    assert_no_formula(std::str::from_utf8(&bytes).unwrap(), "cohorts.csv");
}

#[test]
fn markup_in_ids_and_names_is_escaped_on_the_page() {
    let input = hostile_input();
    let settings = ReportSettings::default();
    let report = build_report(&input, &settings).unwrap();
    let page = render_cohort(&ctx(), &input, &report, &settings).page;
    for raw in ["<img", "<script", "</title><script", "onerror=alert(1)>"] {
        assert!(!page.contains(raw), "{raw} reached the page unescaped");
    }
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    // The page shows ids as they are, without the spreadsheet quote.
    assert!(page.contains("=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)"));
    assert!(!page.contains("'=HYPERLINK"));
}
