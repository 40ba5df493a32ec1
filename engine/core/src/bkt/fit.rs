//! Fitting: per skill, EM from several starting points (the best log-likelihood wins), with
//! bounds, fixed parameters, warm starts, a deterministic parallel reduction and a progress /
//! cancel callback.

use std::ops::{ControlFlow, Range};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::em::{self, Counts, PerObs, Slots, Tied};
use super::fit_flags::FitFlag;
use super::model::{FitInfo, ItemParams, Model, SkillModel, SkillStats};
use super::params::{Bounds, FixedParams, PROB_FLOOR, ParamName, Params, Variant};
use super::pseudo_counts::PseudoCounts;
use super::squarem::Squarem;
use super::trie::PatternTrie;
use crate::error::{Error, Result};
use crate::log::{InteractionLog, NONE_ID, Sequence};

/// Settings of [`fit`]. Threads: `fit` runs on the caller's rayon pool (wrap the call in
/// `ThreadPool::install` to choose the count); the result does not depend on it.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Which variant to fit.
    pub variant: Variant,
    /// Ranges the M-step keeps each parameter in (default: guess, slip < 0.5).
    pub bounds: Bounds,
    /// Pseudo-observations added to every parameter's counts (default: 5 at the textbook
    /// values; [`PseudoCounts::none`] is maximum-likelihood EM).
    pub pseudo_counts: PseudoCounts,
    /// Starting points per skill (default 5): the first is the warm start (or the textbook start
    /// prior 0.5, learn 0.1, guess 0.2, slip 0.1), the others are drawn from the seeded
    /// generator. At least 1.
    pub restarts: u32,
    /// Seed of the restarts' generator (default 0).
    pub seed: u64,
    /// EM stops when the relative change of the log-likelihood between two iterations is at most
    /// `tol` (default 1e-6). Must be > 0.
    pub tol: f64,
    /// EM stops after this many iterations even when not converged (default 200). At least 1.
    pub max_iter: u32,
    /// Parameters held at given values.
    pub fixed: FixedParams,
    /// A model whose parameters are the first starting point (skills and items it knows).
    pub warm_start: Option<Model>,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            variant: Variant::default(),
            bounds: Bounds::default(),
            pseudo_counts: PseudoCounts::default(),
            restarts: 5,
            seed: 0,
            tol: 1e-6,
            max_iter: 200,
            fixed: FixedParams::default(),
            warm_start: None,
        }
    }
}

/// The most restarts a fit takes: every restart of a skill holds its own EM state, allocated
/// before the first iteration.
pub const MAX_RESTARTS: u32 = 1000;

impl FitOptions {
    /// Checks the settings: `1 ≤ restarts ≤` [`MAX_RESTARTS`], `tol > 0`, `max_iter ≥ 1`, bounds
    /// inside `[0, 1]`.
    pub fn validate(&self) -> Result<()> {
        if self.restarts == 0 {
            return Err(Error::config("restarts must be at least 1"));
        }
        if self.restarts > MAX_RESTARTS {
            return Err(Error::config(format!(
                "restarts must be at most {MAX_RESTARTS}, got {}",
                self.restarts
            )));
        }
        if !(self.tol > 0.0 && self.tol.is_finite()) {
            return Err(Error::config(format!(
                "tol must be a positive number, got {}",
                self.tol
            )));
        }
        if self.max_iter == 0 {
            return Err(Error::config("max_iter must be at least 1"));
        }
        let pc = &self.pseudo_counts;
        if !(pc.weight >= 0.0 && pc.weight.is_finite()) {
            return Err(Error::config(format!(
                "pseudo-counts must be a number ≥ 0, got {}",
                pc.weight
            )));
        }
        for name in ParamName::ALL {
            let m = pc.at.get(name);
            if !(m > 0.0 && m < 1.0) {
                return Err(Error::config(format!(
                    "pseudo_counts value of {} must lie strictly between 0 and 1, got {m}",
                    name.as_str()
                )));
            }
        }
        for name in ParamName::ALL {
            let (lo, hi) = self.bounds.range(name);
            if !(0.0..=1.0).contains(&lo) || !(0.0..=1.0).contains(&hi) || lo > hi {
                return Err(Error::config(format!(
                    "bounds of {} must satisfy 0 ≤ min ≤ max ≤ 1, got [{lo}, {hi}]",
                    name.as_str()
                )));
            }
        }
        Ok(())
    }
}

/// How far a fit has come, passed to the progress callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Skills whose fit is finished.
    pub skills_done: usize,
    /// Skills to fit.
    pub skills_total: usize,
    /// EM iterations run so far, over all skills and restarts.
    pub iterations: usize,
}

/// Fits a BKT model of `options.variant` to `log`.
///
/// `progress` is called after every EM iteration and every finished skill (from worker threads);
/// returning `ControlFlow::Break(())` stops the fit with [`Error::Cancelled`].
///
/// ```
/// use pathwise::{FitOptions, LogBuilder, RawRow, fit};
/// let mut b = LogBuilder::new();
/// for (l, answers) in [("a", [0, 1, 1, 1]), ("b", [0, 0, 1, 1]), ("c", [1, 1, 1, 1])] {
///     for (t, c) in answers.iter().enumerate() {
///         b.push(RawRow { learner: l, skills: &["add"], item: None, correct: *c == 1,
///                         order: t as i64, group: None });
///     }
/// }
/// let model = fit(&b.build(), &FitOptions::default(), |_| std::ops::ControlFlow::Continue(()))?;
/// let add = model.skill("add").unwrap();
/// assert!(add.params().guess < 0.5 && add.params().slip < 0.5);
/// assert_eq!(add.stats().observations, 12);
/// # Ok::<(), pathwise::Error>(())
/// ```
pub fn fit<F>(log: &InteractionLog, options: &FitOptions, progress: F) -> Result<Model>
where
    F: Fn(Progress) -> ControlFlow<()> + Sync,
{
    options.validate()?;
    if options.variant.learner_prior {
        return super::mixture::fit_mixture(log, options, &progress);
    }
    let skills: Vec<u32> = (0..log.skills().len() as u32)
        .filter(|&s| log.skill_observations(s) > 0)
        .collect();
    let tracker = Tracker::new(skills.len(), &progress);
    let fitted: Vec<SkillModel> = skills
        .par_iter()
        .map(|&s| {
            let data = SkillData::new(log, s, options.variant);
            let result = fit_skill(&data, log, options, &tracker)?;
            tracker.skill_done()?;
            Ok(result)
        })
        .collect::<Result<_>>()?;
    let info = FitInfo {
        restarts: options.restarts,
        seed: options.seed,
        iterations: fitted
            .iter()
            .map(|s| s.stats().iterations)
            .max()
            .unwrap_or(0),
        converged: fitted.iter().all(|s| s.stats().converged),
        log_likelihood: fitted.iter().map(|s| s.stats().log_likelihood).sum(),
        input_sha256: None,
        pseudo_counts: options.pseudo_counts.weight,
    };
    Model::new(options.variant, fitted, Vec::new(), info)
}

