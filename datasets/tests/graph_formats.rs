//! Graph files: every format loads, and every kind of bad input gives one clear error naming the
//! place. The shared-dataset tests (Junyi, AL-CPL) skip with a note when the folder is absent: it
//! is looked for in `$PATHWISE_SHARED_DATASETS`, then at `../shared/datasets` from the workspace
//! root.

use std::path::{Path, PathBuf};

use pathwise_datasets::{GraphFormat, GraphOptions, LoadedGraph, load_graph};

fn shared() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PATHWISE_SHARED_DATASETS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")),
    ];
    let found = candidates.into_iter().flatten().find(|p| p.is_dir());
    if found.is_none() {
        eprintln!(
            "note: shared datasets not found (set PATHWISE_SHARED_DATASETS); skipping this test"
        );
    }
    found
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load_text(name: &str, text: &str, drop: bool) -> (PathBuf, Result<LoadedGraph, String>) {
    // The folder is removed when `dir` drops at the end of this function; only the path is kept.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), name, text);
    let options = GraphOptions {
        drop_cycle_edges: drop,
        skills_file: None,
    };
    let result = load_graph(&path, &options).map_err(|e| e.to_string());
    (path, result)
}

fn error(name: &str, text: &str) -> String {
    let (path, result) = load_text(name, text, false);
    let message = result.expect_err("the file must be rejected");
    let file = path.display().to_string();
    assert!(message.starts_with(&file), "{message}");
    assert_eq!(message.lines().count(), 1, "{message}");
    message[file.len()..].to_owned()
}

const SMALL: &str = r#"
[[skill]]
id = "count"
name = "Count to 20"

[[skill]]
id = "add"
name = "Add within 20"
requires = ["count"]
standard = "CCSS.MATH.CONTENT.1.OA.C.6"
description = "Fluently add"

[[activity]]
id = "add-1"
name = "Adding game"
skills = ["add"]
minutes = 8

[[activity]]
id = "mixed"
skills = ["add", "count"]
"#;

#[test]
fn native_toml_loads_every_field() {
    let (_, loaded) = load_text("g.toml", SMALL, false);
    let loaded = loaded.unwrap();
    assert_eq!(loaded.format, GraphFormat::Toml);
    let g = &loaded.graph;
    assert_eq!((g.n_skills(), g.n_edges(), g.n_activities()), (2, 1, 2));
    let add = g.skill(g.skill_index("add").unwrap());
    assert_eq!(add.name, "Add within 20");
    assert_eq!(add.standard.as_deref(), Some("CCSS.MATH.CONTENT.1.OA.C.6"));
    assert_eq!(add.description.as_deref(), Some("Fluently add"));
    assert_eq!(g.activity(0).minutes, Some(8.0));
    assert_eq!(g.activity(0).name.as_deref(), Some("Adding game"));
    assert_eq!(g.activity(1).minutes, None);
    assert_eq!(g.activity(1).skills, vec![1, 0]);
}

#[test]
fn native_json_loads_the_same_schema() {
    let json = r#"{"skill": [{"id": "count"}, {"id": "add", "requires": ["count"], "name": "Add"}],
                   "activity": [{"id": "a", "skills": ["add"], "minutes": 4.5}]}"#;
    let (_, loaded) = load_text("g.json", json, false);
    let loaded = loaded.unwrap();
    assert_eq!(loaded.format, GraphFormat::Json);
    assert_eq!(loaded.graph.n_edges(), 1);
    assert_eq!(loaded.graph.skill(0).name, "count");
    assert_eq!(loaded.graph.activity(0).minutes, Some(4.5));
}

#[test]
fn a_cycle_is_printed_in_order() {
    let text = r#"
[[skill]]
id = "a"
requires = ["c"]

[[skill]]
id = "b"
requires = ["a"]

[[skill]]
id = "c"
requires = ["b"]
"#;
    assert_eq!(
        error("g.toml", text),
        ":2 (skill 'a'): prerequisites form a cycle: a -> b -> c -> a (drop-cycle-edges can break it)"
    );
    let (_, loaded) = load_text("g.toml", text, true);
    let loaded = loaded.unwrap();
    assert_eq!(loaded.dropped_edges.len(), 1);
    assert_eq!(loaded.graph.n_edges(), 2);
}

#[test]
fn an_unknown_prerequisite_is_named() {
    let text = "[[skill]]\nid = \"add\"\n\n[[skill]]\nid = \"sub\"\nrequires = [\"adx\"]\n";
    assert_eq!(
        error("g.toml", text),
        ":4 (skill 'adx'): unknown skill id (a prerequisite of 'sub') (did you mean 'add'?)"
    );
}

