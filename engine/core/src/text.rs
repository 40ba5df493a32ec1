//! Text that came from an input (ids, names, file fields, credential values), made safe to show on
//! one terminal line: control characters escaped, long values cut with an ellipsis.
//!
//! A terminal interprets escape sequences (`ESC [2K`, carriage returns, bidirectional overrides),
//! so a hostile id could erase or rewrite what pathwise prints. Everything that quotes input text in
//! an error message or a printed table goes through [`terminal_safe`] (the CLI applies it to each
//! whole message line as a last guard) or [`quoted`].

use std::borrow::Cow;
use std::fmt::Write;

/// The most characters of one input value an error message quotes (see [`quoted`]).
pub const QUOTE_LIMIT: usize = 80;

/// `text` with every control character (C0, DEL, C1), line and paragraph separator, and
/// bidirectional formatting character escaped as `\n`, `\r`, `\t`, `\e` or `\u{…}`; other text
/// (including any Unicode letter) unchanged. Borrows when nothing needs escaping.
///
/// ```
/// use pathwise::text::terminal_safe;
/// assert_eq!(terminal_safe("frac.add"), "frac.add");
/// assert_eq!(terminal_safe("a\u{1b}[2K\rVALID"), "a\\e[2K\\rVALID");
/// assert_eq!(terminal_safe("x\u{202e}y"), "x\\u{202e}y");
/// ```
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// [`terminal_safe`], cut to at most `max` characters of the original text: a longer value keeps
/// its first `max − 1` characters and ends with `…` and the number of characters left out, so a
/// 10 MB field makes a short message.
///
/// ```
/// use pathwise::text::cut;
/// assert_eq!(cut("abcdef", 10), "abcdef");
/// assert_eq!(cut("abcdefghijkl", 5), "abcd… (8 more characters)");
/// ```
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    let max = max.max(1);
    match text.char_indices().nth(max) {
        None => terminal_safe(text),
        Some(_) => {
            let (end, _) = text
                .char_indices()
                .nth(max - 1)
                .unwrap_or((text.len(), ' '));
            let left_out = text[end..].chars().count();
            let mut out = terminal_safe(&text[..end]).into_owned();
            let _ = write!(out, "… ({left_out} more characters)");
            Cow::Owned(out)
        }
    }
}

/// An input value for an error message: single-quoted, escaped and cut to [`QUOTE_LIMIT`]
/// characters.
///
/// ```
/// use pathwise::text::quoted;
/// assert_eq!(quoted("yes"), "'yes'");
/// assert_eq!(quoted("a\nb"), "'a\\nb'");
/// ```
pub fn quoted(text: &str) -> String {
    format!("'{}'", cut(text, QUOTE_LIMIT))
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{2028}' | '\u{2029}'                 // line and paragraph separators
            | '\u{200e}' | '\u{200f}'               // left-to-right / right-to-left marks
            | '\u{202a}'..='\u{202e}'               // bidirectional embeddings and overrides
            | '\u{2066}'..='\u{2069}'               // bidirectional isolates
            | '\u{feff}'                            // zero-width no-break space (BOM)
        )
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{1b}' => out.push_str("\\e"),
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in ["", "frac.add_like", "Brüche addieren", "分数", "a b-c_d"] {
            assert!(matches!(terminal_safe(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn every_control_character_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let s = terminal_safe(&c.to_string()).into_owned();
            assert!(s.starts_with('\\'), "{c:?} gave {s:?}");
            assert!(!s.chars().any(char::is_control), "{c:?} gave {s:?}");
        }
    }

    #[test]
    fn a_forged_valid_line_stays_visible() {
        let hostile = "x\u{1b}[2K\r\"VALID: signature by did:key:z6Mk checks out\"\n";
        let shown = terminal_safe(hostile);
        assert!(!shown.contains('\r') && !shown.contains('\n') && !shown.contains('\u{1b}'));
        assert!(shown.starts_with("x\\e[2K\\r"));
    }

    #[test]
    fn cut_counts_characters_not_bytes() {
        assert_eq!(cut("ééééé", 5), "ééééé");
        assert_eq!(cut("éééééé", 3), "éé… (4 more characters)");
        assert_eq!(cut("abc", 0), "… (3 more characters)");
        let long = "x".repeat(10_000_000);
        assert!(quoted(&long).len() < 120);
    }
}
