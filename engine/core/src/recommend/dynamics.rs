//! The BKT arithmetic the recommender needs, on one skill (or one item of a skill): P(correct) from
//! P(known), the posterior after an answer, the learning/forgetting transition, the expected gain of
//! one attempt, decay while a skill is not practised, and the expected number of practice
//! opportunities until the filter's estimate reaches the mastery threshold.
//!
//! All functions are pure and allocation-free except [`SkillDynamics::expected_opportunities`],
//! which propagates a small distribution.

/// Clamp for probabilities before logits and divisions.
const TINY: f64 = 1e-12;

/// The four BKT rates that move P(known) for one skill (or one item of a skill when the model has
/// per-item guess/slip/learn): `learn` = P(T), `forget` = P(F), `guess` = P(G), `slip` = P(S).
///
/// ```
/// use pathwise::recommend::SkillDynamics;
/// let d = SkillDynamics { learn: 0.2, forget: 0.0, guess: 0.2, slip: 0.1 };
/// assert!((d.p_correct(0.5) - 0.55).abs() < 1e-12);
/// // One attempt raises P(known) by (1 - p)·learn − p·forget in expectation.
/// assert!((d.expected_gain(0.5) - 0.1).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SkillDynamics {
    /// P(T): probability of moving from unknown to known at an opportunity.
    pub learn: f64,
    /// P(F): probability of moving from known to unknown at an opportunity (0 without forgetting).
    pub forget: f64,
    /// P(G): probability of a correct answer while the skill is unknown.
    pub guess: f64,
    /// P(S): probability of a wrong answer while the skill is known.
    pub slip: f64,
}

impl SkillDynamics {
    /// P(correct) of the next answer when P(known) = `p`: `p·(1−S) + (1−p)·G`.
    pub fn p_correct(&self, p: f64) -> f64 {
        p * (1.0 - self.slip) + (1.0 - p) * self.guess
    }

    /// P(known | answer) by Bayes' rule, before the transition.
    pub fn posterior(&self, p: f64, correct: bool) -> f64 {
        let (known, unknown) = if correct {
            (p * (1.0 - self.slip), (1.0 - p) * self.guess)
        } else {
            (p * self.slip, (1.0 - p) * (1.0 - self.guess))
        };
        let total = known + unknown;
        if total <= 0.0 { p } else { known / total }
    }

    /// The transition between opportunities: `p·(1−F) + (1−p)·T`.
    pub fn transition(&self, p: f64) -> f64 {
        p * (1.0 - self.forget) + (1.0 - p) * self.learn
    }

    /// The filter's update for one observed answer: posterior, then transition. This is the
    /// P(known) the filter holds for the next opportunity.
    pub fn step(&self, p: f64, correct: bool) -> f64 {
        self.transition(self.posterior(p, correct))
    }

    /// Expected change of P(known) from one attempt: the posterior after a correct and after a
    /// wrong answer, weighted by P(correct), then the transition, minus `p`.
    ///
    /// Because the expected posterior equals the prior (the filter is a martingale), guess and slip
    /// cancel and the result is `(1−p)·T − p·F`; per-item differences come from per-item learn
    /// rates. The literal computation is kept so that the identity is tested, not assumed.
    pub fn expected_gain(&self, p: f64) -> f64 {
        let pc = self.p_correct(p);
        pc * self.step(p, true) + (1.0 - pc) * self.step(p, false) - p
    }

    /// P(known) after `steps` opportunities of *forgetting only* (no practice, so no learning):
    /// `p·(1−F)^steps`. With `forget = 0` (a model without forgetting) nothing decays.
    pub fn decay(&self, p: f64, steps: f64) -> f64 {
        if self.forget <= 0.0 || steps <= 0.0 {
            p
        } else {
            p * (1.0 - self.forget).powf(steps)
        }
    }

    /// The highest P(known) the filter can reach by answering correctly again and again from `p`
    /// (the fixed point of `step(·, true)`, approached from `p`), used to tell an unreachable
    /// threshold early.
    fn ceiling(&self, p: f64) -> f64 {
        let mut x = p;
        for _ in 0..10_000 {
            let next = self.step(x, true);
            if (next - x).abs() < 1e-13 {
                return next.max(x);
            }
            x = next;
        }
        x
    }

