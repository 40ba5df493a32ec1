//! The stored form of a [`LearnerState`]: JSON keyed by skill id, with the model's fingerprint,
//! so that a state survives a refit (mapped by skill id) and is never read against the wrong
//! model position by position.
//!
//! ```json
//! {"format": "pathwise-learner-state", "version": 1, "model": "<sha-256 hex>",
//!  "rule": {"threshold": 0.95, "streak": 3, "spinning": 10}, "responses": 7, "classes": [1.0],
//!  "skills": {"add": {"known": [0.91], "attempts": 5, "correct": 4, "streak": 3, "tries": 0, "last": 7}},
//!  "unseen": {}}
//! ```
//!
//! Only practised skills are stored: every other skill is at its prior.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::mastery::{Evidence, MasteryRule};
use super::model::Model;
use super::params::LEARNER_CLASSES;
use super::state::{LearnerState, Unseen, mixture};
use crate::error::{Error, Location, Result};
use crate::json::parse_strict;

/// The `format` of a stored learner state.
pub const STATE_FORMAT: &str = "pathwise-learner-state";
/// The `version` of the stored learner-state format this library reads and writes.
pub const STATE_VERSION: u32 = 1;
/// The largest stored learner state read: 64 MiB.
pub const MAX_STATE_BYTES: usize = 64 << 20;

/// What changed when a stored state was loaded under a model other than the one it was stored
/// with (see [`LearnerState::from_json`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct StateChanges {
    /// The model differs from the one the state was stored with (a refit): the learner's
    /// knowledge was carried over by skill id.
    pub model_changed: bool,
    /// Practised skills carried over to the model.
    pub carried: usize,
    /// Practised skills the model no longer has: dropped, sorted.
    pub dropped: Vec<String>,
    /// The model's learner classes differ from the stored ones: each skill's knowledge was
    /// carried as one value and the class posterior restarted.
    pub classes_reset: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    format: String,
    version: u32,
    model: String,
    rule: MasteryRule,
    responses: u64,
    classes: Vec<f64>,
    skills: BTreeMap<String, StoredSkill>,
    #[serde(default)]
    unseen: BTreeMap<String, StoredSkill>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredSkill {
    known: Vec<f64>,
    attempts: u32,
    correct: u32,
    streak: u32,
    tries: u32,
    last: u64,
}

impl StoredSkill {
    fn evidence(&self) -> Evidence {
        Evidence {
            attempts: self.attempts,
            correct: self.correct,
            streak: self.streak,
            tries: self.tries,
        }
    }

    fn new(known: &[f64], e: Evidence, last: u64) -> Self {
        Self {
            known: known.to_vec(),
            attempts: e.attempts,
            correct: e.correct,
            streak: e.streak,
            tries: e.tries,
            last,
        }
    }
}

impl LearnerState {
    /// The state as JSON keyed by skill id (format in the module docs of `state_file`, and in
    /// `docs/bkt.md`). Fails with [`Error::StateMismatch`] if the state is not `model`'s.
    pub fn to_json(&self, model: &Model) -> Result<String> {
        self.check(model)?;
        let n = self.classes.len();
        let skills = model
            .skills()
            .iter()
            .enumerate()
            .filter(|(s, _)| self.evidence[*s].attempts > 0)
            .map(|(s, sm)| {
                let known = &self.known[s * n..(s + 1) * n];
                let stored = StoredSkill::new(known, self.evidence[s], self.last[s]);
                (sm.id().to_owned(), stored)
            })
            .collect();
        let unseen = self
            .unseen
            .iter()
            .map(|(id, u)| (id.clone(), StoredSkill::new(&u.known, u.evidence, u.last)))
            .collect();
        let stored = Stored {
            format: STATE_FORMAT.to_owned(),
            version: STATE_VERSION,
            model: self.model.clone(),
            rule: self.rule,
            responses: self.responses,
            classes: self.classes.clone(),
            skills,
            unseen,
        };
        serde_json::to_string(&stored)
            .map_err(|e| Error::config(format!("the learner state cannot be written: {e}")))
    }

