//! The E-step kernel: scaled forward pass and a two-state smoother giving the expected counts
//! EM needs, over flat slices with one reusable buffer (no allocation per sequence).
//!
//! States: 0 = unknown, 1 = known. For observation `t` with correctness `c`, emission
//! `e₀ = P(c | unknown)` (guess or 1 − guess) and `e₁ = P(c | known)` (1 − slip or slip).
//!
//! Forward: `b = a ⊙ e`, `filt_t = b₁ / (b₀ + b₁)` = P(known at t | responses ≤ t), then the
//! transition `a' = bᵀ T`. The mass `a₀ + a₁` is the likelihood so far; it is rescaled (and its
//! logarithm banked) only when it drops below 1e-200, so long sequences never underflow and the
//! logarithm is rarely taken.
//!
//! Backward (a Rauch–Tung–Striebel style smoother for a two-state chain): with
//! `p_{t+1} = filt_t T` the one-step prediction and `γ_{t+1}` the smoothed posterior,
//! `ξ_t(i, j) = filt_t(i) T(i, j) γ_{t+1}(j) / p_{t+1}(j)` and `γ_t(i) = Σ_j ξ_t(i, j)`.
//! The divisions do not depend on `γ`, so they stay off the loop-carried dependency chain.

use super::counts::Likelihood;
use crate::log::Sequence;

/// Likelihood mass below which the forward pass rescales.
const RESCALE_BELOW: f64 = 1e-200;
/// Guards the smoother's divisions when a one-step prediction is exactly 0 (then the matching
/// posterior is 0 too, and the quotient must be 0, not NaN).
const TINY: f64 = 1e-300;

/// Where an observation's parameters come from: one slot per skill ([`Tied`]) or one per item
/// ([`PerObs`], the slot index of each observation).
pub(super) trait Slots: Copy {
    /// True when every observation uses slot 0.
    const TIED: bool;
    /// The slot of observation `t` of the sequence.
    fn at(&self, t: usize) -> usize;
}

/// Every observation uses slot 0.
#[derive(Clone, Copy)]
pub(super) struct Tied;

impl Slots for Tied {
    const TIED: bool = true;
    #[inline(always)]
    fn at(&self, _t: usize) -> usize {
        0
    }
}

/// Observation `t` uses slot `self.0[t]`.
#[derive(Clone, Copy)]
pub(super) struct PerObs<'a>(pub &'a [u32]);

impl Slots for PerObs<'_> {
    const TIED: bool = false;
    #[inline(always)]
    fn at(&self, t: usize) -> usize {
        self.0[t] as usize
    }
}

/// Emission table of one slot: `[P(wrong|unknown), P(right|unknown), P(wrong|known), P(right|known)]`
/// = `[1 − g, g, s, 1 − s]`, indexed by `2·state + correct`.
pub(super) fn emission_row(guess: f64, slip: f64) -> [f64; 4] {
    [1.0 - guess, guess, slip, 1.0 - slip]
}

/// Transition table of one slot: `[learn, 1 − learn, forget, 1 − forget]`.
pub(super) fn transition_row(learn: f64, forget: f64) -> [f64; 4] {
    [learn, 1.0 - learn, forget, 1.0 - forget]
}

/// Emission × transition coefficients of one step for response `c`:
/// `[e₀, e₁, e₁·T₁₁, e₀·T₀₁, e₁·T₁₀, e₀·T₀₀]`, so that the forward recursion's loop-carried
/// chain is one multiply-add per state.
#[inline(always)]
fn coefficients(em: &[f64; 4], tr: &[f64; 4], c: usize) -> [f64; 6] {
    let (e0, e1) = (em[c], em[2 + c]);
    [e0, e1, e1 * tr[3], e0 * tr[0], e1 * tr[2], e0 * tr[1]]
}

/// The forward recursion of one sequence, one step at a time.
struct Forward {
    a0: f64,
    a1: f64,
    ll: f64,
}

impl Forward {
    fn new(prior: f64) -> Self {
        Self {
            a0: 1.0 - prior,
            a1: prior,
            ll: 0.0,
        }
    }

