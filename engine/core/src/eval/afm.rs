//! `afm`: the Additive Factors Model (Cen, Koedinger & Junker 2006).
//!
//! ```text
//! logit P(correct on skill k) = β_k + γ_k · T_k + a_k · θ_learner
//! ```
//! with `T_k` the learner's number of earlier responses on skill k, `β_k` the skill's easiness,
//! `γ_k` its learning rate and θ the learner's ability (`a_k` ≈ 1: see below).
//!
//! **Fitting** (training learners), per skill with linfa-logistic (see the `logistic` module),
//! with one round of block coordinate ascent for the abilities: (1) fit β_k, γ_k per skill with
//! all abilities 0; (2) fit each training learner's θ by Newton's method on all their responses
//! with the skill terms fixed (`a_k = 1`) and a N(0, 1) prior; (3) refit each skill with θ as a
//! second column, warm-started at `a_k = 1`. linfa-logistic has no offset term, so the ability
//! enters step (3) as a feature whose weight `a_k` is fitted per skill — an ability loading that
//! stays close to 1 (textbook AFM fixes it at 1).
//!
//! **Test learners** are unseen (learner-level folds), so their ability is estimated **online from
//! their own earlier responses only**: a Gaussian belief N(μ, v) that starts at the population
//! N(0, σ²) (σ² = variance of the training learners' fitted abilities, at least 0.01) and after
//! each observation on skill k is updated by one Laplace (Newton) step: `p = σ(o + a_k μ)`,
//! `v ← 1 / (1/v + a_k² p(1−p))`, `μ ← μ + v a_k (y − p)`, where `o = β_k + γ_k T_k`. Predictions
//! average over the belief with the probit approximation, `σ((o + a_k μ) / sqrt(1 + π a_k² v / 8))`.
//! A multi-skill response gets the mean of its skills' probabilities. A skill whose training
//! outcomes are all equal gets the constant smoothed rate (`a_k = 0`); a skill absent from
//! training the global rate.

use rayon::prelude::*;

use super::baseline::correct_rate;
use super::family::{LearnerScorer, ModelFamily, Predictor};
use super::logistic::{SkillRows, fit_skill, for_each_with_counts, logit, sigmoid};
use crate::{InteractionLog, Response, Result};

/// Variance of the N(0, τ²) prior on a training learner's ability in step (2).
const ABILITY_PRIOR_VAR: f64 = 1.0;
/// Lower bound of the population ability variance used for test learners.
const MIN_ABILITY_VAR: f64 = 1e-2;

/// The Additive Factors Model family (see the module documentation for the formula).
#[derive(Debug, Clone, Copy, Default)]
pub struct Afm;

#[derive(Debug, Clone, Copy)]
struct SkillTerms {
    easiness: f64,
    learning: f64,
    ability: f64,
}

struct AfmPredictor {
    skills: Vec<SkillTerms>,
    global: f64,
    /// σ² of the population's abilities.
    ability_var: f64,
}

struct AfmScorer<'a> {
    model: &'a AfmPredictor,
    opportunities: Vec<u32>,
    mean: f64,
    var: f64,
}

/// One training observation, in learner order.
struct Obs {
    learner: u32,
    skill: u32,
    practice: u32,
    correct: bool,
}

