//! Ordering a learning path: every unmastered skill on the way to the goals, in a topological
//! order whose ties are broken by score, with the expected practice to mastery.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::policy::Policy;
use super::score::{Kind, Situation, components};
use super::tables::{GoalSet, Tables};

/// One skill of a [`Plan`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlanStep {
    /// 1-based position in the plan.
    pub step: u32,
    /// The skill id.
    pub skill: String,
    /// The skill's name.
    pub name: String,
    /// Current P(known).
    pub mastery: f64,
    /// Expected practice opportunities until P(known) reaches the mastery threshold, from the
    /// current P(known) under the skill's BKT parameters (see
    /// [`SkillDynamics::expected_opportunities`](super::SkillDynamics::expected_opportunities));
    /// `None` when the model says the threshold cannot be reached.
    pub expected_opportunities: Option<f64>,
    /// `expected_opportunities` × the mean minutes of the skill's activities, when they give
    /// minutes.
    pub minutes: Option<f64>,
}

/// A learning path to the goals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Plan {
    /// The steps, in order: each skill comes after all of its prerequisites on the plan.
    pub steps: Vec<PlanStep>,
    /// The sum of the steps' expected opportunities (`None` if any step is unreachable).
    pub expected_opportunities: Option<f64>,
    /// The sum of the steps' minutes, over the steps that have minutes.
    pub minutes: Option<f64>,
    /// Steps without minutes (their activities give none, or they have no activity).
    pub steps_without_minutes: u32,
}

#[derive(Debug, PartialEq)]
struct Ready {
    score: f64,
    topo: u32,
    skill: u32,
}

impl Eq for Ready {}

impl Ord for Ready {
    /// The max-heap pops the highest score, then the earliest topological position.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(other.topo.cmp(&self.topo))
    }
}

impl PartialOrd for Ready {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders the unmastered skills of `goals` (goals and their ancestors; the whole graph when no
/// goals): Kahn's algorithm over the edges among them — mastered prerequisites count as done —
/// taking among the skills whose prerequisites are all placed the one with the highest
/// skill-level score (ties: topological position). `opportunities(skill, mastery)` gives the
/// expected opportunities (a hook so the caller can cache).
pub(crate) fn plan(
    t: &Tables,
    goals: &GoalSet,
    policy: &Policy,
    mastery: &[f64],
    opportunities: impl Fn(u32, f64) -> Option<f64>,
) -> Plan {
    let n = t.n_skills();
    let thr = policy.mastery;
    let todo = |s: u32| goals.relevant[s as usize] && mastery[s as usize] < thr;
    let mut waiting = vec![0u32; n];
    let mut heap = BinaryHeap::new();
    for &s in &goals.list {
        if !todo(s) {
            continue;
        }
        waiting[s as usize] = t.prerequisites.get(s).iter().filter(|&&p| todo(p)).count() as u32;
        if waiting[s as usize] == 0 {
            heap.push(ready(t, goals, policy, mastery, s, &todo));
        }
    }
    let mut steps = Vec::new();
    while let Some(Ready { skill: s, .. }) = heap.pop() {
        let m = mastery[s as usize];
        let expected = opportunities(s, m);
        steps.push(PlanStep {
            step: steps.len() as u32 + 1,
            skill: t.ids[s as usize].clone(),
            name: t.names[s as usize].clone(),
            mastery: m,
            expected_opportunities: expected,
            minutes: expected
                .zip(t.skill_minutes[s as usize])
                .map(|(e, m)| e * m),
        });
        for &d in t.dependents.get(s) {
            if todo(d) {
                waiting[d as usize] -= 1;
                if waiting[d as usize] == 0 {
                    heap.push(ready(t, goals, policy, mastery, d, &todo));
                }
            }
        }
    }
    let expected_opportunities = steps
        .iter()
        .map(|s| s.expected_opportunities)
        .sum::<Option<f64>>();
    let with_minutes: Vec<f64> = steps.iter().filter_map(|s| s.minutes).collect();
    Plan {
        steps_without_minutes: (steps.len() - with_minutes.len()) as u32,
        minutes: (!with_minutes.is_empty()).then(|| with_minutes.iter().sum()),
        expected_opportunities,
        steps,
    }
}

/// The skill-level score of a skill about to become available on the plan.
fn ready(
    t: &Tables,
    goals: &GoalSet,
    policy: &Policy,
    mastery: &[f64],
    s: u32,
    todo: &impl Fn(u32) -> bool,
) -> Ready {
    let unlocks = t.dependents.get(s).iter().filter(|&&d| todo(d)).count() as u32;
    let situation = Situation {
        mastery: mastery[s as usize],
        unlocks,
        goal_distance: goals.any.then(|| goals.distance[s as usize]),
        kind: Kind::Learn,
    };
    let (parts, _, _) = components(&t.dynamics[s as usize], &situation, policy);
    Ready {
        score: parts.score(policy),
        topo: t.topo_position[s as usize],
        skill: s,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables::tests::small;
    use super::*;

    #[test]
    fn plan_holds_the_unmastered_ancestors_in_order() {
        let t = small();
        let g = t.goal_set(&[4]);
        let m = [0.1, 0.97, 0.2, 0.3, 0.1];
        let p = plan(&t, &g, &Policy::default(), &m, |s, m| {
            t.dynamics[s as usize].expected_opportunities(m, 0.95)
        });
        let ids: Vec<_> = p.steps.iter().map(|s| s.skill.as_str()).collect();
        // count is mastered; add and sub in either order by score, word last; story not needed.
        assert_eq!(ids.len(), 3);
        assert_eq!(ids[2], "word");
        assert!(ids.contains(&"add") && ids.contains(&"sub"));
        // sub has the higher mastery, so the larger gain share: it comes first.
        assert_eq!(ids[0], "sub");
        let add = &p.steps[1];
        let e = t.dynamics[2].expected_opportunities(0.2, 0.95).unwrap();
        assert_eq!(add.expected_opportunities, Some(e));
        assert_eq!(add.minutes, Some(e * 15.0));
        // `sub` has activity addsub (20 min), word 15 min: every step has minutes.
        assert_eq!(p.steps_without_minutes, 0);
        let total: f64 = p
            .steps
            .iter()
            .map(|s| s.expected_opportunities.unwrap())
            .sum();
        assert!((p.expected_opportunities.unwrap() - total).abs() < 1e-9);
    }

    #[test]
    fn mastered_goal_gives_an_empty_plan_and_unreachable_is_none() {
        let t = small();
        let g = t.goal_set(&[2]);
        let m = [0.1, 0.97, 0.99, 0.1, 0.1];
        let p = plan(&t, &g, &Policy::default(), &m, |_, _| Some(1.0));
        assert!(p.steps.is_empty());
        assert_eq!(p.minutes, None);
        let all = t.goal_set(&[]);
        let p = plan(&t, &all, &Policy::default(), &m, |_, _| None);
        assert_eq!(p.steps.len(), 3);
        assert_eq!(p.expected_opportunities, None);
        assert_eq!(p.steps.last().unwrap().skill, "story");
    }
}
