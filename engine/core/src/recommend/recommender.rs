//! [`Recommender`]: a graph and a model prepared once, then asked per learner.

use super::dynamics::SkillDynamics;
use super::history::LearnerHistory;
use super::plan::{Plan, plan};
use super::policy::Policy;
use super::rank::{Knowledge, Recommendation, recommend, why_none};
use super::tables::{ActivityRow, GoalSet, SkillRow, Tables};
use crate::{Error, LearnerState, Location, Model, Params, Result, SkillGraph};

/// How many ids a warning lists before "and N more".
const LISTED: usize = 5;

/// Recommends next activities and paths for learners, from a [`SkillGraph`] and a fitted
/// [`Model`] prepared once into dense arrays (see `docs/recommender.md` for the rules, the score
/// and the defaults).
///
/// Graph skills the model lacks use the model's population-average parameters, and their
/// mastery is the learner state's fallback (the average prior, or what the learner's own
/// responses on that skill made of it); model skills the graph lacks are ignored. Both are
/// listed in [`Recommender::warnings`].
///
/// ```
/// use pathwise::*;
/// let mut b = SkillGraphBuilder::new("curriculum.toml");
/// b.add_skill(SkillSpec::new("count").name("Counting"));
/// b.add_skill(SkillSpec::new("add").name("Addition").requires(["count"]));
/// b.add_activity(ActivitySpec::new("count-drill", ["count"]).minutes(5.0));
/// b.add_activity(ActivitySpec::new("add-drill", ["add"]).minutes(10.0));
/// let graph = b.build(&BuildOptions::default())?.graph;
/// let p = Params { prior: 0.3, learn: 0.2, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let skills = ["add", "count"].map(|id| SkillModel::new(id, p, vec![], vec![], SkillStats::default()));
/// let model = Model::new(Variant::default(), skills.to_vec(), vec![], FitInfo::default())?;
///
/// let recommender = Recommender::new(&graph, &model, Policy::default())?;
/// let mut state = LearnerState::new(&model);
/// let first = recommender.recommend(&state, 3)?;
/// assert_eq!(first[0].activity.as_deref(), Some("count-drill"));
/// assert_eq!(first[0].kind, Kind::Learn);
///
/// for _ in 0..6 {
///     state.observe(&model, "count", None, true);
/// }
/// let next = recommender.recommend(&state, 3)?;
/// assert_eq!(next[0].skill, "add");
/// assert!(next[0].reason.starts_with("Ready: prerequisite Counting ≥ 0.9"));
///
/// let plan = recommender.path(&LearnerState::new(&model), &["add"])?;
/// assert_eq!(plan.steps.len(), 2);
/// assert_eq!(plan.steps[0].skill, "count");
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Recommender<'a> {
    graph: &'a SkillGraph,
    model: &'a Model,
    policy: Policy,
    tables: Tables,
    goals: GoalSet,
    /// The model's dense index of each graph skill.
    model_skill: Vec<Option<usize>>,
    warnings: Vec<String>,
}

impl<'a> Recommender<'a> {
    /// Prepares `graph` and `model` under `policy` (validated; unknown goal ids are an
    /// [`Error::Input`] naming the skill).
    pub fn new(graph: &'a SkillGraph, model: &'a Model, policy: Policy) -> Result<Self> {
        policy.validate()?;
        let n = graph.n_skills();
        let model_skill: Vec<Option<usize>> = graph
            .skills()
            .iter()
            .map(|s| model.skill_index(&s.id))
            .collect();
        let average = dynamics_of(model.average());
        let skill_dynamics: Vec<SkillDynamics> = model_skill
            .iter()
            .map(|m| m.map_or(average, |m| dynamics_of(model.skills()[m].params())))
            .collect();
        let skills = (0..n as u32)
            .map(|s| {
                let skill = graph.skill(s);
                SkillRow {
                    id: skill.id.clone(),
                    name: skill.name.clone(),
                    prerequisites: graph.prerequisites(s).to_vec(),
                    dynamics: skill_dynamics[s as usize],
                }
            })
            .collect();
        let activities = graph
            .activities()
            .iter()
            .map(|a| ActivityRow {
                id: a.id.clone(),
                skills: a.skills.clone(),
                dynamics: a
                    .skills
                    .iter()
                    .map(|&s| match model_skill[s as usize] {
                        Some(m) => {
                            let sm = &model.skills()[m];
                            let (guess, slip, learn, forget) = sm.item_values(sm.item_index(&a.id));
                            SkillDynamics {
                                learn,
                                forget,
                                guess,
                                slip,
                            }
                        }
                        None => average,
                    })
                    .collect(),
                minutes: a.minutes,
            })
            .collect();
        let tables = Tables::new(skills, activities);
        let goals = tables.goal_set(&resolve_goals(graph, &policy.goals)?);
        let warnings = coverage_warnings(graph, model, &model_skill);
        Ok(Self {
            graph,
            model,
            policy,
            tables,
            goals,
            model_skill,
            warnings,
        })
    }

