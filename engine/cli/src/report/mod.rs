//! Rendering of cohort reports (`pathwise report`): the tables ([`sheets`]), the page
//! ([`html`]), the colour scale ([`colors`]), and writing a report folder atomically.
//!
//! A report folder holds `index.html` and the tables `learners`, `skills`, `groups`, `stuck`,
//! `inactive` and `mastery` as `.csv` (default) or `.json` (`--format json`). With
//! `--group-by`, the top folder holds an `index.html` and `cohorts.csv`/`.json` linking one such
//! folder per cohort, named by [`cohort_dir_name`].

pub mod colors;
pub mod html;
pub mod sheets;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use pathwise::{CohortInput, CohortReport, ReportSettings};

use crate::output::{write_atomic, write_json};
use sheets::{Kind, Sheet};

/// Which files hold the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `NAME.csv`.
    Csv,
    /// `NAME.json` (an array of objects keyed by the CSV column names).
    Json,
}

impl FileFormat {
    fn ext(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
        }
    }
}

/// Writes `sheet` into `dir` as `NAME.csv` or `NAME.json`.
pub fn write_sheet(dir: &Path, sheet: &Sheet, format: FileFormat) -> anyhow::Result<()> {
    let path = dir.join(format!("{}.{}", sheet.name, format.ext()));
    write_atomic(&path, |w| match format {
        FileFormat::Csv => sheet.write_csv(w),
        FileFormat::Json => write_json(w, &sheet.to_json()),
    })
}

/// Writes one cohort's page and tables into `dir` (which must exist).
pub fn write_cohort(
    dir: &Path,
    ctx: &html::PageContext<'_>,
    input: &CohortInput,
    report: &CohortReport,
    settings: &ReportSettings,
    format: FileFormat,
) -> anyhow::Result<sheets::Sheets> {
    let sheets = sheets::build(input, report);
    let page = html::page(ctx, input, report, &sheets, settings);
    write_atomic(&dir.join("index.html"), |w| {
        Ok(w.write_all(page.as_bytes())?)
    })?;
    for sheet in sheets.all() {
        write_sheet(dir, sheet, format)?;
    }
    Ok(sheets)
}

/// The folder name of a cohort: ASCII letters, digits and `-` are kept, every other byte becomes
/// `_XX` (its hex code), so names are distinct for distinct cohorts, safe on every file system
/// and need no escaping in a link. An empty name becomes `_`.
///
/// ```
/// use pathwise_cli::report::cohort_dir_name;
/// assert_eq!(cohort_dir_name("class-5b"), "class-5b");
/// assert_eq!(cohort_dir_name("5/b é"), "5_2Fb_20_C3_A9");
/// assert_eq!(cohort_dir_name(".."), "_2E_2E");
/// ```
pub fn cohort_dir_name(group: &str) -> String {
    if group.is_empty() {
        return "_".into();
    }
    let mut out = String::with_capacity(group.len());
    for b in group.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
    out
}

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

/// One cohort as listed on the index page of a `--group-by` report.
#[derive(Debug, Clone)]
pub struct CohortEntry {
    /// The group value.
    pub name: String,
    /// Its folder name ([`cohort_dir_name`]).
    pub dir: String,
    /// Its figures.
    pub report: CohortReport,
}

/// The `cohorts` table of a `--group-by` report.
pub fn cohorts_sheet(entries: &[CohortEntry]) -> Sheet {
    let mut sheet = Sheet {
        name: "cohorts",
        columns: [
            ("cohort", Kind::Text),
            ("folder", Kind::Text),
            ("learners", Kind::Int),
            ("responses", Kind::Int),
            ("mean_mastery", Kind::Float),
            ("groups", Kind::Int),
            ("stuck_pairs", Kind::Int),
            ("inactive_learners", Kind::Int),
        ]
        .iter()
        .map(|(c, k)| ((*c).to_owned(), *k))
        .collect(),
        rows: Vec::new(),
    };
    for e in entries {
        let s = &e.report.summary;
        sheet.rows.push(vec![
            e.name.clone(),
            e.dir.clone(),
            s.learners.to_string(),
            s.responses.to_string(),
            sheets::p3(s.mean_mastery),
            e.report.grouping.groups.len().to_string(),
            e.report.stuck.len().to_string(),
            e.report.inactive.len().to_string(),
        ]);
    }
    sheet
}

/// The index page of a `--group-by` report: one line per cohort, linking its folder.
pub fn index_page(title: &str, sources: &str, sheet: &Sheet) -> String {
    use html::escape;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Cohort reports: {t}</title><style>\
         body{{font-family:system-ui,Arial,sans-serif;max-width:1000px;margin:0 auto;padding:16px 24px}}\
         table{{border-collapse:collapse}}th,td{{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}}\
         td.n,th.n{{text-align:right}}th{{background:#f2f2f7}}\
         @page{{size:A4;margin:12mm}}</style></head>\n<body><h1>Cohort reports: {t}</h1>\n\
         <p>One report per cohort, from {s}.</p>\n<table class=\"cohorts\"><thead><tr><th>Cohort</th>\
         <th class=\"n\">Learners</th><th class=\"n\">Attempts</th><th class=\"n\">Mean mastery</th>\
         <th class=\"n\">Groups</th><th class=\"n\">Stuck pairs</th><th class=\"n\">Inactive</th>\
         </tr></thead><tbody>\n",
        t = escape(title),
        s = escape(sources)
    );
    for row in &sheet.rows {
        let _ = write!(
            h,
            "<tr><td class=\"c-cohort\"><a href=\"{}/index.html\">{}</a></td>",
            escape(&row[sheet.col("folder")]),
            escape(&row[sheet.col("cohort")])
        );
        for col in [
            "learners",
            "responses",
            "mean_mastery",
            "groups",
            "stuck_pairs",
            "inactive_learners",
        ] {
            let _ = write!(
                h,
                "<td class=\"c-{col} n\">{}</td>",
                escape(&row[sheet.col(col)])
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

#[cfg(test)]
mod tests;
