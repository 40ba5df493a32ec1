//! Writing a whole report into a folder the front end chose (and made safe to fill): one cohort's
//! files, or one sub-folder per cohort plus the index of cohorts.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use pathwise::report::{Cohort, ReportSettings};

use crate::{
    CohortEntry, FileFormat, PageContext, RenderedFolder, cohort_dir_name, render_cohort,
    render_index,
};

/// Writes the report of `cohorts` into `dir`, an existing empty folder: with `grouped`, one
/// sub-folder per cohort ([`cohort_dir_name`]) and the index of cohorts at the top; else the one
/// cohort's files. `sources` is the line naming the inputs on every page. `shown` is the folder
/// as the user named it, for error messages (`dir` may be a temporary folder that replaces it
/// later). `after_cohort` is called once each cohort is written. Returns the cohorts as listed
/// on the index.
#[allow(clippy::too_many_arguments)]
pub fn write_cohorts(
    dir: &Path,
    shown: &Path,
    cohorts: &[Cohort],
    grouped: bool,
    sources: &str,
    settings: &ReportSettings,
    format: FileFormat,
    mut after_cohort: impl FnMut(),
) -> pathwise::Result<Vec<CohortEntry>> {
    let mut entries = Vec::with_capacity(cohorts.len());
    for cohort in cohorts {
        let (target, folder) = if grouped {
            let folder = cohort_dir_name(&cohort.name);
            let target = dir.join(&folder);
            std::fs::create_dir(&target)
                .map_err(|e| pathwise::Error::io(shown.join(&folder).display().to_string(), e))?;
            (target, folder)
        } else {
            (dir.to_path_buf(), String::new())
        };
        let ctx = PageContext {
            title: &cohort.name,
            sources,
            back_link: grouped,
        };
        let rendered = render_cohort(&ctx, &cohort.input, &cohort.report, settings);
        write_folder(&target, &shown.join(&folder), &rendered, format)?;
        after_cohort();
        entries.push(CohortEntry {
            name: cohort.name.clone(),
            dir: folder,
            report: cohort.report.clone(),
        });
    }
    if grouped {
        let index = render_index("cohorts", sources, &entries);
        write_folder(dir, shown, &index, format)?;
    }
    Ok(entries)
}

/// Writes every file of a rendered folder into `dir`; errors name the file at `shown`.
fn write_folder(
    dir: &Path,
    shown: &Path,
    folder: &RenderedFolder<'_>,
    format: FileFormat,
) -> pathwise::Result<()> {
    for file in folder.files(format) {
        let cannot = |e| pathwise::Error::io(shown.join(&file.name).display().to_string(), e);
        let mut w = BufWriter::new(File::create(dir.join(&file.name)).map_err(cannot)?);
        file.write_to(&mut w)
            .and_then(|()| w.flush())
            .map_err(cannot)?;
    }
    Ok(())
}
