//! Response-pattern tries: a skill's sequences merged on their shared prefixes, so that an E-step
//! visits every distinct prefix once instead of every observation.
//!
//! With one parameter set per skill (standard BKT and BKT with forgetting), the filtered state
//! after a prefix of responses depends only on that prefix, and the expected counts of all
//! sequences are linear in a backward quantity that sums over the sequences through a node. So the
//! exact forward–backward of N sequences runs over the trie of their response patterns:
//!
//! - forward, parents before children: `filt_n = P(known | prefix n)` and the step's normaliser
//!   `s_n = P(response at n | the prefix before it)`;
//! - backward, children before parents: `B_n = ends_n·1 + Σ_children T·(e(o_c) ⊙ B_c) / s_c`, the
//!   scaled sum of the backward messages `β/P(sequence)` of every sequence through `n`;
//! - then `Σ γ` at node `n` is `filt_n ⊙ B_n`, the transitions into child `c` sum to
//!   `filt_n(i) T(i, j) e_j(o_c) B_c(j) / s_c`, and the log-likelihood is `Σ_n through_n · ln s_n`.
//!
//! Learners' sequences of a skill are short and repetitive (right answers after mastery, a few
//! wrong ones before), so the trie has far fewer nodes than the log has observations: 2.4× on
//! ASSISTments 2009, 10× on a generated cohort with 5–15 attempts per skill. The nodes are stored
//! breadth first, so neighbouring nodes do not depend on each other and their arithmetic overlaps.

use super::em::{Counts, LikelihoodSum};

/// The parent index of a depth-one node (its parent is the empty prefix).
const ROOT: u32 = u32::MAX;

/// The distinct response prefixes of a set of sequences, breadth first (a parent before its
/// children, the wrong answer's child before the right one's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PatternTrie {
    /// Parent node of each node ([`ROOT`] at depth one).
    parent: Vec<u32>,
    /// The response (0 or 1) that leads into each node.
    correct: Vec<u8>,
    /// How many sequences end at each node.
    ends: Vec<u32>,
    /// How many sequences pass through (or end at) each node.
    through: Vec<u32>,
    /// Sequences with no observation (they count towards the prior only).
    empty: u32,
    /// Every sequence, empty ones included.
    sequences: u32,
}

