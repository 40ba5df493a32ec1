//! The parameters of one skill as EM updates them, one value per slot.

use super::em;
use crate::bkt::params::ParamName;

/// The parameters of one skill as EM updates them: one prior per learner class, and guess/slip,
/// learn/forget per slot.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SlotParams {
    pub prior: Vec<f64>,
    pub guess: Vec<f64>,
    pub slip: Vec<f64>,
    pub learn: Vec<f64>,
    pub forget: Vec<f64>,
}

impl SlotParams {
    /// Every parameter vector with its name.
    pub(super) fn fields(&self) -> [(ParamName, &Vec<f64>); 5] {
        [
            (ParamName::Prior, &self.prior),
            (ParamName::Guess, &self.guess),
            (ParamName::Slip, &self.slip),
            (ParamName::Learn, &self.learn),
            (ParamName::Forget, &self.forget),
        ]
    }

    /// Every parameter vector with its name, to change.
    pub(super) fn fields_mut(&mut self) -> [(ParamName, &mut Vec<f64>); 5] {
        [
            (ParamName::Prior, &mut self.prior),
            (ParamName::Guess, &mut self.guess),
            (ParamName::Slip, &mut self.slip),
            (ParamName::Learn, &mut self.learn),
            (ParamName::Forget, &mut self.forget),
        ]
    }

    pub(super) fn tables(&self) -> (Vec<[f64; 4]>, Vec<[f64; 4]>) {
        let emit = self
            .guess
            .iter()
            .zip(&self.slip)
            .map(|(&g, &s)| em::emission_row(g, s))
            .collect();
        let trans = self
            .learn
            .iter()
            .zip(&self.forget)
            .map(|(&l, &f)| em::transition_row(l, f))
            .collect();
        (emit, trans)
    }
}
