//! `pathwise serve` end to end: the real binary on a random loopback port, driven over raw HTTP
//! (a few lines of std TcpStream, so the tests need no HTTP client crate).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{one_line_error, pathwise, repo_file};

/// A running `pathwise serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve_args(state: &Path) -> Vec<String> {
    [
        "serve",
        "--model",
        &repo_file("tests/fixtures/recommend/model.json"),
        "--graph",
        &repo_file("tests/fixtures/recommend/graph.toml"),
        "--state",
        &state.to_string_lossy(),
        "--listen",
        "127.0.0.1:0",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Starts the server and waits for its "listening on" line.
pub fn start(state: &Path, extra: &[&str]) -> Server {
    let mut args = serve_args(state);
    args.extend(extra.iter().map(|a| a.to_string()));
    start_with(&args)
}

/// Starts `pathwise ARGS` and waits for its "listening on" line.
pub fn start_with(args: &[String]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pathwise"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(rest) = line.strip_prefix("pathwise: listening on http://") {
            break rest.to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// One HTTP/1.1 request; the status and the JSON body (`null` when it is not JSON).
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> std::io::Result<(u16, Value)> {
    let (status, text) = raw_request(addr, method, path, body, token)?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// One HTTP/1.1 request; the status and the body's text.
pub fn raw_request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let body = body.unwrap_or("");
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    let reply = String::from_utf8(reply).expect("UTF-8 reply");
    let (head, body) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other(format!("no HTTP reply: {reply:?}")))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status: {head:?}")))?;
    Ok((status, body.to_owned()))
}

pub fn call(server: &Server, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
    request(&server.addr, method, path, body, None).expect("the server answers")
}

#[test]
fn serve_records_events_and_recommends() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    assert_eq!(
        call(&server, "GET", "/healthz", None),
        (200, json!({"status": "ok"}))
    );

    let event =
        r#"{"id":"e1","learner":"ann","item":"count-1","correct":true,"time":1700000000000}"#;
    let (status, reply) = call(&server, "POST", "/v1/events", Some(event));
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["recorded"], 1);
    let skills = &reply["learners"][0]["skills"];
    assert_eq!(
        skills.as_array().unwrap().len(),
        1,
        "only the skill touched: {reply}"
    );
    assert_eq!(skills[0]["skill"], "count");
    assert_eq!(skills[0]["evidence"]["attempts"], 1);

    // A retry of the same event does not count twice.
    let (_, again) = call(&server, "POST", "/v1/events", Some(&format!("[{event}]")));
    assert_eq!(
        (again["recorded"].clone(), again["duplicates"].clone()),
        (json!(0), json!(1))
    );

    let (status, learner) = call(&server, "GET", "/v1/learners/ann", None);
    assert_eq!(status, 200);
    assert_eq!(learner["events"], 1);
    assert_eq!(
        learner["skills"].as_array().unwrap().len(),
        5,
        "every graph skill"
    );

    let (status, next) = call(&server, "GET", "/v1/learners/ann/next?k=2", None);
    assert_eq!(status, 200, "{next}");
    let recs = next["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty() && recs.len() <= 2, "{next}");
    assert!(!recs[0]["reason"].as_str().unwrap().is_empty());
    let (_, goal) = call(&server, "GET", "/v1/learners/ann/next?goal=add", None);
    assert!(
        goal["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["skill"] == "count" || r["skill"] == "add"),
        "{goal}"
    );

    let (_, metrics) = raw_request(&server.addr, "GET", "/metrics", None, None).unwrap();
    assert!(
        metrics.contains("\npathwise_events_recorded_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\npathwise_events_duplicate_total 1\n"),
        "{metrics}"
    );

    assert_eq!(
        call(&server, "DELETE", "/v1/learners/ann", None).1["deleted_events"],
        1
    );
    assert_eq!(call(&server, "DELETE", "/v1/learners/ann", None).0, 404);
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann", None).1["events"],
        0
    );
}

#[test]
fn serve_answers_every_route_of_its_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    let (status, doc) = call(&server, "GET", "/v1/openapi.json", None);
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), 10);
    for (path, item) in paths {
        let path = path.replace("{id}", "nobody");
        for method in ["get", "post", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let body = (method == "post").then_some("{}");
            let (status, text) =
                raw_request(&server.addr, &method.to_uppercase(), &path, body, None).unwrap();
            assert!(
                status < 500 && status != 405,
                "{method} {path}: {status} {text}"
            );
            assert!(!text.contains("no such route"), "{method} {path}: {text}");
        }
    }
}

