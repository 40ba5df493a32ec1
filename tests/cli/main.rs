//! The `pathwise` command line end to end: one test binary, one module per subject. Cases run the
//! real binary; most record its arguments, exit code, stdout and stderr as insta snapshots
//! (`tests/cli/snapshots/`, machine paths hidden). Regression cases are named after the defect.
//! Update snapshots with `INSTA_UPDATE=always cargo test -p pathwise-cli --test cli` (or
//! `cargo insta review`).

mod common;

mod bad_inputs;
mod bkt;
mod data;
mod demo;
mod eval;
mod flags;
mod graph;
mod inputs;
mod large_graphs;
mod limits;
mod mismatch;
mod output_files;
mod recommend;
mod record;
mod record_conformance;
mod report;
mod serve;
mod serve_routes;
mod simulate;
mod terminal;
mod usage;
mod xapi_logs;
