//! The in-memory interaction log.
//!
//! Rows (one attempt each) are interned to dense integer ids and sorted by (learner, order), ties
//! keeping input order. Consecutive rows of one learner on the same item with the same correctness
//! but a different skill (how ASSISTments spells a multi-skill problem) become one *response* with
//! several skills, so every response is scored once. For the BKT kernels every (skill, learner)
//! sequence is laid out contiguously in time order, skill after skill.
//!
//! ```
//! use pathwise::{LogBuilder, RawRow};
//! let mut b = LogBuilder::new();
//! b.push(RawRow { learner: "ann", skills: &["add"], item: Some("q1"), correct: true, order: 2, group: None });
//! b.push(RawRow { learner: "ann", skills: &["add"], item: Some("q2"), correct: false, order: 1, group: None });
//! let log = b.build();
//! let add = log.skills().id("add").unwrap();
//! let seq: Vec<_> = log.skill_sequences(add).collect();
//! assert_eq!(seq.len(), 1);
//! assert_eq!(seq[0].correct, &[0, 1]); // time order, not file order
//! ```

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use std::ops::Range;

mod builder;
mod coded;

pub use builder::LogBuilder;
pub use coded::{CodedColumn, CodedRows};

/// Marks "no item" / "no group" in the id columns.
pub(crate) const NONE_ID: u32 = u32::MAX;

/// A two-way map between string ids and dense integers `0..len`, in order of first appearance.
///
/// Interning is the hot spot of loading a log, so the map uses the Fx hash (ids are not
/// attacker-chosen keys of a long-running server) and a repeat of the previous name, the usual
/// case for a log grouped by learner, skips the lookup entirely.
///
/// ```
/// let mut names = pathwise::log::Interner::default();
/// assert_eq!(names.intern("ann"), 0);
/// assert_eq!(names.intern("bob"), 1);
/// assert_eq!(names.intern("ann"), 0);
/// assert_eq!(names.name(1), "bob");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Interner {
    names: Vec<String>,
    index: FxHashMap<String, u32>,
    /// The id returned by the last `intern` call.
    last: Option<u32>,
}

impl Interner {
    /// The dense id of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(last) = self.last
            && self.names[last as usize] == name
        {
            return last;
        }
        let id = match self.index.get(name) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                self.names.push(name.to_owned());
                self.index.insert(name.to_owned(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// The dense id of `name`, if known.
    pub fn id(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// The string of a dense id. Panics when `id` is out of range (ids come from this interner).
    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    /// How many distinct ids.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no id was interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// All names, in id order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// What the `order` column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    /// A sequence number or log id: only its order matters.
    #[default]
    Sequence,
    /// Real time: milliseconds since the Unix epoch.
    TimestampMillis,
}

/// One input row, as a loader hands it over.
#[derive(Debug, Clone, Copy)]
pub struct RawRow<'a> {
    /// Learner id.
    pub learner: &'a str,
    /// The skill(s) the attempt practises (at least one).
    pub skills: &'a [&'a str],
    /// Item (problem, step) id, if the log has one.
    pub item: Option<&'a str>,
    /// First-attempt correctness.
    pub correct: bool,
    /// Time order: a sequence number or a timestamp (see [`OrderKind`]).
    pub order: i64,
    /// Group (class, cohort), if the log has one.
    pub group: Option<&'a str>,
}

/// One response (an attempt, scored once even when it practises several skills).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// Dense learner id.
    pub learner: u32,
    /// Dense item id, if any.
    pub item: Option<u32>,
    /// First-attempt correctness.
    pub correct: bool,
    /// The order key.
    pub order: i64,
    /// Dense group id, if any.
    pub group: Option<u32>,
    /// Dense ids of the skills practised.
    pub skills: &'a [u32],
}

/// One learner's attempts at one skill, in time order.
#[derive(Debug, Clone, Copy)]
pub struct Sequence<'a> {
    /// Dense learner id.
    pub learner: u32,
    /// 1 for a correct response, 0 otherwise.
    pub correct: &'a [u8],
    /// Dense item ids (`u32::MAX` where the log has none).
    pub items: &'a [u32],
    /// Index of each observation's response in the log.
    pub responses: &'a [u32],
}

