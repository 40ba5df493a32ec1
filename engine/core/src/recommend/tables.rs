//! The dense arrays the recommender works on, prepared once from a graph and a model: skills in
//! the graph's order with their prerequisites, dependents and BKT dynamics; activities with the
//! dynamics of each (activity, skill) pair; a deterministic topological order; and goal sets.

use super::dynamics::SkillDynamics;
use crate::graph::{Csr, positions, topological_order};

/// One skill as the recommender sees it.
#[derive(Debug, Clone)]
pub(crate) struct SkillRow {
    pub id: String,
    pub name: String,
    /// Dense indices of its prerequisites (must form a DAG with the other rows).
    pub prerequisites: Vec<u32>,
    /// The skill's own dynamics (used for the skill-level score and the path).
    pub dynamics: SkillDynamics,
}

/// One activity as the recommender sees it.
#[derive(Debug, Clone)]
pub(crate) struct ActivityRow {
    pub id: String,
    /// Dense skill indices practised.
    pub skills: Vec<u32>,
    /// The dynamics of an attempt at this activity, per skill in `skills` (item parameters when
    /// the model has them for this activity, else the skill's).
    pub dynamics: Vec<SkillDynamics>,
    pub minutes: Option<f64>,
}

/// The prepared arrays.
#[derive(Debug, Clone)]
pub(crate) struct Tables {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub prerequisites: Csr,
    pub dependents: Csr,
    pub topo: Vec<u32>,
    pub topo_position: Vec<u32>,
    pub dynamics: Vec<SkillDynamics>,
    pub activity_ids: Vec<String>,
    pub activity_skills: Csr,
    /// Parallel to the entries of `activity_skills`, in flat order.
    pub pair_dynamics: Vec<SkillDynamics>,
    /// Per skill: (activity, flat pair position), activities ascending.
    pub skill_activities: Vec<Vec<(u32, u32)>>,
    /// Mean minutes of the skill's activities that give minutes.
    pub skill_minutes: Vec<Option<f64>>,
}

impl Tables {
    /// Prepares the arrays. The prerequisite lists must form a DAG (the graph guarantees it);
    /// a cycle would leave its skills out of the topological order, so they are appended in index
    /// order rather than lost.
    pub(crate) fn new(skills: Vec<SkillRow>, activities: Vec<ActivityRow>) -> Self {
        let n = skills.len();
        let prerequisites = Csr::from_lists(skills.iter().map(|s| &s.prerequisites));
        let dependents = prerequisites.transpose(n);
        let topo = topological_order(&prerequisites, &dependents);
        let topo_position = positions(&topo);
        let activity_skills = Csr::from_lists(activities.iter().map(|a| &a.skills));
        let mut pair_dynamics = Vec::with_capacity(activity_skills.entries());
        let mut skill_activities: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        let mut minutes_sum = vec![(0.0f64, 0u32); n];
        for (a, act) in activities.iter().enumerate() {
            let range = activity_skills.range(a as u32);
            for (k, (&s, d)) in act.skills.iter().zip(&act.dynamics).enumerate() {
                pair_dynamics.push(*d);
                skill_activities[s as usize].push((a as u32, (range.start + k) as u32));
                if let Some(m) = act.minutes.filter(|m| m.is_finite() && *m >= 0.0) {
                    minutes_sum[s as usize].0 += m;
                    minutes_sum[s as usize].1 += 1;
                }
            }
        }
        let skill_minutes = minutes_sum
            .iter()
            .map(|&(sum, k)| (k > 0).then(|| sum / f64::from(k)))
            .collect();
        Self {
            ids: skills.iter().map(|s| s.id.clone()).collect(),
            names: skills.iter().map(|s| s.name.clone()).collect(),
            dynamics: skills.iter().map(|s| s.dynamics).collect(),
            prerequisites,
            dependents,
            topo,
            topo_position,
            activity_ids: activities.into_iter().map(|a| a.id).collect(),
            activity_skills,
            pair_dynamics,
            skill_activities,
            skill_minutes,
        }
    }

    pub(crate) fn n_skills(&self) -> usize {
        self.ids.len()
    }

