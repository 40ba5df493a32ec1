//! The check every command that reads a model beside a log or a skill graph runs (`recommend`,
//! `path`, `report`, `predict`, `record issue`): a model that shares no skill with the other
//! input was fitted on another curriculum, and every answer would rest on population averages,
//! so the command stops with one line naming both files (exit 2). When only some of the other
//! input's skills are in the model, one warning line gives the counts and says what happens to
//! the others; it prints under `-q` too, as every warning does. Skills only the model has are not
//! reported here: a log of one class or a graph of one unit uses part of a model, which is
//! normal. Ids and file names are escaped by the printing of the line ([`crate::status!`]). (The recommender states both directions for a graph in its own warnings, so
//! `recommend`, `path` and `report` only refuse a disjoint graph here.)

use std::path::{Path, PathBuf};

use pathwise::{InteractionLog, Model, SkillGraph, bkt::Overlap};

/// How many ids a list on stderr names before `and N more`.
const NAMED: usize = 5;

/// What happens to the responses of log skills the model does not have, in the commands that
/// trace learners through the model.
const LOG_FALLBACK: &str = "their responses use the model's population-average parameters";

/// The other input the model is compared with.
pub enum Other<'a> {
    /// The interaction log read from these files.
    Log(&'a [PathBuf]),
    /// The skill graph read from this file.
    Graph(&'a Path),
}

impl Other<'_> {
    /// `log` or `graph`.
    fn kind(&self) -> &'static str {
        match self {
            Other::Log(_) => "log",
            Other::Graph(_) => "graph",
        }
    }

    /// The file name(s) as the user gave them.
    fn files(&self) -> String {
        match self {
            Other::Log(paths) => paths
                .iter()
                .map(|p| shown_path(p))
                .collect::<Vec<_>>()
                .join(", "),
            Other::Graph(path) => shown_path(path),
        }
    }
}

/// Compares the skills of `model` (read from `model_file`) with `skills`, those of `other`, and
/// fails when none is shared.
pub fn refuse_disjoint<I, S>(
    model: &Model,
    model_file: &Path,
    skills: I,
    other: &Other<'_>,
) -> anyhow::Result<Overlap>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let overlap = model.overlap(skills);
    if overlap.is_disjoint() {
        anyhow::bail!(
            "{} shares no skill with {} (model: {} skills, {}: {})",
            shown_path(model_file),
            other.files(),
            overlap.n_model(),
            other.kind(),
            overlap.n_other()
        );
    }
    Ok(overlap)
}

/// [`refuse_disjoint`], then [`warn_partial`].
pub fn check<I, S>(
    model: &Model,
    model_file: &Path,
    skills: I,
    other: &Other<'_>,
    consequence: &str,
) -> anyhow::Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let overlap = refuse_disjoint(model, model_file, skills, other)?;
    warn_partial(&overlap, model_file, other, consequence);
    Ok(())
}

/// One warning line on stderr when some skills of `other` are not in the model (read from
/// `model_file`), ending with `consequence` (what happens to them). A command that compares the
/// model with two inputs refuses both before it warns about either, so that an error stays the
/// only line.
pub fn warn_partial(overlap: &Overlap, model_file: &Path, other: &Other<'_>, consequence: &str) {
    if overlap.only_other.is_empty() {
        return;
    }
    let missing: Vec<&str> = overlap.only_other.iter().map(String::as_str).collect();
    crate::warning!(
        "{} {} skills are not in the model ({}): {} has {} of the {} skills of {}; {consequence}",
        missing.len(),
        other.kind(),
        name_list(&missing),
        shown_path(model_file),
        overlap.shared.len(),
        overlap.n_other(),
        other.files(),
    );
}

/// [`check`] for a log read from `files` and traced through the model: the responses of its
/// skills the model does not have use the population-average parameters.
pub fn check_log(
    model: &Model,
    model_file: &Path,
    log: &InteractionLog,
    files: &[PathBuf],
) -> anyhow::Result<()> {
    let names = log.skills().names();
    check(model, model_file, names, &Other::Log(files), LOG_FALLBACK)
}

/// [`refuse_disjoint`] for a graph read from `file`.
pub fn refuse_disjoint_graph(
    model: &Model,
    model_file: &Path,
    graph: &SkillGraph,
    file: &Path,
) -> anyhow::Result<Overlap> {
    let ids = graph.skills().iter().map(|s| &s.id);
    refuse_disjoint(model, model_file, ids, &Other::Graph(file))
}

/// `a, b, c, d, e and N more`.
pub fn name_list(ids: &[&str]) -> String {
    let shown = ids.len().min(NAMED);
    let mut s = ids[..shown].join(", ");
    if ids.len() > shown {
        s.push_str(&format!(" and {} more", ids.len() - shown));
    }
    s
}

/// A path as the user gave it.
fn shown_path(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_names_five_and_counts_the_rest() {
        let ids = ["a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(name_list(&ids), "a, b, c, d, e and 2 more");
        assert_eq!(name_list(&ids[..2]), "a, b");
    }
}
