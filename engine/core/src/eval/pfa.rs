//! `pfa`: Performance Factors Analysis (Pavlik, Cen & Koedinger 2009).
//!
//! ```text
//! logit P(correct on skill k) = β_k + γ_k · s_k + ρ_k · f_k
//! ```
//! with `s_k` / `f_k` the learner's numbers of earlier correct / incorrect responses on skill k,
//! `β_k` the skill's easiness and `γ_k`, `ρ_k` its weights of successes and failures. There is no
//! learner parameter: the counts carry what is known about the learner, so a test learner's
//! prediction uses exactly their own earlier responses.
//!
//! Fitted per skill with linfa-logistic (see the `logistic` module: counts scaled to RMS 1 during
//! the fit, L2 α = 1 on γ and ρ). A skill whose training outcomes are all equal gets the constant
//! smoothed rate; a skill absent from training the global rate. A multi-skill response gets the
//! mean of its skills' probabilities.

use rayon::prelude::*;

use super::baseline::correct_rate;
use super::family::{LearnerScorer, ModelFamily, Predictor};
use super::logistic::{SkillRows, fit_skill, for_each_with_counts, logit, sigmoid};
use crate::{InteractionLog, Response, Result};

/// The Performance Factors Analysis family (see the module documentation for the formula).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pfa;

#[derive(Debug, Clone, Copy)]
struct SkillTerms {
    easiness: f64,
    success: f64,
    failure: f64,
}

struct PfaPredictor {
    skills: Vec<SkillTerms>,
    global: f64,
}

struct PfaScorer<'a> {
    model: &'a PfaPredictor,
    /// (successes, failures) per skill id.
    counts: Vec<(u32, u32)>,
}

impl ModelFamily for Pfa {
    fn name(&self) -> &str {
        "pfa"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        let global = correct_rate(train);
        let mut rows = vec![SkillRows::default(); train.skills().len()];
        for_each_with_counts(train, |r, counts| {
            for &s in r.skills {
                let (succ, fail) = counts[s as usize];
                let rows = &mut rows[s as usize];
                rows.x.extend([f64::from(succ), f64::from(fail)]);
                rows.y.push(r.correct);
            }
        });
        let skills = rows
            .par_iter()
            .map(|rows| {
                if rows.y.is_empty() {
                    return Ok(SkillTerms {
                        easiness: logit(global),
                        success: 0.0,
                        failure: 0.0,
                    });
                }
                let fit = fit_skill("pfa", rows, 2, global, None)?;
                Ok(SkillTerms {
                    easiness: fit.intercept,
                    success: fit.weights[0],
                    failure: fit.weights[1],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Box::new(PfaPredictor { skills, global }))
    }
}

impl Predictor for PfaPredictor {
    fn scorer(&self, _learner: u32) -> Box<dyn LearnerScorer + '_> {
        Box::new(PfaScorer {
            model: self,
            counts: vec![(0, 0); self.skills.len()],
        })
    }
}

impl LearnerScorer for PfaScorer<'_> {
    fn predict(&mut self, r: &Response<'_>) -> f64 {
        if r.skills.is_empty() {
            return self.model.global;
        }
        let mut sum = 0.0;
        for &s in r.skills {
            let s = s as usize;
            sum += match (self.model.skills.get(s), self.counts.get(s)) {
                (Some(t), Some(&(succ, fail))) => {
                    sigmoid(t.easiness + t.success * f64::from(succ) + t.failure * f64::from(fail))
                }
                _ => self.model.global,
            };
        }
        sum / r.skills.len() as f64
    }

    fn observe(&mut self, r: &Response<'_>) {
        for &s in r.skills {
            if let Some(c) = self.counts.get_mut(s as usize) {
                if r.correct {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
        }
    }
}
