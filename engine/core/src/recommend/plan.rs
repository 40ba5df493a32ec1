//! Ordering a learning path: every unmastered skill on the way to the goals, in a topological
//! order whose ties are broken by score, with the expected practice to mastery.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::rank::Context;
use crate::bkt::mastery::Status;

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
    /// The mastery estimate (P(known) as a share of the skill's ceiling).
    pub estimate: f64,
    /// Where the learner stands on the skill.
    pub status: Status,
    /// Expected practice opportunities until the skill is mastered: until P(known) reaches the
    /// threshold share of its ceiling (see
    /// [`SkillDynamics::expected_opportunities`](super::SkillDynamics::expected_opportunities)),
    /// and at least the correct answers the mastery streak still lacks. `None` only when the
    /// skill cannot be learnt at all (no learning and a prior below the target).
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

/// Orders the skills of the context's goals (goals and their ancestors; the whole graph when no
/// goals) that are not mastered: Kahn's algorithm over the edges among them — satisfied
/// prerequisites count as done — taking among the skills whose prerequisites are all placed the
/// one with the highest skill-level score (ties: topological position).
pub(crate) fn plan(cx: &Context<'_>) -> Plan {
    let t = cx.tables;
    let goals = cx.goals;
    let n = t.n_skills();
    let todo = |s: u32| goals.relevant[s as usize] && !cx.satisfied(s);
    let mut waiting = vec![0u32; n];
    let mut heap = BinaryHeap::new();
    let ready = |s: u32| Ready {
        score: cx.parts(s, &t.dynamics[s as usize]).score(),
        topo: t.topo_position[s as usize],
        skill: s,
    };
    for &s in &goals.list {
        if !todo(s) {
            continue;
        }
        waiting[s as usize] = t.prerequisites.get(s).iter().filter(|&&p| todo(p)).count() as u32;
        if waiting[s as usize] == 0 {
            heap.push(ready(s));
        }
    }
    let mut steps = Vec::new();
    let mut opportunities = Opportunities::default();
    while let Some(Ready { skill: s, .. }) = heap.pop() {
        let k = &cx.know[s as usize];
        let expected = opportunities.get(cx, s);
        steps.push(PlanStep {
            step: steps.len() as u32 + 1,
            skill: t.ids[s as usize].clone(),
            name: t.names[s as usize].clone(),
            mastery: k.mastery,
            estimate: k.estimate,
            status: k.status,
            expected_opportunities: expected,
            minutes: expected
                .zip(t.skill_minutes[s as usize])
                .map(|(e, m)| e * m),
        });
        for &d in t.dependents.get(s) {
            if todo(d) {
                waiting[d as usize] -= 1;
                if waiting[d as usize] == 0 {
                    heap.push(ready(d));
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

/// Expected opportunities to mastery, computed once per distinct (dynamics, P(known), target)
/// within one plan. Each is a Markov chain on a grid (hundreds of µs when learning is slow);
/// skills that share all three — every skill the model does not cover takes its average
/// parameters, and before any response its P(known) is that prior — share one computation. The
/// key is the exact bits, so a cached value is the value itself.
#[derive(Default)]
struct Opportunities(HashMap<[u64; 6], Option<f64>>);

impl Opportunities {
    /// Expected opportunities until skill `s` is mastered: until its P(known) reaches the
    /// threshold share of its ceiling, and at least the correct answers its streak still lacks.
    fn get(&mut self, cx: &Context<'_>, s: u32) -> Option<f64> {
        let k = &cx.know[s as usize];
        let d = &cx.tables.dynamics[s as usize];
        let target = cx.ready_threshold() * cx.ceilings[s as usize];
        let key = [d.learn, d.forget, d.guess, d.slip, k.mastery, target].map(f64::to_bits);
        let to_estimate = *self
            .0
            .entry(key)
            .or_insert_with(|| d.expected_opportunities(k.mastery, target));
        let streak_left = cx.rule.streak.saturating_sub(k.evidence.streak);
        Some(to_estimate?.max(f64::from(streak_left)))
    }
}
