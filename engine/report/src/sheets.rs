//! The report's tables. The small ones (`learners`, `skills`, `groups`, `stuck`, `inactive`:
//! one row per learner, skill, group or listed pair) are built once as strings: the CSV and JSON
//! files and the HTML page all print these same cells, so the numbers agree everywhere. The
//! per-cell tables (`evidence`, and `mastery` up to [`WIDE_MASTERY_CELLS`] cells) are
//! [`LazySheet`]s: written row by row from the input, never held whole in memory.

use std::borrow::Cow;
use std::io::Write;

use pathwise::report::{CohortInput, CohortReport, format_gap, format_order};

/// `mastery.csv` (learners × skills, one column per skill) is written only up to this many
/// cells; above it the same numbers are in the long `evidence` table, which is always written.
pub const WIDE_MASTERY_CELLS: usize = 2_000_000;

/// How a column's cells are typed in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string (empty → `null`).
    Text,
    /// An integer.
    Int,
    /// A decimal number.
    Float,
    /// `true` / `false`.
    Bool,
}

/// One table of the report.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// File stem: `learners` → `learners.csv` / `learners.json`.
    pub name: &'static str,
    /// Column names and kinds.
    pub columns: Vec<(String, Kind)>,
    /// Rows of cells, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Sheet {
    fn new(name: &'static str, columns: &[(&str, Kind)]) -> Self {
        Self {
            name,
            columns: columns.iter().map(|(c, k)| ((*c).to_owned(), *k)).collect(),
            rows: Vec::new(),
        }
    }

    /// The index of column `name`. Panics on an unknown name (a programming error: names are
    /// the constants of this module).
    pub fn col(&self, name: &str) -> usize {
        self.columns
            .iter()
            .position(|(c, _)| c == name)
            .unwrap_or_else(|| panic!("no column {name} in {}", self.name))
    }

    /// Writes the sheet as CSV with a header. Text cells and column names (skill ids head the
    /// columns of `mastery`) pass through [`spreadsheet_safe`], so nothing from the input becomes
    /// a formula when the file is opened in a spreadsheet.
    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_csv(
            &self.columns,
            &mut |f| self.rows.iter().try_for_each(|r| f(r)),
            out,
        )
    }

    /// The sheet as a JSON array of objects keyed by column name, cells typed by column kind.
    pub fn to_json(&self) -> serde_json::Value {
        let rows = self
            .rows
            .iter()
            .map(|row| serde_json::Value::Object(json_row(&self.columns, row)))
            .collect();
        serde_json::Value::Array(rows)
    }
}

/// Calls its argument once per row, in order; stops at the first error.
pub type RowSource<'a> =
    Box<dyn Fn(&mut dyn FnMut(&[String]) -> std::io::Result<()>) -> std::io::Result<()> + 'a>;

/// A table whose rows are made while it is written, so a table with a row per (learner, skill)
/// cell never sits in memory whole.
pub struct LazySheet<'a> {
    /// File stem, as [`Sheet::name`].
    pub name: &'static str,
    /// Column names and kinds.
    pub columns: Vec<(String, Kind)>,
    rows: RowSource<'a>,
}

impl std::fmt::Debug for LazySheet<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazySheet")
            .field("name", &self.name)
            .field("columns", &self.columns)
            .finish_non_exhaustive()
    }
}

impl LazySheet<'_> {
    /// Writes the sheet as CSV with a header, cells made safe as in [`Sheet::write_csv`].
    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        write_csv(&self.columns, &mut |f| (self.rows)(f), out)
    }

    /// Writes the sheet as a JSON array of objects (pretty, with a final newline), as
    /// `serde_json::to_writer_pretty` writes [`Sheet::to_json`].
    pub fn write_json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut first = true;
        out.write_all(b"[")?;
        (self.rows)(&mut |row| {
            let object = serde_json::Value::Object(json_row(&self.columns, row));
            let text = serde_json::to_string_pretty(&object)?;
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    out.write_all(b"\n")?;
                }
                out.write_all(b"  ")?;
                out.write_all(line.as_bytes())?;
            }
            Ok(())
        })?;
        out.write_all(if first { b"]\n" } else { b"\n]\n" })
    }
}

