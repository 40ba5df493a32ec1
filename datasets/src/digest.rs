//! The digest a fitted model records of the files it was fitted on
//! ([`Model::set_input_sha256`](pathwise::Model::set_input_sha256)), so that a model can be traced
//! back to the exact bytes of its input.

use std::path::Path;

use pathwise::{Error, Result};
use sha2::{Digest, Sha256};

/// SHA-256 over the bytes of every file of `paths`, in order (one stream, as if concatenated),
/// as 64 lower-case hex digits. Files are streamed, never held whole in memory. A file that
/// cannot be opened or read is an [`Error::Io`] naming it.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("pathwise-digest-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
/// std::fs::write(&a, "ab").unwrap();
/// std::fs::write(&b, "c").unwrap();
/// // SHA-256 of "abc".
/// assert_eq!(
///     pathwise_datasets::files_sha256(&[&a, &b]).unwrap(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn files_sha256<P: AsRef<Path>>(paths: &[P]) -> Result<String> {
    let mut hasher = Sha256::new();
    for path in paths {
        let path = path.as_ref();
        let io = |e| Error::io(path.display().to_string(), e);
        let mut file = std::fs::File::open(path).map_err(io)?;
        std::io::copy(&mut file, &mut hasher).map_err(io)?;
    }
    Ok(format!("{:x}", hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_an_io_error_naming_it() {
        let e = files_sha256(&["no/such/log.csv"]).unwrap_err();
        assert!(
            matches!(&e, Error::Io { path, .. } if path == "no/such/log.csv"),
            "{e}"
        );
    }

    #[test]
    fn no_file_is_the_digest_of_nothing() {
        let none: [&str; 0] = [];
        assert_eq!(
            files_sha256(&none).unwrap(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