/// A columnar, time-ordered interaction log with per-(skill, learner) sequences laid out
/// contiguously. Built by [`LogBuilder`]; immutable afterwards.
#[derive(Debug, Clone, Default)]
pub struct InteractionLog {
    learners: Interner,
    skills: Interner,
    items: Interner,
    groups: Interner,
    rows: usize,
    order_kind: OrderKind,
    dropped: BTreeMap<String, u64>,
    // Responses, sorted by (learner, order).
    resp_learner: Vec<u32>,
    resp_item: Vec<u32>,
    resp_correct: Vec<u8>,
    resp_order: Vec<i64>,
    resp_group: Vec<u32>,
    resp_skill_start: Vec<u32>,
    resp_skills: Vec<u32>,
    learner_start: Vec<u32>,
    // Observations (one per response and skill), grouped by skill, then learner, then time.
    obs_correct: Vec<u8>,
    obs_item: Vec<u32>,
    obs_response: Vec<u32>,
    seq_start: Vec<u32>,
    seq_learner: Vec<u32>,
    skill_seq_start: Vec<u32>,
}

impl InteractionLog {
    fn continues_last_response(
        &self,
        learner: u32,
        item: u32,
        correct: u8,
        skills: &[u32],
    ) -> bool {
        let Some(last) = self.resp_learner.len().checked_sub(1) else {
            return false;
        };
        let last_skills = &self.resp_skills[self.resp_skill_start[last] as usize..];
        same_attempt(
            (
                self.resp_learner[last],
                self.resp_item[last],
                self.resp_correct[last],
            ),
            (learner, item, correct),
        ) && skills.iter().all(|s| !last_skills.contains(s))
    }

    /// Completes a log whose responses are set: the per-learner index, the ids, the sequences.
    fn finish(
        mut self,
        learners: Interner,
        skills: Interner,
        items: Interner,
        groups: Interner,
    ) -> InteractionLog {
        self.learner_start = starts_by_id(&self.resp_learner, learners.len());
        self.learners = learners;
        self.skills = skills;
        self.items = items;
        self.groups = groups;
        self.lay_out_sequences();
        self
    }

    fn lay_out_sequences(&mut self) {
        let n_skills = self.skills.len();
        let count = starts_by_id(&self.resp_skills, n_skills);
        let total = self.resp_skills.len();
        self.obs_correct = vec![0; total];
        self.obs_item = vec![NONE_ID; total];
        self.obs_response = vec![0; total];
        let mut obs_learner = vec![0u32; total];
        let mut next = count.clone();
        for resp in 0..self.resp_learner.len() {
            let skills = self.resp_skill_range(resp);
            for &s in &self.resp_skills[skills] {
                let at = next[s as usize] as usize;
                next[s as usize] += 1;
                self.obs_correct[at] = self.resp_correct[resp];
                self.obs_item[at] = self.resp_item[resp];
                self.obs_response[at] = resp as u32;
                obs_learner[at] = self.resp_learner[resp];
            }
        }
        self.skill_seq_start = Vec::with_capacity(n_skills + 1);
        for s in 0..n_skills {
            self.skill_seq_start.push(self.seq_learner.len() as u32);
            let range = count[s] as usize..count[s + 1] as usize;
            for at in range {
                if at == count[s] as usize || obs_learner[at] != obs_learner[at - 1] {
                    self.seq_start.push(at as u32);
                    self.seq_learner.push(obs_learner[at]);
                }
            }
        }
        self.skill_seq_start.push(self.seq_learner.len() as u32);
        self.seq_start.push(total as u32);
    }

    fn resp_skill_range(&self, resp: usize) -> Range<usize> {
        self.resp_skill_start[resp] as usize..self.resp_skill_start[resp + 1] as usize
    }

    /// Learner ids.
    pub fn learners(&self) -> &Interner {
        &self.learners
    }

    /// Skill ids.
    pub fn skills(&self) -> &Interner {
        &self.skills
    }

