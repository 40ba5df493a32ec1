//! The skill graph: skills, their prerequisite edges, and the activities that practise them.
//!
//! A [`SkillGraph`] is built once through [`SkillGraphBuilder`], which checks it (unknown ids,
//! duplicates, self-loops, cycles), and is immutable afterwards. Everything the recommender asks
//! per request is precomputed into flat arrays on dense skill indices (`u32`, in curriculum /
//! file order): prerequisites, dependents, a deterministic topological order, each skill's
//! depth, and the activities per skill, all linear in skills + edges. Queries return slices and
//! do not allocate, except [`SkillGraph::ready_frontier`] which returns its answer (see
//! [`SkillGraph::ready_frontier_into`] for a reusable buffer) and [`SkillGraph::ancestors`] /
//! [`SkillGraph::descendants`], traversals computed on demand (a stored transitive closure would
//! be quadratic: a chain of 100,000 skills has five billion ancestor pairs).
//!
//! ```
//! use pathwise::{BuildOptions, SkillGraphBuilder, SkillSpec, ActivitySpec};
//! let mut b = SkillGraphBuilder::new("curriculum.toml");
//! b.add_skill(SkillSpec::new("count").name("Count to 100"));
//! b.add_skill(SkillSpec::new("add").name("Add within 20").requires(["count"]));
//! b.add_skill(SkillSpec::new("sub").name("Subtract within 20").requires(["count"]));
//! b.add_skill(SkillSpec::new("word").name("Word problems").requires(["add", "sub"]));
//! b.add_activity(ActivitySpec::new("add-drill", ["add"]).minutes(5.0));
//! let graph = b.build(&BuildOptions::default()).unwrap().graph;
//!
//! let add = graph.skill_index("add").unwrap();
//! let word = graph.skill_index("word").unwrap();
//! assert_eq!(graph.prerequisites(word).len(), 2);
//! assert_eq!(graph.ancestors(word).len(), 3);
//! // With "count" mastered, "add" and "sub" are ready to learn; "word" is not.
//! let mut mastered = vec![false; graph.n_skills()];
//! mastered[graph.skill_index("count").unwrap() as usize] = true;
//! assert_eq!(graph.ready_frontier(&mastered), vec![add, graph.skill_index("sub").unwrap()]);
//! assert_eq!(graph.activity(graph.skill_activities(add)[0]).id, "add-drill");
//! ```

mod build;
mod csr;
mod cycles;
mod derive;
mod dot;
mod from_log;
mod order;
mod stats;

use std::collections::HashMap;

pub use build::{
    ActivitySpec, BuildOptions, BuiltGraph, DropReason, DroppedEdge, SkillGraphBuilder, SkillSpec,
};
pub(crate) use csr::Csr;
pub use derive::{DeriveOptions, MAX_DERIVED_SKILLS, derive_graph};
pub(crate) use order::{positions, topological_order};
pub use stats::GraphStats;

/// A skill (competency) of the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Skill {
    /// The stable id used in files, models and logs.
    pub id: String,
    /// A name a teacher recognises (the id when the file gives none).
    pub name: String,
    /// An external standard code, e.g. `CCSS.MATH.CONTENT.4.NF.B.3.A`.
    pub standard: Option<String>,
    /// A longer description.
    pub description: Option<String>,
}

/// Something a learner can do to practise one or more skills.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// The stable id.
    pub id: String,
    /// A readable name, if the file gives one.
    pub name: Option<String>,
    /// Dense indices of the skills practised (at least one, no repeats, in the order given).
    pub skills: Vec<u32>,
    /// Expected duration in minutes, if known.
    pub minutes: Option<f64>,
}

/// The readiness rule, the one place pathwise decides it: a skill is ready to learn when it is
/// not `done` (mastered, under whatever rule the caller applies) and each of its direct
/// `prerequisites` is `satisfied` (mastered, or a softer test such as P(known) ≥ a ready
/// threshold). A skill without prerequisites is ready as soon as it is not done. The graph's
/// frontier queries, the recommender, the cohort report's readiness and the simulator's
/// baseline policies all call it, whatever their index type.
pub(crate) fn is_ready<I: Copy>(
    done: bool,
    prerequisites: &[I],
    satisfied: impl Fn(I) -> bool,
) -> bool {
    !done && prerequisites.iter().all(|&p| satisfied(p))
}

