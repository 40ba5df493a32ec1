//! The service without HTTP: posts, xAPI statements, voiding, and replay after a restart.

use std::sync::Arc;

use pathwise::bkt::SkillStats;
use pathwise::*;

use super::*;
use crate::events::parse_body;
use crate::store::SqliteStore;

const Q1: &str = "https://lms.example/q/count-1";

fn recommender() -> Recommender {
    let mut b = SkillGraphBuilder::new("curriculum.toml");
    b.add_skill(SkillSpec::new("count"));
    b.add_skill(SkillSpec::new("add").requires(["count"]));
    b.add_activity(ActivitySpec::new(Q1, ["count"]));
    b.add_activity(ActivitySpec::new("add-drill", ["add"]));
    let graph = Arc::new(b.build(&BuildOptions::default()).unwrap().graph);
    let p = Params {
        prior: 0.3,
        learn: 0.2,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };
    let skills =
        ["add", "count"].map(|id| SkillModel::new(id, p, vec![], vec![], SkillStats::default()));
    let model = Arc::new(
        Model::new(
            Variant::default(),
            skills.to_vec(),
            vec![],
            FitInfo::default(),
        )
        .unwrap(),
    );
    Recommender::new(graph, model, Policy::default()).unwrap()
}

fn service(path: &std::path::Path) -> Service {
    let store = SqliteStore::open(path).unwrap();
    Service::new(recommender(), MasteryRule::default(), Box::new(store)).unwrap()
}

fn statement(id: &str, verb: &str, object: &str, result: &str) -> String {
    format!(
        r#"{{"id":"{id}","actor":{{"mbox":"mailto:ann@example.org"}},"verb":{{"id":"{verb}"}},
           "object":{{"id":"{object}"}},"timestamp":"2024-01-02T03:04:05Z"{result}}}"#
    )
}

fn post(s: &Service, body: &str) -> Posted {
    s.post(&parse_body(body.as_bytes()).unwrap()).unwrap()
}

#[test]
fn xapi_answers_count_and_other_statements_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir.path().join("s.db"));
    let answered = "http://adlnet.gov/expapi/verbs/answered";
    let body = format!(
        "[{},{},{},{}]",
        statement("s1", answered, Q1, r#","result":{"success":true}"#),
        statement("s2", answered, Q1, ""),
        statement("s3", "http://adlnet.gov/expapi/verbs/experienced", Q1, ""),
        statement(
            "s4",
            answered,
            "https://lms.example/video",
            r#","result":{"success":true}"#
        ),
    );
    let reply = post(&s, &body);
    assert_eq!((reply.recorded, reply.skipped), (1, 3));
    assert_eq!(reply.learners[0].learner, "mailto:ann@example.org");
    assert_eq!(reply.learners[0].skills[0].skill, "count");
    assert_eq!(reply.learners[0].skills[0].knowledge.evidence.attempts, 1);
}

#[test]
fn voiding_undoes_a_statement_before_or_after_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir.path().join("s.db"));
    let answered = "http://adlnet.gov/expapi/verbs/answered";
    let void = |target: &str| {
        format!(
            r#"{{"actor":{{"mbox":"mailto:admin@example.org"}},
                "verb":{{"id":"http://adlnet.gov/expapi/verbs/voided"}},
                "object":{{"objectType":"StatementRef","id":"{target}"}}}}"#
        )
    };
    post(
        &s,
        &statement("s1", answered, Q1, r#","result":{"success":true}"#),
    );
    post(
        &s,
        &statement("s2", answered, Q1, r#","result":{"success":false}"#),
    );
    let reply = post(&s, &void("s1"));
    assert_eq!(reply.voids, 1);
    let ann = s.knowledge("mailto:ann@example.org").unwrap();
    assert_eq!(ann.events, 1);
    assert_eq!(
        ann.skills[0].knowledge.evidence.correct, 0,
        "only s2 is left"
    );
    // A voided statement that arrives (again) later is not recorded.
    post(&s, &void("s3"));
    let late = post(
        &s,
        &statement("s3", answered, Q1, r#","result":{"success":true}"#),
    );
    assert_eq!((late.recorded, late.skipped), (0, 1));
}

#[test]
fn states_after_a_restart_are_the_replay_of_the_stored_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let before = {
        let s = service(&path);
        for (i, correct) in [true, false, true, true].iter().enumerate() {
            let e = format!(
                r#"{{"id":"e{i}","learner":"bo","item":"{Q1}","correct":{correct},"time":{i}}}"#
            );
            post(&s, &e);
        }
        serde_json::to_string(&s.knowledge("bo").unwrap()).unwrap()
    };
    let after = serde_json::to_string(&service(&path).knowledge("bo").unwrap()).unwrap();
    assert_eq!(before, after);
}

#[test]
fn unknown_learners_leave_no_trace_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir.path().join("s.db"));
    for i in 0..10 {
        let id = format!("nobody-{i}");
        assert_eq!(s.knowledge(&id).unwrap().events, 0);
        assert!(!s.next(&id, 3, &[]).unwrap().recommendations.is_empty());
    }
    assert_eq!(s.learners_in_memory(), 0);
}

#[test]
fn concurrent_posts_and_reads_leave_every_state_equal_to_its_replay() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let s = Arc::new(service(&path));
    let workers: Vec<_> = (0..6)
        .map(|t| {
            let s = s.clone();
            std::thread::spawn(move || {
                for i in 0..40 {
                    let learner = format!("l{}", (t + i) % 4);
                    let e = format!(
                        r#"{{"id":"t{t}-{i}","learner":"{learner}","item":"{Q1}","correct":{},"time":{i}}}"#,
                        i % 3 != 0
                    );
                    // A retry counts once (or again after a deletion in between).
                    post(&s, &e);
                    let again = post(&s, &e);
                    assert_eq!(again.duplicates + again.recorded, 1);
                    s.next(&learner, 2, &[]).unwrap();
                    if i % 10 == 0 {
                        s.delete(&format!("l{}", (t + i + 1) % 4)).unwrap();
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let metric = |name: &str| -> u64 {
        let text = s.metrics();
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        line[name.len()..].trim().parse().unwrap()
    };
    let (commits, changes) = (
        metric("pathwise_commits_total "),
        metric("pathwise_committed_changes_total "),
    );
    // 6 threads × 40 × 2 posts, and 6 × 4 deletions.
    assert_eq!(changes, 6 * 40 * 2 + 6 * 4);
    assert!((1..=changes).contains(&commits), "{commits} commits");
    let live: Vec<String> = (0..4)
        .map(|l| serde_json::to_string(&s.knowledge(&format!("l{l}")).unwrap()).unwrap())
        .collect();
    drop(s);
    let fresh = service(&path);
    for (l, live) in live.iter().enumerate() {
        let replayed = serde_json::to_string(&fresh.knowledge(&format!("l{l}")).unwrap()).unwrap();
        assert_eq!(*live, replayed, "learner l{l}");
    }
}

#[test]
fn reload_without_files_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = service(&dir.path().join("s.db"));
    post(
        &s,
        &format!(r#"{{"learner":"ann","item":"{Q1}","correct":true,"time":1}}"#),
    );
    let err = s.reload().unwrap_err();
    assert_eq!(err.status, axum::http::StatusCode::CONFLICT);
    assert_eq!(s.learners_in_memory(), 1);
}
