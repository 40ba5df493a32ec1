//! File formats for pathwise: interaction logs (CSV, TSV, Parquet, the DKT line format) with
//! column presets and their statistics ([`LogStats`]), skill graphs (native TOML/JSON, edge lists, the Junyi table), the demo
//! curriculum and the synthetic-cohort generator, [`read_limited`], which reads a whole input
//! file with a size limit, and [`files_sha256`], the digest a model records of its input files.

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

mod curriculum;
mod demo_cohort;
mod digest;
pub mod generate;
mod graph_format;
mod limited;
mod log_format;
mod log_stats;
pub mod xapi;

pub use curriculum::{DEMO_CURRICULUM_TOML, demo_curriculum, demo_curriculum_path};
pub use demo_cohort::{DEMO_COHORT_CSV, DEMO_SEED, demo_world, write_demo_cohort};
pub use digest::files_sha256;
pub use graph_format::{
    GraphFormat, GraphOptions, LoadedGraph, MAX_GRAPH_FILE_BYTES, load_graph, parse_graph,
};
pub use limited::read_limited;
pub use log_format::{
    Encoding, LoadedLog, LogOptions, MAX_XAPI_FILE_BYTES, Preset, Role, load_logs, parse_delimiter,
};
pub use log_stats::LogStats;

/// The README's code blocks, compiled as doctests so that its "Platforms" snippet (which also needs
/// this crate to load a graph) cannot fall behind the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
