//! The model file: versioned JSON (schema in `docs/architecture.md`). Skills and items are written sorted by
//! id, so the same model always gives the same bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fit_flags::FitFlag;
use super::model::{FitInfo, ItemParams, Model, SkillModel, SkillStats};
use super::params::{Params, Variant};
use crate::error::{Error, Location, Result};
use crate::text::{QUOTE_LIMIT, cut};

/// The `format` field of a model file.
pub const MODEL_FORMAT: &str = "pathwise-model";
/// The model file version this library writes and reads.
pub const MODEL_VERSION: u64 = 1;

#[derive(Serialize, Deserialize)]
struct FileModel {
    format: String,
    version: u64,
    variant: Variant,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    learner_classes: Vec<f64>,
    skills: BTreeMap<String, FileSkill>,
    fit: FileFit,
}

#[derive(Serialize, Deserialize)]
struct FileSkill {
    prior: f64,
    learn: f64,
    forget: f64,
    guess: f64,
    slip: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    class_priors: Vec<f64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    items: BTreeMap<String, FileItem>,
    log_likelihood: f64,
    observations: u64,
    learners: u64,
    iterations: u32,
    converged: bool,
    /// Absent when empty. Files written before the parameter flags existed hold only the data
    /// flags: reading recomputes every flag but `all_correct` / `all_incorrect` anyway.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    flags: Vec<FitFlag>,
}

#[derive(Serialize, Deserialize)]
struct FileItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    guess: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slip: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    learn: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    forget: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct FileFit {
    restarts: u32,
    seed: u64,
    iterations: u32,
    converged: bool,
    log_likelihood: f64,
    /// Absent in files written before pseudo-counts existed: those were maximum likelihood.
    #[serde(default)]
    pseudo_counts: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input_sha256: Option<String>,
}

