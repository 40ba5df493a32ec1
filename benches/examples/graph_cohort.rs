//! A simulated cohort on any skill graph, for trying `pathwise recommend` / `pathwise path` on
//! real curricula (the demo curriculum, the Junyi graph) that come without interaction logs.
//! Writes `model.json` (plausible BKT parameters drawn per skill) and `log.csv` (learners working
//! through the skills in topological order, answering by those parameters).
//!
//! `cargo run -p pathwise-benches --example graph_cohort -- GRAPH DIR [LEARNERS] [RESPONSES]`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use pathwise::{FitInfo, Model, Params, SkillModel, Variant, bkt::SkillStats};
use pathwise_benches::recommend_world::Rng;
use pathwise_datasets::{GraphOptions, load_graph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let graph_path = PathBuf::from(args.next().ok_or("usage: graph_cohort GRAPH DIR [N] [T]")?);
    let dir = PathBuf::from(args.next().ok_or("usage: graph_cohort GRAPH DIR [N] [T]")?);
    let learners: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(20);
    let responses: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(120);
    let options = GraphOptions {
        drop_cycle_edges: true,
        ..GraphOptions::default()
    };
    let graph = load_graph(Path::new(&graph_path), &options)?.graph;
    let mut rng = Rng::new(3);
    let n = graph.n_skills();
    let params: Vec<Params> = (0..n)
        .map(|_| Params {
            prior: 0.05 + 0.3 * rng.unit(),
            learn: 0.08 + 0.25 * rng.unit(),
            forget: 0.0,
            guess: 0.1 + 0.2 * rng.unit(),
            slip: 0.05 + 0.1 * rng.unit(),
        })
        .collect();
    let skills = (0..n)
        .map(|s| {
            let id = graph.skill(s as u32).id.clone();
            SkillModel::new(id, params[s], vec![], vec![], SkillStats::default())
        })
        .collect();
    let model = Model::new(Variant::default(), skills, vec![], FitInfo::default())?;
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("model.json"), model.to_json())?;
    let mut out = BufWriter::new(File::create(dir.join("log.csv"))?);
    writeln!(out, "learner,skill,item,correct,order")?;
    let order = graph.topological_order();
    for l in 0..learners {
        // Each learner gets a different amount of practice, so the cohort spreads out.
        let budget = responses / 4 + rng.below(responses.max(1));
        let mut at = 0;
        let (mut known, mut streak, mut tries) = (false, 0, 0);
        for t in 0..budget {
            let Some(&s) = order.get(at) else { break };
            let p = &params[s as usize];
            if tries == 0 {
                known = rng.unit() < p.prior;
            }
            let correct = if known {
                rng.unit() >= p.slip
            } else {
                rng.unit() < p.guess
            };
            let acts = graph.skill_activities(s);
            let item = if acts.is_empty() {
                graph.skill(s).id.clone()
            } else {
                graph.activity(acts[rng.below(acts.len())]).id.clone()
            };
            let skill = &graph.skill(s).id;
            writeln!(out, "L{l},{skill},{item},{},{t}", u8::from(correct))?;
            known = known || rng.unit() < p.learn;
            streak = if correct { streak + 1 } else { 0 };
            tries += 1;
            if streak >= 4 || tries >= 8 {
                at += 1;
                (streak, tries) = (0, 0);
            }
        }
    }
    out.flush()?;
    eprintln!("wrote {} ({learners} learners)", dir.display());
    Ok(())
}