    /// Item ids.
    pub fn items(&self) -> &Interner {
        &self.items
    }

    /// Group ids.
    pub fn groups(&self) -> &Interner {
        &self.groups
    }

    /// Input rows kept (before multi-skill repeats were merged into responses).
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// Responses (each scored once).
    pub fn n_responses(&self) -> usize {
        self.resp_learner.len()
    }

    /// Observations: one per (response, skill) pair; what per-skill BKT sees.
    pub fn n_observations(&self) -> usize {
        self.obs_correct.len()
    }

    /// Input rows left out, by reason.
    pub fn dropped(&self) -> &BTreeMap<String, u64> {
        &self.dropped
    }

    /// What the order key means.
    pub fn order_kind(&self) -> OrderKind {
        self.order_kind
    }

    /// Response `index` (0-based, in (learner, order) order).
    pub fn response(&self, index: usize) -> Response<'_> {
        Response {
            learner: self.resp_learner[index],
            item: some_id(self.resp_item[index]),
            correct: self.resp_correct[index] == 1,
            order: self.resp_order[index],
            group: some_id(self.resp_group[index]),
            skills: &self.resp_skills[self.resp_skill_range(index)],
        }
    }

    /// Indices of learner `learner`'s responses, in time order.
    pub fn learner_responses(&self, learner: u32) -> Range<usize> {
        let l = learner as usize;
        self.learner_start[l] as usize..self.learner_start[l + 1] as usize
    }

    /// Every learner's sequence on `skill`, learners in id order.
    pub fn skill_sequences(&self, skill: u32) -> impl ExactSizeIterator<Item = Sequence<'_>> + '_ {
        let s = skill as usize;
        let seqs = self.skill_seq_start[s] as usize..self.skill_seq_start[s + 1] as usize;
        seqs.map(move |q| self.sequence(q))
    }

    /// Number of observations of `skill`.
    pub fn skill_observations(&self, skill: u32) -> usize {
        let s = skill as usize;
        let first = self.skill_seq_start[s] as usize;
        let last = self.skill_seq_start[s + 1] as usize;
        (self.seq_start[last] - self.seq_start[first]) as usize
    }

    fn sequence(&self, q: usize) -> Sequence<'_> {
        let range = self.seq_start[q] as usize..self.seq_start[q + 1] as usize;
        Sequence {
            learner: self.seq_learner[q],
            correct: &self.obs_correct[range.clone()],
            items: &self.obs_item[range.clone()],
            responses: &self.obs_response[range],
        }
    }

    /// A log of the responses for which `keep(index)` holds, with the same ids (interners) as
    /// this one, e.g. the training learners of a cross-validation fold.
    pub fn filter_responses(&self, mut keep: impl FnMut(usize) -> bool) -> InteractionLog {
        let mut b = LogBuilder::with_ids_of(self);
        let mut names: Vec<&str> = Vec::new();
        for index in 0..self.n_responses() {
            if !keep(index) {
                continue;
            }
            let r = self.response(index);
            names.clear();
            names.extend(r.skills.iter().map(|&s| self.skills.name(s)));
            b.push(RawRow {
                learner: self.learners.name(r.learner),
                skills: &names,
                item: r.item.map(|i| self.items.name(i)),
                correct: r.correct,
                order: r.order,
                group: r.group.map(|g| self.groups.name(g)),
            });
        }
        b.build()
    }
}

/// Whether two (learner, item, correct) rows are one attempt at an item: how ASSISTments spells a
/// multi-skill problem (the second row then continues the first's response, if its skills are new).
fn same_attempt(first: (u32, u32, u8), second: (u32, u32, u8)) -> bool {
    second.1 != NONE_ID && first == second
}

/// `starts[k]..starts[k + 1]` is where id `k` goes when `ids` (each below `n`) are grouped by id:
/// the prefix sums of their counts.
fn starts_by_id(ids: &[u32], n: usize) -> Vec<u32> {
    let mut starts = vec![0u32; n + 1];
    for &id in ids {
        starts[id as usize + 1] += 1;
    }
    for k in 0..n {
        starts[k + 1] += starts[k];
    }
    starts
}

