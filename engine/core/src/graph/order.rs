//! Orders and traversals on the prerequisite lists, each linear in skills + edges and free of
//! recursion (a chain of any length is fine): the deterministic topological order, each skill's
//! depth, and the skills reachable from one skill (its ancestors or descendants), computed on
//! demand rather than stored — a stored closure is quadratic (a chain of 50,000 skills held
//! 12.7 GB).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rustc_hash::FxHashSet;

use super::csr::Csr;

/// Kahn's algorithm, ties broken by the smallest skill index (curriculum order): among the skills
/// whose prerequisites are all placed, the earliest in the curriculum comes first. Skills on a
/// cycle (which a checked graph has none of) are appended in index order rather than lost.
pub(crate) fn topological_order(prerequisites: &Csr, dependents: &Csr) -> Vec<u32> {
    let n = prerequisites.rows();
    let mut missing: Vec<u32> = (0..n as u32)
        .map(|s| prerequisites.get(s).len() as u32)
        .collect();
    let mut heap: BinaryHeap<Reverse<u32>> = (0..n as u32)
        .filter(|&s| missing[s as usize] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(s)) = heap.pop() {
        order.push(s);
        for &d in dependents.get(s) {
            missing[d as usize] -= 1;
            if missing[d as usize] == 0 {
                heap.push(Reverse(d));
            }
        }
    }
    if order.len() < n {
        let mut placed = vec![false; n];
        for &s in &order {
            placed[s as usize] = true;
        }
        order.extend((0..n as u32).filter(|&s| !placed[s as usize]));
    }
    order
}

/// The position of each skill in `order`.
pub(crate) fn positions(order: &[u32]) -> Vec<u32> {
    let mut position = vec![0u32; order.len()];
    for (i, &s) in order.iter().enumerate() {
        position[s as usize] = i as u32;
    }
    position
}

/// The length of the longest prerequisite chain ending at each skill (0 for a root), visiting
/// the skills in topological order `topo`.
pub(super) fn depths(prerequisites: &Csr, topo: &[u32]) -> Vec<u32> {
    let mut depth = vec![0u32; topo.len()];
    for &s in topo {
        depth[s as usize] = prerequisites
            .get(s)
            .iter()
            .map(|&p| depth[p as usize] + 1)
            .max()
            .unwrap_or(0);
    }
    depth
}

/// Every skill reachable from `s` along `next` (prerequisites for ancestors, dependents for
/// descendants), `s` excluded, sorted by topological position. Time and memory are linear in the
/// skills reached and the edges leaving them, whatever the size of the graph.
pub(super) fn reachable(next: &Csr, s: u32, topo_position: &[u32]) -> Vec<u32> {
    let mut seen = FxHashSet::default();
    let mut out = Vec::new();
    let mut stack = vec![s];
    while let Some(v) = stack.pop() {
        for &w in next.get(v) {
            if w != s && seen.insert(w) {
                out.push(w);
                stack.push(w);
            }
        }
    }
    out.sort_unstable_by_key(|&w| topo_position[w as usize]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topological_order_prefers_curriculum_order() {
        // 2 requires 1; 0 and 1 are roots.
        let prereqs = Csr::from_lists([vec![], vec![], vec![1]]);
        assert_eq!(
            topological_order(&prereqs, &prereqs.transpose(3)),
            vec![0, 1, 2]
        );
        let prereqs = Csr::from_lists([vec![2], vec![], vec![]]);
        assert_eq!(
            topological_order(&prereqs, &prereqs.transpose(3)),
            vec![1, 2, 0]
        );
    }

    #[test]
    fn skills_on_a_cycle_are_appended_in_index_order() {
        // 1 <-> 2, 0 a root, 3 requires 2.
        let prereqs = Csr::from_lists([vec![], vec![2], vec![1], vec![2]]);
        assert_eq!(
            topological_order(&prereqs, &prereqs.transpose(4)),
            vec![0, 1, 2, 3]
        );
    }

    #[test]
    fn reachable_follows_every_path_once_in_topological_order() {
        // A diamond 0 -> 1, 0 -> 2, 1 -> 3, 2 -> 3, with 2 placed before 1.
        let prereqs = Csr::from_lists([vec![], vec![0], vec![0], vec![1, 2]]);
        let dependents = prereqs.transpose(4);
        let position = [0, 2, 1, 3];
        assert_eq!(reachable(&prereqs, 3, &position), vec![0, 2, 1]);
        assert_eq!(reachable(&dependents, 0, &position), vec![2, 1, 3]);
        assert!(reachable(&dependents, 3, &position).is_empty());
        assert_eq!(depths(&prereqs, &[0, 2, 1, 3]), vec![0, 1, 1, 2]);
    }
}