/// Shared progress state: counters and the cancel flag.
pub(crate) struct Tracker<'a, F> {
    total: usize,
    done: AtomicUsize,
    iterations: AtomicUsize,
    cancelled: AtomicBool,
    progress: &'a F,
}

impl<'a, F: Fn(Progress) -> ControlFlow<()> + Sync> Tracker<'a, F> {
    pub(crate) fn new(total: usize, progress: &'a F) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            iterations: AtomicUsize::new(0),
            cancelled: AtomicBool::new(false),
            progress,
        }
    }

    fn report(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let p = Progress {
            skills_done: self.done.load(Ordering::Relaxed),
            skills_total: self.total,
            iterations: self.iterations.load(Ordering::Relaxed),
        };
        if (self.progress)(p).is_break() {
            self.cancelled.store(true, Ordering::Relaxed);
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    pub(crate) fn iteration_done(&self) -> Result<()> {
        self.iterations.fetch_add(1, Ordering::Relaxed);
        self.report()
    }

    pub(crate) fn skill_done(&self) -> Result<()> {
        self.done.fetch_add(1, Ordering::Relaxed);
        self.report()
    }

    pub(crate) fn skills_done(&self, n: usize) -> Result<()> {
        self.done.fetch_add(n, Ordering::Relaxed);
        self.report()
    }
}

/// One skill's training data, cut into blocks, with per-observation item slots when the variant
/// has per-item parameters (slot 0 = observations without an item; slots 1.. = items in order of
/// first appearance).
pub(crate) struct SkillData<'a> {
    pub skill: u32,
    pub seqs: Vec<Sequence<'a>>,
    pub offsets: Vec<usize>,
    pub blocks: Vec<Range<usize>>,
    /// The response-pattern tries of blocks of sequences, when the E-step can run over them
    /// (one parameter set per skill, no learner classes, and prefixes shared enough to pay).
    pub tries: Vec<PatternTrie>,
    pub slots: Vec<u32>,
    pub items: Vec<u32>,
    pub per_item_emit: bool,
    pub per_item_trans: bool,
    pub observations: u64,
    pub correct: u64,
}

impl<'a> SkillData<'a> {
    pub(crate) fn new(log: &'a InteractionLog, skill: u32, variant: Variant) -> Self {
        // Ordered by length (stable, so by learner within a length): neighbours, which the E-step
        // runs two at a time, then have equal lengths and the loops' exits are predictable.
        let mut seqs: Vec<Sequence<'a>> = log.skill_sequences(skill).collect();
        seqs.sort_by_key(|s| s.correct.len());
        let mut offsets = Vec::with_capacity(seqs.len());
        let mut n = 0usize;
        let mut correct = 0u64;
        for s in &seqs {
            offsets.push(n);
            n += s.correct.len();
            correct += s.correct.iter().map(|&c| u64::from(c & 1)).sum::<u64>();
        }
        let per_item = variant.item_guess_slip || variant.item_learn;
        let mut slots = Vec::new();
        let mut items = vec![NONE_ID];
        if per_item {
            slots.reserve(n);
            let mut local = std::collections::HashMap::new();
            for s in &seqs {
                for &item in s.items {
                    let slot = if item == NONE_ID {
                        0
                    } else {
                        *local.entry(item).or_insert_with(|| {
                            items.push(item);
                            (items.len() - 1) as u32
                        })
                    };
                    slots.push(slot);
                }
            }
        }
        let blocks = em::blocks(&seqs, em::BLOCK_OBSERVATIONS);
        let tries = if per_item || variant.learner_prior {
            Vec::new()
        } else {
            pattern_tries(&seqs, n)
        };
        Self {
            skill,
            seqs,
            offsets,
            blocks,
            tries,
            slots,
            items,
            per_item_emit: variant.item_guess_slip,
            per_item_trans: variant.item_learn,
            observations: n as u64,
            correct,
        }
    }

    fn n_emit(&self) -> usize {
        if self.per_item_emit {
            self.items.len()
        } else {
            1
        }
    }

    fn n_trans(&self) -> usize {
        if self.per_item_trans {
            self.items.len()
        } else {
            1
        }
    }

    fn seq_slots(&self, q: usize) -> &[u32] {
        if self.slots.is_empty() {
            &[]
        } else {
            let start = self.offsets[q];
            &self.slots[start..start + self.seqs[q].correct.len()]
        }
    }

    /// The flags that need the responses ([`SkillModel::new`] adds the others).
    pub(crate) fn flags(&self) -> Vec<FitFlag> {
        if self.correct == self.observations {
            vec![FitFlag::AllCorrect]
        } else if self.correct == 0 {
            vec![FitFlag::AllIncorrect]
        } else {
            Vec::new()
        }
    }
}

