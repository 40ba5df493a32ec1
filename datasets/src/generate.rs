//! Deterministic synthetic cohorts under known BKT parameters, for tests, benchmarks and the
//! demo.
//!
//! Each learner practises every skill a number of times drawn from `attempts`; the attempts of
//! different skills are interleaved at random. On each attempt the learner answers from their
//! hidden state and then may learn or forget, drawn by [`Params::simulate_attempt`] (with the
//! item's own guess/slip when the skill has items): the same answer-and-transition step as the
//! policy simulator `pathwise::eval::simulate`. Everything is drawn from one ChaCha8 generator
//! per learner, seeded from the cohort seed, so the same spec gives the same rows.
//!
//! What surrounds that step differs from the policy simulator on purpose, because these logs
//! exist to test parameter recovery: [`draw_skill_truths`] draws wide priors (0.1–0.7) and
//! forgetting large enough to be identified (0.01–0.08), where the policy simulator's
//! `draw_params` keeps priors low (0.05–0.35) and forgetting small (0–0.02) so that policies
//! have a curriculum left to teach; skills here are independent (as the fitted model assumes)
//! where the policy simulator slows learning behind unknown prerequisites; and each attempt
//! picks an item at random (so item and practice count are not confounded) where the policy
//! simulator presents a skill's activities in turn.
//!
//! ```
//! use pathwise_datasets::generate::{CohortSpec, draw_skill_truths, TruthOptions};
//! let spec = CohortSpec {
//!     learners: 50,
//!     attempts: 5..=10,
//!     skills: draw_skill_truths(3, &TruthOptions::default(), 7),
//!     class_weights: vec![],
//!     seed: 1,
//! };
//! let log = spec.to_log();
//! assert_eq!(log.learners().len(), 50);
//! assert_eq!(log.skills().len(), 3);
//! assert_eq!(spec.to_log().n_rows(), log.n_rows()); // deterministic
//! ```

use std::io::Write;
use std::ops::RangeInclusive;

use pathwise::bkt::Params;
use pathwise::{InteractionLog, LogBuilder, RawRow};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The true guess and slip of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTruth {
    /// Item id.
    pub id: String,
    /// P(correct | unknown) on this item.
    pub guess: f64,
    /// P(incorrect | known) on this item.
    pub slip: f64,
}

/// The true parameters of one skill.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillTruth {
    /// Skill id.
    pub id: String,
    /// P(known) before the first attempt (used when the cohort has no learner classes).
    pub prior: f64,
    /// P(unknown → known) after each attempt.
    pub learn: f64,
    /// P(known → unknown) after each attempt.
    pub forget: f64,
    /// P(correct | unknown) (attempts without items).
    pub guess: f64,
    /// P(incorrect | known) (attempts without items).
    pub slip: f64,
    /// Items; each attempt picks one uniformly. Empty: attempts carry no item.
    pub items: Vec<ItemTruth>,
    /// Prior per learner class (used when the cohort has `class_weights`).
    pub class_priors: Vec<f64>,
}

/// A synthetic cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortSpec {
    /// Number of learners (ids `L00000`, `L00001`, …).
    pub learners: usize,
    /// Attempts per learner and skill, drawn uniformly from this range.
    pub attempts: RangeInclusive<u32>,
    /// The skills and their true parameters.
    pub skills: Vec<SkillTruth>,
    /// Learner classes: when not empty, each learner draws a class with these weights and starts
    /// each skill at that skill's `class_priors[class]`.
    pub class_weights: Vec<f64>,
    /// Seed of the generator.
    pub seed: u64,
}

/// One generated attempt (indices into the spec's learners, skills and the skill's items).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeneratedRow {
    /// Learner index.
    pub learner: u32,
    /// Skill index in `CohortSpec::skills`.
    pub skill: u32,
    /// Item index in the skill's `items`, if it has items.
    pub item: Option<u32>,
    /// Whether the answer was correct.
    pub correct: bool,
    /// Position in the learner's attempts (0, 1, …).
    pub order: u32,
}

/// Settings of [`draw_skill_truths`].
#[derive(Debug, Clone, PartialEq)]
pub struct TruthOptions {
    /// Items per skill (0: attempts carry no item).
    pub items_per_skill: usize,
    /// Draw a non-zero forget rate.
    pub forgets: bool,
    /// Spread of item guess/slip around the skill's (uniform ± this).
    pub item_spread: f64,
    /// Learner classes: their number of class priors per skill (0: none).
    pub classes: usize,
}

