//! The validating builder: parsed skills, edges and activities in; a checked [`SkillGraph`] out.

use std::collections::HashMap;

use super::{Activity, Skill, SkillGraph, cycles};
use crate::text::{cut, quoted};
use crate::{Error, Location, Result};

/// A skill as a file describes it, before its ids are checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkillSpec {
    /// The skill's id.
    pub id: String,
    /// Its readable name (the id when `None`).
    pub name: Option<String>,
    /// Ids of its direct prerequisites.
    pub requires: Vec<String>,
    /// An external standard code.
    pub standard: Option<String>,
    /// A longer description.
    pub description: Option<String>,
    /// Where the file defines it (used in error messages).
    pub at: Location,
}

impl SkillSpec {
    /// A skill with this id and nothing else.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Sets the readable name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the prerequisite ids.
    pub fn requires<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.requires = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the standard code.
    pub fn standard(mut self, code: impl Into<String>) -> Self {
        self.standard = Some(code.into());
        self
    }

    /// Sets where the file defines this skill.
    pub fn at(mut self, at: Location) -> Self {
        self.at = at;
        self
    }
}

/// An activity as a file describes it, before its skill ids are checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivitySpec {
    /// The activity's id.
    pub id: String,
    /// Its readable name.
    pub name: Option<String>,
    /// Ids of the skills it practises (at least one).
    pub skills: Vec<String>,
    /// Expected duration in minutes (finite, > 0).
    pub minutes: Option<f64>,
    /// Where the file defines it (used in error messages).
    pub at: Location,
}

impl ActivitySpec {
    /// An activity with this id practising these skills.
    pub fn new<S: Into<String>>(
        id: impl Into<String>,
        skills: impl IntoIterator<Item = S>,
    ) -> Self {
        Self {
            id: id.into(),
            skills: skills.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }

    /// Sets the readable name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the expected minutes.
    pub fn minutes(mut self, minutes: f64) -> Self {
        self.minutes = Some(minutes);
        self
    }

    /// Sets where the file defines this activity.
    pub fn at(mut self, at: Location) -> Self {
        self.at = at;
        self
    }
}

/// How strictly the builder treats cycles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Instead of failing on self-loops and cycles, drop self-loops and a small set of edges
    /// that breaks every cycle (a greedy feedback arc set, then every dropped edge that can be
    /// put back without closing a cycle is put back), and report them.
    pub drop_cycle_edges: bool,
}

/// Why an edge was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The skill listed itself as a prerequisite.
    SelfLoop,
    /// The edge closed a cycle.
    Cycle,
}

/// An edge removed by [`BuildOptions::drop_cycle_edges`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedEdge {
    /// The prerequisite's id.
    pub prerequisite: String,
    /// The id of the skill that required it.
    pub skill: String,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// What [`SkillGraphBuilder::build`] returns: the graph and the edges it dropped.
#[derive(Debug, Clone)]
pub struct BuiltGraph {
    /// The checked, acyclic graph.
    pub graph: SkillGraph,
    /// Edges dropped to break self-loops and cycles (empty unless
    /// [`BuildOptions::drop_cycle_edges`] was set), self-loops first, then in file order.
    pub dropped_edges: Vec<DroppedEdge>,
}

#[derive(Debug, Clone)]
struct EdgeSpec {
    prerequisite: String,
    skill: String,
    at: Location,
}

/// Collects skills, edges and activities, then checks them and builds a [`SkillGraph`].
#[derive(Debug, Clone, Default)]
pub struct SkillGraphBuilder {
    source: String,
    skills: Vec<SkillSpec>,
    edges: Vec<EdgeSpec>,
    activities: Vec<ActivitySpec>,
}

