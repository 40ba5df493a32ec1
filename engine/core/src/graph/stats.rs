//! The shape of a skill graph ([`GraphStats`]) and one of its longest prerequisite chains, each
//! computed in one pass over skills and edges.

use serde::Serialize;

use super::SkillGraph;

/// The shape of a skill graph: counts, degrees and the longest prerequisite chain. Serialises
/// with stable snake_case keys (the JSON of `pathwise graph stats`, which adds the file's format
/// and any dropped edges around it).
///
/// ```
/// use pathwise::{BuildOptions, SkillGraphBuilder, SkillSpec};
/// let mut b = SkillGraphBuilder::new("g");
/// b.add_skill(SkillSpec::new("count"));
/// b.add_skill(SkillSpec::new("add").requires(["count"]));
/// b.add_skill(SkillSpec::new("word").requires(["add", "count"]));
/// b.add_skill(SkillSpec::new("draw"));
/// let stats = b.build(&BuildOptions::default()).unwrap().graph.stats();
/// assert_eq!((stats.skills, stats.edges, stats.roots, stats.isolated), (4, 3, 2, 1));
/// assert_eq!(stats.depth, 2);
/// assert_eq!(stats.longest_path, ["count", "add", "word"]);
/// assert_eq!((stats.max_in_degree, stats.max_in_degree_skill.as_str()), (2, "word"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphStats {
    /// Skills.
    pub skills: usize,
    /// Prerequisite edges.
    pub edges: usize,
    /// Activities.
    pub activities: usize,
    /// Skills without prerequisites.
    pub roots: usize,
    /// Skills that nothing requires.
    pub leaves: usize,
    /// Skills with neither prerequisites nor dependents.
    pub isolated: usize,
    /// Edges on the longest prerequisite chain (0 when there are no edges).
    pub depth: u32,
    /// One longest chain, from a root to the deepest skill (ids; see
    /// [`SkillGraph::longest_path`]).
    pub longest_path: Vec<String>,
    /// The most prerequisites any skill has.
    pub max_in_degree: usize,
    /// The first skill in the curriculum with that many prerequisites (empty for an empty graph).
    pub max_in_degree_skill: String,
    /// The most dependents any skill has.
    pub max_out_degree: usize,
    /// The first skill in the curriculum with that many dependents (empty for an empty graph).
    pub max_out_degree_skill: String,
    /// Skills that no activity practises.
    pub skills_without_activities: usize,
}

impl SkillGraph {
    /// Measures the graph (see [`GraphStats`]). Linear in skills + edges.
    pub fn stats(&self) -> GraphStats {
        let all = || 0..self.n_skills() as u32;
        let busiest = |degree: &dyn Fn(u32) -> usize| -> (usize, String) {
            let mut best: Option<(usize, u32)> = None;
            for s in all() {
                if best.is_none_or(|(d, _)| degree(s) > d) {
                    best = Some((degree(s), s));
                }
            }
            best.map_or((0, String::new()), |(d, s)| (d, self.skill(s).id.clone()))
        };
        let (max_in_degree, max_in_degree_skill) = busiest(&|s| self.prerequisites(s).len());
        let (max_out_degree, max_out_degree_skill) = busiest(&|s| self.dependents(s).len());
        let longest = self.longest_path();
        GraphStats {
            skills: self.n_skills(),
            edges: self.n_edges(),
            activities: self.n_activities(),
            roots: self.roots().count(),
            leaves: self.leaves().count(),
            isolated: all()
                .filter(|&s| self.prerequisites(s).is_empty() && self.dependents(s).is_empty())
                .count(),
            depth: longest.len().saturating_sub(1) as u32,
            longest_path: longest.iter().map(|&s| self.skill(s).id.clone()).collect(),
            max_in_degree,
            max_in_degree_skill,
            max_out_degree,
            max_out_degree_skill,
            skills_without_activities: all()
                .filter(|&s| self.skill_activities(s).is_empty())
                .count(),
        }
    }

    /// One longest prerequisite chain, root first, each skill a direct prerequisite of the next
    /// (empty for an empty graph). It ends at the deepest skill earliest in the topological
    /// order and walks back through the first prerequisite one level shallower.
    pub fn longest_path(&self) -> Vec<u32> {
        let Some(&deepest) = self.topological_order().iter().max_by_key(|&&s| {
            (
                self.depth(s),
                std::cmp::Reverse(self.topological_position(s)),
            )
        }) else {
            return Vec::new();
        };
        let mut path = vec![deepest];
        let mut at = deepest;
        while let Some(&p) = self
            .prerequisites(at)
            .iter()
            .find(|&&p| self.depth(p) + 1 == self.depth(at))
        {
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }
}
