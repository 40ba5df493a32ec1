//! # pathwise-report
//!
//! Cohort reports for teachers, rendered from the figures of the core library
//! ([`pathwise::report::CohortInput`] and [`pathwise::report::CohortReport`]): one self-contained HTML page
//! ([`html`]: inline CSS and SVG, the mastery heatmap with its [`colors`] scale) and the tables
//! ([`sheets`]) as CSV or JSON. Every number on the page is printed from the same table cells as
//! the files, so they agree to the digit. The rules behind the figures and every column are
//! documented in `docs/report.md`.
//!
//! This crate renders into memory or into any [`std::io::Write`]r, one per file, or writes a
//! whole report into a folder the caller chose ([`write_cohorts`]); it never decides where files
//! go. A report folder holds `index.html` and the tables `learners`, `skills`,
//! `groups`, `stuck`, `inactive`, `evidence` and (up to [`sheets::WIDE_MASTERY_CELLS`] cells)
//! `mastery` ([`RenderedFolder::files`] lists them); the per-cell tables are made while they
//! are written, so rendering never holds a learners × skills table. A report of
//! several cohorts adds a top folder with an [`index_page`] and a `cohorts` table linking one
//! such folder per cohort, named by [`cohort_dir_name`].
//!
//! ```
//! use pathwise::report::{build_report, CohortInput, LearnerInput, ReportSettings, SkillEvidence, SkillRef};
//! use pathwise::{bkt::mastery::Evidence, OrderKind};
//! use pathwise_report::{FileFormat, PageContext, render_cohort};
//! let settings = ReportSettings::default();
//! let evidence = Evidence { attempts: 3, correct: 2, streak: 1, tries: 3 };
//! let input = CohortInput {
//!     skills: vec![SkillRef { id: "add".into(), name: "Addition".into(), ..SkillRef::default() }],
//!     learners: vec![LearnerInput {
//!         id: "ann".into(), responses: 3,
//!         evidence: vec![SkillEvidence::judged(0, evidence, 0.6, 0.6, &settings.rule)],
//!         first_order: 1, last_order: 3, last_skill: Some(0), top: None,
//!     }],
//!     order_kind: OrderKind::Sequence,
//! };
//! let report = build_report(&input, &settings).unwrap();
//! let ctx = PageContext { title: "Class 5a", sources: "an example", back_link: false };
//! let folder = render_cohort(&ctx, &input, &report, &settings);
//! let mut names = Vec::new();
//! for file in folder.files(FileFormat::Csv) {
//!     let mut bytes = Vec::new();
//!     file.write_to(&mut bytes).unwrap();
//!     assert!(!bytes.is_empty());
//!     names.push(file.name);
//! }
//! assert_eq!(names[0], "index.html");
//! assert!(names.contains(&"learners.csv".to_owned()));
//! ```

// A library never prints or exits: it returns what it found and lets the front end decide.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod colors;
mod folder;
pub mod heatmap;
pub mod html;
pub mod sheets;

use std::fmt::Write as _;
use std::io::Write;

use pathwise::report::{CohortInput, CohortReport, ReportSettings};

pub use folder::write_cohorts;
pub use html::PageContext;
use sheets::{Kind, LazySheet, Sheet};

/// Which files hold the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `NAME.csv`.
    Csv,
    /// `NAME.json` (an array of objects keyed by the CSV column names).
    Json,
}

impl FileFormat {
    /// The file name extension, without the dot.
    pub fn ext(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
        }
    }
}

/// Writes `sheet` as CSV or as a JSON array (pretty, with a final newline).
pub fn write_sheet(sheet: &Sheet, format: FileFormat, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        FileFormat::Csv => sheet.write_csv(out),
        FileFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &sheet.to_json())?;
            writeln!(out)
        }
    }
}

/// A rendered report folder: its page and built tables in memory, and the per-cell tables
/// ready to be made while written.
#[derive(Debug)]
pub struct RenderedFolder<'a> {
    /// The `index.html` page.
    pub page: String,
    /// The built tables, in the order their files are listed.
    pub sheets: Vec<Sheet>,
    /// The per-cell tables, listed after `sheets`.
    pub lazy: Vec<LazySheet<'a>>,
}

