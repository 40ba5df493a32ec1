//! `pathwise record`: learner-owned verifiable mastery records (see `docs/records.md`).
//!
//! - `record issue --key ISSUER.key --model MODEL.json --graph GRAPH LOG... --learner ID
//!   [--learner-did DID] -o CREDENTIAL.json` (or `--all-learners -o DIR`) issues signed mastery
//!   records from the BKT model's estimates (in `record/issue.rs`);
//! - `record keygen -o ISSUER.key` writes a new Ed25519 issuer key (owner-only file, never
//!   overwritten) and prints its `did:key`;
//! - `record verify CREDENTIAL.json [--issuer DID]` checks a credential offline: exit 0 and a
//!   summary when valid, exit 1 and the reason when not, exit 2 when the file is unreadable or
//!   not JSON (in `record/verify.rs`);
//! - `record rows LOG... --learner ID [-o ROWS.jsonl]` prints the SHA-256 of a learner's rows in
//!   canonical form pathwise-rows-v1, so a verifier holding the rows can compare it with the
//!   credential's evidence.
//!
//! Every piece of text that comes from a credential or a log is escaped with
//! [`pathwise::text`] before it is printed: a credential (even a validly signed one) can hold
//! terminal escape sequences, carriage returns or bidirectional overrides in any field.

mod issue;
mod verify;

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::bail;
use pathwise::record::{IssuerKey, ROWS_CANONICAL_FORM, canonical_learner_rows, sha256_hex};
use pathwise::text::terminal_safe;

use crate::Outcome;
use crate::log_args::LogArgs;
use crate::output::{FileOptions, Format, refuse_stdout, write_atomic, write_file};

/// Arguments of `pathwise record`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: RecordCommand,
}

/// The `record` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum RecordCommand {
    /// Create an issuer key pair (Ed25519) and print its did:key identifier.
    Keygen(KeygenArgs),
    /// Issue signed mastery records: the skills the BKT model estimates a learner has mastered.
    Issue(IssueArgs),
    /// Verify a mastery record credential offline (exit 0 valid, 1 not valid, 2 unreadable).
    Verify(VerifyArgs),
    /// Print the SHA-256 of a learner's interaction rows in canonical form pathwise-rows-v1 (the
    /// "Interaction rows" evidence of a credential), optionally writing the canonical lines.
    Rows(RowsArgs),
}

/// Arguments of `pathwise record keygen`.
#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// The key file to create (JSON Multikey with the secret key; written with mode 0600).
    #[arg(short, long = "output", alias = "out", value_name = "ISSUER.key")]
    pub out: PathBuf,
    /// Replace the key file if it exists (the old key is lost: credentials it signed still verify,
    /// but it can sign no more).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `pathwise record issue`.
#[derive(Debug, clap::Args)]
pub struct IssueArgs {
    /// The issuer's key file (from `record keygen`).
    #[arg(long, value_name = "ISSUER.key")]
    pub key: PathBuf,
    /// The fitted model (from `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,
    /// The skill graph (names and standard codes of the skills).
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,
    /// The interaction log(s) and how to read them.
    #[command(flatten)]
    pub log: LogArgs,
    /// The learner to issue for, as named in the log.
    #[arg(long, value_name = "ID", required_unless_present = "all_learners")]
    pub learner: Option<String>,
    /// The learner's own DID, used as the credential subject instead of urn:pathwise:learner:ID.
    #[arg(long, value_name = "DID", requires = "learner")]
    pub learner_did: Option<String>,
    /// Issue for every learner of the log who mastered at least one skill; -o is then a folder
    /// that receives one NAME.credential.json per learner (NAME: the learner id made file-safe,
    /// see docs/records.md).
    #[arg(long, conflicts_with = "learner")]
    pub all_learners: bool,
    /// The credential file (or, with --all-learners, the folder).
    #[arg(short, long = "output", alias = "out", value_name = "CREDENTIAL.json")]
    pub out: PathBuf,
    /// When a skill counts as mastered (the rule of recommend and report).
    #[command(flatten)]
    pub mastery: crate::mastery_args::MasteryArgs,
    /// The issuer's display name (e.g. the school), written into the credential.
    #[arg(long, value_name = "NAME")]
    pub issuer_name: Option<String>,
    /// validFrom (RFC 3339) instead of now; fixing it makes the output byte-reproducible.
    #[arg(long, value_name = "DATE-TIME")]
    pub valid_from: Option<String>,
    /// Let the credential expire this many days after validFrom (default: no end).
    #[arg(long, value_name = "DAYS", value_parser = crate::limits::range::<u64>(0, crate::limits::MAX_VALID_DAYS))]
    pub valid_days: Option<u64>,
    /// How to print what was issued: a sentence (table), or one row per credential file (csv,
    /// json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `pathwise record verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The credential file.
    #[arg(value_name = "CREDENTIAL.json")]
    pub credential: PathBuf,
    /// Require this issuer (a did:key); without it any key that signed is accepted, whatever name
    /// it gives itself, and the output says the issuer was not pinned.
    #[arg(long, value_name = "DID")]
    pub issuer: Option<String>,
    /// Check validity dates at this RFC 3339 time instead of now, e.g. 2030-01-01T00:00:00Z.
    #[arg(long, value_name = "DATE-TIME")]
    pub at: Option<String>,
    /// Output format: the summary and skills table, one CSV row per claimed skill, or JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Arguments of `pathwise record rows`.
#[derive(Debug, clap::Args)]
pub struct RowsArgs {
    /// The interaction log(s) and how to read them.
    #[command(flatten)]
    pub log: LogArgs,
    /// The learner, as named in the log.
    #[arg(long, value_name = "ID")]
    pub learner: String,
    /// Also write the canonical lines (JSON lines) to this file.
    #[arg(short, long = "output", alias = "out", value_name = "ROWS.jsonl")]
    pub out: Option<PathBuf>,
}

/// Runs `pathwise record`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.command {
        RecordCommand::Keygen(a) => keygen(a),
        RecordCommand::Issue(a) => issue::run(a),
        RecordCommand::Verify(a) => verify::run(a),
        RecordCommand::Rows(a) => rows(a),
    }
}

