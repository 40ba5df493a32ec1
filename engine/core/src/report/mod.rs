//! Cohort reports for teachers: the figures behind `pathwise report`.
//!
//! The caller assembles a [`CohortInput`] (skills in curriculum order; per learner the attempts
//! per skill from the log, P(known) per skill from the model, the ready flags and the top
//! recommendation from the recommender) and [`build_report`] turns it into a [`CohortReport`]:
//! a summary, per-skill mastered / ready / not-ready counts, the skills the class is ready for
//! next, the stuck learners and the learners with no recent activity (rules in `rules`), and
//! groups by k-means on the mastery vectors (rule in `groups`). Every count rests on evidence:
//! a cell's status is the library's [`MasteryRule::status`](crate::bkt::mastery::MasteryRule::status),
//! taken from [`Recommender::knowledge`](crate::Recommender::knowledge) as `recommend` takes it,
//! and a skill a learner never attempted is *not assessed*, never mastered. [`cohort_reports`] assembles the
//! inputs from a log, a model and the recommender (every learner, or one cohort per group value)
//! and builds their reports, as `pathwise report` does. Rendering (HTML, CSV, JSON) is the
//! `pathwise-report` crate's job; every number it prints comes from here, so page and tables
//! agree.
//!
//! ```
//! use pathwise::report::{build_report, CohortInput, LearnerInput, ReportSettings, SkillEvidence, SkillRef};
//! use pathwise::{bkt::mastery::Evidence, OrderKind};
//! let settings = ReportSettings::default();
//! let skill = |id: &str| SkillRef { id: id.into(), name: id.into(), ..SkillRef::default() };
//! let seen = |skill, attempts, streak, p| {
//!     let evidence = Evidence { attempts, correct: streak, streak, tries: attempts };
//!     SkillEvidence::judged(skill, evidence, p, p, &settings.rule)
//! };
//! let learner = |id: &str, evidence: Vec<SkillEvidence>| LearnerInput {
//!     id: id.into(), responses: 12, evidence, first_order: 0, last_order: 11,
//!     last_skill: Some(0), top: None,
//! };
//! let input = CohortInput {
//!     skills: vec![skill("add"), skill("sub")],
//!     learners: vec![learner("ann", vec![seen(0, 10, 4, 0.97), seen(1, 2, 0, 0.30)]),
//!                    learner("bob", vec![seen(0, 10, 1, 0.40)])],
//!     order_kind: OrderKind::Sequence,
//! };
//! let report = build_report(&input, &settings).unwrap();
//! assert_eq!(report.skills[0].mastered, 1);  // ann: P(known) 0.97 and 4 correct in a row
//! assert_eq!(report.skills[1].attempted, 1); // bob never tried "sub": not assessed
//! assert_eq!(report.stuck.len(), 1); // bob: 10 attempts on "add", not mastered
//! assert_eq!(report.summary.responses, 24);
//! ```

mod activity;
mod cohort;
mod groups;
mod input;
mod orders;
mod readiness;
mod rules;

pub use activity::{LearnerActivity, learner_activity};
pub use cohort::{ALL_LEARNERS, Cohort, CohortSelection, cohort_reports};
pub use groups::{GROUP_FEATURES, Group, GroupRule, Grouping, KScore, SELECTION_SAMPLE};
pub use input::{
    CohortInput, LearnerInput, NOT_IN_MODEL, ReportSettings, SkillEvidence, SkillRef, TopPick,
};
pub use orders::{format_gap, format_order};
pub use rules::{Inactive, InactiveRule, Stuck};

use crate::{OrderKind, Result};

/// The cohort as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Learners in the cohort.
    pub learners: usize,
    /// Skills in the report.
    pub skills: usize,
    /// Responses (each scored once).
    pub responses: u64,
    /// Attempts summed over skills (a two-skill response counts twice).
    pub attempts: u64,
    /// The earliest order key, if any learner has responses.
    pub first_order: Option<i64>,
    /// The latest order key.
    pub last_order: Option<i64>,
    /// What the order keys mean.
    pub order_kind: OrderKind,
    /// (learner, skill) cells with evidence (at least one attempt).
    pub assessed: u64,
    /// Mean P(known) over the cells with evidence; `None` when there are none.
    pub mean_mastery: Option<f64>,
}

