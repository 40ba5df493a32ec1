//! Prediction metrics: AUC, RMSE, accuracy and log loss of predicted P(correct) against outcomes.
//!
//! All four take predictions `p` in [0, 1] and outcomes `y` in {0, 1} of equal length; the order of
//! the pairs does not matter (ties in `p` included), so results are reproducible whatever order the
//! folds were scored in.

use serde::Serialize;

/// Probabilities are clipped to `[LOG_LOSS_EPS, 1 - LOG_LOSS_EPS]` before taking logarithms.
pub const LOG_LOSS_EPS: f64 = 1e-15;

/// The four metrics of one set of predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Number of scored responses.
    pub n: usize,
    /// Area under the ROC curve; `None` when the outcomes hold one class only (AUC is undefined).
    pub auc: Option<f64>,
    /// Root mean squared error of P(correct) against the 0/1 outcome.
    pub rmse: f64,
    /// Share of responses where `p >= 0.5` agrees with the outcome.
    pub accuracy: f64,
    /// Mean negative log-likelihood (natural log), `p` clipped to `[1e-15, 1 - 1e-15]`.
    pub log_loss: f64,
}

impl Metrics {
    /// All four metrics of `p` against `y`; `None` when there is nothing to score.
    ///
    /// ```
    /// use pathwise::eval::Metrics;
    /// let m = Metrics::compute(&[0.9, 0.2, 0.6], &[1, 0, 0]).unwrap();
    /// assert_eq!(m.n, 3);
    /// assert_eq!(m.auc, Some(1.0));
    /// assert!((m.accuracy - 2.0 / 3.0).abs() < 1e-12);
    /// ```
    pub fn compute(p: &[f64], y: &[u8]) -> Option<Metrics> {
        if p.is_empty() || p.len() != y.len() {
            return None;
        }
        Some(Metrics {
            n: p.len(),
            auc: auc(p, y),
            rmse: rmse(p, y),
            accuracy: accuracy(p, y),
            log_loss: log_loss(p, y),
        })
    }
}

/// Area under the ROC curve, exact, by the Mann–Whitney U statistic with midranks: a pair of a
/// correct and an incorrect response counts 1 when the correct one has the higher prediction and
/// 1/2 when the two predictions tie. O(n log n).
///
/// Returns `None` when `y` holds only one class (or is empty): AUC is undefined then, and a number
/// such as 0.5 would be an invented value.
pub fn auc(p: &[f64], y: &[u8]) -> Option<f64> {
    let n = p.len().min(y.len());
    let positives = y[..n].iter().filter(|&&v| v != 0).count();
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_unstable_by(|&a, &b| p[a].total_cmp(&p[b]));
    // Sum of the (1-based, mid-) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && p[idx[end]].total_cmp(&p[idx[start]]).is_eq() {
            end += 1;
        }
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        let pos_in_tie = idx[start..end].iter().filter(|&&i| y[i] != 0).count();
        rank_sum += mid_rank * pos_in_tie as f64;
        start = end;
    }
    let pos = positives as f64;
    let u = rank_sum - pos * (pos + 1.0) / 2.0;
    Some(u / (pos * negatives as f64))
}

/// Root mean squared error; 0 for empty input.
pub fn rmse(p: &[f64], y: &[u8]) -> f64 {
    let n = p.len().min(y.len());
    if n == 0 {
        return 0.0;
    }
    let sse: f64 = p
        .iter()
        .zip(y)
        .map(|(&p, &y)| (f64::from(y) - p).powi(2))
        .sum();
    (sse / n as f64).sqrt()
}

/// Share of responses where the prediction `p >= 0.5` ("correct") agrees with the outcome; 0 for
/// empty input.
pub fn accuracy(p: &[f64], y: &[u8]) -> f64 {
    let n = p.len().min(y.len());
    if n == 0 {
        return 0.0;
    }
    let hits = p
        .iter()
        .zip(y)
        .filter(|&(&p, &y)| (p >= 0.5) == (y != 0))
        .count();
    hits as f64 / n as f64
}

