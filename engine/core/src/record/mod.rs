//! Learner-owned, verifiable mastery records: W3C Verifiable Credentials (Data Model 2.0),
//! shaped after Open Badges 3.0 / CLR 2.0 achievement credentials, secured with a Data Integrity
//! proof (cryptosuite eddsa-jcs-2022) by an issuer identified with a `did:key`.
//!
//! What a user needs is here: [`issue_credential`] turns a plain [`CredentialInput`] into a signed
//! credential with an [`IssuerKey`]; [`verify_credential`] checks one offline and returns a
//! [`VerifiedSummary`] or the [`VerifyFailure`]; [`mastery_claims`] makes the claims from a BKT
//! model and a learner's history; [`learner_rows_digest`] and [`sha256_hex`] compute the evidence
//! digests. `docs/records.md` describes the format and what a record proves.
//!
//! Inside, one job per file: `credential` (the input types and names), `issue` and `verify`,
//! `proof` (eddsa-jcs-2022 signing and checking), `jcs` (RFC 8785 canonical JSON), `did_key`
//! (key identifiers), `key` (the issuer's key pair and key file), `failure`, `mastery`, `rows`
//! (the canonical form of a learner's rows) and `time` (date-times). Documents are read with the
//! crate's strict JSON reader.

mod credential;
mod did_key;
mod failure;
mod issue;
mod jcs;
mod key;
mod mastery;
mod proof;
mod rows;
mod time;
#[cfg(test)]
mod vectors;
mod verify;

pub use credential::{
    CREDENTIAL_TYPE, CredentialInput, EvidenceDigests, MasteredAt, MasteryClaim, VC_CONTEXT_V2,
};
pub use failure::VerifyFailure;
pub use issue::issue_credential;
pub use key::{IssuerKey, MAX_KEY_FILE_BYTES};
pub use mastery::{SkillLabel, mastery_claims};
pub use proof::CRYPTOSUITE;
pub use rows::{
    ROWS_CANONICAL_FORM, RowsDigest, canonical_learner_rows, learner_rows_digest, sha256_hex,
};
pub use time::parse_date_time;
pub use verify::{
    MAX_CREDENTIAL_BYTES, VerifiedEvidence, VerifiedSkill, VerifiedSummary, verify_credential,
};
