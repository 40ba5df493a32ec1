//! What an E-step produces: the expected counts EM's M-step reads, and log-likelihoods summed
//! with few logarithms.

/// Expected counts of one E-step (summed over sequences, weighted).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Counts {
    /// Log-likelihood of the data (for the standard model; the mixture computes its own).
    pub ll: f64,
    /// Per prior class: Σ w·γ₀(known) over sequences.
    pub prior_known: Vec<f64>,
    /// Per prior class: Σ w over sequences.
    pub prior_total: Vec<f64>,
    /// Per emission slot: `[Σ γ(unknown)·c, Σ γ(unknown), Σ γ(known)·(1 − c), Σ γ(known)]`.
    pub emit: Vec<[f64; 4]>,
    /// Per transition slot: `[Σ ξ(unknown→known), Σ γ(unknown), Σ ξ(known→unknown), Σ γ(known)]`
    /// over all but the last observation of each sequence.
    pub trans: Vec<[f64; 4]>,
}

impl Counts {
    /// Zero counts for the given numbers of prior classes and slots.
    pub fn zero(classes: usize, emit_slots: usize, trans_slots: usize) -> Self {
        Self {
            ll: 0.0,
            prior_known: vec![0.0; classes],
            prior_total: vec![0.0; classes],
            emit: vec![[0.0; 4]; emit_slots],
            trans: vec![[0.0; 4]; trans_slots],
        }
    }

    /// Adds `other` (same shape) into `self`, element by element.
    pub fn add(&mut self, other: &Counts) {
        self.ll += other.ll;
        add_all(&mut self.prior_known, &other.prior_known);
        add_all(&mut self.prior_total, &other.prior_total);
        for (a, b) in self.emit.iter_mut().zip(&other.emit) {
            add_all(a, b);
        }
        for (a, b) in self.trans.iter_mut().zip(&other.trans) {
            add_all(a, b);
        }
    }
}

fn add_all(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += *y;
    }
}

/// The likelihood of one sequence as `exp(log) × mass`: the forward pass banks a logarithm only
/// when it rescales and leaves the rest as a plain number, so that a caller summing many short
/// sequences multiplies masses and takes one logarithm per many sequences (a logarithm costs
/// about as much as a short sequence's whole forward pass).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Likelihood {
    /// The banked logarithm.
    pub log: f64,
    /// The remaining factor.
    pub mass: f64,
}

impl Likelihood {
    /// The likelihood of an empty sequence.
    pub(super) const CERTAIN: Likelihood = Likelihood {
        log: 0.0,
        mass: 1.0,
    };

    /// The log-likelihood.
    pub fn ln(self) -> f64 {
        self.log + self.mass.ln()
    }
}

/// Sums log-likelihoods with one logarithm per run of masses whose product stays above
/// [`LikelihoodSum::RENORMALISE_BELOW`]. The sum depends only on the order of the additions.
#[derive(Debug, Clone, Copy)]
pub(super) struct LikelihoodSum {
    log: f64,
    product: f64,
}

impl LikelihoodSum {
    /// Masses below this are banked at once, and so is a product that falls below it: two
    /// factors each at least this large cannot underflow.
    pub(super) const RENORMALISE_BELOW: f64 = 1e-100;

    pub fn new() -> Self {
        Self {
            log: 0.0,
            product: 1.0,
        }
    }

    pub fn add(&mut self, l: Likelihood) {
        self.log += l.log;
        self.add_mass(l.mass);
    }

    fn add_mass(&mut self, mass: f64) {
        if mass < Self::RENORMALISE_BELOW {
            self.log += mass.ln();
            return;
        }
        self.product *= mass;
        if self.product < Self::RENORMALISE_BELOW {
            self.log += self.product.ln();
            self.product = 1.0;
        }
    }

    /// The summed log-likelihood.
    pub fn total(self) -> f64 {
        self.log + self.product.ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn likelihood_sum_equals_the_sum_of_logarithms_without_underflow() {
        // Masses from ordinary to the smallest a forward pass leaves (just under its rescale
        // threshold times an emission), many times over: far below f64's range in product.
        let masses = [0.5, 0.9, 1e-3, 1e-99, 1e-101, 1e-200 * 1e-6, 1.0, 0.25];
        let mut sum = LikelihoodSum::new();
        let mut reference = 0.0;
        for i in 0..10_000 {
            let l = Likelihood {
                log: -((i % 7) as f64),
                mass: masses[i % masses.len()],
            };
            sum.add(l);
            reference += l.ln();
        }
        let total = sum.total();
        assert!(total.is_finite());
        assert!(
            (total - reference).abs() < 1e-9 * reference.abs(),
            "{total} vs {reference}"
        );
    }
}