    /// Reads a state stored by [`LearnerState::to_json`] for use under `model`.
    ///
    /// Stored under the same model, the state comes back exactly. Stored under another model
    /// (a refit), it is carried over **by skill id**: practised skills the model still has keep
    /// the learner's knowledge and evidence, skills new to the model start at their prior,
    /// practised skills the model no longer has are dropped; [`StateChanges`] says what
    /// happened. A malformed document is an [`Error::Input`] naming the field.
    ///
    /// ```
    /// use pathwise::{LearnerState, Model, FitInfo, Params, SkillModel, bkt::SkillStats, Variant};
    /// let p = Params { prior: 0.2, learn: 0.3, forget: 0.0, guess: 0.2, slip: 0.1 };
    /// let make = |ids: &[&str]| Model::new(Variant::default(),
    ///     ids.iter().map(|id| SkillModel::new(*id, p, vec![], vec![], SkillStats::default())).collect(),
    ///     vec![], FitInfo::default());
    /// let old = make(&["add", "sub"])?;
    /// let mut state = LearnerState::new(&old);
    /// state.observe(&old, "sub", None, true)?;
    /// let text = state.to_json(&old)?;
    ///
    /// let refit = make(&["mul", "sub"])?; // same size, another skill set
    /// let (carried, changes) = LearnerState::from_json(&text, &refit)?;
    /// assert!(changes.model_changed);
    /// assert_eq!(carried.mastery(&refit, "sub")?, state.mastery(&old, "sub")?);
    /// assert_eq!(carried.evidence(&refit, "mul")?.attempts, 0);
    /// # Ok::<(), pathwise::Error>(())
    /// ```
    pub fn from_json(text: &str, model: &Model) -> Result<(LearnerState, StateChanges)> {
        let bad = |message: String| Error::input(Location::file("learner state"), message);
        let value = parse_strict(text, MAX_STATE_BYTES).map_err(|e| bad(e.to_string()))?;
        let stored: Stored = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
        if stored.format != STATE_FORMAT {
            return Err(bad(format!(
                "format is {}, expected {STATE_FORMAT}",
                crate::text::quoted(&stored.format)
            )));
        }
        if stored.version != STATE_VERSION {
            return Err(bad(format!(
                "version {} is not supported (this pathwise reads version {STATE_VERSION})",
                stored.version
            )));
        }
        stored
            .rule
            .validate()
            .map_err(|e| bad(format!("rule: {e}")))?;
        validate(&stored).map_err(bad)?;
        Ok(carry(stored, model))
    }
}

/// Checks the stored numbers: probabilities, class counts, consistent evidence.
fn validate(stored: &Stored) -> std::result::Result<(), String> {
    let n = stored.classes.len();
    let unit = |v: &f64| v.is_finite() && (0.0..=1.0).contains(v);
    if n == 0 || n > LEARNER_CLASSES || !stored.classes.iter().all(unit) {
        return Err(format!(
            "classes must hold 1 to {LEARNER_CLASSES} probabilities"
        ));
    }
    let sum: f64 = stored.classes.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(format!("classes must sum to 1, they sum to {sum}"));
    }
    for (field, map) in [("skills", &stored.skills), ("unseen", &stored.unseen)] {
        for (id, s) in map {
            let name = crate::text::quoted(id);
            if s.known.len() != n || !s.known.iter().all(unit) {
                return Err(format!(
                    "{field}.{name}.known must hold {n} probabilities (one per class)"
                ));
            }
            if !s.evidence().is_consistent() || s.attempts == 0 {
                return Err(format!(
                    "{field}.{name}: the counts are inconsistent (attempts {}, correct {}, \
                     streak {}, tries {})",
                    s.attempts, s.correct, s.streak, s.tries
                ));
            }
            if s.last == 0 || s.last > stored.responses {
                return Err(format!(
                    "{field}.{name}.last must be a response number from 1 to {}",
                    stored.responses
                ));
            }
        }
    }
    Ok(())
}

