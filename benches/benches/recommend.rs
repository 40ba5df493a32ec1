//! The recommender's per-request cost: one `recommend` call (top 5) on a generated graph of 1,000
//! skills and 5,000 activities, for a learner with a stored state. See benches/README.md.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use std::sync::Arc;

use pathwise::{LearnerState, Model, Policy, Recommender};
use pathwise_benches::recommend_world::World;

fn world() -> (Arc<pathwise::SkillGraph>, Arc<Model>) {
    let world = World::new(1_000, 5, 7);
    (Arc::new(world.graph()), Arc::new(world.model()))
}

/// A learner who mastered the first 300 skills (in index order, which is topological here) and
/// practised the next 100 a little.
fn learner(model: &Model) -> LearnerState {
    let mut state = LearnerState::new(model);
    for s in 0..400 {
        let id = format!("s{s}");
        let answers: &[bool] = if s < 300 { &[true; 8] } else { &[false, true] };
        for &correct in answers {
            state.observe(model, &id, None, correct).expect("its model");
        }
    }
    state
}

fn bench(c: &mut Criterion) {
    let (graph, model) = world();
    let state = learner(&model);
    let recommender =
        Recommender::new(graph.clone(), model.clone(), Policy::default()).expect("valid");
    let first = recommender.recommend(&state, 5).expect("fits");
    assert_eq!(first.len(), 5);
    c.bench_function("recommend top-5, 1000 skills / 5000 activities", |b| {
        b.iter(|| recommender.recommend(black_box(&state), 5).expect("fits"))
    });
    // A platform's request: record the answer, then ask for the next activity.
    c.bench_function(
        "observe + recommend top-5, 1000 skills / 5000 activities",
        |b| {
            let mut live = state.clone();
            let mut correct = false;
            b.iter(|| {
                correct = !correct;
                live.observe(&model, "s350", None, correct)
                    .expect("its model");
                recommender.recommend(black_box(&live), 5).expect("fits")
            })
        },
    );
    let goal = Policy {
        goals: vec!["s990".into()],
        ..Policy::default()
    };
    let with_goal = Recommender::new(graph, model.clone(), goal).expect("valid");
    c.bench_function("recommend top-5 toward one goal", |b| {
        b.iter(|| with_goal.recommend(black_box(&state), 5).expect("fits"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
