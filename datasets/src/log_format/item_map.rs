//! The item→skill map (a Q-matrix as a table): a CSV or TSV file with a header whose first column
//! is the item id and second column a skill id; an item with several skills has several rows.
//! DKVMN's `items_to_skills.csv` (`qid,skillid,...`) and `STATICS_qid_sid_sname` are such files.

use std::path::Path;

use pathwise::{Error, Location, Result};

use super::delimited;
use super::rows::ItemSkills;
use super::sniff::sniff_delimiter;
use super::values::{self, Encoding};

/// Reads an item→skill map.
pub(crate) fn load(path: &Path, encoding: Encoding, delimiter: Option<u8>) -> Result<ItemSkills> {
    let file = path.display().to_string();
    super::sniff::refuse_special_file(path)?;
    let delimiter = sniff_delimiter(path, delimiter)?;
    let table = delimited::open(path, delimiter, encoding)?;
    if table.header.len() < 2 {
        return Err(Error::input(
            Location::file(&file).line(1),
            "an item-skill map needs two columns: item, skill",
        ));
    }
    let mut map = ItemSkills::new();
    table.for_each_record(|record, line| {
        let at = |col: usize| Location::file(&file).line(line).column((col + 1).to_string());
        let text = |col: usize| -> Result<String> {
            let bytes = record.get(col).unwrap_or(b"");
            values::decode(bytes, encoding)
                .map(|t| t.trim().to_owned())
                .map_err(|bad| {
                    Error::input(
                        at(col),
                        format!(
                            "invalid UTF-8 byte 0x{:02X}; if the file is Latin-1, read it with --encoding latin1",
                            bad.byte
                        ),
                    )
                })
        };
        let (item, skill) = (text(0)?, text(1)?);
        if item.is_empty() {
            return Err(Error::input(at(0), "empty item id"));
        }
        if skill.is_empty() {
            return Err(Error::input(at(1), "empty skill id"));
        }
        let skills = map.entry(item).or_default();
        if !skills.contains(&skill) {
            skills.push(skill);
        }
        Ok(())
    })?;
    Ok(map)
}