    /// The goal set: `goals` (dense indices) and their ancestors, with distances. Empty `goals` =
    /// every skill is a goal.
    pub(crate) fn goal_set(&self, goals: &[u32]) -> GoalSet {
        let n = self.n_skills();
        let mut set = GoalSet {
            any: !goals.is_empty(),
            relevant: vec![goals.is_empty(); n],
            is_goal: vec![goals.is_empty(); n],
            distance: vec![if goals.is_empty() { 0 } else { u32::MAX }; n],
            nearest: (0..n as u32).collect(),
            list: Vec::new(),
        };
        if set.any {
            // Breadth-first from the goals down the prerequisite edges; goals in the order given,
            // so the nearest goal of a skill is deterministic.
            let mut queue = std::collections::VecDeque::new();
            for &g in goals {
                if set.distance[g as usize] != 0 {
                    set.distance[g as usize] = 0;
                    set.nearest[g as usize] = g;
                    set.is_goal[g as usize] = true;
                    set.relevant[g as usize] = true;
                    queue.push_back(g);
                }
            }
            while let Some(s) = queue.pop_front() {
                let d = set.distance[s as usize] + 1;
                for &p in self.prerequisites.get(s) {
                    if set.distance[p as usize] == u32::MAX {
                        set.distance[p as usize] = d;
                        set.nearest[p as usize] = set.nearest[s as usize];
                        set.relevant[p as usize] = true;
                        queue.push_back(p);
                    }
                }
            }
        }
        set.list = self
            .topo
            .iter()
            .copied()
            .filter(|&s| set.relevant[s as usize])
            .collect();
        set
    }
}

/// Skills that count for a set of goals.
#[derive(Debug, Clone)]
pub(crate) struct GoalSet {
    /// False when no goals were given (the whole graph is the goal).
    pub any: bool,
    /// Goals and their ancestors.
    pub relevant: Vec<bool>,
    pub is_goal: Vec<bool>,
    /// Prerequisite edges to the nearest goal (`u32::MAX` when not relevant).
    pub distance: Vec<u32>,
    /// The nearest goal.
    pub nearest: Vec<u32>,
    /// Relevant skills in topological order.
    pub list: Vec<u32>,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const DYN: SkillDynamics = SkillDynamics {
        learn: 0.2,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };

    /// A small curriculum: count → add, sub; add + sub → word; word → story (index order
    /// deliberately not topological for `story`).
    pub(crate) fn small() -> Tables {
        let skill = |id: &str, pre: &[u32]| SkillRow {
            id: id.into(),
            name: id.to_uppercase(),
            prerequisites: pre.to_vec(),
            dynamics: DYN,
        };
        let act = |id: &str, skills: &[u32], minutes: Option<f64>| ActivityRow {
            id: id.into(),
            skills: skills.to_vec(),
            dynamics: vec![DYN; skills.len()],
            minutes,
        };
        Tables::new(
            vec![
                skill("story", &[4]),
                skill("count", &[]),
                skill("add", &[1]),
                skill("sub", &[1]),
                skill("word", &[2, 3]),
            ],
            vec![
                act("count-1", &[1], Some(5.0)),
                act("add-1", &[2], Some(10.0)),
                act("add-2", &[2], None),
                act("addsub", &[2, 3], Some(20.0)),
                act("word-1", &[4], Some(15.0)),
            ],
        )
    }

    #[test]
    fn topological_order_and_adjacency() {
        let t = small();
        assert_eq!(t.topo, vec![1, 2, 3, 4, 0]);
        assert_eq!(t.topo_position[0], 4);
        assert_eq!(t.dependents.get(1), &[2, 3]);
        assert_eq!(t.skill_activities[2], vec![(1, 1), (2, 2), (3, 3)]);
        assert_eq!(t.skill_minutes[2], Some(15.0));
        assert_eq!(t.skill_minutes[0], None);
    }

    #[test]
    fn goal_set_holds_ancestors_with_distances() {
        let t = small();
        let g = t.goal_set(&[4]);
        assert!(g.any);
        assert_eq!(g.list, vec![1, 2, 3, 4]);
        assert_eq!(g.distance[1], 2);
        assert_eq!(g.distance[4], 0);
        assert_eq!(g.distance[0], u32::MAX);
        let all = t.goal_set(&[]);
        assert_eq!(all.list, t.topo);
        assert!(all.is_goal.iter().all(|&b| b));
    }
}
