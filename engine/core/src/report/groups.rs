//! Groups for small-group teaching: k-means (linfa-clustering) on the learners' evidence, each
//! group with a distinct next step.
//!
//! **What is compared.** Each learner is a vector of P(known) on the skills they attempted and 0
//! on the skills they never attempted (nothing shown yet), over at most [`GROUP_FEATURES`]
//! skills: the ones the most learners of the cohort attempted (ties: curriculum order). Skills
//! nobody attempted are the same for everyone and cannot separate groups.
//!
//! **Choice of k (1..=`max_groups`).** With a fixed number of groups (`--groups K`)
//! k = min(K, learners). Otherwise every k in 2..=`max_groups` is fitted and scored with the
//! *simplified silhouette* (Hruschka et al. 2004: for each learner, a = distance to its own
//! centroid, b = distance to the nearest other centroid, s = (b − a) / max(a, b); the score is
//! the mean s), which costs O(n·k·d) instead of the full silhouette's O(n²·d). A k is
//! **eligible** when its smallest group has at least [`ReportSettings::min_group`] learners
//! (default: 4, and at least 10% of the cohort) and its score is at least `min_silhouette`
//! (default 0.25: below it, Kaufman & Rousseeuw's "no substantial structure"). The rule takes the
//! smallest eligible k whose score is within `silhouette_tolerance` (0.02) of the best eligible
//! score (fewer groups are easier to teach); when no k ≥ 2 is eligible the cohort is **one
//! group** (k = 1). Above [`SELECTION_SAMPLE`] learners k is chosen on an evenly strided sample
//! (every ⌈n / 1000⌉-th learner in input order) and the chosen k is then fitted on all. Fewer
//! than 3 learners, or learners whose vectors are all equal, make one group.
//!
//! **Next step.** A group's next step is the skill the most members are ready for, among the
//! skills whose fit carries no flag (a skill with too few learners or a parameter at its bound
//! is no ground for a lesson plan); ties go to the skill more members have started, then to the
//! earlier one in the curriculum. Next steps are **distinct**: groups pick in order of size
//! (largest first); a group whose best skill is taken gets its best untaken skill if at least
//! half its members are ready for it, and otherwise joins the group that took its best skill
//! (they would be taught the same thing). The count of such merges is reported.
//!
//! **Determinism.** linfa's k-means++ initialisation is seeded with its fixed seed (42) and its
//! sums run in a fixed order, so the same input gives the same groups whatever the thread count.
//! Groups are then numbered by mean mastery, highest first (ties: the group holding the
//! lower-numbered learner first).

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::{Array2, ArrayView1, Axis};

use super::input::{CohortInput, ReportSettings};
use super::readiness::{LearnerProgress, Readiness};

/// Cohorts above this size choose k on a sample of about this many learners.
pub const SELECTION_SAMPLE: usize = 1000;
/// Groups compare learners on at most this many skills (the most attempted ones).
pub const GROUP_FEATURES: usize = 200;

/// One k the silhouette rule tried.
#[derive(Debug, Clone, PartialEq)]
pub struct KScore {
    /// The number of groups.
    pub k: usize,
    /// Its simplified silhouette.
    pub silhouette: f64,
    /// Its smallest group, in learners (of the sample when k was chosen on one).
    pub smallest: usize,
    /// Whether it met the minimum group size and the minimum silhouette.
    pub eligible: bool,
}

/// How the number of groups was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupRule {
    /// No learners, fewer than 3 learners, or all evidence vectors equal: one group (or none).
    Trivial,
    /// The number the user asked for (capped at the number of learners).
    Fixed {
        /// The number asked for.
        requested: usize,
    },
    /// The smallest eligible k whose simplified silhouette is within the tolerance of the best
    /// eligible one; k = 1 when none is eligible.
    Silhouette {
        /// Every k tried.
        scores: Vec<KScore>,
        /// The tolerance used.
        tolerance: f64,
        /// The minimum silhouette used.
        min_silhouette: f64,
        /// The minimum group size used (for the learners k was chosen on).
        min_group: usize,
    },
}

