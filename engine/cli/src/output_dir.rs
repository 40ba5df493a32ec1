//! The one way a command writes a whole folder (`report -o DIR`, `demo -o DIR`), so that it never
//! deletes what it did not write and never leaves a half-written folder.
//!
//! - The target is checked before any work ([`OutputDir::check`]) and again just before it is
//!   replaced. It may be missing (its parent folder must exist), an **empty** folder, or an
//!   **earlier output of the same command**: a folder holding the command's marker file
//!   (`.pathwise-report`, `.pathwise-demo`) whose first line is the marker line of this format.
//!   Anything else is refused with one line naming the folder and the reason: a folder with other
//!   content, a file, a symbolic link (never followed: neither what it leads to nor the link is
//!   touched), `.` or `..`.
//! - The files are written into a fresh temporary folder created beside the target when writing
//!   starts (`.<name>.pathwise-tmp-<pid>-<n>`, registered with [`crate::temporary`], so an error,
//!   a panic, Ctrl-C or SIGTERM removes it, and a later run removes those of killed runs). It
//!   holds the marker from the start.
//! - When everything is written, an existing target is renamed aside, the temporary folder renamed
//!   into its place, and the old folder removed (an earlier output with all it holds — it is
//!   replaced as a whole —, an empty one only while it is still empty). If the second rename
//!   fails, the old folder is put back.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::output::{existing_folder_of, refuse_stdout};
use crate::temporary::{self, Kind, Temporary};

/// The format of the marker line; raise it when an output folder's layout changes in a way that
/// an older or newer pathwise should not replace blindly.
const FORMAT: u32 = 1;

/// A checked output folder of one command.
#[derive(Debug, Clone)]
pub struct OutputDir {
    /// The folder as the user named it (for messages).
    shown: PathBuf,
    /// The same folder as an absolute path, so a change of working folder or the signal handler
    /// cannot misplace it.
    target: PathBuf,
    /// The command that writes it, e.g. `report`.
    command: &'static str,
}

/// What stands at the target now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Existing {
    /// Nothing: the folder will be created.
    Nothing,
    /// An empty folder.
    Empty,
    /// A folder with this command's marker.
    Earlier,
}

impl OutputDir {
    /// Checks that `target` can be written by `command` (see the module docs), before any work
    /// is done.
    pub fn check(target: &Path, command: &'static str) -> anyhow::Result<Self> {
        refuse_stdout(target, "-o", "this output is a folder")?;
        if target.file_name().is_none() {
            anyhow::bail!(
                "{}: not replaced: name a folder to write, not the current or a parent folder",
                target.display()
            );
        }
        existing_folder_of(target)?;
        let absolute = std::path::absolute(target)
            .with_context(|| format!("{}: cannot resolve the path", target.display()))?;
        let dir = Self {
            shown: target.to_path_buf(),
            target: absolute,
            command,
        };
        dir.existing()?;
        Ok(dir)
    }

    /// The folder as the user named it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// The marker file's name: `.pathwise-<command>`.
    pub fn marker_name(&self) -> String {
        format!(".pathwise-{}", self.command)
    }

    /// The marker file's first line, which says which command and format wrote the folder.
    pub fn marker_line(&self) -> String {
        format!("pathwise {} folder, format {FORMAT}", self.command)
    }

    /// Writes the folder: `fill` writes into a fresh temporary folder (given as an absolute
    /// path), which then replaces the target. On an error the temporary folder is removed and
    /// the target is untouched.
    pub fn write<T>(&self, fill: impl FnOnce(&Path) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let (tmp, ()) =
            Temporary::create_beside(&self.target, Kind::Folder, |path| std::fs::create_dir(path))
                .with_context(|| {
                    format!("{}: cannot create a folder beside it", self.shown.display())
                })?;
        temporary::checkpoint("folder-created");
        let marker = format!(
            "{}\nThis folder was written by `pathwise {}`; writing it again replaces it as a whole.\n",
            self.marker_line(),
            self.command
        );
        std::fs::write(tmp.path().join(self.marker_name()), marker)
            .with_context(|| format!("{}: cannot write", self.shown.display()))?;
        temporary::checkpoint("marker-written");
        let value = fill(tmp.path())?;
        // Checked again: the target may have changed while the work ran.
        let existing = self.existing()?;
        temporary::checkpoint("before-swap");
        self.swap(&tmp, existing)
            .with_context(|| format!("{}: cannot write the folder", self.shown.display()))?;
        temporary::checkpoint("after-swap");
        tmp.keep();
        Ok(value)
    }

    /// Puts the written temporary folder in the target's place.
    fn swap(&self, tmp: &Temporary, existing: Existing) -> std::io::Result<()> {
        if existing == Existing::Nothing {
            return std::fs::rename(tmp.path(), &self.target);
        }
        // A fresh name for the old folder. The two renames run with a signal's cleanup held off,
        // so the target is never missing when the process stops: before them the old folder is
        // in place (and `aside`, not made yet, has nothing to remove), after them the new one.
        let aside = Temporary::beside(&self.target, Kind::Folder);
        temporary::without_interruption(|| {
            std::fs::rename(&self.target, aside.path())?;
            if let Err(e) = std::fs::rename(tmp.path(), &self.target) {
                let _ = std::fs::rename(aside.path(), &self.target);
                return Err(e);
            }
            Ok(())
        })?;
        match existing {
            // remove_dir_all removes links inside, never what they lead to.
            Existing::Earlier => drop(aside),
            // Only while still empty: a file that appeared meanwhile is kept.
            _ => drop(std::fs::remove_dir(aside.keep())),
        }
        Ok(())
    }

