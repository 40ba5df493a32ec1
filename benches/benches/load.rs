//! Loading benchmark: the whole ASSISTments 2009 skill builder (AKT long files, 325,589 rows)
//! from CSV into the per-(skill, learner) sequence layout. Skipped with a note when the shared
//! datasets are absent ($PATHWISE_SHARED_DATASETS, else ../shared/datasets from the workspace).

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_main};
use pathwise_datasets::{LogOptions, load_logs};

fn akt_files() -> Option<Vec<PathBuf>> {
    let dir = [
        std::env::var_os("PATHWISE_SHARED_DATASETS").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/datasets")),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_dir())?
    .join("assistments2009_skillbuilder_akt");
    let files: Vec<PathBuf> = [
        "interactions_long_part01.csv",
        "interactions_long_part02.csv",
    ]
    .iter()
    .map(|f| dir.join(f))
    .collect();
    files.iter().all(|f| f.is_file()).then_some(files)
}

fn load(c: &mut Criterion) {
    let Some(files) = akt_files() else {
        eprintln!("note: shared datasets not found (set PATHWISE_SHARED_DATASETS); skipping");
        return;
    };
    let options = LogOptions::default();
    let mut group = c.benchmark_group("load");
    group.sample_size(20);
    group.bench_function("assistments2009_akt_325k_rows", |b| {
        b.iter(|| {
            let loaded = load_logs(&files, &options).expect("the AKT files load");
            assert_eq!(loaded.log.n_observations(), 325_589);
            loaded
        })
    });
    group.finish();
}

/// Criterion's macro generates an undocumented `pub fn`; keep it in its own module.
mod group {
    #![allow(missing_docs)]
    use super::load;
    criterion::criterion_group!(benches, load);
}

criterion_main!(group::benches);
