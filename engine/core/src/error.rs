//! The one error type of the library. Every variant that comes from user input names the place at
//! fault (file, line, column, or the skill/item), so the CLI can print it as one clear line.

use std::fmt;

use crate::text::{QUOTE_LIMIT, cut, quoted, terminal_safe};

/// The result type of the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Where in the user's input a problem was found.
///
/// Displayed as `file:line:column`, leaving out the parts that are unknown, and followed by
/// `(skill X)` or `(item X)` when the problem is about an id rather than a position. Every part
/// may come from an input (a column name, an id), so each is shown escaped and cut
/// ([`crate::text`]): a location is one short terminal line whatever the input held.
///
/// ```
/// use pathwise::Location;
/// let at = Location::file("log.csv").line(12).column("correct");
/// assert_eq!(at.to_string(), "log.csv:12:correct");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The file, as the user named it.
    pub file: Option<String>,
    /// 1-based line number in the file (the header is line 1).
    pub line: Option<u64>,
    /// The column name (or 1-based number when the file has no header).
    pub column: Option<String>,
    /// The id the problem is about, e.g. skill `frac.add`.
    pub subject: Option<Subject>,
}

/// What kind of id a [`Subject`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectKind {
    /// A skill id (of a graph, a model or a log).
    Skill,
    /// An item id (an activity of a model or a log).
    Item,
    /// An activity id of a skill graph.
    Activity,
    /// A learner id.
    Learner,
    /// A named field of a document (e.g. a key file's `secretKeyMultibase`).
    Field,
    /// A text encoding named by the user.
    Encoding,
    /// A field delimiter named by the user.
    Delimiter,
    /// A log format preset named by the user.
    Preset,
    /// A column role (learner, skill, correct, ...) named by the user.
    ColumnRole,
}

impl SubjectKind {
    /// The lower-case word shown in messages (`skill`, `item`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Skill => "skill",
            SubjectKind::Item => "item",
            SubjectKind::Activity => "activity",
            SubjectKind::Learner => "learner",
            SubjectKind::Field => "field",
            SubjectKind::Encoding => "encoding",
            SubjectKind::Delimiter => "delimiter",
            SubjectKind::Preset => "preset",
            SubjectKind::ColumnRole => "column role",
        }
    }
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The id a problem is about: what it names and the id as the input spelled it (unescaped;
/// [`Display`](fmt::Display) shows it quoted with [`quoted`]: escaped, cut to [`QUOTE_LIMIT`]
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// What the id names.
    pub kind: SubjectKind,
    /// The id, as in the input.
    pub id: String,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, quoted(&self.id))
    }
}

impl Location {
    /// A location in `file`, with no line known yet.
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: Some(file.into()),
            ..Self::default()
        }
    }

    /// A location that is an id rather than a position, e.g.
    /// `Location::subject(SubjectKind::Skill, "frac.add")`, shown as `skill 'frac.add'`.
    pub fn subject(kind: SubjectKind, id: &str) -> Self {
        Self {
            subject: Some(Subject {
                kind,
                id: id.to_owned(),
            }),
            ..Self::default()
        }
    }

    /// This location at a 1-based line.
    pub fn line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// This location at a named column.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    /// This location about an id, e.g. `.about(SubjectKind::Skill, "frac.add")` (shown as in
    /// [`Location::subject`]).
    pub fn about(mut self, kind: SubjectKind, id: &str) -> Self {
        self.subject = Some(Subject {
            kind,
            id: id.to_owned(),
        });
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::with_capacity(3);
        if let Some(file) = &self.file {
            parts.push(terminal_safe(file).into_owned());
        }
        if let Some(line) = self.line {
            parts.push(line.to_string());
        }
        if let Some(column) = &self.column {
            parts.push(cut(column, QUOTE_LIMIT).into_owned());
        }
        let position = parts.join(":");
        match (&self.subject, position.is_empty()) {
            (Some(subject), true) => write!(f, "{subject}"),
            (Some(subject), false) => write!(f, "{position} ({subject})"),
            (None, _) => write!(f, "{position}"),
        }
    }
}