/// Builds the state under `model` from a validated stored state.
fn carry(stored: Stored, model: &Model) -> (LearnerState, StateChanges) {
    let mut state = LearnerState::blank(model, stored.rule);
    state.responses = stored.responses;
    let same_classes = stored.classes.len() == state.classes.len();
    if same_classes {
        state.classes.clone_from(&stored.classes);
    }
    let n = state.classes.len();
    // Per-class values when the classes match, else each class gets the stored mixture value.
    let known = |s: &StoredSkill| -> Vec<f64> {
        if same_classes {
            s.known.clone()
        } else {
            vec![mixture(&s.known, &stored.classes); n]
        }
    };
    let mut changes = StateChanges {
        model_changed: stored.model != model.fingerprint(),
        classes_reset: !same_classes,
        ..StateChanges::default()
    };
    for (id, s) in stored.skills.iter().chain(&stored.unseen) {
        match model.skill_index(id) {
            Some(m) => {
                state.known[m * n..(m + 1) * n].copy_from_slice(&known(s));
                state.evidence[m] = s.evidence();
                state.last[m] = s.last;
                changes.carried += 1;
            }
            None if stored.unseen.contains_key(id) => {
                let unseen = Unseen {
                    known: known(s),
                    evidence: s.evidence(),
                    last: s.last,
                };
                state.unseen.insert(id.clone(), unseen);
            }
            None => changes.dropped.push(id.clone()),
        }
    }
    (state, changes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bkt::mastery::Status;
    use crate::{FitInfo, Params, SkillModel, Variant, bkt::SkillStats};

    fn model(ids: &[&str], prior: f64) -> Model {
        let p = Params {
            prior,
            learn: 0.3,
            forget: 0.05,
            guess: 0.2,
            slip: 0.1,
        };
        let skills = ids
            .iter()
            .map(|id| SkillModel::new(*id, p, vec![], vec![], SkillStats::default()))
            .collect();
        Model::new(Variant::default(), skills, vec![], FitInfo::default()).unwrap()
    }

    fn practised(m: &Model) -> LearnerState {
        let mut state = LearnerState::new(m);
        for (skill, correct) in [("b", true), ("b", true), ("c", false), ("zz", true)] {
            state.observe(m, skill, None, correct).unwrap();
        }
        state
    }

    #[test]
    fn a_state_round_trips_under_its_model() {
        let m = model(&["a", "b", "c"], 0.2);
        let state = practised(&m);
        let text = state.to_json(&m).unwrap();
        let (back, changes) = LearnerState::from_json(&text, &m).unwrap();
        assert_eq!(back, state);
        assert_eq!(changes.carried, 2);
        assert!(!changes.model_changed && changes.dropped.is_empty());
        assert_eq!(back.to_json(&m).unwrap(), text);
    }

    /// Issue: a positional state checked only by length silently mapped to the wrong skills
    /// after a refit with another skill set of the same size.
    #[test]
    fn a_refit_with_another_skill_set_of_the_same_size_maps_by_id() {
        let old = model(&["a", "b", "c"], 0.2);
        let state = practised(&old);
        let text = state.to_json(&old).unwrap();
        let refit = model(&["b", "c", "d"], 0.4);
        assert!(matches!(
            state.mastery(&refit, "b"),
            Err(Error::StateMismatch { .. })
        ));
        let (carried, changes) = LearnerState::from_json(&text, &refit).unwrap();
        assert!(changes.model_changed);
        assert_eq!(changes.carried, 2);
        assert!(changes.dropped.is_empty());
        for id in ["b", "c"] {
            assert_eq!(
                carried.mastery(&refit, id).unwrap(),
                state.mastery(&old, id).unwrap()
            );
            assert_eq!(
                carried.evidence(&refit, id).unwrap(),
                state.evidence(&old, id).unwrap()
            );
        }
        assert_eq!(carried.mastery(&refit, "d").unwrap(), 0.4);
        assert_eq!(carried.status(&refit, "d").unwrap(), Status::NotAssessed);
        // The unseen skill stays the learner's own.
        assert_eq!(carried.evidence(&refit, "zz").unwrap().attempts, 1);
        // Skill b dropped by a later refit is reported.
        let later = model(&["c", "d", "e"], 0.4);
        let (_, changes) = LearnerState::from_json(&text, &later).unwrap();
        assert_eq!(changes.dropped, vec!["b".to_owned()]);
    }

    #[test]
    fn malformed_states_name_the_field() {
        let m = model(&["a", "b", "c"], 0.2);
        let text = practised(&m).to_json(&m).unwrap();
        let cases = [
            (text.replace("\"known\":[", "\"known\":[2.0,"), "known"),
            (text.replace("pathwise-learner-state", "other"), "format"),
            (text.replace("\"version\":1", "\"version\":9"), "version"),
            (
                text.replace("\"attempts\":2", "\"attempts\":0"),
                "inconsistent",
            ),
            (
                text.replace("\"threshold\":0.95", "\"threshold\":1.5"),
                "threshold",
            ),
            (format!("{text}{{"), "trailing"),
            (
                text.replace("\"classes\"", "\"classes\":[1.0],\"classes\""),
                "duplicate",
            ),
        ];
        for (bad, needle) in cases {
            let e = LearnerState::from_json(&bad, &m).unwrap_err().to_string();
            assert!(e.contains(needle), "{needle}: {e}");
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
