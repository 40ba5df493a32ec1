//! Fits generated cohorts of growing size and prints rows, fit time and time per row, to check
//! that fitting time grows linearly with rows and to measure peak memory (run under
//! `/usr/bin/time -v`).
//!
//! `CARGO_TARGET_DIR=/work/tgt/release cargo run --release -p pathwise-benches --example fit_scale -- 10000000`

use std::ops::ControlFlow;
use std::time::Instant;

use pathwise::{FitOptions, fit};
use pathwise_datasets::generate::{CohortSpec, TruthOptions, draw_skill_truths};

fn main() {
    let rows: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let rows = if rows.is_empty() {
        vec![1_000_000]
    } else {
        rows
    };
    println!("rows,observations,generate_s,fit_s,ns_per_row,iterations,log_likelihood");
    for n in rows {
        // 50 skills × 10 attempts on average: 500 rows per learner.
        let spec = CohortSpec {
            learners: (n / 500).max(1),
            attempts: 5..=15,
            skills: draw_skill_truths(50, &TruthOptions::default(), 0),
            class_weights: vec![],
            seed: 0,
        };
        let t0 = Instant::now();
        let log = spec.to_log();
        let generate = t0.elapsed().as_secs_f64();
        // A fixed amount of work per row: one restart, 20 iterations.
        let options = FitOptions {
            restarts: 1,
            max_iter: 20,
            tol: f64::MIN_POSITIVE,
            ..FitOptions::default()
        };
        let t1 = Instant::now();
        let model = fit(&log, &options, |_| ControlFlow::Continue(())).expect("fit");
        let secs = t1.elapsed().as_secs_f64();
        println!(
            "{},{},{:.2},{:.2},{:.1},{},{:.1}",
            log.n_rows(),
            log.n_observations(),
            generate,
            secs,
            secs * 1e9 / log.n_rows() as f64,
            model.fit_info().iterations,
            model.fit_info().log_likelihood
        );
    }
}
