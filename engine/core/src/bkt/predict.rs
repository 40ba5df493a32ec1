//! Replays a log through the filter: for every response and skill, P(correct) and P(known)
//! before the response is seen, and P(known) after it.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::filter::{Emission, Fallback, Step, class_update, update_classes};
use super::model::Model;
use super::params::LEARNER_CLASSES;
use crate::log::InteractionLog;

/// One scored (response, skill) pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionRow {
    /// Index of the response in the log.
    pub response: u32,
    /// Dense skill id in the *log*.
    pub skill: u32,
    /// The filter's output.
    pub step: Step,
}

/// How often the documented fallbacks were used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fallbacks {
    /// Observations on skills the model does not know (scored with [`Model::average`]).
    pub unseen_skill_observations: u64,
    /// The skills the model does not know.
    pub unseen_skills: BTreeSet<String>,
    /// Observations on items the model has no parameters for (scored with their skill's own
    /// values); only counted when the model has per-item parameters.
    pub unseen_item_observations: u64,
}

/// The output of [`predict`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replay {
    /// One row per (response, skill), in the log's order (learner, then time).
    pub rows: Vec<PredictionRow>,
    /// Fallback counts.
    pub fallbacks: Fallbacks,
}

/// Learners per parallel task.
const LEARNER_CHUNK: usize = 512;

/// Replays every learner's responses through the filter. A response on several skills is scored
/// on each with the state from *before* the response (the class posterior of a learner-prior
/// model is updated once, with all of its skills). The output does not depend on the thread count.
pub fn predict(model: &Model, log: &InteractionLog) -> Replay {
    let n_classes = model.n_classes();
    let skill_map: Vec<Option<usize>> = log
        .skills()
        .names()
        .iter()
        .map(|s| model.skill_index(s))
        .collect();
    let learners: Vec<u32> = (0..log.learners().len() as u32).collect();
    let parts: Vec<(Vec<PredictionRow>, u64, u64)> = learners
        .par_chunks(LEARNER_CHUNK)
        .map(|chunk| {
            let mut table = Table::new(log.skills().len(), n_classes);
            let mut classes = vec![1.0; n_classes];
            let mut lik = vec![1.0; n_classes.max(LEARNER_CLASSES)];
            let mut rows = Vec::new();
            let (mut unseen_skill, mut unseen_item) = (0u64, 0u64);
            for &l in chunk {
                table.start_learner();
                classes = model.initial_classes();
                for r in log.learner_responses(l) {
                    let resp = log.response(r);
                    lik.iter_mut().for_each(|x| *x = 1.0);
                    let first = rows.len();
                    for &s in resp.skills {
                        let (e, fallback) = emission(model, log, &skill_map, s, resp.item);
                        match fallback {
                            Fallback::UnseenSkill => unseen_skill += 1,
                            Fallback::UnseenItem => unseen_item += 1,
                            Fallback::None => {}
                        }
                        let known = table.known(model, &skill_map, s);
                        let mut pc = 0.0;
                        let mut before = 0.0;
                        for (c, k) in known.iter_mut().enumerate() {
                            let w = classes[c];
                            before += w * *k;
                            let (p, l) = class_update(k, e, resp.correct);
                            pc += w * p;
                            lik[c] *= l;
                        }
                        rows.push(PredictionRow {
                            response: r as u32,
                            skill: s,
                            step: Step {
                                p_correct: pc,
                                p_known_before: before,
                                p_known_after: 0.0,
                                fallback,
                            },
                        });
                    }
                    if n_classes > 1 {
                        update_classes(&mut classes, &lik);
                    }
                    for row in &mut rows[first..] {
                        let known = table.known(model, &skill_map, row.skill);
                        row.step.p_known_after =
                            known.iter().zip(&classes).map(|(k, p)| k * p).sum();
                    }
                }
            }
            (rows, unseen_skill, unseen_item)
        })
        .collect();
    let mut out = Replay::default();
    out.rows.reserve(parts.iter().map(|p| p.0.len()).sum());
    for (rows, us, ui) in parts {
        out.rows.extend(rows);
        out.fallbacks.unseen_skill_observations += us;
        out.fallbacks.unseen_item_observations += ui;
    }
    for (s, m) in skill_map.iter().enumerate() {
        if m.is_none() && log.skill_observations(s as u32) > 0 {
            out.fallbacks
                .unseen_skills
                .insert(log.skills().name(s as u32).to_owned());
        }
    }
    out
}

