//! Maps a header's column names to roles, from a preset and the user's `--col ROLE=NAME`
//! overrides, and detects the preset when none was given.

use pathwise::text::{QUOTE_LIMIT, cut, quoted};
use pathwise::{Error, Location, Result};

use super::preset::{self, Candidate, DETECTION_ORDER, Preset, Role, Spec};

/// The columns that fill one role (several are joined with `::`).
#[derive(Debug, Clone)]
pub(crate) struct Col {
    /// 0-based column indices in the header.
    pub indices: Vec<usize>,
    /// The column name(s), as the header spells them, for error messages.
    pub name: String,
}

/// Where each role is found in one file's header.
#[derive(Debug, Clone)]
pub(crate) struct Mapping {
    pub learner: Col,
    /// `None` when the skills come from an item→skill map.
    pub skill: Option<Col>,
    pub correct: Col,
    pub order: Col,
    pub item: Option<Col>,
    pub group: Option<Col>,
    /// Rows with `value` in this column are dropped and counted under `reason`.
    pub drop_rule: Option<(usize, &'static str, &'static str)>,
    pub skill_separator: Option<&'static str>,
}

/// Why a role could not be mapped.
struct Missing {
    role: Role,
    /// Columns already taken by other roles (left out of the closest-match hint).
    taken: Vec<usize>,
    looked_for: Vec<String>,
    from_override: bool,
}

/// Maps `header` with `preset`'s layout and the overrides. `item_map` says that skills come from
/// an item→skill map, so the item column is required and the skill column is not.
pub(crate) fn resolve(
    file: &str,
    header: &[String],
    preset: Preset,
    overrides: &[(Role, String)],
    item_map: bool,
) -> Result<Mapping> {
    let Some(spec) = preset::spec(preset) else {
        return Err(Error::input(
            Location::file(file).line(1),
            format!("the {preset} preset reads a format without a header, not a file with one"),
        ));
    };
    try_resolve(header, &spec, overrides, item_map)
        .map_err(|missing| missing_error(file, header, Some(preset), &missing))
}

/// Picks the tabular preset that fits `header` best: every required role must be found (the
/// overrides count); among those, the one that recognises most header columns wins (ties:
/// generic, datashop, pybkt, assistments).
pub(crate) fn detect(
    file: &str,
    header: &[String],
    overrides: &[(Role, String)],
    item_map: bool,
) -> Result<(Preset, Mapping)> {
    let mut best: Option<(usize, Preset, Mapping)> = None;
    let mut nearest: Option<(usize, Preset, Missing)> = None;
    for preset in DETECTION_ORDER {
        let Some(spec) = preset::spec(preset) else {
            continue;
        };
        let score = recognised(header, &spec);
        match try_resolve(header, &spec, overrides, item_map) {
            Ok(mapping) => {
                if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    best = Some((score, preset, mapping));
                }
            }
            Err(missing) => {
                if nearest.as_ref().is_none_or(|(s, _, _)| score > *s) {
                    nearest = Some((score, preset, missing));
                }
            }
        }
    }
    if let Some((_, preset, mapping)) = best {
        return Ok((preset, mapping));
    }
    let Some((_, preset, missing)) = nearest else {
        return Err(Error::input(
            Location::file(file).line(1),
            "cannot tell the log's preset from its header; give --preset",
        ));
    };
    let inner = missing_error(file, header, None, &missing);
    let Error::Input { location, message } = inner else {
        return Err(inner);
    };
    Err(Error::input(
        location,
        format!("cannot tell the log's preset from its header; nearest is {preset}, but {message}"),
    ))
}

/// How many header columns `spec` knows: candidates of any role, or markers.
fn recognised(header: &[String], spec: &Spec) -> usize {
    header
        .iter()
        .filter(|h| {
            spec.markers.contains(&h.as_str())
                || Role::ALL.into_iter().any(|role| {
                    spec.candidates(role)
                        .iter()
                        .any(|cand| cand.contains(&h.as_str()))
                })
        })
        .count()
}

