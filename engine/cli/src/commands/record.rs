//! `pathwise record`: learner-owned verifiable mastery records (see `docs/records.md`).
//!
//! - `record issue --key ISSUER.key --model MODEL.json --graph GRAPH LOG... --learner ID
//!   [--learner-did DID] -o CREDENTIAL.json` (or `--all-learners -o DIR`) issues signed mastery
//!   records from the BKT model's estimates;
//! - `record keygen -o ISSUER.key` writes a new Ed25519 issuer key (owner-only file, never
//!   overwritten) and prints its `did:key`;
//! - `record verify CREDENTIAL.json [--issuer DID]` checks a credential offline: exit 0 and a
//!   summary when valid, exit 1 and the reason when not, exit 2 when the file is unreadable or
//!   not JSON;
//! - `record rows LOG... --learner ID [-o ROWS.jsonl]` prints the SHA-256 of a learner's rows in
//!   canonical form pathwise-rows-v1, so a verifier holding the rows can compare it with the
//!   credential's evidence.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use pathwise::{
    CredentialInput, DEFAULT_MASTERY_THRESHOLD, EvidenceDigests, IssuerKey, Model,
    ROWS_CANONICAL_FORM, SkillLabel, VerifiedSummary, VerifyFailure, canonical_learner_rows,
    issue_credential, learner_rows_digest, mastery_claims, parse_date_time, sha256_hex,
    verify_credential,
};
use pathwise_datasets::{GraphOptions, load_graph};
use serde_json::Value;

use crate::Outcome;
use crate::log_args::LogArgs;
use crate::output::{
    FileOptions, Format, Table, refuse_stdout, write_atomic, write_file, write_json,
};

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
    /// that receives one ID.credential.json per learner (ID percent-encoded).
    #[arg(long, conflicts_with = "learner")]
    pub all_learners: bool,
    /// The credential file (or, with --all-learners, the folder).
    #[arg(short, long = "output", alias = "out", value_name = "CREDENTIAL.json")]
    pub out: PathBuf,
    /// P(known) a skill needs to count as mastered.
    #[arg(long, value_name = "P", default_value_t = DEFAULT_MASTERY_THRESHOLD)]
    pub mastery: f64,
    /// The issuer's display name (e.g. the school), written into the credential.
    #[arg(long, value_name = "NAME")]
    pub issuer_name: Option<String>,
    /// validFrom (RFC 3339) instead of now; fixing it makes the output byte-reproducible.
    #[arg(long, value_name = "DATE-TIME")]
    pub valid_from: Option<String>,
    /// Let the credential expire this many days after validFrom (default: no end).
    #[arg(long, value_name = "DAYS", value_parser = crate::limits::range::<u64>(0, crate::limits::MAX_VALID_DAYS))]
    pub valid_days: Option<u64>,
}

/// Arguments of `pathwise record verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The credential file.
    #[arg(value_name = "CREDENTIAL.json")]
    pub credential: PathBuf,
    /// Require this issuer (a did:key); without it any did:key issuer whose key signed is valid.
    #[arg(long, value_name = "DID")]
    pub issuer: Option<String>,
    /// Check validity dates at this RFC 3339 time instead of now, e.g. 2030-01-01T00:00:00Z.
    #[arg(long, value_name = "DATE-TIME")]
    pub at: Option<String>,
    /// Output format of the summary.
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
        RecordCommand::Issue(a) => issue(a),
        RecordCommand::Verify(a) => verify(a),
        RecordCommand::Rows(a) => rows(a),
    }
}