    /// Expected number of practice opportunities until the filter's P(known) reaches `mastery`,
    /// starting from P(known) = `p` (0 when `p ≥ mastery`), under the model's own predictive
    /// distribution of answers. `None` when the threshold cannot be reached (above the skill's
    /// ceiling under forgetting, see [`crate::bkt::mastery::ceiling`], or no learning at all). The
    /// recommender asks for the mastery rule's share of the ceiling, which is always reachable.
    /// Beyond [`MAX_OPPORTUNITIES`] opportunities the rest of the sum is its geometric tail.
    ///
    /// Method: since the filter's estimate *is* the model's posterior, the next answer is correct
    /// with probability `p_correct(p)` and P(known) is a Markov chain of its own
    /// (`p → step(p, answer)`). Its distribution is propagated on a grid of 512 values
    /// spaced evenly in logit space between `min(p, learn)` (below which the transition never
    /// goes after the first step) and the threshold; a value falling between two grid points is
    /// split between them so that the mean of P(known) is kept exactly; values at or above the
    /// threshold are absorbed. The expectation is `Σ_t P(not yet mastered after t opportunities)`.
    /// Checked against a Monte Carlo simulation of hidden states and the filter in the tests.
    ///
    /// ```
    /// use pathwise::recommend::SkillDynamics;
    /// // Perfect evidence: a correct answer proves knowledge, learning happens with rate 0.5.
    /// let d = SkillDynamics { learn: 0.5, forget: 0.0, guess: 0.0, slip: 0.0 };
    /// let e = d.expected_opportunities(0.0, 0.95).unwrap();
    /// // Unknown at the first attempt (wrong for sure), learnt with rate 0.5 per attempt, then one
    /// // correct answer proves it: 1 + 2 = 3 opportunities in expectation.
    /// assert!((e - 3.0).abs() < 1e-6);
    /// ```
    pub fn expected_opportunities(&self, p: f64, mastery: f64) -> Option<f64> {
        if !(p.is_finite() && mastery.is_finite()) || mastery <= 0.0 {
            return None;
        }
        if p >= mastery {
            return Some(0.0);
        }
        if self.ceiling(p) < mastery {
            return None;
        }
        let grid = Grid::new(p.min(self.learn), mastery);
        // Where the mass of each grid point goes: (correct or wrong) × (lower point, weight of
        // the upper point); `usize::MAX` marks absorption.
        let mut moves = Vec::with_capacity(2 * GRID_POINTS);
        for i in 0..GRID_POINTS {
            let x = grid.value(i);
            let pc = self.p_correct(x).clamp(0.0, 1.0);
            for (correct, w) in [(true, pc), (false, 1.0 - pc)] {
                moves.push((grid.locate(self.step(x, correct)), w));
            }
        }
        let mut mass = vec![0.0; GRID_POINTS];
        let mut next = vec![0.0; GRID_POINTS];
        grid.deposit(&mut mass, grid.locate(p), 1.0);
        let mut expected = 0.0;
        let mut previous = 1.0;
        let mut remaining = 1.0;
        for _ in 0..MAX_OPPORTUNITIES {
            previous = remaining;
            remaining = mass.iter().sum();
            if remaining < 1e-9 {
                return Some(expected);
            }
            expected += remaining;
            next.iter_mut().for_each(|m| *m = 0.0);
            for (i, &m) in mass.iter().enumerate() {
                if m == 0.0 {
                    continue;
                }
                for &(to, w) in &moves[2 * i..2 * i + 2] {
                    grid.deposit(&mut next, to, m * w);
                }
            }
            std::mem::swap(&mut mass, &mut next);
        }
        // Slow but converging (e.g. guess and slip near 0.5: answers say little): the mass left
        // shrinks geometrically, so the rest of the sum is its geometric tail.
        // A ratio this close to 1 is mass that never leaves (no learning at all).
        let ratio = remaining / previous;
        (ratio < 1.0 - 1e-6).then(|| expected + remaining * ratio / (1.0 - ratio))
    }
}

/// The cap on opportunities in [`SkillDynamics::expected_opportunities`].
pub const MAX_OPPORTUNITIES: usize = 2_000;

/// Grid size of [`SkillDynamics::expected_opportunities`].
pub(crate) const GRID_POINTS: usize = 512;

/// Where a value lands on the grid: absorbed, or split between point `i` and `i + 1` with
/// `upper` of the mass on `i + 1`.
#[derive(Debug, Clone, Copy)]
enum Landing {
    Absorbed,
    Between { i: usize, upper: f64 },
}

/// Grid points evenly spaced in logit space on `[low, mastery)`.
struct Grid {
    low: f64,
    step: f64,
    mastery: f64,
}

impl Grid {
    fn new(low: f64, mastery: f64) -> Self {
        let low = logit(low.max(1e-9));
        let high = logit(mastery);
        let step = ((high - low) / (GRID_POINTS - 1) as f64).max(1e-12);
        Self { low, step, mastery }
    }

    fn value(&self, i: usize) -> f64 {
        let v = sigmoid(self.low + self.step * i as f64);
        // The top point sits on the threshold, which would count as mastered: keep it just below.
        if i + 1 == GRID_POINTS {
            v.min(self.mastery * (1.0 - 1e-12))
        } else {
            v
        }
    }

