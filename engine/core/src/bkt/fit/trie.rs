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

use wide::{CmpLt, f64x4};

use super::counts::{Counts, LikelihoodSum};

/// The parent index of a depth-one node (its parent is the empty prefix).
const ROOT: u32 = u32::MAX;

/// The distinct response prefixes of a set of sequences, breadth first (a parent before its
/// children, the wrong answer's child before the right one's).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PatternTrie {
    /// Parent node of each node ([`ROOT`] at depth one).
    parent: Vec<u32>,
    /// The response (0 or 1) that leads into each node.
    correct: Vec<u8>,
    /// How many sequences end at each node.
    ends: Vec<u32>,
    /// How many sequences pass through (or end at) each node.
    through: Vec<u32>,
    /// The nodes grouped by their `through` count, `(count, nodes)` in ascending count, for the
    /// log-likelihood `Σ_count count · ln Π_{run} s_n`.
    by_through: Vec<(u32, Vec<u32>)>,
    /// Sequences with no observation (they count towards the prior only).
    empty: u32,
    /// Every sequence, empty ones included.
    sequences: u32,
}

/// Parameter sets side by side: `f64` is one, [`f64x4`] four (SIMD lanes; the same IEEE
/// operations lane by lane).
trait Lanes:
    Copy
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
    + std::ops::MulAssign
{
    /// The number of lanes.
    const N: usize;
    fn splat(x: f64) -> Self;
    /// Lane `k` from `f(k)`.
    fn from_fn(f: impl FnMut(usize) -> f64) -> Self;
    fn lane(self, k: usize) -> f64;
    /// Whether any lane is below `x`.
    fn any_below(self, x: f64) -> bool;
}

impl Lanes for f64 {
    const N: usize = 1;
    fn splat(x: f64) -> Self {
        x
    }
    fn from_fn(mut f: impl FnMut(usize) -> f64) -> Self {
        f(0)
    }
    fn lane(self, _k: usize) -> f64 {
        self
    }
    fn any_below(self, x: f64) -> bool {
        self < x
    }
}

impl Lanes for f64x4 {
    const N: usize = 4;
    fn splat(x: f64) -> Self {
        f64x4::splat(x)
    }
    fn from_fn(mut f: impl FnMut(usize) -> f64) -> Self {
        f64x4::from([f(0), f(1), f(2), f(3)])
    }
    fn lane(self, k: usize) -> f64 {
        self.to_array()[k]
    }
    fn any_below(self, x: f64) -> bool {
        self.cmp_lt(f64x4::splat(x)).any()
    }
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
            by_through: Vec::new(),
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
        let mut by_count: Vec<u32> = (0..nodes as u32).collect();
        by_count.sort_by_key(|&n| trie.through[n as usize]);
        for n in by_count {
            let count = trie.through[n as usize];
            match trie.by_through.last_mut() {
                Some((c, run)) if *c == count => run.push(n),
                _ => trie.by_through.push((count, vec![n])),
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
        self.walk::<f64>(&[*emit], &[*trans], &[prior], [counts]);
    }

    /// [`PatternTrie::e_step`] for four parameter sets at once (a skill's restarts), in SIMD
    /// lanes: one walk over the nodes does every step for the four side by side. Each lane gets
    /// exactly the counts of its own `e_step` (the same operations in the same order).
    pub fn e_step_x4(
        &self,
        emit: &[[f64; 4]; 4],
        trans: &[[f64; 4]; 4],
        prior: [f64; 4],
        counts: [&mut Counts; 4],
    ) {
        self.walk::<f64x4>(emit, trans, &prior, counts);
    }

    /// The E-step for `V::N` parameter sets, one per lane of `V`.
    fn walk<'c, V: Lanes>(
        &self,
        emit: &[[f64; 4]],
        trans: &[[f64; 4]],
        prior: &[f64],
        counts: impl IntoIterator<Item = &'c mut Counts>,
    ) {
        let n = self.nodes();
        let learn = V::from_fn(|k| trans[k][0]);
        let unlearnt = V::from_fn(|k| trans[k][1]);
        let forget = V::from_fn(|k| trans[k][2]);
        let kept = V::from_fn(|k| trans[k][3]);
        // Emission of response c while unknown (e_u[c]) and known (e_k[c]).
        let e_u = [V::from_fn(|k| emit[k][0]), V::from_fn(|k| emit[k][1])];
        let e_k = [V::from_fn(|k| emit[k][2]), V::from_fn(|k| emit[k][3])];
        let one = V::splat(1.0);
        let start = V::from_fn(|k| prior[k]);
        let mut filt = vec![V::splat(0.0); n];
        let mut inv_s = vec![V::splat(0.0); n];
        let mut norm = vec![V::splat(0.0); n];
        for t in 0..n {
            let p = self.parent[t];
            let pred = if p == ROOT {
                start
            } else {
                let f = filt[p as usize];
                f * kept + (one - f) * learn
            };
            let c = usize::from(self.correct[t] & 1);
            let b0 = (one - pred) * e_u[c];
            let b1 = pred * e_k[c];
            let s = b0 + b1;
            let inv = one / s;
            filt[t] = b1 * inv;
            inv_s[t] = inv;
            norm[t] = s;
        }
        let ll = self.log_likelihood(&norm);

        let mut back: Vec<[V; 2]> = self
            .ends
            .iter()
            .map(|&e| [V::splat(f64::from(e)); 2])
            .collect();
        let mut e_acc = [V::splat(0.0); 4];
        let mut t_acc = [V::splat(0.0); 4];
        let mut prior_known = V::splat(0.0);
        for t in (0..n).rev() {
            let [b0, b1] = back[t];
            let f = filt[t];
            let c = self.correct[t];
            let (g0, g1) = ((one - f) * b0, f * b1);
            let cf = V::splat(f64::from(c));
            e_acc[0] += g0 * cf;
            e_acc[1] += g0;
            e_acc[2] += g1 * (one - cf);
            e_acc[3] += g1;
            let p = self.parent[t];
            if p == ROOT {
                prior_known += g1;
                continue;
            }
            let c = usize::from(c & 1);
            let v0 = e_u[c] * b0 * inv_s[t];
            let v1 = e_k[c] * b1 * inv_s[t];
            let tv0 = unlearnt * v0 + learn * v1;
            let tv1 = forget * v0 + kept * v1;
            let p = p as usize;
            back[p][0] += tv0;
            back[p][1] += tv1;
            let fp = filt[p];
            t_acc[0] += (one - fp) * learn * v1;
            t_acc[1] += (one - fp) * tv0;
            t_acc[2] += fp * forget * v0;
            t_acc[3] += fp * tv1;
        }
        let empty = f64::from(self.empty);
        for (k, counts) in counts.into_iter().take(V::N).enumerate() {
            counts.ll += ll[k];
            counts.prior_known[0] += prior_known.lane(k) + empty * prior[k];
            counts.prior_total[0] += f64::from(self.sequences);
            for j in 0..4 {
                counts.emit[0][j] += e_acc[j].lane(k);
                counts.trans[0][j] += t_acc[j].lane(k);
            }
        }
    }

