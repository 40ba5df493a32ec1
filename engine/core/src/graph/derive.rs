//! A prerequisite graph derived from a log that has none (ASSISTments, KDD Cup): the order in
//! which learners *first* meet skills, which in a curriculum-driven platform follows the
//! teacher's sequence.
//!
//! For each pair of skills both first attempted by at least [`DeriveOptions::min_learners`]
//! learners, the share of them who met `a` before `b` is its *precedence*. Pairs with precedence
//! at least [`DeriveOptions::precedence`] are candidate edges `a → b`; they are added strongest
//! first, skipping any that would close a cycle, then each skill keeps its
//! [`DeriveOptions::max_prerequisites`] strongest prerequisites that are not already implied
//! through another kept prerequisite (a transitive reduction). Deterministic: ties by skill id.
//!
//! This is an ordering heuristic, not a causal discovery method: it says which skills a platform
//! presented earlier, which is the sequencing a teacher would check first. See
//! `docs/recommender.md` for its use in the policy comparison.

use super::{BuildOptions, SkillGraph, SkillGraphBuilder, SkillSpec};
use crate::error::{Error, Result};
use crate::log::InteractionLog;

/// The most skills a graph is derived for (the pair counts take skills² memory).
pub const MAX_DERIVED_SKILLS: usize = 4_000;

/// How [`derive_graph`] decides an edge.
#[derive(Debug, Clone, PartialEq)]
pub struct DeriveOptions {
    /// Learners who attempted both skills a pair needs (default 30).
    pub min_learners: u32,
    /// Share of those learners who met `a` first for an edge `a → b` (default 0.8).
    pub precedence: f64,
    /// Prerequisites kept per skill, strongest first (default 3).
    pub max_prerequisites: usize,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        Self {
            min_learners: 30,
            precedence: 0.8,
            max_prerequisites: 3,
        }
    }
}

/// Derives a skill graph from the order in which the log's learners first attempt its skills
/// (see the module documentation); the log's items become the activities.
///
/// ```
/// use pathwise::{graph::{DeriveOptions, derive_graph}, LogBuilder, RawRow};
/// let mut b = LogBuilder::new();
/// for l in 0..40 {
///     let learner = format!("l{l}");
///     for (order, skill) in ["count", "add", "carry"].iter().enumerate() {
///         b.push(RawRow { learner: &learner, skills: &[skill], item: None, correct: true,
///             order: order as i64, group: None });
///     }
/// }
/// let graph = derive_graph(&b.build(), &DeriveOptions::default())?;
/// let carry = graph.skill_index("carry").unwrap();
/// let add = graph.skill_index("add").unwrap();
/// assert_eq!(graph.prerequisites(carry), &[add]); // count → carry is implied through add
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn derive_graph(log: &InteractionLog, options: &DeriveOptions) -> Result<SkillGraph> {
    let n = log.skills().len();
    if n > MAX_DERIVED_SKILLS {
        return Err(Error::config(format!(
            "deriving a graph: the log has {n} skills, more than the limit of \
             {MAX_DERIVED_SKILLS}"
        )));
    }
    if !(options.precedence > 0.5 && options.precedence <= 1.0) {
        return Err(Error::setting(
            "precedence",
            format!(
                "deriving a graph: the precedence must be in (0.5, 1], got {}",
                options.precedence
            ),
        ));
    }
    // before[a * n + b]: learners who first attempted a before b.
    let mut before = vec![0u32; n * n];
    let mut first: Vec<u32> = Vec::new();
    let mut seen = vec![false; n];
    for learner in 0..log.learners().len() as u32 {
        first.clear();
        for r in log.learner_responses(learner) {
            for &s in log.response(r).skills {
                if !std::mem::replace(&mut seen[s as usize], true) {
                    first.push(s);
                }
            }
        }
        for (i, &a) in first.iter().enumerate() {
            seen[a as usize] = false;
            for &b in &first[i + 1..] {
                before[a as usize * n + b as usize] += 1;
            }
        }
    }
    let names = log.skills().names();
    let mut candidates: Vec<(f64, u32, u32)> = Vec::new();
    for a in 0..n {
        for b in 0..n {
            let (ab, ba) = (before[a * n + b], before[b * n + a]);
            let both = ab + ba;
            if a != b && both >= options.min_learners.max(1) {
                let p = f64::from(ab) / f64::from(both);
                if p >= options.precedence {
                    candidates.push((p, a as u32, b as u32));
                }
            }
        }
    }
    candidates.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then_with(|| names[x.1 as usize].cmp(&names[y.1 as usize]))
            .then_with(|| names[x.2 as usize].cmp(&names[y.2 as usize]))
    });
    // Greedy acyclic edge set, strongest first.
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut kept: Vec<(f64, u32, u32)> = Vec::new();
    for &(p, a, b) in &candidates {
        if !reaches(&out, b, a) {
            out[a as usize].push(b);
            kept.push((p, a, b));
        }
    }
    // Per skill, the strongest prerequisites not implied by another kept one.
    let mut prerequisites: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(_, a, b) in &kept {
        prerequisites[b as usize].push(a);
    }
    let mut reduced: Vec<Vec<u32>> = vec![Vec::new(); n];
    for b in 0..n {
        for &a in &prerequisites[b] {
            let implied = prerequisites[b]
                .iter()
                .any(|&c| c != a && reaches(&out, a, c));
            if !implied && reduced[b].len() < options.max_prerequisites {
                reduced[b].push(a);
            }
        }
    }
    let mut builder = SkillGraphBuilder::new("derived from the log");
    for (s, name) in names.iter().enumerate() {
        let requires: Vec<&str> = reduced[s]
            .iter()
            .map(|&p| names[p as usize].as_str())
            .collect();
        builder.add_skill(SkillSpec::new(name.as_str()).requires(requires));
    }
    Ok(builder
        .build(&BuildOptions::default())?
        .graph
        .with_log_items(log))
}

