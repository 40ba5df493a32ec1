//! The model-family abstraction the evaluation runs: a family is fitted on training responses and
//! yields a [`Predictor`]; the predictor scores one test learner at a time through a
//! [`LearnerScorer`] that sees the learner's responses **one by one, in time order**: `predict`
//! before a response is revealed, `observe` after. A scorer therefore cannot use a learner's later
//! responses — the no-leak rule holds by construction, not by care in each model.

use crate::{InteractionLog, Response, Result};

/// A kind of model that can be fitted on training data and then predict unseen responses.
pub trait ModelFamily: Send + Sync {
    /// Short name used on the command line and in reports (`majority`, `pfa`, …).
    fn name(&self) -> &str;

    /// Fits the model on `train`. Dense ids in `train` (learners, skills, items) are the ids of the
    /// log being evaluated (it was made with [`InteractionLog::filter_responses`]), so a skill or
    /// learner that has no response in `train` still has its id there. `seed` drives any
    /// randomness (e.g. EM restarts) and differs per fold.
    fn fit(&self, train: &InteractionLog, seed: u64) -> Result<Box<dyn Predictor>>;
}

/// A fitted model that scores learners online.
pub trait Predictor: Send + Sync {
    /// A fresh scorer for `learner` (a dense id of the evaluated log), starting from what the
    /// model knows before seeing any of this learner's responses in the test data.
    fn scorer(&self, learner: u32) -> Box<dyn LearnerScorer + '_>;
}

/// One learner's online state: predicts the next response, then learns from it.
pub trait LearnerScorer {
    /// P(correct) of `response`, given only the responses observed so far.
    fn predict(&mut self, response: &Response<'_>) -> f64;

    /// Reveals `response` (after it was predicted, or as history that is not scored).
    fn observe(&mut self, response: &Response<'_>);
}

/// A scorer whose prediction ignores the learner's history.
pub(crate) struct Stateless<F>(pub(crate) F);

impl<F: Fn(&Response<'_>) -> f64> LearnerScorer for Stateless<F> {
    fn predict(&mut self, response: &Response<'_>) -> f64 {
        (self.0)(response)
    }

    fn observe(&mut self, _response: &Response<'_>) {}
}
