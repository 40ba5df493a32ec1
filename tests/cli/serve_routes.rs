//! `pathwise serve`'s learning path, export and reload routes, end to end on the real binary.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::json;

use crate::common::{pathwise, repo_file};
use crate::serve::{call, raw_request, serve_args, start, start_with};

const LAST_SEQ: &str = "pathwise-last-seq: ";

/// A GET; the status, the reply's head and its body.
fn raw_exchange(addr: &str, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_lowercase(), body.to_owned())
}

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

    // Every learner's events, page by page.
    let bob = r#"{"learner":"bob","skill":"add","correct":true,"time":5}"#;
    assert_eq!(call(&server, "POST", "/v1/events", Some(bob)).0, 200);
    let mut after = 0;
    let mut pages = Vec::new();
    loop {
        let path = format!("/v1/export?after={after}&limit=2");
        let (status, head, body) = raw_exchange(&server.addr, &path);
        assert_eq!(status, 200);
        if body.is_empty() {
            assert!(!head.contains(LAST_SEQ), "{head}");
            break;
        }
        after = head
            .lines()
            .find_map(|l| l.strip_prefix(LAST_SEQ))
            .and_then(|v| v.trim().parse().ok())
            .expect("the last sequence number");
        pages.push(body);
    }
    assert_eq!(pages.len(), 3, "5 events in pages of 2: {pages:?}");
    let all = pages.concat();
    assert!(
        all.starts_with(&ndjson) && all.ends_with("\"time\":5.0}\n"),
        "{all}"
    );
    assert_eq!(
        call(&server, "GET", "/v1/export?limit=0", None).1["error"]["field"],
        "limit"
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