#[test]
fn a_duplicate_skill_id_is_named() {
    let text = "[[skill]]\nid = \"add\"\n\n[[skill]]\nid = \"add\"\n";
    assert_eq!(
        error("g.toml", text),
        ":4 (skill 'add'): duplicate skill id (each skill may be defined once)"
    );
}

#[test]
fn a_self_loop_is_named_and_can_be_dropped() {
    let text = "[[skill]]\nid = \"add\"\nrequires = [\"add\"]\n";
    assert_eq!(
        error("g.toml", text),
        ":1 (skill 'add'): the skill lists itself as a prerequisite (self-loop)"
    );
    let (_, loaded) = load_text("g.toml", text, true);
    assert_eq!(
        loaded.unwrap().dropped_edges,
        vec![("add".to_owned(), "add".to_owned())]
    );
}

#[test]
fn syntax_errors_give_line_and_column() {
    assert_eq!(
        error("g.toml", "[[skill]]\nid = \"add\nname = \"x\"\n"),
        ":2:10: invalid basic string, expected `\"`"
    );
    assert_eq!(
        error("g.toml", "[[skill]]\nid = \"add\"\nrequire = [\"x\"]\n"),
        ":3:1: unknown field `require`, expected one of `id`, `name`, `requires`, `standard`, `description`"
    );
    assert_eq!(
        error("g.json", "{\"skill\": [{\"id\": \"a\",}]}"),
        ":1:23: trailing comma"
    );
    assert_eq!(
        error(
            "g.toml",
            "[[activity]]\nid = \"x\"\nskills = [\"a\"]\nminutes = \"ten\"\n"
        ),
        ":4:11: invalid type: string \"ten\", expected f64"
    );
}

#[test]
fn json_graph_with_a_duplicate_key_is_refused_with_its_place() {
    // Appending a second "skill" member would otherwise replace or merge the first one's skills.
    assert_eq!(
        error("g.json", "{\"skill\": [{\"id\": \"a\"}],\n \"skill\": []}"),
        ":2:8: duplicate member name 'skill'"
    );
    assert_eq!(
        error("g.json", "{\"skill\": [{\"id\": \"a\", \"id\": \"b\"}]}"),
        ":1:27: duplicate member name 'id'"
    );
}

#[cfg(unix)]
#[test]
fn graph_path_to_a_fifo_without_a_writer_is_an_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("graph.toml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(status.unwrap().success(), "mkfifo failed");
    let err = load_graph(&fifo, &GraphOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: the file defines no skills", fifo.display())
    );
}

#[test]
fn empty_and_unrecognised_files_are_errors() {
    assert_eq!(error("g.toml", ""), ": the file defines no skills");
    assert_eq!(
        error("g.csv", "a,b\n1,2\n"),
        ":1: unrecognised graph file: expected .toml, .json, .preqs, an edge-list CSV (header \
         prerequisite,skill) or the Junyi exercise table (name,prerequisites,...); found header 'a,b'"
    );
    let missing = load_graph(Path::new("/no/such/graph.toml"), &GraphOptions::default())
        .unwrap_err()
        .to_string();
    assert!(missing.starts_with("/no/such/graph.toml: "), "{missing}");
}

#[cfg(unix)]
#[test]
fn a_graph_from_dev_zero_is_refused_at_the_size_limit_not_read_forever() {
    let e = load_graph(Path::new("/dev/zero"), &GraphOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "/dev/zero: more than the {} MiB a graph file may have",
            pathwise_datasets::MAX_GRAPH_FILE_BYTES >> 20
        )
    );
}

#[test]
fn edge_list_with_and_without_a_skills_file() {
    let dir = tempfile::tempdir().unwrap();
    let edges = write(
        dir.path(),
        "math.csv",
        "prerequisite,skill\ncount,add\ncount,sub\n,place\nadd,word\nsub,word\n",
    );
    let loaded = load_graph(&edges, &GraphOptions::default()).unwrap();
    assert_eq!(loaded.format, GraphFormat::EdgeList);
    assert_eq!(loaded.skills_file, None);
    let ids: Vec<&str> = loaded
        .graph
        .skills()
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ["count", "add", "sub", "place", "word"]);
    assert_eq!(loaded.graph.n_edges(), 4);

    // A skills file beside the edge list gives names, standards and order.
    let skills = write(
        dir.path(),
        "math.skills.csv",
        "id,name,standard\nplace,Place value,\nword,Word problems,1.OA.A.1\ncount,Count,\nadd,Add,\nsub,Subtract,\n",
    );
    let loaded = load_graph(&edges, &GraphOptions::default()).unwrap();
    assert_eq!(loaded.skills_file.as_deref(), Some(skills.as_path()));
    let g = &loaded.graph;
    assert_eq!(g.skill(0).name, "Place value");
    assert_eq!(g.skill(1).standard.as_deref(), Some("1.OA.A.1"));
    assert_eq!(g.skill(0).standard, None);

    // An edge naming a skill that the skills file lacks is an error at its line.
    write(
        dir.path(),
        "bad.csv",
        "prerequisite,skill\ncount,add\ncount,divide\n",
    );
    let options = GraphOptions {
        drop_cycle_edges: false,
        skills_file: Some(skills),
    };
    let message = load_graph(&dir.path().join("bad.csv"), &options)
        .unwrap_err()
        .to_string();
    assert!(
        message.ends_with("bad.csv:3 (skill 'divide'): unknown skill id"),
        "{message}"
    );
}

