//! Unit and property tests of the graph module.

use proptest::prelude::*;

use super::*;
use crate::{Error, Location};

fn build(skills: &[(&str, &[&str])], options: &BuildOptions) -> crate::Result<BuiltGraph> {
    let mut b = SkillGraphBuilder::new("g.toml");
    for (line, (id, requires)) in skills.iter().enumerate() {
        b.add_skill(
            SkillSpec::new(*id)
                .requires(requires.iter().copied())
                .at(Location::file("g.toml").line(line as u64 + 1)),
        );
    }
    b.build(options)
}

fn message(e: Error) -> String {
    e.to_string()
}

#[test]
fn cycle_error_prints_the_cycle_in_order() {
    let e = build(
        &[("a", &["c"]), ("b", &["a"]), ("c", &["b"]), ("d", &["a"])],
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        message(e),
        "g.toml:1 (skill 'a'): prerequisites form a cycle: a -> b -> c -> a (drop-cycle-edges can break it)"
    );
}

#[test]
fn unknown_prerequisite_is_named_with_a_hint() {
    let e = build(&[("add", &[]), ("sub", &["adn"])], &BuildOptions::default()).unwrap_err();
    assert_eq!(
        message(e),
        "g.toml:2 (skill 'adn'): unknown skill id (a prerequisite of 'sub') (did you mean 'add'?)"
    );
}

#[test]
fn duplicate_skill_id_is_an_error() {
    let e = build(
        &[("add", &[]), ("sub", &[]), ("add", &[])],
        &BuildOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        message(e),
        "g.toml:3 (skill 'add'): duplicate skill id (each skill may be defined once)"
    );
}

#[test]
fn self_loop_is_an_error_unless_dropped() {
    let skills: &[(&str, &[&str])] = &[("a", &[]), ("b", &["b", "a"])];
    let e = build(skills, &BuildOptions::default()).unwrap_err();
    assert_eq!(
        message(e),
        "g.toml:2 (skill 'b'): the skill lists itself as a prerequisite (self-loop)"
    );
    let built = build(
        skills,
        &BuildOptions {
            drop_cycle_edges: true,
        },
    )
    .unwrap();
    assert_eq!(
        built.dropped_edges,
        vec![DroppedEdge {
            prerequisite: "b".into(),
            skill: "b".into(),
            reason: DropReason::SelfLoop
        }]
    );
    assert_eq!(built.graph.n_edges(), 1);
}

#[test]
fn drop_cycle_edges_breaks_a_triangle_with_one_edge() {
    let built = build(
        &[("a", &["c"]), ("b", &["a"]), ("c", &["b"]), ("d", &["c"])],
        &BuildOptions {
            drop_cycle_edges: true,
        },
    )
    .unwrap();
    assert_eq!(built.dropped_edges.len(), 1);
    assert_eq!(built.dropped_edges[0].reason, DropReason::Cycle);
    assert_eq!(built.graph.n_edges(), 3);
    assert_eq!(built.graph.topological_order().len(), 4);
}

fn ladder() -> SkillGraph {
    // count -> add, count -> sub; add, sub -> word; word -> multi; place (isolated root).
    let mut b = SkillGraphBuilder::new("ladder");
    b.add_skill(SkillSpec::new("count").name("Count"));
    b.add_skill(SkillSpec::new("word").requires(["add", "sub"]));
    b.add_skill(SkillSpec::new("add").requires(["count"]));
    b.add_skill(SkillSpec::new("sub").requires(["count", "count"]));
    b.add_skill(SkillSpec::new("multi").requires(["word"]));
    b.add_skill(SkillSpec::new("place"));
    b.add_activity(ActivitySpec::new("a1", ["add", "sub", "add"]).minutes(5.0));
    b.add_activity(ActivitySpec::new("a2", ["add"]).name("Adding"));
    b.build(&BuildOptions::default()).unwrap().graph
}

