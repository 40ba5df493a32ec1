//! What a command tells the user on stderr besides its output and its errors: status lines
//! (`pathwise: fitted 110 skills ...`), warnings (`pathwise: warning: ...`) and progress bars.
//! `-q/--quiet` silences status lines and progress bars; progress bars also stay hidden when
//! stderr is not a terminal. Warnings and errors always print.
//!
//! Every line printed here goes through [`terminal_safe`] as a last guard, so an id or a file
//! name from the input cannot move the cursor, erase a line or break the message into several.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pathwise::text::terminal_safe;

static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets quiet mode (`-q`) for the rest of the process.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// True under `-q`.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints `pathwise: <message>` on stderr unless quiet; use the [`status!`](crate::status!)
/// macro.
pub fn print(message: std::fmt::Arguments<'_>) {
    if !quiet() {
        eprintln!("pathwise: {}", terminal_safe(&message.to_string()));
    }
}

/// Prints `pathwise: <kind>: <message>` on stderr, even under `-q`; use the
/// [`warning!`](crate::warning!) and [`note!`](crate::note!) macros.
pub fn print_always(kind: &str, message: std::fmt::Arguments<'_>) {
    eprintln!("pathwise: {kind}: {}", terminal_safe(&message.to_string()));
}

/// Prints `pathwise: error: <message>` on stderr as one line: line breaks become spaces, other
/// control characters are escaped.
pub fn print_error(message: &str) {
    eprintln!(
        "pathwise: error: {}",
        terminal_safe(&message.replace('\n', " "))
    );
}

/// Prints a status line `pathwise: ...` on stderr unless `-q` was given:
/// `status!("fitted {n} skills")`.
#[macro_export]
macro_rules! status {
    ($($arg:tt)*) => {
        $crate::status::print(format_args!($($arg)*))
    };
}

/// Prints a warning line `pathwise: warning: ...` on stderr, also under `-q`:
/// `warning!("{n} log skills are not in the model")`.
#[macro_export]
macro_rules! warning {
    ($($arg:tt)*) => {
        $crate::status::print_always("warning", format_args!($($arg)*))
    };
}

/// Prints a note `pathwise: note: ...` on stderr, also under `-q`: something the user should
/// know about the output (a credential that lists no skill), not a problem.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::status::print_always("note", format_args!($($arg)*))
    };
}

/// A progress bar on stderr drawn with `template` (indicatif's syntax, e.g.
/// `"{spinner} fitting [{bar:30}] {pos}/{len} skills, {msg}"`); hidden under `-q` or when stderr
/// is not a terminal. Call `finish_and_clear` when the work is done.
pub fn progress_bar(template: &str) -> ProgressBar {
    if quiet() || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    // The spinner turns while a long step reports nothing.
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}
