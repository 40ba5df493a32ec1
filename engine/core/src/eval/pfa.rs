//! `pfa`: Performance Factors Analysis (Pavlik, Cen & Koedinger 2009).
//!
//! ```text
//! logit P(correct) = b + Σ_{k ∈ skills(response)} (β_k + γ_k · s_k + ρ_k · f_k)
//! ```
//! with `s_k` / `f_k` the learner's numbers of earlier correct / incorrect responses on skill k,
//! `β_k` the skill's easiness and `γ_k`, `ρ_k` its per-skill weights of successes and failures.
//! There is no learner parameter: the counts carry what is known about the learner, so a test
//! learner's prediction uses exactly their own earlier responses. Fitted with linfa-logistic on a
//! dense design matrix (per skill an indicator and the two counts, each count column scaled to RMS
//! 1 during the fit; L2 α = 1). Skills absent from the training data contribute 0.

use ndarray::{Array1, Array2};

use super::family::{LearnerScorer, ModelFamily, Predictor};
use super::logistic::{RmsScale, SkillColumns, fit_logistic, sigmoid};
use crate::{InteractionLog, Response, Result};

/// The Performance Factors Analysis family (see the module documentation for the formula).
#[derive(Debug, Clone, Copy, Default)]
pub struct Pfa;

#[derive(Debug, Clone, Copy, Default)]
struct SkillTerms {
    easiness: f64,
    success: f64,
    failure: f64,
}

struct PfaPredictor {
    intercept: f64,
    skills: Vec<SkillTerms>,
}

struct PfaScorer<'a> {
    model: &'a PfaPredictor,
    /// (successes, failures) per skill id.
    counts: Vec<(u32, u32)>,
}

/// Calls `f(row, response, counts)` for every response of `log`, learner by learner in time
/// order, with `counts[skill]` = the learner's earlier (successes, failures) on that skill.
fn for_each_with_counts(
    log: &InteractionLog,
    mut f: impl FnMut(usize, &Response<'_>, &[(u32, u32)]),
) {
    let mut counts = vec![(0u32, 0u32); log.skills().len()];
    let mut touched: Vec<u32> = Vec::new();
    for l in 0..log.learners().len() as u32 {
        for &s in &touched {
            counts[s as usize] = (0, 0);
        }
        touched.clear();
        for row in log.learner_responses(l) {
            let r = log.response(row);
            f(row, &r, &counts);
            for &s in r.skills {
                let c = &mut counts[s as usize];
                if *c == (0, 0) {
                    touched.push(s);
                }
                if r.correct {
                    c.0 += 1;
                } else {
                    c.1 += 1;
                }
            }
        }
    }
}

impl ModelFamily for Pfa {
    fn name(&self) -> &str {
        "pfa"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        let cols = SkillColumns::of(train);
        let m = cols.len;
        let n = train.n_responses();

        let mut scale = RmsScale::new(2 * m);
        for_each_with_counts(train, |_, r, counts| {
            for &s in r.skills {
                if let Some(c) = cols.get(s) {
                    let (succ, fail) = counts[s as usize];
                    scale.add(c, f64::from(succ));
                    scale.add(m + c, f64::from(fail));
                }
            }
        });
        let scale = scale.finish();

        let mut x = Array2::<f64>::zeros((n, 3 * m));
        let mut y = Array1::from_elem(n, false);
        for_each_with_counts(train, |row, r, counts| {
            for &s in r.skills {
                if let Some(c) = cols.get(s) {
                    let (succ, fail) = counts[s as usize];
                    x[[row, c]] += 1.0;
                    x[[row, m + c]] += f64::from(succ) / scale[c];
                    x[[row, 2 * m + c]] += f64::from(fail) / scale[m + c];
                }
            }
            y[row] = r.correct;
        });
        let fit = fit_logistic("pfa", &x, &y, None)?;

        let skills = (0..train.skills().len() as u32)
            .map(|s| match cols.get(s) {
                Some(c) => SkillTerms {
                    easiness: fit.weights[c],
                    success: fit.weights[m + c] / scale[c],
                    failure: fit.weights[2 * m + c] / scale[m + c],
                },
                None => SkillTerms::default(),
            })
            .collect();
        Ok(Box::new(PfaPredictor {
            intercept: fit.intercept,
            skills,
        }))
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
        let mut z = self.model.intercept;
        for &s in r.skills {
            let s = s as usize;
            if let (Some(t), Some(&(succ, fail))) = (self.model.skills.get(s), self.counts.get(s)) {
                z += t.easiness + t.success * f64::from(succ) + t.failure * f64::from(fail);
            }
        }
        sigmoid(z)
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
