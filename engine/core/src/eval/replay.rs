//! Chronological replay: walk a log in time order as a deployed system would. The model is fitted
//! on the first `warmup_learners` learners to appear; every later learner's responses are then
//! predicted one at a time, each before it is revealed (the learner's state holds only their
//! earlier responses), and the state is updated after.
//!
//! Time order: logs with real timestamps are walked by (timestamp, learner, position); logs with
//! per-learner sequence numbers have no common clock, so they are walked round-robin by position
//! (every learner's first response, then every learner's second, ...), ties by learner in file
//! order. Metrics are reported overall and for each tenth (configurable) of the walked responses.

use std::ops::ControlFlow;

use crate::error::{Error, Result};
use crate::eval::{EvalProgress, Metrics, ModelFamily};
use crate::log::{InteractionLog, OrderKind};

/// How to replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayOptions {
    /// Learners (the first to appear in time order) whose responses train the model and are not
    /// scored.
    pub warmup_learners: usize,
    /// Number of equal slices of the scored responses metrics are also reported for (default 10).
    pub slices: usize,
    /// Seed passed to the model family's fit.
    pub seed: u64,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            warmup_learners: 0,
            slices: 10,
            seed: 0,
        }
    }
}

/// One scored response of the replay, in walk order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayStep {
    /// The response index in the log.
    pub response: u32,
    /// P(correct) predicted before the response was revealed.
    pub p_correct: f64,
}

/// What a replay measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    /// Learners used for fitting.
    pub warmup_learners: usize,
    /// Learners whose responses were scored.
    pub scored_learners: usize,
    /// Metrics over every scored response (`None` when nothing was scored).
    pub overall: Option<Metrics>,
    /// Metrics per slice of the walk, in time order (a slice may be `None` when empty).
    pub slices: Vec<Option<Metrics>>,
    /// Every scored response, in walk order.
    pub steps: Vec<ReplayStep>,
}

/// The order in which a deployed system would have seen the log's responses.
pub fn walk_order(log: &InteractionLog) -> Vec<u32> {
    let mut keyed: Vec<(i64, u32, u32)> = Vec::with_capacity(log.n_responses());
    for learner in 0..log.learners().len() as u32 {
        for (position, r) in log.learner_responses(learner).enumerate() {
            let key = match log.order_kind() {
                OrderKind::TimestampMillis => log.response(r).order,
                OrderKind::Sequence => position as i64,
            };
            keyed.push((key, learner, r as u32));
        }
    }
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, _, r)| r).collect()
}

/// The most slices a replay reports ([`ReplayOptions::slices`]).
pub const MAX_REPLAY_SLICES: usize = 1000;

/// Replays `log` with `family` (see the module docs). Fails when the warmup leaves no learner to
/// score or no data to fit, or when `slices` is not in `1..=`[`MAX_REPLAY_SLICES`].
pub fn replay(
    log: &InteractionLog,
    family: &dyn ModelFamily,
    options: &ReplayOptions,
) -> Result<ReplayReport> {
    replay_with(log, family, options, |_| ControlFlow::Continue(()))
}

/// How many scored responses pass between two calls of [`replay_with`]'s progress callback.
const PROGRESS_EVERY: usize = 4096;

