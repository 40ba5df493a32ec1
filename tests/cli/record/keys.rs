//! `pathwise record keygen` (did:key encoding, key file permissions) and `record rows` (the
//! learner-rows digest).

use super::*;

#[test]
fn keygen_prints_the_did_key_of_the_ed25519_public_key_in_the_file() {
    // The decoder against the W3C vectors' public key (multicodec ed25519-pub = 0xed 0x01).
    let w3c = base58_decode("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2");
    assert_eq!((w3c.len(), &w3c[..2]), (34, &[0xed, 0x01][..]));

    let dir = tempfile::tempdir().unwrap();
    let key_path = dir.path().join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&key_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert_eq!(
        printed.lines().count(),
        1,
        "stdout is the DID alone: {printed}"
    );
    let did = printed.trim_end();
    // did:key:z + base58btc(0xed 0x01 ‖ 32-byte Ed25519 public key)
    let multibase = did.strip_prefix("did:key:").expect("a did:key");
    let encoded = multibase
        .strip_prefix('z')
        .expect("base58btc multibase ('z')");
    let bytes = base58_decode(encoded);
    assert_eq!(bytes.len(), 34, "{did}");
    assert_eq!(&bytes[..2], &[0xed, 0x01], "multicodec ed25519-pub");
    let key = IssuerKey::from_key_file(&std::fs::read_to_string(&key_path).unwrap(), "k").unwrap();
    assert_eq!(&bytes[2..], key.verifying_key().as_bytes());
    // The key file is a Multikey naming the same key.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    assert_eq!(file["type"], "Multikey");
    assert_eq!(file["controller"], did);
    assert_eq!(file["publicKeyMultibase"], multibase);
    assert_eq!(file["id"], format!("{did}#{multibase}").as_str());
    let secret = base58_decode(&file["secretKeyMultibase"].as_str().unwrap()[1..]);
    assert_eq!(
        (secret.len(), &secret[..2]),
        (34, &[0x80, 0x26][..]),
        "ed25519-priv"
    );
}

#[cfg(unix)]
#[test]
fn key_file_is_owner_only_and_never_silently_replaced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (did, _) = keygen(dir.path());
    let path = dir.path().join("issuer.key");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o}");

    let out = pathwise(&["record", "keygen", "-o", s(&path)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let still = IssuerKey::from_key_file(&std::fs::read_to_string(&path).unwrap(), "k").unwrap();
    assert_eq!(still.did(), did, "the old key is untouched");

    let out = pathwise(&["record", "keygen", "-o", s(&path), "--force"]);
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(stdout(&out).trim(), did);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after --force");
    // only the key file: no temporary file left behind
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    // A key into a folder that does not exist: one line naming the folder.
    let missing = dir.path().join("no-such-folder").join("issuer.key");
    let out = pathwise(&["record", "keygen", "-o", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.trim_end().ends_with("no-such-folder does not exist"),
        "{err}"
    );
}

#[test]
fn rows_digest_matches_the_library_and_the_documented_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    std::fs::write(
        &log,
        "learner,skill,item,correct,order\n\
         ann,frac.add,q2,1,20\n\
         bob,frac.add,q1,0,1\n\
         ann,frac.add~~frac.eq,q1,0,10\n",
    )
    .unwrap();
    let lines = dir.path().join("ann.jsonl");
    let out = pathwise(&[
        "record",
        "rows",
        s(&log),
        "--learner",
        "ann",
        "-o",
        s(&lines),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&lines).unwrap();
    assert_eq!(
        written,
        "{\"correct\":0,\"item\":\"q1\",\"learner\":\"ann\",\"order\":\"10\",\"skills\":[\"frac.add\",\"frac.eq\"]}\n\
         {\"correct\":1,\"item\":\"q2\",\"learner\":\"ann\",\"order\":\"20\",\"skills\":[\"frac.add\"]}\n"
    );
    let digest = pathwise::record::sha256_hex(written.as_bytes());
    assert_eq!(
        stdout(&out).trim(),
        format!("{digest}  2 rows  learner ann  (pathwise-rows-v1)")
    );

    let out = pathwise(&["record", "rows", s(&log), "--learner", "zoe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("learner 'zoe' is not in the log"),
        "{}",
        stderr(&out)
    );
}
