//! `pathwise record`: learner-owned verifiable mastery records (see `docs/records.md`).
//!
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
use std::time::SystemTime;

use anyhow::{Context, bail};
use pathwise::{
    IssuerKey, ROWS_CANONICAL_FORM, VerifiedSummary, VerifyFailure, canonical_learner_rows,
    parse_date_time, sha256_hex, verify_credential,
};

use crate::Outcome;
use crate::log_args::LogArgs;
use crate::output::{Format, Table, write_atomic, write_json};

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
    #[arg(short, long, value_name = "ISSUER.key")]
    pub out: PathBuf,
    /// Replace the key file if it exists (the old key is lost: credentials it signed still verify,
    /// but it can sign no more).
    #[arg(long)]
    pub force: bool,
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
    #[arg(short, long, value_name = "ROWS.jsonl")]
    pub out: Option<PathBuf>,
}

/// Runs `pathwise record`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    match &args.command {
        RecordCommand::Keygen(a) => keygen(a),
        RecordCommand::Verify(a) => verify(a),
        RecordCommand::Rows(a) => rows(a),
    }
}

fn rows(args: &RowsArgs) -> anyhow::Result<Outcome> {
    let loaded = args.log.load()?;
    let Some(bytes) = canonical_learner_rows(&loaded.log, &args.learner) else {
        bail!("learner '{}' is not in the log", args.learner);
    };
    if let Some(path) = &args.out {
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
    let key = IssuerKey::generate()?;
    write_secret(&args.out, key.to_key_file().as_bytes(), args.force)?;
    println!("{}", key.did());
    eprintln!(
        "pathwise: secret key written to {} (owner-only); keep it private, share the did:key above",
        args.out.display()
    );
    Ok(Outcome::Success)
}

/// Writes a secret atomically with owner-only permissions; refuses to replace an existing file
/// unless `overwrite`.
fn write_secret(path: &Path, bytes: &[u8], overwrite: bool) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create a file in this folder", path.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    if overwrite {
        tmp.persist(path)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    } else if let Err(e) = tmp.persist_noclobber(path) {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            bail!(
                "{}: already exists; pass --force to replace the key (it could sign no more)",
                path.display()
            );
        }
        return Err(e.error).with_context(|| format!("{}: cannot write", path.display()));
    }
    Ok(())
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
