//! EM of one skill whose learners are spread over partitions (machines, Spark executors), for a
//! skill too large for one of them.
//!
//! EM's expected counts are sums over learners, so the whole skill's counts are the sum of each
//! partition's. Each iteration, every partition computes the E-step of its own learners at the
//! points EM waits for ([`PartitionCounts::of`]); the driver adds the partitions' counts
//! ([`PartitionCounts::add`]) and takes the M-step and SQUAREM's steps
//! ([`PartitionedFit::receive`]) exactly as one machine's fit of the skill does, from the same
//! starting points. The result equals that fit up to the order of the floating-point additions
//! (the tests hold the parameters within 1e-9 of it; they are not equal bit for bit). A learner's
//! responses must all be in one partition (partition by learner).
//!
//! Variants: one parameter set per skill, with or without forgetting. Per-item parameters would
//! need every partition to agree on the item slots, and learner classes are fitted across
//! skills; neither is partitioned yet.

use serde::{Deserialize, Serialize};

use super::counts::Counts;
use super::e_step::{e_step, tries_counts};
use super::em_run::EmRun;
use super::m_step::objective;
use super::options::FitOptions;
use super::restarts::best_run;
use super::skill_data::{Responses, SkillData};
use super::slot_params::SlotParams;
use super::start::{Slots, start_point};
use crate::bkt::model::{FitInfo, Model, SkillModel};
use crate::bkt::params::{Params, Variant};
use crate::error::{Error, Location, Result, SubjectKind};
use crate::log::InteractionLog;

/// One partition's share of an E-step of a skill: its responses and the expected counts of its
/// learners at each point EM waits for. Crosses between processes as JSON
/// ([`PartitionCounts::to_json`], exact for every number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionCounts {
    responses: Responses,
    /// The expected counts at each point, in the order of the points.
    at: Vec<Counts>,
}

impl PartitionCounts {
    /// The E-step of `log`'s learners of skill `skill` at each of `points` (as
    /// [`PartitionedFit::pending`] gave them). A log without the skill gives zero counts.
    pub fn of(
        log: &InteractionLog,
        skill: &str,
        points: &[Params],
        variant: Variant,
    ) -> Result<PartitionCounts> {
        check_variant(variant)?;
        let Some(id) = log.skills().id(skill) else {
            return Ok(PartitionCounts {
                responses: Responses::default(),
                at: points.iter().map(|_| Counts::zero(1, 1, 1)).collect(),
            });
        };
        let data = SkillData::new(log, id, variant);
        let points: Vec<SlotParams> = points.iter().map(slot_params).collect();
        let refs: Vec<&SlotParams> = points.iter().collect();
        let at = if data.tries.is_empty() {
            refs.iter().map(|p| e_step(&data, p, None)).collect()
        } else {
            tries_counts(&data, &refs)
        };
        let responses = Responses {
            observations: data.observations,
            correct: data.correct,
            learners: data.seqs.len() as u64,
        };
        Ok(PartitionCounts { responses, at })
    }

    /// Adds another partition's counts (at the same points) to these.
    pub fn add(&mut self, other: &PartitionCounts) -> Result<()> {
        if other.at.len() != self.at.len() || other.at.iter().any(|c| !single_slot(c)) {
            return Err(Error::input(
                Location::default(),
                format!(
                    "expected counts at {} points cannot be added to counts at {}",
                    other.at.len(),
                    self.at.len()
                ),
            ));
        }
        self.responses.add(other.responses);
        for (mine, theirs) in self.at.iter_mut().zip(&other.at) {
            mine.add(theirs);
        }
        Ok(())
    }

    /// The counts as JSON, for [`PartitionCounts::from_json`] in another process.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("counts are plain numbers")
    }

    /// Counts that [`PartitionCounts::to_json`] wrote; `what` names them in errors.
    pub fn from_json(text: &str, what: &str) -> Result<PartitionCounts> {
        let counts: PartitionCounts = serde_json::from_str(text)
            .map_err(|e| Error::input(Location::file(what), format!("not expected counts: {e}")))?;
        if !counts.at.iter().all(single_slot) {
            return Err(Error::input(
                Location::file(what),
                "expected counts of one parameter set per skill",
            ));
        }
        Ok(counts)
    }
}

