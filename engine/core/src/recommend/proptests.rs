//! Property tests of the rules on random DAGs and random learner states.

use proptest::prelude::*;

use super::dynamics::SkillDynamics;
use super::knowledge::SkillKnowledge;
use super::plan::plan;
use super::policy::Policy;
use super::rank::{Context, recommend};
use super::score::Kind;
use super::tables::{ActivityRow, SkillRow, Tables};
use crate::bkt::mastery::{Evidence, MasteryRule, Status, ceiling_of};

/// A random DAG over `n` skills whose index order is *not* topological: an edge goes from
/// `perm[i]` to `perm[j]` for some `i < j`.
#[derive(Debug, Clone)]
struct World {
    tables: Tables,
    know: Vec<SkillKnowledge>,
    ceilings: Vec<f64>,
    goals: Vec<u32>,
    ready: Option<f64>,
}

fn world() -> impl Strategy<Value = World> {
    (1usize..24, any::<u64>(), any::<bool>(), any::<bool>())
        .prop_flat_map(|(n, seed, forgets, soft)| {
            let pairs = n * (n - 1) / 2;
            (
                Just(n),
                Just(seed),
                Just(forgets),
                Just(soft),
                proptest::collection::vec(0.0f64..1.0, pairs.max(1)),
                proptest::collection::vec((0.0f64..1.0, 0.0f64..1.0, 0u32..14, 0u32..5), n),
                proptest::collection::vec(proptest::collection::vec(0usize..n, 1..4), 0..2 * n),
                proptest::collection::vec(0usize..n, 0..3),
                proptest::collection::vec((0.01f64..0.4, 0.01f64..0.4, 0.01f64..0.4), n),
            )
        })
        .prop_map(
            |(n, seed, forgets, soft, edge_draws, states, acts, goals, params)| {
                let mut perm: Vec<u32> = (0..n as u32).collect();
                // A deterministic shuffle from the seed.
                let mut x = seed | 1;
                for i in (1..n).rev() {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    perm.swap(i, (x % (i as u64 + 1)) as usize);
                }
                let mut pre: Vec<Vec<u32>> = vec![Vec::new(); n];
                let mut k = 0;
                for i in 0..n {
                    for j in i + 1..n {
                        if edge_draws[k] < 0.25 {
                            pre[perm[j] as usize].push(perm[i]);
                        }
                        k += 1;
                    }
                }
                let dynamics: Vec<SkillDynamics> = params
                    .iter()
                    .map(|&(learn, guess, slip)| SkillDynamics {
                        learn,
                        forget: if forgets { 0.05 } else { 0.0 },
                        guess,
                        slip,
                    })
                    .collect();
                let skills = (0..n)
                    .map(|s| SkillRow {
                        id: format!("s{s}"),
                        name: format!("Skill {s}"),
                        prerequisites: pre[s].clone(),
                        dynamics: dynamics[s],
                    })
                    .collect();
                let activities = acts
                    .iter()
                    .enumerate()
                    .map(|(a, skills)| {
                        let mut skills: Vec<u32> = skills.iter().map(|&s| s as u32).collect();
                        skills.dedup();
                        skills.sort_unstable();
                        skills.dedup();
                        ActivityRow {
                            id: format!("a{a}"),
                            dynamics: skills.iter().map(|&s| dynamics[s as usize]).collect(),
                            skills,
                            minutes: (a % 3 != 0).then_some(5.0 + a as f64),
                        }
                    })
                    .collect();
                // Half the skills near or above the threshold, so that frontiers are interesting;
                // evidence of any kind, statuses by the rule.
                let rule = MasteryRule::default();
                let ceilings: Vec<f64> = dynamics
                    .iter()
                    .map(|d| ceiling_of(d.guess, d.slip, d.learn, d.forget))
                    .collect();
                let know: Vec<SkillKnowledge> = states
                    .iter()
                    .zip(&ceilings)
                    .map(|(&(u, v, attempts, streak), &c)| {
                        let mastery = if v < 0.5 { (0.9 + 0.1 * u) * c } else { u * c };
                        let streak = streak.min(attempts);
                        let tries = if v > 0.8 { attempts / 2 } else { attempts };
                        let evidence = Evidence {
                            attempts,
                            correct: streak,
                            streak,
                            tries,
                        };
                        let estimate = (mastery / c).min(1.0);
                        SkillKnowledge {
                            mastery,
                            estimate,
                            evidence,
                            status: rule.status(estimate, &evidence),
                            idle: (attempts > 0).then_some(u64::from(v > 0.3)),
                        }
                    })
                    .collect();
                let mut goals: Vec<u32> = goals.iter().map(|&g| g as u32).collect();
                goals.dedup();
                World {
                    tables: Tables::new(skills, activities),
                    know,
                    ceilings,
                    goals,
                    ready: soft.then_some(0.85),
                }
            },
        )
}

fn policy(w: &World) -> Policy {
    Policy {
        ready: w.ready,
        ..Policy::default()
    }
}

const RULE: MasteryRule = MasteryRule {
    threshold: 0.95,
    streak: 3,
    spinning: 10,
};

