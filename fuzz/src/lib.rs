//! The fuzz targets' bodies: each feeds bytes to the library entry point the `pathwise` command
//! line uses for one input format, and checks the promise every parser makes about bad input: an
//! error, never a panic, whose message is one line, escaped for a terminal and of bounded length.
//!
//! The same file is compiled into the workspace's corpus-replay test
//! (`datasets/tests/fuzz_corpus.rs`), so every committed seed is checked by `cargo test` on
//! stable; `docs/fuzzing.md` says how the targets are run and what they found.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use pathwise::text::terminal_safe;
use pathwise_datasets::{Encoding, GraphOptions, LogOptions, Preset, load_graph, load_logs};

/// The longest error message accepted, in characters: whatever the input, a message quotes at
/// most `pathwise::text::QUOTE_LIMIT` characters of any one value (each escape such as `\u{85}`
/// counting several), so its length does not grow with the input. Inputs of up to 4 KiB (the
/// fuzzer's default) that were copied whole into a message would exceed it.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// One fuzz target: an input format and the entry point that reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A CSV/TSV interaction log through `pathwise_datasets::load_logs`. The first byte picks
    /// the options: bits 0–1 the delimiter (detected, `,`, tab, `;`), bit 2 Latin-1, bits 3–5 the
    /// preset (0–5 one of `Preset::ALL`, else detected), bit 6 a `.tsv` name, bit 7 an item→skill
    /// map (the bytes after the first NUL).
    LogCsv,
    /// A DKT line-format log (`--preset dkt`) through `load_logs`.
    LogDkt,
    /// A Parquet log (`log.parquet`, preset detected) through `load_logs`.
    LogParquet,
    /// A file of xAPI statements (`log.json`, `--preset xapi`) through `load_logs`, the items
    /// `q1`, `q2` mapped to skills as a graph's activities would map them.
    LogXapi,
    /// A native TOML skill graph through `pathwise_datasets::load_graph`.
    GraphToml,
    /// A native JSON skill graph through `load_graph`.
    GraphJson,
    /// A table graph through `load_graph`. The first byte picks: bits 0–1 the file (`graph.csv`,
    /// detected as an edge list or the Junyi table; `graph.preqs`, AL-CPL; `graph.csv` with the
    /// bytes after the first NUL as its skills CSV; `graph.txt`), bit 2 `--drop-cycle-edges`.
    GraphTable,
    /// A model file through `pathwise::Model::from_json` (and `FixedParams::from_json`, the
    /// `fit --fixed` file, on the same text).
    ModelJson,
    /// A credential through `pathwise::record::verify_credential`, unpinned.
    Credential,
    /// An issuer key file through `pathwise::record::IssuerKey::from_key_file`.
    KeyFile,
}

impl Target {
    /// Every target, in the order they are listed in `docs/fuzzing.md`.
    pub const ALL: [Target; 10] = [
        Target::LogCsv,
        Target::LogDkt,
        Target::LogParquet,
        Target::LogXapi,
        Target::GraphToml,
        Target::GraphJson,
        Target::GraphTable,
        Target::ModelJson,
        Target::Credential,
        Target::KeyFile,
    ];

    /// The target's name: its binary and its seed folder (`fuzz/seeds/<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Target::LogCsv => "log_csv",
            Target::LogDkt => "log_dkt",
            Target::LogParquet => "log_parquet",
            Target::LogXapi => "log_xapi",
            Target::GraphToml => "graph_toml",
            Target::GraphJson => "graph_json",
            Target::GraphTable => "graph_table",
            Target::ModelJson => "model_json",
            Target::Credential => "credential",
            Target::KeyFile => "key_file",
        }
    }
}

/// Feeds `data` to `target`'s entry point. Returns the error message when the input is refused;
/// panics when the entry point panics, its message breaks the rules of [`check_message`], or a
/// graph it accepts is not in topological order.
pub fn run(target: Target, data: &[u8]) -> Option<String> {
    let outcome = match target {
        Target::LogCsv => log_csv(data),
        Target::LogDkt => log(
            data,
            "log.txt",
            LogOptions {
                preset: Some(Preset::Dkt),
                ..LogOptions::default()
            },
        ),
        Target::LogParquet => log(data, "log.parquet", LogOptions::default()),
        Target::LogXapi => log(
            data,
            "log.json",
            LogOptions {
                preset: Some(Preset::Xapi),
                activity_skills: Some(
                    [("q1", "add"), ("q2", "sub")]
                        .into_iter()
                        .map(|(item, skill)| (item.to_owned(), vec![skill.to_owned()]))
                        .collect(),
                ),
                ..LogOptions::default()
            },
        ),
        Target::GraphToml => graph(data, "graph.toml", None, false),
        Target::GraphJson => graph(data, "graph.json", None, false),
        Target::GraphTable => graph_table(data),
        Target::ModelJson => model_json(data),
        Target::Credential => credential(data),
        Target::KeyFile => key_file(data),
    };
    let message = outcome.err()?;
    check_message(target, &message);
    Some(message)
}

