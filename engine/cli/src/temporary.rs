//! Temporary files and folders that outputs are built in, and their removal on every way out.
//!
//! An output is written into a temporary beside it, named `.<target>.pathwise-tmp-<pid>-<n>`, and
//! renamed into place when complete. Each temporary is registered in a process-wide list while it
//! exists: dropping its [`Temporary`] guard (an error, a panic) removes it, and so does the
//! SIGINT/SIGTERM handler that [`install_signal_handler`] starts, before the process exits with
//! 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM; `pathwise serve` instead stops
//! gracefully on the first signal, see [`on_first_signal`]).
//!
//! **Whenever the signal lands.** The handler holds the list locked from its cleanup until the
//! process ends, and a temporary is created and registered in one step under that lock
//! ([`Temporary::create_beside`]), so a temporary is either created before the cleanup (and
//! removed by it) or never. A folder is first renamed to a fresh temporary name and then removed,
//! so files the interrupted work still writes into it by path cannot make it reappear or keep it
//! from being removed. Renames that must happen together (putting a folder in place of an earlier
//! one) run under the lock too ([`without_interruption`]). [`checkpoint`] lets tests stop a run
//! at an exact point of its writing. SIGKILL cannot be caught (nor is
//! SIGHUP, so that `nohup` keeps working): the temporaries of such a run stay until a later run
//! writes the same target and removes the ones whose process is gone ([`remove_stale`]; on Linux,
//! where `/proc` tells which processes live).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// What a temporary path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file.
    File,
    /// A folder, removed with everything in it.
    Folder,
}

/// The registered temporaries, by registration number.
static REGISTRY: Mutex<BTreeMap<u64, (PathBuf, Kind)>> = Mutex::new(BTreeMap::new());

/// Numbers the temporaries of this process (names and registrations).
static NEXT: AtomicU64 = AtomicU64::new(0);

fn registry() -> MutexGuard<'static, BTreeMap<u64, (PathBuf, Kind)>> {
    // A panic while the list was locked leaves it consistent: every operation is one insert or
    // remove.
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A registered temporary path: removed when the guard is dropped, unless [`Temporary::keep`]
/// was called once it was renamed into place. [`Temporary::create_beside`] creates the file or
/// folder and registers it in one step; [`Temporary::beside`] only registers a name, for a path
/// that a rename will make.
#[derive(Debug)]
pub struct Temporary {
    id: u64,
    path: PathBuf,
    kind: Kind,
}

impl Temporary {
    /// Registers a fresh temporary name beside `target` (`.<name>.pathwise-tmp-<pid>-<n>` in the
    /// target's folder), after removing the stale temporaries of `target` left by runs that were
    /// killed ([`remove_stale`]).
    pub fn beside(target: &Path, kind: Kind) -> Temporary {
        remove_stale(target);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}{}-{n}", prefix_of(target), std::process::id());
        Temporary::register(target.with_file_name(name), kind)
    }

    /// Creates a fresh temporary beside `target` with `create` (given its path) and registers
    /// it, both while the list is locked, so that a signal's cleanup either runs before (and the
    /// temporary is never created: this waits until the process ends) or after (and removes it).
    /// Removes the stale temporaries of `target` first ([`remove_stale`]).
    pub fn create_beside<T>(
        target: &Path,
        kind: Kind,
        create: impl FnOnce(&Path) -> std::io::Result<T>,
    ) -> std::io::Result<(Temporary, T)> {
        remove_stale(target);
        let mut list = registry();
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}{}-{id}", prefix_of(target), std::process::id());
        let path = target.with_file_name(name);
        let made = create(&path)?;
        list.insert(id, (path.clone(), kind));
        Ok((Temporary { id, path, kind }, made))
    }

    /// Registers `path` (made elsewhere, e.g. by another naming scheme) for removal on drop and
    /// on a signal.
    pub fn register(path: PathBuf, kind: Kind) -> Temporary {
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        registry().insert(id, (path.clone(), kind));
        Temporary { id, path, kind }
    }

    /// The temporary path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Unregisters the path without removing it: call it once the temporary was renamed into
    /// place (or is to stay for another reason).
    pub fn keep(self) -> PathBuf {
        registry().remove(&self.id);
        let path = self.path.clone();
        std::mem::forget(self);
        path
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        // Removed while still registered, so a signal in between finds nothing left to do.
        remove(&self.path, self.kind);
        registry().remove(&self.id);
    }
}

fn remove(path: &Path, kind: Kind) {
    let _ = match kind {
        Kind::File => std::fs::remove_file(path),
        Kind::Folder => std::fs::remove_dir_all(path),
    };
}

/// The start of every temporary name of `target`: `.<name>.pathwise-tmp-`, the name cut (at a
/// character boundary) so that the whole stays within the 255 bytes file systems allow.
fn prefix_of(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let mut end = name.len().min(200);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.pathwise-tmp-", &name[..end])
}

/// Removes a registered temporary when a signal stops the process. A folder is renamed to a fresh
/// temporary name first: the interrupted work may still create files in it by path, which then
/// fail instead of landing in a folder being removed. What cannot be removed stays under a name
/// [`remove_stale`] recognises.
fn remove_on_signal(path: &Path, kind: Kind) {
    if kind == Kind::File {
        remove(path, kind);
        return;
    }
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let stem = name
        .rsplit_once('-')
        .map_or(name.as_str(), |(stem, _)| stem);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let moved = path.with_file_name(format!("{stem}-{n}"));
    match std::fs::rename(path, &moved) {
        Ok(()) => remove(&moved, kind),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => remove(path, kind),
    }
}

