//! Reading a whole input file (a model, a credential, a key file) with a size limit: the datasets
//! crate's [`read_limited`], which the graph loader uses too.

pub use pathwise_datasets::read_limited;

/// The longest model file read: 512 MiB (the largest fitted model of the benchmarks, EdNet's
/// 13,000 items, is about 3 MiB).
pub const MODEL_LIMIT: u64 = 512 << 20;

/// [`read_limited`], then the bytes as UTF-8 text (`m.json: not UTF-8 at byte 12`).
pub fn read_text(path: &std::path::Path, limit: u64, what: &str) -> anyhow::Result<String> {
    let bytes = read_limited(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 at byte {}",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