impl ModelFamily for Afm {
    fn name(&self) -> &str {
        "afm"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        let global = correct_rate(train);
        let n_skills = train.skills().len();
        let mut rows = vec![SkillRows::default(); n_skills];
        let mut obs = Vec::with_capacity(train.n_observations());
        for_each_with_counts(train, |r, counts| {
            for &s in r.skills {
                let (succ, fail) = counts[s as usize];
                let practice = succ + fail;
                rows[s as usize].x.push(f64::from(practice));
                rows[s as usize].y.push(r.correct);
                obs.push(Obs {
                    learner: r.learner,
                    skill: s,
                    practice,
                    correct: r.correct,
                });
            }
        });
        let unseen = SkillTerms {
            easiness: logit(global),
            learning: 0.0,
            ability: 0.0,
        };

        // (1) skills without abilities.
        let first = rows
            .par_iter()
            .map(|rows| {
                if rows.y.is_empty() {
                    return Ok(unseen);
                }
                let fit = fit_skill("afm", rows, 1, global, None)?;
                Ok(SkillTerms {
                    easiness: fit.intercept,
                    learning: fit.weights[0],
                    ability: if fit.constant { 0.0 } else { 1.0 },
                })
            })
            .collect::<Result<Vec<_>>>()?;

        // (2) abilities given the skills.
        let theta = fit_abilities(&obs, &first, train.learners().len());

        // (3) skills given the abilities.
        let mut with_theta = vec![SkillRows::default(); n_skills];
        for o in &obs {
            let r = &mut with_theta[o.skill as usize];
            r.x.extend([f64::from(o.practice), theta[o.learner as usize]]);
            r.y.push(o.correct);
        }
        let skills = with_theta
            .par_iter()
            .zip(&first)
            .map(|(rows, start)| {
                if rows.y.is_empty() || start.ability == 0.0 {
                    return Ok(*start);
                }
                let init = [start.learning, 1.0];
                let fit = fit_skill("afm", rows, 2, global, Some((&init, start.easiness)))?;
                Ok(SkillTerms {
                    easiness: fit.intercept,
                    learning: fit.weights[0],
                    ability: fit.weights[1],
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut seen = vec![false; train.learners().len()];
        for o in &obs {
            seen[o.learner as usize] = true;
        }
        let abilities: Vec<f64> = theta
            .iter()
            .zip(&seen)
            .filter(|&(_, &s)| s)
            .map(|(&t, _)| t)
            .collect();
        Ok(Box::new(AfmPredictor {
            skills,
            global,
            ability_var: variance(&abilities).max(MIN_ABILITY_VAR),
        }))
    }
}

/// Each learner's MAP ability given fixed skill terms (Newton's method, N(0, τ²) prior).
/// `obs` is in learner order.
fn fit_abilities(obs: &[Obs], skills: &[SkillTerms], n_learners: usize) -> Vec<f64> {
    let mut theta = vec![0.0; n_learners];
    let mut start = 0;
    while start < obs.len() {
        let learner = obs[start].learner;
        let end = start
            + obs[start..]
                .iter()
                .take_while(|o| o.learner == learner)
                .count();
        let mine = &obs[start..end];
        let mut t = 0.0;
        for _ in 0..50 {
            let mut grad = -t / ABILITY_PRIOR_VAR;
            let mut hess = 1.0 / ABILITY_PRIOR_VAR;
            for o in mine {
                let k = &skills[o.skill as usize];
                let a = k.ability;
                let p = sigmoid(k.easiness + k.learning * f64::from(o.practice) + a * t);
                grad += a * (f64::from(u8::from(o.correct)) - p);
                hess += a * a * p * (1.0 - p);
            }
            let step = grad / hess;
            t += step;
            if step.abs() < 1e-10 {
                break;
            }
        }
        theta[learner as usize] = t;
        start = end;
    }
    theta
}

fn variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

impl Predictor for AfmPredictor {
    fn scorer(&self, _learner: u32) -> Box<dyn LearnerScorer + '_> {
        Box::new(AfmScorer {
            model: self,
            opportunities: vec![0; self.skills.len()],
            mean: 0.0,
            var: self.ability_var,
        })
    }
}

impl AfmScorer<'_> {
    /// (skill terms, offset `β + γ T`) of skill `s`, if known.
    fn terms(&self, s: u32) -> Option<(SkillTerms, f64)> {
        let k = *self.model.skills.get(s as usize)?;
        let t = *self.opportunities.get(s as usize)?;
        Some((k, k.easiness + k.learning * f64::from(t)))
    }
}

impl LearnerScorer for AfmScorer<'_> {
    fn predict(&mut self, r: &Response<'_>) -> f64 {
        if r.skills.is_empty() {
            return self.model.global;
        }
        let mut sum = 0.0;
        for &s in r.skills {
            sum += match self.terms(s) {
                Some((k, o)) => {
                    let spread =
                        1.0 + std::f64::consts::PI * k.ability * k.ability * self.var / 8.0;
                    sigmoid((o + k.ability * self.mean) / spread.sqrt())
                }
                None => self.model.global,
            };
        }
        sum / r.skills.len() as f64
    }

    fn observe(&mut self, r: &Response<'_>) {
        let y = f64::from(u8::from(r.correct));
        for &s in r.skills {
            if let Some((k, o)) = self.terms(s) {
                let a = k.ability;
                let p = sigmoid(o + a * self.mean);
                self.var = 1.0 / (1.0 / self.var + a * a * p * (1.0 - p));
                self.mean += self.var * a * (y - p);
            }
        }
        for &s in r.skills {
            if let Some(t) = self.opportunities.get_mut(s as usize) {
                *t += 1;
            }
        }
    }
}
