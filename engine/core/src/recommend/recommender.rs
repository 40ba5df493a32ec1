//! [`Recommender`]: a graph and a model prepared once, then asked per learner.

use std::sync::Arc;

use super::dynamics::SkillDynamics;
use super::knowledge::SkillKnowledge;
use super::plan::{Plan, plan};
use super::policy::Policy;
use super::rank::{Context, Recommendation, recommend, why_none};
use super::tables::{ActivityRow, GoalSet, SkillRow, Tables};
use crate::bkt::estimate;
use crate::{Error, LearnerState, Location, Model, Params, Result, SkillGraph};

/// How many ids a warning lists before "and N more".
const LISTED: usize = 5;

/// Recommends next activities and paths for learners, from a [`SkillGraph`] and a fitted
/// [`Model`] prepared once into dense arrays (see `docs/recommender.md` for the rules, the score
/// and the defaults).
///
/// The recommender owns its graph and model (behind [`Arc`]s): it is `Send + Sync`, cheap to
/// clone, and a service keeps one across requests and swaps it when a new model arrives.
///
/// Graph skills the model lacks use the model's population-average parameters; model skills the
/// graph lacks are ignored. Both are listed in [`Recommender::warnings`].
///
/// ```
/// use std::sync::Arc;
/// use pathwise::bkt::SkillStats;
/// use pathwise::*;
/// let mut b = SkillGraphBuilder::new("curriculum.toml");
/// b.add_skill(SkillSpec::new("count").name("Counting"));
/// b.add_skill(SkillSpec::new("add").name("Addition").requires(["count"]));
/// b.add_activity(ActivitySpec::new("count-drill", ["count"]).minutes(5.0));
/// b.add_activity(ActivitySpec::new("add-drill", ["add"]).minutes(10.0));
/// let graph = Arc::new(b.build(&BuildOptions::default())?.graph);
/// let p = Params { prior: 0.3, learn: 0.2, forget: 0.0, guess: 0.2, slip: 0.1 };
/// let skills = ["add", "count"].map(|id| SkillModel::new(id, p, vec![], vec![], SkillStats::default()));
/// let model = Arc::new(Model::new(Variant::default(), skills.to_vec(), vec![], FitInfo::default())?);
///
/// let recommender = Recommender::new(graph, model.clone(), Policy::default())?;
/// let mut state = LearnerState::new(&model);
/// let first = recommender.recommend(&state, 3)?;
/// assert_eq!(first[0].activity.as_deref(), Some("count-drill"));
/// assert_eq!(first[0].kind, Kind::Learn);
///
/// // Mastery needs a run of correct answers, however confident one answer makes the model.
/// for _ in 0..6 {
///     state.observe(&model, "count", None, true)?;
/// }
/// let next = recommender.recommend(&state, 3)?;
/// assert_eq!(next[0].skill, "add");
/// assert!(next[0].reason.starts_with("Ready: prerequisite Counting mastered"));
///
/// let plan = recommender.path(&LearnerState::new(&model), &["add"])?;
/// assert_eq!(plan.steps.len(), 2);
/// assert_eq!(plan.steps[0].skill, "count");
/// # Ok::<(), pathwise::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Recommender {
    graph: Arc<SkillGraph>,
    model: Arc<Model>,
    policy: Policy,
    tables: Arc<Tables>,
    goals: Arc<GoalSet>,
    /// The model's dense index of each graph skill.
    model_skill: Arc<[Option<usize>]>,
    /// The attainable P(known) ceiling of each graph skill.
    ceilings: Arc<[f64]>,
    warnings: Vec<String>,
}

