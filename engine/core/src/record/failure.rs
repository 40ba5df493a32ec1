//! Why a credential does not verify.

use std::fmt;

use crate::text::{QUOTE_LIMIT, cut};

/// Why a credential (or any document secured with an eddsa-jcs-2022 proof) does not verify.
///
/// [`VerifyFailure::NotJson`] and [`VerifyFailure::TooLarge`] mean the input is not a document
/// that could be read (the CLI exits 2 for them); every other variant means the document was read
/// and checked and the check failed (exit 1). Messages quote at most
/// [`QUOTE_LIMIT`] characters of any value from the credential, escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyFailure {
    /// The input is not JSON (syntax error, truncated, not UTF-8); the message says where.
    NotJson(String),
    /// The input is longer than [`super::MAX_CREDENTIAL_BYTES`]; it was not read.
    TooLarge {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The JSON is not a credential this verifier can check: duplicate member names, missing or
    /// ill-typed `issuer`, an unreadable date, …
    MalformedCredential(String),
    /// The proof is missing or broken: no `proof` object, no or undecodable `proofValue`, a
    /// verification method that is not a `did:key`, a wrong proof purpose, …
    MalformedProof(String),
    /// The proof uses a type or cryptosuite other than `DataIntegrityProof` / `eddsa-jcs-2022`.
    UnsupportedCryptosuite(String),
    /// The signature does not match the document and proof options: the credential was changed
    /// after signing, or signed by another key than the one it names.
    SignatureMismatch,
    /// The issuer is not the one expected, or the credential names a `did:key` issuer but was
    /// signed by another key.
    UnexpectedIssuer {
        /// The issuer the verifier asked for, or the key that signed.
        expected: String,
        /// The issuer the credential names.
        found: String,
    },
    /// `now` is before the credential's `validFrom` (or the proof's `created`).
    NotYetValid {
        /// The date it becomes valid, as written in the credential.
        valid_from: String,
    },
    /// `now` is after the credential's `validUntil` (or the proof's `expires`).
    Expired {
        /// The date it stopped being valid, as written in the credential.
        valid_until: String,
    },
}

impl VerifyFailure {
    /// A short stable name of the failure kind, e.g. `signature_mismatch`.
    pub fn kind(&self) -> &'static str {
        match self {
            VerifyFailure::NotJson(_) => "not_json",
            VerifyFailure::TooLarge { .. } => "too_large",
            VerifyFailure::MalformedCredential(_) => "malformed_credential",
            VerifyFailure::MalformedProof(_) => "malformed_proof",
            VerifyFailure::UnsupportedCryptosuite(_) => "unsupported_cryptosuite",
            VerifyFailure::SignatureMismatch => "signature_mismatch",
            VerifyFailure::UnexpectedIssuer { .. } => "unexpected_issuer",
            VerifyFailure::NotYetValid { .. } => "not_yet_valid",
            VerifyFailure::Expired { .. } => "expired",
        }
    }
}

impl fmt::Display for VerifyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyFailure::NotJson(m) => write!(f, "not JSON: {m}"),
            VerifyFailure::TooLarge { bytes } => write!(
                f,
                "too large: {bytes} bytes, over the limit of {} bytes for a credential",
                super::MAX_CREDENTIAL_BYTES
            ),
            VerifyFailure::MalformedCredential(m) => write!(f, "malformed credential: {m}"),
            VerifyFailure::MalformedProof(m) => write!(f, "malformed proof: {m}"),
            VerifyFailure::UnsupportedCryptosuite(m) => write!(f, "unsupported cryptosuite: {m}"),
            VerifyFailure::SignatureMismatch => write!(
                f,
                "signature mismatch: the credential was changed after signing, or not signed by the key it names"
            ),
            VerifyFailure::UnexpectedIssuer { expected, found } => write!(
                f,
                "unexpected issuer: expected {}, found {}",
                cut(expected, QUOTE_LIMIT),
                cut(found, QUOTE_LIMIT)
            ),
            VerifyFailure::NotYetValid { valid_from } => {
                write!(
                    f,
                    "not yet valid: valid from {}",
                    cut(valid_from, QUOTE_LIMIT)
                )
            }
            VerifyFailure::Expired { valid_until } => {
                write!(f, "expired: valid until {}", cut(valid_until, QUOTE_LIMIT))
            }
        }
    }
}

impl std::error::Error for VerifyFailure {}
