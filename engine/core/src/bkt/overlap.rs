//! How the skills of a model line up with those of another input (a log, a skill graph): the
//! check that catches a model fitted on another curriculum before it silently answers with
//! population averages.

use std::collections::BTreeSet;

use super::model::Model;

/// The skill ids a [`Model`] shares with another input, and those only one side has; each list
/// sorted by id, without repeats. Built by [`Model::overlap`].
///
/// A skill only the other input has gets the model's population-average parameters
/// ([`Model::average`]); a skill only the model has is simply not used. So [`Overlap::is_disjoint`]
/// means every answer would rest on averages, and a non-empty [`Overlap::only_other`] means some
/// would.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overlap {
    /// Skills both the model and the other input have.
    pub shared: Vec<String>,
    /// Skills of the model the other input does not have.
    pub only_model: Vec<String>,
    /// Skills of the other input the model does not have.
    pub only_other: Vec<String>,
}

impl Overlap {
    /// True when the two sides have no skill in common (also when either has none).
    pub fn is_disjoint(&self) -> bool {
        self.shared.is_empty()
    }

    /// How many distinct skills the model has.
    pub fn n_model(&self) -> usize {
        self.shared.len() + self.only_model.len()
    }

    /// How many distinct skills the other input has.
    pub fn n_other(&self) -> usize {
        self.shared.len() + self.only_other.len()
    }
}

impl Model {
    /// Compares the model's skills with `ids`, the skills of another input (a log's skill names,
    /// a graph's skill ids); repeats in `ids` count once.
    ///
    /// ```
    /// use pathwise::{FitInfo, Model, Params, SkillModel, bkt::SkillStats, Variant};
    /// let skill = |id: &str| SkillModel::new(id, Params::default(), vec![], vec![], SkillStats::default());
    /// let model = Model::new(
    ///     Variant::default(),
    ///     vec![skill("add"), skill("sub")],
    ///     vec![],
    ///     FitInfo::default(),
    /// )
    /// .unwrap();
    /// let overlap = model.overlap(["sub", "mul", "sub"]);
    /// assert_eq!(overlap.shared, ["sub"]);
    /// assert_eq!(overlap.only_model, ["add"]);
    /// assert_eq!(overlap.only_other, ["mul"]);
    /// assert!(!overlap.is_disjoint());
    /// assert!(model.overlap(["div"]).is_disjoint());
    /// ```
    pub fn overlap<I, S>(&self, ids: I) -> Overlap
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let other: BTreeSet<String> = ids.into_iter().map(|s| s.as_ref().to_owned()).collect();
        let mut overlap = Overlap::default();
        for skill in self.skills() {
            if other.contains(skill.id()) {
                overlap.shared.push(skill.id().to_owned());
            } else {
                overlap.only_model.push(skill.id().to_owned());
            }
        }
        overlap.only_other = other
            .into_iter()
            .filter(|id| self.skill_index(id).is_none())
            .collect();
        overlap
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FitInfo, Params, SkillModel, Variant, bkt::SkillStats};

    fn model(ids: &[&str]) -> Model {
        let skills = ids
            .iter()
            .map(|id| {
                SkillModel::new(
                    *id,
                    Params::default(),
                    vec![],
                    vec![],
                    SkillStats::default(),
                )
            })
            .collect();
        Model::new(Variant::default(), skills, vec![], FitInfo::default()).unwrap()
    }

    #[test]
    fn same_skills_overlap_completely() {
        let o = model(&["b", "a"]).overlap(["a", "b"]);
        assert_eq!(o.shared, ["a", "b"]);
        assert!(o.only_model.is_empty() && o.only_other.is_empty());
        assert_eq!((o.n_model(), o.n_other()), (2, 2));
    }

    #[test]
    fn disjoint_skills_share_nothing_and_keep_both_counts() {
        let o = model(&["a", "b", "c"]).overlap(["x", "y"]);
        assert!(o.is_disjoint());
        assert_eq!((o.n_model(), o.n_other()), (3, 2));
    }

    #[test]
    fn an_empty_side_is_disjoint() {
        assert!(model(&["a"]).overlap(Vec::<String>::new()).is_disjoint());
        assert!(model(&[]).overlap(["a"]).is_disjoint());
    }

    #[test]
    fn partial_overlap_lists_each_side_sorted_once() {
        let o = model(&["c", "a", "b"]).overlap(["z", "b", "y", "b"]);
        assert_eq!(o.shared, ["b"]);
        assert_eq!(o.only_model, ["a", "c"]);
        assert_eq!(o.only_other, ["y", "z"]);
    }
}
