//! Ranking the next activities for one learner, on the prepared dense arrays.
//!
//! Rules (see `docs/recommender.md`): a skill is a candidate when it lies on the way to the goals,
//! is not mastered and all its prerequisites are satisfied. Each candidate is scored by the
//! expected learning one attempt buys ([`Components`]): the chance to learn it now, discounted by
//! the truth of its prerequisites and by repetition without mastery, minus expected forgetting,
//! plus the value of the dependents its mastery would open beyond the best other choice. A skill
//! the learner is wheel-spinning on also offers a remedial step on its weakest prerequisite.

use super::dynamics::SkillDynamics;
use super::explain::{NoActivity, ReasonFacts, reason};
use super::knowledge::SkillKnowledge;
use super::policy::Policy;
use super::score::{Components, Kind, rank_order};
use super::tables::{GoalSet, Tables};
use crate::bkt::mastery::{MasteryRule, Status};
use crate::graph::is_ready;

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
    /// Learn, prerequisite, review or remedial.
    pub kind: Kind,
    /// The score ([`Components::score`]).
    pub score: f64,
    /// Every part of the score.
    pub components: Components,
    /// Current P(known) of the skill.
    pub mastery: f64,
    /// The mastery estimate (P(known) as a share of the skill's ceiling).
    pub estimate: f64,
    /// Where the learner stands on the skill; [`Status::Spinning`] flags wheel-spinning.
    pub status: Status,
    /// Predicted P(correct) of the attempt.
    pub p_correct: f64,
    /// For a remedial step: the skill the learner is wheel-spinning on.
    pub remedial_for: Option<String>,
    /// One line a teacher or learner can read.
    pub reason: String,
}

/// Everything one ranking looks at.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub tables: &'a Tables,
    pub goals: &'a GoalSet,
    pub policy: &'a Policy,
    pub rule: &'a MasteryRule,
    /// Per graph skill.
    pub know: &'a [SkillKnowledge],
    /// Per graph skill: the attainable P(known) ceiling.
    pub ceilings: &'a [f64],
}

impl Context<'_> {
    /// The estimate a prerequisite needs.
    pub(crate) fn ready_threshold(&self) -> f64 {
        self.policy.ready.unwrap_or(self.rule.threshold)
    }

    #[inline]
    pub(crate) fn satisfied(&self, s: u32) -> bool {
        self.know[s as usize].satisfies(self.rule, self.ready_threshold())
    }

    /// Ready to learn: not satisfied, every direct prerequisite satisfied (the one readiness
    /// rule, [`is_ready`]).
    #[inline]
    pub(crate) fn ready(&self, s: u32) -> bool {
        is_ready(self.satisfied(s), self.tables.prerequisites.get(s), |p| {
            self.satisfied(p)
        })
    }

    /// Satisfied or ready: an activity may practise the skill.
    pub(crate) fn unlocked(&self, s: u32) -> bool {
        self.satisfied(s) || self.ready(s)
    }

    /// The skill-level parts of one attempt with dynamics `d` (no unlock yet).
    pub(crate) fn parts(&self, s: u32, d: &SkillDynamics) -> Components {
        let k = &self.know[s as usize];
        let p = k.mastery;
        let kappa = f64::from(self.rule.spinning);
        Components {
            learning: (1.0 - p) * d.learn,
            readiness: self.readiness(s),
            persistence: kappa / (kappa + f64::from(k.evidence.tries)),
            doubt: 1.0,
            forgetting: p * d.forget,
            unlock: 0.0,
        }
    }

    /// The probability that every prerequisite of `s` is truly known.
    fn readiness(&self, s: u32) -> f64 {
        self.tables
            .prerequisites
            .get(s)
            .iter()
            .map(|&q| self.know[q as usize].mastery)
            .product()
    }

    /// Attempts skill `s` still needs to be mastered, roughly: the correct answers its streak
    /// lacks, or the way left to the threshold at the expected learning per attempt.
    fn attempts_to_mastery(&self, s: u32, parts: &Components) -> f64 {
        let k = &self.know[s as usize];
        let streak_left = self.rule.streak.saturating_sub(k.evidence.streak).max(1);
        let target = self.ready_threshold() * self.ceilings[s as usize];
        let gap = (target - k.mastery).max(0.0);
        let rate = (parts.learning * parts.readiness).max(1e-3);
        f64::from(streak_left).max(gap / rate)
    }

    /// What mastering `s` opens: the best value among the dependents it would make ready,
    /// beyond `best_other` (the best value available now without `s`), per attempt `s` needs.
    fn unlock(&self, s: u32, parts: &Components, best_other: f64) -> f64 {
        let t = self.tables;
        let mut best_opened = f64::NEG_INFINITY;
        for &d in t.dependents.get(s) {
            let opened = is_ready(self.satisfied(d), t.prerequisites.get(d), |p| {
                p == s || self.satisfied(p)
            });
            if !self.goals.relevant[d as usize] || !opened {
                continue;
            }
            let v = self.parts(d, &t.dynamics[d as usize]);
            best_opened = best_opened.max(v.value() - v.forgetting);
        }
        if best_opened <= best_other {
            return 0.0;
        }
        (best_opened - best_other) / self.attempts_to_mastery(s, parts)
    }
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
    p_correct: f64,
    /// For a remedial step: the spinning skill.
    remedial_for: u32,
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