/// Observations per trie: a skill's sequences are cut into blocks of at least this many, whose
/// tries the E-step runs in parallel. Larger than the forward–backward blocks, since a bigger
/// trie shares more prefixes.
const TRIE_BLOCK_OBSERVATIONS: usize = 1 << 18;

/// The trie E-step pays when the tries have at most this many nodes per observation (a node costs
/// about as much as an observation of the per-sequence kernel).
const TRIE_MAX_NODES_PER_OBSERVATION: f64 = 0.8;

/// The pattern tries of `seqs` (`observations` in all), or none when they would save too little.
fn pattern_tries(seqs: &[Sequence<'_>], observations: usize) -> Vec<PatternTrie> {
    let tries: Vec<PatternTrie> = em::blocks(seqs, TRIE_BLOCK_OBSERVATIONS)
        .into_iter()
        .map(|block| PatternTrie::new(seqs[block].iter().map(|s| s.correct)))
        .collect();
    let nodes: usize = tries.iter().map(PatternTrie::nodes).sum();
    if nodes as f64 <= TRIE_MAX_NODES_PER_OBSERVATION * observations as f64 {
        tries
    } else {
        Vec::new()
    }
}

/// The parameters of one skill as EM updates them: one prior per learner class, and guess/slip,
/// learn/forget per slot.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlotParams {
    pub prior: Vec<f64>,
    pub guess: Vec<f64>,
    pub slip: Vec<f64>,
    pub learn: Vec<f64>,
    pub forget: Vec<f64>,
}

impl SlotParams {
    /// Every parameter vector with its name.
    pub(crate) fn fields(&self) -> [(ParamName, &Vec<f64>); 5] {
        [
            (ParamName::Prior, &self.prior),
            (ParamName::Guess, &self.guess),
            (ParamName::Slip, &self.slip),
            (ParamName::Learn, &self.learn),
            (ParamName::Forget, &self.forget),
        ]
    }

    /// Every parameter vector with its name, to change.
    pub(crate) fn fields_mut(&mut self) -> [(ParamName, &mut Vec<f64>); 5] {
        [
            (ParamName::Prior, &mut self.prior),
            (ParamName::Guess, &mut self.guess),
            (ParamName::Slip, &mut self.slip),
            (ParamName::Learn, &mut self.learn),
            (ParamName::Forget, &mut self.forget),
        ]
    }

