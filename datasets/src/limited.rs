//! Reading a whole input file (a graph, a model, a credential, a key file) with a size limit, so
//! that a path to `/dev/zero`, a FIFO that nobody writes to, or a huge file named by mistake gives
//! one line naming the file instead of a hang or an exhausted memory.
//!
//! A regular file longer than the limit is refused before it is read; any other file (a device,
//! a pipe) is read up to the limit and refused past it. A FIFO is opened without waiting for a
//! writer: with none, it reads as empty.

use std::io::{ErrorKind, Read};
use std::path::Path;

use pathwise::{Error, Location, Result};

/// Reads all of `path`, at most `limit` bytes; `what` names the kind of file in the message when
/// it is longer (`a model file`). Errors name the file: `m.json: cannot read: …`,
/// `/dev/zero: more than the 512 MiB a model file may have`.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let name = path.display().to_string();
    let error = |message: String| Error::input(Location::file(&name), message);
    let too_long = |bytes: Option<u64>| {
        let length = bytes.map_or_else(String::new, |b| format!("{b} bytes, "));
        error(format!(
            "{length}more than the {} {what} may have",
            size(limit)
        ))
    };
    let cannot_read = |e: std::io::Error| error(format!("cannot read: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot_read)?;
    if meta.is_dir() {
        return Err(error("cannot read: it is a folder".to_owned()));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_long(Some(meta.len())));
    }
    let mut file = open(path, &meta).map_err(cannot_read)?;
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                bytes.extend_from_slice(&chunk[..n]);
                if bytes.len() as u64 > limit {
                    return Err(too_long(None));
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            // A FIFO opened without blocking, whose writer has not written yet.
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(cannot_read(e)),
        }
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open(path: &Path, meta: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if meta.file_type().is_fifo() {
        // Opening a FIFO waits for a writer unless non-blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

#[cfg(not(unix))]
fn open(path: &Path, _: &std::fs::Metadata) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// `limit` bytes in the largest whole unit: `512 MiB`, `64 KiB`, `100 bytes`.
fn size(limit: u64) -> String {
    match limit {
        l if l >= 1 << 20 && l % (1 << 20) == 0 => format!("{} MiB", l >> 20),
        l if l >= 1 << 10 && l % (1 << 10) == 0 => format!("{} KiB", l >> 10),
        l => format!("{l} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_over_the_limit_is_refused_with_its_name_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, "x".repeat(2048)).unwrap();
        let err = read_limited(&path, 1024, "a key file").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: 2048 bytes, more than the 1 KiB a key file may have",
                path.display()
            )
        );
        assert_eq!(read_limited(&path, 2048, "x").unwrap().len(), 2048);
        let err = read_limited(dir.path(), 2048, "x").unwrap_err();
        assert!(err.to_string().ends_with("it is a folder"), "{err}");
        let err = read_limited(&dir.path().join("missing"), 2048, "x").unwrap_err();
        assert!(err.to_string().contains("missing: cannot read: "), "{err}");
    }

    #[test]
    fn sizes_are_written_in_the_largest_whole_unit() {
        assert_eq!(size(512 << 20), "512 MiB");
        assert_eq!(size(64 << 10), "64 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_read_up_to_the_limit_only() {
        let err = read_limited(Path::new("/dev/zero"), 1 << 20, "a credential").unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: more than the 1 MiB a credential may have"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_writer_reads_as_empty_instead_of_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(status.unwrap().success(), "mkfifo failed");
        assert_eq!(read_limited(&fifo, 1024, "a graph file").unwrap(), b"");
    }
}