impl SkillGraphBuilder {
    /// A builder for a graph read from `source` (a file name, used in error messages).
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            ..Self::default()
        }
    }

    /// Adds a skill; its `requires` become edges.
    pub fn add_skill(&mut self, skill: SkillSpec) -> &mut Self {
        self.skills.push(skill);
        self
    }

    /// Adds an edge `prerequisite -> skill` defined at `at` (both ids must be skills).
    pub fn add_edge(
        &mut self,
        prerequisite: impl Into<String>,
        skill: impl Into<String>,
        at: Location,
    ) -> &mut Self {
        self.edges.push(EdgeSpec {
            prerequisite: prerequisite.into(),
            skill: skill.into(),
            at,
        });
        self
    }

    /// Adds an activity.
    pub fn add_activity(&mut self, activity: ActivitySpec) -> &mut Self {
        self.activities.push(activity);
        self
    }

    /// Number of skills added so far.
    pub fn n_skills(&self) -> usize {
        self.skills.len()
    }

    /// Checks everything and builds the graph.
    ///
    /// Errors ([`Error::Input`], naming the place and the skill or activity): an empty id, a
    /// duplicate skill or activity id, an unknown prerequisite or activity skill, an activity
    /// with no skills or with minutes that are not a positive number, and — unless
    /// `options.drop_cycle_edges` — a self-loop or a cycle (the message shows one cycle in order,
    /// `a -> b -> c -> a`, each skill a prerequisite of the next). A prerequisite listed twice
    /// for the same skill counts once.
    pub fn build(self, options: &BuildOptions) -> Result<BuiltGraph> {
        let source = self.source.clone();
        let at_or_file = |at: &Location| -> Location {
            if at.file.is_none() && !source.is_empty() {
                Location {
                    file: Some(source.clone()),
                    ..at.clone()
                }
            } else {
                at.clone()
            }
        };
        let mut index: HashMap<String, u32> = HashMap::with_capacity(self.skills.len());
        let mut skills = Vec::with_capacity(self.skills.len());
        for spec in &self.skills {
            let at = at_or_file(&spec.at);
            if spec.id.trim().is_empty() {
                return Err(Error::input(at, "a skill has an empty id"));
            }
            if index.insert(spec.id.clone(), skills.len() as u32).is_some() {
                return Err(Error::input(
                    at.about(crate::SubjectKind::Skill, &spec.id),
                    "duplicate skill id (each skill may be defined once)",
                ));
            }
            skills.push(Skill {
                id: spec.id.clone(),
                name: spec.name.clone().unwrap_or_else(|| spec.id.clone()),
                standard: spec.standard.clone(),
                description: spec.description.clone(),
            });
        }
        let lookup = |id: &str, at: &Location, what: &str| -> Result<u32> {
            index.get(id).copied().ok_or_else(|| {
                Error::input(
                    at_or_file(at).about(crate::SubjectKind::Skill, id),
                    format!("unknown skill id{what}{}", closest_hint(id, &index)),
                )
            })
        };

        let n = skills.len();
        let mut prerequisites: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut dropped = Vec::new();
        let all_edges = self
            .skills
            .iter()
            .flat_map(|s| {
                s.requires
                    .iter()
                    .map(move |p| (p.as_str(), s.id.as_str(), &s.at))
            })
            .chain(
                self.edges
                    .iter()
                    .map(|e| (e.prerequisite.as_str(), e.skill.as_str(), &e.at)),
            );
        for (p_id, s_id, at) in all_edges {
            let s = lookup(s_id, at, "")?;
            let p = lookup(p_id, at, &format!(" (a prerequisite of {})", quoted(s_id)))?;
            if p == s {
                if options.drop_cycle_edges {
                    if !dropped.iter().any(|d: &DroppedEdge| d.skill == s_id) {
                        dropped.push(DroppedEdge {
                            prerequisite: p_id.to_owned(),
                            skill: s_id.to_owned(),
                            reason: DropReason::SelfLoop,
                        });
                    }
                    continue;
                }
                return Err(Error::input(
                    at_or_file(at).about(crate::SubjectKind::Skill, s_id),
                    "the skill lists itself as a prerequisite (self-loop)",
                ));
            }
            if !prerequisites[s as usize].contains(&p) {
                prerequisites[s as usize].push(p);
            }
        }

        if options.drop_cycle_edges {
            for (p, s) in cycles::break_cycles(&mut prerequisites) {
                dropped.push(DroppedEdge {
                    prerequisite: skills[p as usize].id.clone(),
                    skill: skills[s as usize].id.clone(),
                    reason: DropReason::Cycle,
                });
            }
        } else if let Some(cycle) = cycles::find_cycle(&prerequisites) {
            let first = skills[cycle[0] as usize].id.as_str();
            return Err(Error::input(
                at_or_file(&self.skills[cycle[0] as usize].at)
                    .about(crate::SubjectKind::Skill, first),
                format!(
                    "prerequisites form a cycle: {} (drop-cycle-edges can break it)",
                    cycle_text(cycle.iter().map(|&s| skills[s as usize].id.as_str()))
                ),
            ));
        }

        let mut activities = Vec::with_capacity(self.activities.len());
        let mut activity_ids: HashMap<&str, ()> = HashMap::with_capacity(self.activities.len());
        for spec in &self.activities {
            let at = at_or_file(&spec.at).about(crate::SubjectKind::Activity, &spec.id);
            if spec.id.trim().is_empty() {
                return Err(Error::input(
                    at_or_file(&spec.at),
                    "an activity has an empty id",
                ));
            }
            if activity_ids.insert(&spec.id, ()).is_some() {
                return Err(Error::input(at, "duplicate activity id"));
            }
            if spec.skills.is_empty() {
                return Err(Error::input(at, "the activity practises no skill"));
            }
            if let Some(m) = spec.minutes.filter(|m| !(m.is_finite() && *m > 0.0)) {
                return Err(Error::input(
                    at,
                    format!("minutes must be a positive number, found {m}"),
                ));
            }
            let mut ids = Vec::with_capacity(spec.skills.len());
            for s in &spec.skills {
                let i = index.get(s.as_str()).copied().ok_or_else(|| {
                    Error::input(
                        at.clone(),
                        format!("unknown skill id {}{}", quoted(s), closest_hint(s, &index)),
                    )
                })?;
                if !ids.contains(&i) {
                    ids.push(i);
                }
            }
            activities.push(Activity {
                id: spec.id.clone(),
                name: spec.name.clone(),
                skills: ids,
                minutes: spec.minutes,
            });
        }

        Ok(BuiltGraph {
            graph: SkillGraph::assemble(skills, prerequisites, activities),
            dropped_edges: dropped,
        })
    }
}