/// The figures of one skill.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillFigures {
    /// Learners who mastered it, with evidence (status
    /// [`Status::Mastered`](crate::bkt::mastery::Status::Mastered)).
    pub mastered: usize,
    /// Learners ready to learn it (not mastered, every prerequisite mastered).
    pub ready: usize,
    /// The other learners: not mastered and not ready.
    pub not_ready: usize,
    /// Learners with at least one attempt on it (the others are not assessed).
    pub attempted: usize,
    /// Attempts on it.
    pub attempts: u64,
    /// Correct attempts on it.
    pub correct: u64,
    /// Mean P(known) over the learners who attempted it; `None` when nobody did.
    pub mean_mastery: Option<f64>,
    /// Learners whose top recommendation is this skill.
    pub top_picks: usize,
    /// Learners stuck on it.
    pub stuck: usize,
}

/// The figures of one learner.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerFigures {
    /// Skills mastered, with evidence.
    pub mastered: usize,
    /// Skills ready to learn.
    pub ready: usize,
    /// Skills with at least one attempt (the others are not assessed).
    pub skills_attempted: usize,
    /// Mean P(known) over the skills attempted; `None` when none.
    pub mean_mastery: Option<f64>,
    /// 1-based rank by progress (see [`CohortReport::progress_order`]).
    pub rank: usize,
    /// Group index (into [`Grouping::groups`]).
    pub group: usize,
    /// Skills the learner is stuck on.
    pub stuck: usize,
    /// Whether the learner has no recent activity.
    pub inactive: bool,
}

/// Everything a cohort report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortReport {
    /// The cohort as a whole.
    pub summary: Summary,
    /// Per skill, in the input's (curriculum) order.
    pub skills: Vec<SkillFigures>,
    /// Per learner, in the input's order.
    pub learners: Vec<LearnerFigures>,
    /// Learner indices by progress: most skills mastered first, then higher mean mastery over
    /// the skills attempted (none last), then learner id.
    pub progress_order: Vec<usize>,
    /// "Ready next for the class": skill indices that at least one learner is ready for, most
    /// ready learners first (ties: curriculum order).
    pub ready_next: Vec<usize>,
    /// The class-wide top pick: the skill that is the top recommendation of the most learners
    /// (ties: curriculum order); `None` when no learner has one.
    pub top_pick: Option<usize>,
    /// Stuck (learner, skill) pairs, most attempts first.
    pub stuck: Vec<Stuck>,
    /// The inactivity rule that applied.
    pub inactive_rule: InactiveRule,
    /// Learners with no recent activity, longest gap first.
    pub inactive: Vec<Inactive>,
    /// The groups.
    pub grouping: Grouping,
}

