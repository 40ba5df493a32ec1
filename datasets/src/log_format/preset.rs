//! Column presets and roles: which header names each known log layout uses, and how a preset is
//! recognised from a header.

use std::fmt;
use std::str::FromStr;

use pathwise::{Error, Location};

/// A known interaction-log layout: which columns hold which role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// ASSISTments skill-builder exports (also the AKT long files): `user_id`, `skill_name` /
    /// `skill_id` / `skill_idx`, `correct`, `order_id` / `seq_idx`, `problem_id`; rows with
    /// `original` = 0 are dropped.
    Assistments,
    /// PSLC DataShop / KDD Cup 2010 step rows: `Anon Student Id`, `KC(Default)` (`~~`-joined),
    /// `Correct First Attempt`, `First Transaction Time`, `Problem Name` + `Step Name`.
    Datashop,
    /// pyBKT's default columns: `user_id`, `skill_name`, `correct`, `order_id`, `template_id`.
    Pybkt,
    /// The DKT/AKT/DKVMN line format: 3 or 4 lines per learner.
    Dkt,
    /// `learner,skill,item,correct,order` (+ optional `group`).
    Generic,
    /// xAPI statements (a JSON array, NDJSON or LRS pages, e.g. an LRS export), read as
    /// `pathwise serve` reads them; items map to skills through an item→skill map or a skill
    /// graph's activities.
    Xapi,
}

impl Preset {
    /// Every preset, in the order they are listed to users.
    pub const ALL: [Preset; 6] = [
        Preset::Assistments,
        Preset::Datashop,
        Preset::Pybkt,
        Preset::Dkt,
        Preset::Generic,
        Preset::Xapi,
    ];

    /// The preset's name as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Assistments => "assistments",
            Preset::Datashop => "datashop",
            Preset::Pybkt => "pybkt",
            Preset::Dkt => "dkt",
            Preset::Generic => "generic",
            Preset::Xapi => "xapi",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::input(
                    Location::subject(pathwise::SubjectKind::Preset, s),
                    format!("unknown preset; expected one of {}", names(&Preset::ALL)),
                )
            })
    }
}

/// What a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The learner (student, user) id.
    Learner,
    /// The skill (knowledge component) practised.
    Skill,
    /// The item (problem, step, question) id.
    Item,
    /// First-attempt correctness, 0 or 1.
    Correct,
    /// Time order: a sequence number or a timestamp.
    Order,
    /// A group (class, cohort).
    Group,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Learner,
        Role::Skill,
        Role::Item,
        Role::Correct,
        Role::Order,
        Role::Group,
    ];

    /// The role's name as typed in `--col ROLE=NAME`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Skill => "skill",
            Role::Item => "item",
            Role::Correct => "correct",
            Role::Order => "order",
            Role::Group => "group",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::input(
                    Location::subject(pathwise::SubjectKind::ColumnRole, s),
                    format!("unknown column role; expected one of {}", names(&Role::ALL)),
                )
            })
    }
}

fn names<T: fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One way to fill a role: the named columns, joined with `::` when there are several
/// (DataShop's item is `Problem Name::Step Name`).
pub(crate) type Candidate = &'static [&'static str];

/// The column layout of a tabular preset.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// Candidates for each role, the first one present in the header wins.
    pub learner: &'static [Candidate],
    pub skill: &'static [Candidate],
    pub correct: &'static [Candidate],
    pub order: &'static [Candidate],
    pub item: &'static [Candidate],
    pub group: &'static [Candidate],
    /// Several skills in one field are joined by this separator.
    pub skill_separator: Option<&'static str>,
    /// Rows whose `column` holds `value` are dropped and counted under `reason`.
    pub drop_rule: Option<DropRule>,
    /// Columns that only this layout has; each one present makes detection prefer it.
    pub markers: &'static [&'static str],
}

/// Rows with `column` = `value` are left out and counted under `reason`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropRule {
    pub column: &'static str,
    pub value: &'static str,
    pub reason: &'static str,
}

impl Spec {
    /// The candidates of `role`.
    pub fn candidates(&self, role: Role) -> &'static [Candidate] {
        match role {
            Role::Learner => self.learner,
            Role::Skill => self.skill,
            Role::Item => self.item,
            Role::Correct => self.correct,
            Role::Order => self.order,
            Role::Group => self.group,
        }
    }
}

/// The separator DataShop (and the generic layout) use between several skills in one field.
pub(crate) const SKILL_SEPARATOR: &str = "~~";

/// The column layout of `preset`, or `None` for the formats without a header (`dkt`, `xapi`).
pub(crate) fn spec(preset: Preset) -> Option<Spec> {
    match preset {
        Preset::Assistments => Some(Spec {
            learner: &[&["user_id"]],
            skill: &[&["skill_name"], &["skill_id"], &["skill_idx"]],
            correct: &[&["correct"]],
            order: &[&["order_id"], &["seq_idx"]],
            item: &[&["problem_id"]],
            group: &[&["student_class_id"]],
            skill_separator: None,
            drop_rule: Some(DropRule {
                column: "original",
                value: "0",
                reason: "original = 0",
            }),
            markers: &["original", "assistment_id", "skill_idx", "seq_idx"],
        }),
        Preset::Datashop => Some(Spec {
            learner: &[&["Anon Student Id"]],
            skill: &[&["KC(Default)"]],
            correct: &[&["Correct First Attempt"]],
            order: &[&["First Transaction Time"]],
            item: &[&["Problem Name", "Step Name"]],
            group: &[&["Class"]],
            skill_separator: Some(SKILL_SEPARATOR),
            drop_rule: None,
            markers: &[],
        }),
        Preset::Pybkt => Some(Spec {
            learner: &[&["user_id"]],
            skill: &[&["skill_name"]],
            correct: &[&["correct"]],
            order: &[&["order_id"]],
            item: &[&["template_id"]],
            group: &[],
            skill_separator: None,
            drop_rule: None,
            markers: &[],
        }),
        Preset::Dkt | Preset::Xapi => None,
        Preset::Generic => Some(Spec {
            learner: &[&["learner"]],
            skill: &[&["skill"]],
            correct: &[&["correct"]],
            order: &[&["order"]],
            item: &[&["item"]],
            group: &[&["group"]],
            skill_separator: Some(SKILL_SEPARATOR),
            drop_rule: None,
            markers: &[],
        }),
    }
}

/// Tabular presets in the order detection prefers them when two recognise as many columns.
/// pybkt comes before assistments: its columns are a subset of assistments', so on a tie the
/// header has nothing that only assistments knows, and the simpler layout is the better name.
pub(crate) const DETECTION_ORDER: [Preset; 4] = [
    Preset::Generic,
    Preset::Datashop,
    Preset::Pybkt,
    Preset::Assistments,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_roles_round_trip_through_their_names() {
        for p in Preset::ALL {
            assert_eq!(p.to_string().parse::<Preset>().unwrap(), p);
        }
        for r in Role::ALL {
            assert_eq!(r.to_string().parse::<Role>().unwrap(), r);
        }
        assert_eq!("DataShop".parse::<Preset>().unwrap(), Preset::Datashop);
    }

    #[test]
    fn unknown_preset_lists_the_valid_ones() {
        let e = "assistment".parse::<Preset>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "preset 'assistment': unknown preset; expected one of assistments, datashop, pybkt, dkt, generic, xapi"
        );
        let e = "student".parse::<Role>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "column role 'student': unknown column role; expected one of learner, skill, item, correct, order, group"
        );
    }
}
