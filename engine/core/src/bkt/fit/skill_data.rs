//! One skill's training data laid out for the E-step (sequences by length, blocks, pattern tries,
//! item slots), and the skill's model from its fitted slot parameters.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::em;
use super::slot_params::SlotParams;
use super::trie::PatternTrie;
use crate::bkt::fit_flags::FitFlag;
use crate::bkt::model::{ItemParams, SkillModel, SkillStats};
use crate::bkt::params::{Params, Variant};
use crate::log::{InteractionLog, NONE_ID, Sequence};

/// One skill's training data, cut into blocks, with per-observation item slots when the variant
/// has per-item parameters (slot 0 = observations without an item; slots 1.. = items in order of
/// first appearance).
pub(super) struct SkillData<'a> {
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
    pub(super) fn new(log: &'a InteractionLog, skill: u32, variant: Variant) -> Self {
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

    pub(super) fn n_emit(&self) -> usize {
        if self.per_item_emit {
            self.items.len()
        } else {
            1
        }
    }

    pub(super) fn n_trans(&self) -> usize {
        if self.per_item_trans {
            self.items.len()
        } else {
            1
        }
    }

    pub(super) fn seq_slots(&self, q: usize) -> &[u32] {
        if self.slots.is_empty() {
            &[]
        } else {
            let start = self.offsets[q];
            &self.slots[start..start + self.seqs[q].correct.len()]
        }
    }

    /// The skill's statistics after a fit that ended at this log-likelihood, with the flags that
    /// need the responses ([`SkillModel::new`] adds the others).
    pub(super) fn stats(
        &self,
        log_likelihood: f64,
        iterations: u32,
        converged: bool,
    ) -> SkillStats {
        let responses = Responses {
            observations: self.observations,
            correct: self.correct,
            learners: self.seqs.len() as u64,
        };
        responses.stats(log_likelihood, iterations, converged)
    }
}

/// How many responses (and correct ones) a skill's fit read, from how many learners.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Responses {
    pub observations: u64,
    pub correct: u64,
    pub learners: u64,
}

impl Responses {
    /// The skill's statistics after a fit of these responses that ended at this log-likelihood,
    /// with the flags that need the responses ([`SkillModel::new`] adds the others).
    pub(super) fn stats(self, log_likelihood: f64, iterations: u32, converged: bool) -> SkillStats {
        let flags = if self.correct == self.observations {
            vec![FitFlag::AllCorrect]
        } else if self.correct == 0 {
            vec![FitFlag::AllIncorrect]
        } else {
            Vec::new()
        };
        SkillStats {
            log_likelihood,
            observations: self.observations,
            learners: self.learners,
            iterations,
            converged,
            flags,
        }
    }

    /// Adds `other`'s counts (another partition's learners) to these.
    pub(super) fn add(&mut self, other: Responses) {
        self.observations += other.observations;
        self.correct += other.correct;
        self.learners += other.learners;
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

/// The model of one skill from its slot parameters: slot 0 gives the skill's own values; its
/// prior is the class-weighted mean of the class priors (`class_weights = [1.0]` without a
/// learner prior).
pub(super) fn skill_model(
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
