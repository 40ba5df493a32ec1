//! Groups for small-group teaching: k-means (linfa-clustering) on the learners' mastery vectors.
//!
//! **Choice of k.** With a fixed number of groups (`--groups K`) k = min(K, learners). Otherwise
//! every k in 2..=`max_groups` (at most learners − 1) is fitted and scored with the *simplified
//! silhouette* (Hruschka et al. 2004: for each learner, a = distance to its own centroid,
//! b = distance to the nearest other centroid, s = (b − a) / max(a, b); the score is the mean s),
//! which costs O(n·k·d) instead of the O(n²·d) of the full silhouette, so it stays fast for
//! thousands of learners. Above [`SELECTION_SAMPLE`] learners, k is chosen on an evenly strided
//! sample (every ⌈n / 1000⌉-th learner in input order) and the chosen k is then fitted on all.
//! The rule takes the **smallest k whose score is within
//! `silhouette_tolerance` (default 0.02) of the best score**: fewer groups are easier to teach,
//! and a k that is barely better is not worth an extra group. Fewer than 3 learners, or learners
//! whose mastery vectors are all equal, make one group.
//!
//! **Determinism.** linfa's k-means++ initialisation is seeded with its fixed seed (42) and its
//! sums run in a fixed order, so the same input gives the same groups whatever the thread count.
//! Groups are then numbered by mean mastery, highest first (ties: the group holding the
//! lower-numbered learner first).

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::{Array2, ArrayView1, Axis};

/// Cohorts above this size choose k on a sample of about this many learners.
pub const SELECTION_SAMPLE: usize = 1000;

use super::input::{CohortInput, ReportSettings};

/// How the number of groups was chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupRule {
    /// No learners, fewer than 3 learners, or all mastery vectors equal: one group (or none).
    Trivial,
    /// The number the user asked for (capped at the number of learners).
    Fixed {
        /// The number asked for.
        requested: usize,
    },
    /// The smallest k whose simplified silhouette is within the tolerance of the best.
    Silhouette {
        /// (k, simplified silhouette) for every k tried.
        scores: Vec<(usize, f64)>,
        /// The tolerance used.
        tolerance: f64,
    },
}

/// One group of learners.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Learner indices (into [`CohortInput::learners`]), in input order.
    pub members: Vec<usize>,
    /// Mean P(known) of the members over all skills.
    pub mean_mastery: f64,
    /// The skill most members are ready for (ties: earlier in the curriculum); `None` when no
    /// member is ready for any skill.
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
}

/// Splits the cohort into groups (see the module docs for the rule).
pub(crate) fn group_learners(input: &CohortInput, settings: &ReportSettings) -> Grouping {
    let n = input.learners.len();
    let d = input.skills.len();
    let mut data = Array2::<f64>::zeros((n, d));
    for (i, l) in input.learners.iter().enumerate() {
        for (j, &m) in l.mastery.iter().enumerate() {
            data[[i, j]] = m;
        }
    }
    let all_equal = (1..n).all(|i| data.row(i) == data.row(0));
    let (rule, labels) = if n < 3 || d == 0 || all_equal {
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
    finish(input, settings.mastery, rule, &labels)
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
    let max_k = settings.max_groups.min(selection.nrows() - 1);
    let mut tried: Vec<(usize, f64, Vec<usize>)> = Vec::new();
    for k in 2..=max_k {
        if let Some((labels, score)) = kmeans(selection, k) {
            tried.push((k, score, labels));
        }
    }
    let best = tried.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
    let scores: Vec<(usize, f64)> = tried.iter().map(|t| (t.0, t.1)).collect();
    let rule = GroupRule::Silhouette {
        scores,
        tolerance: settings.silhouette_tolerance,
    };
    let Some((k, _, labels)) = tried
        .into_iter()
        .find(|t| t.1 >= best - settings.silhouette_tolerance)
    else {
        return (GroupRule::Trivial, vec![0; n]);
    };
    if sample.is_none() {
        return (rule, labels);
    }
    match kmeans(data, k) {
        Some((labels, _)) => (rule, labels),
        None => (GroupRule::Trivial, vec![0; n]),
    }
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

/// Builds the groups from raw labels: drops empty clusters, numbers groups by mean mastery.
fn finish(input: &CohortInput, mastery: f64, rule: GroupRule, labels: &[usize]) -> Grouping {
    let n_labels = labels.iter().max().map_or(0, |m| m + 1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_labels];
    for (i, &label) in labels.iter().enumerate() {
        members[label].push(i);
    }
    let d = input.skills.len();
    let mut groups: Vec<Group> = members
        .into_iter()
        .filter(|m| !m.is_empty())
        .map(|members| {
            let mut sum = 0.0;
            let mut ready = vec![0usize; d];
            for &i in &members {
                let l = &input.learners[i];
                sum += l.mastery.iter().sum::<f64>();
                for ((count, &r), &m) in ready.iter_mut().zip(&l.ready).zip(&l.mastery) {
                    *count += usize::from(r && m < mastery);
                }
            }
            let cells = (members.len() * d).max(1) as f64;
            let (next_skill, next_skill_ready) = ready
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0)
                .fold(None, |best: Option<(usize, usize)>, (s, &c)| match best {
                    Some((_, bc)) if bc >= c => best,
                    _ => Some((s, c)),
                })
                .map_or((None, 0), |(s, c)| (Some(s), c));
            Group {
                members,
                mean_mastery: sum / cells,
                next_skill,
                next_skill_ready,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.mean_mastery
            .total_cmp(&a.mean_mastery)
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
    }
}
