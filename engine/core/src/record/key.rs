//! The issuer's Ed25519 key pair: generation, and the key file format.
//!
//! Key file (JSON, one object), a W3C Multikey with its secret part:
//!
//! ```json
//! { "format": "pathwise-issuer-key", "version": 1, "type": "Multikey",
//!   "id": "did:key:z6Mk…#z6Mk…", "controller": "did:key:z6Mk…",
//!   "publicKeyMultibase": "z6Mk…", "secretKeyMultibase": "z3u2…" }
//! ```
//!
//! Only `format`, `version` and `secretKeyMultibase` are needed to load it; the public parts,
//! when present, must match the secret key (a guard against a hand-edited or mixed-up file).
//! It is read with the crate's strict JSON reader (duplicate member names refused, a leading
//! byte order mark skipped) and may be at most [`MAX_KEY_FILE_BYTES`] long.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::{RngCore, SeedableRng, TryRngCore};
use serde_json::{Value, json};

use super::did_key::{
    did_key_from_public_key, public_key_multibase, secret_key_from_multibase, secret_key_multibase,
    verification_method_of,
};
use crate::{Error, Location, Result};

const KEY_FORMAT: &str = "pathwise-issuer-key";

/// The longest issuer key file read: 64 KiB (a key file is about 400 bytes).
pub const MAX_KEY_FILE_BYTES: usize = 64 << 10;

/// An issuer's Ed25519 signing key.
#[derive(Clone)]
pub struct IssuerKey {
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.debug_struct("IssuerKey")
            .field("did", &self.did())
            .finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// A new key from the operating system's random number generator.
    pub fn generate() -> Result<Self> {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng
            .try_fill_bytes(&mut secret)
            .map_err(|e| Error::config(format!("the operating system's RNG failed: {e}")))?;
        Ok(Self::from_secret_bytes(&secret))
    }

    /// A key derived from `seed` (ChaCha20): reproducible, for tests and demos only — anyone who
    /// knows the seed can sign as this issuer.
    pub fn from_seed(seed: u64) -> Self {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        Self::from_secret_bytes(&secret)
    }

    /// The key with this 32-byte Ed25519 secret.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(secret),
        }
    }

    /// The key of a Multikey `secretKeyMultibase` string (`z3u2…`).
    pub fn from_secret_multibase(mb: &str) -> Result<Self> {
        let secret = secret_key_from_multibase(mb).map_err(|e| {
            Error::input(
                Location::subject(crate::SubjectKind::Field, "secretKeyMultibase"),
                e.to_string(),
            )
        })?;
        Ok(Self::from_secret_bytes(&secret))
    }

    /// The public key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// The issuer's `did:key` identifier.
    pub fn did(&self) -> String {
        did_key_from_public_key(&self.verifying_key())
    }

    /// The verification method id that proofs name (`did:key:z6Mk…#z6Mk…`).
    pub fn verification_method(&self) -> String {
        verification_method_of(&self.verifying_key())
    }

    /// The Multikey `secretKeyMultibase` (`z3u2…`). Keep it secret.
    pub fn secret_multibase(&self) -> String {
        secret_key_multibase(&self.signing.to_bytes())
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// The key file's JSON text (see the module docs), ending with a newline.
    pub fn to_key_file(&self) -> String {
        let file = json!({
            "format": KEY_FORMAT,
            "version": 1,
            "type": "Multikey",
            "id": self.verification_method(),
            "controller": self.did(),
            "publicKeyMultibase": public_key_multibase(&self.verifying_key()),
            "secretKeyMultibase": self.secret_multibase(),
        });
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a key file's text; `file` names it in errors.
    pub fn from_key_file(text: &str, file: &str) -> Result<Self> {
        let at = || Location::file(file);
        let value: Value = crate::json::parse_strict(text, MAX_KEY_FILE_BYTES).map_err(|e| {
            let at = match e.position() {
                Some((line, column)) => at().line(line as u64).column(column.to_string()),
                None => at(),
            };
            Error::input(at, format!("not a key file: {}", e.message()))
        })?;
        let field = |name: &str| value.get(name);
        if field("format").and_then(Value::as_str) != Some(KEY_FORMAT) {
            return Err(Error::input(
                at().column("format"),
                format!("not a pathwise issuer key file (\"format\" must be \"{KEY_FORMAT}\")"),
            ));
        }
        if field("version").and_then(Value::as_u64) != Some(1) {
            return Err(Error::input(
                at().column("version"),
                "unsupported key file version (this pathwise reads version 1)",
            ));
        }
        let secret = field("secretKeyMultibase")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error::input(at().column("secretKeyMultibase"), "missing or not a string")
            })?;
        let secret = secret_key_from_multibase(secret)
            .map_err(|e| Error::input(at().column("secretKeyMultibase"), e.to_string()))?;
        let key = Self::from_secret_bytes(&secret);
        let expected = [
            (
                "publicKeyMultibase",
                public_key_multibase(&key.verifying_key()),
            ),
            ("controller", key.did()),
            ("id", key.verification_method()),
        ];
        for (name, want) in expected {
            if let Some(found) = field(name) {
                if found.as_str() != Some(want.as_str()) {
                    return Err(Error::input(
                        at().column(name),
                        format!("does not belong to the secret key (expected {want})"),
                    ));
                }
            }
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_keys_are_reproducible_and_distinct() {
        assert_eq!(IssuerKey::from_seed(1).did(), IssuerKey::from_seed(1).did());
        assert_ne!(IssuerKey::from_seed(1).did(), IssuerKey::from_seed(2).did());
        let a = IssuerKey::generate().unwrap();
        let b = IssuerKey::generate().unwrap();
        assert_ne!(a.did(), b.did());
    }

    #[test]
    fn key_file_round_trips_and_checks_its_public_parts() {
        let key = IssuerKey::from_seed(3);
        let text = key.to_key_file();
        let back = IssuerKey::from_key_file(&text, "k.json").unwrap();
        assert_eq!(back.did(), key.did());
        assert!(!format!("{back:?}").contains(&key.secret_multibase()));

        let other = IssuerKey::from_seed(4);
        let mixed = text.replace(&key.did(), &other.did());
        let err = IssuerKey::from_key_file(&mixed, "k.json").unwrap_err();
        assert!(err.to_string().starts_with("k.json:"), "{err}");
        assert!(err.to_string().contains("does not belong"), "{err}");

        let err = IssuerKey::from_key_file("{}", "k.json").unwrap_err();
        assert!(err.to_string().contains("k.json:format"), "{err}");
        let err = IssuerKey::from_key_file("nope", "k.json").unwrap_err();
        assert!(
            err.to_string().starts_with("k.json:1:2: not a key file: "),
            "{err}"
        );
        let twice = text.replacen("{", "{\"format\": \"x\",", 1);
        let err = IssuerKey::from_key_file(&twice, "k.json").unwrap_err();
        assert!(
            err.to_string().contains("duplicate member name 'format'"),
            "{err}"
        );
        let bom = format!("\u{feff}{text}");
        assert_eq!(
            IssuerKey::from_key_file(&bom, "k.json").unwrap().did(),
            key.did()
        );
        let bad = text.replace(
            &key.secret_multibase(),
            "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        );
        let err = IssuerKey::from_key_file(&bad, "k.json").unwrap_err();
        assert!(err.to_string().contains("secretKeyMultibase"), "{err}");
    }
}