    /// Warnings about skills the graph and the model do not share, one line each.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The graph.
    pub fn graph(&self) -> &'a SkillGraph {
        self.graph
    }

    /// P(known) of every graph skill for this learner, in the graph's skill order.
    pub fn mastery(&self, state: &LearnerState) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.tables.n_skills()];
        self.fill_mastery(state, None, &mut out, None)?;
        Ok(out)
    }

    fn fill_mastery(
        &self,
        state: &LearnerState,
        history: Option<&LearnerHistory>,
        mastery: &mut [f64],
        mut peak: Option<&mut [f64]>,
    ) -> Result<()> {
        state.check(self.model)?;
        if let Some(h) = history
            && !h.fits(self.model.n_skills())
        {
            return Err(Error::input(
                Location::default(),
                format!(
                    "the learner history does not match the model ({} skills)",
                    self.model.n_skills()
                ),
            ));
        }
        let decay = self.policy.decay_per_response;
        for (s, out) in mastery.iter_mut().enumerate() {
            let (m, top) = match self.model_skill[s] {
                Some(ms) => {
                    let m = state.mastery_dense(ms);
                    match history {
                        Some(h) => {
                            let idle = h.idle(ms) as f64 * decay;
                            let m = self.tables.dynamics[s].decay(m, idle);
                            (m, h.peak(ms).max(m))
                        }
                        None => (m, m),
                    }
                }
                None => {
                    let m = state.mastery(self.model, &self.tables.ids[s]);
                    (m, m)
                }
            };
            *out = m;
            if let Some(p) = peak.as_deref_mut() {
                p[s] = top;
            }
        }
        Ok(())
    }

    /// The top `k` activities for a learner, best first. Without a history no skill counts as
    /// once mastered, so there are no reviews: use [`Recommender::recommend_with_history`] for
    /// those.
    pub fn recommend(&self, state: &LearnerState, k: usize) -> Result<Vec<Recommendation>> {
        let mut mastery = vec![0.0; self.tables.n_skills()];
        self.fill_mastery(state, None, &mut mastery, None)?;
        Ok(recommend(
            &self.tables,
            &self.goals,
            &self.policy,
            Knowledge {
                mastery: &mastery,
                peak: &mastery,
            },
            k,
        ))
    }

    /// The top `k` activities for a learner whose practice history is kept: with a forgetting
    /// model, skills once mastered whose P(known) fell below the threshold come back as
    /// [`Kind::Review`](super::Kind::Review), and the policy's `decay_per_response` applies.
    pub fn recommend_with_history(
        &self,
        state: &LearnerState,
        history: &LearnerHistory,
        k: usize,
    ) -> Result<Vec<Recommendation>> {
        let n = self.tables.n_skills();
        let mut mastery = vec![0.0; 2 * n];
        let (mastery, peak) = mastery.split_at_mut(n);
        self.fill_mastery(state, Some(history), mastery, Some(peak))?;
        Ok(recommend(
            &self.tables,
            &self.goals,
            &self.policy,
            Knowledge { mastery, peak },
            k,
        ))
    }

    /// Why a learner got no recommendation (every skill on the way to the goals is mastered).
    pub fn why_none(&self, state: &LearnerState) -> Result<String> {
        let mastery = self.mastery(state)?;
        Ok(why_none(&self.tables, &self.goals, &self.policy, &mastery))
    }

    /// The learning path to `goals` (skill ids; empty = the policy's goals, and with none there,
    /// the whole graph): every unmastered skill on the way, in a topological order with ties
    /// broken by score, each with the expected practice opportunities to mastery and minutes.
    pub fn path(&self, state: &LearnerState, goals: &[&str]) -> Result<Plan> {
        let mastery = self.mastery(state)?;
        let goal_set = if goals.is_empty() {
            self.goals.clone()
        } else {
            let ids: Vec<String> = goals.iter().map(|g| (*g).to_owned()).collect();
            self.tables.goal_set(&resolve_goals(self.graph, &ids)?)
        };
        let threshold = self.policy.mastery;
        Ok(plan(
            &self.tables,
            &goal_set,
            &self.policy,
            &mastery,
            |s, m| self.tables.dynamics[s as usize].expected_opportunities(m, threshold),
        ))
    }
}

fn dynamics_of(p: &Params) -> SkillDynamics {
    SkillDynamics {
        learn: p.learn,
        forget: p.forget,
        guess: p.guess,
        slip: p.slip,
    }
}

/// Dense indices of goal ids, in the order given, without repeats.
fn resolve_goals(graph: &SkillGraph, goals: &[String]) -> Result<Vec<u32>> {
    let mut out = Vec::with_capacity(goals.len());
    for g in goals {
        let s = graph.skill_index(g).ok_or_else(|| {
            Error::input(
                Location::subject("skill", g),
                "the goal is not a skill of the graph",
            )
        })?;
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

fn coverage_warnings(
    graph: &SkillGraph,
    model: &Model,
    model_skill: &[Option<usize>],
) -> Vec<String> {
    let mut warnings = Vec::new();
    let missing: Vec<&str> = graph
        .skills()
        .iter()
        .zip(model_skill)
        .filter(|(_, m)| m.is_none())
        .map(|(s, _)| s.id.as_str())
        .collect();
    if !missing.is_empty() {
        warnings.push(format!(
            "{} graph skills are not in the model ({}); they use the model's population-average \
             parameters and prior",
            missing.len(),
            list(&missing)
        ));
    }
    let extra: Vec<&str> = model
        .skills()
        .iter()
        .map(|s| s.id())
        .filter(|id| graph.skill_index(id).is_none())
        .collect();
    if !extra.is_empty() {
        warnings.push(format!(
            "{} model skills are not in the graph ({}); they are not recommended",
            extra.len(),
            list(&extra)
        ));
    }
    warnings
}

/// `a, b, c, d, e and 3 more`.
pub(crate) fn list(ids: &[&str]) -> String {
    let shown = ids.len().min(LISTED);
    let mut s = ids[..shown].join(", ");
    if ids.len() > shown {
        s.push_str(&format!(" and {} more", ids.len() - shown));
    }
    s
}
