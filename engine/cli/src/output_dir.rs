//! Writing a whole output folder atomically (`report -o DIR`): the files go into a temporary
//! folder beside the target, which replaces it only when everything was written.

use std::path::Path;

use anyhow::Context;

/// Builds a report folder atomically: `fill` writes into a fresh temporary folder beside `out`,
/// which then replaces `out` (an existing `out` is moved aside first and removed after). When
/// `fill` fails, the temporary folder is removed and `out` is untouched.
pub fn publish_dir<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let parent = crate::output::existing_folder_of(out)?;
    if out.exists() && !out.is_dir() {
        anyhow::bail!("{}: exists and is not a folder", out.display());
    }
    let tmp = tempfile::Builder::new()
        .prefix(".pathwise-report-")
        .tempdir_in(parent)
        .with_context(|| format!("{}: cannot create a folder here", parent.display()))?;
    let value = fill(tmp.path())?;
    // A temporary folder is private (0700); a report folder is an ordinary one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("{}: cannot set permissions", tmp.path().display()))?;
    }
    let staged = tmp.keep();
    let swap = |staged: &Path| -> anyhow::Result<()> {
        if out.exists() {
            let old = tempfile::Builder::new()
                .prefix(".pathwise-report-old-")
                .tempdir_in(parent)?
                .keep();
            std::fs::remove_dir(&old)?;
            std::fs::rename(out, &old)?;
            if let Err(e) = std::fs::rename(staged, out) {
                let _ = std::fs::rename(&old, out);
                return Err(e.into());
            }
            std::fs::remove_dir_all(&old)?;
        } else {
            std::fs::rename(staged, out)?;
        }
        Ok(())
    };
    if let Err(e) = swap(&staged) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e.context(format!("{}: cannot write the report folder", out.display())));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_fill_leaves_no_folder_and_keeps_the_old_one() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("report");
        let err = publish_dir(&out, |dir| -> anyhow::Result<()> {
            std::fs::write(dir.join("half.csv"), "x")?;
            anyhow::bail!("bad input")
        });
        assert!(err.is_err());
        assert!(!out.exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);

        publish_dir(&out, |dir| Ok(std::fs::write(dir.join("a.txt"), "one")?)).unwrap();
        let _ = publish_dir(&out, |_| -> anyhow::Result<()> { anyhow::bail!("again") });
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "one");
        publish_dir(&out, |dir| Ok(std::fs::write(dir.join("b.txt"), "two")?)).unwrap();
        assert!(!out.join("a.txt").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.txt")).unwrap(), "two");
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_report_into_a_missing_folder_names_the_folder_and_runs_nothing() {
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("missing").join("report");
        let mut ran = false;
        let err = publish_dir(&out, |_| -> anyhow::Result<()> {
            ran = true;
            Ok(())
        })
        .unwrap_err();
        assert!(err.to_string().ends_with("missing does not exist"), "{err}");
        assert!(!ran);
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 0);
    }
}
