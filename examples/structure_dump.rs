//! Dump what `clean` and `structure` make of every file, so two builds can
//! be compared with `cmp` (and profiled without the index writer).
//!
//! Takes files and folders (folders are walked as `ratsuche index` walks
//! them, [`discover`], in sorted order); for each file writes its path, a
//! blake3 hash of its cleaned pages (page number, then the lines), the
//! recognised [`DocStructure`] as JSON and its passages as JSON, one line
//! each. With `--quiet` only files that fail and a count at the end are
//! written (for callgrind, where only the clean and structure functions are
//! of interest).
//!
//!     cargo run --release --example structure_dump -- [--quiet] PATH... > out.txt
//!
//! [`DocStructure`]: ratsuche::structure::DocStructure
//! [`discover`]: ratsuche::ingest::discover

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;

fn main() -> Result<()> {
    let mut quiet = false;
    let mut inputs = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--quiet" {
            quiet = true;
        } else {
            inputs.push(PathBuf::from(arg));
        }
    }
    let discovery = ratsuche::ingest::discover(&inputs)?;
    for failure in &discovery.failed {
        eprintln!("{}: {}", failure.path.display(), failure.reason);
    }
    let paths: Vec<PathBuf> = discovery.files.into_iter().map(|f| f.path).collect();
    anyhow::ensure!(!paths.is_empty(), "usage: structure_dump [--quiet] PATH...");
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut passages_total = 0;
    for path in &paths {
        let extracted = match ratsuche::ingest::extract_clean(path) {
            Ok(e) => e,
            Err(e) => {
                writeln!(out, "{}\terror: {e}", path.display())?;
                continue;
            }
        };
        let (structure, passages) = ratsuche::structure::analyze_with_passages(&extracted.pages);
        passages_total += passages.len();
        if quiet {
            continue;
        }
        let mut hasher = blake3::Hasher::new();
        for page in &extracted.pages {
            hasher.update(format!("\u{c}{}\n", page.number).as_bytes());
            for line in &page.lines {
                hasher.update(line.text.as_bytes());
                hasher.update(b"\n");
            }
        }
        writeln!(out, "{}\t{}", path.display(), hasher.finalize().to_hex())?;
        writeln!(out, "{}", serde_json::to_string(&structure)?)?;
        writeln!(out, "{}", serde_json::to_string(&passages)?)?;
    }
    writeln!(out, "{} files, {passages_total} passages", paths.len())?;
    Ok(())
}