    /// Each lane's `Σ_n through_n · ln s_n` from the nodes' normalisers `s`, as
    /// `Σ_count count · ln Π_{nodes with that count} s_n`: one logarithm per distinct count (and
    /// one per product that would underflow), no branch per node on its count.
    fn log_likelihood<V: Lanes>(&self, norm: &[V]) -> Vec<f64> {
        let floor = LikelihoodSum::RENORMALISE_BELOW;
        let mut ll = vec![0.0f64; V::N];
        for (count, run) in &self.by_through {
            let mut logs = vec![0.0f64; V::N];
            let mut product = V::splat(1.0);
            for &node in run {
                product *= norm[node as usize];
                if product.any_below(floor) {
                    product = V::from_fn(|k| {
                        let p = product.lane(k);
                        if p < floor {
                            logs[k] += p.ln();
                            1.0
                        } else {
                            p
                        }
                    });
                }
            }
            for (k, total) in ll.iter_mut().enumerate() {
                *total += f64::from(*count) * (logs[k] + product.lane(k).ln());
            }
        }
        ll
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
    fn four_lanes_give_each_parameter_set_its_own_e_step() {
        let mut seqs = sequences();
        seqs.push((0..3000u32).map(|t| u8::from(t % 4 != 0)).collect());
        let trie = PatternTrie::new(seqs.iter().map(Vec::as_slice));
        let sets = [
            (0.3, 0.2, 0.0, 0.25, 0.1),
            (0.6, 0.05, 0.08, 0.4, 0.3),
            (0.01, 0.9, 0.5, 0.01, 0.01),
            (0.5, 1e-6, 1e-6, 1e-6, 1e-6),
        ];
        let emit = sets.map(|(_, _, _, g, s)| em::emission_row(g, s));
        let trans = sets.map(|(_, l, f, _, _)| em::transition_row(l, f));
        let prior = sets.map(|(p, ..)| p);
        let mut lanes: [Counts; 4] = std::array::from_fn(|_| Counts::zero(1, 1, 1));
        let [a, b, c, d] = &mut lanes;
        trie.e_step_x4(&emit, &trans, prior, [a, b, c, d]);
        for k in 0..4 {
            let mut one = Counts::zero(1, 1, 1);
            trie.e_step(&emit[k], &trans[k], prior[k], &mut one);
            // The same operations lane by lane: the same counts, to the bit.
            assert_eq!(lanes[k], one, "lane {k}");
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
