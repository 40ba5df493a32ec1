//! From a fitted BKT model and a learner's history to the mastery claims of a credential.
//!
//! The learner's responses are replayed through [`LearnerState`] in time order. A skill is
//! claimed when the model has parameters for it and the learner's status on it after the last
//! attempt is mastered under the [`MasteryRule`] (the estimate at the threshold with a run of
//! correct answers: the rule the recommender and the report use). Mastery was reached at the
//! attempt that started the final mastered run (a skill that was lost and regained counts from its
//! return).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::credential::{MasteredAt, MasteryClaim};
use crate::bkt::mastery::{MasteryRule, Status};
use crate::text::{QUOTE_LIMIT, cut};
use crate::{Error, InteractionLog, LearnerState, Location, Model, OrderKind, Result};

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
/// Errors when the learner is not in the log or the rule is out of range.
pub fn mastery_claims(
    model: &Model,
    log: &InteractionLog,
    learner: &str,
    rule: &MasteryRule,
    label: impl Fn(&str) -> Option<SkillLabel>,
) -> Result<Vec<MasteryClaim>> {
    let id = log.learners().id(learner).ok_or_else(|| {
        let shown = cut(learner, QUOTE_LIMIT);
        Error::input(
            Location::subject(crate::SubjectKind::Learner, &shown),
            "not in the log",
        )
    })?;
    let mut state = LearnerState::with_rule(model, *rule)?;
    let mut tracks: Vec<Track> = vec![Track::default(); log.skills().len()];
    for index in log.learner_responses(id) {
        let r = log.response(index);
        let item = r.item.map(|i| log.items().name(i));
        for &s in r.skills {
            let name = log.skills().name(s);
            let step = state.observe(model, name, item, r.correct)?;
            let t = &mut tracks[s as usize];
            t.attempts += 1;
            t.last = step.p_known_after;
            if state.status(model, name)? == Status::Mastered {
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
            if t.attempts == 0 || model.skill(skill).is_none() {
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
    use crate::{FitInfo, LogBuilder, Params, RawRow, SkillModel, Variant, bkt::SkillStats};

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

    /// Whether the rule calls the skill mastered after each attempt, by hand: P(known) ≥ 0.95
    /// (no forgetting, so the ceiling is 1) and the last three answers correct.
    fn mastered(p: &Params, answers: &[bool]) -> Vec<bool> {
        let k = trajectory(p, answers);
        let mut streak = 0;
        answers
            .iter()
            .zip(k)
            .map(|(&c, k)| {
                streak = if c { streak + 1 } else { 0 };
                streak >= 3 && k >= 0.95
            })
            .collect()
    }

    #[test]
    fn claims_mastered_skills_with_the_start_of_the_final_run() {
        let p = *model().skill("add").unwrap().params();
        let answers = [true, true, true, false, true, true, true, true];
        let by_hand = mastered(&p, &answers);
        let expected = trajectory(&p, &answers);
        // Mastered after the first run of three, lost at the miss, regained after three more.
        let first = by_hand.iter().position(|&m| m).unwrap();
        let last_run = by_hand.iter().rposition(|&m| !m).unwrap() + 1;
        assert!(first < last_run && by_hand[7], "{by_hand:?}");
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
        let rule = MasteryRule::default();
        let claims = mastery_claims(&model(), &log, "ann", &rule, label).unwrap();
        assert_eq!(claims.len(), 1, "{claims:?}");
        let c = &claims[0];
        assert_eq!((c.skill.as_str(), c.name.as_str()), ("add", "Addition"));
        assert_eq!(c.standard.as_deref(), Some("STD.1"));
        assert_eq!(c.attempts, 8);
        assert!((c.probability - expected[7]).abs() < 1e-12);
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000 + 60_000 * last_run as u64);
        assert_eq!(c.mastered_at, MasteredAt::Time(at));

        let strict = MasteryRule {
            threshold: 0.99999,
            ..rule
        };
        assert!(
            mastery_claims(&model(), &log, "ann", &strict, |_| None)
                .unwrap()
                .is_empty()
        );
        assert!(mastery_claims(&model(), &log, "zoe", &rule, |_| None).is_err());
        let bad = MasteryRule {
            threshold: 0.0,
            ..rule
        };
        assert!(mastery_claims(&model(), &log, "ann", &bad, |_| None).is_err());
    }

    /// Issue 17: one confident answer is not mastery.
    #[test]
    fn one_answer_is_never_a_claim() {
        let sure = Params {
            prior: 0.9,
            learn: 0.5,
            forget: 0.0,
            guess: 0.001,
            slip: 0.001,
        };
        let model = Model::new(
            Variant::default(),
            vec![SkillModel::new(
                "add",
                sure,
                vec![],
                vec![],
                SkillStats::default(),
            )],
            vec![],
            FitInfo::default(),
        )
        .unwrap();
        let log = log(&[("ann", "add", true, 1)], OrderKind::Sequence);
        let claims = mastery_claims(&model, &log, "ann", &MasteryRule::default(), |_| None);
        assert!(claims.unwrap().is_empty());
    }

    #[test]
    fn sequence_logs_give_the_order_key() {
        let rows: Vec<(&str, &str, bool, i64)> =
            (0..8).map(|i| ("ann", "sub", true, 100 + i)).collect();
        let log = log(&rows, OrderKind::Sequence);
        let claims =
            mastery_claims(&model(), &log, "ann", &MasteryRule::default(), |_| None).unwrap();
        assert_eq!(claims.len(), 1);
        assert_eq!(claims[0].name, "sub");
        let p = *model().skill("sub").unwrap().params();
        let first = mastered(&p, &[true; 8]).iter().position(|&m| m).unwrap() as i64;
        assert_eq!(claims[0].mastered_at, MasteredAt::Sequence(100 + first));
    }
}
