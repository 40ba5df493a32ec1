use super::*;
use crate::bkt::mastery::{Evidence, MasteryRule, Status};

fn skills(n: usize) -> Vec<SkillRef> {
    (0..n)
        .map(|i| SkillRef {
            id: format!("s{i}"),
            name: format!("Skill {i}"),
            ..SkillRef::default()
        })
        .collect()
}

/// A skill chain: skill i requires skill i − 1.
fn chain(n: usize) -> Vec<SkillRef> {
    let mut s = skills(n);
    for (i, skill) in s.iter_mut().enumerate().skip(1) {
        skill.requires = vec![i - 1];
    }
    s
}

/// Cells are (skill, attempts, streak, P(known)); correct = streak + half the rest.
fn learner(id: &str, cells: &[(usize, u32, u32, f64)]) -> LearnerInput {
    LearnerInput {
        id: id.into(),
        responses: cells.iter().map(|c| u64::from(c.1)).sum(),
        evidence: cells
            .iter()
            .map(|&(skill, attempts, streak, mastery)| {
                let evidence = Evidence {
                    attempts,
                    correct: streak + (attempts - streak) / 2,
                    streak,
                    tries: attempts,
                };
                SkillEvidence::judged(skill, evidence, mastery, mastery, &MasteryRule::default())
            })
            .collect(),
        first_order: 0,
        last_order: 10,
        last_skill: None,
        top: None,
    }
}

fn cohort(learners: Vec<LearnerInput>, skills: Vec<SkillRef>) -> CohortInput {
    CohortInput {
        skills,
        learners,
        order_kind: OrderKind::Sequence,
    }
}

#[test]
fn per_skill_counts_split_every_learner_once() {
    let input = cohort(
        vec![
            learner("a", &[(0, 3, 3, 0.99), (1, 2, 0, 0.5)]),
            learner("b", &[(0, 5, 3, 0.95), (1, 5, 4, 0.96), (2, 1, 0, 0.2)]),
            learner("c", &[(0, 1, 0, 0.3)]),
        ],
        chain(3),
    );
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    let counts: Vec<(usize, usize, usize)> = r
        .skills
        .iter()
        .map(|s| (s.mastered, s.ready, s.not_ready))
        .collect();
    assert_eq!(counts, [(2, 1, 0), (1, 1, 1), (0, 1, 2)]);
    assert_eq!(r.skills[0].attempts, 9);
    assert_eq!(r.skills[2].attempted, 1);
    assert_eq!(r.summary.attempts, 17);
    assert_eq!(r.summary.responses, 17);
    assert_eq!(r.summary.assessed, 6);
    let mean0 = r.skills[0].mean_mastery.unwrap();
    assert!((mean0 - (0.99 + 0.95 + 0.3) / 3.0).abs() < 1e-12);
    // b masters two skills, a one, c none.
    assert_eq!(r.progress_order, [1, 0, 2]);
    assert_eq!(r.learners[1].rank, 1);
    assert_eq!(r.learners[0].ready, 1);
    // Ready next: every skill has one ready learner; ties keep curriculum order.
    assert_eq!(r.ready_next, [0, 1, 2]);
}

#[test]
fn a_skill_nobody_attempted_is_not_assessed_never_mastered() {
    // ASSISTments skill 22: prior 0.979, attempted by few. Without evidence no learner counts as
    // mastered, and the skill has no mean mastery.
    let input = cohort(
        vec![
            learner("tried", &[(0, 4, 4, 0.99)]),
            learner("never", &[]),
            learner("other", &[(1, 2, 2, 0.6)]),
        ],
        skills(2),
    );
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    assert_eq!(r.skills[0].mastered, 1);
    assert_eq!(r.skills[0].attempted, 1);
    assert_eq!(r.skills[0].ready, 2); // a root: ready for everyone who has not mastered it
    assert_eq!(r.learners[1].mastered, 0);
    assert_eq!(r.learners[1].skills_attempted, 0);
    assert_eq!(r.learners[1].mean_mastery, None);
    // Nothing inferred: mastering a dependent does not master its prerequisite.
    let input = cohort(vec![learner("top", &[(1, 5, 5, 0.99)])], chain(2));
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    assert_eq!(r.skills[0].mastered, 0);
    assert_eq!(r.skills[1].mastered, 1);
    assert_eq!(r.skills[0].ready, 1);
}