/// One group of learners.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Learner indices (into [`CohortInput::learners`]), ascending.
    pub members: Vec<usize>,
    /// Mean P(known) over the members' attempted skills; `None` when none attempted any.
    pub mean_mastery: Option<f64>,
    /// The group's next step (see the module docs); `None` when no member is ready for a skill
    /// with an unflagged fit.
    pub next_skill: Option<usize>,
    /// How many members are ready for `next_skill`.
    pub next_skill_ready: usize,
}

/// The learners split into groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    /// How k was chosen.
    pub rule: GroupRule,
    /// The groups, numbered from 0 by mean mastery, highest first.
    pub groups: Vec<Group>,
    /// Each learner's group index.
    pub assignment: Vec<usize>,
    /// k-means clusters merged into another because they had no distinct next step.
    pub merged: usize,
}

/// Splits the cohort into groups (see the module docs for the rule).
pub(crate) fn group_learners(
    input: &CohortInput,
    settings: &ReportSettings,
    readiness: &Readiness,
    progress: &[LearnerProgress],
) -> Grouping {
    let n = input.learners.len();
    let data = features(input);
    let all_equal = (1..n).all(|i| data.row(i) == data.row(0));
    let (rule, labels) = if n < 3 || data.ncols() == 0 || all_equal {
        (GroupRule::Trivial, vec![0; n])
    } else if let Some(requested) = settings.groups {
        let k = requested.min(n);
        let labels = if k <= 1 {
            vec![0; n]
        } else {
            kmeans(&data, k).map_or_else(|| vec![0; n], |(labels, _)| labels)
        };
        (GroupRule::Fixed { requested }, labels)
    } else {
        choose_k(&data, settings)
    };
    finish(input, readiness, progress, rule, &labels)
}

/// The learners × features matrix: P(known) where attempted, 0 elsewhere, on the most attempted
/// skills.
fn features(input: &CohortInput) -> Array2<f64> {
    let mut attempted = vec![0usize; input.skills.len()];
    for l in &input.learners {
        for e in &l.evidence {
            attempted[e.skill] += 1;
        }
    }
    let mut chosen: Vec<usize> = (0..attempted.len()).filter(|&s| attempted[s] > 0).collect();
    chosen.sort_by(|&a, &b| attempted[b].cmp(&attempted[a]).then(a.cmp(&b)));
    chosen.truncate(GROUP_FEATURES);
    chosen.sort_unstable();
    let mut data = Array2::<f64>::zeros((input.learners.len(), chosen.len()));
    for (i, l) in input.learners.iter().enumerate() {
        for e in &l.evidence {
            if let Ok(j) = chosen.binary_search(&e.skill) {
                data[[i, j]] = e.mastery;
            }
        }
    }
    data
}

fn choose_k(data: &Array2<f64>, settings: &ReportSettings) -> (GroupRule, Vec<usize>) {
    let n = data.nrows();
    // Big cohorts choose k on an evenly strided sample (every ⌈n / SAMPLE⌉-th learner), then fit
    // the chosen k on everyone.
    let stride = n.div_ceil(SELECTION_SAMPLE);
    let sample = (stride > 1).then(|| {
        let rows: Vec<usize> = (0..n).step_by(stride).collect();
        data.select(Axis(0), &rows)
    });
    let selection = sample.as_ref().unwrap_or(data);
    let min_group = settings.min_group(selection.nrows());
    let max_k = settings
        .max_groups
        .min(selection.nrows() / min_group.max(1));
    let mut scores = Vec::new();
    let mut fits = Vec::new();
    for k in 2..=max_k {
        if let Some((labels, silhouette)) = kmeans(selection, k) {
            let mut sizes = vec![0usize; k];
            labels.iter().for_each(|&l| sizes[l] += 1);
            let smallest = sizes.iter().copied().min().unwrap_or(0);
            let eligible = smallest >= min_group && silhouette >= settings.min_silhouette;
            scores.push(KScore {
                k,
                silhouette,
                smallest,
                eligible,
            });
            fits.push(labels);
        }
    }
    let best = scores
        .iter()
        .filter(|s| s.eligible)
        .map(|s| s.silhouette)
        .fold(f64::NEG_INFINITY, f64::max);
    let chosen = scores
        .iter()
        .position(|s| s.eligible && s.silhouette >= best - settings.silhouette_tolerance);
    let k = chosen.map(|i| scores[i].k);
    let rule = GroupRule::Silhouette {
        scores,
        tolerance: settings.silhouette_tolerance,
        min_silhouette: settings.min_silhouette,
        min_group,
    };
    let labels = match (chosen, k) {
        (Some(i), Some(_)) if sample.is_none() => fits.swap_remove(i),
        (Some(_), Some(k)) => kmeans(data, k).map_or_else(|| vec![0; n], |(labels, _)| labels),
        _ => vec![0; n],
    };
    (rule, labels)
}

