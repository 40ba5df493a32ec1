//! Scenario tests of the recommender through its public API: the rules of issue 17 (mastery that
//! forgetting cannot put out of reach, evidence before mastery, wheel-spinning, no negative
//! reasons, state that belongs to its model).

use std::sync::Arc;

use crate::bkt::mastery::Status;
use crate::bkt::{SkillStats, mastery};
use crate::*;

/// count → add → carry, with `sub` also after count; one activity per skill.
fn graph() -> Arc<SkillGraph> {
    let mut b = SkillGraphBuilder::new("test.toml");
    b.add_skill(SkillSpec::new("count").name("Counting"));
    b.add_skill(SkillSpec::new("add").name("Addition").requires(["count"]));
    b.add_skill(
        SkillSpec::new("sub")
            .name("Subtraction")
            .requires(["count"]),
    );
    b.add_skill(SkillSpec::new("carry").name("Carrying").requires(["add"]));
    for s in ["count", "add", "sub", "carry"] {
        b.add_activity(ActivitySpec::new(format!("{s}-1"), [s]).minutes(5.0));
    }
    Arc::new(b.build(&BuildOptions::default()).unwrap().graph)
}

fn model(p: Params) -> Arc<Model> {
    let skills = ["add", "carry", "count", "sub"]
        .map(|id| SkillModel::new(id, p, vec![], vec![], SkillStats::default()));
    let variant = Variant {
        forgets: p.forget > 0.0,
        ..Variant::default()
    };
    Arc::new(Model::new(variant, skills.to_vec(), vec![], FitInfo::default()).unwrap())
}

const P: Params = Params {
    prior: 0.2,
    learn: 0.3,
    forget: 0.0,
    guess: 0.2,
    slip: 0.1,
};

fn recommender(p: Params) -> (Recommender, Arc<Model>) {
    let m = model(p);
    (
        Recommender::new(graph(), m.clone(), Policy::default()).unwrap(),
        m,
    )
}

/// Issue 17.2: a fit with guess and slip near zero makes one correct answer look conclusive;
/// the dependents still wait for a run of correct answers.
#[test]
fn one_confident_answer_does_not_open_the_dependents() {
    let sure = Params {
        guess: 0.001,
        slip: 0.001,
        ..P
    };
    let (r, m) = recommender(sure);
    let mut state = LearnerState::new(&m);
    state.observe(&m, "count", None, true).unwrap();
    assert!(state.estimate(&m, "count").unwrap() > 0.99);
    assert_eq!(state.status(&m, "count").unwrap(), Status::Learning);
    let top = r.recommend(&state, 3).unwrap();
    assert_eq!(top.len(), 1);
    assert_eq!(top[0].skill, "count");
    for _ in 0..2 {
        state.observe(&m, "count", None, true).unwrap();
    }
    assert_eq!(state.status(&m, "count").unwrap(), Status::Mastered);
    let skills: Vec<String> = r
        .recommend(&state, 3)
        .unwrap()
        .into_iter()
        .map(|x| x.skill)
        .collect();
    assert_eq!(skills.len(), 2);
    assert!(skills.contains(&"add".to_owned()) && skills.contains(&"sub".to_owned()));
}

/// Issue 17.3: a learner wheel-spinning on a skill is flagged, other ready work comes first,
/// and the weakest prerequisite is offered as a remedial step.
#[test]
fn wheel_spinning_moves_to_other_ready_work_and_offers_a_remedial_step() {
    let (r, m) = recommender(P);
    let mut state = LearnerState::new(&m);
    for _ in 0..4 {
        state.observe(&m, "count", None, true).unwrap();
    }
    assert_eq!(state.status(&m, "count").unwrap(), Status::Mastered);
    for i in 0..12 {
        state.observe(&m, "add", None, i % 2 == 0).unwrap();
    }
    assert_eq!(state.status(&m, "add").unwrap(), Status::Spinning);
    let recs = r.recommend(&state, 4).unwrap();
    assert_eq!(recs[0].skill, "sub", "{recs:#?}");
    let add = recs.iter().find(|x| x.skill == "add").unwrap();
    assert_eq!(add.status, Status::Spinning);
    assert!(
        add.reason.starts_with("Wheel-spinning: 12 attempts"),
        "{}",
        add.reason
    );
    let remedial = recs.iter().find(|x| x.kind == Kind::Remedial).unwrap();
    assert_eq!(remedial.skill, "count");
    assert_eq!(remedial.remedial_for.as_deref(), Some("add"));
    assert!(
        remedial
            .reason
            .starts_with("Remedial: 12 attempts at Addition")
    );
    // Once the prerequisite was practised, it is not offered again before the next attempt at
    // the spinning skill.
    state.observe(&m, "count", None, true).unwrap();
    let recs = r.recommend(&state, 4).unwrap();
    assert!(recs.iter().all(|x| x.kind != Kind::Remedial), "{recs:#?}");
}

/// Issue 17.1: with forgetting, P(known) never reaches 0.95, yet every skill can be mastered,
/// every path step has a finite expected number of opportunities and no reason shows a negative
/// number.
#[test]
fn forgetting_does_not_put_mastery_out_of_reach() {
    let forgets = Params { forget: 0.07, ..P };
    assert!(mastery::ceiling(&forgets) < 0.95);
    let (r, m) = recommender(forgets);
    let mut state = LearnerState::new(&m);
    let plan = r.path(&state, &[]).unwrap();
    assert_eq!(plan.steps.len(), 4);
    assert!(plan.steps.iter().all(|s| {
        s.expected_opportunities
            .is_some_and(|e| e.is_finite() && e >= 3.0)
    }));
    assert!(plan.expected_opportunities.is_some());
    let mut answers = 0;
    while state.status(&m, "count").unwrap() != Status::Mastered {
        let recs = r.recommend(&state, 5).unwrap();
        for rec in &recs {
            assert!(!rec.reason.contains('-'), "{}", rec.reason);
        }
        state.observe(&m, "count", None, true).unwrap();
        answers += 1;
        assert!(answers < 50);
    }
    assert!(state.mastery(&m, "count").unwrap() < 0.95);
}

/// Issue 17.7: a state is never read against another model position by position.
#[test]
fn a_state_of_another_model_is_refused_by_name() {
    let (r, m) = recommender(P);
    let other = model(Params { prior: 0.3, ..P });
    let state = LearnerState::new(&other);
    let e = r.recommend(&state, 1).unwrap_err();
    assert!(matches!(e, Error::StateMismatch { .. }), "{e}");
    assert!(e.to_string().contains("LearnerState::from_json"));
    let (carried, changes) = LearnerState::from_json(&state.to_json(&other).unwrap(), &m).unwrap();
    assert!(changes.model_changed);
    assert!(r.recommend(&carried, 1).is_ok());
}

#[test]
fn nothing_left_is_explained_with_the_rule() {
    let (r, m) = recommender(P);
    let mut state = LearnerState::new(&m);
    for s in ["count", "add", "sub", "carry"] {
        for _ in 0..5 {
            state.observe(&m, s, None, true).unwrap();
        }
    }
    assert!(r.recommend(&state, 3).unwrap().is_empty());
    assert_eq!(
        r.why_none(&state).unwrap(),
        "all 4 skills of the graph are mastered (estimate ≥ 0.95 with 3 correct answers in a row)"
    );
    assert!(r.path(&state, &[]).unwrap().steps.is_empty());
}

#[test]
fn the_recommender_is_send_sync_and_cheap_to_share() {
    fn shared<T: Send + Sync + Clone>() {}
    shared::<Recommender>();
}
