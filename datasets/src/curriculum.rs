//! The demo curriculum: 70 hand-written mathematics skills from counting to systems of linear
//! equations, with prerequisites, CCSS codes and 2–4 activities each (`demo/curriculum.toml`,
//! embedded in the binary).

use std::path::PathBuf;

use pathwise::SkillGraph;

use crate::{GraphFormat, GraphOptions, parse_graph};

/// The text of `datasets/demo/curriculum.toml`.
pub const DEMO_CURRICULUM_TOML: &str = include_str!("../demo/curriculum.toml");

/// The demo curriculum as a checked graph.
///
/// ```
/// let graph = pathwise_datasets::demo_curriculum();
/// assert_eq!(graph.n_skills(), 70);
/// let fractions = graph.skill_index("fr.add_unlike").unwrap();
/// assert!(graph.ancestors(fractions).contains(&graph.skill_index("md.facts").unwrap()));
/// ```
pub fn demo_curriculum() -> SkillGraph {
    // The embedded file is part of the program, not user input; its tests prove it loads.
    parse_graph(
        DEMO_CURRICULUM_TOML,
        "demo/curriculum.toml",
        GraphFormat::Toml,
        &GraphOptions::default(),
    )
    .map(|loaded| loaded.graph)
    .unwrap_or_else(|e| panic!("the embedded demo curriculum is invalid: {e}"))
}

/// Where the demo curriculum lives in the source tree (for messages and for commands that want
/// a path, e.g. `pathwise graph stats <this path>`); the file may be absent from an installed
/// binary, whereas [`DEMO_CURRICULUM_TOML`] is always there.
pub fn demo_curriculum_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/demo/curriculum.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_curriculum_is_a_teachable_dag() {
        let g = demo_curriculum();
        assert!((40..=80).contains(&g.n_skills()), "{} skills", g.n_skills());
        assert_eq!(g.topological_order().len(), g.n_skills());
        for (p, s) in g.edges() {
            assert!(g.topological_position(p) < g.topological_position(s));
        }
        for s in 0..g.n_skills() as u32 {
            let n = g.skill_activities(s).len();
            assert!((2..=4).contains(&n), "{} has {n} activities", g.skill(s).id);
            for &a in g.skill_activities(s) {
                let minutes = g.activity(a).minutes.unwrap_or(0.0);
                assert!(
                    (3.0..=30.0).contains(&minutes),
                    "{}: {minutes}",
                    g.activity(a).id
                );
            }
        }
        let roots: Vec<&str> = g.roots().map(|s| g.skill(s).id.as_str()).collect();
        assert_eq!(roots, ["ns.count_100", "geo.shapes", "ms.measure_length"]);
        let depth = (0..g.n_skills() as u32).map(|s| g.depth(s)).max().unwrap();
        assert!(depth >= 6, "depth {depth}");
        let multi = (0..g.n_skills() as u32)
            .filter(|&s| g.prerequisites(s).len() >= 2)
            .count();
        assert!(multi >= 10, "{multi} skills with 2+ prerequisites");
        let systems = g.skill_index("eq.systems").unwrap();
        assert_eq!(
            g.skill(systems).standard.as_deref(),
            Some("CCSS.MATH.CONTENT.8.EE.C.8")
        );
        assert!(demo_curriculum_path().is_file());
    }
}
