//! `pathwise record issue`: signed mastery records for one learner (`--learner ID -o FILE`) or for
//! every learner with a mastered skill (`--all-learners -o DIR`).
//!
//! With `--all-learners`, every file name is derived and checked before anything is computed or
//! written ([`file_names`]), each credential is written to a temporary file in the folder, and
//! the temporary files are renamed into place only when all of them were written: a full disk or
//! a bad learner id leaves the folder as it was.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use pathwise::Model;
use pathwise::record::{
    CredentialInput, EvidenceDigests, IssuerKey, MAX_KEY_FILE_BYTES, SkillLabel, issue_credential,
    learner_rows_digest, mastery_claims, parse_date_time, sha256_hex,
};
use pathwise::text::quoted;
use pathwise_datasets::{GraphOptions, load_graph};
use serde::Serialize;
use serde_json::Value;

use super::{IssueArgs, shown, terminal_safe_json};
use crate::Outcome;
use crate::input::{MODEL_LIMIT, read_limited};
use crate::output::{Format, Table, refuse_stdout, write_atomic};
use crate::overlap::{self, Other};
use crate::temporary::{Kind, Temporary};

/// The longest file-name stem made from a learner id, before the hash suffix (file systems allow
/// 255 bytes per name).
const STEM_LIMIT: usize = 100;
/// Hex digits of SHA-256(learner id) appended to a stem that had to be changed.
const HASH_DIGITS: usize = 10;
/// The suffix of every credential file written by `--all-learners`.
const SUFFIX: &str = ".credential.json";

/// What happens to the skills of the log or graph that the model does not have.
const NEVER_CLAIMED: &str = "no credential claims them";

/// One credential file written.
#[derive(Debug, Serialize)]
struct Issued {
    file: String,
    learner: String,
    skills: usize,
}

pub(super) fn run(args: &IssueArgs) -> anyhow::Result<Outcome> {
    refuse_stdout(
        &args.out,
        "-o",
        "record issue prints its summary on standard output",
    )?;
    let key_bytes = read_limited(&args.key, MAX_KEY_FILE_BYTES as u64, "a key file")?;
    let key_file = args.key.display().to_string();
    let key = IssuerKey::from_key_file(&utf8(&key_bytes, &key_file)?, &key_file)?;
    let model_bytes = read_limited(&args.model, MODEL_LIMIT, "a model file")?;
    let model_file = args.model.display().to_string();
    let model = Model::from_json(&utf8(&model_bytes, &model_file)?, &model_file)?;
    // The graph is hashed here and read again by the graph loader: it must be a file.
    let graph_bytes = read_limited(&args.graph, MODEL_LIMIT, "a graph file")?;
    if !args.graph.is_file() {
        bail!(
            "{}: not a regular file (record issue hashes the graph file, then reads it)",
            args.graph.display()
        );
    }
    let graph = load_graph(&args.graph, &GraphOptions::default())?.graph;
    let valid_from = match &args.valid_from {
        Some(t) => parse_date_time(t).ok_or_else(|| {
            anyhow::anyhow!(
                "--valid-from {}: not an RFC 3339 date-time with a time zone",
                quoted(t)
            )
        })?,
        None => {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            UNIX_EPOCH + Duration::from_secs(secs)
        }
    };
    let valid_until = match args.valid_days {
        None => None,
        Some(days) => Some(
            days.checked_mul(86_400)
                .and_then(|secs| valid_from.checked_add(Duration::from_secs(secs)))
                .ok_or_else(|| anyhow::anyhow!("--valid-days {days}: too far in the future"))?,
        ),
    };
    let rule = args.mastery.rule()?;
    let loaded = args.log.load_with_graph(&graph)?;
    let log = &loaded.log;
    let by_graph = overlap::refuse_disjoint_graph(&model, &args.model, &graph, &args.graph)?;
    let log_file = Other::Log(&args.log.logs);
    let by_log = overlap::refuse_disjoint(&model, &args.model, log.skills().names(), &log_file)?;
    let graph_file = Other::Graph(&args.graph);
    overlap::warn_partial(&by_graph, &args.model, &graph_file, NEVER_CLAIMED);
    overlap::warn_partial(&by_log, &args.model, &log_file, NEVER_CLAIMED);
    let label = |skill: &str| {
        graph.skill_index(skill).map(|s| {
            let k = graph.skill(s);
            SkillLabel {
                name: k.name.clone(),
                standard: k.standard.clone(),
            }
        })
    };
    let model_sha256 = sha256_hex(&model_bytes);
    let graph_sha256 = sha256_hex(&graph_bytes);
    let credential_for = |learner: &str, did: Option<&String>| -> anyhow::Result<(Value, usize)> {
        let claims = mastery_claims(&model, log, learner, &rule, label)?;
        let rows = learner_rows_digest(log, learner)
            .ok_or_else(|| anyhow::anyhow!("learner {} is not in the log", quoted(learner)))?;
        let n = claims.len();
        let input = CredentialInput {
            learner_id: learner.to_owned(),
            learner_did: did.cloned(),
            issuer_name: args.issuer_name.clone(),
            mastery_threshold: rule.threshold,
            claims,
            evidence: EvidenceDigests {
                rows_sha256: rows.sha256,
                rows: rows.rows,
                model_sha256: Some(model_sha256.clone()),
                graph_sha256: Some(graph_sha256.clone()),
            },
            valid_from,
            valid_until,
        };
        Ok((issue_credential(&input, &key)?, n))
    };
    let signer = key.did();
    if let Some(learner) = &args.learner {
        let (credential, n) = credential_for(learner, args.learner_did.as_ref())?;
        let bytes = credential_bytes(&credential)?;
        write_atomic(&args.out, |w| write_named(w, &bytes, &args.out))?;
        let issued = [Issued {
            file: args.out.display().to_string(),
            learner: learner.clone(),
            skills: n,
        }];
        print_issued(&issued, &[], &signer, args.format, None)?;
        if n == 0 {
            crate::note!(
                "learner {} has mastered no skill (estimate >= {} with {} correct \
                 answers in a row); the credential lists none",
                shown(learner),
                rule.threshold,
                rule.streak
            );
        }
        return Ok(Outcome::Success);
    }
    let learners: Vec<&str> = log.learners().names().iter().map(String::as_str).collect();
    let names = file_names(&learners)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the folder", args.out.display()))?;
    let mut staged = Vec::new();
    let mut skipped = Vec::new();
    for (learner, name) in learners.iter().zip(&names) {
        let (credential, n) = credential_for(learner, None)?;
        if n == 0 {
            skipped.push(learner.to_string());
            continue;
        }
        let path = args.out.join(name);
        let temp = stage(&path, &credential_bytes(&credential)?)?;
        staged.push((
            temp,
            Issued {
                file: path.display().to_string(),
                learner: learner.to_string(),
                skills: n,
            },
        ));
    }
    let mut issued = Vec::with_capacity(staged.len());
    let total = staged.len();
    for (temp, record) in staged {
        std::fs::rename(temp.path(), &record.file).with_context(|| {
            format!(
                "{}: cannot write ({} of {total} credential files were written before it)",
                record.file,
                issued.len()
            )
        })?;
        temp.keep();
        issued.push(record);
    }
    print_issued(&issued, &skipped, &signer, args.format, Some(&args.out))?;
    Ok(Outcome::Success)
}

