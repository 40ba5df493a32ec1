//! Rows handed over as coded columns (integer codes into lists of distinct names, as
//! `pandas.factorize` or an Arrow dictionary array gives them): each distinct name is interned
//! once, not once per row.

use super::{Interner, LogBuilder, NONE_ID};
use crate::error::{Error, Location, Result};

/// One column of string ids as codes: row `r` holds `names[codes[r]]`.
#[derive(Debug, Clone, Copy)]
pub struct CodedColumn<'a> {
    /// One code per row, each an index into `names`.
    pub codes: &'a [u32],
    /// The distinct names (a name may repeat; rows with either code get the same id).
    pub names: &'a [String],
}

/// A log with one skill per row as columns, each as long as `correct`.
#[derive(Debug, Clone, Copy)]
pub struct CodedRows<'a> {
    /// Learner ids.
    pub learner: CodedColumn<'a>,
    /// The skill each row practises.
    pub skill: CodedColumn<'a>,
    /// Item ids, if the log has them.
    pub item: Option<CodedColumn<'a>>,
    /// First-attempt correctness: 0 is wrong, anything else right.
    pub correct: &'a [u8],
    /// Time order (a sequence number or a timestamp, see [`super::OrderKind`]).
    pub order: &'a [i64],
}

/// The ids of one coded column in a builder's interner: a code's id is interned the first time
/// a row uses it, so ids come in order of first appearance, as [`LogBuilder::push`] gives them.
struct CodeIds<'a> {
    column: &'static str,
    coded: CodedColumn<'a>,
    ids: Vec<u32>,
}

impl<'a> CodeIds<'a> {
    fn new(column: &'static str, coded: CodedColumn<'a>) -> Self {
        Self {
            column,
            coded,
            ids: vec![NONE_ID; coded.names.len()],
        }
    }

    /// The id of row `row`'s name in `names`; an error names the row when its code has no name.
    fn id(&mut self, names: &mut Interner, row: usize) -> Result<u32> {
        let code = self.coded.codes[row] as usize;
        let Some(&id) = self.ids.get(code) else {
            return Err(Error::input(
                Location::default().column(self.column),
                format!(
                    "row {row}: code {code} has no name ({} names)",
                    self.coded.names.len()
                ),
            ));
        };
        if id != NONE_ID {
            return Ok(id);
        }
        let id = names.intern(&self.coded.names[code]);
        self.ids[code] = id;
        Ok(id)
    }
}

impl LogBuilder {
    /// Adds the rows `rows` (indices into `columns`, in this order) of a log given as coded
    /// columns. The result is the same as pushing each row with its names ([`LogBuilder::push`],
    /// ids in order of first appearance included), but each distinct name is looked up once:
    /// this is how a log built from a data frame's columns avoids one hash lookup per row and
    /// column.
    ///
    /// Columns of different lengths, a row index beyond them or a code without a name is an
    /// [`Error::Input`] naming the column and the row; nothing is added then.
    ///
    /// ```
    /// use pathwise::log::{CodedColumn, CodedRows};
    /// use pathwise::LogBuilder;
    /// let learners = ["bob".to_string(), "ann".to_string()];
    /// let skills = ["add".to_string()];
    /// let rows = CodedRows {
    ///     learner: CodedColumn { codes: &[1, 0, 1], names: &learners },
    ///     skill: CodedColumn { codes: &[0, 0, 0], names: &skills },
    ///     item: None,
    ///     correct: &[1, 0, 1],
    ///     order: &[3, 1, 2],
    /// };
    /// let mut b = LogBuilder::new();
    /// b.push_coded(&rows, 0..3)?;
    /// let log = b.build();
    /// assert_eq!(log.learners().names(), ["ann", "bob"]); // order of first appearance
    /// assert_eq!(log.n_responses(), 3);
    /// # Ok::<(), pathwise::Error>(())
    /// ```
    pub fn push_coded(
        &mut self,
        columns: &CodedRows<'_>,
        rows: impl IntoIterator<Item = usize>,
    ) -> Result<()> {
        let n = columns.correct.len();
        let lengths = [
            ("learner", columns.learner.codes.len()),
            ("skill", columns.skill.codes.len()),
            ("item", columns.item.map_or(n, |i| i.codes.len())),
            ("order", columns.order.len()),
        ];
        for (column, len) in lengths {
            if len != n {
                return Err(Error::input(
                    Location::default().column(column),
                    format!("{len} rows, but column correct has {n}"),
                ));
            }
        }
        let before = self.held();
        let result = self.push_coded_rows(columns, rows);
        if result.is_err() {
            self.truncate_columns(before);
        }
        result
    }

