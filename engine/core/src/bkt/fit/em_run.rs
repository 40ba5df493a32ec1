//! EM from one starting point, accelerated with SQUAREM, as a state machine that asks for one
//! E-step at a time.

use std::collections::BTreeMap;

use super::counts::Counts;
use super::m_step::m_step;
use super::options::{FitOptions, converged};
use super::slot_params::SlotParams;
use super::squarem::Squarem;
use crate::bkt::params::ParamName;

/// Where one EM run ended.
#[derive(Debug, Clone, Copy)]
pub(super) struct EmResult {
    /// The log-likelihood of the data at the result.
    pub ll: f64,
    /// What EM maximises: `ll` plus the pseudo-counts' log prior
    /// ([`objective`](super::m_step::objective)).
    pub objective: f64,
    /// EM iterations (evaluated points) of the run.
    pub iterations: u32,
    /// Whether the run met the tolerance before `max_iter`.
    pub converged: bool,
}

/// What an [`EmRun`] waits for, with what it needs then (θ₀ is the run's `sp`).
// One per restart of the skill being fitted: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
enum Stage {
    /// θ₀'s E-step.
    Start,
    /// θ₁ = EM(θ₀)'s E-step; `objective0` is θ₀'s.
    One { p1: SlotParams, objective0: f64 },
    /// The E-step of SQUAREM's extrapolated point `jump`, after θ₁ (`one`: its log-likelihood
    /// and objective) and θ₂ = EM(θ₁).
    Jump {
        p1: SlotParams,
        one: (f64, f64),
        p2: SlotParams,
        jump: SlotParams,
    },
    /// θ₂'s E-step.
    Two { p2: SlotParams },
    /// Nothing: the run has ended.
    Done(EmResult),
}

/// EM for one skill from one starting point, accelerated with [`Squarem`], as a state machine
/// that asks for one E-step at a time ([`EmRun::pending`], [`EmRun::receive`]), so that a skill's
/// restarts can share the walks of their E-steps.
///
/// Each cycle takes two EM steps θ₀ → θ₁ → θ₂ and evaluates the extrapolated point, which becomes
/// the next θ₀ when its objective is at least θ₁'s (else θ₂ does, as plain EM would). The
/// objectives of the points taken never decrease. Convergence is EM's own: one plain EM step
/// (θ₀ → θ₁) changes the objective by at most `tol` relative; the result is then θ₁. Every
/// evaluated point counts as an iteration, against `max_iter`.
pub(super) struct EmRun {
    /// θ₀, and at the end the result.
    pub sp: SlotParams,
    stage: Stage,
    squarem: Squarem,
    iterations: u32,
}

impl EmRun {
    pub(super) fn new(start: SlotParams) -> Self {
        Self {
            sp: start,
            stage: Stage::Start,
            squarem: Squarem::new(),
            iterations: 0,
        }
    }

    /// The point whose E-step the run waits for; `None` once it has ended.
    pub(super) fn pending(&self) -> Option<&SlotParams> {
        match &self.stage {
            Stage::Start => Some(&self.sp),
            Stage::One { p1, .. } => Some(p1),
            Stage::Jump { jump, .. } => Some(jump),
            Stage::Two { p2 } => Some(p2),
            Stage::Done(_) => None,
        }
    }

    /// Where the run ended, once it has.
    pub(super) fn result(&self) -> Option<EmResult> {
        match self.stage {
            Stage::Done(result) => Some(result),
            _ => None,
        }
    }

    /// Takes the E-step (counts and objective) at [`EmRun::pending`] and moves on.
    pub(super) fn receive(
        &mut self,
        (counts, objective): (Counts, f64),
        options: &FitOptions,
        fixed: Option<&BTreeMap<ParamName, f64>>,
    ) {
        let em_step = |p: &SlotParams, counts: &Counts| {
            let mut next = p.clone();
            m_step(counts, &mut next, options, fixed);
            next
        };
        let evaluated = (counts.ll, objective);
        self.stage = match std::mem::replace(&mut self.stage, Stage::Start) {
            Stage::Start => self.at_theta0(&counts, objective, options, em_step),
            Stage::One { p1, objective0 } => {
                self.iterations += 1;
                let done = converged(objective0, objective, options.tol);
                if done || self.iterations == options.max_iter {
                    self.sp = p1;
                    self.end(evaluated, done)
                } else {
                    let p2 = em_step(&p1, &counts);
                    match self
                        .squarem
                        .extrapolate(&self.sp, &p1, &p2, &options.bounds)
                    {
                        Some(jump) => Stage::Jump {
                            p1,
                            one: evaluated,
                            p2,
                            jump,
                        },
                        None => self.without_jump(p1, evaluated, p2, options),
                    }
                }
            }
            Stage::Jump { p1, one, p2, jump } => {
                self.iterations += 1;
                if objective >= one.1 {
                    self.sp = jump;
                    self.at_theta0(&counts, objective, options, em_step)
                } else {
                    self.squarem.rejected();
                    self.without_jump(p1, one, p2, options)
                }
            }
            Stage::Two { p2 } => {
                self.iterations += 1;
                self.sp = p2;
                self.at_theta0(&counts, objective, options, em_step)
            }
            done @ Stage::Done(_) => done,
        };
    }

    /// At θ₀ with its E-step: stop at `max_iter`, else ask for θ₁.
    fn at_theta0(
        &self,
        counts: &Counts,
        objective: f64,
        options: &FitOptions,
        em_step: impl Fn(&SlotParams, &Counts) -> SlotParams,
    ) -> Stage {
        if self.iterations == options.max_iter {
            self.end((counts.ll, objective), false)
        } else {
            Stage::One {
                p1: em_step(&self.sp, counts),
                objective0: objective,
            }
        }
    }

    /// No extrapolated point taken: stop at `max_iter` (the result is θ₁), else ask for θ₂.
    fn without_jump(
        &mut self,
        p1: SlotParams,
        one: (f64, f64),
        p2: SlotParams,
        options: &FitOptions,
    ) -> Stage {
        if self.iterations == options.max_iter {
            self.sp = p1;
            self.end(one, false)
        } else {
            Stage::Two { p2 }
        }
    }

    /// The end at a point with this (log-likelihood, objective).
    fn end(&self, (ll, objective): (f64, f64), converged: bool) -> Stage {
        Stage::Done(EmResult {
            ll,
            objective,
            iterations: self.iterations,
            converged,
        })
    }
}
