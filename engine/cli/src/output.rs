//! Output helpers shared by the commands: the `--format` switch, aligned tables, and the one
//! writer of output files ([`write_file`]: standard output for `-`, links followed, a temporary
//! file renamed into place, so an interrupted run leaves nothing half-written).

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::temporary::{Kind, Temporary};

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

    /// Writes the table as aligned text (numbers right-aligned, control characters of the cells
    /// escaped by [`pathwise::text::terminal_safe`]) or CSV (cells as they are).
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
                // Cells hold input text (ids, names): escaped, so a terminal shows and runs nothing.
                let safe = |cells: &[String]| -> Vec<String> {
                    cells
                        .iter()
                        .map(|c| pathwise::text::terminal_safe(c).into_owned())
                        .collect()
                };
                let header = safe(&self.header);
                let rows: Vec<Vec<String>> = self.rows.iter().map(|r| safe(r)).collect();
                let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
                for row in &rows {
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
                writeln!(out, "{}", line(&header))?;
                for row in &rows {
                    writeln!(out, "{}", line(row))?;
                }
            }
        }
        Ok(())
    }
}

/// True for `-`, the name of standard output in `-o -`.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses `-o -` where one stream cannot hold the output (`what` says why, e.g. "a report is
/// a folder").
pub fn refuse_stdout(path: &Path, flag: &str, what: &str) -> anyhow::Result<()> {
    if is_stdout(path) {
        anyhow::bail!("{flag} -: {what}; give a path");
    }
    Ok(())
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

/// Checks, before a long computation, that `path` can be written when it is done: standard
/// output, a stream (device, FIFO), or a file whose folder exists (links followed).
pub fn check_writable(path: &Path) -> anyhow::Result<()> {
    match resolve(path)? {
        Target::Stdout | Target::Stream(_) => Ok(()),
        Target::File(real) => existing_folder_of(&real).map(|_| ()),
    }
}

/// How an output file is created by [`write_file`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// Owner-only permissions (0600) for a secret; otherwise those of any new file (0666 less
    /// the umask), so that a report can be shared as it is.
    pub private: bool,
    /// Refuse to replace an existing file (the error's kind is `AlreadyExists`).
    pub keep_existing: bool,
}

/// Writes `path` atomically with the usual permissions: see [`write_file`].
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    write_file(path, FileOptions::default(), fill)
}

/// Writes an output: `fill` writes into a registered temporary file beside the target (see
/// [`crate::temporary`]), which is renamed onto the target only when `fill` succeeded; on an
/// error, a panic or a signal the temporary is removed and the target is untouched.
///
/// `-` is standard output. A symbolic link is followed and the file it points to replaced (the
/// link stays). A target that is not a regular file (a device such as `/dev/null`, a FIFO, a
/// descriptor under `/dev/fd`) is written directly. Every write error names the file.
pub fn write_file(
    path: &Path,
    options: FileOptions,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match resolve(path)? {
        Target::Stdout => {
            let mut w = BufWriter::new(Named::new(std::io::stdout().lock(), "standard output"));
            fill(&mut w)?;
            Ok(w.flush()?)
        }
        Target::Stream(stream) => {
            let file = std::fs::OpenOptions::new()
                .append(true)
                .open(&stream)
                .with_context(|| format!("{}: cannot open for writing", path.display()))?;
            let mut w = BufWriter::new(Named::new(file, path.display()));
            fill(&mut w)?;
            Ok(w.flush()?)
        }
        Target::File(real) => write_replacing(&real, options, fill),
    }
}

/// The atomic write of a regular file (see [`write_file`]).
fn write_replacing(
    path: &Path,
    options: FileOptions,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    existing_folder_of(path)?;
    if options.keep_existing && path.exists() {
        return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists))
            .with_context(|| format!("{}: already exists", path.display()));
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(if options.private { 0o600 } else { 0o666 });
    }
    let (tmp, file) = Temporary::create_beside(path, Kind::File, |tmp| open.open(tmp))
        .with_context(|| format!("{}: cannot create a file in this folder", path.display()))?;
    let mut w = BufWriter::new(Named::new(file, path.display()));
    fill(&mut w)?;
    let file = w.into_inner().map_err(|e| e.into_error())?;
    if options.private {
        file.into_inner()
            .sync_all()
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    let placed = if options.keep_existing {
        // A hard link fails when the target appeared meanwhile; the temporary is removed on drop.
        std::fs::hard_link(tmp.path(), path)
    } else {
        std::fs::rename(tmp.path(), path).map(|()| {
            tmp.keep();
        })
    };
    placed.with_context(|| format!("{}: cannot write", path.display()))
}