#[test]
fn queries_answer_on_dense_indices() {
    let g = ladder();
    let id = |s: &str| g.skill_index(s).unwrap();
    let ids = |list: &[u32]| {
        list.iter()
            .map(|&s| g.skill(s).id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(g.n_skills(), 6);
    assert_eq!(g.n_edges(), 5, "the repeated prerequisite counts once");
    assert_eq!(ids(g.prerequisites(id("word"))), ["add", "sub"]);
    assert_eq!(ids(g.dependents(id("count"))), ["add", "sub"]);
    assert_eq!(
        ids(&g.ancestors(id("multi"))),
        ["count", "add", "sub", "word"]
    );
    assert_eq!(
        ids(&g.descendants(id("count"))),
        ["add", "sub", "word", "multi"]
    );
    assert_eq!(
        ids(g.topological_order()),
        ["count", "add", "sub", "word", "multi", "place"]
    );
    assert_eq!(g.depth(id("multi")), 3);
    assert_eq!(g.depth(id("place")), 0);
    assert_eq!(ids(&g.roots().collect::<Vec<_>>()), ["count", "place"]);
    assert_eq!(ids(&g.leaves().collect::<Vec<_>>()), ["multi", "place"]);
    assert_eq!(g.skill(id("count")).name, "Count");
    assert_eq!(g.skill(id("word")).name, "word");
    assert_eq!(g.skill_activities(id("add")), &[0, 1]);
    assert_eq!(g.skill_activities(id("sub")), &[0]);
    assert!(g.skill_activities(id("word")).is_empty());
    assert_eq!(g.activity(0).skills, vec![id("add"), id("sub")]);
    assert_eq!(g.activity_index("a2"), Some(1));
}

#[test]
fn ready_frontier_follows_mastery() {
    let g = ladder();
    let id = |s: &str| g.skill_index(s).unwrap();
    let mut mastered = vec![false; g.n_skills()];
    assert_eq!(g.ready_frontier(&mastered), vec![id("count"), id("place")]);
    mastered[id("count") as usize] = true;
    mastered[id("add") as usize] = true;
    assert_eq!(g.ready_frontier(&mastered), vec![id("sub"), id("place")]);
    mastered[id("sub") as usize] = true;
    assert_eq!(g.ready_frontier(&mastered), vec![id("word"), id("place")]);
    // A short mastery vector counts the missing skills as not mastered.
    assert_eq!(
        g.ready_frontier(&[true]),
        vec![id("add"), id("sub"), id("place")]
    );
}

#[test]
fn graph_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<SkillGraph>();
    check::<SkillGraphBuilder>();
}

#[test]
fn activity_errors_name_the_activity() {
    let mut b = SkillGraphBuilder::new("g.toml");
    b.add_skill(SkillSpec::new("add"));
    b.add_activity(ActivitySpec::new("x", ["add"]).minutes(-2.0));
    assert_eq!(
        b.build(&BuildOptions::default()).unwrap_err().to_string(),
        "g.toml (activity 'x'): minutes must be a positive number, found -2"
    );
    let mut b = SkillGraphBuilder::new("g.toml");
    b.add_skill(SkillSpec::new("add"));
    b.add_activity(ActivitySpec::new("x", ["add"]));
    b.add_activity(ActivitySpec::new("x", ["add"]));
    assert_eq!(
        b.build(&BuildOptions::default()).unwrap_err().to_string(),
        "g.toml (activity 'x'): duplicate activity id"
    );
    let mut b = SkillGraphBuilder::new("g.toml");
    b.add_skill(SkillSpec::new("add"));
    b.add_activity(ActivitySpec::new("x", ["sub"]));
    assert_eq!(
        b.build(&BuildOptions::default()).unwrap_err().to_string(),
        "g.toml (activity 'x'): unknown skill id 'sub'"
    );
}

#[test]
fn log_items_become_activities() {
    use crate::{LogBuilder, RawRow};
    let g = ladder();
    let mut b = LogBuilder::new();
    let row = |learner, skills, item, order| RawRow {
        learner,
        skills,
        item,
        correct: true,
        order,
        group: None,
    };
    b.push(row("ann", &["add"], Some("q1"), 1));
    b.push(row("ann", &["sub"], Some("q1"), 1));
    b.push(row("bob", &["unknown"], Some("q2"), 1));
    b.push(row("bob", &["word"], Some("q3"), 2));
    b.push(row("bob", &["word"], None, 3));
    let g = g.with_log_items(&b.build());
    assert_eq!(g.n_activities(), 2);
    assert_eq!(g.activity(0).id, "q1");
    let id = |s: &str| g.skill_index(s).unwrap();
    assert_eq!(g.activity(0).skills, vec![id("add"), id("sub")]);
    assert_eq!(g.activity(1).id, "q3");
    assert_eq!(g.skill_activities(id("word")), &[1]);
    assert!(g.skill_activities(id("count")).is_empty());
}

/// A random graph on `n` skills: `edges` as (prerequisite, skill) pairs. With `dag` the edges
/// only go from lower to higher positions of a random permutation, so the graph is acyclic.
fn random_graph(dag: bool) -> impl Strategy<Value = (usize, Vec<(u32, u32)>)> {
    (1usize..30).prop_flat_map(move |n| {
        let pairs = proptest::collection::vec((0..n as u32, 0..n as u32), 0..(3 * n));
        (Just(n), pairs, Just(dag)).prop_map(|(n, pairs, dag)| {
            let edges = pairs
                .into_iter()
                .filter_map(|(a, b)| match (dag, a.cmp(&b)) {
                    (true, std::cmp::Ordering::Less) => Some((a, b)),
                    (true, std::cmp::Ordering::Greater) => Some((b, a)),
                    (true, std::cmp::Ordering::Equal) => None,
                    (false, _) => Some((a, b)),
                })
                .collect();
            (n, edges)
        })
    })
}

fn graph_of(
    n: usize,
    edges: &[(u32, u32)],
    reverse_ids: bool,
    options: &BuildOptions,
) -> crate::Result<BuiltGraph> {
    // Skills are added in reverse when asked, so that curriculum order differs from the DAG's
    // natural order and the topological sort has work to do.
    let name = |i: u32| format!("s{i}");
    let mut b = SkillGraphBuilder::new("random");
    let order: Vec<u32> = if reverse_ids {
        (0..n as u32).rev().collect()
    } else {
        (0..n as u32).collect()
    };
    for &i in &order {
        b.add_skill(SkillSpec::new(name(i)));
    }
    for &(p, s) in edges {
        b.add_edge(name(p), name(s), Location::default());
    }
    b.build(options)
}

proptest! {
    #[test]
    fn topological_order_is_valid((n, edges) in random_graph(true), reverse in any::<bool>()) {
        let g = graph_of(n, &edges, reverse, &BuildOptions::default()).unwrap().graph;
        let order = g.topological_order();
        let mut sorted = order.to_vec();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, (0..n as u32).collect::<Vec<_>>());
        for (p, s) in g.edges() {
            prop_assert!(g.topological_position(p) < g.topological_position(s));
        }
        for s in 0..n as u32 {
            // Ancestors are exactly the skills with a path to s.
            for a in g.ancestors(s) {
                prop_assert!(g.descendants(a).contains(&s));
            }
            let from_prereqs: usize = g.prerequisites(s).len();
            prop_assert!(g.ancestors(s).len() >= from_prereqs);
        }
    }

    #[test]
    fn longest_path_is_a_chain_from_a_root_as_deep_as_the_graph((n, edges) in random_graph(true)) {
        let g = graph_of(n, &edges, false, &BuildOptions::default()).unwrap().graph;
        let path = g.longest_path();
        prop_assert!(g.prerequisites(path[0]).is_empty());
        for w in path.windows(2) {
            prop_assert!(g.prerequisites(w[1]).contains(&w[0]));
        }
        let deepest = (0..n as u32).map(|s| g.depth(s)).max().unwrap();
        prop_assert_eq!(path.len() as u32 - 1, deepest);
        prop_assert_eq!(g.stats().depth, deepest);
    }

    #[test]
    fn ready_frontier_is_exactly_the_outer_fringe(
        (n, edges) in random_graph(true),
        bits in proptest::collection::vec(any::<bool>(), 30),
    ) {
        let g = graph_of(n, &edges, false, &BuildOptions::default()).unwrap().graph;
        let mastered = &bits[..n];
        let frontier = g.ready_frontier(mastered);
        for s in 0..n as u32 {
            let expected = !mastered[s as usize]
                && edges.iter().filter(|e| e.1 == s).all(|e| mastered[e.0 as usize]);
            prop_assert_eq!(frontier.contains(&s), expected, "skill {}", s);
        }
        prop_assert!(frontier.windows(2).all(|w| w[0] < w[1]));
        let mut same = Vec::new();
        g.frontier_where(|s| mastered[s as usize], |p| mastered[p as usize], &mut same);
        prop_assert_eq!(same, frontier);
    }

    #[test]
    fn drop_cycle_edges_yields_a_dag_and_removes_only_existing_edges((n, edges) in random_graph(false)) {
        let options = BuildOptions { drop_cycle_edges: true };
        let built = graph_of(n, &edges, false, &options).unwrap();
        let g = &built.graph;
        // It is a DAG: the topological order covers every skill and every edge goes forward.
        prop_assert_eq!(g.topological_order().len(), n);
        for (p, s) in g.edges() {
            prop_assert!(g.topological_position(p) < g.topological_position(s));
        }
        let name = |i: u32| format!("s{i}");
        let original: std::collections::HashSet<(String, String)> =
            edges.iter().map(|&(p, s)| (name(p), name(s))).collect();
        for d in &built.dropped_edges {
            prop_assert!(original.contains(&(d.prerequisite.clone(), d.skill.clone())));
            prop_assert_eq!(d.reason == DropReason::SelfLoop, d.prerequisite == d.skill);
        }
        // Kept + dropped = every distinct original edge.
        prop_assert_eq!(g.n_edges() + built.dropped_edges.len(), original.len());
        // Minimal: no dropped cycle edge could be put back without closing a cycle.
        for d in built.dropped_edges.iter().filter(|d| d.reason == DropReason::Cycle) {
            let p = g.skill_index(&d.prerequisite).unwrap();
            let s = g.skill_index(&d.skill).unwrap();
            prop_assert!(g.descendants(s).contains(&p));
        }
    }
}