/// The most skills of a cycle an error names: the first ones, then how many more.
const LISTED_CYCLE_SKILLS: usize = 8;

/// A cycle as `a -> b -> c -> a`, each id escaped and cut; a long cycle names its first
/// [`LISTED_CYCLE_SKILLS`] skills and how many more, so the message stays one short line.
fn cycle_text<'a>(ids: impl ExactSizeIterator<Item = &'a str> + Clone) -> String {
    let short = |id: &str| cut(id, 40).into_owned();
    let n = ids.len();
    let first = ids.clone().next().map(short).unwrap_or_default();
    let mut parts: Vec<String> = ids.take(LISTED_CYCLE_SKILLS).map(short).collect();
    if n > LISTED_CYCLE_SKILLS {
        parts.push(format!("… ({} more skills)", n - LISTED_CYCLE_SKILLS));
    }
    parts.push(first);
    parts.join(" -> ")
}

/// ` (did you mean 'x'?)` when a known id is within a small edit distance of `id`.
fn closest_hint(id: &str, index: &HashMap<String, u32>) -> String {
    let limit = id.chars().count() / 3;
    if limit == 0 {
        return String::new();
    }
    let best = index
        .iter()
        .map(|(known, &i)| (edit_distance(id, known), i, known))
        .filter(|(d, _, _)| *d <= limit)
        .min_by_key(|(d, i, _)| (*d, *i));
    match best {
        Some((_, _, known)) => format!(" (did you mean {}?)", quoted(known)),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
