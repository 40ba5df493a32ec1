//! The report's tables (`learners`, `skills`, `groups`, `stuck`, `inactive`, `mastery`) as
//! strings, built once: the CSV and JSON files and the HTML page all print these same cells, so
//! the numbers agree everywhere.

use std::borrow::Cow;
use std::io::Write;

use pathwise::report::{CohortInput, CohortReport, format_gap, format_order};

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
        let mut w = csv::Writer::from_writer(out);
        for (name, _) in &self.columns {
            w.write_field(spreadsheet_safe(name).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
        for row in &self.rows {
            for (cell, (_, kind)) in row.iter().zip(&self.columns) {
                let cell = match kind {
                    Kind::Text => spreadsheet_safe(cell),
                    _ => Cow::Borrowed(cell.as_str()),
                };
                w.write_field(cell.as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        w.flush()
    }

    /// The sheet as a JSON array of objects keyed by column name, cells typed by column kind.
    pub fn to_json(&self) -> serde_json::Value {
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut obj = serde_json::Map::with_capacity(row.len());
                for ((name, kind), cell) in self.columns.iter().zip(row) {
                    obj.insert(name.clone(), json_cell(*kind, cell));
                }
                serde_json::Value::Object(obj)
            })
            .collect();
        serde_json::Value::Array(rows)
    }
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

/// All the tables of one cohort.
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
    /// Learners × skills P(known), learners in progress order.
    pub mastery: Sheet,
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
            self.mastery,
        ]
    }
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
            l.attempts
                .iter()
                .map(|&a| u64::from(a))
                .sum::<u64>()
                .to_string(),
            p3(f.mean_mastery),
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
            ("mastered_share", Float),
            ("ready_share", Float),
            ("not_ready_share", Float),
            ("mean_mastery", Float),
            ("learners_attempted", Int),
            ("attempts", Int),
            ("correct_share", Float),
            ("top_picks", Int),
            ("stuck_learners", Int),
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
            p3(f.mastered as f64 / n),
            p3(f.ready as f64 / n),
            p3(f.not_ready as f64 / n),
            p3(f.mean_mastery),
            f.attempted.to_string(),
            f.attempts.to_string(),
            correct_share,
            f.top_picks.to_string(),
            f.stuck.to_string(),
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
            p3(group.mean_mastery),
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

    let mut mastery = Sheet::new("mastery", &[("learner", Text)]);
    mastery
        .columns
        .extend(input.skills.iter().map(|s| (s.id.clone(), Float)));
    for &li in &report.progress_order {
        let l = &input.learners[li];
        let mut row = Vec::with_capacity(input.skills.len() + 1);
        row.push(l.id.clone());
        row.extend(l.mastery.iter().map(|&m| p3(m)));
        mastery.rows.push(row);
    }

    Sheets {
        learners,
        skills,
        groups,
        stuck,
        inactive,
        mastery,
    }
}