/// A validated, acyclic skill graph with precomputed queries. Built by [`SkillGraphBuilder`].
///
/// Skill indices are dense `u32` in the order the skills were added (curriculum order); activity
/// indices likewise. Edges point from a prerequisite to the skill that requires it.
#[derive(Debug, Clone)]
pub struct SkillGraph {
    skills: Vec<Skill>,
    skill_index: HashMap<String, u32>,
    activities: Vec<Activity>,
    activity_index: HashMap<String, u32>,
    prerequisites: Csr,
    dependents: Csr,
    skill_activities: Csr,
    topo: Vec<u32>,
    topo_position: Vec<u32>,
    depth: Vec<u32>,
}

impl SkillGraph {
    /// Number of skills.
    pub fn n_skills(&self) -> usize {
        self.skills.len()
    }

    /// Number of prerequisite edges.
    pub fn n_edges(&self) -> usize {
        self.prerequisites.entries()
    }

    /// Number of activities.
    pub fn n_activities(&self) -> usize {
        self.activities.len()
    }

    /// All skills, in index order.
    pub fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// Skill `s`. Panics when `s` is not a skill index of this graph.
    pub fn skill(&self, s: u32) -> &Skill {
        &self.skills[s as usize]
    }

    /// The index of the skill with id `id`.
    pub fn skill_index(&self, id: &str) -> Option<u32> {
        self.skill_index.get(id).copied()
    }

    /// All activities, in index order.
    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    /// Activity `a`. Panics when `a` is not an activity index of this graph.
    pub fn activity(&self, a: u32) -> &Activity {
        &self.activities[a as usize]
    }

    /// The index of the activity with id `id`.
    pub fn activity_index(&self, id: &str) -> Option<u32> {
        self.activity_index.get(id).copied()
    }

    /// The direct prerequisites of skill `s`, in the order the file gives them.
    pub fn prerequisites(&self, s: u32) -> &[u32] {
        self.prerequisites.get(s)
    }

    /// The skills that list `s` as a direct prerequisite, in index order.
    pub fn dependents(&self, s: u32) -> &[u32] {
        self.dependents.get(s)
    }

    /// Every skill that `s` depends on, directly or not, in topological order (`s` excluded).
    /// Computed on demand by a traversal, in time and memory linear in the answer and the edges
    /// into it (the graph stores no closure, which would be quadratic in the number of skills).
    pub fn ancestors(&self, s: u32) -> Vec<u32> {
        order::reachable(&self.prerequisites, s, &self.topo_position)
    }

    /// Every skill that depends on `s`, directly or not, in topological order (`s` excluded).
    /// Computed on demand, like [`SkillGraph::ancestors`].
    pub fn descendants(&self, s: u32) -> Vec<u32> {
        order::reachable(&self.dependents, s, &self.topo_position)
    }

    /// The activities that practise skill `s`, in activity index order.
    pub fn skill_activities(&self, s: u32) -> &[u32] {
        self.skill_activities.get(s)
    }

    /// All skills, every prerequisite before the skills that need it. Deterministic: among the
    /// skills whose prerequisites are all placed, the one earliest in the curriculum comes first.
    pub fn topological_order(&self) -> &[u32] {
        &self.topo
    }

    /// The position of skill `s` in [`SkillGraph::topological_order`].
    pub fn topological_position(&self, s: u32) -> u32 {
        self.topo_position[s as usize]
    }

    /// The length of the longest chain of prerequisites leading to `s` (0 for a root).
    pub fn depth(&self, s: u32) -> u32 {
        self.depth[s as usize]
    }

