//! Cycle handling and ordering on prerequisite lists (`prerequisites[s]` = the prerequisites of
//! `s`; edges run prerequisite → skill). Strongly connected components and the feedback arc set
//! come from petgraph: Kosaraju's algorithm, whose depth-first searches keep their own stack, so a
//! prerequisite chain of any length cannot overflow the call stack (Tarjan's recursive search did
//! at about 90,000 skills).

use std::collections::{HashSet, VecDeque};

use petgraph::algo::{greedy_feedback_arc_set, kosaraju_scc};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

fn to_petgraph(prerequisites: &[Vec<u32>]) -> DiGraph<(), ()> {
    let mut g = DiGraph::with_capacity(prerequisites.len(), 0);
    for _ in 0..prerequisites.len() {
        g.add_node(());
    }
    for (s, ps) in prerequisites.iter().enumerate() {
        for &p in ps {
            g.add_edge(NodeIndex::new(p as usize), NodeIndex::new(s), ());
        }
    }
    g
}

fn dependents_of(prerequisites: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut dependents = vec![Vec::new(); prerequisites.len()];
    for (s, ps) in prerequisites.iter().enumerate() {
        for &p in ps {
            dependents[p as usize].push(s as u32);
        }
    }
    dependents
}

/// The strongly connected components with more than one skill, each sorted, ordered by their
/// smallest skill.
fn cyclic_components(prerequisites: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let g = to_petgraph(prerequisites);
    let mut sccs: Vec<Vec<u32>> = kosaraju_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut c: Vec<u32> = c.into_iter().map(|n| n.index() as u32).collect();
            c.sort_unstable();
            c
        })
        .collect();
    sccs.sort_unstable_by_key(|c| c[0]);
    sccs
}

/// One cycle in order, `[a, b, c]` meaning `a -> b -> c -> a`, or `None` for a DAG (self-loops
/// are not looked for). It starts at the earliest skill of the earliest cyclic component and is
/// a shortest cycle through that skill.
pub(super) fn find_cycle(prerequisites: &[Vec<u32>]) -> Option<Vec<u32>> {
    let component = cyclic_components(prerequisites).into_iter().next()?;
    let start = component[0];
    let inside: HashSet<u32> = component.iter().copied().collect();
    let dependents = dependents_of(prerequisites);
    let mut parent = vec![u32::MAX; prerequisites.len()];
    let mut queue = VecDeque::from([start]);
    parent[start as usize] = start;
    while let Some(v) = queue.pop_front() {
        for &w in &dependents[v as usize] {
            if w == start {
                let mut cycle = vec![v];
                let mut at = v;
                while at != start {
                    at = parent[at as usize];
                    cycle.push(at);
                }
                cycle.reverse();
                return Some(cycle);
            }
            if inside.contains(&w) && parent[w as usize] == u32::MAX {
                parent[w as usize] = v;
                queue.push_back(w);
            }
        }
    }
    None
}

/// Removes a small set of edges so that no cycle is left (self-loops must already be gone) and
/// returns them as `(prerequisite, skill)` in file order (by skill, then list position).
///
/// Within each cyclic component petgraph's greedy feedback arc set (Eades, Lin & Smyth) picks
/// the edges; then every picked edge that can go back without closing a cycle goes back, so the
/// set is minimal (no edge of it is unnecessary), though not always minimum.
pub(super) fn break_cycles(prerequisites: &mut [Vec<u32>]) -> Vec<(u32, u32)> {
    let mut removed: Vec<(u32, u32)> = Vec::new();
    for component in cyclic_components(prerequisites) {
        let inside: HashSet<u32> = component.iter().copied().collect();
        let mut sub = DiGraph::<u32, ()>::new();
        let nodes: Vec<NodeIndex> = component.iter().map(|&s| sub.add_node(s)).collect();
        for (i, &s) in component.iter().enumerate() {
            for &p in &prerequisites[s as usize] {
                if inside.contains(&p) {
                    let j = component.binary_search(&p).unwrap_or(0);
                    sub.add_edge(nodes[j], nodes[i], ());
                }
            }
        }
        for e in greedy_feedback_arc_set(&sub) {
            removed.push((sub[e.source()], sub[e.target()]));
        }
    }
    if removed.is_empty() {
        return removed;
    }
    removed.sort_unstable_by_key(|&(p, s)| (s, position(&prerequisites[s as usize], p)));
    let mut gone: HashSet<(u32, u32)> = removed.iter().copied().collect();
    let mut dependents = dependents_of(prerequisites);
    for list in dependents.iter_mut() {
        list.clear();
    }
    for (s, ps) in prerequisites.iter().enumerate() {
        for &p in ps {
            if !gone.contains(&(p, s as u32)) {
                dependents[p as usize].push(s as u32);
            }
        }
    }
    // Put back every edge that does not close a cycle: p -> s closes one iff s reaches p.
    let mut seen = vec![false; prerequisites.len()];
    for &(p, s) in &removed {
        if !reaches(&dependents, s, p, &mut seen) {
            gone.remove(&(p, s));
            dependents[p as usize].push(s);
        }
    }
    for (s, ps) in prerequisites.iter_mut().enumerate() {
        ps.retain(|&p| !gone.contains(&(p, s as u32)));
    }
    removed.retain(|e| gone.contains(e));
    removed
}

fn position(list: &[u32], x: u32) -> usize {
    list.iter().position(|&y| y == x).unwrap_or(usize::MAX)
}

fn reaches(dependents: &[Vec<u32>], from: u32, to: u32, seen: &mut [bool]) -> bool {
    seen.fill(false);
    let mut stack = vec![from];
    seen[from as usize] = true;
    while let Some(v) = stack.pop() {
        if v == to {
            return true;
        }
        for &w in &dependents[v as usize] {
            if !seen[w as usize] {
                seen[w as usize] = true;
                stack.push(w);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cycle_in_order() {
        // 0 -> 1 -> 2 -> 0 and a tail 3 -> 0.
        let prereqs = vec![vec![2, 3], vec![0], vec![1], vec![]];
        assert_eq!(find_cycle(&prereqs), Some(vec![0, 1, 2]));
        assert_eq!(find_cycle(&[vec![], vec![0]]), None);
    }

    #[test]
    fn breaks_a_triangle_with_one_edge() {
        let mut prereqs = vec![vec![2], vec![0], vec![1]];
        let removed = break_cycles(&mut prereqs);
        assert_eq!(removed.len(), 1);
        assert_eq!(find_cycle(&prereqs), None);
        assert_eq!(prereqs.iter().map(Vec::len).sum::<usize>(), 2);
    }

    /// `n` skills in one prerequisite chain, `0 -> 1 -> ... -> n-1`.
    fn chain(n: u32) -> Vec<Vec<u32>> {
        (0..n)
            .map(|s| if s == 0 { vec![] } else { vec![s - 1] })
            .collect()
    }

    #[test]
    fn a_100k_skill_chain_checks_without_stack_overflow() {
        // Tarjan's recursive search overflowed the stack on a chain of about 90,000 skills.
        let mut prereqs = chain(100_000);
        assert_eq!(find_cycle(&prereqs), None);
        // Closing the chain into one ring of 100,000 skills: the cycle is found and printed whole.
        prereqs[0].push(99_999);
        let cycle = find_cycle(&prereqs).unwrap();
        assert_eq!(cycle, (0..100_000).collect::<Vec<u32>>());
    }
}