/// Mean negative log-likelihood in nats, with `p` clipped to `[1e-15, 1 - 1e-15]` so a confident
/// mistake costs at most about 34.5; 0 for empty input.
pub fn log_loss(p: &[f64], y: &[u8]) -> f64 {
    let n = p.len().min(y.len());
    if n == 0 {
        return 0.0;
    }
    let total: f64 = p
        .iter()
        .zip(y)
        .map(|(&p, &y)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if y != 0 { -p.ln() } else { -(1.0 - p).ln() }
        })
        .sum();
    total / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn auc_of_a_perfect_and_a_reversed_ranking() {
        assert_eq!(auc(&[0.1, 0.4, 0.8], &[0, 1, 1]), Some(1.0));
        assert_eq!(auc(&[0.9, 0.4, 0.2], &[0, 1, 1]), Some(0.0));
    }

    #[test]
    fn auc_counts_ties_as_half() {
        // Positives 0.5, 0.8; negatives 0.5, 0.2. Pairs (pos, neg):
        // (0.5,0.5)=1/2 (0.5,0.2)=1 (0.8,0.5)=1 (0.8,0.2)=1 → 3.5/4.
        assert_eq!(auc(&[0.5, 0.8, 0.5, 0.2], &[1, 1, 0, 0]), Some(0.875));
        // All predictions equal: every pair ties → 0.5.
        assert_eq!(auc(&[0.3; 5], &[1, 0, 1, 0, 0]), Some(0.5));
    }

    #[test]
    fn auc_by_hand_on_a_mixed_example() {
        // p: 0.1(0) 0.35(1) 0.4(0) 0.8(1) 0.8(0) 0.9(1)
        // pos 0.35 beats {0.1} = 1; 0.8 beats {0.1, 0.4} + tie 0.8 = 2.5; 0.9 beats all 3 = 3.
        // U = 6.5 of 9.
        let p = [0.8, 0.1, 0.9, 0.35, 0.4, 0.8];
        let y = [1, 0, 1, 1, 0, 0];
        assert!(close(auc(&p, &y).unwrap(), 6.5 / 9.0));
    }

    #[test]
    fn auc_is_undefined_for_one_class() {
        assert_eq!(auc(&[0.2, 0.9], &[1, 1]), None);
        assert_eq!(auc(&[0.2, 0.9], &[0, 0]), None);
        assert_eq!(auc(&[], &[]), None);
    }

    #[test]
    fn rmse_accuracy_and_log_loss_by_hand() {
        let p = [0.9, 0.2, 0.6, 0.5];
        let y = [1, 0, 0, 1];
        // squared errors 0.01 0.04 0.36 0.25 → mean 0.165
        assert!(close(rmse(&p, &y), 0.165f64.sqrt()));
        // p>=0.5 → 1,0,1,1 against 1,0,0,1 → 3 of 4
        assert!(close(accuracy(&p, &y), 0.75));
        let expected = -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln() + 0.5f64.ln()) / 4.0;
        assert!(close(log_loss(&p, &y), expected));
    }

    #[test]
    fn log_loss_clips_certain_mistakes() {
        let worst = -(1e-15f64).ln();
        assert!(close(log_loss(&[0.0], &[1]), worst));
        // 1 − (1 − 1e-15) is not exactly 1e-15 in floating point.
        assert!(close(
            log_loss(&[1.0], &[0]),
            -(1.0 - (1.0 - 1e-15f64)).ln()
        ));
        assert!(close(
            log_loss(&[1.0, 0.0], &[1, 0]),
            -(1.0f64 - 1e-15).ln()
        ));
    }

    #[test]
    fn compute_needs_matching_nonempty_input() {
        assert!(Metrics::compute(&[], &[]).is_none());
        assert!(Metrics::compute(&[0.5], &[1, 0]).is_none());
        let m = Metrics::compute(&[0.7, 0.7], &[1, 1]).unwrap();
        assert_eq!(m.auc, None);
        assert!(close(m.accuracy, 1.0));
        assert!(close(m.rmse, 0.3));
    }
}
