//! A small BKT simulator for the unit tests (the full generator lives in `pathwise-datasets`).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::log::{InteractionLog, LogBuilder, RawRow};

/// `learners` learners × `skills` skills with `attempts` attempts each, items `q0..q{items}`
/// (guess shifted per item), skill `k` with prior 0.2 + 0.05k, learn 0.15, forget `forget`,
/// guess 0.2, slip 0.1.
pub(crate) fn cohort(
    learners: usize,
    skills: usize,
    attempts: std::ops::RangeInclusive<u32>,
    items: usize,
    forget: f64,
    seed: u64,
) -> InteractionLog {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut b = LogBuilder::new();
    let skill_names: Vec<String> = (0..skills).map(|k| format!("s{k}")).collect();
    let item_names: Vec<String> = (0..items.max(1)).map(|i| format!("q{i}")).collect();
    for l in 0..learners {
        let learner = format!("l{l}");
        let mut order = 0;
        for (k, skill) in skill_names.iter().enumerate() {
            let mut known = rng.random_bool(0.2 + 0.05 * k as f64);
            let n = rng.random_range(attempts.clone());
            for _ in 0..n {
                let i = rng.random_range(0..item_names.len());
                let guess = 0.2 + 0.1 * (i as f64 / item_names.len() as f64);
                let correct = rng.random_bool(if known { 0.9 } else { guess });
                b.push(RawRow {
                    learner: &learner,
                    skills: &[skill.as_str()],
                    item: (items > 0).then(|| item_names[i].as_str()),
                    correct,
                    order,
                    group: None,
                });
                order += 1;
                known = if known {
                    !rng.random_bool(forget)
                } else {
                    rng.random_bool(0.15)
                };
            }
        }
    }
    b.build()
}

/// `log`'s responses of skill `skill` dealt into `n` logs by learner (learner id modulo `n`),
/// each response at its position in the learner's sequence.
pub(crate) fn split_by_learner(log: &InteractionLog, skill: &str, n: usize) -> Vec<InteractionLog> {
    let mut parts: Vec<LogBuilder> = (0..n).map(|_| LogBuilder::new()).collect();
    let id = log.skills().id(skill).expect("the skill is in the log");
    for seq in log.skill_sequences(id) {
        for (t, &c) in seq.correct.iter().enumerate() {
            parts[seq.learner as usize % n].push(RawRow {
                learner: log.learners().name(seq.learner),
                skills: &[skill],
                item: None,
                correct: c == 1,
                order: t as i64,
                group: None,
            });
        }
    }
    parts.into_iter().map(LogBuilder::build).collect()
}