fn context<'a>(w: &'a World, p: &'a Policy, goals: &'a super::tables::GoalSet) -> Context<'a> {
    Context {
        tables: &w.tables,
        goals,
        policy: p,
        rule: &RULE,
        know: &w.know,
        ceilings: &w.ceilings,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn never_mastered_never_locked_review_only_with_forgetting(w in world(), k in 0usize..12) {
        let t = &w.tables;
        let p = policy(&w);
        let goals = t.goal_set(&w.goals);
        let cx = context(&w, &p, &goals);
        let recs = recommend(&cx, k);
        prop_assert!(recs.len() <= k);
        let index = |id: &str| t.ids.iter().position(|x| x == id).unwrap();
        let mut seen = std::collections::HashSet::new();
        for (i, r) in recs.iter().enumerate() {
            prop_assert_eq!(r.rank as usize, i + 1);
            let s = index(&r.skill);
            if r.kind == Kind::Remedial {
                // A remedial step practises a satisfied prerequisite of a spinning skill.
                let spinning = index(r.remedial_for.as_deref().unwrap());
                prop_assert_eq!(w.know[spinning].status, Status::Spinning);
                prop_assert!(t.prerequisites.get(spinning as u32).contains(&(s as u32)));
            } else {
                prop_assert!(!cx.satisfied(s as u32), "mastered skill {} recommended", r.skill);
                prop_assert!(cx.ready(s as u32), "locked skill {} recommended", r.skill);
                prop_assert!(goals.relevant[s], "skill {} is not on the way to a goal", r.skill);
            }
            if r.kind == Kind::Review {
                prop_assert!(w.know[s].evidence.was_mastered());
            }
            prop_assert_eq!(r.status == Status::Spinning, w.know[s].status == Status::Spinning);
            prop_assert!(!r.reason.contains(" -0") && !r.reason.contains("; -"), "{}", r.reason);
            if let Some(a) = &r.activity {
                prop_assert!(seen.insert(a.clone()), "activity {} twice", a);
                let a = t.activity_ids.iter().position(|x| x == a).unwrap() as u32;
                for &o in t.activity_skills.get(a) {
                    prop_assert!(cx.unlocked(o), "activity practises locked skill {}", o);
                }
            }
            if i > 0 {
                prop_assert!(recs[i - 1].score >= r.score);
            }
            prop_assert!(r.score.is_finite() && r.score <= 2.0);
        }
        // With room for everything, every ready skill on the way to the goals is covered: it is
        // recommended itself or practised by a recommended activity (an activity for several
        // ready skills is listed once).
        let all = recommend(&cx, usize::MAX);
        let mut covered = vec![false; t.n_skills()];
        for r in &all {
            covered[index(&r.skill)] = true;
            if let Some(a) = &r.activity {
                let a = t.activity_ids.iter().position(|x| x == a).unwrap() as u32;
                for &o in t.activity_skills.get(a) {
                    covered[o as usize] = true;
                }
            }
        }
        for (s, &is_covered) in covered.iter().enumerate() {
            let is_ready = goals.relevant[s] && cx.ready(s as u32);
            prop_assert!(!is_ready || is_covered, "ready skill {} left out", s);
        }
        // Deterministic: the same call gives the same answer.
        prop_assert_eq!(recommend(&cx, k), recs);
    }

    #[test]
    fn path_is_a_topological_order_of_exactly_the_unmastered_ancestors(w in world()) {
        let t = &w.tables;
        let p = policy(&w);
        let goals = t.goal_set(&w.goals);
        let cx = context(&w, &p, &goals);
        let plan = plan(&cx);
        let index = |id: &str| t.ids.iter().position(|x| x == id).unwrap();
        let order: Vec<usize> = plan.steps.iter().map(|s| index(&s.skill)).collect();
        let mut expected: Vec<usize> = if w.goals.is_empty() {
            (0..t.n_skills()).collect()
        } else {
            // Goals plus their ancestors, by a walk independent of the goal set's BFS.
            let mut mark = vec![false; t.n_skills()];
            let mut stack: Vec<u32> = w.goals.clone();
            while let Some(s) = stack.pop() {
                if !mark[s as usize] {
                    mark[s as usize] = true;
                    stack.extend_from_slice(t.prerequisites.get(s));
                }
            }
            (0..t.n_skills()).filter(|&s| mark[s]).collect()
        };
        expected.retain(|&s| !cx.satisfied(s as u32));
        let mut sorted = order.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, expected);
        let mut position = vec![usize::MAX; t.n_skills()];
        for (i, &s) in order.iter().enumerate() {
            position[s] = i;
        }
        for (i, &s) in order.iter().enumerate() {
            for &q in t.prerequisites.get(s as u32) {
                prop_assert!(position[q as usize] == usize::MAX || position[q as usize] < i,
                    "prerequisite {} after {}", q, s);
            }
            prop_assert_eq!(plan.steps[i].step as usize, i + 1);
            // Issue 17: every step has a finite expected number of opportunities.
            let e = plan.steps[i].expected_opportunities;
            prop_assert!(e.is_some_and(f64::is_finite), "step {} has {:?}", i, e);
        }
    }
}
