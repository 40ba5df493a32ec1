//! Mastery records: issuing (JCS + SHA-256 + Ed25519 signing) and verifying (strict parse + JCS +
//! SHA-256 + Ed25519 verification) a credential that claims 70 skills — the size of the demo
//! curriculum.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, criterion_main};
use pathwise::record::{
    CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim, issue_credential,
    verify_credential,
};

fn input(skills: usize) -> CredentialInput {
    CredentialInput {
        learner_id: "learner-0042".into(),
        learner_did: None,
        issuer_name: Some("Bench School".into()),
        mastery_threshold: 0.95,
        claims: (0..skills)
            .map(|i| MasteryClaim {
                skill: format!("skill.{i:03}"),
                name: format!("Skill number {i} of the curriculum"),
                standard: (i % 2 == 0).then(|| format!("STD.{i}")),
                probability: 0.95 + (i as f64) * 0.000_713_1,
                attempts: 5 + i as u64,
                mastered_at: MasteredAt::Time(
                    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + i as u64),
                ),
            })
            .collect(),
        evidence: EvidenceDigests {
            rows_sha256: "ab".repeat(32),
            rows: 900,
            model_sha256: Some("cd".repeat(32)),
            graph_sha256: Some("ef".repeat(32)),
        },
        valid_from: UNIX_EPOCH + Duration::from_secs(1_760_000_000),
        valid_until: None,
    }
}

fn records(c: &mut Criterion) {
    let key = IssuerKey::from_seed(1);
    let input = input(70);
    let credential = issue_credential(&input, &key).expect("valid input");
    let text = serde_json::to_string_pretty(&credential).expect("serialisable");
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    eprintln!("credential with 70 skills: {} bytes", text.len());
    let mut g = c.benchmark_group("record_70_skills");
    g.bench_function("issue", |b| {
        b.iter(|| issue_credential(black_box(&input), &key))
    });
    g.bench_function("verify", |b| {
        b.iter(|| verify_credential(black_box(&text), None, now).expect("valid"))
    });
    g.finish();
}

mod group {
    #![allow(missing_docs)]
    criterion::criterion_group!(benches, super::records);
}

criterion_main!(group::benches);
