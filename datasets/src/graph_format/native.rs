//! The native schema: `[[skill]]` tables (`id`, `name`, `requires`, `standard`, `description`)
//! and `[[activity]]` tables (`id`, `name`, `skills`, `minutes`), in TOML or as JSON
//! (`{"skill": [...], "activity": [...]}`).

use pathwise::json;
use pathwise::{ActivitySpec, Error, Location, Result, SkillGraphBuilder, SkillSpec};
use serde::Deserialize;
use toml::Spanned;

use super::{LineIndex, line_column, parser_message};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkill {
    id: String,
    name: Option<String>,
    #[serde(default)]
    requires: Vec<String>,
    standard: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawActivity {
    id: String,
    name: Option<String>,
    skills: Vec<String>,
    minutes: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    skill: Vec<Spanned<RawSkill>>,
    #[serde(default)]
    activity: Vec<Spanned<RawActivity>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonFile {
    #[serde(default, alias = "skills")]
    skill: Vec<RawSkill>,
    #[serde(default, alias = "activities")]
    activity: Vec<RawActivity>,
}

fn skill_spec(raw: RawSkill, at: Location) -> SkillSpec {
    SkillSpec {
        id: raw.id,
        name: raw.name,
        requires: raw.requires,
        standard: raw.standard,
        description: raw.description,
        at,
    }
}

fn activity_spec(raw: RawActivity, at: Location) -> ActivitySpec {
    ActivitySpec {
        id: raw.id,
        name: raw.name,
        skills: raw.skills,
        minutes: raw.minutes,
        at,
    }
}

/// Reads the TOML form; syntax and schema errors name file:line:column, and every skill and
/// activity carries the line of its table for later checks.
pub(super) fn read_toml(file: &str, text: &str) -> Result<SkillGraphBuilder> {
    let parsed: TomlFile = toml::from_str(text).map_err(|e| {
        let mut at = Location::file(file);
        if let Some(span) = e.span() {
            let (line, column) = line_column(text, span.start);
            at = at.line(line).column(column.to_string());
        }
        Error::input(at, parser_message(e.message().trim()))
    })?;
    let lines = LineIndex::new(text);
    let at = |start: usize| Location::file(file).line(lines.line(start));
    let mut b = SkillGraphBuilder::new(file);
    for skill in parsed.skill {
        let start = skill.span().start;
        b.add_skill(skill_spec(skill.into_inner(), at(start)));
    }
    for activity in parsed.activity {
        let start = activity.span().start;
        b.add_activity(activity_spec(activity.into_inner(), at(start)));
    }
    Ok(b)
}

/// Reads the JSON form; syntax and schema errors name file:line:column, later checks name the
/// file and the skill or activity. The text is first read by the library's strict JSON reader,
/// which refuses a member named twice in one object (serde would keep one of them silently in a
/// map, or report it without saying where).
pub(super) fn read_json(file: &str, text: &str) -> Result<SkillGraphBuilder> {
    let limit = usize::try_from(super::MAX_GRAPH_FILE_BYTES).unwrap_or(usize::MAX);
    json::parse_strict(text, limit).map_err(|e| {
        let mut at = Location::file(file);
        if let Some((line, column)) = e.position() {
            at = at.line(line as u64).column(column.to_string());
        }
        Error::input(at, e.message())
    })?;
    let parsed: JsonFile = serde_json::from_str(text).map_err(|e| {
        let at = Location::file(file)
            .line(e.line() as u64)
            .column(e.column().to_string());
        let message = e.to_string();
        // serde_json appends " at line L column C"; the location already says it.
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        Error::input(at, parser_message(message))
    })?;
    let mut b = SkillGraphBuilder::new(file);
    for skill in parsed.skill {
        b.add_skill(skill_spec(skill, Location::file(file)));
    }
    for activity in parsed.activity {
        b.add_activity(activity_spec(activity, Location::file(file)));
    }
    Ok(b)
}