/// Text from a credential or a log, safe to print on one terminal line.
fn shown(text: &str) -> Cow<'_, str> {
    terminal_safe(text)
}

/// `value` as pretty JSON and a newline, with every character that [`terminal_safe`] would
/// escape written as a `\uXXXX` escape instead: the same JSON value, harmless on a terminal.
/// (serde_json escapes C0 controls itself; C1 controls, line separators and bidirectional
/// overrides it writes as they are.)
fn terminal_safe_json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let mut out = String::with_capacity(text.len() + 1);
    let mut buf = [0u8; 4];
    for c in text.chars() {
        // Outside strings pretty JSON has only ASCII punctuation, spaces and line breaks.
        if c != '\n' && matches!(terminal_safe(c.encode_utf8(&mut buf)), Cow::Owned(_)) {
            for unit in c.encode_utf16(&mut [0u16; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    Ok(out)
}

fn rows(args: &RowsArgs) -> anyhow::Result<Outcome> {
    let loaded = args.log.load()?;
    let Some(bytes) = canonical_learner_rows(&loaded.log, &args.learner) else {
        bail!(
            "learner {} is not in the log",
            pathwise::text::quoted(&args.learner)
        );
    };
    if let Some(path) = &args.out {
        refuse_stdout(
            path,
            "-o",
            "record rows prints the digest on standard output",
        )?;
        write_atomic(path, |w| Ok(w.write_all(&bytes)?))?;
    }
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    println!(
        "{}  {lines} rows  learner {}  ({ROWS_CANONICAL_FORM})",
        sha256_hex(&bytes),
        shown(&args.learner)
    );
    Ok(Outcome::Success)
}

fn keygen(args: &KeygenArgs) -> anyhow::Result<Outcome> {
    refuse_stdout(
        &args.out,
        "-o",
        "keygen prints the did:key on standard output",
    )?;
    let key = IssuerKey::generate()?;
    write_secret(&args.out, key.to_key_file().as_bytes(), args.force)?;
    println!("{}", key.did());
    crate::status!(
        "secret key written to {} (owner-only); keep it private, share the did:key above",
        args.out.display()
    );
    Ok(Outcome::Success)
}

/// Writes a secret atomically with owner-only permissions; refuses to replace an existing file
/// unless `overwrite`.
fn write_secret(path: &Path, bytes: &[u8], overwrite: bool) -> anyhow::Result<()> {
    let options = FileOptions {
        private: true,
        keep_existing: !overwrite,
    };
    write_file(path, options, |w| Ok(w.write_all(bytes)?)).map_err(|e| {
        let exists = e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists);
        if exists {
            anyhow::anyhow!(
                "{}: already exists; pass --force to replace the key (it could sign no more)",
                path.display()
            )
        } else {
            e
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_output_escapes_what_a_terminal_would_interpret_and_keeps_the_value() {
        let value = serde_json::json!({
            "name": "a\u{1b}[2K\r\u{9b}b\u{202e}c\u{2028}",
            "plain": "Brüche 分数 😀",
        });
        let text = terminal_safe_json(&value).unwrap();
        assert_eq!(
            text,
            "{\n  \"name\": \"a\\u001b[2K\\r\\u009bb\\u202ec\\u2028\",\n  \"plain\": \"Brüche 分数 😀\"\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
