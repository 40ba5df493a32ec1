//! The two reference baselines: `majority` and `skill-mean`.

use super::family::{LearnerScorer, ModelFamily, Predictor, Stateless};
use crate::{InteractionLog, Response, Result};

/// Share of correct responses in `log` (0.5 when it is empty).
pub(crate) fn correct_rate(log: &InteractionLog) -> f64 {
    let n = log.n_responses();
    if n == 0 {
        return 0.5;
    }
    let correct = (0..n).filter(|&i| log.response(i).correct).count();
    correct as f64 / n as f64
}

/// `majority`: every response gets the training data's correct rate. Thresholded at 0.5 this
/// predicts the training majority class (so its accuracy is the majority-class accuracy), and as a
/// probability it is the best constant for RMSE and log loss; its AUC is 0.5 by construction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Majority;

struct MajorityPredictor(f64);

impl ModelFamily for Majority {
    fn name(&self) -> &str {
        "majority"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        Ok(Box::new(MajorityPredictor(correct_rate(train))))
    }
}

impl Predictor for MajorityPredictor {
    fn scorer(&self, _learner: u32) -> Box<dyn LearnerScorer + '_> {
        let p = self.0;
        Box::new(Stateless(move |_: &Response<'_>| p))
    }
}

/// `skill-mean`: a response on skill k gets skill k's correct rate in the training data,
/// `(correct_k + g) / (attempts_k + 1)` — one pseudo-attempt at the global rate `g`, so a skill
/// seen once is not predicted as certain — and a skill never seen in training gets `g`. A
/// multi-skill response gets the mean of its skills' rates.
#[derive(Debug, Clone, Copy, Default)]
pub struct SkillMean;

struct SkillMeanPredictor {
    rate: Vec<f64>,
    global: f64,
}

impl ModelFamily for SkillMean {
    fn name(&self) -> &str {
        "skill-mean"
    }

    fn fit(&self, train: &InteractionLog, _seed: u64) -> Result<Box<dyn Predictor>> {
        let global = correct_rate(train);
        let n_skills = train.skills().len();
        let mut attempts = vec![0u64; n_skills];
        let mut correct = vec![0u64; n_skills];
        for i in 0..train.n_responses() {
            let r = train.response(i);
            for &s in r.skills {
                attempts[s as usize] += 1;
                correct[s as usize] += u64::from(r.correct);
            }
        }
        let rate = attempts
            .iter()
            .zip(&correct)
            .map(|(&n, &c)| (c as f64 + global) / (n as f64 + 1.0))
            .collect();
        Ok(Box::new(SkillMeanPredictor { rate, global }))
    }
}

impl SkillMeanPredictor {
    fn p(&self, r: &Response<'_>) -> f64 {
        if r.skills.is_empty() {
            return self.global;
        }
        let sum: f64 = r
            .skills
            .iter()
            .map(|&s| self.rate.get(s as usize).copied().unwrap_or(self.global))
            .sum();
        sum / r.skills.len() as f64
    }
}

impl Predictor for SkillMeanPredictor {
    fn scorer(&self, _learner: u32) -> Box<dyn LearnerScorer + '_> {
        Box::new(Stateless(move |r: &Response<'_>| self.p(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LogBuilder, RawRow};

    fn log(rows: &[(&str, &str, bool)]) -> InteractionLog {
        let mut b = LogBuilder::new();
        for (i, &(learner, skill, correct)) in rows.iter().enumerate() {
            b.push(RawRow {
                learner,
                skills: &[skill],
                item: None,
                correct,
                order: i as i64,
                group: None,
            });
        }
        b.build()
    }

    fn resp(skills: &[u32]) -> Response<'_> {
        Response {
            learner: 0,
            item: None,
            correct: true,
            order: 0,
            group: None,
            skills,
        }
    }

    #[test]
    fn majority_predicts_the_training_rate() {
        let train = log(&[
            ("a", "x", true),
            ("a", "x", true),
            ("b", "y", false),
            ("b", "y", true),
        ]);
        let model = Majority.fit(&train, 0).unwrap();
        let r = train.response(0);
        assert_eq!(model.scorer(0).predict(&r), 0.75);
    }

    #[test]
    fn skill_mean_smooths_towards_the_global_rate_and_covers_unseen_skills() {
        let train = log(&[
            ("a", "x", true),
            ("a", "x", true),
            ("a", "x", false),
            ("b", "y", false),
            ("b", "z", true),
        ]);
        // global 3/5 = 0.6; x: (2 + 0.6) / 4 = 0.65; y: (0 + 0.6) / 2 = 0.3
        let model = SkillMean.fit(&train, 0).unwrap();
        let mut s = model.scorer(0);
        let x = train.skills().id("x").unwrap();
        let y = train.skills().id("y").unwrap();
        let (sx, sxy) = ([x], [x, y]);
        let px = s.predict(&resp(&sx));
        assert!((px - 0.65).abs() < 1e-12);
        let pxy = s.predict(&resp(&sxy));
        assert!((pxy - (0.65 + 0.3) / 2.0).abs() < 1e-12);
        let unseen = s.predict(&resp(&[99]));
        assert!((unseen - 0.6).abs() < 1e-12);
    }
}