impl PatternTrie {
    /// The trie of `sequences` (each a slice of 0/1 responses; only the low bit is read).
    pub fn new<'a>(sequences: impl IntoIterator<Item = &'a [u8]>) -> Self {
        // Build with child links (index 0 = the empty prefix), then renumber breadth first.
        let mut children: Vec<[u32; 2]> = vec![[0, 0]];
        let mut ends: Vec<u32> = vec![0];
        for seq in sequences {
            let mut node = 0usize;
            for &c in seq {
                let c = usize::from(c & 1);
                let next = children[node][c];
                node = if next == 0 {
                    let id = children.len();
                    children[node][c] = id as u32;
                    children.push([0, 0]);
                    ends.push(0);
                    id
                } else {
                    next as usize
                };
            }
            ends[node] += 1;
        }
        let nodes = children.len() - 1;
        let mut trie = Self {
            parent: Vec::with_capacity(nodes),
            correct: Vec::with_capacity(nodes),
            ends: Vec::with_capacity(nodes),
            through: vec![0; nodes],
            empty: ends[0],
            sequences: ends.iter().sum(),
        };
        // Breadth first: `order` lists the build indices in their new order.
        let mut order: Vec<u32> = Vec::with_capacity(nodes);
        let mut head = 0usize;
        let visit = |build: usize, parent: u32, trie: &mut Self, order: &mut Vec<u32>| {
            for (c, &child) in children[build].iter().enumerate() {
                if child != 0 {
                    trie.parent.push(parent);
                    trie.correct.push(c as u8);
                    trie.ends.push(ends[child as usize]);
                    order.push(child);
                }
            }
        };
        visit(0, ROOT, &mut trie, &mut order);
        while head < order.len() {
            visit(order[head] as usize, head as u32, &mut trie, &mut order);
            head += 1;
        }
        for n in (0..nodes).rev() {
            trie.through[n] += trie.ends[n];
            if trie.parent[n] != ROOT {
                let through = trie.through[n];
                trie.through[trie.parent[n] as usize] += through;
            }
        }
        trie
    }

    /// Number of distinct non-empty prefixes.
    pub fn nodes(&self) -> usize {
        self.parent.len()
    }

    /// Forward–backward of every sequence at once with one parameter set: adds the expected counts
    /// into slot 0 of `counts` (class 0) and the log-likelihood into `counts.ll`.
    ///
    /// `emit` and `trans` are the rows of [`super::em::emission_row`] and
    /// [`super::em::transition_row`].
    pub fn e_step(&self, emit: &[f64; 4], trans: &[f64; 4], prior: f64, counts: &mut Counts) {
        let n = self.nodes();
        let [learn, unlearnt, forget, kept] = *trans;
        let mut filt = vec![0.0f64; n];
        let mut inv_s = vec![0.0f64; n];
        let mut ll = LikelihoodSum::new();
        for t in 0..n {
            let p = self.parent[t];
            let pred = if p == ROOT {
                prior
            } else {
                let f = filt[p as usize];
                f * kept + (1.0 - f) * learn
            };
            let c = usize::from(self.correct[t] & 1);
            let b0 = (1.0 - pred) * emit[c];
            let b1 = pred * emit[2 + c];
            let s = b0 + b1;
            let inv = 1.0 / s;
            filt[t] = b1 * inv;
            inv_s[t] = inv;
            ll.add_power(s, self.through[t]);
        }

        let mut back: Vec<[f64; 2]> = self.ends.iter().map(|&e| [f64::from(e); 2]).collect();
        let (mut e_acc, mut t_acc) = ([0.0f64; 4], [0.0f64; 4]);
        let mut prior_known = 0.0;
        for t in (0..n).rev() {
            let [b0, b1] = back[t];
            let f = filt[t];
            let c = self.correct[t];
            let (g0, g1) = ((1.0 - f) * b0, f * b1);
            let cf = f64::from(c);
            e_acc[0] += g0 * cf;
            e_acc[1] += g0;
            e_acc[2] += g1 * (1.0 - cf);
            e_acc[3] += g1;
            let p = self.parent[t];
            if p == ROOT {
                prior_known += g1;
                continue;
            }
            let c = usize::from(c & 1);
            let v0 = emit[c] * b0 * inv_s[t];
            let v1 = emit[2 + c] * b1 * inv_s[t];
            let tv0 = unlearnt * v0 + learn * v1;
            let tv1 = forget * v0 + kept * v1;
            let p = p as usize;
            back[p][0] += tv0;
            back[p][1] += tv1;
            let fp = filt[p];
            t_acc[0] += (1.0 - fp) * learn * v1;
            t_acc[1] += (1.0 - fp) * tv0;
            t_acc[2] += fp * forget * v0;
            t_acc[3] += fp * tv1;
        }
        let empty = f64::from(self.empty);
        counts.ll += ll.total();
        counts.prior_known[0] += prior_known + empty * prior;
        counts.prior_total[0] += f64::from(self.sequences);
        for k in 0..4 {
            counts.emit[0][k] += e_acc[k];
            counts.trans[0][k] += t_acc[k];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::em::{self, Tied};
    use super::*;

    fn sequences() -> Vec<Vec<u8>> {
        vec![
            vec![0, 1, 1],
            vec![0, 1, 1, 1],
            vec![0, 1],
            vec![1, 1, 1],
            vec![0, 0, 1, 1, 0, 1],
            vec![0, 1, 1],
            vec![],
            vec![1],
            vec![1, 0, 0, 0, 0, 0, 0, 0, 1],
        ]
    }

    #[test]
    fn trie_holds_each_distinct_prefix_once_breadth_first() {
        let trie = PatternTrie::new([&[0u8, 1, 1][..], &[0, 1], &[1], &[0, 1, 1], &[]]);
        // Prefixes: 0, 1, 01, 011.
        assert_eq!(trie.nodes(), 4);
        assert_eq!(trie.parent, [ROOT, ROOT, 0, 2]);
        assert_eq!(trie.correct, [0, 1, 1, 1]);
        assert_eq!(trie.ends, [0, 1, 1, 2]);
        assert_eq!(trie.through, [3, 1, 3, 2]);
        assert_eq!(trie.empty, 1);
    }

    #[test]
    fn trie_e_step_equals_forward_backward_over_every_sequence() {
        let seqs = sequences();
        for (prior, learn, forget, guess, slip) in [
            (0.3, 0.2, 0.0, 0.25, 0.1),
            (0.6, 0.05, 0.08, 0.4, 0.3),
            (0.01, 0.9, 0.5, 0.01, 0.01),
        ] {
            let emit = em::emission_row(guess, slip);
            let trans = em::transition_row(learn, forget);
            let mut reference = Counts::zero(1, 1, 1);
            let mut buf = Vec::new();
            let mut lls = LikelihoodSum::new();
            for s in &seqs {
                let (l, g0) = em::forward_backward(
                    &[emit],
                    &[trans],
                    prior,
                    1.0,
                    s,
                    Tied,
                    Tied,
                    &mut buf,
                    &mut reference.emit,
                    &mut reference.trans,
                );
                lls.add(l);
                reference.prior_known[0] += g0;
                reference.prior_total[0] += 1.0;
            }
            reference.ll = lls.total();
            let mut got = Counts::zero(1, 1, 1);
            PatternTrie::new(seqs.iter().map(Vec::as_slice)).e_step(&emit, &trans, prior, &mut got);
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
            assert!(
                close(got.ll, reference.ll),
                "{} vs {}",
                got.ll,
                reference.ll
            );
            assert!(close(got.prior_known[0], reference.prior_known[0]));
            assert_eq!(got.prior_total, reference.prior_total);
            for k in 0..4 {
                assert!(
                    close(got.emit[0][k], reference.emit[0][k]),
                    "emit {k}: {got:?} vs {reference:?}"
                );
                assert!(
                    close(got.trans[0][k], reference.trans[0][k]),
                    "trans {k}: {got:?} vs {reference:?}"
                );
            }
        }
    }

    #[test]
    fn trie_e_step_handles_long_sequences_without_underflow() {
        let long: Vec<u8> = (0..20_000u32).map(|t| u8::from(t % 3 != 0)).collect();
        let emit = em::emission_row(1e-6, 1e-6);
        let trans = em::transition_row(1e-6, 0.0);
        let mut got = Counts::zero(1, 1, 1);
        PatternTrie::new([long.as_slice(), &long[..100]]).e_step(&emit, &trans, 0.5, &mut got);
        assert!(got.ll.is_finite() && got.ll < -10_000.0, "{}", got.ll);
        assert!((got.emit[0][1] + got.emit[0][3] - 20_100.0).abs() < 1e-6);
        assert!(got.trans[0].iter().all(|v| v.is_finite()));
    }
}