/// One file of a report folder: its name and how to write it.
#[derive(Debug, Clone)]
pub struct ReportFile<'a> {
    /// The file name inside the folder, e.g. `index.html` or `learners.csv`.
    pub name: String,
    body: Body<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Body<'a> {
    Page(&'a str),
    Sheet(&'a Sheet, FileFormat),
    Lazy(&'a LazySheet<'a>, FileFormat),
}

impl ReportFile<'_> {
    /// Writes the file's bytes into `out`.
    pub fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        match self.body {
            Body::Page(page) => out.write_all(page.as_bytes()),
            Body::Sheet(sheet, format) => write_sheet(sheet, format, out),
            Body::Lazy(sheet, FileFormat::Csv) => sheet.write_csv(out),
            Body::Lazy(sheet, FileFormat::Json) => sheet.write_json(out),
        }
    }
}

impl RenderedFolder<'_> {
    /// The folder's files: `index.html`, then one `NAME.csv` or `NAME.json` per table.
    pub fn files(&self, format: FileFormat) -> impl Iterator<Item = ReportFile<'_>> {
        let page = std::iter::once(ReportFile {
            name: "index.html".to_owned(),
            body: Body::Page(&self.page),
        });
        let built = self.sheets.iter().map(move |sheet| ReportFile {
            name: format!("{}.{}", sheet.name, format.ext()),
            body: Body::Sheet(sheet, format),
        });
        let lazy = self
            .lazy
            .iter()
            .map(move |sheet: &LazySheet<'_>| ReportFile {
                name: format!("{}.{}", sheet.name, format.ext()),
                body: Body::Lazy(sheet, format),
            });
        page.chain(built).chain(lazy)
    }
}

/// Renders one cohort's page and tables.
pub fn render_cohort<'a>(
    ctx: &PageContext<'_>,
    input: &'a CohortInput,
    report: &'a CohortReport,
    settings: &'a ReportSettings,
) -> RenderedFolder<'a> {
    let built = sheets::build(input, report);
    let page = html::page(ctx, input, report, &built, settings);
    RenderedFolder {
        page,
        sheets: built.into_vec(),
        lazy: sheets::lazy_sheets(input, report),
    }
}

/// The folder name of a cohort: ASCII letters, digits and `-` are kept, every other byte becomes
/// `_XX` (its hex code), and so does a leading `-` (a name never reads as a command-line option),
/// so names are distinct for distinct cohorts, safe on every file system and need no escaping in
/// a link. An empty name becomes `_`.
///
/// ```
/// use pathwise_report::cohort_dir_name;
/// assert_eq!(cohort_dir_name("class-5b"), "class-5b");
/// assert_eq!(cohort_dir_name("5/b é"), "5_2Fb_20_C3_A9");
/// assert_eq!(cohort_dir_name(".."), "_2E_2E");
/// assert_eq!(cohort_dir_name("-5"), "_2D5");
/// ```
pub fn cohort_dir_name(group: &str) -> String {
    if group.is_empty() {
        return "_".into();
    }
    let mut out = String::with_capacity(group.len());
    for (i, b) in group.bytes().enumerate() {
        if b.is_ascii_alphanumeric() || (b == b'-' && i > 0) {
            out.push(b as char);
        } else {
            let _ = write!(out, "_{b:02X}");
        }
    }
    out
}

/// Renders the top folder of a report of several cohorts: the [`index_page`] and the
/// [`cohorts_sheet`].
pub fn render_index(
    title: &str,
    sources: &str,
    entries: &[CohortEntry],
) -> RenderedFolder<'static> {
    let sheet = cohorts_sheet(entries);
    RenderedFolder {
        page: index_page(title, sources, &sheet),
        sheets: vec![sheet],
        lazy: Vec::new(),
    }
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
            s.mean_mastery.map(sheets::p3).unwrap_or_default(),
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