/// Panics unless `message` is one line, needs no escaping for a terminal and has at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub fn check_message(target: Target, message: &str) {
    let name = target.name();
    assert!(
        !message.contains(['\n', '\r']),
        "{name}: the error is more than one line: {message:?}"
    );
    assert!(
        terminal_safe(message) == message,
        "{name}: the error holds unescaped control characters: {message:?}"
    );
    let chars = message.chars().count();
    assert!(
        chars <= MAX_MESSAGE_CHARS,
        "{name}: the error is {chars} characters long: {:?}…",
        message.chars().take(200).collect::<String>()
    );
}

fn log_csv(data: &[u8]) -> Result<(), String> {
    let Some((&options, rest)) = data.split_first() else {
        return Ok(());
    };
    let delimiter = [None, Some(b','), Some(b'\t'), Some(b';')][usize::from(options & 3)];
    let encoding = if options & 4 != 0 {
        Encoding::Latin1
    } else {
        Encoding::Utf8
    };
    let preset = Preset::ALL.get(usize::from((options >> 3) & 7)).copied();
    let name = if options & 64 != 0 {
        "log.tsv"
    } else {
        "log.csv"
    };
    let (log_bytes, map) = if options & 128 != 0 {
        split_at_nul(rest)
    } else {
        (rest, None)
    };
    let item_skills = map.map(|bytes| write(&scratch().join("items.csv"), bytes));
    log(
        log_bytes,
        name,
        LogOptions {
            preset,
            columns: Vec::new(),
            encoding,
            delimiter,
            item_skills,
            ..LogOptions::default()
        },
    )
}

fn log(data: &[u8], name: &str, options: LogOptions) -> Result<(), String> {
    let path = write(&scratch().join(name), data);
    load_logs(&[path], &options)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn graph_table(data: &[u8]) -> Result<(), String> {
    let Some((&options, rest)) = data.split_first() else {
        return Ok(());
    };
    let drop_cycle_edges = options & 4 != 0;
    match options & 3 {
        0 => graph(rest, "graph.csv", None, drop_cycle_edges),
        1 => graph(rest, "graph.preqs", None, drop_cycle_edges),
        2 => {
            let (edges, skills) = split_at_nul(rest);
            graph(edges, "graph.csv", skills, drop_cycle_edges)
        }
        _ => graph(rest, "graph.txt", None, drop_cycle_edges),
    }
}

/// Loads `data` as the graph file `name`; `skills` is written beside it as `<stem>.skills.csv`
/// (found there by the edge-list reader), and removed when `None`.
fn graph(
    data: &[u8],
    name: &str,
    skills: Option<&[u8]>,
    drop_cycle_edges: bool,
) -> Result<(), String> {
    let dir = scratch();
    let path = write(&dir.join(name), data);
    let beside = dir.join("graph.skills.csv");
    match skills {
        Some(bytes) => {
            write(&beside, bytes);
        }
        None => {
            let _ = std::fs::remove_file(&beside);
        }
    }
    let options = GraphOptions {
        drop_cycle_edges,
        skills_file: None,
    };
    let loaded = load_graph(&path, &options).map_err(|e| e.to_string())?;
    check_topological(&loaded.graph);
    Ok(())
}

/// Panics unless a loaded graph's topological order holds every skill once, each after all its
/// prerequisites (with `--drop-cycle-edges`, what is left after the dropped edges must be a DAG).
fn check_topological(graph: &pathwise::SkillGraph) {
    let order = graph.topological_order();
    assert_eq!(order.len(), graph.n_skills(), "the order misses skills");
    for (position, &s) in order.iter().enumerate() {
        assert_eq!(graph.topological_position(s) as usize, position);
        for &p in graph.prerequisites(s) {
            assert!(
                (graph.topological_position(p) as usize) < position,
                "skill {s} comes before its prerequisite {p}"
            );
        }
    }
}

fn model_json(data: &[u8]) -> Result<(), String> {
    let text = utf8(data, "model.json")?;
    let fixed = pathwise::FixedParams::from_json(text, "fixed.json").map(|_| ());
    if let Err(e) = fixed {
        check_message(Target::ModelJson, &e.to_string());
    }
    pathwise::Model::from_json(text, "model.json")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn credential(data: &[u8]) -> Result<(), String> {
    let text = utf8(data, "credential.json")?;
    // 2026-06-01T00:00:00Z: a fixed "now", so a run does not depend on the clock.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_272_000);
    pathwise::record::verify_credential(text, None, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn key_file(data: &[u8]) -> Result<(), String> {
    let text = utf8(data, "key.json")?;
    pathwise::record::IssuerKey::from_key_file(text, "key.json")
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The command line's refusal of a file that is not UTF-8.
fn utf8<'a>(data: &'a [u8], file: &str) -> Result<&'a str, String> {
    std::str::from_utf8(data).map_err(|e| format!("{file}: not UTF-8 at byte {}", e.valid_up_to()))
}

fn split_at_nul(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    }
}

/// A folder of this process and thread for the files the file-based entry points read.
fn scratch() -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let digits: String = thread.chars().filter(char::is_ascii_digit).collect();
    let dir = std::env::temp_dir().join(format!("pathwise-fuzz-{}-{digits}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create the scratch folder");
    dir
}

fn write(path: &Path, data: &[u8]) -> PathBuf {
    std::fs::write(path, data).expect("cannot write a scratch file");
    path.to_owned()
}

/// Removes this thread's scratch folder (the corpus replay calls it when done).
pub fn remove_scratch() {
    let _ = std::fs::remove_dir_all(scratch());
}
