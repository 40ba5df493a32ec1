//! End-to-end checks of [`fit`]: every variant, determinism over threads, little data, fixed
//! parameters and warm starts, bounds, cancelling, and EM's monotone objective.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;

use super::e_step::e_step;
use super::em;
use super::m_step::{m_step, objective};
use super::skill_data::SkillData;
use super::start::start_params;
use super::{FitOptions, Progress, PseudoCounts, fit};
use crate::bkt::fit_flags::FitFlag;
use crate::bkt::model::Model;
use crate::bkt::params::{Bounds, FixedParams, GUESS_SLIP_MARGIN, Variant};
use crate::bkt::testdata::cohort;
use crate::error::Error;
use crate::log::{InteractionLog, LogBuilder, RawRow};

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
    let fixed = FixedParams::from_json(r#"{"s0": {"guess": 0.25, "learn": 0.1}}"#, "f").unwrap();
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
    assert!(p_def.guess <= 0.5 - GUESS_SLIP_MARGIN && p_def.slip < 0.5);
}

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
        super::mixture::fit_mixture_traced(&log, &options, &|ll| lls.lock().unwrap().push(ll)).unwrap();
        let lls = lls.into_inner().unwrap();
        prop_assert!(lls.len() > 2);
        for w in lls.windows(2) {
            prop_assert!(w[1] >= w[0] - 1e-9 * w[0].abs(), "{:?}", lls);
        }
    }
}
