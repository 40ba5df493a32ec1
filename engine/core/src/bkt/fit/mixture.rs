//! The learner-prior variant: a mixture of [`LEARNER_CLASSES`] learner classes shared across
//! skills. Class `c` has weight `w_c` and its own prior `P(L₀ | c)` on every skill; learn,
//! forget, guess and slip are shared by the classes. A learner's class is one latent variable
//! for all their skills, so what they showed on earlier skills informs the prior of the next.
//!
//! EM treats (class, hidden knowledge path) as the latent variables: the E-step computes each
//! learner's class posterior `r_lc ∝ w_c Π_skills P(sequence | c)` and, per class, the usual
//! forward–backward counts weighted by `r_lc`; the M-step sets `w_c = mean_l r_lc`,
//! `prior_c = Σ_l r_lc γ₀⁽ᶜ⁾ / Σ_l r_lc` and the shared parameters from the pooled counts.
//!
//! At prediction time ([`crate::LearnerState`]) the class posterior starts at `w` and is updated
//! after each response with that response's likelihood under each class, so a prediction only
//! ever uses the learner's *earlier* responses.

use std::ops::ControlFlow;

use rayon::prelude::*;

use super::e_step::{e_step, sequence_log_likelihoods};
use super::m_step::m_step;
use super::options::{FitOptions, converged};
use super::progress::{Progress, Tracker};
use super::skill_data::{SkillData, skill_model};
use super::slot_params::SlotParams;
use super::start::start_params;
use crate::bkt::model::{FitInfo, Model, SkillModel};
use crate::bkt::params::{LEARNER_CLASSES, PROB_FLOOR};
use crate::error::{Error, Result};
use crate::log::InteractionLog;

struct Restart {
    sps: Vec<SlotParams>,
    weights: Vec<f64>,
    ll: f64,
    /// `ll` plus the pseudo-counts' log prior: what EM maximises.
    objective: f64,
    iterations: u32,
    converged: bool,
}

pub(super) fn fit_mixture<F>(
    log: &InteractionLog,
    options: &FitOptions,
    progress: &F,
) -> Result<Model>
where
    F: Fn(Progress) -> ControlFlow<()> + Sync,
{
    fit_mixture_with(log, options, progress, &|_| {})
}

/// [`fit_mixture`] reporting EM's objective at every iteration to `trace` (tests): the
/// log-likelihood, plus the pseudo-counts' log prior when there are any.
#[cfg(test)]
pub(super) fn fit_mixture_traced(
    log: &InteractionLog,
    options: &FitOptions,
    trace: &dyn Fn(f64),
) -> Result<Model> {
    fit_mixture_with(log, options, &|_| ControlFlow::Continue(()), trace)
}

