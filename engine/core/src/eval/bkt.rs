//! The BKT families: `bkt`, `bkt-forgets`, `bkt-item` (KT-IDEM), `bkt-item-learn` and
//! `bkt-learner-prior`, wrapping the BKT engine (`docs/bkt.md`), each also as maximum-likelihood
//! EM without pseudo-counts (`bkt-ml`, `bkt-forgets-ml`, …).
//!
//! Each is fitted with [`fit`]'s defaults (5 restarts, the fold's seed, default bounds and
//! pseudo-counts) on the training part; a test learner is then replayed through the online filter ([`LearnerState`]):
//! P(correct) before each response, the state updated after it, so only the learner's earlier
//! responses inform a prediction (with `bkt-learner-prior` that includes the learner-class
//! posterior). A multi-skill response gets the **mean** of its skills' P(correct) — each skill's
//! guess and slip were fitted on these same responses as evidence of that skill alone, so each is
//! already a calibrated estimate of the response; pyBKT-style products would under-predict (0.7 and
//! 0.7 → 0.49) — and then updates every one of its skills. Skills and items the model has not
//! seen use the engine's documented fallbacks (population-average parameters; the skill's own
//! guess/slip).

use std::ops::ControlFlow;

use super::family::{LearnerScorer, ModelFamily, Predictor};
use crate::bkt::{FitOptions, LearnerState, Model, PseudoCounts, Variant, fit};
use crate::{InteractionLog, Response, Result};

/// A BKT variant as a model family.
#[derive(Debug, Clone)]
pub struct Bkt {
    name: String,
    variant: Variant,
    pseudo_counts: PseudoCounts,
}

/// The suffix of a BKT family name fitted by maximum likelihood (no pseudo-counts).
const ML_SUFFIX: &str = "-ml";

impl Bkt {
    /// The family called `name`, if it is one of the BKT names (optionally ending in `-ml`).
    pub fn named(full_name: &str) -> Option<Bkt> {
        let (name, pseudo_counts) = match full_name.strip_suffix(ML_SUFFIX) {
            Some(base) => (base, PseudoCounts::none()),
            None => (full_name, PseudoCounts::default()),
        };
        let plain = Variant::default();
        let variant = match name {
            "bkt" => plain,
            "bkt-forgets" => Variant {
                forgets: true,
                ..plain
            },
            "bkt-item" => Variant {
                item_guess_slip: true,
                ..plain
            },
            "bkt-item-learn" => Variant {
                item_learn: true,
                ..plain
            },
            "bkt-learner-prior" => Variant {
                learner_prior: true,
                ..plain
            },
            _ => return None,
        };
        Some(Bkt {
            name: full_name.to_owned(),
            variant,
            pseudo_counts,
        })
    }
}

struct BktPredictor {
    model: Model,
    /// The model's dense skill index of each skill id of the evaluated log.
    skill: Vec<Option<usize>>,
    /// Whether the model has per-item parameters worth looking up.
    items: bool,
    /// Names of the log's skills and items, for the fallbacks.
    skill_names: Vec<String>,
    item_names: Vec<String>,
}

struct BktScorer<'a> {
    p: &'a BktPredictor,
    state: LearnerState,
}

impl ModelFamily for Bkt {
    fn name(&self) -> &str {
        &self.name
    }

    fn fit(&self, train: &InteractionLog, seed: u64) -> Result<Box<dyn Predictor>> {
        let options = FitOptions {
            variant: self.variant,
            pseudo_counts: self.pseudo_counts,
            seed,
            ..FitOptions::default()
        };
        let model = fit(train, &options, |_| ControlFlow::Continue(()))?;
        let skill_names = train.skills().names().to_vec();
        let skill = skill_names.iter().map(|s| model.skill_index(s)).collect();
        Ok(Box::new(BktPredictor {
            skill,
            items: self.variant.item_guess_slip || self.variant.item_learn,
            skill_names,
            item_names: train.items().names().to_vec(),
            model,
        }))
    }
}

impl BktPredictor {
    fn item(&self, k: usize, r: &Response<'_>) -> Option<usize> {
        if !self.items {
            return None;
        }
        let name = self.item_names.get(r.item? as usize)?;
        self.model.skills().get(k)?.item_index(name)
    }

    fn item_name(&self, r: &Response<'_>) -> Option<&str> {
        r.item
            .and_then(|i| self.item_names.get(i as usize))
            .map(String::as_str)
    }
}

impl Predictor for BktPredictor {
    fn scorer(&self, _learner: u32) -> Box<dyn LearnerScorer + '_> {
        Box::new(BktScorer {
            p: self,
            state: LearnerState::new(&self.model),
        })
    }
}

impl LearnerScorer for BktScorer<'_> {
    fn predict(&mut self, r: &Response<'_>) -> f64 {
        let p = self.p;
        let mut sum = 0.0;
        for &s in r.skills {
            sum += match p.skill.get(s as usize).copied().flatten() {
                Some(k) => self.state.p_correct_dense(&p.model, k, p.item(k, r)),
                None => {
                    let name = p.skill_names.get(s as usize).map_or("", String::as_str);
                    // The state was made for this model: the check cannot fail.
                    self.state
                        .p_correct(&p.model, name, p.item_name(r))
                        .unwrap_or(0.5)
                }
            };
        }
        if r.skills.is_empty() {
            return 0.5;
        }
        sum / r.skills.len() as f64
    }

    fn observe(&mut self, r: &Response<'_>) {
        let p = self.p;
        for &s in r.skills {
            match p.skill.get(s as usize).copied().flatten() {
                Some(k) => {
                    let item = p.item(k, r);
                    self.state.observe_dense(&p.model, k, item, r.correct);
                }
                None => {
                    let name = p.skill_names.get(s as usize).map_or("", String::as_str);
                    // The state was made for this model: the check cannot fail.
                    let _ = self
                        .state
                        .observe(&p.model, name, p.item_name(r), r.correct);
                }
            }
        }
    }
}
