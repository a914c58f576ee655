//! Text corpora for the library's unit tests that compare a fast path with
//! a reference on real council text: the repository's `tests/data` (always
//! there) and, for `#[ignore = "needs ../shared"]` tests, the 12,692
//! Karlsruhe texts in `../shared`.

use std::path::{Path, PathBuf};

/// Every `.txt` file of `tests/data` and `tests/data/relevance/docs`.
pub(crate) fn repository_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut texts = Vec::new();
    for folder in [dir.clone(), dir.join("relevance/docs")] {
        for entry in std::fs::read_dir(&folder).expect("tests/data is in the repository") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|e| e == "txt") {
                texts.push(std::fs::read_to_string(&path).expect("a text file"));
            }
        }
    }
    texts
}

/// The Karlsruhe council texts of `../shared`, one at a time (files that
/// are not UTF-8 are skipped; there are none). Panics naming the folder
/// when `../shared` is missing.
pub(crate) fn karlsruhe_texts() -> impl Iterator<Item = String> {
    let dir: PathBuf =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld/karlsruhe/file-contents");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): this test needs ../shared",
            dir.display()
        )
    });
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.expect("a directory entry").path()).ok())
}