/// A skill-level candidate: the skill, its kind, its parts and the spinning skill it is a
/// remedial step for (`u32::MAX` if none).
type SkillCandidate = (u32, Kind, Components, u32);

/// The skill-level candidates, unlock included.
fn skill_candidates(cx: &Context<'_>) -> Vec<SkillCandidate> {
    let t = cx.tables;
    let mut out: Vec<SkillCandidate> = Vec::new();
    for &s in &cx.goals.list {
        if !cx.ready(s) {
            continue;
        }
        let k = &cx.know[s as usize];
        let kind = if k.evidence.was_mastered() {
            Kind::Review
        } else if !cx.goals.any || cx.goals.is_goal[s as usize] {
            Kind::Learn
        } else {
            Kind::Prerequisite
        };
        out.push((s, kind, cx.parts(s, &t.dynamics[s as usize]), u32::MAX));
    }
    // The two best values, so that each skill's unlock compares with the best *other* choice.
    let (mut best, mut second) = ((f64::NEG_INFINITY, u32::MAX), f64::NEG_INFINITY);
    for &(s, _, p, _) in &out {
        let v = p.value() - p.forgetting;
        if v > best.0 {
            second = best.0;
            best = (v, s);
        } else if v > second {
            second = v;
        }
    }
    for (s, _, parts, _) in &mut out {
        let other = if best.1 == *s { second } else { best.0 };
        parts.unlock = cx.unlock(*s, parts, other.max(0.0));
    }
    let spinning: Vec<u32> = out
        .iter()
        .filter(|c| cx.know[c.0 as usize].status == Status::Spinning)
        .map(|c| c.0)
        .collect();
    for s in spinning {
        if let Some(c) = remedial(cx, s) {
            out.push(c);
        }
    }
    out
}

/// The remedial step for spinning skill `s`: its weakest prerequisite, if that was not practised
/// since the learner's last attempt at `s`. Its doubt is P(prerequisite not known | `s` not
/// mastered after n attempts) by Bayes, with P(that | known) = (1 − learn(s))ⁿ and
/// P(that | not known) = 1.
fn remedial(cx: &Context<'_>, s: u32) -> Option<SkillCandidate> {
    let t = cx.tables;
    let k = &cx.know[s as usize];
    let q = t.prerequisites.get(s).iter().copied().min_by(|&a, &b| {
        let (ea, eb) = (cx.know[a as usize].estimate, cx.know[b as usize].estimate);
        ea.total_cmp(&eb).then(a.cmp(&b))
    })?;
    let kq = &cx.know[q as usize];
    // Practised since the last attempt at `s` (a smaller idle count): not again before `s` is.
    if kq.idle.unwrap_or(u64::MAX) <= k.idle.unwrap_or(u64::MAX) {
        return None;
    }
    let stuck_if_known = (1.0 - t.dynamics[s as usize].learn).powf(f64::from(k.evidence.tries));
    let unknown = 1.0 - kq.mastery;
    let doubt = unknown / (unknown + kq.mastery * stuck_if_known).max(1e-12);
    let d = &t.dynamics[q as usize];
    let parts = Components {
        learning: d.learn,
        readiness: cx.readiness(q),
        persistence: 1.0,
        doubt,
        forgetting: kq.mastery * d.forget,
        unlock: 0.0,
    };
    Some((q, Kind::Remedial, parts, s))
}

