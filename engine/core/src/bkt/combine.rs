//! One model from models fitted separately to disjoint sets of skills ([`Model::combine`]): how
//! a fit spread over machines, one skill per task, is assembled.

use super::model::{FitInfo, Model};
use crate::error::{Error, Result};

impl Model {
    /// The model that one [`fit`](crate::fit) of all their skills would give, from `parts`:
    /// models fitted with the same settings (variant, seed, restarts, pseudo-counts) to disjoint
    /// sets of skills. A skill's fit depends only on its own responses, the seed and its id, so
    /// the parameters are those of the single fit, bit for bit; the fit information is
    /// recomputed the way `fit` computes it (the largest iteration count, converged when every
    /// part converged, the skills' log-likelihoods summed in id order).
    ///
    /// Errors: no parts, a skill in two parts, parts fitted with different settings, or the
    /// learner-prior variant (its learner classes are fitted across skills, so its skills cannot
    /// be fitted apart).
    ///
    /// ```
    /// use pathwise::{FitOptions, LogBuilder, Model, RawRow, fit};
    /// let mut both = LogBuilder::new();
    /// let mut one = [LogBuilder::new(), LogBuilder::new()];
    /// for (k, skill) in ["add", "sub"].into_iter().enumerate() {
    ///     for (l, answers) in [("a", [0, 1, 1]), ("b", [0, 0, 1]), ("c", [1, 1, 1])] {
    ///         for (t, c) in answers.iter().enumerate() {
    ///             let row = RawRow { learner: l, skills: &[skill], item: None, correct: *c == 1,
    ///                                order: t as i64, group: None };
    ///             both.push(row);
    ///             one[k].push(row);
    ///         }
    ///     }
    /// }
    /// let options = FitOptions::default();
    /// let go = |_| std::ops::ControlFlow::Continue(());
    /// let whole = fit(&both.build(), &options, go)?;
    /// let [add, sub] = one.map(|b| fit(&b.build(), &options, go));
    /// let combined = Model::combine(vec![sub?, add?])?;
    /// assert_eq!(combined.fingerprint(), whole.fingerprint());
    /// # Ok::<(), pathwise::Error>(())
    /// ```
    pub fn combine(parts: Vec<Model>) -> Result<Model> {
        let first = parts
            .first()
            .ok_or_else(|| Error::config("no models to combine"))?;
        let (variant, settings) = (first.variant(), shared_settings(first.fit_info()));
        if variant.learner_prior {
            return Err(Error::config(
                "models with learner classes cannot be combined: the classes are fitted across \
                 skills, so fit every skill together",
            ));
        }
        if let Some(other) = parts
            .iter()
            .find(|m| m.variant() != variant || shared_settings(m.fit_info()) != settings)
        {
            return Err(Error::config(format!(
                "models fitted with different settings cannot be combined: {:?} {:?} against \
                 {:?} {:?} (variant, (seed, restarts, pseudo-counts))",
                variant,
                settings,
                other.variant(),
                shared_settings(other.fit_info())
            )));
        }
        let (seed, restarts, pseudo_counts) = settings;
        let converged = parts.iter().all(|m| m.fit_info().converged);
        let iterations = parts
            .iter()
            .map(|m| m.fit_info().iterations)
            .max()
            .unwrap_or(0);
        let mut skills: Vec<_> = parts
            .into_iter()
            .flat_map(|m| m.skills().to_vec())
            .collect();
        skills.sort_by(|a, b| a.id().cmp(b.id()));
        let info = FitInfo {
            restarts,
            seed,
            iterations,
            converged,
            log_likelihood: skills.iter().map(|s| s.stats().log_likelihood).sum(),
            input_sha256: None,
            pseudo_counts,
        };
        Model::new(variant, skills, Vec::new(), info)
    }
}

/// The settings of a fit that the parts of a combined model must share besides the variant.
fn shared_settings(info: &FitInfo) -> (u64, u32, f64) {
    (info.seed, info.restarts, info.pseudo_counts)
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::bkt::testdata::{cohort, split_by_learner};
    use crate::{FitOptions, Variant, fit};

    /// The rows of `log`'s skill `skill` alone, as a log.
    fn only(log: &crate::InteractionLog, skill: &str) -> crate::InteractionLog {
        split_by_learner(log, skill, 1).remove(0)
    }

    fn fit_with(log: &crate::InteractionLog, options: &FitOptions) -> Model {
        fit(log, options, |_| ControlFlow::Continue(())).unwrap()
    }

    #[test]
    fn skills_fitted_apart_and_combined_equal_the_fit_of_all() {
        let log = cohort(50, 4, 2..=12, 0, 0.05, 7);
        let options = FitOptions {
            variant: Variant {
                forgets: true,
                ..Variant::default()
            },
            seed: 11,
            ..FitOptions::default()
        };
        let whole = fit_with(&log, &options);
        let parts: Vec<Model> = log
            .skills()
            .names()
            .iter()
            .rev()
            .map(|s| fit_with(&only(&log, s), &options))
            .collect();
        let combined = Model::combine(parts).unwrap();
        assert_eq!(combined.skills(), whole.skills());
        assert_eq!(combined.fingerprint(), whole.fingerprint());
        let (a, b) = (combined.fit_info(), whole.fit_info());
        assert_eq!(
            (a.iterations, a.converged, a.seed),
            (b.iterations, b.converged, b.seed)
        );
        assert!((a.log_likelihood - b.log_likelihood).abs() <= 1e-9 * b.log_likelihood.abs());
    }

    #[test]
    fn combine_rejects_a_skill_twice_other_settings_and_learner_classes() {
        let log = cohort(20, 2, 2..=6, 0, 0.0, 3);
        let options = FitOptions::default();
        let model = fit_with(&log, &options);
        assert!(Model::combine(Vec::new()).is_err());
        let twice = Model::combine(vec![model.clone(), model.clone()]).unwrap_err();
        assert!(twice.to_string().contains("appears twice"), "{twice}");
        let reseeded = fit_with(
            &only(&log, &log.skills().names()[0]),
            &FitOptions {
                seed: 1,
                ..FitOptions::default()
            },
        );
        let settings = Model::combine(vec![model.clone(), reseeded]).unwrap_err();
        assert!(
            settings.to_string().contains("different settings"),
            "{settings}"
        );
        let classes = FitOptions {
            variant: Variant {
                learner_prior: true,
                ..Variant::default()
            },
            max_iter: 5,
            restarts: 1,
            ..FitOptions::default()
        };
        let mixture = fit_with(&log, &classes);
        let err = Model::combine(vec![mixture]).unwrap_err();
        assert!(err.to_string().contains("learner classes"), "{err}");
    }
}