impl Default for TruthOptions {
    fn default() -> Self {
        Self {
            items_per_skill: 0,
            forgets: false,
            item_spread: 0.05,
            classes: 0,
        }
    }
}

/// Draws plausible true parameters for `n` skills (ids `S00`, `S01`, …) from `seed`:
/// prior ∈ [0.1, 0.7], learn ∈ [0.05, 0.3], forget ∈ [0.01, 0.08] (or 0), guess ∈ [0.08, 0.3],
/// slip ∈ [0.05, 0.2]; item guess/slip within `item_spread` of the skill's; class priors spread
/// evenly around the prior.
pub fn draw_skill_truths(n: usize, options: &TruthOptions, seed: u64) -> Vec<SkillTruth> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|s| {
            let id = format!("S{s:02}");
            let prior = rng.random_range(0.1..0.7);
            let learn = rng.random_range(0.05..0.3);
            let forget = if options.forgets {
                rng.random_range(0.01..0.08)
            } else {
                0.0
            };
            let guess = rng.random_range(0.08..0.3);
            let slip = rng.random_range(0.05..0.2);
            // A negative or non-finite spread would be an empty range (a panic): its size counts.
            let spread = if options.item_spread.is_finite() {
                options.item_spread.abs()
            } else {
                0.0
            };
            let items = (0..options.items_per_skill)
                .map(|i| ItemTruth {
                    id: format!("{id}-q{i:02}"),
                    guess: (guess + rng.random_range(-spread..=spread)).clamp(0.01, 0.45),
                    slip: (slip + rng.random_range(-spread..=spread)).clamp(0.01, 0.45),
                })
                .collect();
            let class_priors = (0..options.classes)
                .map(|c| {
                    let t = (c as f64 + 0.5) / options.classes as f64;
                    (prior * 2.0 * t).clamp(0.02, 0.98)
                })
                .collect();
            SkillTruth {
                id,
                prior,
                learn,
                forget,
                guess,
                slip,
                items,
                class_priors,
            }
        })
        .collect()
}

impl CohortSpec {
    /// The id of learner `l`.
    pub fn learner_id(l: u32) -> String {
        format!("L{l:05}")
    }

    /// Generates the attempts, learner by learner (each learner's attempts in time order).
    pub fn rows(&self) -> Vec<GeneratedRow> {
        let mut out = Vec::new();
        let mut slots: Vec<u32> = Vec::new();
        let lo = *self.attempts.start();
        let hi = (*self.attempts.end()).max(lo);
        for l in 0..self.learners as u32 {
            let mut rng = ChaCha8Rng::seed_from_u64(splitmix(self.seed ^ splitmix(u64::from(l))));
            let class = draw_class(&mut rng, &self.class_weights);
            slots.clear();
            for s in 0..self.skills.len() as u32 {
                let n = rng.random_range(lo..=hi);
                slots.extend(std::iter::repeat_n(s, n as usize));
            }
            slots.shuffle(&mut rng);
            let mut known: Vec<Option<bool>> = vec![None; self.skills.len()];
            for (order, &s) in slots.iter().enumerate() {
                let truth = &self.skills[s as usize];
                let mut params = Params {
                    prior: match class {
                        Some(c) => truth.class_priors.get(c).copied().unwrap_or(truth.prior),
                        None => truth.prior,
                    },
                    learn: truth.learn,
                    forget: truth.forget,
                    guess: truth.guess,
                    slip: truth.slip,
                };
                let k = match known[s as usize] {
                    Some(k) => k,
                    None => params.draw_initial_knowledge(&mut rng),
                };
                let item = (!truth.items.is_empty())
                    .then(|| rng.random_range(0..truth.items.len() as u32));
                if let Some(i) = item {
                    let it = &truth.items[i as usize];
                    (params.guess, params.slip) = (it.guess, it.slip);
                }
                let attempt = params.simulate_attempt(k, &mut rng);
                known[s as usize] = Some(attempt.known_after);
                let correct = attempt.correct;
                out.push(GeneratedRow {
                    learner: l,
                    skill: s,
                    item,
                    correct,
                    order: order as u32,
                });
            }
        }
        out
    }

