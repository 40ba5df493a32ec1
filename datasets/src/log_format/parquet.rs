//! Parquet logs through polars (the crate's `parquet` feature). Only the mapped columns are read;
//! each is cast to text and fed row by row to the same row logic as CSV, so values mean the same.
//! A column holds integers of any width (pandas writes Int8/Int16/UInt8/UInt16 for small ones),
//! floats, text, booleans, categories or dates; a nested column (struct, list, array) or bytes is
//! an error naming the file and the column rather than text like `{1}`.
//! In error locations the line number is the 1-based data row.

use std::path::Path;

use pathwise::{Error, Location, Result};
use polars::prelude::{DataType, ParquetReader, PolarsResult, SerReader, StringChunked};

use super::columns::Mapping;
use super::parquet_footer;
use super::rows::{Fields, RowReader, Sink};
use super::values::BadByte;

fn polars_error(file: &str, e: impl std::fmt::Display) -> Error {
    Error::input(
        Location::file(file),
        format!("cannot read the Parquet file: {e}"),
    )
}

/// Runs a polars call on a file's contents, turning a panic inside polars into an error naming
/// the file: polars 0.55 panics (index out of range, failed assertions) on some corrupt data pages
/// that a footer check cannot see. The `pathwise` binary keeps such panics off the terminal (its
/// panic hook stays quiet for panics raised in polars code), so the error is the only line.
fn guarded<T>(file: &str, read: impl FnOnce() -> PolarsResult<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(result) => result.map_err(|e| polars_error(file, e)),
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            // One line, at most 200 characters: assertion messages span several lines.
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            let reason: String = reason.chars().take(200).collect();
            Err(polars_error(
                file,
                format!("its data is corrupt (the Parquet reader failed: {reason})"),
            ))
        }
    }
}

/// Opens a Parquet file for polars once its footer passed [`parquet_footer::check`] (polars
/// aborts the process on some malformed footers).
fn open(path: &Path) -> Result<std::fs::File> {
    let mut file = super::files::open(path)?;
    parquet_footer::check(path, &mut file)?;
    Ok(file)
}

/// The column names of a Parquet file.
pub(crate) fn header(path: &Path) -> Result<Vec<String>> {
    let file = path.display().to_string();
    let mut reader = ParquetReader::new(open(path)?);
    let schema = guarded(&file, || reader.schema())?;
    Ok(schema.iter_names().map(|n| n.to_string()).collect())
}

/// Reads every row of a Parquet file into `sink`.
pub(crate) fn read(
    path: &Path,
    header: &[String],
    mapping: &Mapping,
    rows: &RowReader<'_>,
    sink: &mut Sink,
) -> Result<()> {
    let file = path.display().to_string();
    let mut used: Vec<usize> = mapping.used().collect();
    used.sort_unstable();
    used.dedup();
    let names: Vec<String> = used.iter().map(|&i| header[i].clone()).collect();
    let reader = ParquetReader::new(open(path)?).with_columns(Some(names.clone()));
    let df = guarded(&file, || reader.finish())?;
    let mut columns: Vec<(usize, StringChunked)> = Vec::with_capacity(used.len());
    for (&index, name) in used.iter().zip(&names) {
        let column = df.column(name).map_err(|e| polars_error(&file, e))?;
        if !is_flat(column.dtype()) {
            return Err(Error::input(
                Location::file(&file).column(name.as_str()),
                format!(
                    "the column holds {} values; a log column must hold numbers, text, \
                     booleans, categories or dates",
                    column.dtype()
                ),
            ));
        }
        let text = guarded(&file, || {
            column
                .cast(&DataType::String)
                .and_then(|c| c.str().cloned())
        })?;
        columns.push((index, text.rechunk().into_owned()));
    }
    let n_rows = df.height();
    if n_rows == 0 {
        return Err(Error::input(Location::file(&file), "the file has no rows"));
    }
    let mut fields = RowFields {
        values: vec![b""; header.len()],
    };
    for row in 0..n_rows {
        for (index, column) in &columns {
            fields.values[*index] = column.get(row).map_or(b"", str::as_bytes);
        }
        rows.push(sink, &fields, row as u64 + 1)?;
    }
    Ok(())
}

/// True for the column types whose values read as one field of text: numbers, text, booleans,
/// categories, dates and times (and an all-null column).
fn is_flat(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric()
        || dtype.is_string()
        || dtype.is_bool()
        || dtype.is_categorical()
        || dtype.is_enum()
        || dtype.is_null()
        || matches!(dtype, DataType::Date | DataType::Datetime(..))
}

struct RowFields<'a> {
    values: Vec<&'a [u8]>,
}

impl Fields for RowFields<'_> {
    fn get(&self, index: usize) -> &[u8] {
        self.values.get(index).copied().unwrap_or(b"")
    }

    fn file_offset(&self, _index: usize, _bad: BadByte) -> Option<u64> {
        None
    }
}
