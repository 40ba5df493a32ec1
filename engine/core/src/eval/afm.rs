//! `afm`: the Additive Factors Model (Cen, Koedinger & Junker 2006).
//!
//! ```text
//! logit P(correct) = b + θ_learner + Σ_{k ∈ skills(response)} (β_k + γ_k · T_k)
//! ```
//! with `T_k` the learner's number of earlier responses on skill k, `β_k` the skill's easiness
//! and `γ_k` its learning rate.
//!
//! **Fitting** (training learners): a dense design matrix (per skill an indicator and the count
//! `T_k`, plus one ability column) goes to linfa-logistic (L2 α = 1). Learner abilities are fitted
//! by one round of block coordinate ascent, since a one-hot column per learner would not fit in
//! memory: (1) fit β, γ, b with all abilities 0; (2) fit each learner's θ by Newton's method on
//! their own responses with the skill terms fixed and a N(0, 1) prior; (3) refit β, γ, b and a
//! scale `a` of the ability column (warm-started). The effective ability is `a · θ`.
//!
//! **Test learners** are unseen (learner-level folds), so their ability is estimated **online from
//! their own earlier responses only**: a Gaussian belief N(μ, v) that starts at the population
//! N(0, σ²) (σ² = variance of the training learners' fitted abilities) and after each response is
//! updated by one Laplace (Newton) step: `p = sigmoid(μ + o)`, `v ← 1 / (1/v + p(1−p))`,
//! `μ ← μ + v (y − p)`, where `o` is the response's skill terms. Predictions average over the
//! belief with the probit approximation, `sigmoid((μ + o) / sqrt(1 + π v / 8))`. Skills absent
//! from the training data contribute 0.

use ndarray::{Array1, Array2};

use super::family::{LearnerScorer, ModelFamily, Predictor};
use super::logistic::{LogisticFit, RmsScale, SkillColumns, fit_logistic, sigmoid};
use crate::{InteractionLog, Response, Result};

/// Variance of the N(0, τ²) prior on a training learner's ability in step (2).
const ABILITY_PRIOR_VAR: f64 = 1.0;
/// Lower bound of the population ability variance used for test learners.
const MIN_ABILITY_VAR: f64 = 1e-2;

/// The Additive Factors Model family (see the module documentation for the formula).
#[derive(Debug, Clone, Copy, Default)]
pub struct Afm;

struct AfmPredictor {
    intercept: f64,
    /// β per skill id (0 for skills absent from training).
    easiness: Vec<f64>,
    /// γ per skill id, per raw opportunity.
    learning: Vec<f64>,
    /// σ² of the population's abilities.
    ability_var: f64,
}

struct AfmScorer<'a> {
    model: &'a AfmPredictor,
    opportunities: Vec<u32>,
    mean: f64,
    var: f64,
}

impl ModelFamily for Afm {
    fn name(&self) -> &str {
        "afm"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        let cols = SkillColumns::of(train);
        let m = cols.len;
        let n_skills = train.skills().len();
        let n = train.n_responses();
        let ability_col = 2 * m;

        // Scale of the opportunity counts per skill.
        let mut scale = RmsScale::new(m);
        for_each_with_counts(train, n_skills, |_, r, count| {
            for &s in r.skills {
                if let Some(c) = cols.get(s) {
                    scale.add(c, f64::from(count[s as usize]));
                }
            }
        });
        let scale = scale.finish();

        let mut x = Array2::<f64>::zeros((n, 2 * m + 1));
        let mut y = Array1::from_elem(n, false);
        let mut row_learner = vec![0u32; n];
        for_each_with_counts(train, n_skills, |row, r, count| {
            for &s in r.skills {
                if let Some(c) = cols.get(s) {
                    x[[row, c]] += 1.0;
                    x[[row, m + c]] += f64::from(count[s as usize]) / scale[c];
                }
            }
            y[row] = r.correct;
            row_learner[row] = r.learner;
        });

        let first = fit_logistic("afm", &x, &y, None)?;
        let offsets = x.dot(&first.weights) + first.intercept;
        let theta = fit_abilities(train, &offsets, &y);
        for (row, &l) in row_learner.iter().enumerate() {
            x[[row, ability_col]] = theta[l as usize];
        }
        let mut start = first.weights.clone();
        start[ability_col] = 1.0;
        let LogisticFit { intercept, weights } =
            fit_logistic("afm", &x, &y, Some((&start, first.intercept)))?;

        let a = weights[ability_col];
        let abilities: Vec<f64> = (0..train.learners().len() as u32)
            .filter(|&l| !train.learner_responses(l).is_empty())
            .map(|l| a * theta[l as usize])
            .collect();
        let ability_var = variance(&abilities).max(MIN_ABILITY_VAR);

        let mut easiness = vec![0.0; n_skills];
        let mut learning = vec![0.0; n_skills];
        for s in 0..n_skills {
            if let Some(c) = cols.get(s as u32) {
                easiness[s] = weights[c];
                learning[s] = weights[m + c] / scale[c];
            }
        }
        Ok(Box::new(AfmPredictor {
            intercept,
            easiness,
            learning,
            ability_var,
        }))
    }
}

