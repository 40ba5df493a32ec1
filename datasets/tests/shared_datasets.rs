//! Every interaction dataset in the shared folder loads with a preset, and its counts match the
//! folder's README. Skipped, with a note, when the folder is absent: it is looked for in
//! `$PATHWISE_SHARED_DATASETS`, then at `../shared/datasets` from the workspace root.

use std::path::{Path, PathBuf};

use pathwise_datasets::{LoadedLog, LogOptions, Preset, Role, load_logs};

fn shared() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PATHWISE_SHARED_DATASETS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_dir());
    if found.is_none() {
        eprintln!(
            "note: shared datasets not found (set PATHWISE_SHARED_DATASETS); skipping this test"
        );
    }
    found
}

fn load(dir: &Path, files: &[&str], options: &LogOptions) -> LoadedLog {
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    load_logs(&paths, options).unwrap_or_else(|e| panic!("{files:?}: {e}"))
}

/// The ASSISTments 2009 skill builder's two long files (AKT's release).
fn akt(dir: &Path) -> LoadedLog {
    let d = "assistments2009_skillbuilder_akt";
    load(
        dir,
        &[
            &format!("{d}/interactions_long_part01.csv"),
            &format!("{d}/interactions_long_part02.csv"),
        ],
        &LogOptions::default(),
    )
}

fn cols(pairs: &[(Role, &str)]) -> Vec<(Role, String)> {
    pairs.iter().map(|(r, n)| (*r, n.to_string())).collect()
}

/// Rows read (kept + dropped), learners, skills, items.
fn counts(l: &LoadedLog) -> (usize, usize, usize, usize) {
    let dropped: u64 = l.log.dropped().values().sum();
    (
        l.log.n_rows() + dropped as usize,
        l.log.learners().len(),
        l.log.skills().len(),
        l.log.items().len(),
    )
}

fn correct_share(l: &LoadedLog) -> f64 {
    let n = l.log.n_responses();
    let correct = (0..n).filter(|&i| l.log.response(i).correct).count();
    correct as f64 / n as f64
}

#[test]
fn assistments_pybkt_subset() {
    let Some(dir) = shared() else { return };
    let l = load(
        &dir,
        &["assistments2009_skillbuilder_pybkt_subset/as.csv"],
        &LogOptions::default(),
    );
    assert_eq!((l.preset, l.preset_detected), (Preset::Assistments, true));
    assert_eq!(counts(&l), (10_791, 902, 2, 678));
    assert!(l.log.dropped().is_empty());
    let mut skills = l.log.skills().names().to_vec();
    skills.sort();
    assert_eq!(skills, ["Box and Whisker", "Table"]);
    assert!((correct_share(&l) - 0.744).abs() < 0.0005);
}

#[test]
fn kddcup_datashop_steps() {
    let Some(dir) = shared() else { return };
    let d = "kddcup2010_algebra_2005_2006_pybkt_head";
    let l = load(
        &dir,
        &[&format!("{d}/ct_part1.tsv"), &format!("{d}/ct_part2.tsv")],
        &LogOptions::default(),
    );
    assert_eq!((l.preset, l.preset_detected), (Preset::Datashop, true));
    // 3,519 rows without a KC are dropped; the README's 12,559 steps include theirs, 10,564 of
    // them have a KC.
    assert_eq!(counts(&l), (18_220, 11, 184, 10_564));
    assert_eq!(l.log.dropped()["no skill"], 3_519);
    assert_eq!(l.log.n_rows(), 14_701);
    assert_eq!(l.log.order_kind(), pathwise::OrderKind::TimestampMillis);
    // 293 rows name several KCs, each becomes one response with several skills.
    let multi = (0..l.log.n_responses())
        .filter(|&i| l.log.response(i).skills.len() > 1)
        .count();
    assert_eq!(multi, 293);
}

#[test]
fn glops_with_column_overrides() {
    let Some(dir) = shared() else { return };
    let options = LogOptions {
        columns: cols(&[(Role::Skill, "glop_id"), (Role::Order, "position")]),
        ..LogOptions::default()
    };
    let l = load(
        &dir,
        &["assistments_glops_pardos2010/glops_long.csv"],
        &options,
    );
    assert_eq!(l.preset, Preset::Pybkt);
    assert_eq!(counts(&l), (70_668, 4_354, 42, 0));
    assert!((correct_share(&l) - 0.606).abs() < 0.0005);
}

#[test]
fn akt_long_files() {
    let Some(dir) = shared() else { return };
    let l = akt(&dir);
    assert_eq!((l.preset, l.preset_detected), (Preset::Assistments, true));
    assert_eq!(counts(&l), (325_589, 4_150, 110, 16_891));
    // Multi-skill problems are repeated rows (51,052 rows repeat the previous problem); each run of
    // one problem with the same correctness and new skills becomes one response, one observation
    // per skill. 274,561 was counted independently with awk over the files, same rule.
    assert_eq!(l.log.n_observations(), 325_589);
    assert_eq!(l.log.n_responses(), 274_561);
}