    fn locate(&self, y: f64) -> Landing {
        if y >= self.mastery {
            return Landing::Absorbed;
        }
        let pos = (logit(y) - self.low) / self.step;
        if pos <= 0.0 {
            return Landing::Between { i: 0, upper: 0.0 };
        }
        let i = (pos.floor() as usize).min(GRID_POINTS - 2);
        let (a, b) = (self.value(i), self.value(i + 1));
        let upper = if b > a {
            ((y - a) / (b - a)).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Landing::Between { i, upper }
    }

    fn deposit(&self, mass: &mut [f64], to: Landing, m: f64) {
        if let Landing::Between { i, upper } = to {
            mass[i] += m * (1.0 - upper);
            mass[i + 1] += m * upper;
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    let p = p.clamp(TINY, 1.0 - TINY);
    (p / (1.0 - p)).ln()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    const D: SkillDynamics = SkillDynamics {
        learn: 0.15,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };

    #[test]
    fn p_correct_and_posterior_match_hand_values() {
        assert!((D.p_correct(0.3) - (0.3 * 0.9 + 0.7 * 0.2)).abs() < 1e-15);
        // P(K|correct) = 0.27 / (0.27 + 0.14)
        assert!((D.posterior(0.3, true) - 0.27 / 0.41).abs() < 1e-15);
        // P(K|wrong) = 0.03 / (0.03 + 0.56)
        assert!((D.posterior(0.3, false) - 0.03 / 0.59).abs() < 1e-15);
        assert!((D.transition(0.4) - (0.4 + 0.6 * 0.15)).abs() < 1e-15);
    }

    #[test]
    fn expected_gain_is_the_closed_form() {
        for &(l, f, g, s) in &[
            (0.1, 0.0, 0.2, 0.1),
            (0.3, 0.05, 0.4, 0.02),
            (0.02, 0.1, 0.01, 0.3),
        ] {
            let d = SkillDynamics {
                learn: l,
                forget: f,
                guess: g,
                slip: s,
            };
            for i in 0..=20 {
                let p = i as f64 / 20.0;
                let closed = (1.0 - p) * l - p * f;
                assert!((d.expected_gain(p) - closed).abs() < 1e-12, "p={p} d={d:?}");
            }
        }
    }

    #[test]
    fn decay_only_with_forgetting() {
        assert_eq!(D.decay(0.97, 10.0), 0.97);
        let f = SkillDynamics { forget: 0.1, ..D };
        assert!((f.decay(0.97, 2.0) - 0.97 * 0.81).abs() < 1e-12);
        assert_eq!(f.decay(0.97, 0.0), 0.97);
    }

    /// Simulates the hidden state and the filter, counting opportunities until the filter's
    /// estimate reaches `mastery`.
    fn monte_carlo(d: SkillDynamics, p0: f64, mastery: f64, runs: usize, seed: u64) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut sum = 0.0;
        let mut sum_sq = 0.0;
        for _ in 0..runs {
            let mut known = rng.random::<f64>() < p0;
            let mut p = p0;
            let mut t = 0u32;
            while p < mastery {
                let correct = if known {
                    rng.random::<f64>() >= d.slip
                } else {
                    rng.random::<f64>() < d.guess
                };
                p = d.step(p, correct);
                known = if known {
                    rng.random::<f64>() >= d.forget
                } else {
                    rng.random::<f64>() < d.learn
                };
                t += 1;
            }
            sum += f64::from(t);
            sum_sq += f64::from(t) * f64::from(t);
        }
        let n = runs as f64;
        let mean = sum / n;
        let se = ((sum_sq / n - mean * mean) / n).sqrt();
        (mean, se)
    }

    #[test]
    fn expected_opportunities_agree_with_monte_carlo() {
        let cases = [
            (D, 0.1, 0.95),
            (
                SkillDynamics {
                    learn: 0.05,
                    forget: 0.0,
                    guess: 0.25,
                    slip: 0.15,
                },
                0.3,
                0.95,
            ),
            (
                SkillDynamics {
                    learn: 0.3,
                    forget: 0.03,
                    guess: 0.1,
                    slip: 0.05,
                },
                0.02,
                0.9,
            ),
            (
                SkillDynamics {
                    learn: 0.2,
                    forget: 0.0,
                    guess: 0.3,
                    slip: 0.1,
                },
                0.6,
                0.95,
            ),
        ];
        for (i, &(d, p0, m)) in cases.iter().enumerate() {
            let exact = d.expected_opportunities(p0, m).expect("reachable");
            let (mc, se) = monte_carlo(d, p0, m, 40_000, i as u64);
            assert!(
                (exact - mc).abs() < 4.0 * se + 0.02,
                "case {i}: exact {exact} vs Monte Carlo {mc} ± {se}"
            );
        }
    }

    #[test]
    fn expected_opportunities_edge_cases() {
        assert_eq!(D.expected_opportunities(0.96, 0.95), Some(0.0));
        // No learning: unknown learners stay unknown, and their posterior drifts to 0.
        let stuck = SkillDynamics { learn: 0.0, ..D };
        assert_eq!(stuck.expected_opportunities(0.1, 0.95), None);
        // Forgetting so strong that even a streak of correct answers cannot reach 0.95.
        let leaky = SkillDynamics {
            learn: 0.1,
            forget: 0.3,
            guess: 0.2,
            slip: 0.1,
        };
        assert_eq!(leaky.expected_opportunities(0.5, 0.95), None);
        assert_eq!(D.expected_opportunities(f64::NAN, 0.95), None);
        // More learning, fewer opportunities.
        let fast = SkillDynamics { learn: 0.4, ..D };
        assert!(fast.expected_opportunities(0.1, 0.95) < D.expected_opportunities(0.1, 0.95));
    }
}
