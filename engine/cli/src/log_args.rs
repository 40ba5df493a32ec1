//! The options every command that reads an interaction log shares (`LOG...`, `--preset`,
//! `--col ROLE=NAME`, `--encoding`, `--delimiter`, `--item-skills`): flatten [`LogArgs`] into a command's `Args`
//! and call [`LogArgs::load`].

use std::path::PathBuf;

use anyhow::Context;
use pathwise_datasets::{Encoding, LoadedLog, LogOptions, Preset, Role, parse_delimiter};

/// Interaction-log inputs and how to read them.
#[derive(Debug, Clone, clap::Args)]
pub struct LogArgs {
    /// Interaction log files (CSV, TSV, Parquet, the DKT line format or xAPI statements in JSON),
    /// read as one log.
    #[arg(required = true, value_name = "LOG")]
    pub logs: Vec<PathBuf>,

    /// Column preset: assistments, datashop, pybkt, dkt, generic or xapi [default: detected from
    /// the first file's header, line shape, or xAPI statements in a .json/.ndjson/.jsonl file].
    #[arg(long, value_name = "P")]
    pub preset: Option<String>,

    /// Take ROLE from column NAME, overriding the preset (repeatable). ROLE is learner, skill,
    /// item, correct, order or group.
    #[arg(long = "col", value_name = "ROLE=NAME")]
    pub columns: Vec<String>,

    /// Text encoding of the log files: utf8 or latin1.
    #[arg(long, value_name = "ENC", default_value = "utf8")]
    pub encoding: String,

    /// Field delimiter of CSV/TSV logs and of the item→skill map: one character, or tab, comma,
    /// semicolon, pipe [default: detected from each file's header line: the one of ',' ';' tab
    /// it holds].
    #[arg(long, value_name = "D")]
    pub delimiter: Option<String>,

    /// Item→skill map (CSV/TSV with a header: item, skill; one row per pair). Each row's skills
    /// are then its item's skills; needed for DKVMN-style 3-line files, whose middle line holds
    /// question ids, and for xAPI statements unless the command reads a graph with activities.
    #[arg(long, value_name = "FILE")]
    pub item_skills: Option<PathBuf>,
}

impl LogArgs {
    /// The library options these arguments stand for.
    pub fn options(&self) -> anyhow::Result<LogOptions> {
        let preset = self
            .preset
            .as_deref()
            .map(str::parse::<Preset>)
            .transpose()
            .context("--preset")?;
        let mut columns = Vec::with_capacity(self.columns.len());
        for spec in &self.columns {
            let Some((role, name)) = spec.split_once('=') else {
                anyhow::bail!("--col '{spec}': expected ROLE=NAME, e.g. --col skill=skill_name");
            };
            let role: Role = role.parse().context("--col")?;
            if name.is_empty() {
                anyhow::bail!("--col '{spec}': the column name is empty");
            }
            columns.push((role, name.to_owned()));
        }
        let encoding: Encoding = self.encoding.parse().context("--encoding")?;
        let delimiter = self
            .delimiter
            .as_deref()
            .map(parse_delimiter)
            .transpose()
            .context("--delimiter")?;
        Ok(LogOptions {
            preset,
            columns,
            encoding,
            delimiter,
            item_skills: self.item_skills.clone(),
            activity_skills: None,
        })
    }

    /// Loads the log; when the preset was detected, says which one on stderr.
    pub fn load(&self) -> anyhow::Result<LoadedLog> {
        self.load_with(&self.options()?)
    }

    /// [`LogArgs::load`] for a command that reads `graph`: its activities map the items of xAPI
    /// statements to skills (unless `--item-skills` is given).
    pub fn load_with_graph(&self, graph: &pathwise::SkillGraph) -> anyhow::Result<LoadedLog> {
        self.load_with(&self.options()?.with_graph_activities(graph))
    }

    /// [`LogArgs::load`] with options a command has adjusted (from [`LogArgs::options`]).
    pub fn load_with(&self, options: &LogOptions) -> anyhow::Result<LoadedLog> {
        let loaded = pathwise_datasets::load_logs(&self.logs, options)?;
        if loaded.preset_detected {
            crate::status!(
                "reading the log with the {} preset (detected; choose with --preset)",
                loaded.preset
            );
        }
        Ok(loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(preset: Option<&str>, cols: &[&str], encoding: &str) -> LogArgs {
        LogArgs {
            logs: vec!["log.csv".into()],
            preset: preset.map(str::to_owned),
            columns: cols.iter().map(|c| c.to_string()).collect(),
            encoding: encoding.to_owned(),
            delimiter: None,
            item_skills: None,
        }
    }

    #[test]
    fn options_parse_preset_columns_and_encoding() {
        let o = args(
            Some("datashop"),
            &["skill=KC(Area)", "item=Step Name"],
            "latin1",
        )
        .options()
        .unwrap();
        assert_eq!(o.preset, Some(Preset::Datashop));
        assert_eq!(
            o.columns,
            [
                (Role::Skill, "KC(Area)".to_owned()),
                (Role::Item, "Step Name".to_owned())
            ]
        );
        assert_eq!(o.encoding, Encoding::Latin1);
        assert_eq!(o.delimiter, None);
        let mut semicolon = args(None, &[], "utf8");
        semicolon.delimiter = Some(";".to_owned());
        assert_eq!(semicolon.options().unwrap().delimiter, Some(b';'));
    }

    #[test]
    fn bad_options_are_one_line_errors() {
        let e = args(None, &["skill"], "utf8").options().unwrap_err();
        assert_eq!(
            e.to_string(),
            "--col 'skill': expected ROLE=NAME, e.g. --col skill=skill_name"
        );
        let e = args(None, &["kc=x"], "utf8").options().unwrap_err();
        assert_eq!(
            format!("{e:#}"),
            "--col: column role 'kc': unknown column role; expected one of learner, skill, item, \
             correct, order, group"
        );
        let mut bad_delimiter = args(None, &[], "utf8");
        bad_delimiter.delimiter = Some("::".to_owned());
        let e = bad_delimiter.options().unwrap_err();
        assert_eq!(
            format!("{e:#}"),
            "--delimiter: delimiter '::': expected one ASCII character other than a quote or a \
             line break, or tab, comma, semicolon, pipe"
        );
        let e = args(None, &[], "cp1252").options().unwrap_err();
        assert_eq!(
            format!("{e:#}"),
            "--encoding: encoding 'cp1252': unknown encoding; expected utf8 or latin1"
        );
    }
}