    fn tables(&self) -> (Vec<[f64; 4]>, Vec<[f64; 4]>) {
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

/// One E-step over a skill: per-block counts in parallel, summed in block order. `weights`,
/// when given, holds one weight per (sequence, class): `weights[q * classes + c]`.
pub(crate) fn e_step(data: &SkillData<'_>, sp: &SlotParams, weights: Option<&[f64]>) -> Counts {
    if weights.is_none() && !data.tries.is_empty() {
        return tries_counts(data, &[sp])
            .pop()
            .unwrap_or_else(|| Counts::zero(1, 1, 1));
    }
    match (data.per_item_emit, data.per_item_trans) {
        (false, false) => e_step_with(data, sp, weights, |_| Tied, |_| Tied),
        (true, false) => e_step_with(data, sp, weights, PerObs, |_| Tied),
        (false, true) => e_step_with(data, sp, weights, |_| Tied, PerObs),
        (true, true) => e_step_with(data, sp, weights, PerObs, PerObs),
    }
}

fn e_step_with<'d, E: Slots, T: Slots>(
    data: &'d SkillData<'_>,
    sp: &SlotParams,
    weights: Option<&[f64]>,
    mk_e: impl Fn(&'d [u32]) -> E + Sync,
    mk_t: impl Fn(&'d [u32]) -> T + Sync,
) -> Counts {
    let (emit, trans) = sp.tables();
    let classes = sp.prior.len();
    let block_counts = |block: &Range<usize>| {
        let mut counts = Counts::zero(classes, data.n_emit(), data.n_trans());
        // Unweighted sequences (no learner classes) multiply their likelihoods and take one
        // logarithm per many; weighted ones add their weighted logarithms.
        let mut unweighted = em::LikelihoodSum::new();
        let weight = |q: usize, c: usize| weights.map_or(1.0, |w| w[q * classes + c]);
        let mut record =
            |counts: &mut Counts, (q, c): (usize, usize), (l, g0): (em::Likelihood, f64)| {
                let w = weight(q, c);
                match weights {
                    None => unweighted.add(l),
                    Some(_) => counts.ll += w * l.ln(),
                }
                counts.prior_known[c] += w * g0;
                counts.prior_total[c] += w;
            };
        let units = block
            .clone()
            .flat_map(|q| (0..classes).map(move |c| (q, c)));
        let single = |(q, c): (usize, usize), buf: &mut Vec<f64>, counts: &mut Counts| {
            let slots = data.seq_slots(q);
            em::forward_backward(
                &emit,
                &trans,
                sp.prior[c],
                weight(q, c),
                data.seqs[q].correct,
                mk_e(slots),
                mk_t(slots),
                buf,
                &mut counts.emit,
                &mut counts.trans,
            )
        };
        if E::TIED && T::TIED {
            // Two (sequence, class) units at a time, interleaved: the same sums in the same order.
            let units: Vec<(usize, usize)> = units.collect();
            let mut bufs = [Vec::new(), Vec::new()];
            for pair in units.chunks(2) {
                match *pair {
                    [a, b] => {
                        let input = |(q, c): (usize, usize)| em::PairInput {
                            prior: sp.prior[c],
                            weight: weight(q, c),
                            correct: data.seqs[q].correct,
                        };
                        let [first, second] = em::forward_backward_tied_pair(
                            &emit[0],
                            &trans[0],
                            [input(a), input(b)],
                            &mut bufs,
                            &mut counts.emit[0],
                            &mut counts.trans[0],
                        );
                        record(&mut counts, a, first);
                        record(&mut counts, b, second);
                    }
                    _ => {
                        for &unit in pair {
                            let one = single(unit, &mut bufs[0], &mut counts);
                            record(&mut counts, unit, one);
                        }
                    }
                }
            }
        } else {
            let mut buf = Vec::new();
            for unit in units {
                let one = single(unit, &mut buf, &mut counts);
                record(&mut counts, unit, one);
            }
        }
        counts.ll += unweighted.total();
        counts
    };
    sum_in_order(
        &data.blocks,
        Counts::zero(classes, data.n_emit(), data.n_trans()),
        block_counts,
    )
}

/// The counts of every block (in parallel when there are several), added to `total` in block
/// order, so the sum does not depend on the number of threads.
fn sum_in_order<B: Sync>(
    blocks: &[B],
    mut total: Counts,
    counts: impl Fn(&B) -> Counts + Sync + Send,
) -> Counts {
    let parts: Vec<Counts> = if blocks.len() > 1 {
        blocks.par_iter().map(counts).collect()
    } else {
        blocks.iter().map(counts).collect()
    };
    for p in &parts {
        total.add(p);
    }
    total
}

/// The E-step over the skill's pattern tries (one parameter set each, no classes) at every one of
/// `points`: up to [`LANES`] points share each walk of a trie, the walks of the tries and of the
/// groups of points run in parallel, and each point's counts add its tries' parts in trie order,
/// so they do not depend on the number of threads nor on the other points.
fn tries_counts(data: &SkillData<'_>, points: &[&SlotParams]) -> Vec<Counts> {
    let groups: Vec<&[&SlotParams]> = points.chunks(LANES).collect();
    let units: Vec<(usize, usize)> = (0..data.tries.len())
        .flat_map(|t| (0..groups.len()).map(move |g| (t, g)))
        .collect();
    let walk = |&(t, g): &(usize, usize)| trie_lanes(&data.tries[t], groups[g]);
    let parts: Vec<Vec<Counts>> = if units.len() > 1 {
        units.par_iter().map(walk).collect()
    } else {
        units.iter().map(walk).collect()
    };
    let mut totals: Vec<Counts> = points.iter().map(|_| Counts::zero(1, 1, 1)).collect();
    for (&(_, g), part) in units.iter().zip(&parts) {
        for (offset, c) in part.iter().enumerate() {
            totals[g * LANES + offset].add(c);
        }
    }
    totals
}

/// Parameter sets that walk a trie together.
const LANES: usize = 4;

/// One walk of `trie` for up to [`LANES`] points: their counts, each from zero. A lone point
/// walks alone; fewer than four fill the spare lanes with copies of the last, whose counts are
/// dropped.
fn trie_lanes(trie: &PatternTrie, points: &[&SlotParams]) -> Vec<Counts> {
    let tables: Vec<([f64; 4], [f64; 4], f64)> = points
        .iter()
        .map(|p| {
            let (emit, trans) = p.tables();
            (emit[0], trans[0], p.prior[0])
        })
        .collect();
    let mut out: [Counts; LANES] = std::array::from_fn(|_| Counts::zero(1, 1, 1));
    if let [(emit, trans, prior)] = tables[..] {
        trie.e_step(&emit, &trans, prior, &mut out[0]);
    } else {
        let lane = |k: usize| tables[k.min(tables.len() - 1)];
        let emit = std::array::from_fn(|k| lane(k).0);
        let trans = std::array::from_fn(|k| lane(k).1);
        let prior = std::array::from_fn(|k| lane(k).2);
        trie.e_step_x4(&emit, &trans, prior, out.each_mut());
    }
    let mut out = Vec::from(out);
    out.truncate(points.len());
    out
}

/// Per (sequence, class) log-likelihoods under `sp` (forward pass only), `out[q * classes + c]`.
pub(crate) fn sequence_log_likelihoods(data: &SkillData<'_>, sp: &SlotParams) -> Vec<f64> {
    let (emit, trans) = sp.tables();
    let classes = sp.prior.len();
    let block_ll = |block: &Range<usize>| {
        let mut out = Vec::with_capacity(block.len() * classes);
        for q in block.clone() {
            let correct = data.seqs[q].correct;
            let slots = data.seq_slots(q);
            for &prior in &sp.prior {
                let ll = match (data.per_item_emit, data.per_item_trans) {
                    (false, false) => em::log_likelihood(&emit, &trans, prior, correct, Tied, Tied),
                    (true, false) => {
                        em::log_likelihood(&emit, &trans, prior, correct, PerObs(slots), Tied)
                    }
                    (false, true) => {
                        em::log_likelihood(&emit, &trans, prior, correct, Tied, PerObs(slots))
                    }
                    (true, true) => em::log_likelihood(
                        &emit,
                        &trans,
                        prior,
                        correct,
                        PerObs(slots),
                        PerObs(slots),
                    ),
                };
                out.push(ll);
            }
        }
        out
    };
    let parts: Vec<Vec<f64>> = data.blocks.par_iter().map(block_ll).collect();
    parts.concat()
}

/// The M-step: new parameters from expected counts plus the pseudo-counts, clamped into the
/// bounds, fixed parameters held. Slots without data take the pooled estimate of their skill.
pub(crate) fn m_step(
    counts: &Counts,
    sp: &mut SlotParams,
    options: &FitOptions,
    fixed: Option<&std::collections::BTreeMap<ParamName, f64>>,
) {
    let b = &options.bounds;
    let pc = &options.pseudo_counts;
    let settle = |name: ParamName, v: f64| {
        fixed.and_then(|f| f.get(&name)).map_or_else(
            || b.clamp(name, v),
            |v| v.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR),
        )
    };
    for (c, prior) in sp.prior.iter_mut().enumerate() {
        let (known, total) = (counts.prior_known[c], counts.prior_total[c]);
        let v = pc.estimate(ParamName::Prior, known, total, total);
        *prior = settle(ParamName::Prior, v.unwrap_or(*prior));
    }
    let pooled = |rows: &[[f64; 4]]| {
        let mut p = [0.0; 4];
        for r in rows {
            for k in 0..4 {
                p[k] += r[k];
            }
        }
        p
    };
    // Guess and learn are the first half of a row, slip and forget the second.
    let estimate =
        |(a, b): (ParamName, ParamName), row: &[f64; 4], pool: &[f64; 4], old: (f64, f64)| {
            let one = |name, r: &[f64; 4], half: usize| {
                pc.estimate(name, r[half], r[half + 1], r[1] + r[3])
            };
            (
                one(a, row, 0).or_else(|| one(a, pool, 0)).unwrap_or(old.0),
                one(b, row, 2).or_else(|| one(b, pool, 2)).unwrap_or(old.1),
            )
        };
    let pe = pooled(&counts.emit);
    for (k, row) in counts.emit.iter().enumerate() {
        let names = (ParamName::Guess, ParamName::Slip);
        let (g, s) = estimate(names, row, &pe, (sp.guess[k], sp.slip[k]));
        sp.guess[k] = settle(ParamName::Guess, g);
        sp.slip[k] = settle(ParamName::Slip, s);
    }
    let pt = pooled(&counts.trans);
    for (k, row) in counts.trans.iter().enumerate() {
        let names = (ParamName::Learn, ParamName::Forget);
        let (l, f) = estimate(names, row, &pt, (sp.learn[k], sp.forget[k]));
        sp.learn[k] = settle(ParamName::Learn, l);
        sp.forget[k] = if options.variant.forgets {
            settle(ParamName::Forget, f)
        } else {
            0.0
        };
    }
}

/// EM's objective at `sp`, from the E-step's `counts` there: the log-likelihood plus the log
/// prior density of the pseudo-counts (just the log-likelihood without them).
pub(crate) fn objective(counts: &Counts, sp: &SlotParams, options: &FitOptions) -> f64 {
    counts.ll
        + options
            .pseudo_counts
            .log_density(sp, counts, options.variant.forgets)
}

/// The starting point of restart `restart` for a skill: restart 0 is the warm start (or
/// [`Params::default`]), the others are drawn from a generator seeded by (seed, skill id,
/// restart), so a skill's fit does not depend on the other skills in the log.
pub(crate) fn start_params(
    data: &SkillData<'_>,
    log: &InteractionLog,
    options: &FitOptions,
    restart: u32,
    classes: usize,
) -> SlotParams {
    let skill_name = log.skills().name(data.skill);
    let forgets = options.variant.forgets;
    let warm = options
        .warm_start
        .as_ref()
        .and_then(|m| m.skill(skill_name));
    let mut rng = ChaCha8Rng::seed_from_u64(mix(options.seed, skill_name, restart));
    let base = if restart == 0 {
        match warm {
            Some(w) => *w.params(),
            None => Params {
                forget: if forgets { 0.05 } else { 0.0 },
                ..Params::default()
            },
        }
    } else {
        Params {
            prior: rng.random_range(0.05..0.95),
            learn: rng.random_range(0.01..0.4),
            forget: if forgets {
                rng.random_range(0.01..0.2)
            } else {
                0.0
            },
            guess: rng.random_range(0.05..0.4),
            slip: rng.random_range(0.05..0.4),
        }
    };
    let mut priors: Vec<f64> = if classes == 1 {
        vec![base.prior]
    } else if restart == 0 {
        match warm.filter(|w| w.class_priors().len() == classes) {
            Some(w) => w.class_priors().to_vec(),
            None => (0..classes)
                .map(|c| (c as f64 + 0.5) / classes as f64)
                .collect(),
        }
    } else {
        let mut p: Vec<f64> = (0..classes).map(|_| rng.random_range(0.05..0.95)).collect();
        p.sort_by(f64::total_cmp);
        p
    };
    let fixed = options.fixed.for_skill(skill_name);
    let b = &options.bounds;
    let settle = |name: ParamName, v: f64| match fixed.and_then(|f| f.get(&name)) {
        Some(&x) => x.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR),
        None => b.clamp(name, v),
    };
    for p in &mut priors {
        *p = settle(ParamName::Prior, *p);
    }
    let n_emit = data.n_emit();
    let n_trans = data.n_trans();
    let item_warm = |slot: usize| -> Option<&ItemParams> {
        let w = warm?;
        let item = *data.items.get(slot)?;
        if item == NONE_ID || restart != 0 {
            return None;
        }
        w.item_index(log.items().name(item))
            .and_then(|i| w.items().get(i))
    };
    let mut sp = SlotParams {
        prior: priors,
        guess: Vec::with_capacity(n_emit),
        slip: Vec::with_capacity(n_emit),
        learn: Vec::with_capacity(n_trans),
        forget: Vec::with_capacity(n_trans),
    };
    for k in 0..n_emit {
        let (g, s) = item_warm(k).map_or((base.guess, base.slip), |it| (it.guess, it.slip));
        sp.guess.push(settle(ParamName::Guess, g));
        sp.slip.push(settle(ParamName::Slip, s));
    }
    for k in 0..n_trans {
        let (l, f) = item_warm(k).map_or((base.learn, base.forget), |it| (it.learn, it.forget));
        sp.learn.push(settle(ParamName::Learn, l));
        sp.forget.push(if forgets {
            settle(ParamName::Forget, f)
        } else {
            0.0
        });
    }
    sp
}

/// A 64-bit seed from (seed, skill id, restart) — FNV-1a over the id, then SplitMix64 mixing.
fn mix(seed: u64, skill: &str, restart: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in skill.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h.rotate_left(17) ^ u64::from(restart).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// True when EM has converged: the relative change of the log-likelihood is at most `tol`.
pub(crate) fn converged(prev: f64, ll: f64, tol: f64) -> bool {
    (ll - prev).abs() <= tol * prev.abs().max(f64::MIN_POSITIVE)
}

/// Runs EM for one skill from every starting point; the best objective (log-likelihood, plus
/// the pseudo-counts' log prior) wins (ties: the earlier restart).
fn fit_skill<F: Fn(Progress) -> ControlFlow<()> + Sync>(
    data: &SkillData<'_>,
    log: &InteractionLog,
    options: &FitOptions,
    tracker: &Tracker<'_, F>,
) -> Result<SkillModel> {
    let fixed = options.fixed.for_skill(log.skills().name(data.skill));
    // The restarts run side by side: each round evaluates every unfinished restart's next point
    // at once. The best is picked in restart order.
    let mut runs: Vec<EmRun> = (0..options.restarts)
        .map(|restart| EmRun::new(start_params(data, log, options, restart, 1)))
        .collect();
    loop {
        let waiting: Vec<usize> = (0..runs.len())
            .filter(|&r| runs[r].pending().is_some())
            .collect();
        if waiting.is_empty() {
            break;
        }
        let points: Vec<&SlotParams> = waiting.iter().filter_map(|&r| runs[r].pending()).collect();
        let evaluated = evaluate_points(data, &points, options, tracker)?;
        for (r, e) in waiting.into_iter().zip(evaluated) {
            runs[r].receive(e, options, fixed);
        }
    }
    let runs: Vec<(SlotParams, EmResult)> = runs
        .into_iter()
        .map(|run| {
            let result = run
                .result()
                .ok_or_else(|| Error::config("EM ended without a result"))?;
            Ok((run.sp, result))
        })
        .collect::<Result<_>>()?;
    let mut best: Option<(SlotParams, EmResult)> = None;
    for run in runs {
        if best
            .as_ref()
            .is_none_or(|b| run.1.objective > b.1.objective)
        {
            best = Some(run);
        }
    }
    let (sp, result) = best.ok_or_else(|| Error::config("no restarts"))?;
    let EmResult {
        ll,
        iterations,
        converged: done,
        ..
    } = result;
    let stats = SkillStats {
        log_likelihood: ll,
        observations: data.observations,
        learners: data.seqs.len() as u64,
        iterations,
        converged: done,
        flags: data.flags(),
    };
    Ok(skill_model(data, log, &sp, &[1.0], stats))
}

/// The E-step's counts at each of `points` (a skill's restarts waiting for one), with EM's
/// objective there: over pattern tries the points share the walks ([`tries_counts`]), otherwise
/// each point's E-step runs on its own, the points in parallel.
fn evaluate_points<F: Fn(Progress) -> ControlFlow<()> + Sync>(
    data: &SkillData<'_>,
    points: &[&SlotParams],
    options: &FitOptions,
    tracker: &Tracker<'_, F>,
) -> Result<Vec<(Counts, f64)>> {
    let counts: Vec<Counts> = if data.tries.is_empty() {
        points.par_iter().map(|p| e_step(data, p, None)).collect()
    } else {
        tries_counts(data, points)
    };
    counts
        .into_iter()
        .zip(points)
        .map(|(c, p)| {
            tracker.iteration_done()?;
            let value = objective(&c, p, options);
            Ok((c, value))
        })
        .collect()
}

/// Where one EM run ended.
#[derive(Debug, Clone, Copy)]
struct EmResult {
    /// The log-likelihood of the data at the result.
    ll: f64,
    /// What EM maximises: `ll` plus the pseudo-counts' log prior ([`objective`]).
    objective: f64,
    iterations: u32,
    converged: bool,
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
struct EmRun {
    /// θ₀, and at the end the result.
    sp: SlotParams,
    stage: Stage,
    squarem: Squarem,
    iterations: u32,
}

impl EmRun {
    fn new(start: SlotParams) -> Self {
        Self {
            sp: start,
            stage: Stage::Start,
            squarem: Squarem::new(),
            iterations: 0,
        }
    }

    /// The point whose E-step the run waits for; `None` once it has ended.
    fn pending(&self) -> Option<&SlotParams> {
        match &self.stage {
            Stage::Start => Some(&self.sp),
            Stage::One { p1, .. } => Some(p1),
            Stage::Jump { jump, .. } => Some(jump),
            Stage::Two { p2 } => Some(p2),
            Stage::Done(_) => None,
        }
    }

    /// Where the run ended, once it has.
    fn result(&self) -> Option<EmResult> {
        match self.stage {
            Stage::Done(result) => Some(result),
            _ => None,
        }
    }

    /// Takes the E-step (counts and objective) at [`EmRun::pending`] and moves on.
    fn receive(
        &mut self,
        (counts, objective): (Counts, f64),
        options: &FitOptions,
        fixed: Option<&std::collections::BTreeMap<ParamName, f64>>,
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

/// The model of one skill from its slot parameters: slot 0 gives the skill's own values; its
/// prior is the class-weighted mean of the class priors (`class_weights = [1.0]` without a
/// learner prior).
pub(crate) fn skill_model(
    data: &SkillData<'_>,
    log: &InteractionLog,
    sp: &SlotParams,
    class_weights: &[f64],
    stats: SkillStats,
) -> SkillModel {
    let classes = sp.prior.len();
    let params = Params {
        prior: sp
            .prior
            .iter()
            .zip(class_weights)
            .map(|(p, w)| p * w)
            .sum::<f64>(),
        learn: sp.learn[0],
        forget: sp.forget[0],
        guess: sp.guess[0],
        slip: sp.slip[0],
    };
    let mut items = Vec::new();
    if data.per_item_emit || data.per_item_trans {
        for (k, &item) in data.items.iter().enumerate().skip(1) {
            let e = if data.per_item_emit { k } else { 0 };
            let t = if data.per_item_trans { k } else { 0 };
            items.push(ItemParams {
                id: log.items().name(item).to_owned(),
                guess: sp.guess[e],
                slip: sp.slip[e],
                learn: sp.learn[t],
                forget: sp.forget[t],
            });
        }
        items.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let class_priors = if classes > 1 {
        sp.prior.clone()
    } else {
        Vec::new()
    };
    SkillModel::new(
        log.skills().name(data.skill),
        params,
        items,
        class_priors,
        stats,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bkt::testdata::cohort;
    use crate::log::{LogBuilder, RawRow};
    use proptest::prelude::*;

    fn go(_: Progress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }

    fn all_variants() -> Vec<Variant> {
        let mut out = Vec::new();
        for bits in 0..16u8 {
            out.push(Variant {
                forgets: bits & 1 != 0,
                item_guess_slip: bits & 2 != 0,
                item_learn: bits & 4 != 0,
                learner_prior: bits & 8 != 0,
            });
        }
        out
    }

    #[test]
    fn validate_rejects_zero_restarts_and_non_positive_tol() {
        let bad = [
            FitOptions {
                restarts: 0,
                ..FitOptions::default()
            },
            FitOptions {
                restarts: MAX_RESTARTS + 1,
                ..FitOptions::default()
            },
            FitOptions {
                tol: 0.0,
                ..FitOptions::default()
            },
            FitOptions {
                tol: -1.0,
                ..FitOptions::default()
            },
            FitOptions {
                max_iter: 0,
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts::with_weight(-1.0),
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts::with_weight(f64::NAN),
                ..FitOptions::default()
            },
            FitOptions {
                pseudo_counts: PseudoCounts {
                    at: Params {
                        guess: 0.0,
                        ..Params::default()
                    },
                    ..PseudoCounts::default()
                },
                ..FitOptions::default()
            },
        ];
        for o in bad {
            assert!(matches!(o.validate(), Err(Error::Config(_))), "{o:?}");
        }
        FitOptions::default().validate().unwrap();
    }

    #[test]
    fn pseudo_counts_keep_a_skill_with_little_data_off_the_degenerate_corners() {
        // Three learners who answer everything right after a first wrong answer: maximum
        // likelihood learns in one step with certainty (learn → 1) and never guesses.
        let mut b = LogBuilder::new();
        for learner in ["a", "b", "c"] {
            for (t, c) in [false, true, true, true].into_iter().enumerate() {
                b.push(RawRow {
                    learner,
                    skills: &["s"],
                    item: None,
                    correct: c,
                    order: t as i64,
                    group: None,
                });
            }
        }
        let log = b.build();
        let go = |_| ControlFlow::Continue(());
        let with = |pseudo_counts| FitOptions {
            pseudo_counts,
            ..FitOptions::default()
        };
        let ml = fit(&log, &with(PseudoCounts::none()), go).unwrap();
        let map = fit(&log, &with(PseudoCounts::default()), go).unwrap();
        let (p_ml, p_map) = (
            ml.skill("s").unwrap().params(),
            map.skill("s").unwrap().params(),
        );
        assert!(p_ml.learn > 0.99 && p_ml.guess < 1e-3, "{p_ml:?}");
        assert!(p_map.learn < 0.9 && p_map.guess > 0.05, "{p_map:?}");
        // The pseudo-counts cost likelihood on the training data, and the model says how it was fitted.
        assert!(
            map.skill("s").unwrap().stats().log_likelihood
                < ml.skill("s").unwrap().stats().log_likelihood
        );
        assert_eq!(map.fit_info().pseudo_counts, 5.0);
        assert_eq!(ml.fit_info().pseudo_counts, 0.0);
    }

    #[test]
    fn json_is_byte_identical_for_one_and_two_threads_in_every_variant() {
        // 2,500 learners × 16 attempts: one skill spans several blocks.
        let log = cohort(2500, 2, 16..=16, 4, 0.03, 5);
        assert!(log.skill_observations(0) > em::BLOCK_OBSERVATIONS);
        for variant in [
            Variant::default(),
            Variant {
                forgets: true,
                item_guess_slip: true,
                item_learn: true,
                learner_prior: true,
            },
        ] {
            let options = FitOptions {
                variant,
                restarts: 2,
                max_iter: 30,
                ..FitOptions::default()
            };
            let run = |threads| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| fit(&log, &options, go)).unwrap().to_json()
            };
            assert_eq!(run(1), run(2), "{variant:?}");
        }
    }

    #[test]
    fn every_variant_combination_fits_to_valid_probabilities() {
        let log = cohort(120, 2, 3..=12, 3, 0.05, 11);
        for variant in all_variants() {
            let options = FitOptions {
                variant,
                restarts: 2,
                ..FitOptions::default()
            };
            let model = fit(&log, &options, go).unwrap();
            let text = model.to_json();
            let back = Model::from_json(&text, "m.json").unwrap();
            assert_eq!(back.variant(), variant);
            for s in model.skills() {
                let p = s.params();
                assert!(p.guess < 0.5 && p.slip < 0.5, "{variant:?}: {p:?}");
                assert!(s.stats().log_likelihood.is_finite());
                assert_eq!(
                    s.items().is_empty(),
                    !(variant.item_guess_slip || variant.item_learn)
                );
                assert_eq!(p.forget == 0.0, !variant.forgets);
                assert_eq!(
                    s.class_priors().len(),
                    if variant.learner_prior { 2 } else { 0 }
                );
            }
        }
    }

    #[test]
    fn skills_with_too_little_data_get_a_flagged_finite_model() {
        let mut b = LogBuilder::new();
        for (l, skill, c) in [
            ("a", "easy", true),
            ("a", "easy", true),
            ("b", "easy", true),
            ("a", "hard", false),
        ] {
            b.push(RawRow {
                learner: l,
                skills: &[skill],
                item: None,
                correct: c,
                order: 0,
                group: None,
            });
        }
        let log = b.build();
        for bounds in [Bounds::default(), Bounds::none()] {
            let options = FitOptions {
                bounds,
                variant: Variant {
                    forgets: true,
                    ..Variant::default()
                },
                ..FitOptions::default()
            };
            let model = fit(&log, &options, go).unwrap();
            let easy = model.skill("easy").unwrap();
            use FitFlag::*;
            assert!(
                easy.flags()
                    .starts_with(&[FewLearners, FewObservations, AllCorrect]),
                "{:?}",
                easy.flags()
            );
            let hard = model.skill("hard").unwrap();
            assert!(
                hard.flags()
                    .starts_with(&[FewLearners, FewObservations, AllIncorrect]),
                "{:?}",
                hard.flags()
            );
            for s in model.skills() {
                let p = s.params();
                for v in [
                    p.prior,
                    p.learn,
                    p.forget,
                    p.guess,
                    p.slip,
                    s.stats().log_likelihood,
                ] {
                    assert!(v.is_finite(), "{p:?}");
                }
            }
        }
    }

    #[test]
    fn progress_callback_can_cancel() {
        let log = cohort(50, 3, 5..=5, 0, 0.0, 1);
        let calls = AtomicUsize::new(0);
        let result = fit(&log, &FitOptions::default(), |p| {
            assert_eq!(p.skills_total, 3);
            if calls.fetch_add(1, Ordering::Relaxed) >= 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert!(matches!(result, Err(Error::Cancelled)));
    }

    #[test]
    fn fixed_parameters_are_held_and_warm_start_is_used() {
        let log = cohort(200, 1, 5..=10, 0, 0.0, 2);
        let fixed =
            FixedParams::from_json(r#"{"s0": {"guess": 0.25, "learn": 0.1}}"#, "f").unwrap();
        let options = FitOptions {
            fixed,
            ..FitOptions::default()
        };
        let model = fit(&log, &options, go).unwrap();
        let p = model.skill("s0").unwrap().params();
        assert_eq!((p.guess, p.learn), (0.25, 0.1));
        // Warm-starting from the converged model converges at once to the same optimum.
        let warm = FitOptions {
            warm_start: Some(model.clone()),
            restarts: 1,
            ..options
        };
        let again = fit(&log, &warm, go).unwrap();
        let s = again.skill("s0").unwrap();
        assert!(s.stats().iterations <= 2, "{}", s.stats().iterations);
        assert!((s.params().slip - p.slip).abs() < 1e-4);
    }

    #[test]
    fn bounds_none_lets_guess_pass_one_half_on_inverted_data() {
        // Learners who start right and end wrong: unconstrained EM puts guess above 0.5.
        let mut b = LogBuilder::new();
        for l in 0..200 {
            let name = format!("l{l}");
            for t in 0..8 {
                b.push(RawRow {
                    learner: &name,
                    skills: &["s"],
                    item: None,
                    correct: (t < 4) ^ (l % 7 == 0),
                    order: t,
                    group: None,
                });
            }
        }
        let log = b.build();
        let free = FitOptions {
            bounds: Bounds::none(),
            ..FitOptions::default()
        };
        let p_free = *fit(&log, &free, go).unwrap().skill("s").unwrap().params();
        let p_def = *fit(&log, &FitOptions::default(), go)
            .unwrap()
            .skill("s")
            .unwrap()
            .params();
        assert!(p_free.guess > 0.5 || p_free.slip > 0.5, "{p_free:?}");
        assert!(p_def.guess <= 0.5 - GUESS_SLIP_MARGIN_FOR_TEST && p_def.slip < 0.5);
    }

    const GUESS_SLIP_MARGIN_FOR_TEST: f64 = super::super::params::GUESS_SLIP_MARGIN;

    /// Runs EM by hand and returns its objective (the log-likelihood, plus the pseudo-counts'
    /// log prior) at every iteration.
    fn trace(log: &InteractionLog, options: &FitOptions, restart: u32) -> Vec<f64> {
        let mut out = Vec::new();
        for s in 0..log.skills().len() as u32 {
            let data = SkillData::new(log, s, options.variant);
            let mut sp = start_params(&data, log, options, restart, 1);
            for i in 0..25 {
                let counts = e_step(&data, &sp, None);
                if out.len() <= i {
                    out.push(0.0);
                }
                out[i] += objective(&counts, &sp, options);
                m_step(&counts, &mut sp, options, None);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn em_never_lowers_its_objective(
            seed in 0u64..1000,
            restart in 0u32..4,
            forget in 0.0f64..0.1,
            variant in 0usize..8,
            unbounded in any::<bool>(),
            pseudo_counts in prop::sample::select(vec![0.0, 5.0, 50.0]),
        ) {
            // Without pseudo-counts the objective is the log-likelihood itself.
            let log = cohort(40, 2, 1..=15, 3, forget, seed);
            let options = FitOptions {
                variant: all_variants()[variant],
                bounds: if unbounded { Bounds::none() } else { Bounds::default() },
                pseudo_counts: PseudoCounts::with_weight(pseudo_counts),
                seed,
                ..FitOptions::default()
            };
            let lls = trace(&log, &options, restart);
            for w in lls.windows(2) {
                prop_assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "{:?}", lls);
            }
        }

        #[test]
        fn learner_prior_em_never_lowers_its_objective(
            seed in 0u64..1000,
            pseudo_counts in prop::sample::select(vec![0.0, 5.0, 50.0]),
        ) {
            let log = cohort(60, 3, 2..=10, 0, 0.0, seed);
            let lls = std::sync::Mutex::new(Vec::new());
            let options = FitOptions {
                variant: Variant { learner_prior: true, ..Variant::default() },
                pseudo_counts: PseudoCounts::with_weight(pseudo_counts),
                restarts: 1,
                max_iter: 30,
                tol: 1e-12,
                seed,
                ..FitOptions::default()
            };
            super::super::mixture::fit_mixture_traced(&log, &options, &|ll| lls.lock().unwrap().push(ll)).unwrap();
            let lls = lls.into_inner().unwrap();
            prop_assert!(lls.len() > 2);
            for w in lls.windows(2) {
                prop_assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "{:?}", lls);
            }
        }
    }
}