    /// The cohort as an interaction log.
    pub fn to_log(&self) -> InteractionLog {
        let rows = self.rows();
        let mut b = LogBuilder::new();
        b.reserve(rows.len());
        let mut learner = String::new();
        let mut current = u32::MAX;
        for r in &rows {
            if r.learner != current {
                current = r.learner;
                learner = Self::learner_id(r.learner);
            }
            let truth = &self.skills[r.skill as usize];
            b.push(RawRow {
                learner: &learner,
                skills: &[truth.id.as_str()],
                item: r.item.map(|i| truth.items[i as usize].id.as_str()),
                correct: r.correct,
                order: i64::from(r.order),
                group: None,
            });
        }
        b.build()
    }

    /// Writes the cohort in the generic CSV schema `learner,skill,item,correct,order`.
    pub fn write_csv(&self, out: impl Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(out);
        writeln!(w, "learner,skill,item,correct,order")?;
        for r in self.rows() {
            let truth = &self.skills[r.skill as usize];
            let item = r.item.map_or("", |i| truth.items[i as usize].id.as_str());
            writeln!(
                w,
                "{},{},{},{},{}",
                Self::learner_id(r.learner),
                truth.id,
                item,
                u8::from(r.correct),
                r.order
            )?;
        }
        w.flush()
    }
}

fn draw_class(rng: &mut ChaCha8Rng, weights: &[f64]) -> Option<usize> {
    if weights.is_empty() {
        return None;
    }
    // A negative or non-finite weight counts as 0 (it would make the range empty: a panic).
    let weight = |w: f64| if w.is_finite() && w > 0.0 { w } else { 0.0 };
    let total: f64 = weights.iter().map(|&w| weight(w)).sum();
    let mut u = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (c, &w) in weights.iter().enumerate() {
        if u < weight(w) {
            return Some(c);
        }
        u -= weight(w);
    }
    Some(weights.len() - 1)
}

fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> CohortSpec {
        CohortSpec {
            learners: 300,
            attempts: 10..=10,
            skills: draw_skill_truths(2, &TruthOptions::default(), 3),
            class_weights: vec![],
            seed: 9,
        }
    }

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        let a = spec().rows();
        assert_eq!(a, spec().rows());
        let b = CohortSpec { seed: 10, ..spec() }.rows();
        assert_ne!(a, b);
        assert_eq!(a.len(), 300 * 2 * 10);
    }

    #[test]
    fn first_attempt_correctness_matches_the_truth() {
        let s = spec();
        let rows = s.rows();
        let t = &s.skills[0];
        let expected = t.prior * (1.0 - t.slip) + (1.0 - t.prior) * t.guess;
        let mut seen = vec![false; s.learners];
        let (mut n, mut k) = (0.0, 0.0);
        for r in rows.iter().filter(|r| r.skill == 0) {
            if !seen[r.learner as usize] {
                seen[r.learner as usize] = true;
                n += 1.0;
                k += f64::from(u8::from(r.correct));
            }
        }
        assert!((k / n - expected).abs() < 0.08, "{} vs {expected}", k / n);
    }

    #[test]
    fn out_of_range_settings_do_not_panic() {
        let wild = TruthOptions {
            items_per_skill: 2,
            item_spread: f64::NAN,
            classes: 2,
            ..TruthOptions::default()
        };
        let mut skills = draw_skill_truths(2, &wild, 1);
        skills[0].prior = 7.0;
        skills[1].slip = f64::NAN;
        draw_skill_truths(
            1,
            &TruthOptions {
                item_spread: -0.5,
                ..wild
            },
            1,
        );
        let spec = CohortSpec {
            learners: 20,
            attempts: RangeInclusive::new(3, 1), // an empty range: 3 attempts each
            skills,
            class_weights: vec![f64::NAN, -1.0],
            seed: 2,
        };
        assert_eq!(spec.rows().len(), 20 * 2 * 3);
    }

    #[test]
    fn csv_has_the_generic_header_and_one_line_per_row() {
        let mut out = Vec::new();
        spec().write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("learner,skill,item,correct,order\nL00000,S0"));
        assert_eq!(text.lines().count(), 1 + 6000);
    }
}
