//! What AFM and PFA share: per-skill design matrices built from each learner's running counts,
//! feature scaling, and the L2-regularised logistic regression fitted with `linfa-logistic`
//! (L-BFGS).
//!
//! Both models are fitted **per skill**: skill k's regression sees every training observation of
//! k (a multi-skill response is an observation of each of its skills, as in per-skill BKT). For
//! single-skill responses this is exactly the joint model (the skill's intercept absorbs the
//! global one); it keeps each design matrix a few columns wide, where a joint dense matrix would
//! be responses × 3·skills (linfa-logistic takes dense matrices only) and take minutes per fold.

use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};

use crate::{Error, InteractionLog, Response, Result};

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

/// The log-odds of `p`, with `p` kept inside (1e-6, 1 − 1e-6).
pub(crate) fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Calls `f(response, counts)` for every response of `log`, learner by learner in time order,
/// with `counts[skill]` = the learner's earlier (correct, incorrect) responses on that skill.
pub(crate) fn for_each_with_counts(
    log: &InteractionLog,
    mut f: impl FnMut(&Response<'_>, &[(u32, u32)]),
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
            f(&r, &counts);
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

/// One skill's training observations: a row-major feature matrix of `width` columns and the
/// outcomes.
#[derive(Debug, Clone, Default)]
pub(crate) struct SkillRows {
    pub(crate) x: Vec<f64>,
    pub(crate) y: Vec<bool>,
}

/// What a per-skill fit gives: the intercept and one weight per column, in raw feature units;
/// `constant` when the skill's training outcomes hold one class only (then the weights are 0 and
/// the intercept is the logit of the smoothed rate `(correct + g) / (n + 1)`).
pub(crate) struct SkillFit {
    pub(crate) intercept: f64,
    pub(crate) weights: Vec<f64>,
    pub(crate) constant: bool,
}

/// Fits skill rows of `width` columns: each column is divided by its RMS (at least 1) for the
/// fit and the weights mapped back. `init` = (weights in raw units, intercept) warm-starts it.
/// `global` is the training correct rate, for skills with one outcome only.
pub(crate) fn fit_skill(
    model: &str,
    rows: &SkillRows,
    width: usize,
    global: f64,
    init: Option<(&[f64], f64)>,
) -> Result<SkillFit> {
    let n = rows.y.len();
    let correct = rows.y.iter().filter(|&&c| c).count();
    if correct == 0 || correct == n {
        return Ok(SkillFit {
            intercept: logit((correct as f64 + global) / (n as f64 + 1.0)),
            weights: vec![0.0; width],
            constant: true,
        });
    }
    let mut scale = vec![0.0; width];
    for row in rows.x.chunks_exact(width) {
        for (s, v) in scale.iter_mut().zip(row) {
            *s += v * v;
        }
    }
    for s in &mut scale {
        *s = (*s / n as f64).sqrt().max(1.0);
    }
    let mut x = Array2::from_shape_vec((n, width), rows.x.clone())
        .map_err(|e| Error::config(format!("{model}: {e}")))?;
    for mut row in x.rows_mut() {
        for (v, s) in row.iter_mut().zip(&scale) {
            *v /= s;
        }
    }
    let y = Array1::from(rows.y.clone());
    let start: Option<Array1<f64>> =
        init.map(|(w, _)| w.iter().zip(&scale).map(|(w, s)| w * s).collect());
    let fit = fit_logistic(model, &x, &y, start.as_ref().zip(init.map(|(_, b)| b)))?;
    Ok(SkillFit {
        intercept: fit.intercept,
        weights: fit.weights.iter().zip(&scale).map(|(w, s)| w / s).collect(),
        constant: false,
    })
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
