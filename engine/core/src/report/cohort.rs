//! Cohort assembly: from an interaction log, a fitted model and the recommender to the
//! [`CohortInput`] and [`CohortReport`] of every cohort of a report (every learner, or one cohort
//! per group value), so every front end — the CLI's `pathwise report`, a platform, the Python
//! bindings — reports the same figures.

use rayon::prelude::*;

use super::input::{CohortInput, LearnerInput, ReportSettings, SkillEvidence, SkillRef, TopPick};
use super::{CohortReport, build_report, learner_activity};
use crate::{Error, InteractionLog, Model, OrderKind, Recommender, Result, recommend::Replayer};

/// The name of the one cohort of a report that is not split by group.
pub const ALL_LEARNERS: &str = "All learners";

/// Which learners a report covers and how they are split into cohorts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortSelection {
    /// Only these learners, as dense ids of the log (`log.learners().id(name)`), in this order;
    /// `None` takes every learner of the log, in id order.
    pub learners: Option<Vec<u32>>,
    /// One cohort per group value of the log (the `group` role), sorted by value, instead of one
    /// cohort of every learner. A learner belongs to every group that at least one of their
    /// responses carries, and their figures use their whole history.
    pub by_group: bool,
}

/// One cohort of a report: its name, what it is computed from, and its figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// The group value, or [`ALL_LEARNERS`].
    pub name: String,
    /// The cohort's learners and skills.
    pub input: CohortInput,
    /// The cohort's figures.
    pub report: CohortReport,
}

/// Computes every cohort of a report: replays each selected learner's whole history through
/// `model` (the model `recommender` was built with) under `settings.rule`, takes what the
/// recommender knows of them ([`Recommender::knowledge`]: P(known), estimate, evidence and status
/// of every skill of its graph, kept, in curriculum order, for the attempted skills only) and their
/// top recommendation, carries the model's fit flags of each skill, and runs [`build_report`] on
/// each cohort. So a status in the report is the one `recommend` gives the same learner.
///
/// Errors when a selected learner id is not in the log, when `selection.by_group` is set but no
/// response carries a group value, or when `settings` are out of range.
///
/// ```
/// use pathwise::bkt::SkillStats;
/// use pathwise::report::{CohortSelection, ReportSettings, cohort_reports};
/// use pathwise::*;
/// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let model = Model::new(Variant::default(),
///     vec![SkillModel::new("add", p, vec![], vec![], SkillStats::default())], vec![],
///     FitInfo::default())?;
/// let mut b = LogBuilder::new();
/// for (learner, order) in [("ann", 1), ("ann", 2), ("bob", 3)] {
///     b.push(RawRow { learner, skills: &["add"], item: None, correct: true, order, group: None });
/// }
/// let log = b.build();
/// let mut graph = SkillGraphBuilder::new("example");
/// graph.add_skill(SkillSpec::new("add"));
/// let graph = graph.build(&BuildOptions::default())?.graph.with_log_items(&log);
/// let recommender = Recommender::new(graph.into(), model.clone().into(), Policy::default())?;
/// let cohorts = cohort_reports(&log, &model, &recommender, &CohortSelection::default(),
///     &ReportSettings::default())?;
/// assert_eq!(cohorts.len(), 1);
/// assert_eq!(cohorts[0].report.summary.learners, 2);
/// assert_eq!(cohorts[0].report.summary.responses, 3);
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn cohort_reports(
    log: &InteractionLog,
    model: &Model,
    recommender: &Recommender,
    selection: &CohortSelection,
    settings: &ReportSettings,
) -> Result<Vec<Cohort>> {
    settings.validate()?;
    let n_learners = log.learners().len();
    if let Some(bad) = selection
        .learners
        .iter()
        .flatten()
        .find(|&&l| l as usize >= n_learners)
    {
        return Err(Error::config(format!(
            "learner {bad} is not a learner of the log (it has {n_learners})"
        )));
    }
    let mut plans: Vec<(String, Option<u32>)> = Vec::new();
    if selection.by_group {
        if log.groups().is_empty() {
            return Err(Error::config(
                "no response of the log has a value in the group column",
            ));
        }
        let mut groups: Vec<(String, u32)> = log
            .groups()
            .names()
            .iter()
            .enumerate()
            .map(|(g, name)| (name.clone(), g as u32))
            .collect();
        groups.sort();
        plans.extend(groups.into_iter().map(|(name, g)| (name, Some(g))));
    } else {
        plans.push((ALL_LEARNERS.to_owned(), None));
    }
    let learners = CohortLearners::compute(
        log,
        model,
        recommender,
        settings,
        selection.learners.as_deref(),
    )?;
    plans
        .into_iter()
        .map(|(name, group)| {
            let input = learners.input(group);
            let report = build_report(&input, settings)?;
            Ok(Cohort {
                name,
                input,
                report,
            })
        })
        .collect()
}

