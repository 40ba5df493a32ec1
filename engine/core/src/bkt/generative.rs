//! BKT as a generative model: drawing a simulated learner's answers and knowledge from true
//! parameters. This is the one answer-and-transition rule behind every learner simulator (the
//! policy simulator `pathwise::eval::simulate` and the synthetic logs of `pathwise-datasets`).

use rand::Rng;

use super::Params;

/// What one simulated attempt produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimulatedAttempt {
    /// Whether the answer was correct.
    pub correct: bool,
    /// Whether the learner knows the skill after the attempt.
    pub known_after: bool,
}

impl Params {
    /// Draws whether a fresh learner already knows the skill (true with probability `prior`).
    ///
    /// Probabilities outside [0, 1] are clamped to it and NaN counts as 0, so no value panics.
    pub fn draw_initial_knowledge<R: Rng + ?Sized>(&self, rng: &mut R) -> bool {
        chance(rng, self.prior)
    }

    /// One attempt of a learner whose true knowledge of the skill is `known`: first the answer
    /// (wrong with probability `slip` when known, right with probability `guess` when not), then
    /// the transition (forgotten with probability `forget` when known, learnt with probability
    /// `learn` when not). Exactly two numbers are drawn from `rng`, in that order, so a
    /// simulation is reproducible from its seed.
    ///
    /// Item-level guess and slip, or a learn rate slowed by unknown prerequisites, are passed in
    /// as modified parameters. Probabilities outside [0, 1] are clamped to it and NaN counts as 0,
    /// so no value panics.
    ///
    /// ```
    /// use pathwise::bkt::Params;
    /// use rand::SeedableRng;
    /// let certain = Params { prior: 0.0, learn: 1.0, forget: 0.0, guess: 0.0, slip: 0.0 };
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    /// let first = certain.simulate_attempt(false, &mut rng);
    /// assert!(!first.correct && first.known_after);
    /// let second = certain.simulate_attempt(first.known_after, &mut rng);
    /// assert!(second.correct && second.known_after);
    /// ```
    pub fn simulate_attempt<R: Rng + ?Sized>(&self, known: bool, rng: &mut R) -> SimulatedAttempt {
        if known {
            let correct = !chance(rng, self.slip);
            let known_after = !chance(rng, self.forget);
            SimulatedAttempt {
                correct,
                known_after,
            }
        } else {
            let correct = chance(rng, self.guess);
            let known_after = chance(rng, self.learn);
            SimulatedAttempt {
                correct,
                known_after,
            }
        }
    }
}

/// True with probability `p`, drawing one number from `rng` unless `p` is 1 (as
/// [`Rng::random_bool`], which panics outside [0, 1]; here such `p` are clamped, NaN to 0).
fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    let p = if p >= 1.0 {
        1.0
    } else if p > 0.0 {
        p
    } else {
        0.0
    };
    rng.random_bool(p)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn params(guess: f64, slip: f64) -> Params {
        Params {
            prior: 0.3,
            learn: 0.0,
            forget: 0.0,
            guess,
            slip,
        }
    }

    #[test]
    fn answers_follow_guess_and_slip() {
        let p = params(0.2, 0.1);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let n = 20_000;
        let guessed = (0..n)
            .filter(|_| p.simulate_attempt(false, &mut rng).correct)
            .count();
        let slipped = (0..n)
            .filter(|_| !p.simulate_attempt(true, &mut rng).correct)
            .count();
        assert!((guessed as f64 / n as f64 - 0.2).abs() < 0.01, "{guessed}");
        assert!((slipped as f64 / n as f64 - 0.1).abs() < 0.01, "{slipped}");
    }

    #[test]
    fn transitions_follow_learn_and_forget() {
        let p = Params {
            learn: 0.3,
            forget: 0.05,
            ..params(0.2, 0.1)
        };
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let n = 20_000;
        let learnt = (0..n)
            .filter(|_| p.simulate_attempt(false, &mut rng).known_after)
            .count();
        let forgot = (0..n)
            .filter(|_| !p.simulate_attempt(true, &mut rng).known_after)
            .count();
        assert!((learnt as f64 / n as f64 - 0.3).abs() < 0.015, "{learnt}");
        assert!((forgot as f64 / n as f64 - 0.05).abs() < 0.01, "{forgot}");
    }

    #[test]
    fn out_of_range_and_nan_probabilities_do_not_panic() {
        let wild = Params {
            prior: f64::NAN,
            learn: 7.0,
            forget: -1.0,
            guess: f64::INFINITY,
            slip: f64::NAN,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        assert!(!wild.draw_initial_knowledge(&mut rng));
        let a = wild.simulate_attempt(false, &mut rng);
        assert!(a.correct && a.known_after);
        let b = wild.simulate_attempt(true, &mut rng);
        assert!(b.correct && b.known_after);
    }
}