/// [`replay`] with a progress callback, called once the model is fitted and then every few
/// thousand scored responses; returning `ControlFlow::Break(())` stops the replay with
/// [`Error::Cancelled`].
pub fn replay_with(
    log: &InteractionLog,
    family: &dyn ModelFamily,
    options: &ReplayOptions,
    progress: impl Fn(EvalProgress) -> ControlFlow<()>,
) -> Result<ReplayReport> {
    if options.slices == 0 || options.slices > MAX_REPLAY_SLICES {
        return Err(Error::setting(
            "slices",
            format!(
                "replay: slices must be between 1 and {MAX_REPLAY_SLICES}, got {}",
                options.slices
            ),
        ));
    }
    let order = walk_order(log);
    let n_learners = log.learners().len();
    if options.warmup_learners == 0 || options.warmup_learners >= n_learners {
        return Err(Error::setting(
            "warmup_learners",
            format!(
                "replay: --warmup-learners must be between 1 and {} (the log has {n_learners} \
                 learners)",
                n_learners.saturating_sub(1)
            ),
        ));
    }
    let mut warm = vec![false; n_learners];
    let mut seen = 0;
    for &r in &order {
        let learner = log.response(r as usize).learner as usize;
        if seen < options.warmup_learners && !warm[learner] {
            warm[learner] = true;
            seen += 1;
        }
    }
    let train = log.filter_responses(|r| warm[log.response(r).learner as usize]);
    let predictor = family.fit(&train, options.seed)?;
    let mut scorers: Vec<Option<Box<dyn crate::eval::LearnerScorer + '_>>> =
        (0..n_learners).map(|_| None).collect();
    let mut steps = Vec::new();
    let total = order.len() - train.n_responses();
    for &r in &order {
        let response = log.response(r as usize);
        let learner = response.learner as usize;
        if warm[learner] {
            continue;
        }
        if steps.len() % PROGRESS_EVERY == 0
            && progress(EvalProgress {
                done: steps.len(),
                total,
            })
            .is_break()
        {
            return Err(Error::Cancelled);
        }
        let scorer = scorers[learner].get_or_insert_with(|| predictor.scorer(response.learner));
        let p = scorer.predict(&response);
        scorer.observe(&response);
        steps.push(ReplayStep {
            response: r,
            p_correct: p,
        });
    }
    let metrics = |part: &[ReplayStep]| {
        let p: Vec<f64> = part.iter().map(|s| s.p_correct).collect();
        let y: Vec<u8> = part
            .iter()
            .map(|s| u8::from(log.response(s.response as usize).correct))
            .collect();
        Metrics::compute(&p, &y)
    };
    let n = steps.len();
    let slices = (0..options.slices)
        .map(|i| metrics(&steps[i * n / options.slices..(i + 1) * n / options.slices]))
        .collect();
    Ok(ReplayReport {
        warmup_learners: options.warmup_learners,
        scored_learners: n_learners - options.warmup_learners,
        overall: metrics(&steps),
        slices,
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::model_family;
    use crate::log::{LogBuilder, RawRow};

    fn log(kind: OrderKind) -> InteractionLog {
        let mut b = LogBuilder::new();
        b.set_order_kind(kind);
        // ann answers at t = 10, 30; bob at 20, 40; cy at 5 (first to appear when timed).
        for (learner, order, correct) in [
            ("ann", 10, true),
            ("ann", 30, false),
            ("bob", 20, true),
            ("bob", 40, true),
            ("cy", 5, false),
        ] {
            b.push(RawRow {
                learner,
                skills: &["add"],
                item: None,
                correct,
                order,
                group: None,
            });
        }
        b.build()
    }

    #[test]
    fn walks_timestamps_globally_and_sequences_round_robin() {
        let timed = log(OrderKind::TimestampMillis);
        let orders: Vec<i64> = walk_order(&timed)
            .iter()
            .map(|&r| timed.response(r as usize).order)
            .collect();
        assert_eq!(orders, vec![5, 10, 20, 30, 40]);
        let sequenced = log(OrderKind::Sequence);
        let learners: Vec<&str> = walk_order(&sequenced)
            .iter()
            .map(|&r| {
                sequenced
                    .learners()
                    .name(sequenced.response(r as usize).learner)
            })
            .collect();
        assert_eq!(learners, vec!["ann", "bob", "cy", "ann", "bob"]);
    }

    #[test]
    fn warmup_learners_are_fitted_not_scored() {
        let timed = log(OrderKind::TimestampMillis);
        let family = model_family("skill-mean").unwrap();
        let options = ReplayOptions {
            warmup_learners: 1,
            slices: 2,
            seed: 0,
        };
        let report = replay(&timed, family.as_ref(), &options).unwrap();
        // cy appears first and trains the model (rate 0): ann and bob's 4 responses are scored.
        assert_eq!(report.steps.len(), 4);
        assert_eq!(report.scored_learners, 2);
        assert!(report.steps.iter().all(|s| s.p_correct < 0.5));
        assert_eq!(report.overall.unwrap().n, 4);
        assert_eq!(report.slices.len(), 2);
        assert!(replay(&timed, family.as_ref(), &ReplayOptions::default()).is_err());
    }

    #[test]
    fn slices_beyond_the_limit_are_refused_before_allocating() {
        let timed = log(OrderKind::TimestampMillis);
        let family = model_family("skill-mean").unwrap();
        for slices in [0, MAX_REPLAY_SLICES + 1, usize::MAX] {
            let options = ReplayOptions {
                warmup_learners: 1,
                slices,
                seed: 0,
            };
            let e = replay(&timed, family.as_ref(), &options).unwrap_err();
            assert!(
                e.to_string().contains("slices must be between 1 and 1000"),
                "{e}"
            );
        }
    }
}
