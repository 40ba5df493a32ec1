//! `pathwise serve`'s learning path, export and reload routes, end to end on the real binary.

use serde_json::json;

use crate::common::{pathwise, repo_file};
use crate::serve::{call, raw_request, serve_args, start, start_with};

const EVENTS: &str = r#"[
    {"id":"e1","learner":"ann","item":"count-1","correct":true,"time":1},
    {"id":"e2","learner":"ann","item":"count-1","correct":true,"time":2},
    {"id":"e3","learner":"ann","skill":"add","item":"add-1","correct":false,"time":3},
    {"learner":"ann","skill":"sub","correct":true,"time":4}]"#;

#[test]
fn serve_path_gives_the_learning_path_to_the_goal() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    assert_eq!(call(&server, "POST", "/v1/events", Some(EVENTS)).0, 200);
    let (status, path) = call(&server, "GET", "/v1/learners/ann/path?goal=word", None);
    assert_eq!(status, 200, "{path}");
    assert_eq!(path["learner"], "ann");
    let skills: Vec<&str> = path["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["skill"].as_str().unwrap())
        .collect();
    assert_eq!(skills.last(), Some(&"word"), "{path}");
    assert!(
        skills
            .iter()
            .all(|s| ["count", "add", "sub", "word"].contains(s))
    );
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann/path?goal=nope", None).1["error"]["field"],
        "goal"
    );
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann/path?k=1", None).1["error"]["field"],
        "k"
    );
}

#[test]
fn serve_export_is_a_log_the_cli_reads_and_a_body_the_service_takes() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    assert_eq!(call(&server, "POST", "/v1/events", Some(EVENTS)).0, 200);

    let (status, ndjson) =
        raw_request(&server.addr, "GET", "/v1/learners/ann/export", None, None).unwrap();
    assert_eq!(status, 200);
    let lines: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        json!({"id":"e1","learner":"ann","item":"count-1","correct":true,"time":1.0})
    );
    // Posted to another service, the lines give the same learner.
    let other = start(&dir.path().join("other.db"), &["--no-auth"]);
    let body = format!("[{}]", ndjson.trim_end().replace('\n', ","));
    assert_eq!(call(&other, "POST", "/v1/events", Some(&body)).0, 200);
    assert_eq!(
        call(&other, "GET", "/v1/learners/ann", None).1,
        call(&server, "GET", "/v1/learners/ann", None).1
    );

    let (status, csv) = raw_request(
        &server.addr,
        "GET",
        "/v1/learners/ann/export?format=csv",
        None,
        None,
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("learner,skill,item,correct,order\n"),
        "{csv}"
    );
    let log = dir.path().join("ann.csv");
    std::fs::write(&log, &csv).unwrap();
    let out = pathwise(&[
        "path",
        "--model",
        &repo_file("tests/fixtures/recommend/model.json"),
        "--graph",
        &repo_file("tests/fixtures/recommend/graph.toml"),
        &log.to_string_lossy(),
        "--learner",
        "ann",
        "--goal",
        "word",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cli: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let (_, served) = call(&server, "GET", "/v1/learners/ann/path?goal=word", None);
    let served = served["steps"].as_array().unwrap();
    assert_eq!(cli.len(), served.len(), "{cli:?} {served:?}");
    for (c, s) in cli.iter().zip(served) {
        assert_eq!(c["skill"], s["skill"]);
        let (c, s) = (
            c["mastery"].as_f64().unwrap(),
            s["mastery"].as_f64().unwrap(),
        );
        assert!(
            (c - s).abs() < 1e-9,
            "the CLI replays the export to the same state"
        );
    }
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann/export?format=xml", None).1["error"]["field"],
        "format"
    );
}

#[test]
fn serve_reload_swaps_the_model_and_graph_and_replays_states() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let graph = dir.path().join("graph.toml");
    std::fs::copy(repo_file("tests/fixtures/recommend/model.json"), &model).unwrap();
    let original =
        std::fs::read_to_string(repo_file("tests/fixtures/recommend/graph.toml")).unwrap();
    std::fs::write(&graph, &original).unwrap();
    let mut args = serve_args(&dir.path().join("state.db"));
    args[2] = model.to_string_lossy().into_owned();
    args[4] = graph.to_string_lossy().into_owned();
    args.push("--no-auth".into());
    let server = start_with(&args);
    assert_eq!(call(&server, "POST", "/v1/events", Some(EVENTS)).0, 200);
    let before = call(&server, "GET", "/v1/learners/ann", None).1;
    assert_eq!(before["unmapped"], 0);

    // The new graph renames the activity count-1; the new model drops the skill geometry.
    std::fs::write(&graph, original.replace("\"count-1\"", "\"count-one\"")).unwrap();
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    m["skills"].as_object_mut().unwrap().remove("geometry");
    std::fs::write(&model, m.to_string()).unwrap();
    let (status, reply) = call(&server, "POST", "/v1/admin/reload", None);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["dropped"], json!(["geometry"]));
    assert_eq!(reply["carried"], 4);
    assert_eq!(reply["added"], json!([]));
    assert_eq!(reply["learners_to_replay"], 1);
    let after = call(&server, "GET", "/v1/learners/ann", None).1;
    assert_eq!(after["events"], 4);
    assert_eq!(
        after["unmapped"], 2,
        "count-1 is no activity any more: {after}"
    );

    // A bad file is refused and the service keeps the engine it has.
    std::fs::write(&graph, "[[skill]]\nid = ").unwrap();
    let (status, reply) = call(&server, "POST", "/v1/admin/reload", None);
    assert_eq!(status, 422, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("graph.toml"),
        "{reply}"
    );
    assert_eq!(call(&server, "GET", "/v1/learners/ann", None).1, after);
}