/// The driver's side of a partitioned fit of one skill: EM from every starting point of the
/// one-machine fit ([`FitOptions::restarts`], seeded by the skill's id), one E-step of every
/// unfinished restart per round.
///
/// ```
/// use pathwise::bkt::{PartitionCounts, PartitionedFit};
/// use pathwise::{FitOptions, LogBuilder, RawRow};
/// // Two partitions, each with its own learners of the skill "add".
/// let mut parts = [LogBuilder::new(), LogBuilder::new()];
/// for (k, (l, answers)) in [("a", [0, 1, 1]), ("b", [0, 0, 1]), ("c", [1, 1, 1])].iter().enumerate() {
///     for (t, c) in answers.iter().enumerate() {
///         parts[k % 2].push(RawRow { learner: l, skills: &["add"], item: None, correct: *c == 1,
///                                    order: t as i64, group: None });
///     }
/// }
/// let parts = parts.map(|b| b.build());
/// let options = FitOptions::default();
/// let mut em = PartitionedFit::new("add", &options)?;
/// loop {
///     let points = em.pending();
///     if points.is_empty() { break; }
///     // On the partitions, in parallel; the driver adds what they send back.
///     let mut total = PartitionCounts::of(&parts[0], "add", &points, options.variant)?;
///     total.add(&PartitionCounts::of(&parts[1], "add", &points, options.variant)?)?;
///     em.receive(&total)?;
/// }
/// let model = em.finish()?;
/// assert_eq!(model.skill("add").unwrap().stats().observations, 9);
/// # Ok::<(), pathwise::Error>(())
/// ```
pub struct PartitionedFit {
    skill: String,
    options: FitOptions,
    runs: Vec<EmRun>,
    responses: Option<Responses>,
}

impl PartitionedFit {
    /// EM of skill `skill` under `options` (checked; its variant must have one parameter set
    /// per skill: see the module's documentation), at its starting points.
    pub fn new(skill: &str, options: &FitOptions) -> Result<PartitionedFit> {
        options.validate()?;
        check_variant(options.variant)?;
        let slots = Slots {
            items: &[None],
            emit: 1,
            trans: 1,
        };
        let runs = (0..options.restarts)
            .map(|restart| EmRun::new(start_point(skill, slots, options, restart, 1)))
            .collect();
        Ok(PartitionedFit {
            skill: skill.to_owned(),
            options: options.clone(),
            runs,
            responses: None,
        })
    }

    /// The points whose expected counts EM waits for, one per unfinished restart in restart
    /// order; empty once EM has ended.
    pub fn pending(&self) -> Vec<Params> {
        self.runs
            .iter()
            .filter_map(EmRun::pending)
            .map(point)
            .collect()
    }

    /// Takes the expected counts at [`PartitionedFit::pending`]'s points, summed over every
    /// partition, and moves each restart on by one E-step.
    pub fn receive(&mut self, total: &PartitionCounts) -> Result<()> {
        let at = Location::subject(SubjectKind::Skill, &self.skill);
        let waiting: Vec<usize> = (0..self.runs.len())
            .filter(|&r| self.runs[r].pending().is_some())
            .collect();
        if total.at.len() != waiting.len() {
            return Err(Error::input(
                at,
                format!(
                    "expected counts at {} points, but EM waits for {}",
                    total.at.len(),
                    waiting.len()
                ),
            ));
        }
        if total.responses.observations == 0 {
            return Err(Error::input(
                at,
                "no responses of the skill in any partition",
            ));
        }
        self.responses = Some(total.responses);
        let fixed = self.options.fixed.for_skill(&self.skill);
        for (r, counts) in waiting.into_iter().zip(&total.at) {
            let run = &mut self.runs[r];
            let value = objective(counts, run.pending().expect("waiting"), &self.options);
            run.receive((counts.clone(), value), &self.options, fixed);
        }
        Ok(())
    }

    /// The fitted one-skill model (the best restart), once [`PartitionedFit::pending`] is
    /// empty; [`Model::combine`] joins it to the models of other skills.
    pub fn finish(self) -> Result<Model> {
        if !self.pending().is_empty() {
            return Err(Error::config(
                "EM has not ended: receive counts until pending() is empty",
            ));
        }
        let responses = self
            .responses
            .ok_or_else(|| Error::config("EM has received no counts"))?;
        let (sp, result) = best_run(self.runs)?;
        let params = point(&sp);
        let stats = responses.stats(result.ll, result.iterations, result.converged);
        let skill = SkillModel::new(self.skill, params, Vec::new(), Vec::new(), stats);
        let info = FitInfo {
            restarts: self.options.restarts,
            seed: self.options.seed,
            iterations: result.iterations,
            converged: result.converged,
            log_likelihood: result.ll,
            input_sha256: None,
            pseudo_counts: self.options.pseudo_counts.weight,
        };
        Model::new(self.options.variant, vec![skill], Vec::new(), info)
    }
}

/// The variants a partitioned fit handles: one parameter set per skill.
fn check_variant(variant: Variant) -> Result<()> {
    if variant.item_guess_slip || variant.item_learn || variant.learner_prior {
        return Err(Error::setting(
            "variant",
            "a partitioned fit takes one parameter set per skill (forgets or not): per-item \
             parameters and learner classes are not partitioned yet",
        ));
    }
    Ok(())
}