#[test]
fn akt_raw_four_line_records() {
    let Some(dir) = shared() else { return };
    let files: Vec<String> = (1..=5)
        .map(|k| {
            format!("assistments2009_skillbuilder_akt/raw_akt_format/assist2009_pid_test{k}.csv")
        })
        .collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let l = load(&dir, &files, &LogOptions::default());
    assert_eq!((l.preset, l.preset_detected), (Preset::Dkt, true));
    assert_eq!(counts(&l), (325_589, 4_150, 110, 16_891));
    assert_eq!(l.log.n_responses(), 274_561);
    // The header's second field is the original ASSISTments user id.
    assert!(l.log.learners().id("78276").is_some());
}

#[test]
fn oli_statics_long_files() {
    let Some(dir) = shared() else { return };
    let d = "oli_statics2011_dkvmn";
    let options = LogOptions {
        columns: cols(&[
            (Role::Learner, "student_seq"),
            (Role::Skill, "skillid"),
            (Role::Item, "qid"),
        ]),
        ..LogOptions::default()
    };
    let l = load(
        &dir,
        &[
            &format!("{d}/interactions_long_part01.csv"),
            &format!("{d}/interactions_long_part02.csv"),
        ],
        &options,
    );
    assert_eq!(l.preset, Preset::Assistments);
    assert_eq!(counts(&l), (189_297, 333, 98, 1_223));
    assert!((correct_share(&l) - 0.765).abs() < 0.0005);
}

#[test]
fn oli_statics_raw_three_line_records_with_an_item_map() {
    let Some(dir) = shared() else { return };
    let d = "oli_statics2011_dkvmn";
    for map in [
        "items_to_skills.csv",
        "raw_dkvmn_format/STATICS_qid_sid_sname",
    ] {
        let options = LogOptions {
            item_skills: Some(dir.join(d).join(map)),
            ..LogOptions::default()
        };
        let l = load(
            &dir,
            &[
                &format!("{d}/raw_dkvmn_format/STATICS_train.csv"),
                &format!("{d}/raw_dkvmn_format/STATICS_test.csv"),
            ],
            &options,
        );
        assert_eq!((l.preset, l.preset_detected), (Preset::Dkt, true), "{map}");
        assert_eq!(counts(&l), (189_297, 333, 98, 1_223), "{map}");
        assert!(l.log.dropped().is_empty());
    }
    // Without the map, the middle line is read as skill ids (the DKT convention).
    let l = load(
        &dir,
        &[&format!("{d}/raw_dkvmn_format/STATICS_test.csv")],
        &LogOptions::default(),
    );
    assert_eq!(l.log.items().len(), 0);
    assert!(l.log.skills().len() > 98);
}

/// Answers every skill of `model` correctly until the mastery rule says mastered; the most
/// answers any skill needed. Panics naming a skill that never gets there.
fn answers_to_master_every_skill(model: &pathwise::Model) -> usize {
    use pathwise::bkt::mastery::Status;
    let mut most = 0;
    for skill in model.skills() {
        let id = skill.id();
        let mut state = pathwise::LearnerState::new(model);
        let mut answers = 0;
        while state.status(model, id).unwrap() != Status::Mastered {
            state.observe(model, id, None, true).unwrap();
            answers += 1;
            assert!(
                answers <= 500,
                "skill {id} is not mastered after 500 correct answers: {:?}",
                skill.params()
            );
        }
        most = most.max(answers);
    }
    most
}

fn fitted(log: &pathwise::InteractionLog, variant: pathwise::Variant) -> pathwise::Model {
    let options = pathwise::FitOptions {
        variant,
        ..pathwise::FitOptions::default()
    };
    pathwise::fit(log, &options, |_| std::ops::ControlFlow::Continue(())).unwrap()
}

/// Issue 17: with forgetting, 7 of the demo's 37 fitted skills and 26 of the 110 ASSISTments 2009
/// skills could never be mastered (P(known) cannot pass 1 − forget). Under the mastery rule every
/// fitted skill is reachable by a run of correct answers.
#[test]
fn no_fitted_skill_of_the_demo_or_of_assistments_is_unreachable() {
    let demo = pathwise_datasets::DEMO_COHORT_CSV;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/cohort.csv");
    assert!(!demo.is_empty());
    let log = load_logs(&[path], &LogOptions::default()).unwrap().log;
    let forgets = pathwise::Variant {
        forgets: true,
        item_guess_slip: true,
        ..pathwise::Variant::default()
    };
    let model = fitted(&log, forgets);
    let capped = model
        .skills()
        .iter()
        .filter(|s| pathwise::bkt::mastery::ceiling(s.params()) < 0.95)
        .count();
    assert!(
        capped > 0,
        "the demo fit has no skill capped below 0.95 any more"
    );
    assert!(answers_to_master_every_skill(&model) <= 60);

    let Some(dir) = shared() else { return };
    let l = akt(&dir);
    for variant in [
        pathwise::Variant::default(),
        pathwise::Variant {
            forgets: true,
            ..pathwise::Variant::default()
        },
    ] {
        let model = fitted(&l.log, variant);
        assert_eq!(model.n_skills(), 110);
        answers_to_master_every_skill(&model);
    }
}