#[test]
fn junyi_loads_with_drop_cycle_edges_and_fails_clearly_without() {
    let Some(dir) = shared() else { return };
    let path = dir.join("junyi_exercise_prerequisite_graph/junyi_Exercise_table.csv");
    let message = load_graph(&path, &GraphOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.ends_with("the skill lists itself as a prerequisite (self-loop)"),
        "{message}"
    );
    let options = GraphOptions {
        drop_cycle_edges: true,
        skills_file: None,
    };
    let loaded = load_graph(&path, &options).unwrap();
    assert_eq!(loaded.format, GraphFormat::Junyi);
    let g = &loaded.graph;
    assert_eq!(g.n_skills(), 835);
    // 979 distinct edges without self-loops, minus the one that breaks the 3-cycle.
    assert_eq!(g.n_edges(), 978);
    let cycle = [
        "simplifying_radicals",
        "adding_and_subtracting_radicals",
        "radical_multiplication_and_division",
    ];
    let dropped: Vec<(&str, &str)> = loaded
        .dropped_edges
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    assert_eq!(dropped.len(), 3, "{dropped:?}");
    assert_eq!(dropped[0], ("proportions_1", "proportions_1"));
    assert_eq!(
        dropped[1],
        ("number_sense_length_l1", "number_sense_length_l1")
    );
    assert!(
        cycle.contains(&dropped[2].0) && cycle.contains(&dropped[2].1),
        "{dropped:?}"
    );
    // The README counts 95 exercises without prerequisites in the raw table; the two self-loop
    // exercises list only themselves, so they become roots once the self-loops are gone.
    assert_eq!(g.roots().count(), 97);
    assert_eq!(
        (0..g.n_skills() as u32)
            .filter(|&s| g.prerequisites(s).is_empty() && g.dependents(s).is_empty())
            .count(),
        59
    );
}

#[test]
fn junyi_cycle_error_names_the_three_exercises() {
    let Some(dir) = shared() else { return };
    // The table without its two self-loops still has the 3-cycle.
    let text = std::fs::read_to_string(
        dir.join("junyi_exercise_prerequisite_graph/junyi_Exercise_table.csv"),
    )
    .unwrap();
    let text = text
        .replace(",proportions_1,", ",,")
        .replace("\"proportions_1,", "\"")
        .replace(",proportions_1\"", "\"")
        .replace(",number_sense_length_l1,", ",,");
    let (_, result) = load_text("junyi.csv", &text, false);
    let message = result.unwrap_err();
    assert!(
        message.contains("prerequisites form a cycle: ")
            && message.contains("simplifying_radicals")
            && message.contains("adding_and_subtracting_radicals")
            && message.contains("radical_multiplication_and_division"),
        "{message}"
    );
}

#[test]
fn junyi_derived_edge_file_and_alcpl_pairs_load() {
    let Some(dir) = shared() else { return };
    let edges = dir.join("junyi_exercise_prerequisite_graph/prerequisite_edges.csv");
    let options = GraphOptions {
        drop_cycle_edges: true,
        skills_file: None,
    };
    let loaded = load_graph(&edges, &options).unwrap();
    assert_eq!(loaded.format, GraphFormat::EdgeList);
    assert_eq!(loaded.graph.n_edges() + loaded.dropped_edges.len(), 979);
    for (domain, pairs) in [
        ("data_mining", 292),
        ("geometry", 524),
        ("physics", 487),
        ("precalculus", 699),
    ] {
        let path = dir.join(format!("alcpl_concept_prerequisites/{domain}.preqs"));
        let loaded = load_graph(&path, &GraphOptions::default()).unwrap();
        assert_eq!(loaded.format, GraphFormat::AlCpl);
        assert_eq!(loaded.graph.n_edges(), pairs, "{domain}");
    }
}
