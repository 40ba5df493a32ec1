//! Ranking the next activities for one learner, on the prepared dense arrays.

use super::explain::{NoActivity, ReasonFacts, reason};
use super::policy::Policy;
use super::score::{Components, Kind, Situation, components, rank_order};
use super::tables::{GoalSet, Tables};

/// One recommended activity (or skill, when no activity practises it).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Recommendation {
    /// 1-based rank.
    pub rank: u32,
    /// The activity id; `None` when the skill has no activity the learner can do, and the skill
    /// itself is recommended (the reason says why).
    pub activity: Option<String>,
    /// The skill id the recommendation is for.
    pub skill: String,
    /// Learn, prerequisite (on the way to a goal) or review.
    pub kind: Kind,
    /// The weighted sum of `components`.
    pub score: f64,
    /// Every part of the score.
    pub components: Components,
    /// Current P(known) of the skill.
    pub mastery: f64,
    /// Predicted P(correct) of the attempt.
    pub p_correct: f64,
    /// Expected P(known) gain from one attempt.
    pub expected_gain: f64,
    /// One line a teacher or learner can read.
    pub reason: String,
}

/// A learner's P(known) per skill of the tables, and the highest P(known) they ever had (for
/// reviews; equal to `mastery` when no history is kept).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Knowledge<'a> {
    pub mastery: &'a [f64],
    pub peak: &'a [f64],
}

/// A ranked candidate before it becomes a [`Recommendation`].
#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f64,
    topo: u32,
    /// Activity index, `u32::MAX` for the skill itself.
    activity: u32,
    skill: u32,
    kind: Kind,
    parts: Components,
    gain: f64,
    p_correct: f64,
    no_activity: Option<NoActivity>,
}

impl Candidate {
    fn key(&self) -> (f64, u32, u32) {
        (self.score, self.topo, self.activity)
    }
}

/// Keeps the best `k` candidates, one per activity, in rank order.
struct TopK {
    k: usize,
    items: Vec<Candidate>,
}

impl TopK {
    fn offer(&mut self, c: Candidate) {
        if self.k == 0 {
            return;
        }
        if c.activity != u32::MAX
            && let Some(i) = self.items.iter().position(|x| x.activity == c.activity)
        {
            if rank_order(c.key(), self.items[i].key()).is_lt() {
                self.items.remove(i);
            } else {
                return;
            }
        }
        if self.items.len() == self.k
            && let Some(last) = self.items.last()
            && !rank_order(c.key(), last.key()).is_lt()
        {
            return;
        }
        let at = self
            .items
            .partition_point(|x| rank_order(x.key(), c.key()).is_lt());
        self.items.insert(at, c);
        self.items.truncate(self.k);
    }
}

