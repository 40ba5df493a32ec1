//! Numbers that size an allocation or a thread pool are checked against the documented limits
//! (README "Limits") before anything is allocated: one line naming the flag and the range.

use crate::common::{one_line_error, pathwise_cmd};
use crate::snapshot;

const GRAPH: &str = "datasets/demo/curriculum.toml";
const LOG: &str = "tests/fixtures/recommend/log.csv";

fn refused(name: &str, args: &[&str], flag: &str) {
    let mut cmd = pathwise_cmd();
    cmd.args(args);
    let out = snapshot!(name, cmd);
    let (code, err) = one_line_error(&out);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(flag), "{err}");
}

#[test]
fn simulate_steps_u64_max_is_an_error_not_a_capacity_overflow_panic() {
    refused(
        "simulate_steps_max",
        &[
            "simulate",
            "--graph",
            GRAPH,
            "--steps",
            "18446744073709551615",
        ],
        "--steps",
    );
}

#[test]
fn simulate_a_billion_steps_is_refused_before_allocating() {
    refused(
        "simulate_billion_steps",
        &["simulate", "--graph", GRAPH, "--steps", "1000000000"],
        "--steps",
    );
    // Each within its limit, the product beyond it.
    refused(
        "simulate_learner_steps_product",
        &[
            "simulate",
            "--graph",
            GRAPH,
            "--learners",
            "100000",
            "--steps",
            "100000",
        ],
        "--learners × --steps × --runs",
    );
}

#[test]
fn a_hundred_thousand_threads_are_refused_not_a_hang() {
    refused(
        "threads_100000",
        &["fit", LOG, "-o", "m.json", "--threads", "100000"],
        "--threads",
    );
    refused(
        "threads_0",
        &["--threads", "0", "data", "stats", LOG],
        "--threads",
    );
}

#[test]
fn every_sizing_flag_has_a_limit() {
    for (name, args, flag) in [
        (
            "restarts_limit",
            &["fit", LOG, "-o", "m.json", "--restarts", "1001"][..],
            "--restarts",
        ),
        (
            "max_iter_limit",
            &["fit", LOG, "-o", "m.json", "--max-iter", "100001"],
            "--max-iter",
        ),
        ("folds_limit", &["eval", LOG, "--folds", "1001"], "--folds"),
        (
            "slices_limit",
            &["replay", LOG, "--model-kind", "bkt", "--slices", "1001"],
            "--slices",
        ),
        (
            "replay_top_limit",
            &["replay", LOG, "--model-kind", "bkt", "--top", "10001"],
            "--top",
        ),
        (
            "recommend_top_limit",
            &[
                "recommend",
                "--model",
                "m.json",
                "--graph",
                GRAPH,
                LOG,
                "--top",
                "10001",
            ],
            "--top",
        ),
        (
            "runs_limit",
            &["simulate", "--graph", GRAPH, "--runs", "100000001"],
            "--runs",
        ),
        (
            "valid_days_limit",
            &[
                "record",
                "issue",
                "--key",
                "k",
                "--model",
                "m",
                "--graph",
                "g",
                LOG,
                "--learner",
                "ann",
                "-o",
                "c.json",
                "--valid-days",
                "18446744073709551615",
            ],
            "--valid-days",
        ),
    ] {
        refused(name, args, flag);
    }
}