fn utf8(bytes: &[u8], file: &str) -> anyhow::Result<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|e| anyhow::anyhow!("{file}: not UTF-8 at byte {}", e.utf8_error().valid_up_to()))
}

/// A credential's file bytes: pretty JSON and a newline.
fn credential_bytes(credential: &Value) -> anyhow::Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(credential)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Writes `bytes`, naming `path` in the error (a full disk says which file it stopped).
fn write_named(w: &mut dyn Write, bytes: &[u8], path: &Path) -> anyhow::Result<()> {
    w.write_all(bytes)
        .and_then(|()| w.flush())
        .with_context(|| format!("{}: cannot write", path.display()))
}

/// `bytes` in a registered temporary file beside `path`, to be renamed onto it later; removed if
/// dropped (an error, a panic) or on a signal.
fn stage(path: &Path, bytes: &[u8]) -> anyhow::Result<Temporary> {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.mode(0o666);
    }
    let (temp, mut file) = Temporary::create_beside(path, Kind::File, |tmp| open.open(tmp))
        .with_context(|| format!("{}: cannot create a file in this folder", path.display()))?;
    write_named(&mut file, bytes, path)?;
    Ok(temp)
}

/// The credential file name of each learner, in order (see `docs/records.md`): the learner id
/// with every character but ASCII letters, digits, `-`, `_` and `.` replaced by `_` (and a
/// leading `.` too), cut to [`STEM_LIMIT`] bytes; when that changed the id, or the name would
/// equal another learner's but for letter case, `-` and the first [`HASH_DIGITS`] hex digits of
/// SHA-256(id) follow; then `.credential.json`. An error, before anything is written, if two
/// names are still equal ignoring case.
fn file_names(learners: &[&str]) -> anyhow::Result<Vec<String>> {
    let with_hash =
        |stem: &str, id: &str| format!("{stem}-{}", &sha256_hex(id.as_bytes())[..HASH_DIGITS]);
    let mut stems: Vec<String> = learners
        .iter()
        .map(|id| {
            let mut stem: String = id
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_alphanumeric() || c == '-' || c == '_' => c,
                    '.' => '.',
                    _ => '_',
                })
                .collect();
            if stem.starts_with('.') {
                stem.replace_range(..1, "_");
            }
            stem.truncate(STEM_LIMIT);
            if stem == *id && !stem.is_empty() {
                stem
            } else {
                with_hash(&stem, id)
            }
        })
        .collect();
    let mut by_folded: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, stem) in stems.iter().enumerate() {
        by_folded
            .entry(stem.to_ascii_lowercase())
            .or_default()
            .push(i);
    }
    for group in by_folded.values().filter(|g| g.len() > 1) {
        for &i in group {
            if stems[i] == learners[i] {
                stems[i] = with_hash(&stems[i], learners[i]);
            }
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, stem) in stems.iter().enumerate() {
        if let Some(&j) = seen.get(&stem.to_ascii_lowercase()) {
            bail!(
                "learners {} and {} would be written to the same file {stem}{SUFFIX}; nothing was written",
                quoted(learners[j]),
                quoted(learners[i])
            );
        }
        seen.insert(stem.to_ascii_lowercase(), i);
    }
    Ok(stems.into_iter().map(|s| s + SUFFIX).collect())
}

