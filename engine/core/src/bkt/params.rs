//! BKT parameters, the variant switches, bounds on the parameters and fixed parameters.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};
use crate::text::{QUOTE_LIMIT, cut, quoted};

/// Which BKT variant a model is; the switches combine freely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Variant {
    /// Mastery can be lost: P(known → unknown) = `forget` per opportunity.
    pub forgets: bool,
    /// KT-IDEM: guess and slip per item (within each skill).
    pub item_guess_slip: bool,
    /// Learn (and, with `forgets`, forget) per item: the chance that practising this item teaches
    /// the skill.
    pub item_learn: bool,
    /// A two-class mixture of learners, each class with its own prior per skill; a learner's class
    /// posterior comes only from their own earlier responses (see `docs/bkt.md`).
    pub learner_prior: bool,
}

/// The five BKT parameters of one skill (or one fallback).
///
/// `prior` = P(known before the first opportunity), `learn` = P(unknown → known) after an
/// opportunity, `forget` = P(known → unknown), `guess` = P(correct | unknown),
/// `slip` = P(incorrect | known).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// P(known) before the first opportunity.
    pub prior: f64,
    /// P(unknown → known) per opportunity.
    pub learn: f64,
    /// P(known → unknown) per opportunity (0 unless the model forgets).
    pub forget: f64,
    /// P(correct | unknown).
    pub guess: f64,
    /// P(incorrect | known).
    pub slip: f64,
}

impl Default for Params {
    /// The usual starting point of BKT fits: prior 0.5, learn 0.1, forget 0, guess 0.2, slip 0.1.
    fn default() -> Self {
        Self {
            prior: 0.5,
            learn: 0.1,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        }
    }
}

/// One of the five BKT parameters, for bounds and fixed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamName {
    /// `prior`.
    Prior,
    /// `learn`.
    Learn,
    /// `forget`.
    Forget,
    /// `guess`.
    Guess,
    /// `slip`.
    Slip,
}

impl ParamName {
    /// All five, in the order prior, learn, forget, guess, slip.
    pub const ALL: [ParamName; 5] = [
        ParamName::Prior,
        ParamName::Learn,
        ParamName::Forget,
        ParamName::Guess,
        ParamName::Slip,
    ];

    /// The name as written in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamName::Prior => "prior",
            ParamName::Learn => "learn",
            ParamName::Forget => "forget",
            ParamName::Guess => "guess",
            ParamName::Slip => "slip",
        }
    }

    /// Parses `prior`, `learn`, `forget`, `guess` or `slip`.
    pub fn parse(name: &str) -> Option<ParamName> {
        ParamName::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl Params {
    /// The value of one parameter.
    pub fn get(&self, name: ParamName) -> f64 {
        match name {
            ParamName::Prior => self.prior,
            ParamName::Learn => self.learn,
            ParamName::Forget => self.forget,
            ParamName::Guess => self.guess,
            ParamName::Slip => self.slip,
        }
    }

    /// Sets one parameter.
    pub fn set(&mut self, name: ParamName, value: f64) {
        match name {
            ParamName::Prior => self.prior = value,
            ParamName::Learn => self.learn = value,
            ParamName::Forget => self.forget = value,
            ParamName::Guess => self.guess = value,
            ParamName::Slip => self.slip = value,
        }
    }
}

/// Number of learner classes of the learner-prior variant ([`Variant::learner_prior`]).
pub const LEARNER_CLASSES: usize = 2;

/// The smallest distance any fitted probability keeps from 0 and 1, even with `Bounds::none()`:
/// it keeps every likelihood finite (a probability of exactly 0 on an observed event would make the
/// log-likelihood −∞).
pub const PROB_FLOOR: f64 = 1e-9;

/// The default margin below 0.5 for guess and slip: by default both are at most `0.5 - 0.001`.
pub const GUESS_SLIP_MARGIN: f64 = 1e-3;

/// Closed ranges the M-step keeps each parameter in.
///
/// Each M-step update is the maximiser of a concave one-parameter objective, so clamping it into
/// its range is the exact constrained M-step and EM still never lowers the likelihood.
///
/// Defaults (`Bounds::default()`): prior, learn, forget in `[1e-6, 1 − 1e-6]`; guess and slip in
/// `[1e-6, 0.5 − 0.001]`, so that knowing a skill always raises the chance of a correct answer.
/// `Bounds::none()` is unconstrained EM, apart from the numerical floor [`PROB_FLOOR`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// `[min, max]` per parameter, in the order of [`ParamName::ALL`].
    pub ranges: [(f64, f64); 5],
}