/// Fits k-means with k clusters; returns the labels and the simplified silhouette.
fn kmeans(data: &Array2<f64>, k: usize) -> Option<(Vec<usize>, f64)> {
    let dataset = DatasetBase::from(data.clone());
    let model = KMeans::params(k)
        .n_runs(4)
        .max_n_iterations(100)
        .tolerance(1e-4)
        .fit(&dataset)
        .ok()?;
    let labels = model.predict(data);
    let centroids = model.centroids();
    let mut total = 0.0;
    for (i, &own) in labels.iter().enumerate() {
        let row = data.row(i);
        let a = distance(row, centroids.row(own));
        let b = (0..centroids.nrows())
            .filter(|&c| c != own)
            .map(|c| distance(row, centroids.row(c)))
            .fold(f64::INFINITY, f64::min);
        let denom = a.max(b);
        if denom > 0.0 && denom.is_finite() {
            total += (b - a) / denom;
        }
    }
    let score = total / data.nrows() as f64;
    Some((labels.to_vec(), score))
}

fn distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// Per skill, how many members are ready for it and how many have started it (attempted, not
/// mastered).
struct MemberCounts {
    ready: Vec<usize>,
    started: Vec<usize>,
}

fn counts(
    input: &CohortInput,
    readiness: &Readiness,
    progress: &[LearnerProgress],
    members: &[usize],
) -> MemberCounts {
    let d = input.skills.len();
    let mut mastered = vec![0usize; d];
    let mut ready = vec![0usize; d];
    let mut started = vec![0usize; d];
    for &i in members {
        let p = &progress[i];
        p.mastered.iter().for_each(|&s| mastered[s] += 1);
        p.ready_dependents.iter().for_each(|&s| ready[s] += 1);
        for e in &input.learners[i].evidence {
            started[e.skill] += usize::from(!p.is_mastered(e.skill));
        }
    }
    for s in 0..d {
        if readiness.is_root(s) {
            ready[s] = members.len() - mastered[s];
        }
    }
    MemberCounts { ready, started }
}

/// Candidate next steps of a group, best first: unflagged skills some member is ready for.
fn candidates(input: &CohortInput, c: &MemberCounts) -> Vec<usize> {
    let mut out: Vec<usize> = (0..input.skills.len())
        .filter(|&s| c.ready[s] > 0 && !input.skills[s].flagged())
        .collect();
    out.sort_by(|&a, &b| {
        c.ready[b]
            .cmp(&c.ready[a])
            .then(c.started[b].cmp(&c.started[a]))
            .then(a.cmp(&b))
    });
    out
}