/// The top `k` recommendations for a learner. Rules (see `docs/recommender.md`): a skill is a
/// candidate when it lies on the way to the goals, is not mastered and all its prerequisites are
/// satisfied (≥ the ready threshold) — or, under forgetting, was mastered (peak ≥ threshold) and
/// fell below (review). An activity is eligible when none of its skills is locked (every skill
/// is mastered or has its prerequisites satisfied).
pub(crate) fn recommend(
    t: &Tables,
    goals: &GoalSet,
    policy: &Policy,
    knowledge: Knowledge<'_>,
    k: usize,
) -> Vec<Recommendation> {
    let Knowledge { mastery, peak } = knowledge;
    let thr = policy.mastery;
    let ready = policy.ready_threshold();
    let satisfied = |s: u32| mastery[s as usize] >= ready;
    let prerequisites_ok = |s: u32| t.prerequisites.get(s).iter().all(|&p| satisfied(p));
    let unlocked = |s: u32| mastery[s as usize] >= thr || prerequisites_ok(s);
    let mut top = TopK {
        k,
        items: Vec::with_capacity(k.min(64) + 1),
    };
    let mut mine: Vec<Candidate> = Vec::new();
    for &s in &goals.list {
        let m = mastery[s as usize];
        if m >= thr || !prerequisites_ok(s) {
            continue;
        }
        let review = t.dynamics[s as usize].forget > 0.0 && peak[s as usize] >= thr;
        let kind = if review {
            Kind::Review
        } else if !goals.any || goals.is_goal[s as usize] {
            Kind::Learn
        } else {
            Kind::Prerequisite
        };
        let unlocks = t
            .dependents
            .get(s)
            .iter()
            .filter(|&&d| {
                goals.relevant[d as usize]
                    && mastery[d as usize] < thr
                    && t.prerequisites
                        .get(d)
                        .iter()
                        .all(|&p| p == s || satisfied(p))
            })
            .count() as u32;
        let situation = Situation {
            mastery: m,
            unlocks,
            goal_distance: goals.any.then(|| goals.distance[s as usize]),
            kind,
        };
        let own = &t.dynamics[s as usize];
        let skill_level = components(own, &situation, policy);
        let mut offered = false;
        mine.clear();
        for &(a, pair) in &t.skill_activities[s as usize] {
            if !t
                .activity_skills
                .get(a)
                .iter()
                .all(|&o| o == s || unlocked(o))
            {
                continue;
            }
            let d = &t.pair_dynamics[pair as usize];
            // Most activities have no item parameters of their own: reuse the skill's numbers.
            let (parts, gain, p_correct) = if d == own {
                skill_level
            } else {
                components(d, &situation, policy)
            };
            mine.push(Candidate {
                score: parts.score(policy),
                topo: t.topo_position[s as usize],
                activity: a,
                skill: s,
                kind,
                parts,
                gain,
                p_correct,
                no_activity: None,
            });
        }
        // The skill's best activities only, so that the top K spans several skills.
        mine.sort_by(|x, y| rank_order(x.key(), y.key()));
        for c in mine.drain(..).take(policy.activities_per_skill.max(1)) {
            top.offer(c);
            offered = true;
        }
        if !offered {
            let (parts, gain, p_correct) = skill_level;
            top.offer(Candidate {
                score: parts.score(policy),
                topo: t.topo_position[s as usize],
                activity: u32::MAX,
                skill: s,
                kind,
                parts,
                gain,
                p_correct,
                no_activity: Some(if t.skill_activities[s as usize].is_empty() {
                    NoActivity::Missing
                } else {
                    NoActivity::Locked
                }),
            });
        }
    }
    top.items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let s = c.skill as usize;
            let facts = ReasonFacts {
                kind: c.kind,
                mastery: mastery[s],
                peak: peak[s],
                expected_gain: c.gain,
                p_correct: c.p_correct,
                goal: (goals.any && !goals.is_goal[s]).then(|| {
                    (
                        t.names[goals.nearest[s] as usize].as_str(),
                        goals.distance[s],
                    )
                }),
                ready_threshold: ready,
                ready_is_mastery: ready >= thr,
                no_activity: c.no_activity,
            };
            let pre = t.prerequisites.get(c.skill);
            let mut text = String::new();
            reason(
                &mut text,
                &facts,
                pre.iter()
                    .map(|&p| (t.names[p as usize].as_str(), mastery[p as usize])),
            );
            Recommendation {
                rank: i as u32 + 1,
                activity: (c.activity != u32::MAX)
                    .then(|| t.activity_ids[c.activity as usize].clone()),
                skill: t.ids[s].clone(),
                kind: c.kind,
                score: c.score,
                components: c.parts,
                mastery: mastery[s],
                p_correct: c.p_correct,
                expected_gain: c.gain,
                reason: text,
            }
        })
        .collect()
}