/// Resolves every role.
fn try_resolve(
    header: &[String],
    spec: &Spec,
    overrides: &[(Role, String)],
    item_map: bool,
) -> std::result::Result<Mapping, Missing> {
    let get = |role: Role, required: bool| -> std::result::Result<Option<Col>, Missing> {
        if let Some((_, name)) = overrides.iter().rev().find(|(r, _)| *r == role) {
            return match find_column(header, name) {
                Some(i) => Ok(Some(Col {
                    indices: vec![i],
                    name: header[i].clone(),
                })),
                None => Err(Missing {
                    role,
                    taken: taken_columns(header, spec, overrides),
                    looked_for: vec![name.clone()],
                    from_override: true,
                }),
            };
        }
        let candidates = spec.candidates(role);
        match find_candidate(header, candidates) {
            Some(col) => Ok(Some(col)),
            None if required => Err(Missing {
                role,
                taken: taken_columns(header, spec, overrides),
                looked_for: candidates.iter().map(|c| c.join("+")).collect(),
                from_override: false,
            }),
            None => Ok(None),
        }
    };
    let missing = |role: Role| Missing {
        role,
        taken: Vec::new(),
        looked_for: Vec::new(),
        from_override: false,
    };
    let learner = get(Role::Learner, true)?.ok_or_else(|| missing(Role::Learner))?;
    let skill = if item_map {
        None
    } else {
        Some(get(Role::Skill, true)?.ok_or_else(|| missing(Role::Skill))?)
    };
    let item = get(Role::Item, item_map)?;
    let correct = get(Role::Correct, true)?.ok_or_else(|| missing(Role::Correct))?;
    let order = get(Role::Order, true)?.ok_or_else(|| missing(Role::Order))?;
    let group = get(Role::Group, false)?;
    let drop_rule = spec
        .drop_rule
        .and_then(|rule| find_column(header, rule.column).map(|i| (i, rule.value, rule.reason)));
    let mapping = Mapping {
        learner,
        skill,
        correct,
        order,
        item,
        group,
        drop_rule,
        skill_separator: spec.skill_separator,
    };
    Ok(mapping)
}

impl Mapping {
    /// The 0-based indices of every column the mapping reads, in role order.
    pub fn used(&self) -> impl Iterator<Item = usize> + '_ {
        [
            Some(&self.learner),
            self.skill.as_ref(),
            Some(&self.correct),
            Some(&self.order),
            self.item.as_ref(),
            self.group.as_ref(),
        ]
        .into_iter()
        .flatten()
        .flat_map(|c| c.indices.iter().copied())
        .chain(self.drop_rule.map(|(i, _, _)| i))
    }
}

/// Refuses a header where a column that `mapping` reads has the same name as another column:
/// which of the two holds the role is ambiguous. (Duplicate names among unused columns are
/// harmless and allowed.)
pub(crate) fn check_unique(file: &str, header: &[String], mapping: &Mapping) -> Result<()> {
    for used in mapping.used() {
        let name = &header[used];
        let mut same = header
            .iter()
            .enumerate()
            .filter(|(_, h)| *h == name)
            .map(|(i, _)| i + 1);
        if let (Some(first), Some(second)) = (same.next(), same.next()) {
            return Err(Error::input(
                Location::file(file).line(1),
                format!(
                    "columns {first} and {second} are both named {}; rename one so that it is \
                     clear which one to read",
                    quoted(name)
                ),
            ));
        }
    }
    Ok(())
}

/// Columns that the preset or the overrides give a role (left out of closest-match hints).
fn taken_columns(header: &[String], spec: &Spec, overrides: &[(Role, String)]) -> Vec<usize> {
    Role::ALL
        .into_iter()
        .filter_map(|role| find_candidate(header, spec.candidates(role)))
        .flat_map(|col| col.indices)
        .chain(
            overrides
                .iter()
                .filter_map(|(_, name)| find_column(header, name)),
        )
        .collect()
}

/// The first candidate whose columns are all in the header.
fn find_candidate(header: &[String], candidates: &[Candidate]) -> Option<Col> {
    candidates.iter().find_map(|cand| {
        let indices: Option<Vec<usize>> = cand.iter().map(|n| find_column(header, n)).collect();
        indices.map(|indices| Col {
            name: indices
                .iter()
                .map(|&i| header[i].as_str())
                .collect::<Vec<_>>()
                .join("+"),
            indices,
        })
    })
}

