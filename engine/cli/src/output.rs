//! Output helpers shared by the commands: the `--format` switch, aligned tables, and atomic file
//! writes (a temporary file renamed into place, so an interrupted run leaves nothing half-written).

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// How a command prints its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    #[default]
    Table,
    /// Comma-separated values with a header.
    Csv,
    /// JSON with stable snake_case keys.
    Json,
}

/// A table of strings: a header and rows, printed aligned or as CSV.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        Self {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }

    /// Writes the table as aligned text (numbers right-aligned) or CSV.
    pub fn write(&self, out: &mut dyn Write, format: Format) -> anyhow::Result<()> {
        match format {
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.header)?;
                for row in &self.rows {
                    w.write_record(row)?;
                }
                w.flush()?;
            }
            Format::Table | Format::Json => {
                let mut widths: Vec<usize> =
                    self.header.iter().map(|h| h.chars().count()).collect();
                for row in &self.rows {
                    for (w, cell) in widths.iter_mut().zip(row) {
                        *w = (*w).max(cell.chars().count());
                    }
                }
                let line = |cells: &[String]| -> String {
                    let mut s = String::new();
                    for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
                        if i > 0 {
                            s.push_str("  ");
                        }
                        let pad = w - cell.chars().count();
                        if cell.parse::<f64>().is_ok() {
                            s.extend(std::iter::repeat_n(' ', pad));
                            s.push_str(cell);
                        } else {
                            s.push_str(cell);
                            s.extend(std::iter::repeat_n(' ', pad));
                        }
                    }
                    s.trim_end().to_owned()
                };
                writeln!(out, "{}", line(&self.header))?;
                for row in &self.rows {
                    writeln!(out, "{}", line(row))?;
                }
            }
        }
        Ok(())
    }
}

/// The folder `path` will be written in (`.` for a bare file name); an error naming it when it
/// does not exist.
pub fn existing_folder_of(path: &Path) -> anyhow::Result<&Path> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "{}: cannot write: the folder {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(dir)
}

/// Writes `path` atomically: `fill` writes into a temporary file in the same folder, which is
/// renamed over `path` only when `fill` succeeded. On error nothing is left behind.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = existing_folder_of(path)?;
    let mut builder = tempfile::Builder::new();
    // A temporary file is private (0600); an output file gets the usual mode (0666 less the umask),
    // like any file the user creates, so a report folder can be shared or served as it is.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a file in this folder", path.display()))?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    tmp.persist(path)
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

/// Writes `value` as pretty JSON followed by a newline.
pub fn write_json(out: &mut dyn Write, value: &impl serde::Serialize) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_numbers_right() {
        let mut t = Table::new(["name", "n"]);
        t.push(["a", "10"]);
        t.push(["bbb", "2"]);
        let mut out = Vec::new();
        t.write(&mut out, Format::Table).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "name  n\na     10\nbbb    2\n"
        );
    }

    #[test]
    fn atomic_write_leaves_nothing_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let err = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            anyhow::bail!("boom")
        });
        assert!(err.is_err());
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomic(&path, |w| Ok(w.write_all(b"whole")?)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole");
    }

    #[test]
    fn atomic_write_into_a_missing_folder_names_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("out.csv");
        let err = write_atomic(&path, |w| Ok(w.write_all(b"x")?)).unwrap_err();
        let message = format!("{err:#}");
        assert!(message.ends_with("does not exist"), "{message}");
        assert!(message.contains("missing"), "{message}");
        assert!(!message.contains("os error"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_gives_the_mode_of_an_ordinary_new_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let ordinary = dir.path().join("ordinary");
        std::fs::File::create(&ordinary).unwrap();
        let written = dir.path().join("written.csv");
        write_atomic(&written, |w| Ok(w.write_all(b"x")?)).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&written), mode(&ordinary));
    }
}
