//! The field delimiter of a CSV/TSV file: given with `--delimiter`, or detected from the header
//! line.
//!
//! Detection counts `,`, `;` and tab in the header line, outside double quotes, and decides in
//! this order (the same bytes always give the same answer):
//!
//! 1. a `.tsv` or `.tab` file whose header holds a tab is tab-separated (other candidates are
//!    then part of column names);
//! 2. when exactly one of the three occurs, it is the delimiter (Excel's CSV export in many
//!    locales uses `;`);
//! 3. when none occurs, the file has one column: tab for `.tsv`/`.tab`, else comma;
//! 4. when several occur, the header is ambiguous: an error asks for `--delimiter`.

use pathwise::text::quoted;
use pathwise::{Error, Location, Result};

/// The delimiters detection chooses among, in the order they are named in messages.
const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];

/// Parses a `--delimiter` value: one ASCII character (not a quote or a line break), or `tab`,
/// `\t`, `comma`, `semicolon`, `pipe`.
pub fn parse_delimiter(text: &str) -> Result<u8> {
    let byte = match text {
        "tab" | "\\t" | "\t" => b'\t',
        "comma" => b',',
        "semicolon" => b';',
        "pipe" => b'|',
        _ => match text.as_bytes() {
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => *b,
            _ => {
                return Err(Error::input(
                    Location::subject(pathwise::SubjectKind::Delimiter, text),
                    "expected one ASCII character other than a quote or a line break, \
                     or tab, comma, semicolon, pipe",
                ));
            }
        },
    };
    Ok(byte)
}

/// How a delimiter is named in messages.
fn name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".to_owned(),
        d => quoted(&char::from(d).to_string()),
    }
}

/// The delimiter of `file` (extension `ext`, lower case) from the start of the file, `head`.
pub(crate) fn detect(file: &str, ext: &str, head: &[u8]) -> Result<u8> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &b in head {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(k) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[k] += 1;
                }
            }
            _ => {}
        }
    }
    let tab_file = matches!(ext, "tsv" | "tab");
    if tab_file && counts[2] > 0 {
        return Ok(b'\t');
    }
    let present: Vec<(u8, usize)> = CANDIDATES
        .into_iter()
        .zip(counts)
        .filter(|&(_, n)| n > 0)
        .collect();
    match present.as_slice() {
        [(one, _)] => Ok(*one),
        [] if tab_file => Ok(b'\t'),
        [] => Ok(b','),
        several => {
            let seen: Vec<String> = several
                .iter()
                .map(|&(d, n)| format!("{} {n} time{}", name(d), if n == 1 { "" } else { "s" }))
                .collect();
            Err(Error::input(
                Location::file(file).line(1),
                format!(
                    "cannot tell the delimiter: the header line holds {}; give it with \
                     --delimiter (e.g. --delimiter ';')",
                    seen.join(" and ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(ext: &str, head: &str) -> std::result::Result<char, String> {
        detect("log", ext, head.as_bytes())
            .map(char::from)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_one_candidate_in_the_header_is_the_delimiter() {
        assert_eq!(detected("csv", "learner,skill,correct,order\n1;2"), Ok(','));
        assert_eq!(
            detected("csv", "learner;skill;correct;order\n1,5;2"),
            Ok(';')
        );
        assert_eq!(detected("csv", "learner\tskill\tcorrect\n"), Ok('\t'));
        assert_eq!(detected("txt", "\u{feff}a;b"), Ok(';'));
        // Candidates inside quotes are part of a name.
        assert_eq!(detected("csv", "\"a,b\";\"c\tx\";d\n"), Ok(';'));
    }

    #[test]
    fn a_tab_file_with_a_tab_is_tab_separated() {
        assert_eq!(detected("tsv", "Problem, Step\tKC;Default\n"), Ok('\t'));
        assert_eq!(
            detected("TAB".to_ascii_lowercase().as_str(), "a\tb"),
            Ok('\t')
        );
    }

    #[test]
    fn a_header_of_one_column_follows_the_extension() {
        assert_eq!(detected("csv", "learner\n"), Ok(','));
        assert_eq!(detected("tsv", "learner\n"), Ok('\t'));
        assert_eq!(detected("", ""), Ok(','));
    }

    #[test]
    fn an_ambiguous_header_asks_for_the_delimiter() {
        assert_eq!(
            detected("csv", "score, %;learner;skill\n"),
            Err(
                "log:1: cannot tell the delimiter: the header line holds ',' 1 time and ';' 2 \
                 times; give it with --delimiter (e.g. --delimiter ';')"
                    .to_owned()
            )
        );
        assert!(
            detected("txt", "a\tb,c\n")
                .unwrap_err()
                .contains("',' 1 time and tab 1 time")
        );
        // Only the header line counts.
        assert_eq!(detected("csv", "a;b\nx,y,z\n"), Ok(';'));
    }

    #[test]
    fn delimiter_values() {
        assert_eq!(parse_delimiter(";").unwrap(), b';');
        assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
        assert_eq!(parse_delimiter("\\t").unwrap(), b'\t');
        assert_eq!(parse_delimiter("|").unwrap(), b'|');
        assert_eq!(parse_delimiter("semicolon").unwrap(), b';');
        for bad in ["", ";;", "\"", "é", "\n"] {
            assert!(parse_delimiter(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_delimiter("::").unwrap_err().to_string(),
            "delimiter '::': expected one ASCII character other than a quote or a line break, \
             or tab, comma, semicolon, pipe"
        );
    }
}