/// Whether `to` is reachable from `from` along `out` (iterative search).
fn reaches(out: &[Vec<u32>], from: u32, to: u32) -> bool {
    let mut stack = vec![from];
    let mut visited = vec![false; out.len()];
    while let Some(s) = stack.pop() {
        if s == to {
            return true;
        }
        if !std::mem::replace(&mut visited[s as usize], true) {
            stack.extend_from_slice(&out[s as usize]);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LogBuilder, RawRow};

    #[test]
    fn order_without_consensus_gives_no_edge_and_cycles_are_impossible() {
        let mut b = LogBuilder::new();
        for l in 0..60 {
            let learner = format!("l{l}");
            // Half meet x first, half y: no edge between them; z always last.
            let order: [&str; 3] = if l % 2 == 0 {
                ["x", "y", "z"]
            } else {
                ["y", "x", "z"]
            };
            for (i, skill) in order.iter().enumerate() {
                b.push(RawRow {
                    learner: &learner,
                    skills: &[skill],
                    item: Some("q"),
                    correct: true,
                    order: i as i64,
                    group: None,
                });
            }
        }
        let g = derive_graph(&b.build(), &DeriveOptions::default()).unwrap();
        let z = g.skill_index("z").unwrap();
        assert_eq!(g.prerequisites(z).len(), 2);
        assert!(g.prerequisites(g.skill_index("x").unwrap()).is_empty());
        assert!(g.prerequisites(g.skill_index("y").unwrap()).is_empty());
        assert!(derive_graph(&LogBuilder::new().build(), &DeriveOptions::default()).is_ok());
        let bad = DeriveOptions {
            precedence: 0.4,
            ..DeriveOptions::default()
        };
        assert!(derive_graph(&LogBuilder::new().build(), &bad).is_err());
    }

    #[test]
    fn a_log_with_more_skills_than_max_derived_skills_is_refused_before_any_work() {
        let log_of = |skills: usize| {
            let mut b = LogBuilder::new();
            for s in 0..skills {
                b.push(RawRow {
                    learner: "l",
                    skills: &[&format!("s{s}")],
                    item: None,
                    correct: true,
                    order: s as i64,
                    group: None,
                });
            }
            b.build()
        };
        let err = derive_graph(&log_of(MAX_DERIVED_SKILLS + 1), &DeriveOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("the log has 4001 skills, more than the limit of 4000"),
            "{err}"
        );
        assert!(derive_graph(&log_of(3), &DeriveOptions::default()).is_ok());
    }
}