/// What `record issue` prints: a sentence (table), or one row per credential file.
fn print_issued(
    issued: &[Issued],
    skipped: &[String],
    signer: &str,
    format: Format,
    folder: Option<&PathBuf>,
) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let value = serde_json::json!({
                "signer": signer,
                "issued": issued,
                "skipped_no_mastered_skill": skipped,
            });
            out.write_all(terminal_safe_json(&value)?.as_bytes())?;
        }
        Format::Csv => {
            let mut t = Table::new(["file", "learner", "skills", "signer"]);
            for i in issued {
                t.push([
                    shown(&i.file).into_owned(),
                    shown(&i.learner).into_owned(),
                    i.skills.to_string(),
                    signer.to_owned(),
                ]);
            }
            t.write(&mut out, Format::Csv)?;
        }
        Format::Table => match (folder, issued) {
            (None, [one]) => writeln!(
                out,
                "issued {} for learner {}: {} mastered skill(s), signed by {signer}",
                shown(&one.file),
                shown(&one.learner),
                one.skills
            )?,
            (folder, _) => writeln!(
                out,
                "issued {} credential(s) into {} signed by {signer}; {} learner(s) with no \
                 mastered skill skipped",
                issued.len(),
                folder.map_or_else(String::new, |f| shown(&f.display().to_string())
                    .into_owned()),
                skipped.len()
            )?,
        },
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_plain_ids_and_make_the_rest_safe_and_bounded() {
        let long = "x".repeat(300);
        let ids = [
            "ann",
            "b.o-b_7",
            "zoë",
            "../etc/passwd",
            ".hidden",
            "",
            long.as_str(),
        ];
        let names = file_names(&ids).unwrap();
        let hash = |id: &str| sha256_hex(id.as_bytes())[..HASH_DIGITS].to_owned();
        assert_eq!(names[0], "ann.credential.json");
        assert_eq!(names[1], "b.o-b_7.credential.json");
        assert_eq!(names[2], format!("zo_-{}.credential.json", hash("zoë")));
        assert_eq!(
            names[3],
            format!("_._etc_passwd-{}.credential.json", hash("../etc/passwd"))
        );
        assert_eq!(
            names[4],
            format!("_hidden-{}.credential.json", hash(".hidden"))
        );
        assert_eq!(names[5], format!("-{}.credential.json", hash("")));
        assert_eq!(
            names[6],
            format!("{}-{}.credential.json", "x".repeat(STEM_LIMIT), hash(&long))
        );
        for name in &names {
            assert!(name.len() <= 255 && !name.contains('/'), "{name}");
        }
    }

    #[test]
    fn ids_equal_but_for_case_get_distinct_names() {
        let names = file_names(&["Ann", "ann", "bob"]).unwrap();
        let hash = |id: &str| sha256_hex(id.as_bytes())[..HASH_DIGITS].to_owned();
        assert_eq!(names[0], format!("Ann-{}.credential.json", hash("Ann")));
        assert_eq!(names[1], format!("ann-{}.credential.json", hash("ann")));
        assert_eq!(names[2], "bob.credential.json");
    }

    #[test]
    fn no_space_left_on_device_names_the_file() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let err =
            write_named(&mut Full, b"{}", Path::new("class/ann.credential.json")).unwrap_err();
        let message = format!("{err:#}");
        assert!(
            message.starts_with("class/ann.credential.json: cannot write: "),
            "{message}"
        );
    }
}
