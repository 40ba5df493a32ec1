//! Fits generated cohorts of growing size and prints rows, fit wall and CPU time, and CPU
//! nanoseconds per observation per EM iteration, to check that fitting time grows linearly with
//! rows and to measure peak memory (run under `/usr/bin/time -v`). CPU time (from
//! `/proc/self/stat`, Linux) is the figure to trust on a loaded machine; run with
//! `RAYON_NUM_THREADS=1` for per-core figures.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p pathwise-benches --example fit_scale -- 1000000 10000000`

use std::ops::ControlFlow;
use std::time::Instant;

use pathwise::{FitOptions, fit};
use pathwise_datasets::generate::{CohortSpec, TruthOptions, draw_skill_truths};

/// User + system CPU seconds of this process so far (0 when `/proc` is not available).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

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
    println!("rows,observations,generate_s,fit_wall_s,fit_cpu_s,e_steps,cpu_ns_per_obs_per_iter");
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
        let c1 = cpu_seconds();
        let t1 = Instant::now();
        let model = fit(&log, &options, |_| ControlFlow::Continue(())).expect("fit");
        let wall = t1.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - c1;
        let e_steps = f64::from(model.fit_info().iterations) + 1.0;
        println!(
            "{},{},{:.2},{:.2},{:.2},{},{:.2}",
            log.n_rows(),
            log.n_observations(),
            generate,
            wall,
            cpu,
            e_steps,
            cpu * 1e9 / (log.n_observations() as f64 * e_steps)
        );
    }
}
