//! Writes the recommender's batch-benchmark inputs: `graph.toml`, `model.json` (the true
//! parameters, in the model file format) and `log.csv`.
//!
//! `cargo run --release -p pathwise-benches --example recommend_world -- DIR [LEARNERS] [RESPONSES]
//! [SKILLS]` (defaults: 100,000 learners, 100 responses each, 1,000 skills)

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use pathwise_benches::recommend_world::World;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "recommend-world".into()));
    let learners: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let responses: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
    let skills: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1_000);
    std::fs::create_dir_all(&dir)?;
    let world = World::new(skills, 5, 7);
    world.write_toml(&mut BufWriter::new(File::create(dir.join("graph.toml"))?))?;
    std::fs::write(dir.join("model.json"), world.model().to_json())?;
    world.write_log(
        &mut BufWriter::new(File::create(dir.join("log.csv"))?),
        learners,
        responses,
        11,
    )?;
    eprintln!(
        "wrote {} ({} learners × {} responses)",
        dir.display(),
        learners,
        responses
    );
    Ok(())
}
