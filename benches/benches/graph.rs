//! Skill-graph benchmarks: the per-request queries the recommender makes (ready frontier,
//! ancestors, activities of a skill) and building a graph, on a generated curriculum of 1,000
//! skills and 5,000 activities; plus loading the demo curriculum and the Junyi table (the latter
//! skipped with a note when the shared datasets are absent).

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_main};
use pathwise::{ActivitySpec, BuildOptions, SkillGraph, SkillGraphBuilder, SkillSpec};
use pathwise_datasets::{DEMO_CURRICULUM_TOML, GraphFormat, GraphOptions, load_graph, parse_graph};

/// A small deterministic generator (64-bit LCG), enough for benchmark inputs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 1,000 skills, each requiring up to 3 of the 50 skills before it (a layered curriculum), and
/// 5,000 activities practising 1–2 skills each.
fn generated_builder() -> SkillGraphBuilder {
    let mut rng = Lcg(42);
    let mut b = SkillGraphBuilder::new("generated");
    for s in 0..1000u64 {
        let mut requires = Vec::new();
        if s > 0 {
            for _ in 0..rng.below(4) {
                let back = 1 + rng.below(s.min(50));
                requires.push(format!("s{}", s - back));
            }
        }
        b.add_skill(SkillSpec::new(format!("s{s}")).requires(requires));
    }
    for a in 0..5000u64 {
        let mut skills = vec![format!("s{}", rng.below(1000))];
        if rng.below(4) == 0 {
            skills.push(format!("s{}", rng.below(1000)));
        }
        b.add_activity(ActivitySpec::new(format!("a{a}"), skills).minutes(10.0));
    }
    b
}

fn generated() -> SkillGraph {
    generated_builder()
        .build(&BuildOptions::default())
        .expect("the generated graph is a DAG")
        .graph
}

fn queries(c: &mut Criterion) {
    let graph = generated();
    let n = graph.n_skills();
    // A learner who mastered roughly the first 40% of the curriculum.
    let mut rng = Lcg(7);
    let mastered: Vec<bool> = (0..n)
        .map(|s| (s < 400 && rng.below(10) < 9) || rng.below(50) == 0)
        .collect();
    let mut group = c.benchmark_group("graph_1000_skills");
    let mut buffer = Vec::with_capacity(n);
    group.bench_function("ready_frontier_into", |b| {
        b.iter(|| {
            graph.ready_frontier_into(black_box(&mastered), &mut buffer);
            black_box(buffer.len())
        })
    });
    group.bench_function("ancestors_all_skills", |b| {
        b.iter(|| {
            let mut total = 0usize;
            for s in 0..n as u32 {
                total += black_box(graph.ancestors(s).len());
            }
            total
        })
    });
    group.bench_function("activities_of_frontier", |b| {
        graph.ready_frontier_into(&mastered, &mut buffer);
        b.iter(|| {
            let mut minutes = 0.0;
            for &s in &buffer {
                for &a in graph.skill_activities(s) {
                    minutes += graph.activity(a).minutes.unwrap_or(0.0);
                }
            }
            black_box(minutes)
        })
    });
    group.sample_size(20);
    group.bench_function("build_with_closures", |b| {
        b.iter_batched(
            generated_builder,
            |builder| {
                builder
                    .build(&BuildOptions::default())
                    .map(|g| g.graph.n_edges())
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn shared() -> Option<PathBuf> {
    [
        std::env::var_os("PATHWISE_SHARED_DATASETS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_dir())
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("graph_load");
    group.sample_size(20);
    group.bench_function("demo_curriculum_toml", |b| {
        b.iter(|| {
            parse_graph(
                DEMO_CURRICULUM_TOML,
                "demo",
                GraphFormat::Toml,
                &GraphOptions::default(),
            )
            .map(|g| g.graph.n_skills())
        })
    });
    match shared() {
        Some(dir) => {
            let junyi = dir.join("junyi_exercise_prerequisite_graph/junyi_Exercise_table.csv");
            let options = GraphOptions {
                drop_cycle_edges: true,
                skills_file: None,
            };
            group.bench_function("junyi_table_drop_cycle_edges", |b| {
                b.iter(|| load_graph(&junyi, &options).map(|g| g.graph.n_edges()))
            });
        }
        None => eprintln!(
            "note: shared datasets not found (set PATHWISE_SHARED_DATASETS); skipping Junyi"
        ),
    }
    group.finish();
}

mod group {
    #![allow(missing_docs)]
    use super::{loading, queries};
    criterion::criterion_group!(benches, queries, loading);
}

criterion_main!(group::benches);
