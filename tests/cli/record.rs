//! `pathwise record`: keygen (did:key encoding, key file permissions) → issue (one learner and
//! `--all-learners`, from the CLI and the library) → verify round trip; every reason a credential
//! is not valid (exit 1); bad inputs (exit 2, one line).

mod issue;
mod keys;
mod verify;

use crate::common::pathwise;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pathwise::record::{CredentialInput, EvidenceDigests, IssuerKey, MasteredAt, MasteryClaim};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `record keygen` and returns the printed DID and the key read back from the file.
fn keygen(dir: &Path) -> (String, IssuerKey) {
    let key_path = dir.join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&key_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let did = stdout(&out).trim().to_owned();
    let key = IssuerKey::from_key_file(&std::fs::read_to_string(&key_path).unwrap(), "issuer.key")
        .unwrap();
    assert_eq!(key.did(), did, "the printed did:key is the file's key");
    (did, key)
}

fn credential(key: &IssuerKey) -> String {
    credential_valid(
        key,
        UNIX_EPOCH + Duration::from_secs(1_760_000_100),
        Some(SystemTime::now() + Duration::from_secs(86_400 * 365)),
    )
}

/// A signed credential for one skill, valid from `valid_from` until `valid_until`.
fn credential_valid(
    key: &IssuerKey,
    valid_from: SystemTime,
    valid_until: Option<SystemTime>,
) -> String {
    let input = CredentialInput {
        learner_id: "learner-7".into(),
        learner_did: Some("did:example:learner7".into()),
        issuer_name: Some("Test School".into()),
        mastery_threshold: 0.95,
        claims: vec![MasteryClaim {
            skill: "frac.add_like".into(),
            name: "Add fractions with like denominators".into(),
            standard: Some("CCSS.MATH.CONTENT.4.NF.B.3.A".into()),
            probability: 0.9812,
            attempts: 9,
            mastered_at: MasteredAt::Time(UNIX_EPOCH + Duration::from_secs(1_760_000_000)),
        }],
        evidence: EvidenceDigests {
            rows_sha256: "1".repeat(64),
            rows: 9,
            model_sha256: Some("2".repeat(64)),
            graph_sha256: Some("3".repeat(64)),
        },
        valid_from,
        valid_until,
    };
    serde_json::to_string_pretty(&pathwise::record::issue_credential(&input, key).unwrap()).unwrap()
}

/// Runs `pathwise record issue --key KEY --model MODEL --graph GRAPH LOG` and then `rest`.
fn issue([key, model, graph, log]: [&Path; 4], rest: &[&str]) -> Output {
    let mut args = vec!["record", "issue", "--key", s(key), "--model", s(model)];
    args.extend(["--graph", s(graph), s(log)]);
    args.extend(rest);
    pathwise(&args)
}

/// A model with two skills whose parameters make a few correct answers enough for mastery, its
/// graph and a log of two learners, written into `dir`.
fn write_issue_inputs(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use pathwise::{FitInfo, Model, Params, SkillModel, Variant, bkt::SkillStats};
    let p = Params {
        prior: 0.3,
        learn: 0.3,
        forget: 0.0,
        guess: 0.2,
        slip: 0.1,
    };
    let skills = ["frac.add_like", "frac.equivalent"]
        .iter()
        .map(|s| SkillModel::new(*s, p, vec![], vec![], SkillStats::default()))
        .collect();
    let model = Model::new(Variant::default(), skills, vec![], FitInfo::default()).unwrap();
    let model_path = dir.join("model.json");
    std::fs::write(&model_path, model.to_json()).unwrap();
    let graph_path = dir.join("graph.toml");
    std::fs::write(
        &graph_path,
        r#"
[[skill]]
id = "frac.equivalent"
name = "Equivalent fractions"

[[skill]]
id = "frac.add_like"
name = "Add fractions with like denominators"
requires = ["frac.equivalent"]
standard = "CCSS.MATH.CONTENT.4.NF.B.3.A"
"#,
    )
    .unwrap();
    let log_path = dir.join("log.csv");
    let mut log = String::from("learner,skill,item,correct,order\n");
    for i in 0..6 {
        log.push_str(&format!("ann,frac.add_like,a{i},1,{}\n", 10 + i));
        log.push_str(&format!("ann,frac.equivalent,e{i},{},{}\n", i % 2, 20 + i));
        log.push_str(&format!("bob,frac.add_like,a{i},0,{}\n", 10 + i));
    }
    std::fs::write(&log_path, log).unwrap();
    (model_path, graph_path, log_path)
}

/// No byte that a terminal interprets: ESC, CR, C1 controls, bidirectional overrides.
fn assert_terminal_safe(text: &str) {
    for c in ['\u{1b}', '\r', '\u{9b}', '\u{202e}', '\u{2028}'] {
        assert!(!text.contains(c), "{c:?} printed raw: {text:?}");
    }
}

/// Base58btc (Bitcoin alphabet) decoding, written out here so that the check does not share the
/// encoder's crate.
fn base58_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut number: Vec<u8> = Vec::new(); // big-endian
    for c in text.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c);
        let mut carry = digit.unwrap_or_else(|| panic!("{c:?} is not base58")) as u32;
        for byte in number.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            number.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; text.bytes().take_while(|&c| c == b'1').count()];
    out.extend(number);
    out
}
