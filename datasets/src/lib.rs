//! File formats for pathwise: interaction logs (CSV, TSV, Parquet, the DKT line format) with
//! column presets, skill graphs (native TOML/JSON, edge lists, the Junyi table), the demo
//! curriculum and the synthetic-cohort generator.

mod curriculum;
mod demo_cohort;
pub mod generate;
mod graph_format;
mod log_format;

pub use curriculum::{DEMO_CURRICULUM_TOML, demo_curriculum, demo_curriculum_path};
pub use demo_cohort::{DEMO_COHORT_CSV, DEMO_SEED, demo_world, write_demo_cohort};
pub use graph_format::{
    GraphFormat, GraphOptions, LoadedGraph, MAX_GRAPH_FILE_BYTES, load_graph, parse_graph,
};
pub use log_format::{Encoding, LoadedLog, LogOptions, Preset, Role, load_logs, parse_delimiter};