/// Everything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The user's input (a log, a graph, a model file, a credential) is malformed at `location`.
    #[error("{location}: {message}")]
    Input {
        /// Where the problem is.
        location: Location,
        /// What is wrong, in one line.
        message: String,
    },
    /// A setting is out of its range (e.g. `restarts = 0`); the message states the rule.
    #[error("{message}")]
    Config {
        /// The setting that broke its rule, as the field of the options struct that holds it
        /// (`restarts`, `max_iter`, `threshold`, ...), when the rule is about one setting.
        setting: Option<&'static str>,
        /// The rule broken, in one line.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file, as the user named it.
        path: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A [`LearnerState`](crate::LearnerState) was used with a model other than the one it
    /// belongs to. Load a stored state with [`LearnerState::from_json`](crate::LearnerState::from_json)
    /// to carry it over to another model by skill id.
    #[error(
        "the learner state belongs to model {state}, not to model {model}; load it with \
         LearnerState::from_json to carry it over by skill id"
    )]
    StateMismatch {
        /// The fingerprint of the model the state belongs to (12 hex digits).
        state: String,
        /// The fingerprint of the model it was used with (12 hex digits).
        model: String,
    },
    /// A long computation was cancelled through its progress callback.
    #[error("cancelled")]
    Cancelled,
}

impl Error {
    /// A malformed-input error at `location`.
    pub fn input(location: Location, message: impl Into<String>) -> Self {
        Error::Input {
            location,
            message: message.into(),
        }
    }

    /// A rule broken by settings together, or by no one setting.
    pub fn config(message: impl Into<String>) -> Self {
        Error::Config {
            setting: None,
            message: message.into(),
        }
    }

    /// The setting `setting` (a field of the options struct) is out of its range.
    pub fn setting(setting: &'static str, message: impl Into<String>) -> Self {
        Error::Config {
            setting: Some(setting),
            message: message.into(),
        }
    }

    /// Where in the input the problem is, for an [`Error::Input`].
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Input { location, .. } => Some(location),
            _ => None,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_formats_only_known_parts() {
        assert_eq!(Location::file("a.csv").to_string(), "a.csv");
        assert_eq!(Location::file("a.csv").line(3).to_string(), "a.csv:3");
        assert_eq!(
            Location::subject(SubjectKind::Skill, "frac").to_string(),
            "skill 'frac'"
        );
        assert_eq!(
            Location::file("g.toml")
                .about(SubjectKind::Skill, "x")
                .to_string(),
            "g.toml (skill 'x')"
        );
    }

    #[test]
    fn location_escapes_and_cuts_ids_and_column_names_from_the_input() {
        let at = Location::file("a.csv")
            .line(1)
            .column(format!("col\u{1b}[2K{}", "x".repeat(500)))
            .about(SubjectKind::Skill, "a\nb");
        let shown = at.to_string();
        assert!(shown.starts_with("a.csv:1:col\\e[2Kxxx"), "{shown}");
        assert!(
            shown.ends_with("… (428 more characters) (skill 'a\\nb')"),
            "{shown}"
        );
    }

    #[test]
    fn the_subject_of_a_location_is_matchable_and_unescaped() {
        let e = Error::input(
            Location::file("g.toml").about(SubjectKind::Skill, "a\nb"),
            "unknown prerequisite",
        );
        match e.location().and_then(|at| at.subject.as_ref()) {
            Some(Subject {
                kind: SubjectKind::Skill,
                id,
            }) => assert_eq!(id, "a\nb"),
            other => panic!("expected a skill subject, got {other:?}"),
        }
        assert_eq!(
            e.to_string(),
            "g.toml (skill 'a\\nb'): unknown prerequisite"
        );
        assert_eq!(Error::config("x").location(), None);
    }

    #[test]
    fn a_setting_error_names_its_setting_and_shows_only_the_rule() {
        let e = Error::setting("restarts", "restarts must be at least 1");
        assert!(matches!(
            e,
            Error::Config {
                setting: Some("restarts"),
                ..
            }
        ));
        assert_eq!(e.to_string(), "restarts must be at least 1");
    }

    #[test]
    fn input_error_is_one_line() {
        let e = Error::input(
            Location::file("a.csv").line(4).column("correct"),
            "expected 0 or 1, found '2'",
        );
        assert_eq!(e.to_string(), "a.csv:4:correct: expected 0 or 1, found '2'");
    }
}
