//! Cohort reports for teachers: the figures behind `pathwise report`.
//!
//! The caller assembles a [`CohortInput`] (skills in curriculum order; per learner the attempts
//! per skill from the log, P(known) per skill from the model, the ready flags and the top
//! recommendation from the recommender) and [`build_report`] turns it into a [`CohortReport`]:
//! a summary, per-skill mastered / ready / not-ready counts, the skills the class is ready for
//! next, the stuck learners and the learners with no recent activity (rules in `rules`), and
//! groups by k-means on the mastery vectors (rule in `groups`). [`cohort_reports`] assembles the
//! inputs from a log, a model and the recommender (every learner, or one cohort per group value)
//! and builds their reports, as `pathwise report` does. Rendering (HTML, CSV, JSON) is the
//! `pathwise-report` crate's job; every number it prints comes from here, so page and tables
//! agree.
//!
//! ```
//! use pathwise::{report::{build_report, CohortInput, LearnerInput, ReportSettings, SkillRef}, OrderKind};
//! let skill = |id: &str| SkillRef { id: id.into(), name: id.into() };
//! let learner = |id: &str, m: [f64; 2], ready: [bool; 2]| LearnerInput {
//!     id: id.into(), responses: 12, attempts: vec![10, 2], correct: vec![4, 1],
//!     mastery: m.to_vec(), ready: ready.to_vec(), first_order: 0, last_order: 11,
//!     last_skill: Some(0), top: None,
//! };
//! let input = CohortInput {
//!     skills: vec![skill("add"), skill("sub")],
//!     learners: vec![learner("ann", [0.97, 0.30], [false, true]),
//!                    learner("bob", [0.40, 0.10], [true, false])],
//!     order_kind: OrderKind::Sequence,
//! };
//! let report = build_report(&input, &ReportSettings::default()).unwrap();
//! assert_eq!(report.skills[0].mastered, 1);
//! assert_eq!(report.stuck.len(), 1); // bob: 10 attempts on "add", mastery 0.40
//! assert_eq!(report.summary.responses, 24);
//! ```

mod activity;
mod cohort;
mod groups;
mod input;
mod orders;
mod rules;

pub use activity::{LearnerActivity, learner_activity};
pub use cohort::{ALL_LEARNERS, Cohort, CohortSelection, cohort_reports};
pub use groups::{Group, GroupRule, Grouping};
pub use input::{CohortInput, LearnerInput, ReportSettings, SkillRef, TopPick};
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
    /// Mean P(known) over all learners and skills.
    pub mean_mastery: f64,
}

/// The figures of one skill.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillFigures {
    /// Learners who mastered it (P(known) ≥ the threshold).
    pub mastered: usize,
    /// Learners ready to learn it (not mastered, prerequisites mastered).
    pub ready: usize,
    /// The other learners: not mastered and not ready.
    pub not_ready: usize,
    /// Learners with at least one attempt on it.
    pub attempted: usize,
    /// Attempts on it.
    pub attempts: u64,
    /// Correct attempts on it.
    pub correct: u64,
    /// Mean P(known) over the cohort.
    pub mean_mastery: f64,
    /// Learners whose top recommendation is this skill.
    pub top_picks: usize,
    /// Learners stuck on it.
    pub stuck: usize,
}

/// The figures of one learner.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerFigures {
    /// Skills mastered.
    pub mastered: usize,
    /// Skills ready to learn.
    pub ready: usize,
    /// Skills with at least one attempt.
    pub skills_attempted: usize,
    /// Mean P(known) over all skills.
    pub mean_mastery: f64,
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
    /// Learner indices by progress: most skills mastered first, then higher mean mastery, then
    /// learner id.
    pub progress_order: Vec<usize>,
    /// "Ready next for the class": skill indices that at least one learner is ready for, most
    /// ready learners first (ties: curriculum order).
    pub ready_next: Vec<usize>,
    /// Stuck (learner, skill) pairs, most attempts first.
    pub stuck: Vec<Stuck>,
    /// The inactivity rule that applied.
    pub inactive_rule: InactiveRule,
    /// Learners with no recent activity, longest gap first.
    pub inactive: Vec<Inactive>,
    /// The groups.
    pub grouping: Grouping,
}