/// The top `k` recommendations for a learner (see the module documentation).
pub(crate) fn recommend(cx: &Context<'_>, k: usize) -> Vec<Recommendation> {
    let t = cx.tables;
    let mut top = TopK {
        k,
        items: Vec::with_capacity(k.min(64) + 1),
    };
    let mut mine: Vec<Candidate> = Vec::new();
    for (s, kind, skill_parts, remedial_for) in skill_candidates(cx) {
        let own = &t.dynamics[s as usize];
        let p = cx.know[s as usize].mastery;
        let candidate = |activity: u32, parts: Components, d: &SkillDynamics| Candidate {
            score: parts.score(),
            topo: t.topo_position[s as usize],
            activity,
            skill: s,
            kind,
            parts,
            p_correct: d.p_correct(p),
            remedial_for,
            no_activity: None,
        };
        mine.clear();
        for &(a, pair) in &t.skill_activities[s as usize] {
            if !t
                .activity_skills
                .get(a)
                .iter()
                .all(|&o| o == s || cx.unlocked(o))
            {
                continue;
            }
            let d = &t.pair_dynamics[pair as usize];
            // Most activities have no item parameters of their own: reuse the skill's numbers.
            let parts = if d == own {
                skill_parts
            } else {
                let item = cx.parts(s, d);
                Components {
                    learning: if kind == Kind::Remedial {
                        d.learn
                    } else {
                        item.learning
                    },
                    forgetting: item.forgetting,
                    ..skill_parts
                }
            };
            mine.push(candidate(a, parts, d));
        }
        // The skill's best activities only, so that the top K spans several skills.
        mine.sort_by(|x, y| rank_order(x.key(), y.key()));
        let offered = !mine.is_empty();
        for c in mine.drain(..).take(cx.policy.activities_per_skill.max(1)) {
            top.offer(c);
        }
        if !offered {
            top.offer(Candidate {
                no_activity: Some(if t.skill_activities[s as usize].is_empty() {
                    NoActivity::Missing
                } else {
                    NoActivity::Locked
                }),
                ..candidate(u32::MAX, skill_parts, own)
            });
        }
    }
    top.items
        .iter()
        .enumerate()
        .map(|(i, c)| recommendation(cx, i, c))
        .collect()
}

fn recommendation(cx: &Context<'_>, i: usize, c: &Candidate) -> Recommendation {
    let t = cx.tables;
    let s = c.skill as usize;
    let k = &cx.know[s];
    let goals = cx.goals;
    let remedial_for = (c.remedial_for != u32::MAX).then_some(c.remedial_for as usize);
    let facts = ReasonFacts {
        kind: c.kind,
        knowledge: k,
        parts: &c.parts,
        p_correct: c.p_correct,
        goal: (goals.any && !goals.is_goal[s]).then(|| {
            (
                t.names[goals.nearest[s] as usize].as_str(),
                goals.distance[s],
            )
        }),
        ready: cx.policy.ready,
        remedial_for: remedial_for.map(|r| (t.names[r].as_str(), &cx.know[r])),
        no_activity: c.no_activity,
    };
    let mut text = String::new();
    reason(
        &mut text,
        &facts,
        t.prerequisites
            .get(c.skill)
            .iter()
            .map(|&p| (t.names[p as usize].as_str(), cx.know[p as usize].estimate)),
    );
    Recommendation {
        rank: i as u32 + 1,
        activity: (c.activity != u32::MAX).then(|| t.activity_ids[c.activity as usize].clone()),
        skill: t.ids[s].clone(),
        kind: c.kind,
        score: c.score,
        components: c.parts,
        mastery: k.mastery,
        estimate: k.estimate,
        status: k.status,
        p_correct: c.p_correct,
        remedial_for: remedial_for.map(|r| t.ids[r].clone()),
        reason: text,
    }
}

/// Why a learner has no recommendation: every skill on the way to the goals is mastered (the
/// only way the ready set of a DAG can be empty), or there are no such skills.
pub(crate) fn why_none(cx: &Context<'_>) -> String {
    let goals = cx.goals;
    if goals.list.is_empty() {
        return "the graph has no skills".to_owned();
    }
    let open = goals.list.iter().filter(|&&s| !cx.satisfied(s)).count();
    if open > 0 {
        return format!("{open} skills are not mastered but none is ready");
    }
    let what = if goals.any {
        format!("all {} skills on the way to the goals", goals.list.len())
    } else {
        format!("all {} skills of the graph", cx.tables.n_skills())
    };
    format!(
        "{what} are mastered (estimate ≥ {:.2} with {} correct answers in a row)",
        cx.rule.threshold, cx.rule.streak
    )
}