/// Where a path leads once its symbolic links are followed.
enum Target {
    /// `-`.
    Stdout,
    /// Not a regular file: a device, a FIFO, a socket or an open descriptor.
    Stream(PathBuf),
    /// A regular file, or nothing yet: the real path, links resolved.
    File(PathBuf),
}

/// Follows `path`'s symbolic links one at a time (so a dangling link leads to the file it names).
fn resolve(path: &Path) -> anyhow::Result<Target> {
    if is_stdout(path) {
        return Ok(Target::Stdout);
    }
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        // A process's descriptors are links that do not lead to paths (`pipe:[123]`).
        if current.starts_with("/proc") || current.starts_with("/dev/fd") {
            return Ok(Target::Stream(current));
        }
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .with_context(|| format!("{}: cannot read the link", current.display()))?;
                current = match current.parent() {
                    Some(parent) => parent.join(link),
                    None => link,
                };
            }
            Ok(m) if m.is_file() => return Ok(Target::File(current)),
            Ok(m) if m.is_dir() => anyhow::bail!("{}: is a folder", path.display()),
            Ok(_) => return Ok(Target::Stream(current)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::File(current)),
            Err(e) => return Err(e).with_context(|| format!("{}: cannot write", path.display())),
        }
    }
    anyhow::bail!("{}: too many levels of symbolic links", path.display())
}

/// A writer whose errors name the file (`out.csv: cannot write: No space left on device`); the
/// error kind is kept (a broken pipe stays one).
struct Named<W> {
    inner: W,
    name: String,
}

impl<W> Named<W> {
    fn new(inner: W, name: impl std::fmt::Display) -> Self {
        Self {
            inner,
            name: name.to_string(),
        }
    }

    fn into_inner(self) -> W {
        self.inner
    }

    fn wrap(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(e.kind(), format!("{}: cannot write: {e}", self.name))
    }
}

impl<W: Write> Write for Named<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.wrap(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| self.wrap(e))
    }
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
    fn table_cells_with_control_characters_are_escaped_and_aligned_csv_left_as_is() {
        let mut t = Table::new(["learner", "n"]);
        t.push(["ev\u{1b}[2Kil", "1"]);
        t.push(["bob", "22"]);
        let mut out = Vec::new();
        t.write(&mut out, Format::Table).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "learner    n\nev\\e[2Kil   1\nbob        22\n"
        );
        let mut out = Vec::new();
        t.write(&mut out, Format::Csv).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("ev\u{1b}[2Kil,1"));
    }

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

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomic(&link, |w| Ok(w.write_all(b"new")?)).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
        // A dangling link leads to the file it names, created.
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("made.csv", &dangling).unwrap();
        write_atomic(&dangling, |w| Ok(w.write_all(b"made")?)).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("made.csv")).unwrap(),
            "made"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 4);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_device_is_written_directly_and_the_error_names_it() {
        use std::os::unix::fs::FileTypeExt;
        let is_device =
            |p: &str| std::fs::metadata(p).is_ok_and(|m| m.file_type().is_char_device());
        if !is_device("/dev/full") {
            return; // some containers have no /dev/full
        }
        let err = write_atomic(Path::new("/dev/full"), |w| {
            Ok(w.write_all(&[b'x'; 100_000])?)
        })
        .unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.starts_with("/dev/full: cannot write: No space left on device"),
            "{message}"
        );
        assert!(is_device("/dev/full"));
    }

    #[test]
    fn a_folder_is_not_replaced_by_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), |w| Ok(w.write_all(b"x")?)).unwrap_err();
        assert!(format!("{err:#}").ends_with("is a folder"), "{err:#}");
    }

    #[cfg(unix)]
    #[test]
    fn a_private_file_is_owner_only_and_keep_existing_refuses_to_replace() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let private = FileOptions {
            private: true,
            keep_existing: true,
        };
        write_file(&path, private, |w| Ok(w.write_all(b"one")?)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let err = write_file(&path, private, |w| Ok(w.write_all(b"two")?)).unwrap_err();
        assert!(format!("{err:#}").contains("already exists"), "{err:#}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