    /// Absorbs one response with coefficients `k`; returns filt_t = P(known at t | responses ≤ t).
    #[inline(always)]
    fn step(&mut self, k: &[f64; 6]) -> f64 {
        let [e0, e1, k11, k01, k10, k00] = *k;
        let b0 = self.a0 * e0;
        let b1 = self.a1 * e1;
        let sum = b0 + b1;
        let (a1, a0) = (self.a1, self.a0);
        self.a1 = a1 * k11 + a0 * k01;
        self.a0 = a1 * k10 + a0 * k00;
        if sum < RESCALE_BELOW {
            self.ll += sum.ln();
            let inv = 1.0 / sum;
            self.a0 *= inv;
            self.a1 *= inv;
        }
        b1 / sum
    }

    fn likelihood(&self) -> Likelihood {
        Likelihood {
            log: self.ll,
            mass: self.a0 + self.a1,
        }
    }
}

/// One step of the backward smoother from filt_t, the transition row and γ_{t+1}(known):
/// returns `[ξ_t(0→1), γ_t(unknown), ξ_t(1→0), γ_t(known)]`.
#[inline(always)]
fn smooth_step(ft: f64, tr: &[f64; 4], g1: f64) -> [f64; 4] {
    let fu = 1.0 - ft;
    let p1 = ft * tr[3] + fu * tr[0];
    let p0 = ft * tr[2] + fu * tr[1];
    // One division for both reciprocals (p0 + p1 = 1, so the product cannot underflow).
    let (p1, p0) = (p1.max(TINY), p0.max(TINY));
    let inv = 1.0 / (p1 * p0);
    let ip1 = p0 * inv;
    let ip0 = p1 * inv;
    let stay = ft * tr[3] * ip1;
    let lose = ft * tr[2] * ip0;
    let gain = fu * tr[0] * ip1;
    // γ_t(known) = ξ(1→1) + ξ(1→0) = stay·g1 + lose·(1 − g1), as one multiply-add on the chain.
    let gt1 = lose + (stay - lose) * g1;
    [gain * g1, 1.0 - gt1, lose * (1.0 - g1), gt1]
}

/// The emission counts of one observation: `[γ(unknown)·c, γ(unknown), γ(known)·(1 − c), γ(known)]`.
#[inline(always)]
fn emit_counts(g1: f64, correct: u8) -> [f64; 4] {
    let c = f64::from(correct & 1);
    [(1.0 - g1) * c, 1.0 - g1, g1 * (1.0 - c), g1]
}

#[inline(always)]
fn add4(acc: &mut [f64; 4], v: [f64; 4]) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a += x;
    }
}

#[inline(always)]
fn add4_weighted(acc: &mut [f64; 4], weight: f64, v: [f64; 4]) {
    for (a, x) in acc.iter_mut().zip(v) {
        *a += weight * x;
    }
}

/// Forward–backward over one sequence: adds `weight ×` its expected counts into `emit_acc` and
/// `trans_acc`, and returns (likelihood, γ₀(known)). `filt` is scratch space, grown as needed.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn forward_backward<E: Slots, T: Slots>(
    emit: &[[f64; 4]],
    trans: &[[f64; 4]],
    prior: f64,
    weight: f64,
    correct: &[u8],
    e_slot: E,
    t_slot: T,
    filt: &mut Vec<f64>,
    emit_acc: &mut [[f64; 4]],
    trans_acc: &mut [[f64; 4]],
) -> (Likelihood, f64) {
    let n = correct.len();
    if n == 0 {
        return (Likelihood::CERTAIN, prior);
    }
    if filt.len() < n {
        filt.resize(n, 0.0);
    }
    let filt = &mut filt[..n];

    let mut forward = Forward::new(prior);
    for t in 0..n {
        let c = usize::from(correct[t] & 1);
        filt[t] = forward.step(&coefficients(&emit[e_slot.at(t)], &trans[t_slot.at(t)], c));
    }

    // Backward smoother. With one slot per skill the counts of the sequence are summed in
    // registers and weighted once at the end.
    let mut le = [0.0f64; 4];
    let mut lt = [0.0f64; 4];
    let mut g1 = filt[n - 1];
    let mut add_emit = |t: usize, g1: f64, le: &mut [f64; 4]| {
        let d = emit_counts(g1, correct[t]);
        if E::TIED {
            add4(le, d);
        } else {
            add4_weighted(&mut emit_acc[e_slot.at(t)], weight, d);
        }
    };
    add_emit(n - 1, g1, &mut le);
    for t in (0..n - 1).rev() {
        let d = smooth_step(filt[t], &trans[t_slot.at(t)], g1);
        if T::TIED {
            add4(&mut lt, d);
        } else {
            add4_weighted(&mut trans_acc[t_slot.at(t)], weight, d);
        }
        g1 = d[3];
        add_emit(t, g1, &mut le);
    }
    if E::TIED {
        add4_weighted(&mut emit_acc[0], weight, le);
    }
    if T::TIED {
        add4_weighted(&mut trans_acc[0], weight, lt);
    }
    (forward.likelihood(), g1)
}

