use super::*;

fn skills(n: usize) -> Vec<SkillRef> {
    (0..n)
        .map(|i| SkillRef {
            id: format!("s{i}"),
            name: format!("Skill {i}"),
        })
        .collect()
}

fn learner(id: &str, mastery: &[f64], ready: &[bool], attempts: &[u32]) -> LearnerInput {
    LearnerInput {
        id: id.into(),
        responses: attempts.iter().map(|&a| u64::from(a)).sum(),
        attempts: attempts.to_vec(),
        correct: attempts.iter().map(|a| a / 2).collect(),
        mastery: mastery.to_vec(),
        ready: ready.to_vec(),
        first_order: 0,
        last_order: 10,
        last_skill: None,
        top: None,
    }
}

fn cohort(learners: Vec<LearnerInput>, n_skills: usize) -> CohortInput {
    CohortInput {
        skills: skills(n_skills),
        learners,
        order_kind: OrderKind::Sequence,
    }
}

#[test]
fn per_skill_counts_split_every_learner_once() {
    let input = cohort(
        vec![
            learner("a", &[0.99, 0.5, 0.1], &[false, true, false], &[3, 2, 0]),
            learner("b", &[0.95, 0.96, 0.2], &[false, false, true], &[5, 5, 1]),
            learner("c", &[0.3, 0.1, 0.1], &[true, false, false], &[1, 0, 0]),
        ],
        3,
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
    assert!((r.skills[0].mean_mastery - (0.99 + 0.95 + 0.3) / 3.0).abs() < 1e-12);
    // b masters two skills, a one, c none.
    assert_eq!(r.progress_order, [1, 0, 2]);
    assert_eq!(r.learners[1].rank, 1);
    // Ready next: every skill has one ready learner; ties keep curriculum order.
    assert_eq!(r.ready_next, [0, 1, 2]);
}

#[test]
fn stuck_needs_ten_attempts_without_mastery() {
    let input = cohort(
        vec![
            learner("nine", &[0.2, 0.2], &[true, true], &[9, 0]),
            learner("ten", &[0.94, 0.2], &[true, true], &[10, 30]),
            learner("mastered", &[0.95, 0.2], &[false, true], &[40, 0]),
        ],
        2,
    );
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    let pairs: Vec<(&str, usize, u32)> = r
        .stuck
        .iter()
        .map(|s| (input.learners[s.learner].id.as_str(), s.skill, s.attempts))
        .collect();
    assert_eq!(pairs, [("ten", 1, 30), ("ten", 0, 10)]);
    assert_eq!(r.learners[1].stuck, 2);
    assert_eq!(r.skills[0].stuck, 1);
    assert_eq!(r.stuck[1].correct, 5);
}

#[test]
fn inactivity_on_timestamps_counts_days_before_the_log_end() {
    let day = 86_400_000;
    let mut a = learner("a", &[0.5], &[true], &[3]);
    a.last_order = 100 * day;
    let mut b = learner("b", &[0.5], &[true], &[3]);
    b.last_order = 86 * day; // exactly 14 days before the end
    let mut c = learner("c", &[0.5], &[true], &[3]);
    c.last_order = 87 * day;
    let mut input = cohort(vec![a, b, c], 1);
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
        let mut l = learner(id, &[0.5], &[true], &[3]);
        l.first_order = first;
        l.last_order = last;
        ls.push(l);
    }
    let r = build_report(&cohort(ls, 1), &ReportSettings::default()).unwrap();
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
        learner("a", &[0.5], &[true], &[3]),
        learner("b", &[0.5], &[true], &[3]),
    ];
    let r = build_report(&cohort(ls, 1), &ReportSettings::default()).unwrap();
    assert!(matches!(
        r.inactive_rule,
        InactiveRule::NotApplicable { .. }
    ));
    assert!(r.inactive.is_empty());
}

fn two_clusters() -> CohortInput {
    let mut ls = Vec::new();
    for i in 0..12 {
        let jitter = f64::from(i) * 0.005;
        if i % 2 == 0 {
            ls.push(learner(
                &format!("high{i}"),
                &[0.97, 0.96 - jitter, 0.3 + jitter, 0.1],
                &[false, false, true, false],
                &[5, 5, 2, 0],
            ));
        } else {
            ls.push(learner(
                &format!("low{i}"),
                &[0.2 + jitter, 0.1, 0.05, 0.05],
                &[true, false, false, false],
                &[3, 1, 0, 0],
            ));
        }
    }
    cohort(ls, 4)
}

#[test]
fn silhouette_rule_finds_two_clear_groups() {
    let input = two_clusters();
    let r = build_report(&input, &ReportSettings::default()).unwrap();
    let g = &r.grouping;
    assert_eq!(g.groups.len(), 2, "{:?}", g.rule);
    let GroupRule::Silhouette { scores, .. } = &g.rule else {
        panic!("expected the silhouette rule, got {:?}", g.rule)
    };
    assert_eq!(
        scores.iter().map(|s| s.0).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6]
    );
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
fn a_fixed_number_of_groups_is_used_as_asked() {
    let settings = ReportSettings {
        groups: Some(3),
        ..ReportSettings::default()
    };
    let r = build_report(&two_clusters(), &settings).unwrap();
    assert_eq!(r.grouping.rule, GroupRule::Fixed { requested: 3 });
    assert_eq!(r.grouping.groups.len(), 3);
    let total: usize = r.grouping.groups.iter().map(|g| g.members.len()).sum();
    assert_eq!(total, 12);
}

#[test]
fn tiny_or_uniform_cohorts_make_one_group() {
    let ls = vec![
        learner("a", &[0.5, 0.5], &[true, false], &[1, 1]),
        learner("b", &[0.5, 0.5], &[true, false], &[1, 1]),
        learner("c", &[0.5, 0.5], &[true, false], &[1, 1]),
    ];
    let r = build_report(&cohort(ls, 2), &ReportSettings::default()).unwrap();
    assert_eq!(r.grouping.rule, GroupRule::Trivial);
    assert_eq!(r.grouping.groups.len(), 1);
    assert_eq!(r.grouping.groups[0].next_skill, Some(0));
    assert_eq!(r.grouping.groups[0].next_skill_ready, 3);
}

#[test]
fn an_empty_cohort_has_zero_figures() {
    let r = build_report(&cohort(Vec::new(), 2), &ReportSettings::default()).unwrap();
    assert_eq!(r.summary.learners, 0);
    assert_eq!(r.summary.first_order, None);
    assert!(r.grouping.groups.is_empty());
    assert_eq!(r.skills[1].mastered, 0);
}

#[test]
fn inconsistent_input_is_an_error_not_a_panic() {
    let input = cohort(vec![learner("a", &[0.5], &[true], &[1])], 2);
    let err = build_report(&input, &ReportSettings::default()).unwrap_err();
    assert!(err.to_string().contains("learner 'a'"), "{err}");
    let bad = ReportSettings {
        mastery: 1.5,
        ..ReportSettings::default()
    };
    let err = build_report(&cohort(Vec::new(), 1), &bad).unwrap_err();
    assert!(err.to_string().contains("mastery"), "{err}");
}
