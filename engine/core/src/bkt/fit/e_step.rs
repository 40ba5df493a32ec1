//! The E-step: a skill's expected counts under given slot parameters, per block of sequences (or
//! per pattern trie) in parallel, summed in a fixed order; and the per-sequence log-likelihoods
//! the learner-prior mixture needs.

use std::ops::Range;

use rayon::prelude::*;

use super::counts::{Counts, Likelihood, LikelihoodSum};
use super::em::{self, PerObs, Slots, Tied};
use super::skill_data::SkillData;
use super::slot_params::SlotParams;
use super::trie::PatternTrie;

/// One E-step over a skill: per-block counts in parallel, summed in block order. `weights`,
/// when given, holds one weight per (sequence, class): `weights[q * classes + c]`.
pub(super) fn e_step(data: &SkillData<'_>, sp: &SlotParams, weights: Option<&[f64]>) -> Counts {
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
        let mut unweighted = LikelihoodSum::new();
        let weight = |q: usize, c: usize| weights.map_or(1.0, |w| w[q * classes + c]);
        let mut record =
            |counts: &mut Counts, (q, c): (usize, usize), (l, g0): (Likelihood, f64)| {
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
pub(super) fn tries_counts(data: &SkillData<'_>, points: &[&SlotParams]) -> Vec<Counts> {
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
pub(super) fn sequence_log_likelihoods(data: &SkillData<'_>, sp: &SlotParams) -> Vec<f64> {
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
