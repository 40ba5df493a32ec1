//! `pathwise predict --model MODEL.json LOG... [-o PRED.csv]`: replays the log through the
//! model's filter and writes, per response and skill in the log's time order,
//! `learner,skill,item,correct,p_correct,p_known_before,p_known_after` (P(correct) and P(known)
//! before the response is seen, P(known) after it). Fallbacks for skills and items the model has
//! not seen are summarised on stderr.

use std::io::Write;
use std::path::PathBuf;

use pathwise::{InteractionLog, Replay};

use crate::Outcome;
use crate::commands::fit::read_model;
use crate::log_args::LogArgs;
use crate::output::write_atomic;

/// Arguments of `pathwise predict`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The fitted model (from `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,

    /// The log and how to read it.
    #[command(flatten)]
    pub log: LogArgs,

    /// Write the predictions here (CSV) instead of stdout.
    #[arg(short, long, value_name = "PRED.csv")]
    pub out: Option<PathBuf>,
}

/// Runs `pathwise predict`.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let model = read_model(&args.model)?;
    let loaded = args.log.load()?;
    let log = &loaded.log;
    let replay = pathwise::predict(&model, log);
    match &args.out {
        Some(path) => write_atomic(path, |w| write_csv(w, log, &replay))?,
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            write_csv(&mut w, log, &replay)?;
            w.flush()?;
        }
    }
    let f = &replay.fallbacks;
    let unseen: Vec<&str> = f.unseen_skills.iter().map(String::as_str).take(5).collect();
    eprintln!(
        "pathwise: predicted {} responses ({} rows); fallbacks: {} observations on {} skills not in \
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

/// Writes the prediction rows as CSV.
fn write_csv(out: &mut dyn Write, log: &InteractionLog, replay: &Replay) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "learner",
        "skill",
        "item",
        "correct",
        "p_correct",
        "p_known_before",
        "p_known_after",
    ])?;
    let mut numbers = [String::new(), String::new(), String::new()];
    for row in &replay.rows {
        let r = log.response(row.response as usize);
        let s = row.step;
        for (buf, v) in numbers
            .iter_mut()
            .zip([s.p_correct, s.p_known_before, s.p_known_after])
        {
            buf.clear();
            std::fmt::Write::write_fmt(buf, format_args!("{v}"))?;
        }
        w.write_record([
            log.learners().name(r.learner),
            log.skills().name(row.skill),
            r.item.map_or("", |i| log.items().name(i)),
            if r.correct { "1" } else { "0" },
            &numbers[0],
            &numbers[1],
            &numbers[2],
        ])?;
    }
    w.flush()?;
    Ok(())
}