/// The parameters for an observation of log skill `s` on log item `item`.
fn emission(
    model: &Model,
    log: &InteractionLog,
    skill_map: &[Option<usize>],
    s: u32,
    item: Option<u32>,
) -> (Emission, Fallback) {
    match skill_map[s as usize] {
        None => {
            let a = model.average();
            ((a.guess, a.slip, a.learn, a.forget), Fallback::UnseenSkill)
        }
        Some(ms) => {
            let sm = &model.skills()[ms];
            if sm.items().is_empty() {
                return (sm.item_values(None), Fallback::None);
            }
            match item {
                None => (sm.item_values(None), Fallback::None),
                Some(i) => match sm.item_index(log.items().name(i)) {
                    Some(ix) => (sm.item_values(Some(ix)), Fallback::None),
                    None => (sm.item_values(None), Fallback::UnseenItem),
                },
            }
        }
    }
}

/// Per-task scratch: P(known) per (log skill, class), reset lazily per learner with a stamp.
struct Table {
    known: Vec<f64>,
    stamp: Vec<u32>,
    learner: u32,
    n_classes: usize,
}

impl Table {
    fn new(n_skills: usize, n_classes: usize) -> Self {
        Self {
            known: vec![0.0; n_skills * n_classes],
            stamp: vec![0; n_skills],
            learner: 0,
            n_classes,
        }
    }

    fn start_learner(&mut self) {
        self.learner += 1;
    }

    fn known(&mut self, model: &Model, skill_map: &[Option<usize>], s: u32) -> &mut [f64] {
        let n = self.n_classes;
        let s = s as usize;
        let k = &mut self.known[s * n..(s + 1) * n];
        if self.stamp[s] != self.learner {
            self.stamp[s] = self.learner;
            for (c, v) in k.iter_mut().enumerate() {
                *v = match skill_map[s] {
                    Some(ms) => model.class_prior(ms, c),
                    None => model.fallback_class_prior(c),
                };
            }
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bkt::testdata::cohort;
    use crate::log::{LogBuilder, RawRow};
    use crate::{FitOptions, LearnerState, Variant, fit};

    #[test]
    fn predict_replays_the_filter_and_counts_fallbacks() {
        let train = cohort(80, 2, 4..=8, 2, 0.0, 3);
        let options = FitOptions {
            variant: Variant {
                item_guess_slip: true,
                learner_prior: true,
                ..Variant::default()
            },
            restarts: 1,
            ..FitOptions::default()
        };
        let model = fit(&train, &options, |_| std::ops::ControlFlow::Continue(())).unwrap();
        let mut b = LogBuilder::new();
        let rows = [
            (&["s0"][..], "q0", true),
            (&["s0", "new"][..], "q1", false),
            (&["s1"][..], "q9", true),
            (&["s0"][..], "q0", true),
        ];
        for (t, (skills, item, correct)) in rows.iter().enumerate() {
            b.push(RawRow {
                learner: "z",
                skills,
                item: Some(item),
                correct: *correct,
                order: t as i64,
                group: None,
            });
        }
        let log = b.build();
        let pred = predict(&model, &log);
        assert_eq!(pred.rows.len(), 5);
        assert_eq!(pred.fallbacks.unseen_skill_observations, 1);
        assert_eq!(pred.fallbacks.unseen_item_observations, 1);
        assert_eq!(
            pred.fallbacks.unseen_skills.iter().collect::<Vec<_>>(),
            ["new"]
        );
        // The first response matches a fresh learner state.
        let mut state = LearnerState::new(&model);
        let first = state.observe(&model, "s0", Some("q0"), true).unwrap();
        assert_eq!(pred.rows[0].step, first);
        // Both skills of the multi-skill response are scored before it is seen: the unseen
        // skill's P(known) is the population prior mixed with the posterior after response 1.
        let new_row = pred
            .rows
            .iter()
            .find(|r| r.step.fallback == Fallback::UnseenSkill)
            .unwrap();
        assert_eq!(new_row.response, 1);
        assert!(
            (new_row.step.p_known_before - state.mastery(&model, "new").unwrap()).abs() < 1e-15
        );
        for r in &pred.rows {
            let s = r.step;
            for v in [s.p_correct, s.p_known_before, s.p_known_after] {
                assert!((0.0..=1.0).contains(&v));
            }
        }
    }
}
