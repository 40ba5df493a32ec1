//! `pathwise predict --model MODEL.json LOG... [-o PRED.csv]`: replays the log through the
//! model's filter and writes, per response and skill in the log's time order,
//! `learner,skill,item,correct,p_correct,p_known_before,p_known_after,order` (P(correct) and
//! P(known) before the response is seen, P(known) after it). `order` is the response's order
//! value (the order column's number; for a timestamp, milliseconds since the Unix epoch), so
//! that the rows join back to an input that was not sorted. Fallbacks for skills and items the model has
//! not seen are summarised on stderr.

use std::io::Write;
use std::path::{Path, PathBuf};

use pathwise::{InteractionLog, bkt::Replay};

use crate::Outcome;
use crate::commands::fit::read_model;
use crate::log_args::LogArgs;
use crate::output::{Format, Table, write_atomic};
use crate::overlap;

/// Arguments of `pathwise predict`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The fitted model (from `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,

    /// The log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,

    /// Write the predictions here instead of standard output (`-`).
    #[arg(short, long = "output", alias = "out", value_name = "PRED.csv")]
    pub out: Option<PathBuf>,

    /// Output format: csv (the default: one row per scored response, streamed), an aligned
    /// table, or a JSON array of rows with the same keys.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
}

/// Runs `pathwise predict`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let model = read_model(&args.model)?;
    let loaded = args.log.load()?;
    let log = &loaded.log;
    overlap::check_log(&model, &args.model, log, &args.log.logs)?;
    let replay = pathwise::predict(&model, log);
    let path = args.out.as_deref().unwrap_or(Path::new("-"));
    write_atomic(path, |w| write_rows(w, log, &replay, args.format))?;
    let f = &replay.fallbacks;
    let unseen: Vec<&str> = f.unseen_skills.iter().map(String::as_str).take(5).collect();
    crate::status!(
        "predicted {} responses ({} rows); fallbacks: {} observations on {} skills not in \
         the model (population-average parameters{}{}), {} observations on items not in the model \
         (their skill's own parameters)",
        log.n_responses(),
        replay.rows.len(),
        f.unseen_skill_observations,
        f.unseen_skills.len(),
        if unseen.is_empty() { "" } else { ": " },
        unseen.join(", ")
            + if f.unseen_skills.len() > 5 {
                ", …"
            } else {
                ""
            },
        f.unseen_item_observations,
    );
    Ok(Outcome::Success)
}

/// The output columns (CSV header and JSON keys).
const COLUMNS: [&str; 8] = [
    "learner",
    "skill",
    "item",
    "correct",
    "p_correct",
    "p_known_before",
    "p_known_after",
    "order",
];

/// Writes the prediction rows in `format`: CSV streams them; a table is aligned over every row;
/// JSON is an array of objects, one a line.
fn write_rows(
    out: &mut dyn Write,
    log: &InteractionLog,
    replay: &Replay,
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(COLUMNS)?;
            let mut numbers: [String; 4] = Default::default();
            for_each_row(log, replay, |text, probabilities, order| {
                for (buf, v) in numbers.iter_mut().zip(probabilities) {
                    buf.clear();
                    std::fmt::Write::write_fmt(buf, format_args!("{v}"))?;
                }
                numbers[3].clear();
                std::fmt::Write::write_fmt(&mut numbers[3], format_args!("{order}"))?;
                let cells = text.iter().map(|s| s.as_bytes());
                w.write_record(cells.chain(numbers.iter().map(|s| s.as_bytes())))?;
                Ok(())
            })?;
            w.flush()?;
        }
        Format::Table => {
            let mut table = Table::new(COLUMNS);
            for_each_row(log, replay, |text, probabilities, order| {
                let numbers = probabilities.map(|v| format!("{v:.4}"));
                let cells = text.iter().map(|s| s.to_string()).chain(numbers);
                table.push(cells.chain([order.to_string()]));
                Ok(())
            })?;
            table.write(out, Format::Table)?;
        }
        Format::Json => {
            let mut first = true;
            out.write_all(b"[")?;
            for_each_row(
                log,
                replay,
                |[learner, skill, item, correct], [p, before, after], order| {
                    let row = serde_json::json!({
                        "learner": learner,
                        "skill": skill,
                        "item": item,
                        "correct": u8::from(correct == "1"),
                        "p_correct": p,
                        "p_known_before": before,
                        "p_known_after": after,
                        "order": order,
                    });
                    out.write_all(if first { b"\n" } else { b",\n" })?;
                    first = false;
                    serde_json::to_writer(&mut *out, &row)?;
                    Ok(())
                },
            )?;
            out.write_all(b"\n]\n")?;
        }
    }
    Ok(())
}

/// Calls `visit` with every prediction row: learner, skill, item and correct (`0`/`1`) as text,
/// then P(correct), P(known) before and after, then the response's order value.
fn for_each_row(
    log: &InteractionLog,
    replay: &Replay,
    mut visit: impl FnMut([&str; 4], [f64; 3], i64) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for row in &replay.rows {
        let r = log.response(row.response as usize);
        let s = row.step;
        visit(
            [
                log.learners().name(r.learner),
                log.skills().name(row.skill),
                r.item.map_or("", |i| log.items().name(i)),
                if r.correct { "1" } else { "0" },
            ],
            [s.p_correct, s.p_known_before, s.p_known_after],
            r.order,
        )?;
    }
    Ok(())
}
