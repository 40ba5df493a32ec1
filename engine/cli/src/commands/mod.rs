//! One module per subcommand. Each has an `Args` struct (clap derive) and a `run` function.

pub mod data;
pub mod demo;
pub mod eval;
pub mod graph;
pub mod path;
pub mod recommend;
pub mod record;
