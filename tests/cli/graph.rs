//! `pathwise graph check|stats|dot` end to end: values on the demo curriculum and small files,
//! exit codes, one-line errors, DOT escaping, atomic `-o`, and the Junyi table when the shared
//! datasets are present (`$PATHWISE_SHARED_DATASETS` or `../shared/datasets` from the workspace).

use crate::common::{fails, pathwise};
use std::path::{Path, PathBuf};

fn demo() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../datasets/demo/curriculum.toml")
        .display()
        .to_string()
}

fn shared() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PATHWISE_SHARED_DATASETS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_dir());
    if found.is_none() {
        eprintln!(
            "note: shared datasets not found (set PATHWISE_SHARED_DATASETS); skipping this test"
        );
    }
    found
}

fn succeeds(args: &[&str]) -> (String, String) {
    let out = pathwise(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn temp_graph(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.display().to_string();
    (dir, path)
}

const CYCLE: &str = "[[skill]]\nid = \"a\"\nrequires = [\"c\"]\n\n[[skill]]\nid = \"b\"\nrequires = [\"a\"]\n\n[[skill]]\nid = \"c\"\nrequires = [\"b\"]\n";

#[test]
fn check_accepts_the_demo_curriculum() {
    let (stdout, stderr) = succeeds(&["graph", "check", &demo()]);
    assert_eq!(
        stdout,
        format!(
            "{}: ok (toml): 70 skills, 109 prerequisite edges, 206 activities, acyclic\n",
            demo()
        )
    );
    assert!(stderr.is_empty());
}

#[test]
fn check_rejects_a_cycle_with_one_line_and_lists_dropped_edges_on_request() {
    let (_dir, path) = temp_graph("cycle.toml", CYCLE);
    assert_eq!(
        fails(&["graph", "check", &path]),
        format!(
            "pathwise: error: {path}:1 (skill 'a'): prerequisites form a cycle: a -> b -> c -> a \
             (drop-cycle-edges can break it)"
        )
    );
    let (stdout, _) = succeeds(&["graph", "check", &path, "--drop-cycle-edges"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!("{path}: ok (toml): 3 skills, 2 prerequisite edges, 0 activities, acyclic")
    );
    assert!(lines[1].starts_with("dropped 1 edge(s): "), "{stdout}");
}

#[test]
fn check_errors_name_the_place() {
    let (_dir, path) = temp_graph("g.toml", "[[skill]]\nid = \"a\"\nrequires = [\"b\"]\n");
    assert_eq!(
        fails(&["graph", "check", &path]),
        format!("pathwise: error: {path}:1 (skill 'b'): unknown skill id (a prerequisite of 'a')")
    );
    let (_dir, path) = temp_graph("g.toml", "[[skill]]\nid = 3\n");
    assert_eq!(
        fails(&["graph", "check", &path]),
        format!("pathwise: error: {path}:2:6: invalid type: integer `3`, expected a string")
    );
    let message = fails(&["graph", "check", "/no/such/graph.toml"]);
    assert!(
        message.starts_with("pathwise: error: /no/such/graph.toml: "),
        "{message}"
    );
}

#[test]
fn stats_json_describes_the_demo_curriculum() {
    let (stdout, _) = succeeds(&["graph", "stats", &demo(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["format"], "toml");
    assert_eq!(json["skills"], 70);
    assert_eq!(json["edges"], 109);
    assert_eq!(json["activities"], 206);
    assert_eq!(json["roots"], 3);
    assert_eq!(json["leaves"], 12);
    assert_eq!(json["isolated"], 0);
    assert_eq!(json["depth"], 14);
    let path = json["longest_path"].as_array().unwrap();
    assert_eq!(path.len(), 15);
    assert_eq!(path[0], "ns.count_100");
    assert_eq!(path[14], "eq.systems");
    assert_eq!(json["max_in_degree"], 3);
    assert_eq!(json["max_in_degree_skill"], "as.add_sub_1000");
    assert_eq!(json["max_out_degree"], 7);
    assert_eq!(json["max_out_degree_skill"], "md.facts");
    assert_eq!(json["skills_without_activities"], 0);
    assert_eq!(json["dropped_edges"], serde_json::json!([]));
}

#[test]
fn stats_table_and_csv_agree() {
    let (table, _) = succeeds(&["graph", "stats", &demo()]);
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["edges", "109"])
    );
    assert!(
        table
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["longest_path_to", "eq.systems"])
    );
    let (csv, _) = succeeds(&["graph", "stats", &demo(), "--format", "csv"]);
    assert!(
        csv.starts_with("statistic,value\nformat,toml\nskills,70\n"),
        "{csv}"
    );
}

#[test]
fn dot_quotes_and_escapes_names() {
    let text = "[[skill]]\nid = \"a\"\nname = 'Say \"hi\" \\ now'\n\n[[skill]]\nid = \"b c\"\nrequires = [\"a\"]\nstandard = \"X.1\"\n";
    let (_dir, path) = temp_graph("g.toml", text);
    let (stdout, _) = succeeds(&["graph", "dot", &path]);
    assert_eq!(
        stdout,
        "digraph skills {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n  \
         \"a\" [label=\"Say \\\"hi\\\" \\\\ now\", tooltip=\"a\"];\n  \
         \"b c\" [label=\"b c\", tooltip=\"b c · X.1\"];\n  \"a\" -> \"b c\";\n}\n"
    );
}

#[test]
fn dot_writes_a_file_atomically_and_nothing_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.dot");
    let out_s = out.display().to_string();
    let (stdout, _) = succeeds(&["graph", "dot", &demo(), "-o", &out_s]);
    assert!(stdout.is_empty());
    let dot = std::fs::read_to_string(&out).unwrap();
    assert_eq!(dot.matches(" -> ").count(), 109);
    assert!(dot.contains("\"md.facts\" -> \"md.div_facts\";"));

    let (_g, bad) = temp_graph("cycle.toml", CYCLE);
    let failed = dir.path().join("bad.dot");
    fails(&["graph", "dot", &bad, "-o", &failed.display().to_string()]);
    assert!(!failed.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn junyi_needs_drop_cycle_edges() {
    let Some(dir) = shared() else { return };
    let junyi = dir
        .join("junyi_exercise_prerequisite_graph/junyi_Exercise_table.csv")
        .display()
        .to_string();
    let message = fails(&["graph", "check", &junyi]);
    assert!(
        message.ends_with(
            ":54 (skill 'proportions_1'): the skill lists itself as a prerequisite (self-loop)"
        ),
        "{message}"
    );
    let (stdout, stderr) = succeeds(&[
        "graph",
        "stats",
        &junyi,
        "--drop-cycle-edges",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["format"], "junyi");
    assert_eq!(json["skills"], 835);
    assert_eq!(json["edges"], 978);
    assert_eq!(json["dropped_edges"].as_array().unwrap().len(), 3);
    assert!(
        stderr.contains("dropped 3 edge(s) to break cycles"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
}