impl Default for Bounds {
    fn default() -> Self {
        let wide = (1e-6, 1.0 - 1e-6);
        let half = (1e-6, 0.5 - GUESS_SLIP_MARGIN);
        Self {
            ranges: [wide, wide, wide, half, half],
        }
    }
}

impl Bounds {
    /// Unconstrained EM: every parameter in `[PROB_FLOOR, 1 − PROB_FLOOR]`.
    pub fn none() -> Self {
        Self {
            ranges: [(PROB_FLOOR, 1.0 - PROB_FLOOR); 5],
        }
    }

    /// The range of one parameter.
    pub fn range(&self, name: ParamName) -> (f64, f64) {
        self.ranges[name as usize]
    }

    /// Parses the `--bounds` syntax: `default`, `none`, or a comma-separated list of
    /// `PARAM=MAX` or `PARAM=MIN:MAX` (e.g. `guess=0.3,slip=0.3` or `prior=0.01:0.99`) that
    /// changes the listed parameters of the defaults. Ranges must lie in `[0, 1]` with MIN ≤ MAX;
    /// they are narrowed to `[PROB_FLOOR, 1 − PROB_FLOOR]`.
    pub fn parse(spec: &str) -> Result<Bounds> {
        let spec = spec.trim();
        match spec {
            "default" => return Ok(Bounds::default()),
            "none" => return Ok(Bounds::none()),
            _ => {}
        }
        let mut bounds = Bounds::default();
        for part in spec.split(',') {
            let bad =
                |why: &str| Error::setting("bounds", format!("--bounds {}: {why}", quoted(part)));
            let (name, range) = part
                .split_once('=')
                .ok_or_else(|| bad("expected PARAM=MAX or PARAM=MIN:MAX, 'default' or 'none'"))?;
            let name = ParamName::parse(name.trim())
                .ok_or_else(|| bad("PARAM must be prior, learn, forget, guess or slip"))?;
            let number = |s: &str| -> Result<f64> {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or_else(|| bad("bounds must be numbers in [0, 1]"))
            };
            let (lo, hi) = match range.split_once(':') {
                Some((lo, hi)) => (number(lo)?, number(hi)?),
                None => (bounds.range(name).0, number(range)?),
            };
            if lo > hi {
                return Err(bad("MIN is above MAX"));
            }
            bounds.ranges[name as usize] = (lo.max(PROB_FLOOR), hi.min(1.0 - PROB_FLOOR));
        }
        Ok(bounds)
    }

    /// Clamps `value` into the range of `name`.
    pub fn clamp(&self, name: ParamName, value: f64) -> f64 {
        let (lo, hi) = self.range(name);
        value.clamp(lo, hi)
    }
}

/// Parameters held at given values during fitting, per skill (`"*"` applies to every skill not
/// listed by name).
///
/// File format (JSON): `{ "<skill id>" | "*": { "guess": 0.2, "slip": 0.1, ... } }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixedParams {
    /// Per skill id (or `"*"`), the parameters to hold.
    pub skills: BTreeMap<String, BTreeMap<ParamName, f64>>,
}

impl FixedParams {
    /// The fixed values for `skill`: its own entry, else the `"*"` entry.
    pub fn for_skill(&self, skill: &str) -> Option<&BTreeMap<ParamName, f64>> {
        self.skills.get(skill).or_else(|| self.skills.get("*"))
    }