fn some_id(id: u32) -> Option<u32> {
    (id != NONE_ID).then_some(id)
}

/// A row with an item and no group, for tests.
#[cfg(test)]
pub(crate) fn test_row<'a>(
    learner: &'a str,
    skills: &'a [&'a str],
    item: &'a str,
    correct: bool,
    order: i64,
) -> RawRow<'a> {
    RawRow {
        learner,
        skills,
        item: Some(item),
        correct,
        order,
        group: None,
    }
}

#[cfg(test)]
mod tests {
    use super::test_row as row;
    use super::*;

    /// Everything a reader of the log can see (the interners' lookup caches may differ).
    pub(super) fn summary(log: InteractionLog) -> String {
        let ids = [&log.learners, &log.skills, &log.items, &log.groups].map(Interner::names);
        let responses: Vec<Response<'_>> =
            (0..log.n_responses()).map(|r| log.response(r)).collect();
        let sequences: Vec<Vec<Sequence<'_>>> = (0..log.skills.len() as u32)
            .map(|k| log.skill_sequences(k).collect())
            .collect();
        let by_learner: Vec<_> = (0..log.learners.len() as u32)
            .map(|l| log.learner_responses(l))
            .collect();
        format!(
            "{ids:?} {responses:?} {sequences:?} {by_learner:?} {:?} {}",
            log.dropped,
            log.n_rows()
        )
    }

    #[test]
    fn appending_parts_builds_the_same_log_as_pushing_every_row() {
        let skills: [&[&str]; 4] = [&["add"], &["sub", "add"], &[], &["mul"]];
        // Row i: learners, items and orders repeat out of step; some rows lack an item or a
        // skill, some have a group.
        let push = |b: &mut LogBuilder, rows: std::ops::Range<i64>| {
            for i in rows {
                let (learner, item) = (format!("l{}", (i * 7) % 5), format!("q{}", (i * 3) % 11));
                let order = (i * 13) % 17;
                b.push(RawRow {
                    learner: &learner,
                    skills: skills[(i % 4) as usize],
                    item: (order % 5 != 0).then_some(item.as_str()),
                    correct: i % 3 != 0,
                    order,
                    group: (i % 6 == 0).then_some("class-b"),
                });
            }
        };
        let mut whole = LogBuilder::new();
        push(&mut whole, 0..40);
        let whole = summary(whole.build());
        for cut in [0, 1, 13, 39, 40] {
            let (mut first, mut second) = (LogBuilder::new(), LogBuilder::new());
            push(&mut first, 0..cut);
            push(&mut second, cut..40);
            first.append(second);
            assert_eq!(summary(first.build()), whole, "cut at {cut}");
        }
    }

    #[test]
    fn rows_already_in_time_order_build_the_same_log_in_place() {
        let skills: [&[&str]; 3] = [&["add"], &["sub", "add"], &["mul"]];
        // Learner-grouped rows in time order; `items` decides whether rows can merge.
        let rows = |items: bool, ordered: bool| {
            let mut b = LogBuilder::new();
            for i in 0..30i64 {
                let learner = format!("l{}", i / 10);
                let item = format!("q{}", i / 2);
                b.push(RawRow {
                    learner: &learner,
                    skills: skills[(i % 3) as usize],
                    item: items.then_some(item.as_str()),
                    correct: i % 4 != 0,
                    order: if ordered { i } else { 30 - i },
                    group: (i % 7 == 0).then_some("b"),
                });
            }
            b
        };
        assert!(rows(false, true).rows_are_responses_in_time_order());
        assert!(
            !rows(true, true).rows_are_responses_in_time_order(),
            "rows may merge"
        );
        assert!(!rows(false, false).rows_are_responses_in_time_order());
        for (items, ordered) in [(false, true), (true, true), (false, false)] {
            let b = rows(items, ordered);
            assert_eq!(
                summary(b.clone().build()),
                summary(b.build_by_sorting()),
                "items {items}, ordered {ordered}"
            );
        }
        let b = rows(false, true);
        assert_eq!(
            summary(b.clone().build_in_place()),
            summary(b.build_by_sorting())
        );
    }

