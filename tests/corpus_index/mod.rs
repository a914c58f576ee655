//! The bundled `corpus/` PDFs copied to a temp dir and indexed, for the
//! suites that search real papers (tests/search.rs, tests/server.rs).

use std::fs;
use std::path::{Path, PathBuf};

use ratsuche::index::PassageIndex;
use ratsuche::ingest::{self, IngestOptions, NoProgress};
use tempfile::TempDir;

/// Copies `corpus/*.pdf` to `<temp>/corpus`, indexes it into
/// `<temp>/index` and checks that all five papers were indexed. Returns the
/// temp dir (keep it alive), the copied documents' folder and the index.
pub fn index_corpus() -> (TempDir, PathBuf, PassageIndex) {
    let dir = TempDir::new().unwrap();
    let docs = dir.path().join("corpus");
    fs::create_dir(&docs).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for entry in fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "pdf") {
            fs::copy(&path, docs.join(path.file_name().unwrap())).unwrap();
        }
    }
    let index = PassageIndex::open_or_create(&dir.path().join("index")).unwrap();
    let report = ingest::ingest(
        &index,
        std::slice::from_ref(&docs),
        &IngestOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!((report.indexed, report.failed.len()), (5, 0));
    (dir, docs, index)
}
