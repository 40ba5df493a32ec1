//! BKT parameter recovery on generated cohorts (issue 3's acceptance numbers): fit a cohort
//! drawn from known parameters and compare.

use std::ops::ControlFlow;

use pathwise::{
    FitInfo, FitOptions, Model, Params, SkillModel, Variant, bkt::SkillStats, fit, predict,
};
use pathwise_datasets::generate::{CohortSpec, SkillTruth, TruthOptions, draw_skill_truths};

fn go(_: pathwise::Progress) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

fn cohort(skills: Vec<SkillTruth>, learners: usize, seed: u64) -> CohortSpec {
    CohortSpec {
        learners,
        attempts: 5..=25,
        skills,
        class_weights: vec![],
        seed,
    }
}

/// Mean absolute error per parameter (prior, learn, forget, guess, slip) over skills.
fn mae(model: &Model, truths: &[SkillTruth]) -> [f64; 5] {
    let mut err = [0.0; 5];
    for t in truths {
        let p = model.skill(&t.id).expect("skill fitted").params();
        let got = [p.prior, p.learn, p.forget, p.guess, p.slip];
        let want = [t.prior, t.learn, t.forget, t.guess, t.slip];
        for k in 0..5 {
            err[k] += (got[k] - want[k]).abs() / truths.len() as f64;
        }
    }
    err
}

/// The model holding the true parameters.
fn true_model(truths: &[SkillTruth], variant: Variant) -> Model {
    let skills = truths
        .iter()
        .map(|t| {
            let p = Params {
                prior: t.prior,
                learn: t.learn,
                forget: t.forget,
                guess: t.guess,
                slip: t.slip,
            };
            SkillModel::new(t.id.clone(), p, vec![], vec![], SkillStats::default())
        })
        .collect();
    Model::new(variant, skills, vec![], FitInfo::default()).unwrap()
}

/// Area under the ROC curve (ties get half credit).
fn auc(scores: &[(f64, bool)]) -> f64 {
    let mut s = scores.to_vec();
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut rank_sum, mut pos) = (0.0, 0.0);
    let mut i = 0;
    while i < s.len() {
        let mut j = i;
        while j < s.len() && s[j].0 == s[i].0 {
            j += 1;
        }
        let mid = (i + j + 1) as f64 / 2.0;
        for x in &s[i..j] {
            if x.1 {
                rank_sum += mid;
                pos += 1.0;
            }
        }
        i = j;
    }
    let neg = s.len() as f64 - pos;
    (rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg)
}

fn test_auc(model: &Model, test: &pathwise::InteractionLog) -> f64 {
    let pred = predict(model, test);
    let scores: Vec<(f64, bool)> = pred
        .rows
        .iter()
        .map(|r| (r.step.p_correct, test.response(r.response as usize).correct))
        .collect();
    auc(&scores)
}

#[test]
fn standard_bkt_recovers_the_true_parameters() {
    let truths = draw_skill_truths(10, &TruthOptions::default(), 42);
    let log = cohort(truths.clone(), 2000, 1).to_log();
    let model = fit(&log, &FitOptions::default(), go).unwrap();
    let [prior, learn, _, guess, slip] = mae(&model, &truths);
    eprintln!("MAE prior {prior:.4} learn {learn:.4} guess {guess:.4} slip {slip:.4}");
    assert!(prior <= 0.02, "prior MAE {prior}");
    assert!(learn <= 0.01, "learn MAE {learn}");
    assert!(guess <= 0.012, "guess MAE {guess}");
    assert!(slip <= 0.01, "slip MAE {slip}");
    assert!(model.skills().iter().all(|s| s.stats().converged));

    // Held-out learners: the fitted model predicts as well as the truth.
    let test = cohort(truths.clone(), 1000, 2).to_log();
    let fitted_auc = test_auc(&model, &test);
    let true_auc = test_auc(&true_model(&truths, Variant::default()), &test);
    eprintln!("AUC fitted {fitted_auc:.5} true {true_auc:.5}");
    assert!(
        (fitted_auc - true_auc).abs() <= 0.002,
        "{fitted_auc} vs {true_auc}"
    );
}

#[test]
fn bkt_with_forgetting_recovers_the_forget_rate() {
    let options = TruthOptions {
        forgets: true,
        ..TruthOptions::default()
    };
    let truths = draw_skill_truths(10, &options, 7);
    let log = cohort(truths.clone(), 2000, 3).to_log();
    let fit_options = FitOptions {
        variant: Variant {
            forgets: true,
            ..Variant::default()
        },
        ..FitOptions::default()
    };
    let model = fit(&log, &fit_options, go).unwrap();
    let [prior, learn, forget, guess, slip] = mae(&model, &truths);
    eprintln!(
        "MAE prior {prior:.4} learn {learn:.4} forget {forget:.4} guess {guess:.4} slip {slip:.4}"
    );
    assert!(forget <= 0.01, "forget MAE {forget}");
}

#[test]
fn learner_prior_helps_on_cohorts_with_learner_classes_and_never_peeks_ahead() {
    let mut truths = draw_skill_truths(8, &TruthOptions::default(), 11);
    for t in &mut truths {
        t.class_priors = vec![0.1, 0.85];
    }
    let spec = |learners, seed| CohortSpec {
        learners,
        attempts: 3..=8,
        skills: truths.clone(),
        class_weights: vec![0.5, 0.5],
        seed,
    };
    let train = spec(1500, 5).to_log();
    let test = spec(500, 6).to_log();
    let standard = fit(&train, &FitOptions::default(), go).unwrap();
    let mixture_options = FitOptions {
        variant: Variant {
            learner_prior: true,
            ..Variant::default()
        },
        ..FitOptions::default()
    };
    let mixture = fit(&train, &mixture_options, go).unwrap();
    let weights = mixture.class_weights();
    eprintln!("class weights {weights:?}");
    for s in mixture.skills() {
        let p = s.class_priors();
        assert!(
            (p[0] - 0.1).abs() < 0.08 && (p[1] - 0.85).abs() < 0.08,
            "{p:?}"
        );
    }
    assert!((weights[0] - 0.5).abs() < 0.05, "{weights:?}");
    let (a_std, a_mix) = (test_auc(&standard, &test), test_auc(&mixture, &test));
    eprintln!("held-out AUC standard {a_std:.4} learner prior {a_mix:.4}");
    assert!(a_mix > a_std + 0.005, "{a_mix} vs {a_std}");

    // No peeking: every test learner's very first prediction is the same population value,
    // whatever that learner answers later.
    let pred = predict(&mixture, &test);
    let mut firsts = std::collections::BTreeMap::new();
    for r in &pred.rows {
        let learner = test.response(r.response as usize).learner;
        firsts.entry(learner).or_insert((r.skill, r.step.p_correct));
    }
    for (skill, p) in firsts.values() {
        let same_skill = firsts.values().find(|(s, _)| s == skill).unwrap();
        assert_eq!(*p, same_skill.1);
    }
}