    #[test]
    fn a_default_builder_is_a_new_one() {
        let mut b = LogBuilder::default();
        b.push(row("ann", &["add"], "q1", true, 1));
        b.push(row("ann", &["sub"], "q2", false, 0));
        let log = b.build();
        assert_eq!(log.n_responses(), 2);
        assert_eq!(log.response(0).skills, [1]);
    }

    #[test]
    fn sorts_by_learner_then_order_keeping_ties_in_file_order() {
        let mut b = LogBuilder::new();
        b.push(row("b", &["s"], "q1", true, 5));
        b.push(row("a", &["s"], "q2", false, 3));
        b.push(row("a", &["s"], "q3", true, 1));
        b.push(row("a", &["s"], "q4", false, 1));
        let log = b.build();
        let a = log.learners().id("a").unwrap();
        let items: Vec<&str> = log
            .learner_responses(a)
            .map(|i| log.items().name(log.response(i).item.unwrap()))
            .collect();
        assert_eq!(items, ["q3", "q4", "q2"]);
    }

    #[test]
    fn merges_assistments_style_multi_skill_repeats_into_one_response() {
        let mut b = LogBuilder::new();
        b.push(row("a", &["x"], "p1", false, 0));
        b.push(row("a", &["y"], "p1", false, 1));
        b.push(row("a", &["x"], "p1", true, 2)); // a second attempt: new response
        b.push(row("a", &["x"], "p2", true, 3));
        let log = b.build();
        assert_eq!(log.n_rows(), 4);
        assert_eq!(log.n_responses(), 3);
        assert_eq!(log.n_observations(), 4);
        assert_eq!(log.response(0).skills.len(), 2);
        let x = log.skills().id("x").unwrap();
        let y = log.skills().id("y").unwrap();
        assert_eq!(log.skill_sequences(x).next().unwrap().correct, &[0, 1, 1]);
        assert_eq!(log.skill_sequences(y).next().unwrap().correct, &[0]);
        assert_eq!(log.skill_observations(x), 3);
    }

    #[test]
    fn sequences_are_grouped_by_skill_then_learner() {
        let mut b = LogBuilder::new();
        for (l, s, c, o) in [
            ("a", "x", true, 1),
            ("b", "x", false, 1),
            ("a", "x", false, 2),
            ("b", "y", true, 0),
        ] {
            b.push(RawRow {
                learner: l,
                skills: &[s],
                item: None,
                correct: c,
                order: o,
                group: None,
            });
        }
        let log = b.build();
        let x = log.skills().id("x").unwrap();
        let seqs: Vec<_> = log.skill_sequences(x).collect();
        assert_eq!(seqs.len(), 2);
        assert_eq!(log.learners().name(seqs[0].learner), "a");
        assert_eq!(seqs[0].correct, &[1, 0]);
        assert_eq!(seqs[1].correct, &[0]);
        assert_eq!(seqs[0].items, &[NONE_ID, NONE_ID]);
    }

    #[test]
    fn rows_without_skill_are_counted_as_dropped() {
        let mut b = LogBuilder::new();
        b.push(row("a", &[], "q", true, 0));
        b.drop_row("original = 0");
        let log = b.build();
        assert_eq!(log.n_rows(), 0);
        assert_eq!(log.dropped()["no skill"], 1);
        assert_eq!(log.dropped()["original = 0"], 1);
    }

    #[test]
    fn filter_keeps_ids_stable() {
        let mut b = LogBuilder::new();
        b.push(row("a", &["x"], "q1", true, 0));
        b.push(row("b", &["y"], "q2", true, 0));
        let log = b.build();
        let b_id = log.learners().id("b").unwrap();
        let only_b = log.filter_responses(|i| log.response(i).learner == b_id);
        assert_eq!(only_b.n_responses(), 1);
        assert_eq!(only_b.skills().id("y"), log.skills().id("y"));
        assert_eq!(
            only_b.skill_sequences(log.skills().id("x").unwrap()).len(),
            0
        );
    }
}