/// The index of `name` in the header: an exact match, else the only case-insensitive one.
fn find_column(header: &[String], name: &str) -> Option<usize> {
    if let Some(i) = header.iter().position(|h| h == name) {
        return Some(i);
    }
    let mut folded = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

/// The most characters of one column name a missing-column error shows.
const COLUMN_CHARS: usize = 24;

/// The header's columns for a message, each quoted and cut, as many as fit in about 200
/// characters, then how many more (a header may have thousands of columns).
fn listed_columns(header: &[String]) -> String {
    let mut list = String::new();
    let mut listed = 0;
    for column in header {
        let shown = format!("'{}'", cut(column, COLUMN_CHARS));
        if listed > 0 && list.len() + shown.len() > 200 {
            break;
        }
        if listed > 0 {
            list.push_str(", ");
        }
        list.push_str(&shown);
        listed += 1;
    }
    if listed < header.len() {
        list.push_str(&format!(" and {} more", header.len() - listed));
    }
    list
}

fn missing_error(file: &str, header: &[String], preset: Option<Preset>, m: &Missing) -> Error {
    let role = m.role;
    let present = listed_columns(header);
    let closest = closest_match(header, &m.taken, &m.looked_for)
        .map(|c| format!("; closest match: '{}'", cut(c, COLUMN_CHARS)))
        .unwrap_or_default();
    let what = if m.from_override {
        format!(
            "no column {} (from --col {role}={})",
            quoted(&m.looked_for.join("")),
            cut(&m.looked_for.join(""), QUOTE_LIMIT)
        )
    } else {
        let from = preset.map(|p| format!(" (preset {p})")).unwrap_or_default();
        format!(
            "no {role} column: looked for {}{from}",
            m.looked_for
                .iter()
                .map(|c| quoted(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let hint = if m.from_override {
        String::new()
    } else {
        format!("; map one with --col {role}=NAME")
    };
    Error::input(
        Location::file(file).line(1),
        format!("{what}; columns present: {present}{closest}{hint}"),
    )
}

/// The header column not `taken` by another role nearest to any of `wanted` by edit distance
/// (ignoring case).
fn closest_match<'h>(header: &'h [String], taken: &[usize], wanted: &[String]) -> Option<&'h str> {
    header
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && !taken.contains(i))
        .map(|(_, h)| h)
        .map(|h| {
            let d = wanted
                .iter()
                .map(|w| edit_distance(&h.to_lowercase(), &w.to_lowercase()))
                .min()
                .unwrap_or(usize::MAX);
            (d, h.as_str())
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, h)| h)
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("skill", "skill"), 0);
    }

    #[test]
    fn detects_assistments_over_pybkt_when_original_is_present() {
        let h = header(&[
            "order_id",
            "user_id",
            "problem_id",
            "original",
            "correct",
            "skill_id",
            "skill_name",
        ]);
        let (preset, m) = detect("a.csv", &h, &[], false).unwrap();
        assert_eq!(preset, Preset::Assistments);
        assert_eq!(m.skill.unwrap().name, "skill_name");
        assert_eq!(m.drop_rule.unwrap().0, 3);
    }

    #[test]
    fn detects_pybkt_from_template_id() {
        let h = header(&[
            "user_id",
            "skill_name",
            "correct",
            "order_id",
            "template_id",
        ]);
        let (preset, m) = detect("a.csv", &h, &[], false).unwrap();
        assert_eq!(preset, Preset::Pybkt);
        assert_eq!(m.item.unwrap().indices, [4]);
    }

    #[test]
    fn overrides_fill_missing_roles_during_detection() {
        let h = header(&["user_id", "glop_id", "position", "correct"]);
        let overrides = [
            (Role::Skill, "glop_id".to_owned()),
            (Role::Order, "position".to_owned()),
        ];
        let (preset, m) = detect("g.csv", &h, &overrides, false).unwrap();
        assert_eq!(preset, Preset::Pybkt);
        assert_eq!(m.skill.unwrap().indices, [1]);
        assert!(m.item.is_none());
    }

    #[test]
    fn overriding_every_role_still_detects_by_the_columns_present() {
        // pyBKT's four default columns, each also named with --col: the columns present decide.
        let h = header(&["order_id", "user_id", "skill_name", "correct"]);
        let overrides = [
            (Role::Learner, "user_id".to_owned()),
            (Role::Skill, "skill_name".to_owned()),
            (Role::Correct, "correct".to_owned()),
            (Role::Order, "order_id".to_owned()),
        ];
        let (preset, m) = detect("p.csv", &h, &overrides, false).unwrap();
        assert_eq!(preset, Preset::Pybkt);
        assert_eq!(m.order.indices, [0]);
        let (preset, _) = detect("p.csv", &h, &[], false).unwrap();
        assert_eq!(preset, Preset::Pybkt);
    }

    #[test]
    fn datashop_item_joins_problem_and_step() {
        let h = header(&[
            "Anon Student Id",
            "Problem Name",
            "Step Name",
            "First Transaction Time",
            "Correct First Attempt",
            "KC(Default)",
        ]);
        let (preset, m) = detect("d.tsv", &h, &[], false).unwrap();
        assert_eq!(preset, Preset::Datashop);
        let item = m.item.unwrap();
        assert_eq!(item.indices, [1, 2]);
        assert_eq!(item.name, "Problem Name+Step Name");
        assert_eq!(m.skill_separator, Some("~~"));
    }

    #[test]
    fn missing_column_names_the_columns_present_and_the_closest() {
        let h = header(&["learner", "skil", "correct", "order"]);
        let e = resolve("x.csv", &h, Preset::Generic, &[], false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv:1: no skill column: looked for 'skill' (preset generic); columns present: \
             'learner', 'skil', 'correct', 'order'; closest match: 'skil'; map one with --col skill=NAME"
        );
        let e = resolve(
            "x.csv",
            &h,
            Preset::Generic,
            &[(Role::Skill, "kc".to_owned())],
            false,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "x.csv:1: no column 'kc' (from --col skill=kc); columns present: 'learner', 'skil', \
             'correct', 'order'; closest match: 'skil'"
        );
    }

    #[test]
    fn undetectable_header_names_the_nearest_preset() {
        let h = header(&["user_id", "glop_id", "position", "correct"]);
        let e = detect("g.csv", &h, &[], false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "g.csv:1: cannot tell the log's preset from its header; nearest is pybkt, but no \
             skill column: looked for 'skill_name'; columns present: 'user_id', 'glop_id', \
             'position', 'correct'; closest match: 'glop_id'; map one with --col skill=NAME"
        );
    }
}
