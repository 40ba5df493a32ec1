//! What AFM and PFA share: the dense design matrix columns per skill, feature scaling, and the
//! L2-regularised logistic regression fitted with `linfa-logistic` (L-BFGS).

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};

use crate::{Error, InteractionLog, Result};

/// Strength of the L2 penalty `α/2 · ‖w‖²` on the summed log-likelihood (the intercept is not
/// penalised). Small against the thousands of responses per fold; it keeps the weights of skills
/// seen only a few times finite.
pub(crate) const L2_ALPHA: f64 = 1.0;

/// L-BFGS iterations at most per fit.
pub(crate) const MAX_ITERATIONS: u64 = 100;

/// The logistic function.
pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Dense column numbers for the skills that occur in the training data (others get no column and
/// weight 0).
pub(crate) struct SkillColumns {
    /// Column of each skill id, `u32::MAX` for skills absent from training.
    pub(crate) of_skill: Vec<u32>,
    /// Number of skills with a column.
    pub(crate) len: usize,
}

impl SkillColumns {
    pub(crate) fn of(train: &InteractionLog) -> SkillColumns {
        let mut of_skill = vec![u32::MAX; train.skills().len()];
        let mut len = 0;
        for (s, col) in of_skill.iter_mut().enumerate() {
            if train.skill_observations(s as u32) > 0 {
                *col = len as u32;
                len += 1;
            }
        }
        SkillColumns { of_skill, len }
    }

    pub(crate) fn get(&self, skill: u32) -> Option<usize> {
        match self.of_skill.get(skill as usize) {
            Some(&c) if c != u32::MAX => Some(c as usize),
            _ => None,
        }
    }
}

/// Accumulates the root mean square of a count feature per column, to scale the count columns to
/// about 1 before L-BFGS (a column of counts in the hundreds next to 0/1 indicators makes the
/// problem badly conditioned). Weights are mapped back to raw counts after the fit.
pub(crate) struct RmsScale {
    sum_sq: Vec<f64>,
    n: Vec<u64>,
}

impl RmsScale {
    pub(crate) fn new(columns: usize) -> Self {
        Self {
            sum_sq: vec![0.0; columns],
            n: vec![0; columns],
        }
    }

    pub(crate) fn add(&mut self, column: usize, value: f64) {
        self.sum_sq[column] += value * value;
        self.n[column] += 1;
    }

    /// The divisor of each column: its RMS, or 1 when that is below 1.
    pub(crate) fn finish(self) -> Vec<f64> {
        self.sum_sq
            .iter()
            .zip(&self.n)
            .map(|(&s, &n)| {
                if n == 0 {
                    1.0
                } else {
                    (s / n as f64).sqrt().max(1.0)
                }
            })
            .collect()
    }
}

/// A fitted logistic regression, oriented so that `sigmoid(intercept + w·x)` is P(correct).
pub(crate) struct LogisticFit {
    pub(crate) intercept: f64,
    pub(crate) weights: Array1<f64>,
}

/// Fits `P(correct) = sigmoid(b + w·x)` by L2-regularised maximum likelihood with linfa-logistic.
/// `init` (weights then intercept, already oriented towards "correct") warm-starts L-BFGS.
pub(crate) fn fit_logistic(
    model: &str,
    x: &Array2<f64>,
    y: &Array1<bool>,
    init: Option<(&Array1<f64>, f64)>,
) -> Result<LogisticFit> {
    let correct = y.iter().filter(|&&v| v).count();
    if correct == 0 || correct == y.len() {
        return Err(Error::config(format!(
            "{model}: the training data has only {} responses, a logistic model needs both outcomes",
            if correct == 0 { "incorrect" } else { "correct" }
        )));
    }
    // linfa labels the more frequent class as the positive one: flip the orientation when most
    // training responses are incorrect.
    let correct_is_positive = correct * 2 >= y.len();
    let sign = if correct_is_positive { 1.0 } else { -1.0 };
    let tolerance = 1e-6 * y.len() as f64;
    let mut params = LogisticRegression::default()
        .alpha(L2_ALPHA)
        .max_iterations(MAX_ITERATIONS)
        .gradient_tolerance(tolerance);
    if let Some((w, b)) = init {
        let mut start = Array1::zeros(w.len() + 1);
        for (s, &v) in start.iter_mut().zip(w) {
            *s = sign * v;
        }
        start[w.len()] = sign * b;
        params = params.initial_params(start);
    }
    let dataset = DatasetBase::new(x.view(), y.view());
    let fitted = params
        .fit(&dataset)
        .map_err(|e| Error::config(format!("{model}: logistic regression failed: {e}")))?;
    let flip = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(LogisticFit {
        intercept: flip * fitted.intercept(),
        weights: fitted.params().mapv(|w| flip * w),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigmoid_is_stable_at_the_extremes() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!((sigmoid(2.0) + sigmoid(-2.0) - 1.0).abs() < 1e-15);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) <= 1.0);
    }

    #[test]
    fn logistic_fit_recovers_direction_whichever_class_is_larger() {
        // y = correct when x = 1 mostly; the incorrect class is the larger one overall.
        let mut rows = Vec::new();
        let mut ys = Vec::new();
        for i in 0..200 {
            let x = f64::from(i % 4 == 0);
            rows.push(x);
            ys.push(if x == 1.0 { i % 8 != 4 } else { i % 10 == 1 });
        }
        let x = Array2::from_shape_vec((200, 1), rows).unwrap();
        let y = Array1::from(ys);
        let fit = fit_logistic("t", &x, &y, None).unwrap();
        assert!(fit.weights[0] > 1.0, "{}", fit.weights[0]);
        assert!(fit.intercept < -1.0, "{}", fit.intercept);
        // P(correct | x = 0) = 20/150 ≈ 0.133 by maximum likelihood; the L2 penalty on the weight
        // (not on the intercept) pulls the intercept up a little (≈ 0.144 here).
        assert!(
            (sigmoid(fit.intercept) - 20.0 / 150.0).abs() < 0.02,
            "{} {}",
            fit.intercept,
            fit.weights[0]
        );
    }

    #[test]
    fn one_outcome_only_is_a_clear_error() {
        let x = Array2::zeros((3, 1));
        let y = Array1::from(vec![true; 3]);
        let e = fit_logistic("pfa", &x, &y, None).err().unwrap();
        assert!(
            e.to_string()
                .starts_with("pfa: the training data has only correct")
        );
    }
}
