//! `did:key` identifiers for Ed25519 public keys, and the Multikey multibase encodings.
//!
//! A public key is written as base58btc multibase (`z…`) of the multicodec prefix `0xed 0x01`
//! (ed25519-pub, as an unsigned varint) followed by the 32 key bytes, which always starts `z6Mk`.
//! The DID is `did:key:` + that string, and its verification method is `DID#` + that string again.
//! A secret key uses the prefix `0x80 0x26` (ed25519-priv, 0x1300) the same way (`z3u2…`).

use std::fmt;

use ed25519_dalek::VerifyingKey;

use crate::text::quoted;

/// The longest multibase key string: `z` and at most 47 base58 digits for the 34 bytes of
/// prefix and key (58^47 > 2^272). Longer strings are refused before decoding, whose cost grows
/// with the square of the length.
const MAX_MULTIBASE_CHARS: usize = 48;

const ED25519_PUB: [u8; 2] = [0xed, 0x01];
const ED25519_PRIV: [u8; 2] = [0x80, 0x26];

/// Why a `did:key` or multibase key string cannot be read (the message quotes at most
/// [`crate::text::QUOTE_LIMIT`] characters of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyFormatError(pub(crate) String);

impl fmt::Display for KeyFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyFormatError {}

fn bad(message: impl Into<String>) -> KeyFormatError {
    KeyFormatError(message.into())
}

/// The Multikey `publicKeyMultibase` of an Ed25519 public key (`z6Mk…`).
pub(crate) fn public_key_multibase(key: &VerifyingKey) -> String {
    encode(ED25519_PUB, key.as_bytes())
}

/// The `did:key` identifier of an Ed25519 public key (`did:key:z6Mk…`).
pub(crate) fn did_key_from_public_key(key: &VerifyingKey) -> String {
    format!("did:key:{}", public_key_multibase(key))
}

/// The verification method id of a `did:key`: `did:key:z6Mk…#z6Mk…`.
pub(crate) fn verification_method_of(key: &VerifyingKey) -> String {
    let mb = public_key_multibase(key);
    format!("did:key:{mb}#{mb}")
}

/// The Ed25519 public key named by a `did:key` DID or by one of its verification method ids
/// (`did:key:z6Mk…` or `did:key:z6Mk…#z6Mk…`; the fragment, when present, must repeat the key).
pub(crate) fn public_key_from_did_key(did: &str) -> Result<VerifyingKey, KeyFormatError> {
    let rest = did
        .strip_prefix("did:key:")
        .ok_or_else(|| bad(format!("{} is not a did:key identifier", quoted(did))))?;
    let (mb, fragment) = match rest.split_once('#') {
        Some((mb, fragment)) => (mb, Some(fragment)),
        None => (rest, None),
    };
    if fragment.is_some_and(|f| f != mb) {
        return Err(bad(format!(
            "{}: the fragment of a did:key verification method must repeat the key",
            quoted(did)
        )));
    }
    public_key_from_multibase(mb)
}

/// The Ed25519 public key of a Multikey `publicKeyMultibase` string (`z6Mk…`).
pub(crate) fn public_key_from_multibase(mb: &str) -> Result<VerifyingKey, KeyFormatError> {
    let bytes = decode(ED25519_PUB, mb, "public")?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| {
        bad(format!(
            "{} is not a valid Ed25519 public key (not a curve point)",
            quoted(mb)
        ))
    })
}

/// The Multikey `secretKeyMultibase` of a 32-byte Ed25519 secret key (`z3u2…`).
pub(crate) fn secret_key_multibase(secret: &[u8; 32]) -> String {
    encode(ED25519_PRIV, secret)
}

/// The 32-byte Ed25519 secret key of a `secretKeyMultibase` string (`z3u2…`).
pub(crate) fn secret_key_from_multibase(mb: &str) -> Result<[u8; 32], KeyFormatError> {
    decode(ED25519_PRIV, mb, "secret")
}

fn encode(prefix: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&prefix);
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

fn decode(prefix: [u8; 2], mb: &str, what: &str) -> Result<[u8; 32], KeyFormatError> {
    let shown = quoted(mb);
    let b58 = mb.strip_prefix('z').ok_or_else(|| {
        bad(format!(
            "{shown} is not base58btc multibase (it must start with 'z')"
        ))
    })?;
    let length = mb.chars().count();
    if length > MAX_MULTIBASE_CHARS {
        return Err(bad(format!(
            "{shown} is {length} characters long; an Ed25519 {what} key in base58btc multibase \
             has at most {MAX_MULTIBASE_CHARS}"
        )));
    }
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|e| bad(format!("{shown} is not base58btc: {e}")))?;
    match bytes.split_first_chunk::<2>() {
        Some((p, key)) if *p == prefix => key
            .try_into()
            .map_err(|_| bad(format!("{shown} holds {} key bytes, not 32", key.len()))),
        _ => Err(bad(format!(
            "{shown} is not an Ed25519 {what} key (multicodec prefix 0x{:02x}{:02x} expected)",
            prefix[0], prefix[1]
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_vector_key_pair_round_trips() {
        // keyPair.json of the W3C vc-di-eddsa test vectors.
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let secret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
        let sk = secret_key_from_multibase(secret).unwrap();
        let signing = ed25519_dalek::SigningKey::from_bytes(&sk);
        assert_eq!(public_key_multibase(&signing.verifying_key()), public);
        assert_eq!(secret_key_multibase(&sk), secret);
        let did = format!("did:key:{public}");
        assert_eq!(did_key_from_public_key(&signing.verifying_key()), did);
        assert_eq!(
            public_key_from_did_key(&format!("{did}#{public}")).unwrap(),
            signing.verifying_key()
        );
    }

    #[test]
    fn malformed_identifiers_are_refused_with_a_reason() {
        let pk = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        for (did, needle) in [
            ("did:web:example.com", "not a did:key"),
            ("did:key:6MkrJVnaZkeFzdQyMZu1cgjg7k1", "must start with 'z'"),
            ("did:key:z0OIl", "not base58btc"),
            (
                "did:key:z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
                "not an Ed25519 public key",
            ),
            (
                "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",
                "multicodec prefix",
            ),
            // the prefix and one key byte too few
            (
                "did:key:z2DQUz8yxybcgY49o2TDENNPqPQBbVynuU6CcNCWtSMrwMx",
                "key bytes",
            ),
        ] {
            let err = public_key_from_did_key(did).unwrap_err();
            assert!(err.0.contains(needle), "{did}: {err}");
        }
        let err = public_key_from_did_key(&format!("did:key:{pk}#other")).unwrap_err();
        assert!(err.0.contains("fragment"), "{err}");
    }

    #[test]
    fn oversized_keys_are_refused_before_decoding_and_not_echoed() {
        let long = format!("did:key:z{}", "6Mk".repeat(100_000));
        let err = public_key_from_did_key(&long).unwrap_err();
        assert!(
            err.0.contains("300001 characters long"),
            "{}",
            &err.0[..200]
        );
        assert!(err.0.len() < 300, "{}", err.0.len());
        let err = secret_key_from_multibase(&format!("z{}", "1".repeat(49))).unwrap_err();
        assert!(err.0.contains("at most 48"), "{err}");
    }
}
