//! The Junyi Academy exercise table (`junyi_Exercise_table.csv`): one row per exercise with
//! `name` (the id), `prerequisites` (comma-separated names inside one quoted field),
//! `pretty_display_name` (used as the skill name), `topic` and `area` (kept as the description).
//! Other columns (`live`, positions, dates) are not used. A name that appears again with the same
//! prerequisites, display name, topic and area is read once (the table has two such repeats,
//! differing only in `creation_date`); with any of those different it is an error. `N/A` in
//! `topic`/`area` means none.

use std::collections::HashMap;

use pathwise::{Error, Location, Result, SkillGraphBuilder, SkillSpec};

use super::{csv_error, csv_reader};

/// True when the header has `name` and `prerequisites` columns.
pub(super) fn is_junyi_header(line: &str) -> bool {
    let columns: Vec<&str> = line.split(',').map(str::trim).collect();
    columns.contains(&"name") && columns.contains(&"prerequisites")
}

pub(super) fn read(file: &str, text: &str) -> Result<SkillGraphBuilder> {
    let mut reader = csv_reader(text);
    let header = reader.headers().map_err(|e| csv_error(file, e))?.clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(name_col), Some(prereq_col)) = (col("name"), col("prerequisites")) else {
        return Err(Error::input(
            Location::file(file).line(1),
            "the Junyi table needs 'name' and 'prerequisites' columns",
        ));
    };
    let (display_col, topic_col, area_col) =
        (col("pretty_display_name"), col("topic"), col("area"));
    let mut b = SkillGraphBuilder::new(file);
    let mut first_seen: HashMap<String, (u64, SkillSpec)> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = Location::file(file).line(line);
        if record.len() != header.len() {
            return Err(Error::input(
                at,
                format!("expected {} fields, found {}", header.len(), record.len()),
            ));
        }
        let field = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        let name = field(Some(name_col));
        if name.is_empty() {
            return Err(Error::input(at.column("name"), "empty exercise name"));
        }
        let requires: Vec<String> = field(Some(prereq_col))
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        let display = field(display_col);
        let description = match (none_if_na(field(topic_col)), none_if_na(field(area_col))) {
            ("", "") => None,
            (topic, "") => Some(topic.to_owned()),
            ("", area) => Some(area.to_owned()),
            (topic, area) => Some(format!("{area} / {topic}")),
        };
        let spec = SkillSpec {
            id: name.to_owned(),
            name: (!display.is_empty()).then(|| display.to_owned()),
            requires,
            standard: None,
            description,
            at: at.clone(),
        };
        if let Some((first_line, first)) = first_seen.get(name) {
            let same = first.name == spec.name
                && first.description == spec.description
                && same_set(&first.requires, &spec.requires);
            if same {
                continue;
            }
            return Err(Error::input(
                at.about(pathwise::SubjectKind::Skill, name),
                format!(
                    "defined again with different prerequisites, name, topic or area (first at line {first_line})"
                ),
            ));
        }
        first_seen.insert(name.to_owned(), (line, spec.clone()));
        b.add_skill(spec);
    }
    Ok(b)
}

fn none_if_na(value: &str) -> &str {
    if value.eq_ignore_ascii_case("N/A") {
        ""
    } else {
        value
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}
