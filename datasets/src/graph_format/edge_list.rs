//! Edge-list CSV: a header naming a prerequisite column (`prerequisite`, `prereq`, `source` or
//! `from`) and a skill column (`skill`, `exercise`, `concept`, `target` or `to`); other columns
//! are ignored. A row with an empty prerequisite only declares its skill. Skills come from the
//! optional skills CSV (`id` column, optional `name`, `standard`, `description`) or, without
//! one, are the ids of the edge list in order of first appearance, named by their id.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use pathwise::text::quoted;
use pathwise::{Error, Location, Result, SkillGraphBuilder, SkillSpec};

use super::{csv_error, csv_reader};

const PREREQUISITE: &[&str] = &["prerequisite", "prereq", "source", "from"];
const SKILL: &[&str] = &["skill", "exercise", "concept", "target", "to"];

fn find(header: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

fn header_of(line: &str) -> csv::StringRecord {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes());
    reader
        .records()
        .next()
        .and_then(|r| r.ok())
        .unwrap_or_default()
}

/// True when the first line names a prerequisite and a skill column.
pub(super) fn is_edge_list_header(line: &str) -> bool {
    let header = header_of(line);
    find(&header, PREREQUISITE).is_some() && find(&header, SKILL).is_some()
}

/// `<stem>.skills.csv` beside the edge list.
pub(super) fn skills_beside(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.skills.csv"))
}

pub(super) fn read(
    file: &str,
    text: &str,
    skills_file: Option<&Path>,
) -> Result<SkillGraphBuilder> {
    let mut b = SkillGraphBuilder::new(file);
    let mut known: HashSet<String> = HashSet::new();
    let declared = match skills_file {
        Some(path) => {
            read_skills(path, &mut b, &mut known)?;
            true
        }
        None => false,
    };
    let mut reader = csv_reader(text);
    let header = reader.headers().map_err(|e| csv_error(file, e))?.clone();
    let (Some(p_col), Some(s_col)) = (find(&header, PREREQUISITE), find(&header, SKILL)) else {
        return Err(Error::input(
            Location::file(file).line(1),
            "the header needs a prerequisite column and a skill column",
        ));
    };
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = Location::file(file).line(line);
        let (Some(prerequisite), Some(skill)) = (record.get(p_col), record.get(s_col)) else {
            return Err(Error::input(
                at,
                format!(
                    "expected at least {} fields, found {}",
                    p_col.max(s_col) + 1,
                    record.len()
                ),
            ));
        };
        if skill.is_empty() {
            return Err(Error::input(
                at.column(header[s_col].to_owned()),
                "empty skill id",
            ));
        }
        if !declared {
            for id in [prerequisite, skill] {
                if !id.is_empty() && known.insert(id.to_owned()) {
                    b.add_skill(SkillSpec::new(id).at(at.clone()));
                }
            }
        }
        if !prerequisite.is_empty() {
            b.add_edge(prerequisite, skill, at);
        }
    }
    Ok(b)
}

/// Reads the skills CSV into `b`.
fn read_skills(path: &Path, b: &mut SkillGraphBuilder, known: &mut HashSet<String>) -> Result<()> {
    let file = path.display().to_string();
    let bytes = super::read_graph_file(path)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::input(
            Location::file(&file),
            format!(
                "not UTF-8 (invalid byte at offset {}); graph files must be UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv_reader(text);
    let header = reader.headers().map_err(|e| csv_error(&file, e))?.clone();
    let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let Some(id_col) = col("id") else {
        return Err(Error::input(
            Location::file(&file).line(1),
            format!(
                "a skills file needs an 'id' column (optional: name, standard, description); found: {}",
                quoted(&header.iter().collect::<Vec<_>>().join(", "))
            ),
        ));
    };
    let (name_col, standard_col, description_col) =
        (col("name"), col("standard"), col("description"));
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = Location::file(&file).line(line);
        let field = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let Some(id) = field(Some(id_col)) else {
            return Err(Error::input(at.column("id"), "empty skill id"));
        };
        known.insert(id.clone());
        b.add_skill(SkillSpec {
            id,
            name: field(name_col),
            requires: Vec::new(),
            standard: field(standard_col),
            description: field(description_col),
            at,
        });
    }
    Ok(())
}
