//! What a loaded log holds: rows, responses, learners, skills, items, share correct, multi-skill
//! responses, and the rows dropped and why (`pathwise data stats`).

use std::collections::BTreeMap;

use pathwise::{InteractionLog, OrderKind};
use serde::Serialize;

use crate::{LoadedLog, Preset};

/// The summary of a log; serialised, the JSON of `pathwise data stats` (stable snake_case keys).
///
/// ```
/// use pathwise::{LogBuilder, RawRow};
/// use pathwise_datasets::{LogStats, Preset};
/// let mut b = LogBuilder::new();
/// for (learner, correct, order) in [("ann", true, 1), ("ann", false, 2), ("bob", true, 1)] {
///     b.push(RawRow { learner, skills: &["add"], item: None, correct, order, group: None });
/// }
/// b.drop_row("no skill");
/// let stats = LogStats::of(&b.build(), Preset::Generic, false);
/// assert_eq!((stats.rows, stats.rows_kept, stats.learners), (4, 3, 2));
/// assert_eq!(stats.dropped["no_skill"], 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogStats {
    /// The preset the log was read with.
    pub preset: String,
    /// True when the preset was detected from the file.
    pub preset_detected: bool,
    /// Data rows read (kept + dropped).
    pub rows: u64,
    /// Rows kept.
    pub rows_kept: u64,
    /// Responses: kept rows with ASSISTments-style multi-skill repeats merged; each scored once.
    pub responses: u64,
    /// (response, skill) pairs: what per-skill BKT sees.
    pub observations: u64,
    /// Distinct learners.
    pub learners: u64,
    /// Distinct skills.
    pub skills: u64,
    /// Distinct items (0 when the log has none).
    pub items: u64,
    /// Distinct groups (0 when the log has none).
    pub groups: u64,
    /// Share of responses answered correctly on the first attempt (0 for an empty log).
    pub correct_share: f64,
    /// Responses that practise more than one skill.
    pub multi_skill_responses: u64,
    /// `sequence` or `timestamp_millis`.
    pub order: OrderKind,
    /// Rows dropped, by reason (snake_case keys, e.g. `original_0`, `no_skill`).
    pub dropped: BTreeMap<String, u64>,
}

impl LogStats {
    /// Counts what `log`, read with `preset`, holds.
    pub fn of(log: &InteractionLog, preset: Preset, preset_detected: bool) -> Self {
        let responses = log.n_responses();
        let (mut correct, mut multi) = (0u64, 0u64);
        for i in 0..responses {
            let r = log.response(i);
            correct += u64::from(r.correct);
            multi += u64::from(r.skills.len() > 1);
        }
        let dropped: BTreeMap<String, u64> = log
            .dropped()
            .iter()
            .map(|(reason, &n)| (snake_case(reason), n))
            .collect();
        let dropped_total: u64 = dropped.values().sum();
        LogStats {
            preset: preset.to_string(),
            preset_detected,
            rows: log.n_rows() as u64 + dropped_total,
            rows_kept: log.n_rows() as u64,
            responses: responses as u64,
            observations: log.n_observations() as u64,
            learners: log.learners().len() as u64,
            skills: log.skills().len() as u64,
            items: log.items().len() as u64,
            groups: log.groups().len() as u64,
            correct_share: if responses == 0 {
                0.0
            } else {
                correct as f64 / responses as f64
            },
            multi_skill_responses: multi,
            order: log.order_kind(),
            dropped,
        }
    }

    /// Rows dropped, all reasons together.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.values().sum()
    }
}

impl LoadedLog {
    /// The statistics of this log ([`LogStats::of`] with the preset it was read with).
    pub fn stats(&self) -> LogStats {
        LogStats::of(&self.log, self.preset, self.preset_detected)
    }
}

/// `original = 0` → `original_0`, `item not in the item-skill map` → `item_not_in_the_item_skill_map`.
fn snake_case(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    for c in reason.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pathwise::{LogBuilder, RawRow};

    #[test]
    fn reasons_become_snake_case_keys() {
        assert_eq!(snake_case("original = 0"), "original_0");
        assert_eq!(snake_case("no skill"), "no_skill");
        assert_eq!(
            snake_case("item not in the item-skill map"),
            "item_not_in_the_item_skill_map"
        );
    }

    #[test]
    fn stats_count_rows_responses_and_drops() {
        let mut b = LogBuilder::new();
        for (learner, skill, item, correct, order) in [
            ("a", "x", "p1", false, 1),
            ("a", "y", "p1", false, 2),
            ("a", "x", "p2", true, 3),
            ("b", "y", "p3", true, 1),
        ] {
            b.push(RawRow {
                learner,
                skills: &[skill],
                item: Some(item),
                correct,
                order,
                group: None,
            });
        }
        b.drop_row("original = 0");
        let s = LogStats::of(&b.build(), Preset::Generic, false);
        assert_eq!(s.preset, "generic");
        assert_eq!((s.rows, s.rows_kept, s.responses), (5, 4, 3));
        assert_eq!((s.observations, s.multi_skill_responses), (4, 1));
        assert_eq!((s.learners, s.skills, s.items, s.groups), (2, 2, 3, 0));
        assert!((s.correct_share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.dropped["original_0"], 1);
        assert_eq!(s.dropped_total(), 1);
    }
}