    /// Parses a fixed-parameters file. `source` names the file in error messages; every value
    /// must be a probability in `[0, 1]`.
    /// A member named twice in one object is refused (see [`crate::json`]).
    pub fn from_json(text: &str, source: &str) -> Result<FixedParams> {
        let not_fixed = |at: Location, e: &dyn std::fmt::Display| {
            Error::input(
                at,
                format!(
                    "not a fixed-parameters file ({{\"<skill>\": {{\"guess\": 0.2, ...}}}}): {}",
                    cut(&e.to_string(), 200)
                ),
            )
        };
        let value = crate::json::parse_strict(text, crate::json::MODEL_LIMIT).map_err(|e| {
            let at = Location::file(source);
            let at = match e.position() {
                Some((line, _)) => at.line(line as u64),
                None => at,
            };
            not_fixed(at, &e)
        })?;
        let raw: BTreeMap<String, BTreeMap<String, serde_json::Value>> =
            serde_json::from_value(value).map_err(|e| not_fixed(Location::file(source), &e))?;
        let mut fixed = FixedParams::default();
        for (skill, params) in raw {
            let at = || Location::file(source).about(crate::SubjectKind::Skill, &skill);
            let mut values = BTreeMap::new();
            for (name, value) in params {
                let param = ParamName::parse(&name).ok_or_else(|| {
                    Error::input(
                        at(),
                        format!(
                            "unknown parameter {} (expected prior, learn, forget, guess or slip)",
                            quoted(&name)
                        ),
                    )
                })?;
                let v = value
                    .as_f64()
                    .filter(|v| (0.0..=1.0).contains(v))
                    .ok_or_else(|| {
                        Error::input(
                            at(),
                            format!(
                                "{name} = {} is not a probability in [0, 1]",
                                cut(&value.to_string(), QUOTE_LIMIT)
                            ),
                        )
                    })?;
                values.insert(param, v);
            }
            fixed.skills.insert(skill, values);
        }
        Ok(fixed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_changes_only_the_named_parameters() {
        let b = Bounds::parse("guess=0.3,slip=0.05:0.25").unwrap();
        assert_eq!(b.range(ParamName::Guess), (1e-6, 0.3));
        assert_eq!(b.range(ParamName::Slip), (0.05, 0.25));
        assert_eq!(
            b.range(ParamName::Prior),
            Bounds::default().range(ParamName::Prior)
        );
        assert_eq!(Bounds::parse("none").unwrap(), Bounds::none());
        assert_eq!(Bounds::parse("default").unwrap(), Bounds::default());
    }

    #[test]
    fn bounds_parse_rejects_bad_specs() {
        for bad in ["guess", "luck=0.3", "guess=1.5", "slip=0.4:0.2", "guess=x"] {
            let e = Bounds::parse(bad).unwrap_err();
            assert!(matches!(e, Error::Config { .. }), "{bad}: {e}");
        }
    }

    #[test]
    fn default_bounds_keep_guess_and_slip_below_half() {
        let b = Bounds::default();
        assert!(b.clamp(ParamName::Guess, 0.9) < 0.5);
        assert!(b.clamp(ParamName::Slip, 0.7) < 0.5);
        assert_eq!(b.clamp(ParamName::Learn, 0.0), 1e-6);
    }

    #[test]
    fn fixed_params_reject_probabilities_outside_unit_interval() {
        let e = FixedParams::from_json(r#"{"add": {"guess": 1.2}}"#, "fixed.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "fixed.json (skill 'add'): guess = 1.2 is not a probability in [0, 1]"
        );
        let f =
            FixedParams::from_json(r#"{"*": {"slip": 0.1}, "add": {"guess": 0.25}}"#, "f").unwrap();
        assert_eq!(f.for_skill("add").unwrap()[&ParamName::Guess], 0.25);
        assert_eq!(f.for_skill("other").unwrap()[&ParamName::Slip], 0.1);
    }

    #[test]
    fn fixed_params_with_a_duplicate_key_are_refused_with_the_line() {
        let text = "{\"add\": {\"guess\": 0.2},\n \"add\": {}}";
        let e = FixedParams::from_json(text, "fixed.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "fixed.json:2: not a fixed-parameters file ({\"<skill>\": {\"guess\": 0.2, ...}}): \
             duplicate member name 'add' at line 2 column 6"
        );
        let e =
            FixedParams::from_json("{\"add\": {\"guess\": 0.2, \"guess\": 0.3}}", "f").unwrap_err();
        assert!(
            e.to_string().contains("duplicate member name 'guess'"),
            "{e}"
        );
    }
}