/// Computes the cohort figures. Errors when the input is inconsistent (evidence out of range or
/// order, mastery outside [0, 1]) or a setting is out of range. Work and memory grow with the
/// evidence (attempted cells), the learners and the skills, never with learners × skills.
pub fn build_report(input: &CohortInput, settings: &ReportSettings) -> Result<CohortReport> {
    settings.validate()?;
    input.validate(&settings.rule)?;
    let n_skills = input.skills.len();
    let n_learners = input.learners.len();
    let readiness = readiness::Readiness::new(input);
    let progress: Vec<readiness::LearnerProgress> = (0..n_learners)
        .map(|li| readiness.learner(input, li))
        .collect();
    let stuck = rules::stuck(input);
    let (inactive_rule, inactive) = rules::inactive(input, settings);
    let grouping = groups::group_learners(input, settings, &readiness, &progress);

    let mut skills = vec![
        SkillFigures {
            mastered: 0,
            ready: 0,
            not_ready: 0,
            attempted: 0,
            attempts: 0,
            correct: 0,
            mean_mastery: None,
            top_picks: 0,
            stuck: 0,
        };
        n_skills
    ];
    let mut mastery_sums = vec![0.0; n_skills];
    let mut learners = Vec::with_capacity(n_learners);
    let (mut cell_sum, mut assessed) = (0.0, 0u64);
    for (li, l) in input.learners.iter().enumerate() {
        let p = &progress[li];
        let mut sum = 0.0;
        for e in &l.evidence {
            let sk = &mut skills[e.skill];
            sk.attempted += 1;
            sk.attempts += u64::from(e.evidence.attempts);
            sk.correct += u64::from(e.evidence.correct);
            mastery_sums[e.skill] += e.mastery;
            sum += e.mastery;
        }
        for &s in &p.mastered {
            skills[s].mastered += 1;
        }
        for &s in &p.ready_dependents {
            skills[s].ready += 1;
        }
        cell_sum += sum;
        assessed += l.evidence.len() as u64;
        let attempted = l.evidence.len();
        learners.push(LearnerFigures {
            mastered: p.mastered.len(),
            ready: p.ready_count(&readiness),
            skills_attempted: attempted,
            mean_mastery: (attempted > 0).then(|| sum / attempted as f64),
            rank: 0,
            group: grouping.assignment[li],
            stuck: 0,
            inactive: false,
        });
        if let Some(top) = &l.top {
            skills[top.skill].top_picks += 1;
        }
    }
    for (s, sk) in skills.iter_mut().enumerate() {
        if readiness.is_root(s) {
            sk.ready = n_learners - sk.mastered;
        }
        sk.not_ready = n_learners - sk.mastered - sk.ready;
        sk.mean_mastery = (sk.attempted > 0).then(|| mastery_sums[s] / sk.attempted as f64);
    }
    for s in &stuck {
        skills[s.skill].stuck += 1;
        learners[s.learner].stuck += 1;
    }
    for i in &inactive {
        learners[i.learner].inactive = true;
    }

    let mean_key = |f: &LearnerFigures| f.mean_mastery.unwrap_or(-1.0);
    let mut progress_order: Vec<usize> = (0..n_learners).collect();
    progress_order.sort_by(|&a, &b| {
        learners[b]
            .mastered
            .cmp(&learners[a].mastered)
            .then(mean_key(&learners[b]).total_cmp(&mean_key(&learners[a])))
            .then_with(|| input.learners[a].id.cmp(&input.learners[b].id))
    });
    for (rank, &li) in progress_order.iter().enumerate() {
        learners[li].rank = rank + 1;
    }
    let mut ready_next: Vec<usize> = (0..n_skills).filter(|&s| skills[s].ready > 0).collect();
    ready_next.sort_by(|&a, &b| skills[b].ready.cmp(&skills[a].ready).then(a.cmp(&b)));
    let top_pick = (0..n_skills)
        .filter(|&s| skills[s].top_picks > 0)
        .max_by(|&a, &b| {
            skills[a]
                .top_picks
                .cmp(&skills[b].top_picks)
                .then(b.cmp(&a))
        });

    let summary = Summary {
        learners: n_learners,
        skills: n_skills,
        responses: input.learners.iter().map(|l| l.responses).sum(),
        attempts: skills.iter().map(|s| s.attempts).sum(),
        first_order: input.learners.iter().map(|l| l.first_order).min(),
        last_order: input.learners.iter().map(|l| l.last_order).max(),
        order_kind: input.order_kind,
        assessed,
        mean_mastery: (assessed > 0).then(|| cell_sum / assessed as f64),
    };
    Ok(CohortReport {
        summary,
        skills,
        learners,
        progress_order,
        ready_next,
        top_pick,
        stuck,
        inactive_rule,
        inactive,
        grouping,
    })
}

#[cfg(test)]
mod tests;
