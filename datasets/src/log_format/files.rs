//! Opening log files: errors that name the file, and the first bytes of a file for sniffing.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use pathwise::{Error, Location, Result};

/// Opens `path` for reading; a missing or unreadable file is an input error naming it.
pub(crate) fn open(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        Error::input(
            Location::file(path.display().to_string()),
            format!("cannot open the file: {reason}"),
        )
    })
}

/// The first bytes of a file (enough for its first lines).
pub(crate) fn head(path: &Path) -> Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1 << 16);
    open(path)?
        .take(1 << 16)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path.display().to_string(), e))?;
    Ok(head)
}
