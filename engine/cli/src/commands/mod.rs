//! One module per subcommand. Each has an `Args` struct (clap derive) and a `run` function.

pub mod data;
pub mod demo;
pub mod eval;
pub mod graph;
pub mod record;
pub mod fit;
pub mod predict;