    fn push_coded_rows(
        &mut self,
        columns: &CodedRows<'_>,
        rows: impl IntoIterator<Item = usize>,
    ) -> Result<()> {
        let n = columns.correct.len();
        let mut learner = CodeIds::new("learner", columns.learner);
        let mut skill = CodeIds::new("skill", columns.skill);
        let mut item = columns.item.map(|i| CodeIds::new("item", i));
        for row in rows {
            if row >= n {
                return Err(Error::input(
                    Location::default(),
                    format!("row {row} is beyond the {n} rows of the columns"),
                ));
            }
            self.learner.push(learner.id(&mut self.learners, row)?);
            self.item.push(match &mut item {
                Some(item) => item.id(&mut self.items, row)?,
                None => NONE_ID,
            });
            self.correct.push(u8::from(columns.correct[row] != 0));
            self.order.push(columns.order[row]);
            self.group.push(NONE_ID);
            self.skill_ids.push(skill.id(&mut self.skills, row)?);
            self.skill_start.push(self.skill_ids.len() as u32);
        }
        Ok(())
    }

    /// The number of rows and of skill ids held, to undo a partial [`LogBuilder::push_coded`].
    fn held(&self) -> (usize, usize) {
        (self.learner.len(), self.skill_ids.len())
    }

    /// Drops the rows added since [`LogBuilder::held`] gave `(rows, skill_ids)`. Names interned
    /// meanwhile stay: they only matter once a row uses them.
    fn truncate_columns(&mut self, (rows, skill_ids): (usize, usize)) {
        self.learner.truncate(rows);
        self.item.truncate(rows);
        self.correct.truncate(rows);
        self.order.truncate(rows);
        self.group.truncate(rows);
        self.skill_start.truncate(rows + 1);
        self.skill_ids.truncate(skill_ids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::RawRow;
    use crate::log::tests::summary;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn coded_rows_build_the_same_log_as_pushing_every_row() {
        // Codes not in order of first appearance, a repeated name, items that merge rows of two
        // skills into one response, rows out of time order.
        let learners = names(&["l2", "l0", "l1", "l0"]);
        let skills = names(&["sub", "add", "mul"]);
        let items = names(&["q1", "q0"]);
        let n = 40usize;
        let learner: Vec<u32> = (0..n).map(|i| ((i * 7) % 4) as u32).collect();
        let skill: Vec<u32> = (0..n).map(|i| ((i / 2) % 3) as u32).collect();
        let item: Vec<u32> = (0..n).map(|i| ((i / 4) % 2) as u32).collect();
        let correct: Vec<u8> = (0..n).map(|i| u8::from(i % 3 != 0) * 2).collect();
        let order: Vec<i64> = (0..n).map(|i| ((i * 13) % 17) as i64).collect();
        let rows = CodedRows {
            learner: CodedColumn {
                codes: &learner,
                names: &learners,
            },
            skill: CodedColumn {
                codes: &skill,
                names: &skills,
            },
            item: Some(CodedColumn {
                codes: &item,
                names: &items,
            }),
            correct: &correct,
            order: &order,
        };
        let selected: Vec<usize> = (0..n).filter(|i| i % 5 != 3).rev().collect();
        let mut pushed = LogBuilder::new();
        for &r in &selected {
            pushed.push(RawRow {
                learner: &learners[learner[r] as usize],
                skills: &[skills[skill[r] as usize].as_str()],
                item: Some(&items[item[r] as usize]),
                correct: correct[r] != 0,
                order: order[r],
                group: None,
            });
        }
        let mut coded = LogBuilder::new();
        coded.push_coded(&rows, selected.iter().copied()).unwrap();
        assert_eq!(summary(coded.build()), summary(pushed.build()));
    }

    #[test]
    fn a_code_without_a_name_is_an_error_naming_column_and_row_and_adds_nothing() {
        let learners = names(&["ann"]);
        let skills = names(&["add"]);
        let rows = CodedRows {
            learner: CodedColumn {
                codes: &[0, 0, 0],
                names: &learners,
            },
            skill: CodedColumn {
                codes: &[0, 0, 1],
                names: &skills,
            },
            item: None,
            correct: &[1, 0, 1],
            order: &[1, 2, 3],
        };
        let mut b = LogBuilder::new();
        let error = b.push_coded(&rows, 0..3).unwrap_err();
        assert_eq!(
            error.to_string(),
            "skill: row 2: code 1 has no name (1 names)"
        );
        assert!(b.is_empty());
        let error = b.push_coded(&rows, [0, 5]).unwrap_err();
        assert!(error.to_string().contains("row 5 is beyond the 3 rows"));
        assert!(b.is_empty());
        b.push_coded(&rows, 0..2).unwrap();
        assert_eq!(b.len(), 2);
    }

    #[test]
    fn columns_of_different_lengths_are_an_error() {
        let learners = names(&["ann"]);
        let rows = CodedRows {
            learner: CodedColumn {
                codes: &[0, 0],
                names: &learners,
            },
            skill: CodedColumn {
                codes: &[0, 0],
                names: &learners,
            },
            item: None,
            correct: &[1, 0],
            order: &[1],
        };
        let error = LogBuilder::new().push_coded(&rows, 0..1).unwrap_err();
        assert_eq!(error.to_string(), "order: 1 rows, but column correct has 2");
    }
}
