//! What a command tells the user on stderr besides its output and its errors: status lines
//! (`pathwise: fitted 110 skills ...`) and progress bars. `-q/--quiet` silences both; progress
//! bars also stay hidden when stderr is not a terminal. Warnings and errors always print.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
        eprintln!("pathwise: {message}");
    }
}

/// Prints a status line `pathwise: ...` on stderr unless `-q` was given:
/// `status!("fitted {n} skills")`.
#[macro_export]
macro_rules! status {
    ($($arg:tt)*) => {
        $crate::status::print(format_args!($($arg)*))
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
