//! File formats for pathwise: interaction logs (CSV, TSV, Parquet, the DKT line format) with
//! column presets, skill graphs (native TOML/JSON, edge lists, the Junyi table), the demo
//! curriculum and the synthetic-cohort generator.

mod log_format;

pub use log_format::{Encoding, LoadedLog, LogOptions, Preset, Role, load_logs};