#[test]
fn serve_reads_xapi_statements() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    let statement = r#"{"id": "6f1f6c36-3f0b-4a4e-9d0c-1b7f8f2b5a10",
        "actor": {"account": {"homePage": "https://lms.example", "name": "42"}},
        "verb": {"id": "https://w3id.org/xapi/acrossx/verbs/evaluated"},
        "object": {"id": "count-1"}, "result": {"score": {"scaled": 0.8}},
        "timestamp": "2024-05-01T10:00:00Z"}"#;
    let (status, reply) = call(&server, "POST", "/v1/events", Some(statement));
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["recorded"], 1);
    assert_eq!(reply["learners"][0]["skills"][0]["evidence"]["correct"], 1);
    let (status, next) = call(
        &server,
        "GET",
        "/v1/learners/https%3A%2F%2Flms.example%7C42/next?k=1",
        None,
    );
    assert_eq!(status, 200, "{next}");
    assert_eq!(next["learner"], "https://lms.example|42");
    assert!(
        !next["recommendations"][0]["reason"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn serve_bad_requests_are_4xx_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir.path().join("state.db"), &["--no-auth"]);
    let field = |method: &str, path: &str, body: Option<&str>| {
        let (status, reply) = call(&server, method, path, body);
        (status, reply["error"]["field"].as_str().map(str::to_owned))
    };
    let ok = r#"{"learner":"a","skill":"count","correct":true,"time":1}"#;
    assert_eq!(
        field(
            "POST",
            "/v1/events",
            Some(r#"{"learner":"a","item":"nope","correct":true,"time":1}"#)
        ),
        (422, Some("item".into()))
    );
    assert_eq!(
        field(
            "POST",
            "/v1/events",
            Some(&format!(
                r#"[{ok},{{"learner":"a","skill":"nope","correct":true,"time":1}}]"#
            ))
        ),
        (422, Some("[1].skill".into()))
    );
    assert_eq!(field("POST", "/v1/events", Some("{not json")).0, 400);
    assert_eq!(
        field("POST", "/v1/events", Some(&"[".repeat(50_000))).0,
        400
    );
    // A body declared larger than the limit is refused before it is sent.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
    )
    .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
    assert_eq!(
        field("GET", "/v1/learners/a/next?k=0", None),
        (422, Some("k".into()))
    );
    assert_eq!(
        field("GET", "/v1/learners/a/next?k=x", None),
        (422, Some("k".into()))
    );
    assert_eq!(
        field("GET", "/v1/learners/a/next?goal=nope", None),
        (422, Some("goal".into()))
    );
    assert_eq!(
        field("GET", "/v1/learners/a/next?colour=1", None),
        (422, Some("colour".into()))
    );
    assert_eq!(field("GET", "/v1/nothing", None).0, 404);
    assert_eq!(field("PUT", "/v1/events", None).0, 405);
    // A conflicting reuse of an id is refused and records nothing.
    let first = r#"{"id":"x","learner":"a","skill":"count","correct":true,"time":1}"#;
    assert_eq!(field("POST", "/v1/events", Some(first)).0, 200);
    assert_eq!(
        field("POST", "/v1/events", Some(&first.replace("true", "false"))),
        (409, Some("id".into()))
    );
    assert_eq!(call(&server, "GET", "/v1/learners/a", None).1["events"], 1);
}

#[test]
fn serve_requires_a_listed_bearer_token() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    // SHA-256 of "secret".
    std::fs::write(
        &tokens,
        "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b\n",
    )
    .unwrap();
    let server = start(
        &dir.path().join("state.db"),
        &["--tokens", &tokens.to_string_lossy()],
    );
    let get = |token| request(&server.addr, "GET", "/v1/learners/a", None, token).unwrap();
    assert_eq!(get(None).0, 401);
    assert_eq!(get(Some("wrong")).0, 401);
    assert_eq!(get(Some("secret")).0, 200);
    assert_eq!(
        request(&server.addr, "GET", "/healthz", None, None)
            .unwrap()
            .0,
        200
    );
}