type ForEachRow<'r> =
    dyn FnMut(&mut dyn FnMut(&[String]) -> std::io::Result<()>) -> std::io::Result<()> + 'r;

fn write_csv(
    columns: &[(String, Kind)],
    for_each_row: &mut ForEachRow<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for (name, _) in columns {
        w.write_field(spreadsheet_safe(name).as_bytes())?;
    }
    w.write_record(None::<&[u8]>)?;
    for_each_row(&mut |row| {
        for (cell, (_, kind)) in row.iter().zip(columns) {
            let cell = match kind {
                Kind::Text => spreadsheet_safe(cell),
                _ => Cow::Borrowed(cell.as_str()),
            };
            w.write_field(cell.as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
        Ok(())
    })?;
    w.flush()
}

fn json_row(
    columns: &[(String, Kind)],
    row: &[String],
) -> serde_json::Map<String, serde_json::Value> {
    let mut obj = serde_json::Map::with_capacity(row.len());
    for ((name, kind), cell) in columns.iter().zip(row) {
        obj.insert(name.clone(), json_cell(*kind, cell));
    }
    obj
}

/// A CSV cell that a spreadsheet will not run as a formula (CSV injection, OWASP's rule): a
/// cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return (or the full-width `＝`,
/// `＋`, `－`, `＠`) gets a leading `'`, which spreadsheets show as text and do not print. A
/// plain number such as `-3` or `+0.5` is left as it is: a spreadsheet reads it as that number.
///
/// ```
/// use pathwise_report::sheets::spreadsheet_safe;
/// assert_eq!(spreadsheet_safe("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
/// assert_eq!(spreadsheet_safe("-2+3"), "'-2+3");
/// assert_eq!(spreadsheet_safe("\tx"), "'\tx");
/// assert_eq!(spreadsheet_safe("-3"), "-3");
/// assert_eq!(spreadsheet_safe("ann"), "ann");
/// ```
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    const TRIGGERS: [char; 10] = [
        '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
    ];
    let starts_a_formula = cell.starts_with(TRIGGERS);
    if starts_a_formula && !is_plain_number(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// An optional sign, digits, and optionally a point and more digits.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix(['+', '-']).unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

fn json_cell(kind: Kind, cell: &str) -> serde_json::Value {
    use serde_json::Value;
    if cell.is_empty() {
        return Value::Null;
    }
    match kind {
        Kind::Text => Value::String(cell.to_owned()),
        Kind::Int => cell
            .parse::<i64>()
            .map_or_else(|_| Value::String(cell.to_owned()), Value::from),
        Kind::Float => cell
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(cell.to_owned()), Value::Number),
        Kind::Bool => Value::Bool(cell == "true"),
    }
}

/// A probability or share with three decimals, as every table prints it.
pub fn p3(x: f64) -> String {
    format!("{x:.3}")
}

/// All the built tables of one cohort.
#[derive(Debug, Clone)]
pub struct Sheets {
    /// One row per learner, in progress order.
    pub learners: Sheet,
    /// One row per skill, in curriculum order.
    pub skills: Sheet,
    /// One row per group.
    pub groups: Sheet,
    /// One row per stuck (learner, skill) pair.
    pub stuck: Sheet,
    /// One row per inactive learner.
    pub inactive: Sheet,
}

impl Sheets {
    /// All sheets, in the order the files are listed.
    pub fn into_vec(self) -> Vec<Sheet> {
        vec![
            self.learners,
            self.skills,
            self.groups,
            self.stuck,
            self.inactive,
        ]
    }
}

/// A probability, or an empty cell when there is none.
fn opt_p3(x: Option<f64>) -> String {
    x.map(p3).unwrap_or_default()
}

/// The per-cell tables of one cohort, made while written: `evidence` always, `mastery` when the
/// cohort has at most [`WIDE_MASTERY_CELLS`] cells.
pub fn lazy_sheets<'a>(input: &'a CohortInput, report: &'a CohortReport) -> Vec<LazySheet<'a>> {
    use Kind::*;
    let columns = |cols: &[(&str, Kind)]| -> Vec<(String, Kind)> {
        cols.iter().map(|(c, k)| ((*c).to_owned(), *k)).collect()
    };
    let evidence = LazySheet {
        name: "evidence",
        columns: columns(&[
            ("learner", Text),
            ("skill", Text),
            ("attempts", Int),
            ("correct", Int),
            ("streak", Int),
            ("mastery", Float),
            ("estimate", Float),
            ("status", Text),
        ]),
        rows: Box::new(move |f: &mut dyn FnMut(&[String]) -> std::io::Result<()>| {
            for &li in &report.progress_order {
                let l = &input.learners[li];
                for e in &l.evidence {
                    f(&[
                        l.id.clone(),
                        input.skills[e.skill].id.clone(),
                        e.evidence.attempts.to_string(),
                        e.evidence.correct.to_string(),
                        e.evidence.streak.to_string(),
                        p3(e.mastery),
                        p3(e.estimate),
                        e.status.as_str().to_owned(),
                    ])?;
                }
            }
            Ok(())
        }),
    };
    let mut out = vec![evidence];
    if wide_mastery_fits(input) {
        let mut cols = vec![("learner".to_owned(), Text)];
        cols.extend(input.skills.iter().map(|s| (s.id.clone(), Float)));
        out.push(LazySheet {
            name: "mastery",
            columns: cols,
            rows: Box::new(move |f: &mut dyn FnMut(&[String]) -> std::io::Result<()>| {
                for &li in &report.progress_order {
                    let l = &input.learners[li];
                    let mut row = vec![String::new(); input.skills.len() + 1];
                    row[0] = l.id.clone();
                    for e in &l.evidence {
                        row[e.skill + 1] = p3(e.mastery);
                    }
                    f(&row)?;
                }
                Ok(())
            }),
        });
    }
    out
}

/// Whether the cohort is small enough for the wide `mastery` table.
pub fn wide_mastery_fits(input: &CohortInput) -> bool {
    input.learners.len().saturating_mul(input.skills.len()) <= WIDE_MASTERY_CELLS
}

/// The 1-based group label used in every table and on the page.
pub fn group_label(index: usize) -> String {
    (index + 1).to_string()
}

/// Builds every sheet from the input and the computed report.
pub fn build(input: &CohortInput, report: &CohortReport) -> Sheets {
    use Kind::*;
    let kind = input.order_kind;
    let skill_id = |s: usize| input.skills[s].id.clone();
    let skill_name = |s: usize| input.skills[s].name.clone();
    let opt_skill = |s: Option<usize>| s.map(skill_id).unwrap_or_default();

    let mut learners = Sheet::new(
        "learners",
        &[
            ("learner", Text),
            ("rank", Int),
            ("group", Int),
            ("mastered", Int),
            ("ready", Int),
            ("skills_attempted", Int),
            ("responses", Int),
            ("attempts", Int),
            ("mean_mastery", Float),
            ("stuck_skills", Int),
            ("inactive", Bool),
            ("first_activity", Text),
            ("last_activity", Text),
            ("last_skill", Text),
            ("top_skill", Text),
            ("top_skill_name", Text),
            ("top_activity", Text),
            ("top_kind", Text),
            ("top_reason", Text),
        ],
    );
    for &li in &report.progress_order {
        let l = &input.learners[li];
        let f = &report.learners[li];
        let top = l.top.as_ref();
        learners.rows.push(vec![
            l.id.clone(),
            f.rank.to_string(),
            group_label(f.group),
            f.mastered.to_string(),
            f.ready.to_string(),
            f.skills_attempted.to_string(),
            l.responses.to_string(),
            l.attempts().to_string(),
            opt_p3(f.mean_mastery),
            f.stuck.to_string(),
            f.inactive.to_string(),
            format_order(kind, l.first_order),
            format_order(kind, l.last_order),
            opt_skill(l.last_skill),
            top.map(|t| skill_id(t.skill)).unwrap_or_default(),
            top.map(|t| skill_name(t.skill)).unwrap_or_default(),
            top.map(|t| t.activity.clone()).unwrap_or_default(),
            top.map(|t| t.kind.as_str().to_owned()).unwrap_or_default(),
            top.map(|t| t.reason.clone()).unwrap_or_default(),
        ]);
    }

    let mut skills = Sheet::new(
        "skills",
        &[
            ("position", Int),
            ("skill", Text),
            ("name", Text),
            ("mastered", Int),
            ("ready", Int),
            ("not_ready", Int),
            ("not_assessed", Int),
            ("mastered_share", Float),
            ("ready_share", Float),
            ("not_ready_share", Float),
            ("mean_mastery", Float),
            ("learners_attempted", Int),
            ("attempts", Int),
            ("correct_share", Float),
            ("top_picks", Int),
            ("stuck_learners", Int),
            ("flags", Text),
        ],
    );
    let n = report.summary.learners.max(1) as f64;
    for (s, f) in report.skills.iter().enumerate() {
        let correct_share = if f.attempts == 0 {
            String::new()
        } else {
            p3(f.correct as f64 / f.attempts as f64)
        };
        skills.rows.push(vec![
            (s + 1).to_string(),
            skill_id(s),
            skill_name(s),
            f.mastered.to_string(),
            f.ready.to_string(),
            f.not_ready.to_string(),
            (report.summary.learners - f.attempted).to_string(),
            p3(f.mastered as f64 / n),
            p3(f.ready as f64 / n),
            p3(f.not_ready as f64 / n),
            opt_p3(f.mean_mastery),
            f.attempted.to_string(),
            f.attempts.to_string(),
            correct_share,
            f.top_picks.to_string(),
            f.stuck.to_string(),
            input.skills[s].flag_names().join(";"),
        ]);
    }

    let mut groups = Sheet::new(
        "groups",
        &[
            ("group", Int),
            ("learners", Int),
            ("mean_mastery", Float),
            ("next_skill", Text),
            ("next_skill_name", Text),
            ("next_skill_ready", Int),
            ("members", Text),
        ],
    );
    for (g, group) in report.grouping.groups.iter().enumerate() {
        let mut members = group.members.clone();
        members.sort_by_key(|&i| report.learners[i].rank);
        let ids: Vec<&str> = members
            .iter()
            .map(|&i| input.learners[i].id.as_str())
            .collect();
        groups.rows.push(vec![
            group_label(g),
            group.members.len().to_string(),
            opt_p3(group.mean_mastery),
            opt_skill(group.next_skill),
            group.next_skill.map(skill_name).unwrap_or_default(),
            group.next_skill_ready.to_string(),
            ids.join(";"),
        ]);
    }

    let mut stuck = Sheet::new(
        "stuck",
        &[
            ("learner", Text),
            ("skill", Text),
            ("skill_name", Text),
            ("attempts", Int),
            ("correct", Int),
            ("mastery", Float),
        ],
    );
    for s in &report.stuck {
        stuck.rows.push(vec![
            input.learners[s.learner].id.clone(),
            skill_id(s.skill),
            skill_name(s.skill),
            s.attempts.to_string(),
            s.correct.to_string(),
            p3(s.mastery),
        ]);
    }

    let mut inactive = Sheet::new(
        "inactive",
        &[
            ("learner", Text),
            ("last_activity", Text),
            ("gap", Int),
            ("gap_text", Text),
            ("last_skill", Text),
        ],
    );
    for i in &report.inactive {
        let l = &input.learners[i.learner];
        inactive.rows.push(vec![
            l.id.clone(),
            format_order(kind, i.last_order),
            i.gap.to_string(),
            format_gap(kind, i.gap),
            opt_skill(l.last_skill),
        ]);
    }

    Sheets {
        learners,
        skills,
        groups,
        stuck,
        inactive,
    }
}