/// A 100,000-skill graph of one shape: `chain` (each skill requires the one before) or a layered
/// DAG of 1,000-skill layers, skill `j` of a layer requiring skills `j`, `2j`, `2j + 1` (mod
/// 1,000) of the layer before, so each skill depends on every skill ten layers or more above it
/// (as the benches' `large_graph` example writes them). One activity per skill.
fn large(layered: bool) -> SkillGraph {
    const N: usize = 100_000;
    const WIDTH: usize = 1_000;
    let mut b = SkillGraphBuilder::new("large");
    for s in 0..N {
        let requires: Vec<String> = if !layered {
            s.checked_sub(1)
                .map(|p| format!("s{p}"))
                .into_iter()
                .collect()
        } else if s < WIDTH {
            Vec::new()
        } else {
            let (before, j) = ((s / WIDTH - 1) * WIDTH, s % WIDTH);
            [j, 2 * j % WIDTH, (2 * j + 1) % WIDTH]
                .iter()
                .map(|k| format!("s{}", before + k))
                .collect()
        };
        b.add_skill(SkillSpec::new(format!("s{s}")).requires(requires));
        b.add_activity(ActivitySpec::new(format!("a{s}"), [format!("s{s}")]).minutes(5.0));
    }
    b.build(&BuildOptions::default()).unwrap().graph
}