fn issue(args: &IssueArgs) -> anyhow::Result<Outcome> {
    refuse_stdout(
        &args.out,
        "-o",
        "record issue prints its summary on standard output",
    )?;
    let key_file = args.key.display().to_string();
    let key_text =
        std::fs::read_to_string(&args.key).with_context(|| format!("{key_file}: cannot read"))?;
    let key = IssuerKey::from_key_file(&key_text, &key_file)?;
    let model_file = args.model.display().to_string();
    let model_bytes =
        std::fs::read(&args.model).with_context(|| format!("{model_file}: cannot read"))?;
    let model_text = std::str::from_utf8(&model_bytes)
        .map_err(|e| anyhow::anyhow!("{model_file}: not UTF-8 at byte {}", e.valid_up_to()))?;
    let model = Model::from_json(model_text, &model_file)?;
    let graph_file = args.graph.display().to_string();
    let graph_bytes =
        std::fs::read(&args.graph).with_context(|| format!("{graph_file}: cannot read"))?;
    let graph = load_graph(&args.graph, &GraphOptions::default())?.graph;
    let valid_from = match &args.valid_from {
        Some(t) => parse_date_time(t).ok_or_else(|| {
            anyhow::anyhow!("--valid-from '{t}': not an RFC 3339 date-time with a time zone")
        })?,
        None => {
            let secs = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            UNIX_EPOCH + Duration::from_secs(secs)
        }
    };
    let valid_until = args
        .valid_days
        .map(|days| valid_from + Duration::from_secs(days.saturating_mul(86_400)));
    let loaded = args.log.load()?;
    let log = &loaded.log;
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
        let claims = mastery_claims(&model, log, learner, args.mastery, label)?;
        let rows = learner_rows_digest(log, learner)
            .ok_or_else(|| anyhow::anyhow!("learner '{learner}' is not in the log"))?;
        let n = claims.len();
        let input = CredentialInput {
            learner_id: learner.to_owned(),
            learner_did: did.cloned(),
            issuer_name: args.issuer_name.clone(),
            mastery_threshold: args.mastery,
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
    let did = key.did();
    if let Some(learner) = &args.learner {
        let (credential, n) = credential_for(learner, args.learner_did.as_ref())?;
        write_atomic(&args.out, |w| write_json(w, &credential))?;
        println!(
            "issued {} for learner {learner}: {n} mastered skill(s), signed by {did}",
            args.out.display()
        );
        if n == 0 {
            eprintln!(
                "pathwise: note: learner {learner} has no skill at P(known) >= {}; the credential lists none",
                args.mastery
            );
        }
        return Ok(Outcome::Success);
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("{}: cannot create the folder", args.out.display()))?;
    let (mut issued, mut skipped) = (0usize, 0usize);
    for learner in log.learners().names() {
        let (credential, n) = credential_for(learner, None)?;
        if n == 0 {
            skipped += 1;
            continue;
        }
        let path = args
            .out
            .join(format!("{}.credential.json", file_safe(learner)));
        write_atomic(&path, |w| write_json(w, &credential))?;
        issued += 1;
    }
    println!(
        "issued {issued} credential(s) into {} signed by {did}; {skipped} learner(s) with no mastered skill skipped",
        args.out.display()
    );
    Ok(Outcome::Success)
}

/// A learner id as a file name: ASCII letters, digits and `-._~` kept, every other byte as %XX.
fn file_safe(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-_~".contains(&b) || (b == b'.' && !out.is_empty()) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn rows(args: &RowsArgs) -> anyhow::Result<Outcome> {
    let loaded = args.log.load()?;
    let Some(bytes) = canonical_learner_rows(&loaded.log, &args.learner) else {
        bail!("learner '{}' is not in the log", args.learner);
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
        args.learner
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

fn verify(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let file = args.credential.display().to_string();
    let bytes = std::fs::read(&args.credential).with_context(|| format!("{file}: cannot read"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{file}: not JSON: invalid UTF-8 at byte {}",
            e.utf8_error().valid_up_to()
        )
    })?;
    let now = match &args.at {
        None => SystemTime::now(),
        Some(at) => parse_date_time(at).ok_or_else(|| {
            anyhow::anyhow!("--at '{at}': not an RFC 3339 date-time with a time zone")
        })?,
    };
    let mut out = std::io::stdout().lock();
    match verify_credential(&text, args.issuer.as_deref(), now) {
        Ok(summary) => {
            print_valid(&mut out, &summary, args.format)?;
            Ok(Outcome::Success)
        }
        Err(VerifyFailure::NotJson(m)) => bail!("{file}: not JSON: {m}"),
        Err(failure) => {
            if args.format == Format::Json {
                write_json(
                    &mut out,
                    &serde_json::json!({
                        "valid": false,
                        "reason": failure.kind(),
                        "message": failure.to_string(),
                    }),
                )?;
            } else {
                writeln!(out, "NOT VALID: {failure}")?;
            }
            Ok(Outcome::Failure)
        }
    }
}

fn print_valid(out: &mut dyn Write, s: &VerifiedSummary, format: Format) -> anyhow::Result<()> {
    if format == Format::Json {
        let mut value = serde_json::to_value(s)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("valid".into(), true.into());
        }
        return write_json(out, &value);
    }
    let issuer = match &s.issuer_name {
        Some(name) => format!("{} ({name})", s.issuer),
        None => s.issuer.clone(),
    };
    writeln!(out, "VALID: signature by {} checks out", s.signer)?;
    writeln!(out, "issuer:     {issuer}")?;
    if !s.issuer_is_signer {
        writeln!(
            out,
            "            note: the issuer is not the signing key's did:key; that this key speaks \
             for it cannot be checked offline"
        )?;
    }
    writeln!(
        out,
        "subject:    {}",
        s.subject.as_deref().unwrap_or("(none)")
    )?;
    writeln!(
        out,
        "valid:      from {} until {}",
        s.valid_from.as_deref().unwrap_or("(any time)"),
        s.valid_until.as_deref().unwrap_or("(no end)")
    )?;
    if let Some(id) = &s.id {
        writeln!(out, "credential: {id}")?;
    }
    if s.types.iter().any(|t| t == pathwise::CREDENTIAL_TYPE) {
        writeln!(out, "mastered skills ({}):", s.skills.len())?;
        let mut t = Table::new([
            "skill",
            "name",
            "standard",
            "mastery",
            "attempts",
            "mastered_at",
        ]);
        for k in &s.skills {
            t.push([
                k.skill.clone(),
                k.name.clone().unwrap_or_default(),
                k.standard.clone().unwrap_or_default(),
                k.probability.map(|p| format!("{p:.3}")).unwrap_or_default(),
                k.attempts.map(|n| n.to_string()).unwrap_or_default(),
                k.mastered_at.clone().unwrap_or_default(),
            ]);
        }
        t.write(out, Format::Table)?;
    }
    for e in &s.evidence {
        writeln!(out, "evidence:   {} sha256 {}", e.name, e.sha256)?;
    }
    Ok(())
}
