//! What each learner did, counted from the interaction log in one pass: the activity half of a
//! [`LearnerInput`](super::LearnerInput) (responses, order range, last skill, groups). The
//! evidence per skill and its status come from the learner's replayed state, not from here.

use crate::InteractionLog;

/// One learner's activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerActivity {
    /// Responses (each scored once).
    pub responses: u64,
    /// Order key of the first response.
    pub first_order: i64,
    /// Order key of the last response.
    pub last_order: i64,
    /// Report skill of the last response that practised a report skill.
    pub last_skill: Option<usize>,
    /// Dense ids of the groups the learner's responses carry, ascending.
    pub groups: Vec<u32>,
}

/// Counts every learner's activity (indexed by dense learner id). `skill_map[s]` is the report
/// skill of the log's dense skill `s`, or `None` for a log skill the report leaves out (its
/// responses still count in `responses` and the order range).
pub fn learner_activity(
    log: &InteractionLog,
    skill_map: &[Option<usize>],
    n_skills: usize,
) -> Vec<LearnerActivity> {
    (0..log.learners().len() as u32)
        .map(|learner| {
            let mut a = LearnerActivity {
                responses: 0,
                first_order: i64::MAX,
                last_order: i64::MIN,
                last_skill: None,
                groups: Vec::new(),
            };
            for index in log.learner_responses(learner) {
                let r = log.response(index);
                a.responses += 1;
                a.first_order = a.first_order.min(r.order);
                a.last_order = a.last_order.max(r.order);
                for &s in r.skills {
                    if let Some(&Some(rs)) = skill_map.get(s as usize) {
                        if rs < n_skills {
                            a.last_skill = Some(rs);
                        }
                    }
                }
                if let Some(g) = r.group {
                    if let Err(at) = a.groups.binary_search(&g) {
                        a.groups.insert(at, g);
                    }
                }
            }
            if a.responses == 0 {
                a.first_order = 0;
                a.last_order = 0;
            }
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LogBuilder, RawRow};

    #[test]
    fn counts_responses_order_range_last_skill_and_groups() {
        let mut b = LogBuilder::new();
        type Row<'a> = (&'a str, &'a [&'a str], &'a str, bool, i64, &'a str);
        let rows: [Row; 5] = [
            ("ann", &["add"], "q1", true, 5, "c1"),
            ("ann", &["add", "sub"], "q2", false, 7, "c2"),
            ("ann", &["extra"], "q3", true, 9, "c1"),
            ("bob", &["sub"], "q1", true, 1, "c1"),
            ("bob", &["sub"], "q4", true, 3, "c1"),
        ];
        for (learner, skills, item, correct, order, group) in rows {
            b.push(RawRow {
                learner,
                skills,
                item: Some(item),
                correct,
                order,
                group: Some(group),
            });
        }
        let log = b.build();
        // Report skills: 0 = sub, 1 = add; "extra" is not in the report.
        let map: Vec<Option<usize>> = log
            .skills()
            .names()
            .iter()
            .map(|s| match s.as_str() {
                "sub" => Some(0),
                "add" => Some(1),
                _ => None,
            })
            .collect();
        let acts = learner_activity(&log, &map, 2);
        let ann = &acts[log.learners().id("ann").unwrap() as usize];
        assert_eq!(ann.responses, 3);
        assert_eq!((ann.first_order, ann.last_order), (5, 9));
        assert_eq!(ann.last_skill, Some(0)); // q2 practised add and sub; q3 is not a report skill
        assert_eq!(ann.groups.len(), 2);
        let bob = &acts[log.learners().id("bob").unwrap() as usize];
        assert_eq!((bob.responses, bob.last_skill), (2, Some(0)));
        assert_eq!(bob.groups, [log.groups().id("c1").unwrap()]);
    }
}
