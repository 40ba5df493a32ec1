//! Learner-owned, verifiable mastery records: W3C Verifiable Credentials (Data Model 2.0),
//! shaped after Open Badges 3.0 / CLR 2.0 achievement credentials, secured with a Data Integrity
//! proof (cryptosuite eddsa-jcs-2022) by an issuer identified with a `did:key`.
//!
//! Submodules, one job each: [`jcs`] (RFC 8785 canonical JSON), `strict` (a strict JSON
//! reader), [`did_key`] (key identifiers), [`key`] (the issuer's key pair and key file),
//! [`proof`] (eddsa-jcs-2022 sign/verify), [`failure`] (why verification fails), [`rows`] (the
//! canonical form of a learner's rows for the evidence digest), [`credential`] (issue and verify
//! mastery records), [`mastery`] (mastery claims from a BKT model and a learner's history),
//! `time` (date-times).

pub(crate) mod credential;
pub(crate) mod did_key;
pub(crate) mod failure;
pub(crate) mod jcs;
pub(crate) mod key;
pub(crate) mod mastery;
pub(crate) mod proof;
pub(crate) mod rows;
mod strict;
pub(crate) mod time;
