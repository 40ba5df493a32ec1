//! The recommender's per-request cost: one `recommend` call (top 5) on a generated graph of 1,000
//! skills and 5,000 activities, for a learner with a stored state. See benches/README.md.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pathwise::{LearnerHistory, LearnerState, Model, Policy, Recommender};
use pathwise_benches::recommend_world::World;

fn world() -> (pathwise::SkillGraph, Model) {
    let world = World::new(1_000, 5, 7);
    (world.graph(), world.model())
}

/// A learner who mastered the first 300 skills (in index order, which is topological here) and
/// practised the next 100 a little.
fn learner(model: &Model) -> (LearnerState, LearnerHistory) {
    let mut state = LearnerState::new(model);
    let mut history = LearnerHistory::new(model);
    for s in 0..400 {
        let id = format!("s{s}");
        let ms = model.skill_index(&id).expect("known");
        let answers: &[bool] = if s < 300 { &[true; 8] } else { &[false, true] };
        for &correct in answers {
            let step = state.observe_dense(model, ms, None, correct);
            history.record(ms, step.p_known_after);
            history.tick();
        }
    }
    (state, history)
}

fn bench(c: &mut Criterion) {
    let (graph, model) = world();
    let (state, history) = learner(&model);
    let recommender = Recommender::new(&graph, &model, Policy::default()).expect("valid");
    let first = recommender.recommend(&state, 5).expect("fits");
    assert_eq!(first.len(), 5);
    c.bench_function("recommend top-5, 1000 skills / 5000 activities", |b| {
        b.iter(|| recommender.recommend(black_box(&state), 5).expect("fits"))
    });
    c.bench_function(
        "recommend_with_history top-5, 1000 skills / 5000 activities",
        |b| {
            b.iter(|| {
                recommender
                    .recommend_with_history(black_box(&state), &history, 5)
                    .expect("fits")
            })
        },
    );
    let goal = Policy {
        goals: vec!["s990".into()],
        ..Policy::default()
    };
    let with_goal = Recommender::new(&graph, &model, goal).expect("valid");
    c.bench_function("recommend top-5 toward one goal", |b| {
        b.iter(|| with_goal.recommend(black_box(&state), 5).expect("fits"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
