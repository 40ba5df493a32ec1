//! Turning predictions into the report: metrics pooled over all tested responses, per fold with
//! mean ± standard deviation over folds, and per skill.

use serde::Serialize;

use super::metrics::Metrics;
use super::run::Predictions;
use crate::InteractionLog;

/// A mean over folds and its sample standard deviation (n − 1 denominator; `None` with fewer
/// than two folds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanStd {
    /// Mean over the folds where the metric is defined.
    pub mean: f64,
    /// Sample standard deviation over those folds.
    pub std: Option<f64>,
}

impl MeanStd {
    /// Mean and sample standard deviation of `values`; `None` when empty.
    pub fn of(values: &[f64]) -> Option<MeanStd> {
        if values.is_empty() {
            return None;
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = (values.len() > 1)
            .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
        Some(MeanStd { mean, std })
    }
}

/// Each metric's mean ± standard deviation over the folds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FoldSpread {
    /// AUC over the folds where it is defined (both outcomes present).
    pub auc: Option<MeanStd>,
    /// RMSE.
    pub rmse: MeanStd,
    /// Accuracy.
    pub accuracy: MeanStd,
    /// Log loss.
    pub log_loss: MeanStd,
}

/// One skill's metrics: every tested response that practises the skill counts, so a multi-skill
/// response counts (once) for each of its skills.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkillMetrics {
    /// Skill id (the name in the log).
    pub skill: String,
    /// Its metrics.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// The evaluation of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReport {
    /// The model family's name.
    pub model: String,
    /// Metrics pooled over all tested responses (each response once).
    pub pooled: Metrics,
    /// Metrics of each fold (in fold order); `None` for a fold that tested nothing.
    pub folds: Vec<Option<Metrics>>,
    /// Mean ± standard deviation over the folds.
    pub spread: FoldSpread,
    /// Per-skill metrics in skill-id order (skills with tested responses only); empty unless asked.
    pub per_skill: Vec<SkillMetrics>,
}

/// Summarises `predictions` of `log` into one report per model; `per_skill` adds the per-skill
/// metrics.
pub fn summarize(
    log: &InteractionLog,
    predictions: &Predictions,
    per_skill: bool,
) -> Vec<ModelReport> {
    let y: Vec<u8> = predictions
        .scored
        .iter()
        .map(|s| u8::from(log.response(s.response as usize).correct))
        .collect();
    let n_folds = predictions.folds.len();
    predictions
        .models
        .iter()
        .map(|(name, p)| {
            let folds: Vec<Option<Metrics>> = (0..n_folds as u32)
                .map(|f| {
                    let (fp, fy): (Vec<f64>, Vec<u8>) = predictions
                        .scored
                        .iter()
                        .zip(p.iter().zip(&y))
                        .filter(|(s, _)| s.fold == f)
                        .map(|(_, (&p, &y))| (p, y))
                        .unzip();
                    Metrics::compute(&fp, &fy)
                })
                .collect();
            let defined: Vec<&Metrics> = folds.iter().flatten().collect();
            let of = |get: &dyn Fn(&Metrics) -> f64| {
                let values: Vec<f64> = defined.iter().map(|m| get(m)).collect();
                MeanStd::of(&values).unwrap_or(MeanStd {
                    mean: f64::NAN,
                    std: None,
                })
            };
            let aucs: Vec<f64> = defined.iter().filter_map(|m| m.auc).collect();
            let spread = FoldSpread {
                auc: MeanStd::of(&aucs),
                rmse: of(&|m| m.rmse),
                accuracy: of(&|m| m.accuracy),
                log_loss: of(&|m| m.log_loss),
            };
            ModelReport {
                model: name.clone(),
                pooled: Metrics::compute(p, &y).unwrap_or(Metrics {
                    n: 0,
                    auc: None,
                    rmse: f64::NAN,
                    accuracy: f64::NAN,
                    log_loss: f64::NAN,
                }),
                folds,
                spread,
                per_skill: if per_skill {
                    skill_metrics(log, predictions, p, &y)
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

fn skill_metrics(
    log: &InteractionLog,
    predictions: &Predictions,
    p: &[f64],
    y: &[u8],
) -> Vec<SkillMetrics> {
    let mut buckets: Vec<(Vec<f64>, Vec<u8>)> = vec![(Vec::new(), Vec::new()); log.skills().len()];
    for (k, s) in predictions.scored.iter().enumerate() {
        for &skill in log.response(s.response as usize).skills {
            let b = &mut buckets[skill as usize];
            b.0.push(p[k]);
            b.1.push(y[k]);
        }
    }
    buckets
        .iter()
        .enumerate()
        .filter_map(|(skill, (bp, by))| {
            Metrics::compute(bp, by).map(|metrics| SkillMetrics {
                skill: log.skills().name(skill as u32).to_owned(),
                metrics,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_std() {
        let m = MeanStd::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m.mean, 2.5);
        assert!((m.std.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(MeanStd::of(&[0.7]).unwrap().std, None);
        assert!(MeanStd::of(&[]).is_none());
    }
}
