//! Warnings about a fitted skill whose estimates should not be trusted: too little data, data that
//! cannot separate knowing from not knowing, or a parameter at the edge of its range. The flags
//! and their thresholds are listed in `docs/bkt.md` ("Degenerate fits").

use std::fmt;

use serde::{Deserialize, Serialize};

use super::params::Params;

/// Skills with at least one but fewer than this many training learners are flagged
/// [`FitFlag::FewLearners`].
pub const FEW_LEARNERS: u64 = 10;

/// Skills with at least one but fewer than this many training observations are flagged
/// [`FitFlag::FewObservations`]: below it the default five pseudo-observations per parameter weigh
/// as much as a tenth of the data, and each of the five parameters rests on a handful of responses.
pub const FEW_OBSERVATIONS: u64 = 50;

/// How close a fitted parameter may come to an edge of its range before it is flagged: prior and
/// learn within this of 0 or 1, forget within this of 1, guess and slip within this of 0 or of 0.5
/// (the default bound is 0.5 − [`crate::bkt::GUESS_SLIP_MARGIN`] = 0.499, and 0.5 is where a correct
/// answer stops saying anything about knowledge).
pub const EDGE_TOLERANCE: f64 = 0.01;

/// One warning about the fit of one skill ([`crate::SkillModel::flags`]).
///
/// In the model file and the `fit` report a flag is its snake_case name ([`FitFlag::as_str`]);
/// [`FitFlag::explanation`] says in one line why the skill's estimates are doubtful.
///
/// ```
/// use pathwise::bkt::FitFlag;
/// assert_eq!(FitFlag::GuessHigh.to_string(), "guess_high");
/// assert_eq!(FitFlag::parse("few_learners"), Some(FitFlag::FewLearners));
/// assert!(FitFlag::GuessHigh.explanation().contains("0.49"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FitFlag {
    /// Fewer than [`FEW_LEARNERS`] learners practised the skill.
    FewLearners,
    /// Fewer than [`FEW_OBSERVATIONS`] responses on the skill.
    FewObservations,
    /// Every response on the skill was correct.
    AllCorrect,
    /// Every response on the skill was incorrect.
    AllIncorrect,
    /// prior ≤ [`EDGE_TOLERANCE`].
    PriorLow,
    /// prior ≥ 1 − [`EDGE_TOLERANCE`].
    PriorHigh,
    /// learn ≤ [`EDGE_TOLERANCE`].
    LearnLow,
    /// learn ≥ 1 − [`EDGE_TOLERANCE`].
    LearnHigh,
    /// forget ≥ 1 − [`EDGE_TOLERANCE`].
    ForgetHigh,
    /// guess ≤ [`EDGE_TOLERANCE`].
    GuessLow,
    /// guess ≥ 0.5 − [`EDGE_TOLERANCE`].
    GuessHigh,
    /// slip ≤ [`EDGE_TOLERANCE`].
    SlipLow,
    /// slip ≥ 0.5 − [`EDGE_TOLERANCE`].
    SlipHigh,
}

impl FitFlag {
    /// Every flag, in the order a skill's flags are listed.
    pub const ALL: [FitFlag; 13] = [
        FitFlag::FewLearners,
        FitFlag::FewObservations,
        FitFlag::AllCorrect,
        FitFlag::AllIncorrect,
        FitFlag::PriorLow,
        FitFlag::PriorHigh,
        FitFlag::LearnLow,
        FitFlag::LearnHigh,
        FitFlag::ForgetHigh,
        FitFlag::GuessLow,
        FitFlag::GuessHigh,
        FitFlag::SlipLow,
        FitFlag::SlipHigh,
    ];