/// Computes the cohort figures. Errors when the input is inconsistent (vector lengths, mastery
/// outside [0, 1]) or a setting is out of range.
pub fn build_report(input: &CohortInput, settings: &ReportSettings) -> Result<CohortReport> {
    settings.validate()?;
    input.validate()?;
    let n_skills = input.skills.len();
    let stuck = rules::stuck(input, settings);
    let (inactive_rule, inactive) = rules::inactive(input, settings);
    let grouping = groups::group_learners(input, settings);

    let mut skills = vec![
        SkillFigures {
            mastered: 0,
            ready: 0,
            not_ready: 0,
            attempted: 0,
            attempts: 0,
            correct: 0,
            mean_mastery: 0.0,
            top_picks: 0,
            stuck: 0,
        };
        n_skills
    ];
    let mut learners = Vec::with_capacity(input.learners.len());
    let mut mastery_sum = 0.0;
    for (li, l) in input.learners.iter().enumerate() {
        let mut fig = LearnerFigures {
            mastered: 0,
            ready: 0,
            skills_attempted: 0,
            mean_mastery: 0.0,
            rank: 0,
            group: grouping.assignment[li],
            stuck: 0,
            inactive: false,
        };
        for (s, sk) in skills.iter_mut().enumerate() {
            let m = l.mastery[s];
            sk.mean_mastery += m;
            fig.mean_mastery += m;
            if m >= settings.mastery {
                sk.mastered += 1;
                fig.mastered += 1;
            } else if l.ready[s] {
                sk.ready += 1;
                fig.ready += 1;
            } else {
                sk.not_ready += 1;
            }
            let a = l.attempts[s];
            if a > 0 {
                sk.attempted += 1;
                fig.skills_attempted += 1;
            }
            sk.attempts += u64::from(a);
            sk.correct += u64::from(l.correct[s]);
        }
        mastery_sum += fig.mean_mastery;
        fig.mean_mastery /= n_skills.max(1) as f64;
        if let Some(top) = &l.top {
            skills[top.skill].top_picks += 1;
        }
        learners.push(fig);
    }
    let n_learners = input.learners.len();
    for sk in &mut skills {
        sk.mean_mastery /= n_learners.max(1) as f64;
    }
    for s in &stuck {
        skills[s.skill].stuck += 1;
        learners[s.learner].stuck += 1;
    }
    for i in &inactive {
        learners[i.learner].inactive = true;
    }

    let mut progress_order: Vec<usize> = (0..n_learners).collect();
    progress_order.sort_by(|&a, &b| {
        learners[b]
            .mastered
            .cmp(&learners[a].mastered)
            .then(
                learners[b]
                    .mean_mastery
                    .total_cmp(&learners[a].mean_mastery),
            )
            .then_with(|| input.learners[a].id.cmp(&input.learners[b].id))
    });
    for (rank, &li) in progress_order.iter().enumerate() {
        learners[li].rank = rank + 1;
    }
    let mut ready_next: Vec<usize> = (0..n_skills).filter(|&s| skills[s].ready > 0).collect();
    ready_next.sort_by(|&a, &b| skills[b].ready.cmp(&skills[a].ready).then(a.cmp(&b)));

    let summary = Summary {
        learners: n_learners,
        skills: n_skills,
        responses: input.learners.iter().map(|l| l.responses).sum(),
        attempts: skills.iter().map(|s| s.attempts).sum(),
        first_order: input.learners.iter().map(|l| l.first_order).min(),
        last_order: input.learners.iter().map(|l| l.last_order).max(),
        order_kind: input.order_kind,
        mean_mastery: mastery_sum / (n_learners * n_skills).max(1) as f64,
    };
    Ok(CohortReport {
        summary,
        skills,
        learners,
        progress_order,
        ready_next,
        stuck,
        inactive_rule,
        inactive,
        grouping,
    })
}

#[cfg(test)]
mod tests;
