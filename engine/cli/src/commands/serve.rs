//! `pathwise serve`: loads the model and the graph, opens the state database and serves the
//! recommender over HTTP until the process ends (the service is `pathwise_serve`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use pathwise::{Policy, Recommender};
use pathwise_serve::{Service, SqliteStore, Tokens};

use crate::Outcome;
use crate::commands::fit::read_model;
use crate::mastery_args::MasteryArgs;

/// Arguments of `pathwise serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The fitted model (JSON written by `pathwise fit`).
    #[arg(long, value_name = "MODEL.json")]
    pub model: PathBuf,

    /// The skill graph; its activities map posted items to skills.
    #[arg(long, value_name = "GRAPH")]
    pub graph: PathBuf,

    /// The SQLite database of events (created if missing).
    #[arg(long, value_name = "PATH")]
    pub state: PathBuf,

    /// The address to listen on (port 0: any free port, printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// A file of SHA-256 hashes of the accepted bearer tokens, one per line.
    #[arg(long, value_name = "FILE", conflicts_with = "no_auth")]
    pub tokens: Option<PathBuf>,

    /// Accept requests without a token (only on a loopback address).
    #[arg(long)]
    pub no_auth: bool,

    /// Seconds a request may take before it is answered 503 (also the longest a stop waits for
    /// requests in flight).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = timeout_seconds)]
    pub timeout: f64,

    /// Goal skill (repeatable) when a request names none.
    #[arg(long = "goal", value_name = "SKILL")]
    pub goals: Vec<String>,

    /// Softer estimate at which a prerequisite counts as satisfied (with the streak of correct
    /// answers) [default: mastered].
    #[arg(long, value_name = "P")]
    pub ready: Option<f64>,

    /// When a skill counts as mastered.
    #[command(flatten)]
    pub mastery: MasteryArgs,
}

/// The recommender of the model and graph files (read again on each reload).
fn load(model: &Path, graph: &Path, policy: &Policy) -> anyhow::Result<Recommender> {
    let model = Arc::new(read_model(model)?);
    let graph = Arc::new(pathwise_datasets::load_graph(graph, &Default::default())?.graph);
    Ok(Recommender::new(graph, model, policy.clone())?)
}

fn timeout_seconds(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| (0.001..=3600.0).contains(s))
        .ok_or_else(|| format!("{text:?} is not a number of seconds from 0.001 to 3600"))
}

/// Runs `pathwise serve` until SIGINT or SIGTERM (then it stops accepting connections, finishes
/// the requests in flight and returns success); returns early on a start-up error.
pub fn run(args: &Args) -> anyhow::Result<Outcome> {
    let tokens = match (&args.tokens, args.no_auth) {
        (Some(path), _) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| pathwise::Error::io(&name, e))?;
            Some(Arc::new(
                Tokens::parse(&text, &name).map_err(anyhow::Error::msg)?,
            ))
        }
        (None, true) if args.listen.ip().is_loopback() => None,
        (None, true) => anyhow::bail!(
            "--no-auth is only allowed on a loopback address, not {}",
            args.listen
        ),
        (None, false) => {
            anyhow::bail!("--tokens FILE is required (or --no-auth on a loopback address)")
        }
    };
    let rule = args.mastery.rule()?;
    let policy = Policy {
        ready: args.ready,
        goals: args.goals.clone(),
        ..Policy::default()
    };
    policy.validate().context("--ready")?;
    let recommender = load(&args.model, &args.graph, &policy)?;
    for w in recommender.warnings() {
        eprintln!("pathwise: warning: {}", pathwise::text::terminal_safe(w));
    }
    let store =
        SqliteStore::open(&args.state).with_context(|| format!("{}", args.state.display()))?;
    let (model, graph) = (args.model.clone(), args.graph.clone());
    let reload = move || load(&model, &graph, &policy).map_err(|e| crate::one_line(&e));
    let service = Arc::new(
        Service::new(recommender, rule, Box::new(store))
            .context("cannot start the service's writer thread")?
            .with_reload(Box::new(reload)),
    );
    let listener = std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the service's threads")?;
    let timeout = Duration::from_secs_f64(args.timeout);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    crate::temporary::on_first_signal(move || {
        eprintln!("pathwise: stopping: finishing the requests in flight");
        let _ = stop.send(true);
    });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        eprintln!("pathwise: listening on http://{address}");
        let app = pathwise_serve::router(service, tokens, timeout);
        pathwise_serve::serve(listener, app, stopped, timeout).await
    })?;
    eprintln!("pathwise: stopped");
    Ok(Outcome::Success)
}
