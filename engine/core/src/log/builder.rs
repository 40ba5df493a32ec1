//! [`LogBuilder`]: rows in, in any order; out, an [`InteractionLog`] with its rows interned,
//! sorted by (learner, order) and laid out per skill (see the parent module).

use std::collections::BTreeMap;

use super::{InteractionLog, Interner, NONE_ID, OrderKind, RawRow, same_attempt, starts_by_id};

/// Collects rows, then sorts and lays them out as an [`InteractionLog`].
#[derive(Debug, Clone)]
pub struct LogBuilder {
    pub(super) learners: Interner,
    pub(super) skills: Interner,
    pub(super) items: Interner,
    pub(super) groups: Interner,
    pub(super) learner: Vec<u32>,
    pub(super) item: Vec<u32>,
    pub(super) correct: Vec<u8>,
    pub(super) order: Vec<i64>,
    pub(super) group: Vec<u32>,
    pub(super) skill_start: Vec<u32>,
    pub(super) skill_ids: Vec<u32>,
    pub(super) order_kind: OrderKind,
    pub(super) dropped: BTreeMap<String, u64>,
}

impl LogBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self {
            learners: Interner::default(),
            skills: Interner::default(),
            items: Interner::default(),
            groups: Interner::default(),
            learner: Vec::new(),
            item: Vec::new(),
            correct: Vec::new(),
            order: Vec::new(),
            group: Vec::new(),
            skill_start: vec![0],
            skill_ids: Vec::new(),
            order_kind: OrderKind::default(),
            dropped: BTreeMap::new(),
        }
    }

    /// An empty builder whose ids start from `template`'s interners, so that dense ids agree with it
    /// (e.g. a test log read with the ids of a training log).
    pub fn with_ids_of(template: &InteractionLog) -> Self {
        Self {
            learners: template.learners.clone(),
            skills: template.skills.clone(),
            items: template.items.clone(),
            groups: template.groups.clone(),
            order_kind: template.order_kind,
            ..Self::new()
        }
    }

    /// Pre-allocates for `rows` more rows.
    pub fn reserve(&mut self, rows: usize) {
        self.learner.reserve(rows);
        self.item.reserve(rows);
        self.correct.reserve(rows);
        self.order.reserve(rows);
        self.group.reserve(rows);
        self.skill_start.reserve(rows);
        self.skill_ids.reserve(rows);
    }

    /// Says what the order column holds (default: a sequence number).
    pub fn set_order_kind(&mut self, kind: OrderKind) {
        self.order_kind = kind;
    }

    /// Adds one row. A row with no skill is counted as dropped ("no skill") and not stored.
    pub fn push(&mut self, row: RawRow<'_>) {
        if row.skills.is_empty() {
            self.drop_row("no skill");
            return;
        }
        self.learner.push(self.learners.intern(row.learner));
        self.item
            .push(row.item.map_or(NONE_ID, |i| self.items.intern(i)));
        self.correct.push(u8::from(row.correct));
        self.order.push(row.order);
        self.group
            .push(row.group.map_or(NONE_ID, |g| self.groups.intern(g)));
        let start = self.skill_ids.len();
        for skill in row.skills {
            let id = self.skills.intern(skill);
            if !self.skill_ids[start..].contains(&id) {
                self.skill_ids.push(id);
            }
        }
        self.skill_start.push(self.skill_ids.len() as u32);
    }

    /// Appends every row of `other` after this builder's rows, with the same result as pushing
    /// them here one by one (ids in order of first appearance included), so that a loader can
    /// read parts of a file on several threads and join them in file order. Dropped-row counts
    /// add up; the order kind is this builder's.
    ///
    /// ```
    /// use pathwise::{LogBuilder, RawRow};
    /// let row = |learner| RawRow { learner, skills: &["add"], item: None, correct: true, order: 0, group: None };
    /// let (mut first, mut second) = (LogBuilder::new(), LogBuilder::new());
    /// first.push(row("ann"));
    /// second.push(row("bob"));
    /// second.push(row("ann"));
    /// first.append(second);
    /// let log = first.build();
    /// assert_eq!(log.learners().names(), ["ann", "bob"]);
    /// assert_eq!(log.n_rows(), 3);
    /// ```
    pub fn append(&mut self, other: LogBuilder) {
        fn ids(mine: &mut Interner, theirs: &Interner) -> Vec<u32> {
            theirs.names().iter().map(|n| mine.intern(n)).collect()
        }
        fn remap(to: &[u32], id: u32) -> u32 {
            if id == NONE_ID { id } else { to[id as usize] }
        }
        let learners = ids(&mut self.learners, &other.learners);
        let items = ids(&mut self.items, &other.items);
        let groups = ids(&mut self.groups, &other.groups);
        let skills = ids(&mut self.skills, &other.skills);
        self.learner
            .extend(other.learner.iter().map(|&l| learners[l as usize]));
        self.item
            .extend(other.item.iter().map(|&i| remap(&items, i)));
        self.correct.extend_from_slice(&other.correct);
        self.order.extend_from_slice(&other.order);
        self.group
            .extend(other.group.iter().map(|&g| remap(&groups, g)));
        let base = self.skill_ids.len() as u32;
        self.skill_ids
            .extend(other.skill_ids.iter().map(|&s| skills[s as usize]));
        self.skill_start
            .extend(other.skill_start[1..].iter().map(|&s| s + base));
        for (reason, n) in other.dropped {
            *self.dropped.entry(reason).or_default() += n;
        }
    }

    /// Counts one input row left out, under a short reason ("original = 0", "no skill").
    pub fn drop_row(&mut self, reason: &str) {
        *self.dropped.entry(reason.to_owned()).or_default() += 1;
    }

    /// Rows pushed so far.
    pub fn len(&self) -> usize {
        self.learner.len()
    }

    /// True when no row was pushed.
    pub fn is_empty(&self) -> bool {
        self.learner.is_empty()
    }

    /// Row indices sorted by (learner, order), ties in input order: a counting sort by learner,
    /// then a stable sort by order of each learner's rows that are not in order already.
    fn time_order(&self) -> Vec<u32> {
        let start = starts_by_id(&self.learner, self.learners.len());
        let mut next = start.clone();
        let mut perm = vec![0u32; self.learner.len()];
        for (r, &l) in self.learner.iter().enumerate() {
            perm[next[l as usize] as usize] = r as u32;
            next[l as usize] += 1;
        }
        let order = |r: &u32| self.order[*r as usize];
        for w in start.windows(2) {
            let rows = &mut perm[w[0] as usize..w[1] as usize];
            if !rows.is_sorted_by_key(order) {
                rows.sort_by_key(order);
            }
        }
        perm
    }

    /// Sorts by (learner, order) — ties keep input order —, merges multi-skill repeats into one
    /// response, and lays out the per-skill sequences.
    pub fn build(self) -> InteractionLog {
        if self.rows_are_responses_in_time_order() {
            self.build_in_place()
        } else {
            self.build_by_sorting()
        }
    }

    /// True when the rows already stand in (learner, order) order (learners in order of first
    /// appearance, the way a log grouped by learner reads) and no row can continue the previous
    /// row's response: then the rows are the responses, where they stand.
    pub(super) fn rows_are_responses_in_time_order(&self) -> bool {
        (1..self.learner.len()).all(|r| {
            let (before, here) = (self.learner[r - 1], self.learner[r]);
            let in_order = before < here || (before == here && self.order[r - 1] <= self.order[r]);
            let attempt = |r: usize| (self.learner[r], self.item[r], self.correct[r]);
            in_order && !same_attempt(attempt(r - 1), attempt(r))
        })
    }

    /// [`LogBuilder::build`] of rows that are already the time-ordered responses: the columns move
    /// into the log, with no copy (a copy of a large log costs mostly page faults).
    pub(super) fn build_in_place(self) -> InteractionLog {
        let log = InteractionLog {
            rows: self.learner.len(),
            order_kind: self.order_kind,
            dropped: self.dropped,
            resp_learner: self.learner,
            resp_item: self.item,
            resp_correct: self.correct,
            resp_order: self.order,
            resp_group: self.group,
            resp_skill_start: self.skill_start,
            resp_skills: self.skill_ids,
            ..InteractionLog::default()
        };
        log.finish(self.learners, self.skills, self.items, self.groups)
    }

    /// [`LogBuilder::build`] in general: rows sorted into time order, multi-skill repeats merged.
    pub(super) fn build_by_sorting(self) -> InteractionLog {
        let rows = self.learner.len();
        let perm = self.time_order();

        let mut log = InteractionLog {
            rows,
            order_kind: self.order_kind,
            dropped: self.dropped,
            resp_learner: Vec::with_capacity(rows),
            resp_item: Vec::with_capacity(rows),
            resp_correct: Vec::with_capacity(rows),
            resp_order: Vec::with_capacity(rows),
            resp_group: Vec::with_capacity(rows),
            resp_skill_start: Vec::with_capacity(rows + 1),
            resp_skills: Vec::with_capacity(self.skill_ids.len()),
            ..InteractionLog::default()
        };
        log.resp_skill_start.push(0);
        for &r in &perm {
            let r = r as usize;
            let skills =
                &self.skill_ids[self.skill_start[r] as usize..self.skill_start[r + 1] as usize];
            if log.continues_last_response(self.learner[r], self.item[r], self.correct[r], skills) {
                log.resp_skills.extend_from_slice(skills);
                *log.resp_skill_start.last_mut().expect("starts with 0") =
                    log.resp_skills.len() as u32;
                continue;
            }
            log.resp_learner.push(self.learner[r]);
            log.resp_item.push(self.item[r]);
            log.resp_correct.push(self.correct[r]);
            log.resp_order.push(self.order[r]);
            log.resp_group.push(self.group[r]);
            log.resp_skills.extend_from_slice(skills);
            log.resp_skill_start.push(log.resp_skills.len() as u32);
        }
        log.finish(self.learners, self.skills, self.items, self.groups)
    }
}

/// The same as [`LogBuilder::new`].
impl Default for LogBuilder {
    fn default() -> Self {
        Self::new()
    }
}