    /// The flag's name in the model file and the `fit` report, e.g. `guess_high`.
    pub fn as_str(self) -> &'static str {
        match self {
            FitFlag::FewLearners => "few_learners",
            FitFlag::FewObservations => "few_observations",
            FitFlag::AllCorrect => "all_correct",
            FitFlag::AllIncorrect => "all_incorrect",
            FitFlag::PriorLow => "prior_low",
            FitFlag::PriorHigh => "prior_high",
            FitFlag::LearnLow => "learn_low",
            FitFlag::LearnHigh => "learn_high",
            FitFlag::ForgetHigh => "forget_high",
            FitFlag::GuessLow => "guess_low",
            FitFlag::GuessHigh => "guess_high",
            FitFlag::SlipLow => "slip_low",
            FitFlag::SlipHigh => "slip_high",
        }
    }

    /// The flag named `name` ([`FitFlag::as_str`]), if there is one.
    pub fn parse(name: &str) -> Option<FitFlag> {
        FitFlag::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// One line on what the flag means for the skill's estimates.
    pub fn explanation(self) -> &'static str {
        match self {
            FitFlag::FewLearners => "fewer than 10 learners practised the skill",
            FitFlag::FewObservations => "fewer than 50 responses on the skill",
            FitFlag::AllCorrect => {
                "every response was correct: knowing and guessing cannot be told apart"
            }
            FitFlag::AllIncorrect => {
                "every response was incorrect: learning and slipping cannot be told apart"
            }
            FitFlag::PriorLow => "prior ≤ 0.01: the fit says no learner starts knowing the skill",
            FitFlag::PriorHigh => {
                "prior ≥ 0.99: the fit says every learner starts knowing the skill"
            }
            FitFlag::LearnLow => {
                "learn ≤ 0.01: the fit says practice hardly ever teaches the skill"
            }
            FitFlag::LearnHigh => "learn ≥ 0.99: the fit says one attempt always teaches the skill",
            FitFlag::ForgetHigh => {
                "forget ≥ 0.99: the fit says the skill is lost after every attempt"
            }
            FitFlag::GuessLow => {
                "guess ≤ 0.01: one correct answer counts as near-certain knowledge"
            }
            FitFlag::GuessHigh => {
                "guess ≥ 0.49: learners who do not know the skill answer right as often as not"
            }
            FitFlag::SlipLow => "slip ≤ 0.01: one wrong answer counts as near-certain ignorance",
            FitFlag::SlipHigh => {
                "slip ≥ 0.49: learners who know the skill answer wrong as often as not"
            }
        }
    }

    /// The flags that follow from a skill's parameters and counts (every flag but
    /// [`FitFlag::AllCorrect`] and [`FitFlag::AllIncorrect`], which need the responses). The
    /// count flags apply only to a fitted skill (`observations > 0`), not to one built by hand.
    pub(crate) fn detect(params: &Params, observations: u64, learners: u64) -> Vec<FitFlag> {
        let low = |v: f64| v <= EDGE_TOLERANCE;
        let high = |v: f64| v >= 1.0 - EDGE_TOLERANCE;
        let near_half = |v: f64| v >= 0.5 - EDGE_TOLERANCE;
        let fitted = observations > 0;
        [
            (FitFlag::FewLearners, fitted && learners < FEW_LEARNERS),
            (
                FitFlag::FewObservations,
                fitted && observations < FEW_OBSERVATIONS,
            ),
            (FitFlag::PriorLow, low(params.prior)),
            (FitFlag::PriorHigh, high(params.prior)),
            (FitFlag::LearnLow, low(params.learn)),
            (FitFlag::LearnHigh, high(params.learn)),
            (FitFlag::ForgetHigh, high(params.forget)),
            (FitFlag::GuessLow, low(params.guess)),
            (FitFlag::GuessHigh, near_half(params.guess)),
            (FitFlag::SlipLow, low(params.slip)),
            (FitFlag::SlipHigh, near_half(params.slip)),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect()
    }

    /// Whether the flag follows from the responses alone, so that only the fit (or a model file)
    /// can tell it.
    pub(crate) fn needs_responses(self) -> bool {
        matches!(self, FitFlag::AllCorrect | FitFlag::AllIncorrect)
    }
}