fn fit_mixture_with<F>(
    log: &InteractionLog,
    options: &FitOptions,
    progress: &F,
    trace: &dyn Fn(f64),
) -> Result<Model>
where
    F: Fn(Progress) -> ControlFlow<()> + Sync,
{
    const C: usize = LEARNER_CLASSES;
    let skills: Vec<u32> = (0..log.skills().len() as u32)
        .filter(|&s| log.skill_observations(s) > 0)
        .collect();
    let datas: Vec<SkillData<'_>> = skills
        .par_iter()
        .map(|&s| SkillData::new(log, s, options.variant))
        .collect();
    let n_learners = log.learners().len();
    let mut has_data = vec![false; n_learners];
    for d in &datas {
        for s in &d.seqs {
            has_data[s.learner as usize] = true;
        }
    }
    let active = has_data.iter().filter(|&&h| h).count().max(1) as f64;
    let tracker = Tracker::new(skills.len(), progress);
    let fixed: Vec<_> = datas
        .iter()
        .map(|d| options.fixed.for_skill(log.skills().name(d.skill)))
        .collect();

    let pc = &options.pseudo_counts;
    let mut best: Option<Restart> = None;
    for restart in 0..options.restarts {
        let mut sps: Vec<SlotParams> = datas
            .iter()
            .map(|d| start_params(d, log, options, restart, C))
            .collect();
        let mut weights = match (&options.warm_start, restart) {
            (Some(m), 0) if m.class_weights().len() == C => m.class_weights().to_vec(),
            _ => vec![1.0 / C as f64; C],
        };
        let mut prev: Option<f64> = None;
        let mut iterations = 0u32;
        let mut done = false;
        let (ll, objective) = loop {
            let (ll, resp) = responsibilities(&datas, &sps, &weights, &has_data);
            // Each skill's expected counts under the class posteriors, and EM's objective: the
            // mixture log-likelihood plus the pseudo-counts' log prior of every skill.
            let counts: Vec<_> = datas
                .par_iter()
                .zip(&sps)
                .map(|(d, sp)| {
                    let w: Vec<f64> = d
                        .seqs
                        .iter()
                        .flat_map(|s| {
                            let l = s.learner as usize * C;
                            resp[l..l + C].iter().copied()
                        })
                        .collect();
                    e_step(d, sp, Some(&w))
                })
                .collect();
            let objective = ll
                + counts
                    .iter()
                    .zip(&sps)
                    .map(|(c, sp)| pc.log_density(sp, c, options.variant.forgets))
                    .sum::<f64>();
            trace(objective);
            tracker.iteration_done()?;
            if prev.is_some_and(|p| converged(p, objective, options.tol)) {
                done = true;
                break (ll, objective);
            }
            if iterations == options.max_iter {
                break (ll, objective);
            }
            sps = sps
                .into_par_iter()
                .zip(&counts)
                .zip(&fixed)
                .map(|((mut sp, counts), fixed)| {
                    m_step(counts, &mut sp, options, *fixed);
                    sp
                })
                .collect();
            for (c, w) in weights.iter_mut().enumerate() {
                let total: f64 = (0..n_learners).map(|l| resp[l * C + c]).sum();
                *w = (total / active).clamp(PROB_FLOOR, 1.0 - PROB_FLOOR);
            }
            let sum: f64 = weights.iter().sum();
            weights.iter_mut().for_each(|w| *w /= sum);
            iterations += 1;
            prev = Some(objective);
        };
        if best.as_ref().is_none_or(|b| objective > b.objective) {
            best = Some(Restart {
                sps,
                weights,
                ll,
                objective,
                iterations,
                converged: done,
            });
        }
    }
    let Restart {
        mut sps,
        mut weights,
        ll,
        iterations,
        converged: done,
        ..
    } = best.ok_or_else(|| Error::config("no restarts"))?;
    // Name classes by ability: class 0 has the lower mean prior.
    let mean_prior = |c: usize| sps.iter().map(|sp| sp.prior[c]).sum::<f64>();
    if C == 2 && mean_prior(0) > mean_prior(1) {
        weights.swap(0, 1);
        for sp in &mut sps {
            sp.prior.swap(0, 1);
        }
    }
    let fitted: Vec<SkillModel> = datas
        .par_iter()
        .zip(&sps)
        .map(|(d, sp)| {
            let pooled = SlotParams {
                prior: vec![sp.prior.iter().zip(&weights).map(|(p, w)| p * w).sum()],
                ..sp.clone()
            };
            let skill_ll: f64 = sequence_log_likelihoods(d, &pooled).iter().sum();
            skill_model(d, log, sp, &weights, d.stats(skill_ll, iterations, done))
        })
        .collect();
    tracker.skills_done(fitted.len())?;
    let info = FitInfo {
        restarts: options.restarts,
        seed: options.seed,
        iterations,
        converged: done,
        log_likelihood: ll,
        input_sha256: None,
        pseudo_counts: pc.weight,
    };
    Model::new(options.variant, fitted, weights, info)
}

/// The mixture log-likelihood and each learner's class posterior `resp[l * C + c]`
/// (learners without data keep the class weights).
fn responsibilities(
    datas: &[SkillData<'_>],
    sps: &[SlotParams],
    weights: &[f64],
    has_data: &[bool],
) -> (f64, Vec<f64>) {
    const C: usize = LEARNER_CLASSES;
    let lls: Vec<Vec<f64>> = datas
        .par_iter()
        .zip(sps)
        .map(|(d, sp)| sequence_log_likelihoods(d, sp))
        .collect();
    let mut per_learner = vec![0.0; has_data.len() * C];
    for (d, ll) in datas.iter().zip(&lls) {
        for (q, s) in d.seqs.iter().enumerate() {
            let l = s.learner as usize * C;
            for c in 0..C {
                per_learner[l + c] += ll[q * C + c];
            }
        }
    }
    let log_w: Vec<f64> = weights.iter().map(|w| w.ln()).collect();
    let mut total = 0.0;
    let mut resp = vec![0.0; has_data.len() * C];
    for (l, &active) in has_data.iter().enumerate() {
        let r = &mut resp[l * C..(l + 1) * C];
        if !active {
            r.copy_from_slice(weights);
            continue;
        }
        let joint: Vec<f64> = (0..C).map(|c| log_w[c] + per_learner[l * C + c]).collect();
        let m = joint.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = joint.iter().map(|j| (j - m).exp()).sum();
        total += m + s.ln();
        for c in 0..C {
            r[c] = (joint[c] - m).exp() / s;
        }
    }
    (total, resp)
}
