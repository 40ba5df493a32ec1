//! `pathwise record verify CREDENTIAL.json [--issuer DID] [--at DATE-TIME] [--format F]`: exit 0
//! and a summary when the credential is valid, exit 1 and the reason when it is not, exit 2 when
//! the file cannot be read as JSON.
//!
//! A credential's every field is the holder's (or a forger's) text: it is printed only through
//! [`pathwise::text`] (escaped, and cut in the table), and without `--issuer` the output says that
//! the issuer was not pinned.

use std::io::Write;
use std::time::SystemTime;

use anyhow::bail;
use pathwise::record::{
    CREDENTIAL_TYPE, MAX_CREDENTIAL_BYTES, VerifiedSummary, VerifyFailure, parse_date_time,
    verify_credential,
};
use pathwise::text::{QUOTE_LIMIT, cut, quoted};

use super::{VerifyArgs, shown, terminal_safe_json};
use crate::Outcome;
use crate::input::read_limited;
use crate::output::{Format, Table};

/// The columns of a claimed skill, in the table and in CSV.
const SKILL_COLUMNS: [&str; 6] = [
    "skill",
    "name",
    "standard",
    "mastery",
    "attempts",
    "mastered_at",
];

pub(super) fn run(args: &VerifyArgs) -> anyhow::Result<Outcome> {
    let file = args.credential.display().to_string();
    let bytes = read_limited(
        &args.credential,
        MAX_CREDENTIAL_BYTES as u64,
        "a credential",
    )?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{file}: not JSON: invalid UTF-8 at byte {}",
            e.utf8_error().valid_up_to()
        )
    })?;
    let now = match &args.at {
        None => SystemTime::now(),
        Some(at) => parse_date_time(at).ok_or_else(|| {
            anyhow::anyhow!(
                "--at {}: not an RFC 3339 date-time with a time zone",
                quoted(at)
            )
        })?,
    };
    let mut out = std::io::stdout().lock();
    match verify_credential(&text, args.issuer.as_deref(), now) {
        Ok(summary) => {
            print_valid(&mut out, &summary, args.format)?;
            Ok(Outcome::Success)
        }
        Err(failure @ (VerifyFailure::NotJson(_) | VerifyFailure::TooLarge { .. })) => {
            bail!("{file}: {}", shown(&failure.to_string()))
        }
        Err(failure) => {
            print_invalid(&mut out, &failure, args.format)?;
            Ok(Outcome::Failure)
        }
    }
}

/// The line that says what an unpinned result means, naming the issuer's self-chosen name.
fn not_pinned(s: &VerifiedSummary) -> String {
    let who = match &s.issuer_name {
        Some(name) => format!("a key named {}", quoted(name)),
        None => "a key".to_owned(),
    };
    format!(
        "issuer not pinned: anyone can make {who}; pass --issuer did:key:... (learnt from the \
         issuer through a channel you trust) to check who signed"
    )
}

fn print_invalid(
    out: &mut dyn Write,
    failure: &VerifyFailure,
    format: Format,
) -> anyhow::Result<()> {
    let message = shown(&failure.to_string()).into_owned();
    match format {
        Format::Json => out.write_all(
            terminal_safe_json(&serde_json::json!({
                "valid": false,
                "reason": failure.kind(),
                "message": message,
            }))?
            .as_bytes(),
        )?,
        Format::Csv => {
            let mut t = Table::new(["valid", "reason", "message"]);
            t.push(["false", failure.kind(), message.as_str()]);
            t.write(out, Format::Csv)?;
        }
        Format::Table => writeln!(out, "NOT VALID: {message}")?,
    }
    Ok(())
}

fn print_valid(out: &mut dyn Write, s: &VerifiedSummary, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(s)?;
            if let Some(map) = value.as_object_mut() {
                map.insert("valid".into(), true.into());
                if !s.issuer_pinned {
                    map.insert("warning".into(), not_pinned(s).into());
                }
            }
            out.write_all(terminal_safe_json(&value)?.as_bytes())?;
        }
        Format::Csv => {
            let credential_columns = [
                "valid",
                "issuer_pinned",
                "issuer",
                "issuer_name",
                "signer",
                "subject",
                "credential",
            ];
            let mut t = Table::new(credential_columns.into_iter().chain(SKILL_COLUMNS));
            let text = |v: &Option<String>| shown(v.as_deref().unwrap_or_default()).into_owned();
            let credential = [
                "true".to_owned(),
                s.issuer_pinned.to_string(),
                shown(&s.issuer).into_owned(),
                text(&s.issuer_name),
                shown(&s.signer).into_owned(),
                text(&s.subject),
                text(&s.id),
            ];
            for k in &s.skills {
                let skill = [
                    shown(&k.skill).into_owned(),
                    text(&k.name),
                    text(&k.standard),
                    k.probability.map(|p| p.to_string()).unwrap_or_default(),
                    k.attempts.map(|n| n.to_string()).unwrap_or_default(),
                    text(&k.mastered_at),
                ];
                t.push(credential.iter().cloned().chain(skill));
            }
            if s.skills.is_empty() {
                let no_skill = std::iter::repeat_n(String::new(), SKILL_COLUMNS.len());
                t.push(credential.iter().cloned().chain(no_skill));
            }
            t.write(out, Format::Csv)?;
        }
        Format::Table => print_table(out, s)?,
    }
    Ok(())
}

/// A table cell or summary value: escaped, and cut so that one field cannot flood the screen.
fn cell(text: &str) -> String {
    cut(text, QUOTE_LIMIT).into_owned()
}

fn print_table(out: &mut dyn Write, s: &VerifiedSummary) -> anyhow::Result<()> {
    let opt = |v: &Option<String>, none: &str| v.as_deref().map_or_else(|| none.to_owned(), cell);
    writeln!(out, "VALID: signature by {} checks out", cell(&s.signer))?;
    if !s.issuer_pinned {
        writeln!(out, "{}", not_pinned(s))?;
    }
    let issuer = match &s.issuer_name {
        Some(name) => format!("{} ({})", cell(&s.issuer), cell(name)),
        None => cell(&s.issuer),
    };
    writeln!(out, "issuer:     {issuer}")?;
    if !s.issuer_is_signer {
        writeln!(
            out,
            "            note: the issuer is not the signing key's did:key; that this key speaks \
             for it cannot be checked offline"
        )?;
    }
    writeln!(out, "subject:    {}", opt(&s.subject, "(none)"))?;
    writeln!(
        out,
        "valid:      from {} until {}",
        opt(&s.valid_from, "(any time)"),
        opt(&s.valid_until, "(no end)")
    )?;
    if let Some(id) = &s.id {
        writeln!(out, "credential: {}", cell(id))?;
    }
    if s.types.iter().any(|t| t == CREDENTIAL_TYPE) {
        writeln!(out, "mastered skills ({}):", s.skills.len())?;
        let mut t = Table::new(SKILL_COLUMNS);
        for k in &s.skills {
            t.push([
                cell(&k.skill),
                opt(&k.name, ""),
                opt(&k.standard, ""),
                k.probability.map(|p| format!("{p:.3}")).unwrap_or_default(),
                k.attempts.map(|n| n.to_string()).unwrap_or_default(),
                opt(&k.mastered_at, ""),
            ]);
        }
        t.write(out, Format::Table)?;
    }
    for e in &s.evidence {
        writeln!(
            out,
            "evidence:   {} sha256 {}",
            cell(&e.name),
            cell(&e.sha256)
        )?;
    }
    Ok(())
}