impl fmt::Display for FitFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A skill's flags: the response flags of `given`, then everything [`FitFlag::detect`] finds, in
/// the order of [`FitFlag::ALL`] without repeats.
pub(crate) fn skill_flags(
    given: &[FitFlag],
    params: &Params,
    observations: u64,
    learners: u64,
) -> Vec<FitFlag> {
    let mut flags: Vec<FitFlag> = given
        .iter()
        .copied()
        .filter(|f| f.needs_responses())
        .chain(FitFlag::detect(params, observations, learners))
        .collect();
    flags.sort_unstable();
    flags.dedup();
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-identified skill: nothing to flag.
    const OK: Params = Params {
        prior: 0.3,
        learn: 0.15,
        forget: 0.02,
        guess: 0.2,
        slip: 0.1,
    };

    fn flags_of(change: impl Fn(&mut Params)) -> Vec<FitFlag> {
        let mut p = OK;
        change(&mut p);
        skill_flags(&[], &p, 1000, 100)
    }

    #[test]
    fn a_well_identified_skill_has_no_flags() {
        assert!(flags_of(|_| {}).is_empty());
    }

    #[test]
    fn few_learners_below_ten() {
        assert_eq!(skill_flags(&[], &OK, 1000, 9), [FitFlag::FewLearners]);
        assert!(skill_flags(&[], &OK, 1000, FEW_LEARNERS).is_empty());
    }

    #[test]
    fn few_observations_below_fifty() {
        assert_eq!(skill_flags(&[], &OK, 49, 20), [FitFlag::FewObservations]);
        assert!(skill_flags(&[], &OK, FEW_OBSERVATIONS, 20).is_empty());
    }

    #[test]
    fn a_skill_built_by_hand_gets_no_count_flags() {
        assert!(skill_flags(&[], &OK, 0, 0).is_empty());
    }

    #[test]
    fn all_correct_and_all_incorrect_are_kept_from_the_fit() {
        let given = [FitFlag::AllCorrect, FitFlag::GuessHigh];
        // The parameter flag is recomputed (guess 0.2 is fine), the response flag kept.
        assert_eq!(skill_flags(&given, &OK, 1000, 100), [FitFlag::AllCorrect]);
        assert_eq!(
            skill_flags(&[FitFlag::AllIncorrect], &OK, 1000, 100),
            [FitFlag::AllIncorrect]
        );
    }

    #[test]
    fn prior_near_zero_or_one() {
        assert_eq!(flags_of(|p| p.prior = 0.01), [FitFlag::PriorLow]);
        assert_eq!(flags_of(|p| p.prior = 0.99), [FitFlag::PriorHigh]);
        assert!(flags_of(|p| p.prior = 0.979).is_empty());
    }

    #[test]
    fn learn_near_zero_or_one() {
        assert_eq!(flags_of(|p| p.learn = 1e-6), [FitFlag::LearnLow]);
        assert_eq!(flags_of(|p| p.learn = 1.0 - 1e-6), [FitFlag::LearnHigh]);
        assert!(flags_of(|p| p.learn = 0.011).is_empty());
    }

    #[test]
    fn forget_near_one_but_not_near_zero() {
        assert_eq!(flags_of(|p| p.forget = 0.995), [FitFlag::ForgetHigh]);
        // No forgetting is an ordinary result (and the value of every model without --forgets).
        assert!(flags_of(|p| p.forget = 0.0).is_empty());
    }

    #[test]
    fn guess_near_zero_or_at_its_bound() {
        assert_eq!(flags_of(|p| p.guess = 1e-6), [FitFlag::GuessLow]);
        assert_eq!(flags_of(|p| p.guess = 0.499), [FitFlag::GuessHigh]);
        assert_eq!(flags_of(|p| p.guess = 0.49), [FitFlag::GuessHigh]);
        // Unbounded fits can pass one half: still flagged.
        assert_eq!(flags_of(|p| p.guess = 0.7), [FitFlag::GuessHigh]);
        assert!(flags_of(|p| p.guess = 0.48).is_empty());
    }

    #[test]
    fn slip_near_zero_or_at_its_bound() {
        assert_eq!(flags_of(|p| p.slip = 0.0), [FitFlag::SlipLow]);
        assert_eq!(flags_of(|p| p.slip = 0.499), [FitFlag::SlipHigh]);
        assert!(flags_of(|p| p.slip = 0.02).is_empty());
    }

    #[test]
    fn flags_come_in_one_order_without_repeats() {
        let given = [FitFlag::AllCorrect, FitFlag::AllCorrect];
        let p = Params {
            guess: 0.0,
            slip: 0.0,
            ..OK
        };
        assert_eq!(
            skill_flags(&given, &p, 3, 1),
            [
                FitFlag::FewLearners,
                FitFlag::FewObservations,
                FitFlag::AllCorrect,
                FitFlag::GuessLow,
                FitFlag::SlipLow
            ]
        );
    }

    #[test]
    fn names_round_trip_and_every_flag_explains_itself() {
        for flag in FitFlag::ALL {
            assert_eq!(FitFlag::parse(flag.as_str()), Some(flag));
            assert_eq!(flag.to_string(), flag.as_str());
            let json = serde_json::to_string(&flag).unwrap();
            assert_eq!(json, format!("\"{}\"", flag.as_str()));
            assert!(!flag.explanation().is_empty() && !flag.explanation().contains('\n'));
        }
        assert_eq!(FitFlag::parse("guess"), None);
    }
}
