//! From a fitted BKT model and a learner's history to the mastery claims of a credential.
//!
//! The learner's responses are replayed through [`LearnerState`] in time order. A skill is
//! claimed when the model has parameters for it, the learner attempted it, and P(known) after the
//! last attempt is at least the threshold. Mastery was reached at the attempt that started the
//! final run of P(known) ≥ threshold (an estimate that dipped below and came back counts from its
//! return).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::credential::{MasteredAt, MasteryClaim};
use crate::text::{QUOTE_LIMIT, cut};
use crate::{Error, InteractionLog, LearnerState, Location, Model, OrderKind, Result};

/// The P(known) a skill needs to count as mastered unless told otherwise (the usual BKT
/// convention since Corbett & Anderson, 1995).
pub const DEFAULT_MASTERY_THRESHOLD: f64 = 0.95;

/// How a claim names a skill, e.g. from the skill graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillLabel {
    /// The human-readable name.
    pub name: String,
    /// The external standard code, if any.
    pub standard: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Track {
    attempts: u64,
    last: f64,
    run_start: Option<i64>,
}

/// The skills `learner` has mastered according to `model` and the log, sorted by skill id.
///
/// `label` names a skill (e.g. from the graph); a skill it does not know is named by its id.
/// Errors when the learner is not in the log or the threshold is outside (0, 1].
pub fn mastery_claims(
    model: &Model,
    log: &InteractionLog,
    learner: &str,
    threshold: f64,
    label: impl Fn(&str) -> Option<SkillLabel>,
) -> Result<Vec<MasteryClaim>> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(Error::config(format!(
            "the mastery threshold must be in (0, 1], found {threshold}"
        )));
    }
    let id = log.learners().id(learner).ok_or_else(|| {
        let shown = cut(learner, QUOTE_LIMIT);
        Error::input(Location::subject("learner", &shown), "not in the log")
    })?;
    let mut state = LearnerState::new(model);
    let mut tracks: Vec<Track> = vec![Track::default(); log.skills().len()];
    for index in log.learner_responses(id) {
        let r = log.response(index);
        let item = r.item.map(|i| log.items().name(i));
        for &s in r.skills {
            let step = state.observe(model, log.skills().name(s), item, r.correct);
            let t = &mut tracks[s as usize];
            t.attempts += 1;
            t.last = step.p_known_after;
            if step.p_known_after >= threshold {
                t.run_start.get_or_insert(r.order);
            } else {
                t.run_start = None;
            }
        }
    }
    let mut claims: Vec<MasteryClaim> = tracks
        .iter()
        .enumerate()
        .filter_map(|(s, t)| {
            let skill = log.skills().name(s as u32);
            let order = t.run_start?;
            if t.attempts == 0 || t.last < threshold || model.skill(skill).is_none() {
                return None;
            }
            let SkillLabel { name, standard } = label(skill).unwrap_or_else(|| SkillLabel {
                name: skill.to_owned(),
                standard: None,
            });
            Some(MasteryClaim {
                skill: skill.to_owned(),
                name,
                standard,
                probability: t.last,
                attempts: t.attempts,
                mastered_at: match log.order_kind() {
                    OrderKind::TimestampMillis => match from_millis(order) {
                        Some(t) => MasteredAt::Time(t),
                        None => MasteredAt::Unknown(format!(
                            "the attempt's timestamp ({order} ms after the Unix epoch) is \
                             outside this system's clock range"
                        )),
                    },
                    OrderKind::Sequence => MasteredAt::Sequence(order),
                },
            })
        })
        .collect();
    claims.sort_by(|a, b| a.skill.cmp(&b.skill));
    Ok(claims)
}