/// Calls `f(row, response, counts)` for every training response, learner by learner in time
/// order, with `counts[skill]` = the learner's earlier responses on that skill.
fn for_each_with_counts(
    log: &InteractionLog,
    n_skills: usize,
    mut f: impl FnMut(usize, &Response<'_>, &[u32]),
) {
    let mut count = vec![0u32; n_skills];
    let mut touched: Vec<u32> = Vec::new();
    for l in 0..log.learners().len() as u32 {
        for &s in &touched {
            count[s as usize] = 0;
        }
        touched.clear();
        for row in log.learner_responses(l) {
            let r = log.response(row);
            f(row, &r, &count);
            for &s in r.skills {
                if count[s as usize] == 0 {
                    touched.push(s);
                }
                count[s as usize] += 1;
            }
        }
    }
}

/// Each learner's MAP ability given the fixed per-row offsets (Newton's method, N(0, τ²) prior).
fn fit_abilities(log: &InteractionLog, offsets: &Array1<f64>, y: &Array1<bool>) -> Vec<f64> {
    (0..log.learners().len() as u32)
        .map(|l| {
            let rows = log.learner_responses(l);
            let mut theta = 0.0;
            for _ in 0..50 {
                let mut grad = -theta / ABILITY_PRIOR_VAR;
                let mut hess = 1.0 / ABILITY_PRIOR_VAR;
                for row in rows.clone() {
                    let p = sigmoid(theta + offsets[row]);
                    grad += f64::from(u8::from(y[row])) - p;
                    hess += p * (1.0 - p);
                }
                let step = grad / hess;
                theta += step;
                if step.abs() < 1e-10 {
                    break;
                }
            }
            theta
        })
        .collect()
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
            opportunities: vec![0; self.easiness.len()],
            mean: 0.0,
            var: self.ability_var,
        })
    }
}

impl AfmScorer<'_> {
    fn offset(&self, r: &Response<'_>) -> f64 {
        let m = self.model;
        let mut z = m.intercept;
        for &s in r.skills {
            let s = s as usize;
            if let (Some(b), Some(g), Some(&t)) = (
                m.easiness.get(s),
                m.learning.get(s),
                self.opportunities.get(s),
            ) {
                z += b + g * f64::from(t);
            }
        }
        z
    }
}

impl LearnerScorer for AfmScorer<'_> {
    fn predict(&mut self, r: &Response<'_>) -> f64 {
        let z = self.mean + self.offset(r);
        sigmoid(z / (1.0 + std::f64::consts::PI * self.var / 8.0).sqrt())
    }

    fn observe(&mut self, r: &Response<'_>) {
        let p = sigmoid(self.mean + self.offset(r));
        self.var = 1.0 / (1.0 / self.var + p * (1.0 - p));
        self.mean += self.var * (f64::from(u8::from(r.correct)) - p);
        for &s in r.skills {
            if let Some(t) = self.opportunities.get_mut(s as usize) {
                *t += 1;
            }
        }
    }
}
