//! The recommender's settings: thresholds, the productive-success band, the score weights and the
//! goals.

use crate::{Error, Result};

/// How the recommender decides (see `docs/recommender.md`). Build with [`Policy::default`] and
/// change fields; [`Policy::validate`] (called by `Recommender::new`) checks the ranges.
///
/// ```
/// use pathwise::Policy;
/// let policy = Policy { mastery: 0.9, goals: vec!["frac.add_like".into()], ..Policy::default() };
/// assert!(policy.validate().is_ok());
/// assert!(Policy { mastery: 1.5, ..Policy::default() }.validate().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// A skill is mastered when P(known) ≥ `mastery` (default 0.95).
    pub mastery: f64,
    /// A prerequisite counts as satisfied when P(known) ≥ `ready` (default: `None` = the mastery
    /// threshold). A softer value (e.g. 0.8) lets learners start a skill while its prerequisites
    /// are nearly mastered; it must not exceed `mastery`.
    pub ready: Option<f64>,
    /// The productive-success band on P(correct) (default 0.5–0.85): attempts the learner will
    /// probably, but not surely, get right.
    pub band: Band,
    /// Weights of the score components.
    pub weights: Weights,
    /// Goal skill ids: only skills on the way to a goal (the goals and their ancestors) are
    /// recommended, nearer ones first. Empty (the default) = the whole graph is the goal.
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
            mastery: 0.95,
            ready: None,
            band: Band::default(),
            weights: Weights::default(),
            goals: Vec::new(),
            decay_per_response: 0.0,
            activities_per_skill: 1,
        }
    }
}

impl Policy {
    /// Checks every setting's range; the message states the rule broken.
    pub fn validate(&self) -> Result<()> {
        let unit = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
        if !(unit(self.mastery) && self.mastery > 0.0) {
            return Err(Error::config(format!(
                "mastery threshold must be in (0, 1], got {}",
                self.mastery
            )));
        }
        if let Some(ready) = self.ready
            && !(unit(ready) && ready <= self.mastery)
        {
            return Err(Error::config(format!(
                "ready threshold must be in [0, mastery = {}], got {ready}",
                self.mastery
            )));
        }
        let Band { low, high } = self.band;
        if !(unit(low) && unit(high) && low < high) {
            return Err(Error::config(format!(
                "success band must satisfy 0 ≤ low < high ≤ 1, got {low}–{high}"
            )));
        }
        let w = &self.weights;
        let all = [w.gain, w.unlock, w.goal, w.band, w.review];
        if all.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(Error::config("score weights must be finite and ≥ 0"));
        }
        if !(self.decay_per_response.is_finite() && self.decay_per_response >= 0.0) {
            return Err(Error::config(format!(
                "decay per response must be finite and ≥ 0, got {}",
                self.decay_per_response
            )));
        }
        Ok(())
    }

    /// The threshold at which a prerequisite counts as satisfied.
    pub fn ready_threshold(&self) -> f64 {
        self.ready.unwrap_or(self.mastery)
    }
}

/// The productive-success band on P(correct): inside it the band component is 1, outside it falls
/// linearly to 0 at P(correct) = 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower edge (default 0.5).
    pub low: f64,
    /// Upper edge (default 0.85).
    pub high: f64,
}

impl Default for Band {
    fn default() -> Self {
        Self {
            low: 0.5,
            high: 0.85,
        }
    }
}

impl Band {
    /// How well P(correct) `p` fits the band: 1 inside, `p/low` below, `(1−p)/(1−high)` above.
    pub fn fit(&self, p: f64) -> f64 {
        let v = if p < self.low {
            p / self.low
        } else if p > self.high {
            (1.0 - p) / (1.0 - self.high)
        } else {
            1.0
        };
        v.clamp(0.0, 1.0)
    }
}

/// Weights of the score components (defaults sum to 1, so the score lies in [0, 1]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Expected mastery gain, as a share of the way left to the threshold (default 0.35).
    pub gain: f64,
    /// How much of the graph mastering the skill opens (default 0.15).
    pub unlock: f64,
    /// Nearness to the goals (default 0.2).
    pub goal: f64,
    /// Fit of P(correct) to the productive-success band (default 0.2).
    pub band: f64,
    /// Review of a forgotten skill (default 0.1).
    pub review: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            gain: 0.35,
            unlock: 0.15,
            goal: 0.2,
            band: 0.2,
            review: 0.1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_fit_is_one_inside_and_falls_outside() {
        let b = Band::default();
        assert_eq!(b.fit(0.7), 1.0);
        assert_eq!(b.fit(0.5), 1.0);
        assert!((b.fit(0.25) - 0.5).abs() < 1e-12);
        assert!((b.fit(0.925) - 0.5).abs() < 1e-12);
        assert_eq!(b.fit(1.0), 0.0);
        assert_eq!(b.fit(0.0), 0.0);
    }

    #[test]
    fn validate_names_the_rule() {
        let bad = Policy {
            ready: Some(0.99),
            ..Policy::default()
        };
        let e = bad.validate().unwrap_err().to_string();
        assert!(e.contains("ready threshold"), "{e}");
        let bad = Policy {
            band: Band {
                low: 0.9,
                high: 0.5,
            },
            ..Policy::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("band"));
        assert_eq!(Policy::default().ready_threshold(), 0.95);
        let w = Weights::default();
        assert!((w.gain + w.unlock + w.goal + w.band + w.review - 1.0).abs() < 1e-12);
    }
}
