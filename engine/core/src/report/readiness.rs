//! Who is ready for what, without a learners × skills table: a skill is **ready** for a learner
//! when they have not mastered it and have mastered every prerequisite (mastered as the library's
//! [`MasteryRule`](crate::bkt::mastery::MasteryRule) decides, so with evidence). A skill without prerequisites
//! (a *root*) is ready for everyone who has not mastered it; any other ready skill is a dependent
//! of a mastered one, so a learner's ready skills are found from their mastered skills alone and
//! the work and memory grow with the evidence, not with learners × skills.

use super::input::CohortInput;
use crate::bkt::mastery::Status;
use crate::graph::is_ready;

/// The curriculum's shape, as readiness needs it.
pub(crate) struct Readiness {
    is_root: Vec<bool>,
    roots: usize,
    dependents: Vec<Vec<usize>>,
}

/// One learner's statuses in compact form.
pub(crate) struct LearnerProgress {
    /// Mastered skills, ascending.
    pub mastered: Vec<usize>,
    /// Ready skills that have prerequisites, ascending.
    pub ready_dependents: Vec<usize>,
    /// Roots the learner mastered.
    pub mastered_roots: usize,
}

impl LearnerProgress {
    /// Whether skill `s` is mastered.
    pub fn is_mastered(&self, s: usize) -> bool {
        self.mastered.binary_search(&s).is_ok()
    }

    /// Skills ready for the learner.
    pub fn ready_count(&self, readiness: &Readiness) -> usize {
        readiness.roots - self.mastered_roots + self.ready_dependents.len()
    }

    /// Whether skill `s` is ready for the learner.
    pub fn is_ready(&self, readiness: &Readiness, s: usize) -> bool {
        if readiness.is_root[s] {
            !self.is_mastered(s)
        } else {
            self.ready_dependents.binary_search(&s).is_ok()
        }
    }
}

impl Readiness {
    /// Reads the prerequisites of `input`'s skills.
    pub fn new(input: &CohortInput) -> Self {
        let n = input.skills.len();
        let mut dependents = vec![Vec::new(); n];
        for (s, skill) in input.skills.iter().enumerate() {
            for &p in &skill.requires {
                dependents[p].push(s);
            }
        }
        let is_root: Vec<bool> = input.skills.iter().map(|s| s.requires.is_empty()).collect();
        let roots = is_root.iter().filter(|&&r| r).count();
        Self {
            is_root,
            roots,
            dependents,
        }
    }

    /// Whether skill `s` has no prerequisites.
    pub fn is_root(&self, s: usize) -> bool {
        self.is_root[s]
    }

    /// The statuses of learner `li` of `input`.
    pub fn learner(&self, input: &CohortInput, li: usize) -> LearnerProgress {
        let l = &input.learners[li];
        let mastered: Vec<usize> = l
            .evidence
            .iter()
            .filter(|e| e.status == Status::Mastered)
            .map(|e| e.skill)
            .collect();
        let is_mastered = |s: usize| mastered.binary_search(&s).is_ok();
        let mut ready_dependents: Vec<usize> = mastered
            .iter()
            .flat_map(|&m| self.dependents[m].iter().copied())
            .filter(|&d| is_ready(is_mastered(d), &input.skills[d].requires, is_mastered))
            .collect();
        ready_dependents.sort_unstable();
        ready_dependents.dedup();
        let mastered_roots = mastered.iter().filter(|&&s| self.is_root[s]).count();
        LearnerProgress {
            mastered,
            ready_dependents,
            mastered_roots,
        }
    }
}