#[test]
fn serve_without_tokens_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let mut args = serve_args(&state);
    args.retain(|a| a != "--listen" && a != "127.0.0.1:0");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = pathwise(&[&args[..], &["--no-auth", "--listen", "0.0.0.0:0"]].concat());
    let (code, line) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert!(line.contains("loopback"), "{line}");
    let out = pathwise(&args);
    let (code, line) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert!(line.contains("--tokens"), "{line}");
    assert!(!state.exists(), "nothing written before refusing");
}

#[test]
fn serve_kill_9_loses_and_doubles_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let mut server = start(&state, &["--no-auth"]);
    let acked = Arc::new(AtomicUsize::new(0));
    // Several writers at once, so that the kill hits commits shared by several requests.
    const WRITERS: usize = 4;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (addr, acked) = (server.addr.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for i in 0..100_000 {
                    let event = format!(
                        r#"{{"id":"e{w}-{i}","learner":"crash","item":"count-1","correct":{},"time":{i}}}"#,
                        i % 3 != 0
                    );
                    match request(&addr, "POST", "/v1/events", Some(&event), None) {
                        Ok((200, _)) => {
                            ids.push(event);
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => break,
                    }
                }
                ids
            })
        })
        .collect();
    while acked.load(Ordering::SeqCst) < 100 {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    let acked: Vec<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(acked.len() >= 100);

    let server = start(&state, &["--no-auth"]);
    let stored = call(&server, "GET", "/v1/learners/crash", None).1["events"]
        .as_u64()
        .unwrap() as usize;
    // Every acknowledged event, plus at most the ones in flight at the kill.
    assert!(
        (acked.len()..=acked.len() + WRITERS).contains(&stored),
        "{stored} stored, {} acknowledged",
        acked.len()
    );
    // Each acknowledged event is there (its retry is a duplicate) and counts once.
    for batch in acked.chunks(1000) {
        let body = format!("[{}]", batch.join(","));
        let (status, reply) = call(&server, "POST", "/v1/events", Some(&body));
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["recorded"], 0);
        assert_eq!(reply["duplicates"], batch.len());
        assert_eq!(
            reply["learners"][0]["skills"][0]["evidence"]["attempts"], stored,
            "the state is the replay of the stored events"
        );
    }
}

/// Sends the head of a post and the first `sent` bytes of `body`, leaving the rest unsent.
fn start_post(addr: &str, body: &str, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..sent]
    )
    .unwrap();
    stream
}

fn status_of(stream: &mut TcpStream) -> String {
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn serve_sigterm_finishes_the_request_in_flight_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let mut server = start(&state, &["--no-auth"]);
    let event = r#"{"id":"late","learner":"ann","skill":"count","correct":true,"time":1}"#;
    let mut stream = start_post(&server.addr, event, 10);
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(&server.addr).is_err(),
        "no new connection is accepted once stopping"
    );
    assert_eq!(server.child.try_wait().unwrap(), None, "still answering");
    stream.write_all(&event.as_bytes()[10..]).unwrap();
    assert_eq!(status_of(&mut stream), "HTTP/1.1 200 OK");
    let code = (0..100)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            server.child.try_wait().unwrap()
        })
        .expect("the server exits once the request is answered");
    assert_eq!(code.code(), Some(0));

    let server = start(&state, &["--no-auth"]);
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann", None).1["events"],
        1,
        "the answered event is stored"
    );
}

#[test]
fn serve_a_body_sent_too_slowly_is_answered_503_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(
        &dir.path().join("state.db"),
        &["--no-auth", "--timeout", "0.5"],
    );
    let event = r#"{"learner":"ann","skill":"count","correct":true,"time":1}"#;
    let started = std::time::Instant::now();
    let mut stream = start_post(&server.addr, event, 10);
    assert_eq!(status_of(&mut stream), "HTTP/1.1 503 Service Unavailable");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(
        call(&server, "GET", "/v1/learners/ann", None).1["events"],
        0
    );
    let out = pathwise(&[
        "serve",
        "--timeout",
        "0",
        "--no-auth",
        "--model",
        "m",
        "--graph",
        "g",
        "--state",
        "s",
    ]);
    let (code, line) = one_line_error(&out);
    assert_eq!(code, Some(2));
    assert!(line.contains("--timeout"), "{line}");
}
