//! EM kernel throughput: one EM iteration (E-step + M-step) over a generated 1M-row cohort, on
//! one thread, reported per observation.
//!
//! `cargo bench -p pathwise-benches --bench em`
//!
//! Criterion's throughput line gives observations × E-steps per second; ns per observation per
//! iteration per core = 1000 / (Melem/s).

use std::ops::ControlFlow;

use criterion::{Criterion, Throughput, criterion_main};
use pathwise::{FitOptions, InteractionLog, Variant, fit};
use pathwise_datasets::generate::{CohortSpec, TruthOptions, draw_skill_truths};

/// EM iterations per measured fit.
const ITERATIONS: u32 = 10;

fn cohort(forgets: bool) -> InteractionLog {
    // 5,000 learners × 20 skills × 5–15 attempts ≈ 1.0M rows.
    let truth = TruthOptions {
        forgets,
        items_per_skill: 10,
        ..TruthOptions::default()
    };
    CohortSpec {
        learners: 5000,
        attempts: 5..=15,
        skills: draw_skill_truths(20, &truth, 0),
        class_weights: vec![],
        seed: 0,
    }
    .to_log()
}

fn options(variant: Variant) -> FitOptions {
    FitOptions {
        variant,
        restarts: 1,
        max_iter: ITERATIONS,
        tol: f64::MIN_POSITIVE,
        ..FitOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let mut group = c.benchmark_group("em_1m_rows_1_thread");
    group.sample_size(10);
    for (name, variant, forgets) in [
        ("standard", Variant::default(), false),
        (
            "forgets",
            Variant {
                forgets: true,
                ..Variant::default()
            },
            true,
        ),
        (
            "item_guess_slip",
            Variant {
                item_guess_slip: true,
                ..Variant::default()
            },
            false,
        ),
    ] {
        let log = cohort(forgets);
        let opts = options(variant);
        // E-steps per fit: one per iteration plus the final one.
        let model = pool
            .install(|| fit(&log, &opts, |_| ControlFlow::Continue(())))
            .expect("fit");
        let e_steps = u64::from(model.fit_info().iterations) + 1;
        group.throughput(Throughput::Elements(log.n_observations() as u64 * e_steps));
        group.bench_function(name, |b| {
            b.iter(|| {
                pool.install(|| fit(&log, &opts, |_| ControlFlow::Continue(())))
                    .expect("fit")
            })
        });
    }
    group.finish();
}

/// Criterion's macro generates an undocumented `pub fn`; keep it in its own module.
mod group {
    #![allow(missing_docs)]
    use super::bench;
    criterion::criterion_group!(benches, bench);
}

criterion_main!(group::benches);