/// Why a learner has no recommendation: every skill on the way to the goals is mastered (the
/// only way the ready set of a DAG can be empty), or there are no such skills.
pub(crate) fn why_none(t: &Tables, goals: &GoalSet, policy: &Policy, mastery: &[f64]) -> String {
    if goals.list.is_empty() {
        return "the graph has no skills".to_owned();
    }
    let unmastered = goals
        .list
        .iter()
        .filter(|&&s| mastery[s as usize] < policy.mastery)
        .count();
    if unmastered == 0 {
        if goals.any {
            format!(
                "all {} skills on the way to the goals are mastered (P(known) ≥ {:.2})",
                goals.list.len(),
                policy.mastery
            )
        } else {
            format!(
                "all {} skills of the graph are mastered (P(known) ≥ {:.2})",
                t.n_skills(),
                policy.mastery
            )
        }
    } else {
        format!("{unmastered} skills are not mastered but none is ready")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tables::tests::{DYN, small};
    use super::*;

    fn run(mastery: &[f64], goals: &[u32], k: usize) -> Vec<Recommendation> {
        let t = small();
        let g = t.goal_set(goals);
        let all = Policy {
            activities_per_skill: usize::MAX,
            ..Policy::default()
        };
        recommend(
            &t,
            &g,
            &all,
            Knowledge {
                mastery,
                peak: mastery,
            },
            k,
        )
    }

    #[test]
    fn one_activity_per_skill_by_default() {
        let t = small();
        let g = t.goal_set(&[]);
        let m = [0.1, 0.97, 0.3, 0.3, 0.1];
        let knowledge = Knowledge {
            mastery: &m,
            peak: &m,
        };
        let r = recommend(&t, &g, &Policy::default(), knowledge, 5);
        let skills: Vec<&str> = r.iter().map(|x| x.skill.as_str()).collect();
        // add's best activity and sub's (addsub is sub's only one, or add's best).
        assert_eq!(r.len(), 2, "{skills:?}");
        assert!(skills.contains(&"add") || skills.contains(&"sub"));
        assert_eq!(r[0].activity.as_deref(), Some("add-1"));
    }

    #[test]
    fn a_new_learner_starts_at_the_root() {
        let r = run(&[0.1; 5], &[], 5);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].skill, "count");
        assert_eq!(r[0].activity.as_deref(), Some("count-1"));
        assert_eq!(r[0].kind, Kind::Learn);
        assert_eq!(r[0].rank, 1);
        assert!((r[0].expected_gain - 0.9 * DYN.learn).abs() < 1e-12);
        assert!(
            r[0].reason
                .starts_with("Ready: no prerequisites; current mastery 0.10")
        );
    }

    #[test]
    fn multi_skill_activity_waits_for_its_other_skill() {
        // count mastered, add and sub ready; `addsub` is eligible (both ready).
        let m = [0.1, 0.97, 0.3, 0.6, 0.1];
        let r = run(&m, &[], 10);
        let acts: Vec<_> = r.iter().map(|x| x.activity.clone().unwrap()).collect();
        assert_eq!(acts.len(), 3, "{acts:?}"); // add-1, add-2, addsub once
        assert!(acts.contains(&"addsub".to_owned()));
        // sub not ready: addsub may not be recommended.
        let m = [0.1, 0.97, 0.3, 0.6, 0.1];
        let mut locked = m;
        locked[1] = 0.5; // count no longer mastered → add and sub locked
        let r = run(&locked, &[], 10);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].skill, "count");
    }

    #[test]
    fn goals_restrict_and_label_prerequisites() {
        let m = [0.1, 0.97, 0.97, 0.3, 0.1];
        let r = run(&m, &[4], 5);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].skill, "sub");
        assert_eq!(r[0].kind, Kind::Prerequisite);
        // Its only activity also practises `add`, which is mastered, so it is eligible.
        assert_eq!(r[0].activity.as_deref(), Some("addsub"));
        assert_eq!(r[0].components.unlock, 0.5); // word becomes ready
        assert_eq!(r[0].components.goal, 0.5); // one edge from the goal
        assert!(r[0].reason.starts_with("Prerequisite on the way to WORD (1 step). Ready: prerequisite COUNT ≥ 0.97 mastered"), "{}", r[0].reason);
    }

    #[test]
    fn ranking_is_by_score_then_topology_then_activity() {
        let m = [0.1, 0.97, 0.3, 0.3, 0.1];
        let r = run(&m, &[], 10);
        for w in r.windows(2) {
            assert!(w[0].score >= w[1].score);
        }
        // add-1 and add-2 tie exactly: curriculum order decides.
        let pos = |id: &str| {
            r.iter()
                .position(|x| x.activity.as_deref() == Some(id))
                .unwrap()
        };
        assert!(pos("add-1") < pos("add-2"));
        assert_eq!(run(&m, &[], 2).len(), 2);
        assert_eq!(run(&m, &[], 0).len(), 0);
    }

    #[test]
    fn review_needs_forgetting_and_a_past_mastery() {
        let mut t = small();
        t.dynamics[1].forget = 0.05;
        let g = t.goal_set(&[]);
        let m = [0.1, 0.9, 0.1, 0.1, 0.1];
        let peak = [0.1, 0.98, 0.1, 0.1, 0.1];
        let p = Policy::default();
        let r = recommend(
            &t,
            &g,
            &p,
            Knowledge {
                mastery: &m,
                peak: &peak,
            },
            5,
        );
        assert_eq!(r[0].kind, Kind::Review);
        assert_eq!(r[0].components.review, 1.0);
        assert!(
            r[0].reason
                .starts_with("Review: mastered before (peak 0.98), now 0.90")
        );
        // Without a past mastery it is plain learning.
        let r = recommend(
            &t,
            &g,
            &p,
            Knowledge {
                mastery: &m,
                peak: &m,
            },
            5,
        );
        assert_eq!(r[0].kind, Kind::Learn);
    }

    #[test]
    fn nothing_left_is_explained() {
        let t = small();
        let g = t.goal_set(&[2]);
        let m = [0.1, 0.97, 0.99, 0.1, 0.1];
        let r = recommend(
            &t,
            &g,
            &Policy::default(),
            Knowledge {
                mastery: &m,
                peak: &m,
            },
            5,
        );
        assert!(r.is_empty());
        let why = why_none(&t, &g, &Policy::default(), &m);
        assert_eq!(
            why,
            "all 2 skills on the way to the goals are mastered (P(known) ≥ 0.95)"
        );
    }
}