fn from_millis(ms: i64) -> Option<SystemTime> {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH.checked_add(d)
    } else {
        UNIX_EPOCH.checked_sub(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FitInfo, LogBuilder, Params, RawRow, SkillModel, SkillStats, Variant};

    fn model() -> Model {
        let p = Params {
            prior: 0.3,
            learn: 0.3,
            forget: 0.0,
            guess: 0.2,
            slip: 0.1,
        };
        let skills = ["add", "sub"]
            .iter()
            .map(|s| SkillModel::new(*s, p, vec![], vec![], SkillStats::default()))
            .collect();
        Model::new(Variant::default(), skills, vec![], FitInfo::default()).unwrap()
    }

    fn log(rows: &[(&str, &str, bool, i64)], kind: OrderKind) -> InteractionLog {
        let mut b = LogBuilder::new();
        b.set_order_kind(kind);
        for &(learner, skill, correct, order) in rows {
            b.push(RawRow {
                learner,
                skills: &[skill],
                item: None,
                correct,
                order,
                group: None,
            });
        }
        b.build()
    }

    /// P(known) after each attempt, by hand from the BKT equations.
    fn trajectory(p: &Params, answers: &[bool]) -> Vec<f64> {
        let mut k = p.prior;
        answers
            .iter()
            .map(|&c| {
                let post = if c {
                    k * (1.0 - p.slip) / (k * (1.0 - p.slip) + (1.0 - k) * p.guess)
                } else {
                    k * p.slip / (k * p.slip + (1.0 - k) * (1.0 - p.guess))
                };
                k = post + (1.0 - post) * p.learn;
                k
            })
            .collect()
    }

    #[test]
    fn claims_skills_over_the_threshold_with_the_start_of_the_final_run() {
        let p = *model().skill("add").unwrap().params();
        let answers = [true, true, false, true, true, true];
        let expected = trajectory(&p, &answers);
        // The estimate crosses 0.95 after attempt 2, drops after the miss, crosses again.
        let first = expected.iter().position(|&k| k >= 0.95).unwrap();
        let last_run = expected.iter().rposition(|&k| k < 0.95).unwrap() + 1;
        assert!(first < last_run, "{expected:?}");
        let mut rows: Vec<(&str, &str, bool, i64)> = answers
            .iter()
            .enumerate()
            .map(|(i, &c)| ("ann", "add", c, 1_700_000_000_000 + 60_000 * i as i64))
            .collect();
        rows.push(("ann", "sub", false, 1_700_000_000_000));
        rows.push(("ann", "mul", true, 1_700_000_000_000)); // unknown to the model
        rows.push(("bob", "sub", true, 1));
        let log = log(&rows, OrderKind::TimestampMillis);
        let label = |s: &str| {
            (s == "add").then(|| SkillLabel {
                name: "Addition".into(),
                standard: Some("STD.1".into()),
            })
        };
        let claims = mastery_claims(&model(), &log, "ann", 0.95, label).unwrap();
        assert_eq!(claims.len(), 1, "{claims:?}");
        let c = &claims[0];
        assert_eq!((c.skill.as_str(), c.name.as_str()), ("add", "Addition"));
        assert_eq!(c.standard.as_deref(), Some("STD.1"));
        assert_eq!(c.attempts, 6);
        assert!((c.probability - expected[5]).abs() < 1e-12);
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + 60_000 * last_run as u64);
        assert_eq!(c.mastered_at, MasteredAt::Time(at));

        let none = mastery_claims(&model(), &log, "ann", 0.99999, |_| None).unwrap();
        assert!(none.is_empty());
        assert!(mastery_claims(&model(), &log, "zoe", 0.95, |_| None).is_err());
        assert!(mastery_claims(&model(), &log, "ann", 0.0, |_| None).is_err());
    }

    #[test]
    fn sequence_logs_give_the_order_key() {
        let rows: Vec<(&str, &str, bool, i64)> =
            (0..8).map(|i| ("ann", "sub", true, 100 + i)).collect();
        let log = log(&rows, OrderKind::Sequence);
        let claims = mastery_claims(&model(), &log, "ann", 0.95, |_| None).unwrap();
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].name, "sub");
        let p = *model().skill("sub").unwrap().params();
        let k = trajectory(&p, &[true; 8]);
        let first = k.iter().position(|&x| x >= 0.95).unwrap() as i64;
        assert_eq!(claims[0].mastered_at, MasteredAt::Sequence(100 + first));
    }
}
