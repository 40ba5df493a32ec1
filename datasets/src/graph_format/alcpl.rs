//! AL-CPL `.preqs` files: one `concept,prerequisite` pair per line (the second concept is a
//! prerequisite of the first), no header. Concepts become skills in order of first appearance.

use pathwise::{Error, Location, Result, SkillGraphBuilder, SkillSpec};

pub(super) fn read(file: &str, text: &str) -> Result<SkillGraphBuilder> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut b = SkillGraphBuilder::new(file);
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| super::csv_error(file, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let (Some(concept), Some(prerequisite), 2) = (record.get(0), record.get(1), record.len())
        else {
            return Err(Error::input(
                Location::file(file).line(line),
                format!(
                    "expected 2 fields (concept,prerequisite), found {}",
                    record.len()
                ),
            ));
        };
        for id in [prerequisite, concept] {
            if id.is_empty() {
                return Err(Error::input(
                    Location::file(file).line(line),
                    "empty concept name",
                ));
            }
            if seen.insert(id.to_owned()) {
                b.add_skill(SkillSpec::new(id).name(id.replace('_', " ")));
            }
        }
        b.add_edge(prerequisite, concept, Location::file(file).line(line));
    }
    Ok(b)
}