impl Recommender {
    /// Prepares `graph` and `model` under `policy` (validated; unknown goal ids are an
    /// [`Error::Input`] naming the skill).
    pub fn new(graph: Arc<SkillGraph>, model: Arc<Model>, policy: Policy) -> Result<Self> {
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
        let ceilings: Vec<f64> = model_skill
            .iter()
            .map(|m| m.map_or(model.average_ceiling(), |m| model.ceiling(m)))
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
        let goals = tables.goal_set(&resolve_goals(&graph, &policy.goals)?);
        let warnings = coverage_warnings(&graph, &model, &model_skill);
        Ok(Self {
            graph,
            model,
            policy,
            tables: Arc::new(tables),
            goals: Arc::new(goals),
            model_skill: model_skill.into(),
            ceilings: ceilings.into(),
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
    pub fn graph(&self) -> &Arc<SkillGraph> {
        &self.graph
    }

    /// The model.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }

    /// What the learner knows of every graph skill, in the graph's skill order: P(known) (after
    /// the policy's decay), the mastery estimate, the evidence and the status under the state's
    /// [`MasteryRule`](crate::bkt::mastery::MasteryRule). Fails with
    /// [`Error::StateMismatch`] if the state belongs to another model.
    pub fn knowledge(&self, state: &LearnerState) -> Result<Vec<SkillKnowledge>> {
        state.check(&self.model)?;
        let decay = self.policy.decay_per_response;
        let rule = state.rule();
        Ok((0..self.tables.n_skills())
            .map(|s| {
                let (p, evidence, idle) = match self.model_skill[s] {
                    Some(m) => (
                        state.known_dense(m),
                        state.evidence_dense(m),
                        state.idle_dense(m),
                    ),
                    None => state.unseen_skill(&self.model, &self.tables.ids[s]),
                };
                let p = match idle {
                    Some(idle) if decay > 0.0 => {
                        self.tables.dynamics[s].decay(p, idle as f64 * decay)
                    }
                    _ => p,
                };
                let estimate = estimate(p, self.ceilings[s]);
                SkillKnowledge {
                    mastery: p,
                    estimate,
                    evidence,
                    status: rule.status(estimate, &evidence),
                    idle,
                }
            })
            .collect())
    }

    fn context<'a>(
        &'a self,
        state: &'a LearnerState,
        know: &'a [SkillKnowledge],
        goals: &'a GoalSet,
    ) -> Context<'a> {
        Context {
            tables: &self.tables,
            goals,
            policy: &self.policy,
            rule: state.rule(),
            know,
            ceilings: &self.ceilings,
        }
    }

    /// The top `k` activities for a learner, best first (see `docs/recommender.md`). Skills once
    /// mastered and no longer come back as [`Kind::Review`](super::Kind::Review); a skill the
    /// learner is wheel-spinning on is flagged and may bring a
    /// [`Kind::Remedial`](super::Kind::Remedial) step on its weakest prerequisite.
    pub fn recommend(&self, state: &LearnerState, k: usize) -> Result<Vec<Recommendation>> {
        let know = self.knowledge(state)?;
        Ok(recommend(&self.context(state, &know, &self.goals), k))
    }

    /// Per graph skill: whether it is ready to learn for this learner (not mastered, every
    /// prerequisite satisfied), the rule the recommender ranks by. `know` is
    /// [`Recommender::knowledge`] of the same state.
    pub fn ready(&self, state: &LearnerState, know: &[SkillKnowledge]) -> Vec<bool> {
        let cx = self.context(state, know, &self.goals);
        (0..know.len() as u32).map(|s| cx.ready(s)).collect()
    }

    /// Why a learner got no recommendation (every skill on the way to the goals is mastered).
    pub fn why_none(&self, state: &LearnerState) -> Result<String> {
        let know = self.knowledge(state)?;
        Ok(why_none(&self.context(state, &know, &self.goals)))
    }

    /// The learning path to `goals` (skill ids; empty = the policy's goals, and with none there,
    /// the whole graph): every skill on the way that is not mastered, in a topological order with
    /// ties broken by score, each with the expected practice opportunities to mastery and minutes.
    pub fn path(&self, state: &LearnerState, goals: &[&str]) -> Result<Plan> {
        let know = self.knowledge(state)?;
        let goal_set = if goals.is_empty() {
            None
        } else {
            let ids: Vec<String> = goals.iter().map(|g| (*g).to_owned()).collect();
            Some(self.tables.goal_set(&resolve_goals(&self.graph, &ids)?))
        };
        let cx = self.context(state, &know, goal_set.as_ref().unwrap_or(&self.goals));
        Ok(plan(&cx))
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
                Location::subject(crate::SubjectKind::Skill, g),
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