#[test]
fn a_100k_skill_chain_builds_queries_recommends_and_plans() {
    // Tarjan's recursive component search overflowed the stack at about 90,000 skills; the
    // stored ancestor/descendant closure took 12.7 GB for a 50,000-skill chain.
    check_large(false);
}

#[test]
fn a_100k_skill_layered_dag_builds_queries_recommends_and_plans() {
    // The stored closure of this DAG exceeded 8 GB; the graph is now linear in skills + edges.
    check_large(true);
}

fn check_large(layered: bool) {
    use crate::{FitInfo, LearnerState, Model, Params, Policy, Recommender, SkillModel};
    let g = large(layered);
    let n = g.n_skills();
    let last = n as u32 - 1;
    let stats = g.stats();
    assert_eq!(stats.depth, if layered { 99 } else { 99_999 });
    assert_eq!(g.longest_path().len() as u32, stats.depth + 1);
    let ancestors = g.ancestors(last);
    assert!(
        ancestors
            .windows(2)
            .all(|w| { g.topological_position(w[0]) < g.topological_position(w[1]) })
    );
    if layered {
        // Every skill of the first 90 layers, then a closed set: each ancestor's
        // prerequisites are ancestors too, and each one has `last` among its descendants.
        assert!(ancestors.len() > 90_000 && ancestors[..90_000].iter().all(|&a| a < 90_000));
        let within: std::collections::HashSet<u32> = ancestors.iter().copied().collect();
        for &a in ancestors.iter().chain([&last]) {
            assert!(g.prerequisites(a).iter().all(|p| within.contains(p)));
        }
        for &a in ancestors.iter().step_by(997) {
            assert_eq!(g.descendants(a).last(), Some(&last));
        }
    } else {
        assert_eq!(ancestors, (0..last).collect::<Vec<u32>>());
        assert_eq!(g.descendants(0), (1..n as u32).collect::<Vec<u32>>());
    }

    // A fast learner: the expected opportunities per skill (a Markov chain on a grid, the
    // path's cost per step, not the graph's) take one step each.
    let p = Params {
        prior: 0.1,
        learn: 0.99,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };
    let skills = g
        .skills()
        .iter()
        .map(|s| SkillModel::new(s.id.clone(), p, vec![], vec![], Default::default()))
        .collect();
    let model = Model::new(Default::default(), skills, vec![], FitInfo::default()).unwrap();
    let model = std::sync::Arc::new(model);
    let recommender =
        Recommender::new(std::sync::Arc::new(g), model.clone(), Policy::default()).unwrap();
    let state = LearnerState::new(&model);
    let top = recommender.recommend(&state, 3).unwrap();
    assert_eq!(top[0].skill, "s0");
    let goal = format!("s{last}");
    let plan = recommender.path(&state, &[goal.as_str()]).unwrap();
    assert_eq!(plan.steps.len(), ancestors.len() + 1);
    assert_eq!(plan.steps.last().unwrap().skill, goal);
    assert_eq!(recommender.path(&state, &[]).unwrap().steps.len(), n);
}