#[test]
fn mastery_needs_a_run_of_correct_answers() {
    let input = cohort(
        vec![
            learner("one_answer", &[(0, 1, 1, 0.99)]),
            learner("two_in_a_row", &[(0, 6, 2, 0.97)]),
            learner("three_in_a_row", &[(0, 3, 3, 0.96)]),
        ],
        chain(2),
    );
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    assert_eq!(r.skills[0].mastered, 1);
    // Only the learner with evidence of mastery is ready for the dependent.
    assert_eq!(r.skills[1].ready, 1);
    assert_eq!(r.learners[2].mastered, 1);
    assert_eq!(r.learners[0].mastered, 0);
}

#[test]
fn stuck_needs_ten_attempts_without_mastery() {
    let input = cohort(
        vec![
            learner("nine", &[(0, 9, 0, 0.2)]),
            learner("ten", &[(0, 10, 1, 0.94), (1, 30, 2, 0.2)]),
            learner("mastered", &[(0, 40, 3, 0.95)]),
            learner("confident_but_no_run", &[(0, 12, 1, 0.97)]),
        ],
        skills(2),
    );
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    let pairs: Vec<(&str, usize, u32)> = r
        .stuck
        .iter()
        .map(|s| (input.learners[s.learner].id.as_str(), s.skill, s.attempts))
        .collect();
    assert_eq!(
        pairs,
        [
            ("ten", 1, 30),
            ("confident_but_no_run", 0, 12),
            ("ten", 0, 10)
        ]
    );
    assert_eq!(r.learners[1].stuck, 2);
    assert_eq!(r.skills[0].stuck, 2);
    assert_eq!(r.stuck[2].correct, 5);
}

#[test]
fn inactivity_on_timestamps_counts_days_before_the_log_end() {
    let day = 86_400_000;
    let mut a = learner("a", &[(0, 3, 1, 0.5)]);
    a.last_order = 100 * day;
    let mut b = learner("b", &[(0, 3, 1, 0.5)]);
    b.last_order = 86 * day; // exactly 14 days before the end
    let mut c = learner("c", &[(0, 3, 1, 0.5)]);
    c.last_order = 87 * day;
    let mut input = cohort(vec![a, b, c], skills(1));
    input.order_kind = OrderKind::TimestampMillis;
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    assert_eq!(r.inactive_rule, InactiveRule::Days { days: 14.0 });
    assert_eq!(r.inactive.len(), 1);
    assert_eq!(r.inactive[0].learner, 1);
    assert_eq!(r.inactive[0].gap, 14 * day);
    assert!(r.learners[1].inactive && !r.learners[2].inactive);
    assert_eq!(
        format_gap(OrderKind::TimestampMillis, r.inactive[0].gap),
        "14 days"
    );
}

#[test]
fn inactivity_on_a_global_sequence_uses_a_share_of_the_range() {
    let mut ls = Vec::new();
    for (id, first, last) in [("a", 0, 1000), ("b", 10, 740), ("c", 20, 760)] {
        let mut l = learner(id, &[(0, 3, 1, 0.5)]);
        l.first_order = first;
        l.last_order = last;
        ls.push(l);
    }
    let r = build_report(&cohort(ls, skills(1)), &ReportSettings::default()).unwrap();
    assert_eq!(
        r.inactive_rule,
        InactiveRule::Share {
            share: 0.25,
            gap: 250.0
        }
    );
    assert_eq!(
        r.inactive.iter().map(|i| i.learner).collect::<Vec<_>>(),
        [1]
    );
}

#[test]
fn per_learner_sequences_skip_the_inactivity_check() {
    let ls = vec![
        learner("a", &[(0, 3, 1, 0.5)]),
        learner("b", &[(0, 3, 1, 0.5)]),
    ];
    let r = build_report(&cohort(ls, skills(1)), &ReportSettings::default()).unwrap();
    assert!(matches!(
        r.inactive_rule,
        InactiveRule::NotApplicable { .. }
    ));
    assert!(r.inactive.is_empty());
}