impl Model {
    /// The model as pretty JSON (the schema of `docs/architecture.md`), ending with a newline.
    pub fn to_json(&self) -> String {
        let v = self.variant();
        let skills = self
            .skills()
            .iter()
            .map(|s| {
                let p = s.params();
                let st = s.stats();
                let items = s
                    .items()
                    .iter()
                    .map(|it| {
                        let item = FileItem {
                            guess: v.item_guess_slip.then_some(it.guess),
                            slip: v.item_guess_slip.then_some(it.slip),
                            learn: v.item_learn.then_some(it.learn),
                            forget: (v.item_learn && v.forgets).then_some(it.forget),
                        };
                        (it.id.clone(), item)
                    })
                    .collect();
                let skill = FileSkill {
                    prior: p.prior,
                    learn: p.learn,
                    forget: p.forget,
                    guess: p.guess,
                    slip: p.slip,
                    class_priors: s.class_priors().to_vec(),
                    items,
                    log_likelihood: st.log_likelihood,
                    observations: st.observations,
                    learners: st.learners,
                    iterations: st.iterations,
                    converged: st.converged,
                    flags: s.flags().to_vec(),
                };
                (s.id().to_owned(), skill)
            })
            .collect();
        let f = self.fit_info();
        let file = FileModel {
            format: MODEL_FORMAT.to_owned(),
            version: MODEL_VERSION,
            variant: v,
            learner_classes: self.class_weights().to_vec(),
            skills,
            fit: FileFit {
                restarts: f.restarts,
                seed: f.seed,
                iterations: f.iterations,
                converged: f.converged,
                log_likelihood: f.log_likelihood,
                pseudo_counts: f.pseudo_counts,
                input_sha256: f.input_sha256.clone(),
            },
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a model file. `source` names the file in errors. Checks the format and version
    /// first (so another file gives one clear line), then the schema, then that every
    /// probability is in `[0, 1]`.
    pub fn from_json(text: &str, source: &str) -> Result<Model> {
        // serde's messages quote the input (a field name, a string value): escaped and cut.
        const PARSER_MESSAGE_CHARS: usize = 200;
        let value = crate::json::parse_strict(text, crate::json::MODEL_LIMIT).map_err(|e| {
            use crate::json::JsonError;
            let what = match &e {
                JsonError::Syntax {
                    truncated: true, ..
                } => "the model file is truncated (unexpected end of JSON)".to_owned(),
                JsonError::Syntax { .. } => {
                    format!("not a pathwise model file (invalid JSON: {})", e.message())
                }
                JsonError::Duplicate { .. } => {
                    format!("{} (a model file names each member once)", e.message())
                }
                JsonError::TooLarge { .. } => format!("model file of {}", e.message()),
            };
            let at = Location::file(source);
            let at = match e.position() {
                Some((line, column)) => at.line(line as u64).column(column.to_string()),
                None => at,
            };
            Error::input(at, what)
        })?;
        let at = || Location::file(source);
        let format = value.get("format").and_then(|f| f.as_str());
        if format != Some(MODEL_FORMAT) {
            return Err(Error::input(
                at(),
                format!(
                    "not a pathwise model file (expected \"format\": \"{MODEL_FORMAT}\", found {})",
                    format.map_or("none".to_owned(), |f| format!(
                        "\"{}\"",
                        cut(f, QUOTE_LIMIT)
                    ))
                ),
            ));
        }
        let version = value.get("version").and_then(|v| v.as_u64());
        if version != Some(MODEL_VERSION) {
            return Err(Error::input(
                at(),
                format!(
                    "model file version {} is not supported (this pathwise reads version {MODEL_VERSION})",
                    value.get("version").map_or("none".to_owned(), |v| cut(
                        &v.to_string(),
                        QUOTE_LIMIT
                    )
                    .into_owned())
                ),
            ));
        }
        let file: FileModel = serde_json::from_value(value).map_err(|e| {
            let e = cut(&e.to_string(), PARSER_MESSAGE_CHARS).into_owned();
            Error::input(at(), format!("malformed model file: {e}"))
        })?;
        let mut skills = Vec::with_capacity(file.skills.len());
        for (id, s) in file.skills {
            let params = Params {
                prior: s.prior,
                learn: s.learn,
                forget: s.forget,
                guess: s.guess,
                slip: s.slip,
            };
            let items = s
                .items
                .into_iter()
                .map(|(item, it)| ItemParams {
                    id: item,
                    guess: it.guess.unwrap_or(params.guess),
                    slip: it.slip.unwrap_or(params.slip),
                    learn: it.learn.unwrap_or(params.learn),
                    forget: it.forget.unwrap_or(params.forget),
                })
                .collect();
            let stats = SkillStats {
                log_likelihood: s.log_likelihood,
                observations: s.observations,
                learners: s.learners,
                iterations: s.iterations,
                converged: s.converged,
                flags: s.flags,
            };
            skills.push(SkillModel::new(id, params, items, s.class_priors, stats));
        }
        let fit = FitInfo {
            restarts: file.fit.restarts,
            seed: file.fit.seed,
            iterations: file.fit.iterations,
            converged: file.fit.converged,
            log_likelihood: file.fit.log_likelihood,
            input_sha256: file.fit.input_sha256,
            pseudo_counts: file.fit.pseudo_counts,
        };
        Model::new(file.variant, skills, file.learner_classes, fit).map_err(|e| match e {
            Error::Input { location, message } => Error::Input {
                location: Location {
                    file: Some(source.to_owned()),
                    ..location
                },
                message,
            },
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_model() -> Model {
        let p = Params {
            prior: 0.3,
            learn: 0.2,
            forget: 0.0,
            guess: 0.25,
            slip: 0.1,
        };
        let items = vec![ItemParams {
            id: "q1".into(),
            guess: 0.3,
            slip: 0.05,
            learn: 0.2,
            forget: 0.0,
        }];
        let v = Variant {
            item_guess_slip: true,
            ..Variant::default()
        };
        let s = SkillModel::new("add", p, items, vec![], SkillStats::default());
        Model::new(v, vec![s], vec![], FitInfo::default()).unwrap()
    }

    #[test]
    fn json_round_trips() {
        let m = small_model();
        let text = m.to_json();
        assert!(text.contains("\"format\": \"pathwise-model\""));
        let back = Model::from_json(&text, "m.json").unwrap();
        assert_eq!(back, m);
        assert_eq!(back.to_json(), text);
    }

    #[test]
    fn other_format_version_and_truncation_are_one_line_input_errors() {
        let e = Model::from_json(r#"{"format": "pybkt", "version": 1}"#, "m.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "m.json: not a pathwise model file (expected \"format\": \"pathwise-model\", found \"pybkt\")"
        );
        let text = small_model()
            .to_json()
            .replace("\"version\": 1", "\"version\": 7");
        let e = Model::from_json(&text, "m.json").unwrap_err();
        assert!(e.to_string().contains("version 7 is not supported"), "{e}");
        let text = small_model().to_json();
        let e = Model::from_json(&text[..text.len() / 2], "m.json").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(e.to_string().starts_with("m.json:"), "{e}");
        assert_eq!(e.to_string().lines().count(), 1);
    }

    #[test]
    fn flags_are_written_and_recomputed_when_an_old_file_has_none() {
        let p = Params {
            prior: 0.3,
            learn: 0.2,
            forget: 0.0,
            guess: 0.499,
            slip: 0.1,
        };
        let stats = SkillStats {
            observations: 20,
            learners: 4,
            flags: vec![FitFlag::AllCorrect],
            ..SkillStats::default()
        };
        let s = SkillModel::new("add", p, vec![], vec![], stats);
        let m = Model::new(Variant::default(), vec![s], vec![], FitInfo::default()).unwrap();
        let text = m.to_json();
        assert!(
            text.contains(
                r#""flags": [
        "few_learners",
        "few_observations",
        "all_correct",
        "guess_high"
      ]"#
            ),
            "{text}"
        );
        assert_eq!(Model::from_json(&text, "m.json").unwrap().to_json(), text);
        // A file written before the parameter flags existed: they are recomputed on reading;
        // all_correct can only come from the file.
        let start = text.find(r#""flags""#).unwrap();
        let end = start + text[start..].find(']').unwrap() + 1;
        let old =
            text[..start].to_owned() + r#""flags": ["few_learners", "all_correct"]"# + &text[end..];
        let back = Model::from_json(&old, "m.json").unwrap();
        assert_eq!(back.to_json(), text);
        let none = text[..start].trim_end().trim_end_matches(',').to_owned() + &text[end..];
        let back = Model::from_json(&none, "m.json").unwrap();
        use FitFlag::*;
        assert_eq!(
            back.skill("add").unwrap().flags(),
            [FewLearners, FewObservations, GuessHigh]
        );
    }

    #[test]
    fn an_unknown_flag_is_a_one_line_error() {
        let text = small_model().to_json().replacen(
            "\"converged\": false",
            "\"converged\": false, \"flags\": [\"shaky\"]",
            1,
        );
        let e = Model::from_json(&text, "m.json").unwrap_err().to_string();
        assert!(
            e.starts_with("m.json: malformed model file: unknown variant `shaky`"),
            "{e}"
        );
        assert_eq!(e.lines().count(), 1);
    }

    #[test]
    fn probabilities_outside_unit_interval_name_the_skill() {
        let text = small_model()
            .to_json()
            .replace("\"slip\": 0.1,", "\"slip\": 1.1,");
        let e = Model::from_json(&text, "m.json").unwrap_err();
        assert_eq!(
            e.to_string(),
            "m.json (skill 'add'): parameter 1.1 is not a probability in [0, 1]"
        );
    }
}