/// One sequence of a [`forward_backward_tied_pair`] call.
pub(super) struct PairInput<'a> {
    pub prior: f64,
    pub weight: f64,
    pub correct: &'a [u8],
}

/// [`forward_backward`] with one slot per skill for two sequences at once, their steps
/// interleaved so that the two recursions' loop-carried latencies overlap (each alone is
/// latency-bound). Adds the first sequence's counts, then the second's, exactly as two calls
/// would: the results are bit-identical.
pub(super) fn forward_backward_tied_pair(
    emit: &[f64; 4],
    trans: &[f64; 4],
    seqs: [PairInput<'_>; 2],
    bufs: &mut [Vec<f64>; 2],
    emit_acc: &mut [f64; 4],
    trans_acc: &mut [f64; 4],
) -> [(Likelihood, f64); 2] {
    let [x, y] = seqs;
    let (nx, ny) = (x.correct.len(), y.correct.len());
    if nx == 0 || ny == 0 {
        return [&x, &y].map(|s| {
            forward_backward(
                std::slice::from_ref(emit),
                std::slice::from_ref(trans),
                s.prior,
                s.weight,
                s.correct,
                Tied,
                Tied,
                &mut bufs[0],
                std::slice::from_mut(emit_acc),
                std::slice::from_mut(trans_acc),
            )
        });
    }
    let [fx_buf, fy_buf] = bufs;
    for (buf, n) in [(&mut *fx_buf, nx), (&mut *fy_buf, ny)] {
        if buf.len() < n {
            buf.resize(n, 0.0);
        }
    }
    let (filt_x, filt_y) = (&mut fx_buf[..nx], &mut fy_buf[..ny]);
    let k = [coefficients(emit, trans, 0), coefficients(emit, trans, 1)];
    let kx = |t: usize| &k[usize::from(x.correct[t] & 1)];
    let ky = |t: usize| &k[usize::from(y.correct[t] & 1)];

    let common = nx.min(ny);
    let (mut fx, mut fy) = (Forward::new(x.prior), Forward::new(y.prior));
    for t in 0..common {
        filt_x[t] = fx.step(kx(t));
        filt_y[t] = fy.step(ky(t));
    }
    for (t, f) in filt_x.iter_mut().enumerate().skip(common) {
        *f = fx.step(kx(t));
    }
    for (t, f) in filt_y.iter_mut().enumerate().skip(common) {
        *f = fy.step(ky(t));
    }

    // Backward, aligned at the ends: step j is t = n − 1 − j in each sequence.
    let (mut ex, mut ey, mut tx_acc, mut ty_acc) = ([0.0; 4], [0.0; 4], [0.0; 4], [0.0; 4]);
    let (mut gx, mut gy) = (filt_x[nx - 1], filt_y[ny - 1]);
    add4(&mut ex, emit_counts(gx, x.correct[nx - 1]));
    add4(&mut ey, emit_counts(gy, y.correct[ny - 1]));
    for j in 1..common {
        let (tx, ty) = (nx - 1 - j, ny - 1 - j);
        let dx = smooth_step(filt_x[tx], trans, gx);
        let dy = smooth_step(filt_y[ty], trans, gy);
        add4(&mut tx_acc, dx);
        add4(&mut ty_acc, dy);
        gx = dx[3];
        gy = dy[3];
        add4(&mut ex, emit_counts(gx, x.correct[tx]));
        add4(&mut ey, emit_counts(gy, y.correct[ty]));
    }
    for t in (0..nx - common).rev() {
        let d = smooth_step(filt_x[t], trans, gx);
        add4(&mut tx_acc, d);
        gx = d[3];
        add4(&mut ex, emit_counts(gx, x.correct[t]));
    }
    for t in (0..ny - common).rev() {
        let d = smooth_step(filt_y[t], trans, gy);
        add4(&mut ty_acc, d);
        gy = d[3];
        add4(&mut ey, emit_counts(gy, y.correct[t]));
    }
    add4_weighted(emit_acc, x.weight, ex);
    add4_weighted(trans_acc, x.weight, tx_acc);
    add4_weighted(emit_acc, y.weight, ey);
    add4_weighted(trans_acc, y.weight, ty_acc);
    [(fx.likelihood(), gx), (fy.likelihood(), gy)]
}

/// The log-likelihood of one sequence (forward pass only).
#[inline]
pub(super) fn log_likelihood<E: Slots, T: Slots>(
    emit: &[[f64; 4]],
    trans: &[[f64; 4]],
    prior: f64,
    correct: &[u8],
    e_slot: E,
    t_slot: T,
) -> f64 {
    let mut a0 = 1.0 - prior;
    let mut a1 = prior;
    let mut ll = 0.0;
    for (t, &c) in correct.iter().enumerate() {
        let c = usize::from(c & 1);
        let em = &emit[e_slot.at(t)];
        let b0 = a0 * em[c];
        let b1 = a1 * em[2 + c];
        let sum = b0 + b1;
        let tr = &trans[t_slot.at(t)];
        a1 = b1 * tr[3] + b0 * tr[0];
        a0 = b1 * tr[2] + b0 * tr[1];
        if sum < RESCALE_BELOW {
            ll += sum.ln();
            let inv = 1.0 / sum;
            a0 *= inv;
            a1 *= inv;
        }
    }
    ll + (a0 + a1).ln()
}

/// A skill's sequences cut into blocks of about [`BLOCK_OBSERVATIONS`] observations; block
/// boundaries depend only on the data, so summing block counts in block order gives the same
/// floating-point result whatever the number of threads.
pub(super) const BLOCK_OBSERVATIONS: usize = 1 << 15;

/// Cuts sequences (in their order) into blocks of at least `size` observations (the last may be
/// smaller). Returns ranges of sequence indices.
pub(super) fn blocks(seqs: &[Sequence<'_>], size: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_block = 0;
    for (i, s) in seqs.iter().enumerate() {
        in_block += s.correct.len();
        if in_block >= size {
            out.push(start..i + 1);
            start = i + 1;
            in_block = 0;
        }
    }
    if start < seqs.len() {
        out.push(start..seqs.len());
    }
    out
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    /// Enumerates all 2^n hidden paths: P(path, obs) summed, and exact posteriors.
    fn brute(p: [f64; 5], obs: &[u8]) -> (f64, Vec<f64>, f64, f64) {
        let [prior, learn, forget, guess, slip] = p;
        let n = obs.len();
        let mut total = 0.0;
        let mut known = vec![0.0; n];
        let mut x01 = 0.0;
        let mut x10 = 0.0;
        for path in 0..(1u32 << n) {
            let k = |t: usize| (path >> t) & 1 == 1;
            let mut pr = if k(0) { prior } else { 1.0 - prior };
            for t in 0..n {
                let pc = if k(t) { 1.0 - slip } else { guess };
                pr *= if obs[t] == 1 { pc } else { 1.0 - pc };
                if t + 1 < n {
                    pr *= match (k(t), k(t + 1)) {
                        (false, false) => 1.0 - learn,
                        (false, true) => learn,
                        (true, false) => forget,
                        (true, true) => 1.0 - forget,
                    };
                }
            }
            total += pr;
            for (t, kt) in known.iter_mut().enumerate() {
                if k(t) {
                    *kt += pr;
                }
            }
            for t in 0..n.saturating_sub(1) {
                match (k(t), k(t + 1)) {
                    (false, true) => x01 += pr,
                    (true, false) => x10 += pr,
                    _ => {}
                }
            }
        }
        for kt in &mut known {
            *kt /= total;
        }
        (total.ln(), known, x01 / total, x10 / total)
    }

    #[test]
    fn forward_backward_matches_path_enumeration() {
        let p = [0.3, 0.2, 0.05, 0.25, 0.1];
        let obs = [0u8, 1, 0, 1, 1, 1, 0, 1];
        let emit = [emission_row(p[3], p[4])];
        let trans = [transition_row(p[1], p[2])];
        let mut buf = Vec::new();
        let mut ea = [[0.0; 4]];
        let mut ta = [[0.0; 4]];
        let (likelihood, g0) = forward_backward(
            &emit, &trans, p[0], 1.0, &obs, Tied, Tied, &mut buf, &mut ea, &mut ta,
        );
        let ll = likelihood.ln();
        let (ll_ref, known, x01, x10) = brute(p, &obs);
        assert!((ll - ll_ref).abs() < 1e-12, "{ll} vs {ll_ref}");
        assert!((g0 - known[0]).abs() < 1e-12);
        let sum_known: f64 = known.iter().sum();
        assert!((ea[0][3] - sum_known).abs() < 1e-12);
        let wrong_known: f64 = known
            .iter()
            .zip(&obs)
            .map(|(k, &o)| if o == 0 { *k } else { 0.0 })
            .sum();
        assert!((ea[0][2] - wrong_known).abs() < 1e-12);
        assert!((ta[0][0] - x01).abs() < 1e-12);
        assert!((ta[0][2] - x10).abs() < 1e-12);
        let known_but_last: f64 = known[..obs.len() - 1].iter().sum();
        assert!((ta[0][3] - known_but_last).abs() < 1e-12);
        let ll_only = log_likelihood(&emit, &trans, p[0], &obs, Tied, Tied);
        assert!((ll_only - ll_ref).abs() < 1e-12);
    }

    #[test]
    fn interleaved_pair_is_bit_identical_to_two_single_calls() {
        let emit = emission_row(0.2, 0.1);
        let trans = transition_row(0.15, 0.03);
        let seq = |n: usize, salt: u32| -> Vec<u8> {
            (0..n as u32)
                .map(|t| u8::from((t * 7 + salt) % 5 < 3))
                .collect()
        };
        for (nx, ny) in [
            (0, 3),
            (3, 0),
            (1, 1),
            (1, 9),
            (9, 1),
            (12, 5),
            (6, 6),
            (40, 17),
        ] {
            let (x, y) = (seq(nx, 1), seq(ny, 4));
            let inputs = [(0.3, 1.0, &x), (0.6, 0.25, &y)];
            let (mut ea, mut ta) = ([[0.0; 4]], [[0.0; 4]]);
            let mut buf = Vec::new();
            let singles = inputs.map(|(prior, weight, obs)| {
                forward_backward(
                    &[emit],
                    &[trans],
                    prior,
                    weight,
                    obs,
                    Tied,
                    Tied,
                    &mut buf,
                    &mut ea,
                    &mut ta,
                )
            });
            let (mut ep, mut tp) = ([0.0; 4], [0.0; 4]);
            let pair = forward_backward_tied_pair(
                &emit,
                &trans,
                inputs.map(|(prior, weight, correct)| PairInput {
                    prior,
                    weight,
                    correct,
                }),
                &mut [Vec::new(), Vec::new()],
                &mut ep,
                &mut tp,
            );
            assert_eq!(pair, singles, "lengths {nx}, {ny}");
            assert_eq!((ep, tp), (ea[0], ta[0]), "lengths {nx}, {ny}");
        }
    }

    #[test]
    fn long_sequences_do_not_underflow() {
        // 20,000 attempts with near-extreme parameters: the likelihood is far below f64's range.
        let obs: Vec<u8> = (0..20_000u32).map(|t| u8::from(t % 3 != 0)).collect();
        let emit = [emission_row(1e-6, 1e-6)];
        let trans = [transition_row(1e-6, 0.0)];
        let mut buf = Vec::new();
        let mut ea = [[0.0; 4]];
        let mut ta = [[0.0; 4]];
        let (likelihood, g0) = forward_backward(
            &emit, &trans, 0.5, 1.0, &obs, Tied, Tied, &mut buf, &mut ea, &mut ta,
        );
        let ll = likelihood.ln();
        assert!(ll.is_finite() && ll < -10_000.0, "{ll}");
        assert!(g0.is_finite());
        assert!(
            ea.iter()
                .flatten()
                .chain(ta.iter().flatten())
                .all(|v| v.is_finite())
        );
        assert!((ea[0][1] + ea[0][3] - 20_000.0).abs() < 1e-6);
        let ll2 = log_likelihood(&emit, &trans, 0.5, &obs, Tied, Tied);
        assert!((ll - ll2).abs() < 1e-9 * ll.abs());
    }
}
