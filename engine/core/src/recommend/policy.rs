//! The recommender's settings: the goals, how soft prerequisites may be, forgetting between
//! practice, and how many activities per skill a list shows. When a skill counts as mastered is
//! the learner state's [`MasteryRule`](crate::bkt::mastery::MasteryRule), not a policy setting, so that
//! the recommender, the report and the records judge mastery alike.

use crate::{Error, Result};

/// How the recommender decides (see `docs/recommender.md`). Build with [`Policy::default`] and
/// change fields; [`Policy::validate`] (called by `Recommender::new`) checks the ranges.
///
/// ```
/// use pathwise::Policy;
/// let policy = Policy { goals: vec!["frac.add_like".into()], ..Policy::default() };
/// assert!(policy.validate().is_ok());
/// assert!(Policy { ready: Some(1.5), ..Policy::default() }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// A prerequisite counts as satisfied when it is mastered (default `None`), or, with
    /// `Some(r)`, when its mastery estimate is at least `r` with the mastery rule's run of correct
    /// answers behind it: a softer value (e.g. 0.8) lets learners start a skill while its
    /// prerequisites are nearly mastered.
    pub ready: Option<f64>,
    /// Goal skill ids: only skills on the way to a goal (the goals and their ancestors) are
    /// recommended. Empty (the default) = the whole graph is the goal.
    pub goals: Vec<String>,
    /// With a forgetting model, how many forgetting steps one of the learner's responses on
    /// *other* skills counts for a skill that is not practised meanwhile (default 0: P(known)
    /// moves only at the skill's own opportunities, as in BKT).
    pub decay_per_response: f64,
    /// At most this many activities per skill in a recommendation list (default 1, so that the
    /// top K spans K skills when K are ready; the skill's best-scoring activities are kept).
    pub activities_per_skill: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            ready: None,
            goals: Vec::new(),
            decay_per_response: 0.0,
            activities_per_skill: 1,
        }
    }
}

impl Policy {
    /// Checks every setting's range; the message states the rule broken.
    pub fn validate(&self) -> Result<()> {
        if let Some(ready) = self.ready
            && !(ready.is_finite() && ready > 0.0 && ready < 1.0)
        {
            return Err(Error::setting(
                "ready",
                format!("the ready threshold must be in (0, 1), got {ready}"),
            ));
        }
        if !(self.decay_per_response.is_finite() && self.decay_per_response >= 0.0) {
            return Err(Error::setting(
                "decay_per_response",
                format!(
                    "decay per response must be finite and ≥ 0, got {}",
                    self.decay_per_response
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_the_rule() {
        let e = Policy {
            ready: Some(0.0),
            ..Policy::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("ready threshold"), "{e}");
        let e = Policy {
            decay_per_response: -1.0,
            ..Policy::default()
        }
        .validate()
        .unwrap_err()
        .to_string();
        assert!(e.contains("decay"), "{e}");
    }
}
