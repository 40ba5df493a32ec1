//! Writes a large skill graph in the native TOML format, for measuring `pathwise graph check`,
//! `recommend`, `path` and `report` at scale (benches/README.md, "Large graphs"): either one
//! prerequisite chain, or a layered DAG of 1,000-skill layers in which skill `j` of a layer
//! requires skills `j`, `2j` and `2j + 1` (mod 1,000) of the layer before, so that every skill
//! depends on all of the layers ten or more above it (a stored transitive closure is quadratic). Each skill gets one activity. Pair it with the `graph_cohort`
//! example for a model and a log.
//!
//! `cargo run -p pathwise-benches --example large_graph -- chain|layered SKILLS FILE.toml`

use std::fs::File;
use std::io::{BufWriter, Write};

/// Skills per layer of the layered DAG.
const WIDTH: usize = 1_000;

/// The prerequisites of skill `s` (indices): the skill before it for a chain; for the layered DAG,
/// skills `j`, `2j` and `2j + 1` of the layer before (mod the width), `j` being its position in
/// its own layer.
fn requires(shape: &str, s: usize) -> Vec<usize> {
    match shape {
        "chain" => s.checked_sub(1).into_iter().collect(),
        _ if s < WIDTH => Vec::new(),
        _ => {
            let (layer, j) = (s / WIDTH, s % WIDTH);
            let before = (layer - 1) * WIDTH;
            let mut p: Vec<usize> = [j, 2 * j % WIDTH, (2 * j + 1) % WIDTH]
                .iter()
                .map(|k| before + k)
                .collect();
            p.sort_unstable();
            p.dedup();
            p
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    const USAGE: &str = "usage: large_graph chain|layered SKILLS FILE.toml";
    let mut args = std::env::args().skip(1);
    let shape = args.next().ok_or(USAGE)?;
    if shape != "chain" && shape != "layered" {
        return Err(USAGE.into());
    }
    let n: usize = args.next().ok_or(USAGE)?.parse()?;
    let path = args.next().ok_or(USAGE)?;
    let mut out = BufWriter::new(File::create(&path)?);
    for s in 0..n {
        let ids: Vec<String> = requires(&shape, s)
            .iter()
            .map(|p| format!("\"s{p}\""))
            .collect();
        writeln!(
            out,
            "[[skill]]\nid = \"s{s}\"\nrequires = [{}]\n",
            ids.join(", ")
        )?;
    }
    for s in 0..n {
        writeln!(
            out,
            "[[activity]]\nid = \"a{s}\"\nskills = [\"s{s}\"]\nminutes = 5\n"
        )?;
    }
    out.flush()?;
    eprintln!("wrote {path} ({shape}, {n} skills)");
    Ok(())
}