/// True for counts of one prior class, one emission and one transition slot.
fn single_slot(counts: &Counts) -> bool {
    counts.prior_known.len() == 1
        && counts.prior_total.len() == 1
        && counts.emit.len() == 1
        && counts.trans.len() == 1
}

/// The point of one-slot parameters.
fn point(sp: &SlotParams) -> Params {
    Params {
        prior: sp.prior[0],
        learn: sp.learn[0],
        forget: sp.forget[0],
        guess: sp.guess[0],
        slip: sp.slip[0],
    }
}

/// The slot parameters of a point (one slot each).
fn slot_params(p: &Params) -> SlotParams {
    SlotParams {
        prior: vec![p.prior],
        guess: vec![p.guess],
        slip: vec![p.slip],
        learn: vec![p.learn],
        forget: vec![p.forget],
    }
}

#[cfg(test)]
mod tests {
    use std::ops::ControlFlow;

    use super::*;
    use crate::bkt::testdata::{cohort, split_by_learner};
    use crate::{LogBuilder, fit};

    fn partitioned(parts: &[InteractionLog], skill: &str, options: &FitOptions) -> Model {
        let mut em = PartitionedFit::new(skill, options).unwrap();
        loop {
            let points = em.pending();
            if points.is_empty() {
                break em.finish().unwrap();
            }
            // Through JSON, as between processes.
            let mut total =
                PartitionCounts::of(&parts[0], skill, &points, options.variant).unwrap();
            for part in &parts[1..] {
                let text = PartitionCounts::of(part, skill, &points, options.variant)
                    .unwrap()
                    .to_json();
                total
                    .add(&PartitionCounts::from_json(&text, "part").unwrap())
                    .unwrap();
            }
            em.receive(&total).unwrap();
        }
    }

    #[test]
    fn partitioned_fit_equals_the_one_machine_fit_of_the_skill() {
        let log = cohort(90, 2, 1..=14, 0, 0.05, 5);
        for (forgets, restarts) in [(false, 1), (true, 1), (true, 4)] {
            let options = FitOptions {
                variant: Variant {
                    forgets,
                    ..Variant::default()
                },
                restarts,
                seed: 9,
                ..FitOptions::default()
            };
            let whole = fit(&log, &options, |_| ControlFlow::Continue(())).unwrap();
            for skill in log.skills().names() {
                // Three partitions plus one without the skill's learners.
                let mut parts = split_by_learner(&log, skill, 3);
                parts.push(LogBuilder::new().build());
                let got = partitioned(&parts, skill, &options);
                let (a, b) = (got.skill(skill).unwrap(), whole.skill(skill).unwrap());
                let (p, q) = (a.params(), b.params());
                for (x, y) in [
                    (p.prior, q.prior),
                    (p.learn, q.learn),
                    (p.forget, q.forget),
                    (p.guess, q.guess),
                    (p.slip, q.slip),
                ] {
                    assert!(
                        (x - y).abs() <= 1e-9,
                        "{skill} {forgets} {restarts}: {p:?} vs {q:?}"
                    );
                }
                let (s, t) = (a.stats(), b.stats());
                assert_eq!(
                    (
                        s.observations,
                        s.learners,
                        s.iterations,
                        s.converged,
                        &s.flags
                    ),
                    (
                        t.observations,
                        t.learners,
                        t.iterations,
                        t.converged,
                        &t.flags
                    )
                );
                assert!(
                    (s.log_likelihood - t.log_likelihood).abs() <= 1e-9 * t.log_likelihood.abs()
                );
            }
        }
    }

    #[test]
    fn partitioned_fit_rejects_per_item_variants_wrong_counts_and_an_unfinished_run() {
        let item = FitOptions {
            variant: Variant {
                item_guess_slip: true,
                ..Variant::default()
            },
            ..FitOptions::default()
        };
        assert!(PartitionedFit::new("s0", &item).is_err());
        let log = cohort(10, 1, 2..=4, 0, 0.0, 1);
        let options = FitOptions::default();
        let mut em = PartitionedFit::new("s0", &options).unwrap();
        let points = em.pending();
        assert_eq!(points.len(), 5);
        let fewer = PartitionCounts::of(&log, "s0", &points[..2], options.variant).unwrap();
        let err = em.receive(&fewer).unwrap_err();
        assert!(err.to_string().contains("EM waits for 5"), "{err}");
        let mut total = PartitionCounts::of(&log, "s0", &points, options.variant).unwrap();
        assert!(total.add(&fewer).is_err());
        let none = PartitionCounts::of(&log, "other", &points, options.variant).unwrap();
        let err = em.receive(&none).unwrap_err();
        assert!(err.to_string().contains("no responses"), "{err}");
        assert!(PartitionCounts::from_json("{\"at\": 1}", "part").is_err());
        em.receive(&total).unwrap();
        let err = em.finish().unwrap_err();
        assert!(err.to_string().contains("not ended"), "{err}");
    }
}
