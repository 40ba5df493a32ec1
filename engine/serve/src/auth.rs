//! Bearer tokens: the service keeps only their SHA-256 hashes, read from a file with one
//! lowercase or uppercase hex digest per line (`#` starts a comment). A token is made and hashed
//! with, for example, `openssl rand -hex 32 | tee token | tr -d '\n' | sha256sum`.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// The accepted tokens, by their SHA-256 hashes (lowercase hex).
#[derive(Debug, Clone)]
pub struct Tokens {
    hashes: HashSet<String>,
}

impl Tokens {
    /// Reads a tokens file's text; `name` is the file's name in error messages, which give the
    /// line and column at fault. A file with no hash is an error (it would lock everyone out).
    pub fn parse(text: &str, name: &str) -> Result<Self, String> {
        let mut hashes = HashSet::new();
        for (i, line) in text.lines().enumerate() {
            let hash = line.split('#').next().unwrap_or_default();
            let column = 1 + hash.len() - hash.trim_start().len();
            let hash = hash.trim();
            if hash.is_empty() {
                continue;
            }
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "{name}:{}:{column}: expected a SHA-256 hash of a token (64 hex digits)",
                    i + 1
                ));
            }
            hashes.insert(hash.to_ascii_lowercase());
        }
        if hashes.is_empty() {
            return Err(format!("{name}: holds no token hash"));
        }
        Ok(Self { hashes })
    }

    /// Whether `token` (as sent after `Bearer `) is one of the accepted tokens.
    pub fn allows(&self, token: &str) -> bool {
        let digest = Sha256::digest(token.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.hashes.contains(&hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SHA-256 of "secret".
    const SECRET: &str = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

    #[test]
    fn a_listed_hash_admits_its_token_only() {
        let tokens =
            Tokens::parse(&format!("# ops\n{}  # ci\n", SECRET.to_uppercase()), "t").unwrap();
        assert!(tokens.allows("secret"));
        assert!(!tokens.allows("Secret"));
        assert!(!tokens.allows(""));
    }

    #[test]
    fn a_bad_line_is_named_and_an_empty_file_refused() {
        let e = Tokens::parse(&format!("{SECRET}\n  secret\n"), "tokens.txt").unwrap_err();
        assert_eq!(
            e,
            "tokens.txt:2:3: expected a SHA-256 hash of a token (64 hex digits)"
        );
        assert!(
            Tokens::parse("# none\n\n", "t")
                .unwrap_err()
                .contains("no token")
        );
    }
}
