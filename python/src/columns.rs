//! Interaction-log columns from Python: integer codes (one per row) into lists of distinct names,
//! handed over as raw native-endian buffers (`numpy.ndarray.tobytes()`), so that no Python object
//! is touched per row.

use pathwise::{InteractionLog, LogBuilder, RawRow};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// One coded column: `codes[r]` indexes `names`.
pub(crate) struct Coded {
    codes: Vec<u32>,
    names: Vec<String>,
}

/// A log's columns, owned (so that the log can be built with the GIL released).
pub(crate) struct Columns {
    learner: Coded,
    skill: Coded,
    item: Option<Coded>,
    correct: Vec<u8>,
    order: Vec<i64>,
}

/// The Python-side arguments of a log: `(learner codes, learner names, skill codes, skill names,
/// item codes or None, item names or None, correct bytes, order bytes)`.
pub(crate) type RawColumns<'py> = (
    Bound<'py, PyBytes>,
    Vec<String>,
    Bound<'py, PyBytes>,
    Vec<String>,
    Option<Bound<'py, PyBytes>>,
    Option<Vec<String>>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

impl Columns {
    /// Copies the buffers out of Python and checks every code against its names.
    pub(crate) fn from_py(raw: RawColumns<'_>) -> PyResult<Columns> {
        let (learner, learner_names, skill, skill_names, item, item_names, correct, order) = raw;
        let correct = correct.as_bytes().to_vec();
        let n = correct.len();
        let coded = |column: &str, bytes: &Bound<'_, PyBytes>, names: Vec<String>| {
            let codes: Vec<u32> = words::<4>(column, bytes.as_bytes(), n)?
                .map(u32::from_ne_bytes)
                .collect();
            if let Some(bad) = codes.iter().position(|&c| c as usize >= names.len()) {
                return Err(PyValueError::new_err(format!(
                    "column {column}, row {bad}: code {} has no name ({} names)",
                    codes[bad],
                    names.len()
                )));
            }
            Ok(Coded { codes, names })
        };
        let item = match (item, item_names) {
            (Some(bytes), Some(names)) => Some(coded("item", &bytes, names)?),
            _ => None,
        };
        Ok(Columns {
            learner: coded("learner", &learner, learner_names)?,
            skill: coded("skill", &skill, skill_names)?,
            item,
            order: words::<8>("order", order.as_bytes(), n)?
                .map(i64::from_ne_bytes)
                .collect(),
            correct,
        })
    }

    /// The interaction log of these rows (sorted by learner and order, ties in row order).
    pub(crate) fn build(&self) -> InteractionLog {
        let mut b = LogBuilder::new();
        b.reserve(self.correct.len());
        for r in 0..self.correct.len() {
            let skill = [self.skill.names[self.skill.codes[r] as usize].as_str()];
            b.push(RawRow {
                learner: &self.learner.names[self.learner.codes[r] as usize],
                skills: &skill,
                item: self
                    .item
                    .as_ref()
                    .map(|i| i.names[i.codes[r] as usize].as_str()),
                correct: self.correct[r] != 0,
                order: self.order[r],
                group: None,
            });
        }
        b.build()
    }

    /// The rows in the log's order: by learner (in `log`'s id order), then order, ties in row
    /// order — the order in which [`pathwise::predict`] returns one row per input row.
    pub(crate) fn log_order(&self, log: &InteractionLog) -> Vec<u32> {
        let ids: Vec<u32> = self
            .learner
            .names
            .iter()
            .map(|name| log.learners().id(name).unwrap_or(u32::MAX))
            .collect();
        let mut rows: Vec<u32> = (0..self.correct.len() as u32).collect();
        rows.sort_by_key(|&r| {
            let r = r as usize;
            (ids[self.learner.codes[r] as usize], self.order[r])
        });
        rows
    }
}

/// The `N`-byte words of a column that must hold `n` of them.
fn words<'a, const N: usize>(
    column: &str,
    bytes: &'a [u8],
    n: usize,
) -> PyResult<impl Iterator<Item = [u8; N]> + 'a> {
    if bytes.len() != n * N {
        return Err(PyValueError::new_err(format!(
            "column {column} has {} bytes, expected {n} values of {N} bytes",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(N)
        .map(|w| w.try_into().expect("chunks_exact gives N bytes")))
}