    /// What stands at the target, or the reason it may not be replaced.
    fn existing(&self) -> anyhow::Result<Existing> {
        let shown = self.shown.display();
        let meta = match std::fs::symlink_metadata(&self.target) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
            Err(e) => return Err(e).with_context(|| format!("{shown}: cannot read")),
        };
        if meta.file_type().is_symlink() {
            anyhow::bail!(
                "{shown}: not replaced: it is a symbolic link (pathwise neither follows nor \
                 replaces links); name a new folder"
            );
        }
        if !meta.is_dir() {
            anyhow::bail!("{shown}: not replaced: it is a file, not a folder");
        }
        let mut entries = std::fs::read_dir(&self.target)
            .with_context(|| format!("{shown}: cannot read the folder"))?;
        if entries.next().is_none() {
            return Ok(Existing::Empty);
        }
        if self.has_marker() {
            return Ok(Existing::Earlier);
        }
        anyhow::bail!(
            "{shown}: not replaced: the folder holds files that `pathwise {}` did not write (no {} \
             marker of this format); name a new or empty folder",
            self.command,
            self.marker_name()
        )
    }

    /// Whether the target holds this command's marker: a regular file (not a link) whose first
    /// line is [`OutputDir::marker_line`].
    fn has_marker(&self) -> bool {
        let path = self.target.join(self.marker_name());
        let is_file = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_file());
        let mut head = Vec::with_capacity(128);
        let read = std::fs::File::open(&path).and_then(|f| f.take(128).read_to_end(&mut head));
        let first = head.split(|&b| b == b'\n').next().unwrap_or_default();
        is_file && read.is_ok() && first == self.marker_line().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_fill_leaves_no_folder_and_keeps_the_old_one() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("report");
        let dir = OutputDir::check(&out, "report").unwrap();
        let err = dir.write(|tmp| -> anyhow::Result<()> {
            std::fs::write(tmp.join("half.csv"), "x")?;
            anyhow::bail!("bad input")
        });
        assert!(err.is_err());
        assert!(names(parent.path()).is_empty());

        dir.write(|tmp| Ok(std::fs::write(tmp.join("a.txt"), "one")?))
            .unwrap();
        let _ = dir.write(|_| -> anyhow::Result<()> { anyhow::bail!("again") });
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "one");
        // An earlier output is replaced as a whole.
        let again = OutputDir::check(&out, "report").unwrap();
        again
            .write(|tmp| Ok(std::fs::write(tmp.join("b.txt"), "two")?))
            .unwrap();
        assert_eq!(names(&out), [".pathwise-report", "b.txt"]);
        assert_eq!(names(parent.path()), ["report"]);
    }

    #[test]
    fn a_folder_into_a_missing_folder_names_the_folder_and_runs_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("missing").join("report");
        let err = OutputDir::check(&out, "report").unwrap_err();
        assert!(err.to_string().ends_with("missing does not exist"), "{err}");
        assert!(names(parent.path()).is_empty());
    }

    #[test]
    fn a_folder_it_did_not_write_is_refused_before_and_after_the_work() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("mydocs");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.txt"), "x").unwrap();
        let err = OutputDir::check(&out, "report").unwrap_err().to_string();
        assert!(err.contains("mydocs: not replaced"), "{err}");

        // Empty when checked, filled by the user while the work ran: refused at the end.
        std::fs::remove_file(out.join("thesis.txt")).unwrap();
        let dir = OutputDir::check(&out, "report").unwrap();
        let err = dir
            .write(|_| Ok(std::fs::write(out.join("thesis.txt"), "x")?))
            .unwrap_err();
        assert!(err.to_string().contains("not replaced"), "{err}");
        assert_eq!(names(&out), ["thesis.txt"]);
        assert_eq!(names(parent.path()), ["mydocs"]);
    }

    #[test]
    fn another_command_s_folder_or_a_marker_of_another_format_is_refused() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("out");
        OutputDir::check(&out, "demo")
            .unwrap()
            .write(|_| Ok(()))
            .unwrap();
        assert!(OutputDir::check(&out, "report").is_err());
        std::fs::write(
            out.join(".pathwise-demo"),
            "pathwise demo folder, format 99\n",
        )
        .unwrap();
        assert!(OutputDir::check(&out, "demo").is_err());
    }

    #[test]
    fn dot_and_dot_dot_are_refused() {
        for path in [".", "..", "a/.."] {
            let err = OutputDir::check(Path::new(path), "report").unwrap_err();
            assert!(err.to_string().contains("not replaced"), "{path}: {err}");
        }
    }
}
