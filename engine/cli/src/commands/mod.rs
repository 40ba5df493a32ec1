//! One module per subcommand. Each has an `Args` struct (clap derive) and a `run` function.

pub mod data;
pub mod demo;
pub mod eval;
pub mod fit;
pub mod graph;
pub mod path;
pub mod predict;
pub mod recommend;
pub mod record;
pub mod replay;
pub mod report;
pub mod serve;
pub mod simulate;
