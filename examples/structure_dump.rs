//! Dump what `clean` and `structure` make of every file, so two builds can
//! be compared with `cmp` (and profiled without the index writer).
//!
//! Takes files and folders (folders are searched recursively for `.pdf` and
//! `.txt`, in sorted order); for each file writes its path, a blake3 hash of
//! its cleaned pages (page number, then the lines), the recognised
//! [`DocStructure`] as JSON and its passages as JSON, one line each. With
//! `--quiet` nothing is written but a count at the end (for callgrind, where
//! only the clean and structure functions are of interest).
//!
//!     cargo run --release --example structure_dump -- [--quiet] PATH... > out.txt
//!
//! [`DocStructure`]: ratsuche::structure::DocStructure

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

fn files(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("read {}", path.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()?;
        entries.sort();
        for entry in entries {
            files(&entry, out)?;
        }
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("pdf"))
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn main() -> Result<()> {
    let mut quiet = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg == "--quiet" {
            quiet = true;
        } else {
            files(Path::new(&arg), &mut paths)?;
        }
    }
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