/// Runs `work` with a signal's cleanup held off until it returns (a few renames that must happen
/// together, such as putting a new folder in place of an earlier one). `work` must not create,
/// keep or drop a [`Temporary`] (that would wait for itself).
pub fn without_interruption<T>(work: impl FnOnce() -> T) -> T {
    let _list = registry();
    work()
}

/// The environment variable that names the [`checkpoint`] at which a run stops itself.
pub const STOP_AT: &str = "PATHWISE_SIGTERM_AT";

/// A named point of an output's writing. When the environment variable [`STOP_AT`] names it, the
/// process sends itself SIGTERM here and waits for the signal handler to end it: tests stop a
/// run at an exact point this way, where a kill after a delay lands wherever the machine's load
/// puts it. Without the variable this does nothing.
pub fn checkpoint(stage: &str) {
    if std::env::var_os(STOP_AT).is_some_and(|at| at == stage) {
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGTERM);
        loop {
            std::thread::park();
        }
    }
}

/// Removes the temporaries of `target` that a killed run left beside it: the names this module
/// gives, whose process is no longer running. Only where `/proc` lists the running processes
/// (Linux); elsewhere it leaves them.
pub fn remove_stale(target: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = prefix_of(target);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('-') else {
            continue;
        };
        let (Ok(pid), Ok(_)) = (pid.parse::<u32>(), n.parse::<u64>()) else {
            continue;
        };
        if pid == std::process::id() || proc.join(pid.to_string()).exists() {
            continue;
        }
        let kind = match entry.file_type() {
            Ok(t) if t.is_dir() => Kind::Folder,
            _ => Kind::File,
        };
        remove(&entry.path(), kind);
    }
}

/// What the first SIGINT or SIGTERM does instead of exiting, when a command asked for it.
type Stop = Box<dyn FnOnce() + Send>;

/// The command's own reaction to the first signal ([`on_first_signal`]).
static ON_FIRST_SIGNAL: Mutex<Option<Stop>> = Mutex::new(None);

/// Makes the first SIGINT or SIGTERM call `stop` instead of exiting (a service finishing its
/// requests); a second signal exits at once as usual.
pub fn on_first_signal(stop: impl FnOnce() + Send + 'static) {
    *ON_FIRST_SIGNAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Box::new(stop));
}

/// Starts the thread that, on SIGINT or SIGTERM, removes every registered temporary and exits
/// with 128 + the signal number (unless a command set [`on_first_signal`]). Call it once, at
/// start-up; when signals cannot be watched the default actions stay (and a killed run's
/// temporaries are removed by a later one).
pub fn install_signal_handler() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    // Detached: it lives as long as the process.
    let _detached = std::thread::Builder::new()
        .name("pathwise-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                let stop = ON_FIRST_SIGNAL
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .take();
                if let Some(stop) = stop {
                    stop();
                    continue;
                }
                // The list stays locked until the process ends: no new temporary can appear.
                let list = registry();
                for (path, kind) in list.values() {
                    remove_on_signal(path, *kind);
                }
                std::process::exit(128 + signal);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_temporary_is_removed_and_a_kept_one_stays() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let t = Temporary::beside(&target, Kind::File);
        let name = t.path().file_name().unwrap().to_str().unwrap().to_owned();
        assert!(name.starts_with(".out.csv.pathwise-tmp-"), "{name}");
        std::fs::write(t.path(), "x").unwrap();
        drop(t);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

        let t = Temporary::beside(&target, Kind::Folder);
        std::fs::create_dir(t.path()).unwrap();
        std::fs::write(t.path().join("inner"), "x").unwrap();
        let kept = t.keep();
        assert!(kept.join("inner").exists());
        assert!(!registry().values().any(|(p, _)| p == &kept));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporaries_of_gone_processes_are_removed_and_others_left() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("pred.csv");
        // pid_max is at most 2^22 on Linux: this process cannot exist.
        let gone = dir.path().join(".pred.csv.pathwise-tmp-4999999-0");
        let gone_folder = dir.path().join(".pred.csv.pathwise-tmp-4999998-3");
        let alive = dir
            .path()
            .join(format!(".pred.csv.pathwise-tmp-{}-7", std::process::id()));
        let other_target = dir.path().join(".other.csv.pathwise-tmp-4999999-0");
        let not_ours = dir.path().join(".pred.csv.pathwise-tmp-notapid");
        for f in [&gone, &alive, &other_target, &not_ours] {
            std::fs::write(f, "x").unwrap();
        }
        std::fs::create_dir(&gone_folder).unwrap();
        std::fs::write(gone_folder.join("index.html"), "x").unwrap();
        remove_stale(&target);
        assert!(!gone.exists() && !gone_folder.exists());
        assert!(alive.exists() && other_target.exists() && not_ours.exists());
    }

    #[test]
    fn long_names_are_cut_to_fit_a_file_name() {
        let target = PathBuf::from("é".repeat(200));
        let prefix = prefix_of(&target);
        // pid (at most 7 digits on Linux), '-', n (at most 20 digits).
        assert!(prefix.len() + 28 <= 255, "{}", prefix.len());
        assert!(prefix.ends_with("é.pathwise-tmp-"), "{prefix}");
    }
}