    /// All edges as `(prerequisite, skill)`, grouped by skill in index order.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.skills.len() as u32)
            .flat_map(move |s| self.prerequisites(s).iter().map(move |&p| (p, s)))
    }

    /// True when `s` is not mastered and all its direct prerequisites are (the readiness rule
    /// with "mastered" as both tests). `mastered[i]` says whether skill `i` is mastered; indices
    /// beyond its end count as not mastered.
    pub fn is_ready(&self, s: u32, mastered: &[bool]) -> bool {
        let m = |i: u32| mastered.get(i as usize).copied().unwrap_or(false);
        is_ready(m(s), self.prerequisites(s), m)
    }

    /// The ready-to-learn frontier (the outer fringe of knowledge-space theory): every skill that
    /// is not mastered and whose direct prerequisites are all mastered, in index order.
    pub fn ready_frontier(&self, mastered: &[bool]) -> Vec<u32> {
        let mut out = Vec::new();
        self.ready_frontier_into(mastered, &mut out);
        out
    }

    /// [`SkillGraph::ready_frontier`] into a caller's buffer (cleared first), to avoid allocating
    /// per request.
    pub fn ready_frontier_into(&self, mastered: &[bool], out: &mut Vec<u32>) {
        out.clear();
        out.extend((0..self.skills.len() as u32).filter(|&s| self.is_ready(s, mastered)));
    }

    /// The frontier under caller-defined rules, into `out` (cleared first): every skill `s` with
    /// `!done(s)` whose direct prerequisites all satisfy `prerequisite_ok`, in index order. With
    /// `done = prerequisite_ok = "mastered"` this is [`SkillGraph::ready_frontier`]; a softer
    /// `prerequisite_ok` (e.g. P(known) ≥ 0.8 while mastery needs 0.95) opens skills earlier.
    ///
    /// ```
    /// use pathwise::{BuildOptions, SkillGraphBuilder, SkillSpec};
    /// let mut b = SkillGraphBuilder::new("g");
    /// b.add_skill(SkillSpec::new("a"));
    /// b.add_skill(SkillSpec::new("b").requires(["a"]));
    /// let g = b.build(&BuildOptions::default()).unwrap().graph;
    /// let known = [0.85, 0.1];
    /// let mut out = Vec::new();
    /// g.frontier_where(|s| known[s as usize] >= 0.95, |p| known[p as usize] >= 0.8, &mut out);
    /// assert_eq!(out, vec![0, 1]);
    /// ```
    pub fn frontier_where(
        &self,
        done: impl Fn(u32) -> bool,
        prerequisite_ok: impl Fn(u32) -> bool,
        out: &mut Vec<u32>,
    ) {
        out.clear();
        out.extend(
            (0..self.skills.len() as u32)
                .filter(|&s| is_ready(done(s), self.prerequisites(s), &prerequisite_ok)),
        );
    }

    /// Skills with no prerequisites, in index order.
    pub fn roots(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.skills.len() as u32).filter(|&s| self.prerequisites(s).is_empty())
    }

    /// Skills that no other skill requires, in index order.
    pub fn leaves(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.skills.len() as u32).filter(|&s| self.dependents(s).is_empty())
    }

    /// Assembles the graph from checked parts: `prerequisites[s]` lists the prerequisites of `s`
    /// and the graph is known to be acyclic.
    fn assemble(
        skills: Vec<Skill>,
        prerequisites: Vec<Vec<u32>>,
        activities: Vec<Activity>,
    ) -> Self {
        let skill_index = skills
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i as u32))
            .collect();
        let prerequisites = Csr::from_lists(&prerequisites);
        let dependents = prerequisites.transpose(skills.len());
        let topo = topological_order(&prerequisites, &dependents);
        let topo_position = positions(&topo);
        let depth = order::depths(&prerequisites, &topo);
        let mut graph = SkillGraph {
            skills,
            skill_index,
            activities: Vec::new(),
            activity_index: HashMap::new(),
            prerequisites,
            dependents,
            skill_activities: Csr::default(),
            topo,
            topo_position,
            depth,
        };
        graph.set_activities(activities);
        graph
    }

    fn set_activities(&mut self, activities: Vec<Activity>) {
        let mut per_skill = vec![Vec::new(); self.skills.len()];
        for (a, activity) in activities.iter().enumerate() {
            for &s in &activity.skills {
                per_skill[s as usize].push(a as u32);
            }
        }
        self.activity_index = activities
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i as u32))
            .collect();
        self.activities = activities;
        self.skill_activities = Csr::from_lists(per_skill);
    }
}

#[cfg(test)]
mod tests;