/// Builds the groups from raw labels: drops empty clusters, gives each group a distinct next
/// step (merging a group without one into the group holding its best skill), numbers groups by
/// mean mastery.
fn finish(
    input: &CohortInput,
    readiness: &Readiness,
    progress: &[LearnerProgress],
    rule: GroupRule,
    labels: &[usize],
) -> Grouping {
    let n_labels = labels.iter().max().map_or(0, |m| m + 1);
    let mut clusters: Vec<Vec<usize>> = vec![Vec::new(); n_labels];
    for (i, &label) in labels.iter().enumerate() {
        clusters[label].push(i);
    }
    clusters.retain(|m| !m.is_empty());
    // Largest first (ties: the cluster holding the lower-numbered learner).
    clusters.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
    // (members, next skill) of the groups kept so far.
    let mut kept: Vec<(Vec<usize>, Option<usize>)> = Vec::new();
    let mut merged = 0;
    for members in clusters {
        let c = counts(input, readiness, progress, &members);
        let cands = candidates(input, &c);
        let taken = |s: usize| kept.iter().position(|(_, next)| *next == Some(s));
        let Some(&best) = cands.first() else {
            kept.push((members, None));
            continue;
        };
        let Some(holder) = taken(best) else {
            kept.push((members, Some(best)));
            continue;
        };
        let distinct = cands.iter().copied().find(|&s| taken(s).is_none());
        match distinct {
            Some(s) if 2 * c.ready[s] >= members.len() => kept.push((members, Some(s))),
            _ => {
                kept[holder].0.extend(members);
                kept[holder].0.sort_unstable();
                merged += 1;
            }
        }
    }
    let mut groups: Vec<Group> = kept
        .into_iter()
        .map(|(members, next_skill)| {
            let (mut sum, mut cells) = (0.0, 0usize);
            for &i in &members {
                let ev = &input.learners[i].evidence;
                sum += ev.iter().map(|e| e.mastery).sum::<f64>();
                cells += ev.len();
            }
            let next_skill_ready = next_skill.map_or(0, |s| {
                members
                    .iter()
                    .filter(|&&i| progress[i].is_ready(readiness, s))
                    .count()
            });
            Group {
                members,
                mean_mastery: (cells > 0).then(|| sum / cells as f64),
                next_skill,
                next_skill_ready,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        let key = |g: &Group| g.mean_mastery.unwrap_or(-1.0);
        key(b)
            .total_cmp(&key(a))
            .then(a.members[0].cmp(&b.members[0]))
    });
    let mut assignment = vec![0; labels.len()];
    for (g, group) in groups.iter().enumerate() {
        for &i in &group.members {
            assignment[i] = g;
        }
    }
    Grouping {
        rule,
        groups,
        assignment,
        merged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrderKind;
    use crate::bkt::mastery::{Evidence, MasteryRule};
    use crate::report::{LearnerInput, SkillEvidence, SkillRef};

    fn learner(id: String, cells: &[(usize, u32, f64)]) -> LearnerInput {
        LearnerInput {
            id,
            responses: 1,
            evidence: cells
                .iter()
                .map(|&(skill, streak, mastery)| {
                    let attempts = streak.max(1);
                    let evidence = Evidence {
                        attempts,
                        correct: streak,
                        streak,
                        tries: attempts,
                    };
                    let rule = MasteryRule::default();
                    SkillEvidence::judged(skill, evidence, mastery, mastery, &rule)
                })
                .collect(),
            first_order: 0,
            last_order: 1,
            last_skill: None,
            top: None,
        }
    }

    #[test]
    fn groups_sharing_a_next_step_take_a_distinct_one_or_merge() {
        // Three clusters on three root skills. A (8 learners) mastered 1 and 2: ready for 0.
        // B (6) mastered 2 and started 0: ready for 0 and 1, best 0 (started), taken by A, so B
        // takes 1 (ready for all of B). C (4) mastered 1 and 2 like A: no distinct step, joins A.
        let mut learners = Vec::new();
        let mut labels = Vec::new();
        for i in 0..8 {
            learners.push(learner(format!("a{i}"), &[(1, 4, 0.99), (2, 4, 0.99)]));
            labels.push(0);
        }
        for i in 0..6 {
            learners.push(learner(format!("b{i}"), &[(0, 0, 0.4), (2, 4, 0.99)]));
            labels.push(1);
        }
        for i in 0..4 {
            learners.push(learner(format!("c{i}"), &[(1, 3, 0.97), (2, 3, 0.97)]));
            labels.push(2);
        }
        let skills = (0..3)
            .map(|i| SkillRef {
                id: format!("s{i}"),
                name: format!("s{i}"),
                ..SkillRef::default()
            })
            .collect();
        let input = CohortInput {
            skills,
            learners,
            order_kind: OrderKind::Sequence,
        };
        let readiness = Readiness::new(&input);
        let progress: Vec<LearnerProgress> = (0..input.learners.len())
            .map(|i| readiness.learner(&input, i))
            .collect();
        let g = finish(&input, &readiness, &progress, GroupRule::Trivial, &labels);
        assert_eq!(g.merged, 1);
        assert_eq!(g.groups.len(), 2);
        let next: Vec<(usize, Option<usize>, usize)> = g
            .groups
            .iter()
            .map(|g| (g.members.len(), g.next_skill, g.next_skill_ready))
            .collect();
        assert_eq!(next, [(12, Some(0), 12), (6, Some(1), 6)]);
        assert_eq!(g.assignment[14], 0); // c0 joined A
        assert_eq!(g.assignment[8], 1);
    }
}
