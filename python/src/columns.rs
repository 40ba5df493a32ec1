//! Interaction-log columns from Python: integer codes (one per row) into lists of distinct names,
//! handed over as raw native-endian buffers (`numpy.ndarray.tobytes()`), so that no Python object
//! is touched per row.

use pathwise::log::{CodedColumn, CodedRows};
use pathwise::{InteractionLog, LogBuilder};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// One coded column: `codes[r]` indexes `names`.
pub(crate) struct Coded {
    codes: Vec<u32>,
    names: Vec<String>,
}

impl Coded {
    fn column(&self) -> CodedColumn<'_> {
        CodedColumn {
            codes: &self.codes,
            names: &self.names,
        }
    }
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
    /// Copies the buffers out of Python (the codes are checked against their names when a log
    /// is built).
    pub(crate) fn from_py(raw: RawColumns<'_>) -> PyResult<Columns> {
        let (learner, learner_names, skill, skill_names, item, item_names, correct, order) = raw;
        let correct = correct.as_bytes().to_vec();
        let n = correct.len();
        let coded = |column: &str, bytes: &Bound<'_, PyBytes>, names: Vec<String>| {
            Ok::<_, PyErr>(Coded {
                codes: u32_column(column, bytes.as_bytes(), n)?,
                names,
            })
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

    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.correct.len()
    }

    /// Every row index, in row order.
    pub(crate) fn all_rows(&self) -> Vec<u32> {
        (0..self.len() as u32).collect()
    }

    /// The interaction log of the rows `rows` (sorted by learner and order, ties in row order),
    /// each distinct name interned once ([`LogBuilder::push_coded`]).
    pub(crate) fn build(&self, rows: &[u32]) -> pathwise::Result<InteractionLog> {
        let columns = CodedRows {
            learner: self.learner.column(),
            skill: self.skill.column(),
            item: self.item.as_ref().map(Coded::column),
            correct: &self.correct,
            order: &self.order,
        };
        let mut b = LogBuilder::new();
        b.reserve(rows.len());
        b.push_coded(&columns, rows.iter().map(|&r| r as usize))?;
        Ok(b.build())
    }

    /// `rows` in the order of `log` (built from them): by learner (in `log`'s id order), then
    /// order, ties in row order — the order in which [`pathwise::predict`] returns one row per
    /// input row.
    pub(crate) fn log_order(&self, log: &InteractionLog, rows: &[u32]) -> Vec<u32> {
        let ids: Vec<u32> = self
            .learner
            .names
            .iter()
            .map(|name| log.learners().id(name).unwrap_or(u32::MAX))
            .collect();
        let mut rows = rows.to_vec();
        rows.sort_by_key(|&r| {
            let r = r as usize;
            (ids[self.learner.codes[r] as usize], self.order[r])
        });
        rows
    }

    /// Replays `rows` through `model`: P(correct) and P(known) before each response, written
    /// into `correct` and `known` at each row's index.
    pub(crate) fn replay_into(
        &self,
        model: &pathwise::Model,
        rows: &[u32],
        correct: &mut [f64],
        known: &mut [f64],
    ) -> pathwise::Result<()> {
        let log = self.build(rows)?;
        let replay = pathwise::predict(model, &log);
        for (&row, out) in self.log_order(&log, rows).iter().zip(&replay.rows) {
            correct[row as usize] = out.step.p_correct;
            known[row as usize] = out.step.p_known_before;
        }
        Ok(())
    }
}

/// Native-endian bytes of `values` (what `numpy.frombuffer(..., float64)` reads).
pub(crate) fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_ne_bytes()).collect()
}

/// A column of `u32` values handed over as native-endian bytes, which must hold `n` of them.
pub(crate) fn u32_column(column: &str, bytes: &[u8], n: usize) -> PyResult<Vec<u32>> {
    Ok(words::<4>(column, bytes, n)?
        .map(u32::from_ne_bytes)
        .collect())
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