/// Every selected learner's figures, computed once and shared by the cohorts.
struct CohortLearners {
    skills: Vec<SkillRef>,
    order_kind: OrderKind,
    /// (learner, dense group ids) in the order of the report.
    learners: Vec<(LearnerInput, Vec<u32>)>,
}

impl CohortLearners {
    fn compute(
        log: &InteractionLog,
        model: &Model,
        recommender: &Recommender,
        settings: &ReportSettings,
        only: Option<&[u32]>,
    ) -> Result<Self> {
        let graph = recommender.graph();
        let order = graph.topological_order();
        let n = order.len();
        let skills: Vec<SkillRef> = order
            .iter()
            .map(|&s| {
                let skill = graph.skill(s);
                let mut requires: Vec<usize> = graph
                    .prerequisites(s)
                    .iter()
                    .map(|&p| graph.topological_position(p) as usize)
                    .collect();
                requires.sort_unstable();
                SkillRef {
                    id: skill.id.clone(),
                    name: skill.name.clone(),
                    requires,
                    flags: model
                        .skill(&skill.id)
                        .map_or_else(Vec::new, |m| m.flags().to_vec()),
                    not_in_model: model.skill(&skill.id).is_none(),
                }
            })
            .collect();
        let skill_map: Vec<Option<usize>> = log
            .skills()
            .names()
            .iter()
            .map(|id| {
                graph
                    .skill_index(id)
                    .map(|s| graph.topological_position(s) as usize)
            })
            .collect();
        let activity = learner_activity(log, &skill_map, n);
        let replayer = Replayer::new(model, log).with_rule(settings.rule);
        let ids: Vec<u32> = match only {
            Some(ids) => ids.to_vec(),
            None => (0..log.learners().len() as u32).collect(),
        };
        let learners = ids
            .par_iter()
            .map(|&l| -> Result<(LearnerInput, Vec<u32>)> {
                let state = replayer.replay(l);
                let know = recommender.knowledge(&state)?;
                let a = &activity[l as usize];
                let evidence = order
                    .iter()
                    .enumerate()
                    .filter(|&(_, &s)| know[s as usize].evidence.attempts > 0)
                    .map(|(position, &s)| {
                        SkillEvidence::from_knowledge(position, &know[s as usize])
                    })
                    .collect();
                let top = recommender
                    .recommend(&state, 1)?
                    .into_iter()
                    .next()
                    .and_then(|rec| {
                        let s = graph.skill_index(&rec.skill)?;
                        Some(TopPick {
                            skill: graph.topological_position(s) as usize,
                            activity: rec.activity.unwrap_or_default(),
                            kind: rec.kind,
                            reason: rec.reason,
                        })
                    });
                let input = LearnerInput {
                    id: log.learners().name(l).to_owned(),
                    responses: a.responses,
                    evidence,
                    first_order: a.first_order,
                    last_order: a.last_order,
                    last_skill: a.last_skill,
                    top,
                };
                Ok((input, a.groups.clone()))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            skills,
            order_kind: log.order_kind(),
            learners,
        })
    }

    /// The input of the cohort of group `group` (every learner when `None`).
    fn input(&self, group: Option<u32>) -> CohortInput {
        CohortInput {
            skills: self.skills.clone(),
            learners: self
                .learners
                .iter()
                .filter(|(_, groups)| group.is_none_or(|g| groups.contains(&g)))
                .map(|(l, _)| l.clone())
                .collect(),
            order_kind: self.order_kind,
        }
    }
}