/// Twelve learners on a chain of four skills: the even ones mastered skills 0 and 1 (ready for
/// skill 2), the odd ones are still learning skill 0.
fn two_clusters() -> CohortInput {
    let mut ls = Vec::new();
    for i in 0..12 {
        let jitter = f64::from(i) * 0.005;
        if i % 2 == 0 {
            ls.push(learner(
                &format!("high{i}"),
                &[
                    (0, 5, 4, 0.97),
                    (1, 5, 3, 0.96 - jitter / 10.0),
                    (2, 2, 0, 0.3 + jitter),
                ],
            ));
        } else {
            ls.push(learner(
                &format!("low{i}"),
                &[(0, 3, 0, 0.2 + jitter), (1, 1, 0, 0.1)],
            ));
        }
    }
    cohort(ls, chain(4))
}

#[test]
fn silhouette_rule_finds_two_clear_groups() {
    let input = two_clusters();
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    let g = &r.grouping;
    assert_eq!(g.groups.len(), 2, "{:?}", g.rule);
    let GroupRule::Silhouette {
        scores, min_group, ..
    } = &g.rule
    else {
        panic!("expected the silhouette rule, got {:?}", g.rule)
    };
    // Twelve learners, groups of at least 4: k = 2 and 3 are tried.
    assert_eq!(*min_group, 4);
    assert_eq!(scores.iter().map(|s| s.k).collect::<Vec<_>>(), [2, 3]);
    // Group 0 is the most advanced one: the even learners, ready for skill 2.
    assert_eq!(g.groups[0].members, [0, 2, 4, 6, 8, 10]);
    assert_eq!(g.groups[0].next_skill, Some(2));
    assert_eq!(g.groups[0].next_skill_ready, 6);
    assert_eq!(g.groups[1].next_skill, Some(0));
    assert!(g.groups[0].mean_mastery > g.groups[1].mean_mastery);
    assert_eq!(r.learners[1].group, 1);
    // Deterministic.
    assert_eq!(build_report(&input, &ReportSettings::default()).unwrap(), r);
}

#[test]
fn a_cohort_without_group_structure_stays_one_group() {
    // Learners scattered uniformly over 16 skills (a fixed linear congruential sequence): no k
    // reaches the minimum silhouette, so the class is one group.
    let mut x: u64 = 12345;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    let ls: Vec<LearnerInput> = (0..40)
        .map(|i| {
            let cells: Vec<(usize, u32, u32, f64)> = (0..16).map(|s| (s, 4, 1, next())).collect();
            learner(&format!("l{i:02}"), &cells)
        })
        .collect();
    let r = build_report(&cohort(ls, skills(16)), &ReportSettings::default()).unwrap();
    let GroupRule::Silhouette { scores, .. } = &r.grouping.rule else {
        panic!("{:?}", r.grouping.rule)
    };
    assert!(!scores.is_empty());
    assert!(scores.iter().all(|s| !s.eligible), "{scores:?}");
    assert_eq!(r.grouping.groups.len(), 1);
    assert_eq!(r.grouping.groups[0].members.len(), 40);
}

#[test]
fn groups_below_the_minimum_size_are_not_chosen() {
    // 27 learners alike and 3 outliers: a group of 3 is below the minimum (4, and 10% of 30).
    let mut ls: Vec<LearnerInput> = (0..27)
        .map(|i| {
            learner(
                &format!("a{i:02}"),
                &[(0, 3, 0, 0.2 + f64::from(i) * 0.001)],
            )
        })
        .collect();
    ls.extend((0..3).map(|i| learner(&format!("z{i}"), &[(0, 5, 5, 0.99), (1, 5, 1, 0.5)])));
    let r = build_report(&cohort(ls, skills(2)), &ReportSettings::default()).unwrap();
    let GroupRule::Silhouette { scores, .. } = &r.grouping.rule else {
        panic!("{:?}", r.grouping.rule)
    };
    let two = scores.iter().find(|s| s.k == 2).unwrap();
    assert_eq!(two.smallest, 3);
    assert!(!two.eligible);
    assert_eq!(r.grouping.groups.len(), 1);
}

#[test]
fn flagged_skills_are_never_a_next_step_and_the_top_pick_is_counted() {
    let mut sk = skills(2);
    sk[0].flags = vec![crate::bkt::FitFlag::FewLearners];
    let mut ls: Vec<LearnerInput> = (0..4).map(|i| learner(&format!("l{i}"), &[])).collect();
    for l in &mut ls {
        l.top = Some(TopPick {
            skill: 0,
            activity: "a".into(),
            kind: crate::Kind::Learn,
            reason: "r".into(),
        });
    }
    let r = build_report(&cohort(ls, sk), &ReportSettings::default()).unwrap();
    assert_eq!(r.top_pick, Some(0));
    assert_eq!(r.skills[0].top_picks, 4);
    assert_eq!(r.grouping.groups[0].next_skill, Some(1));
}

#[test]
fn a_fixed_number_of_groups_is_used_as_asked() {
    let settings = ReportSettings {
        groups: Some(2),
        ..ReportSettings::default()
    };
    let r = build_report(&two_clusters(), &settings).unwrap();
    assert_eq!(r.grouping.rule, GroupRule::Fixed { requested: 2 });
    assert_eq!(r.grouping.groups.len(), 2);
    let total: usize = r.grouping.groups.iter().map(|g| g.members.len()).sum();
    assert_eq!(total, 12);
}

#[test]
fn tiny_or_uniform_cohorts_make_one_group() {
    let ls = vec![
        learner("a", &[(0, 1, 0, 0.5), (1, 1, 0, 0.5)]),
        learner("b", &[(0, 1, 0, 0.5), (1, 1, 0, 0.5)]),
        learner("c", &[(0, 1, 0, 0.5), (1, 1, 0, 0.5)]),
    ];
    let r = build_report(&cohort(ls, chain(2)), &ReportSettings::default()).unwrap();
    assert_eq!(r.grouping.rule, GroupRule::Trivial);
    assert_eq!(r.grouping.groups.len(), 1);
    assert_eq!(r.grouping.groups[0].next_skill, Some(0));
    assert_eq!(r.grouping.groups[0].next_skill_ready, 3);
}

#[test]
fn an_empty_cohort_has_zero_figures() {
    let r = build_report(&cohort(Vec::new(), skills(2)), &ReportSettings::default()).unwrap();
    assert_eq!(r.summary.learners, 0);
    assert_eq!(r.summary.first_order, None);
    assert_eq!(r.summary.mean_mastery, None);
    assert!(r.grouping.groups.is_empty());
    assert_eq!(r.skills[1].mastered, 0);
}

#[test]
fn inconsistent_input_is_an_error_not_a_panic() {
    let input = cohort(vec![learner("a", &[(3, 1, 0, 0.5)])], skills(2));
    let err = build_report(&input, &ReportSettings::default()).unwrap_err();
    assert!(err.to_string().contains("learner 'a'"), "{err}");
    let input = cohort(
        vec![learner("b", &[(1, 1, 0, 0.5), (0, 1, 0, 0.5)])],
        skills(2),
    );
    let err = build_report(&input, &ReportSettings::default()).unwrap_err();
    assert!(err.to_string().contains("out of order"), "{err}");
    let mut bad_streak = learner("c", &[(0, 2, 1, 0.5)]);
    bad_streak.evidence[0].evidence.streak = 3;
    let err = build_report(
        &cohort(vec![bad_streak], skills(1)),
        &ReportSettings::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("do not add up"), "{err}");
    let mut sk = skills(2);
    sk[1].requires = vec![1];
    let err = build_report(&cohort(Vec::new(), sk), &ReportSettings::default()).unwrap_err();
    assert!(err.to_string().contains("prerequisite"), "{err}");
    let bad = ReportSettings {
        rule: MasteryRule {
            threshold: 1.5,
            ..MasteryRule::default()
        },
        ..ReportSettings::default()
    };
    let err = build_report(&cohort(Vec::new(), skills(1)), &bad).unwrap_err();
    assert!(err.to_string().contains("mastery threshold"), "{err}");
}

#[test]
fn a_status_that_is_not_the_mastery_rules_is_an_error() {
    // One rule: an input may not call a cell mastered that the library's rule does not.
    let mut one_answer = learner("a", &[(0, 1, 1, 0.99)]);
    assert_eq!(one_answer.evidence[0].status, Status::Learning);
    one_answer.evidence[0].status = Status::Mastered;
    let err = build_report(
        &cohort(vec![one_answer], skills(1)),
        &ReportSettings::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not the mastery rule's"), "{err}");
}
