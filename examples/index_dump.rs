//! Dump a passage index as text, independent of its segment layout, so two
//! builds' indexes of the same files can be compared with `cmp`.
//!
//! Takes an index directory, writes to stdout (or the file given second):
//!
//! 1. every stored passage as JSON, sorted by (`doc_id`, `passage_index`);
//! 2. for every indexed field, every term (sorted by its bytes) with its
//!    document frequency over the alive passages and its postings: each
//!    passage as `doc_id/passage_index`, its term frequency and positions,
//!    sorted by passage.
//!
//! Deleted passages are left out; segment boundaries and doc ids within a
//! segment (which depend on commit and merge timing) do not show, so two
//! indexes with the same content give the same dump.
//!
//!     cargo run --release --example index_dump -- INDEX [OUT]

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};

use anyhow::{Context, Result};
use tantivy::postings::Postings;
use tantivy::schema::{Document, IndexRecordOption, Value};
use tantivy::{DocSet, Index, TantivyDocument, TERMINATED};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .context("usage: index_dump INDEX_DIR [OUT_FILE]")?;
    let out: Box<dyn Write> = match args.get(1) {
        Some(p) => Box::new(std::fs::File::create(p).with_context(|| format!("create {p}"))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, out);

    let index = Index::open_in_dir(dir).with_context(|| format!("open index {dir}"))?;
    let schema = index.schema();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let doc_id_f = schema.get_field("doc_id")?;
    let passage_f = schema.get_field("passage_index")?;

    // Per segment: each doc's key ("doc_id/passage"), None when deleted.
    let mut keys: Vec<Vec<Option<String>>> = Vec::new();
    let mut docs: Vec<(String, u64, String)> = Vec::new();
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(64)?;
        let alive = seg.alive_bitset();
        let mut seg_keys = Vec::with_capacity(seg.max_doc() as usize);
        for d in 0..seg.max_doc() {
            if alive.is_some_and(|a| a.is_deleted(d)) {
                seg_keys.push(None);
                continue;
            }
            let doc: TantivyDocument = store.get(d)?;
            let id = doc
                .get_first(doc_id_f)
                .and_then(|v| v.as_str())
                .context("passage without doc_id")?
                .to_string();
            let p = doc
                .get_first(passage_f)
                .and_then(|v| v.as_u64())
                .context("passage without passage_index")?;
            seg_keys.push(Some(format!("{id}/{p:05}")));
            docs.push((id, p, doc.to_json(&schema)));
        }
        keys.push(seg_keys);
    }
    docs.sort();
    writeln!(out, "# {} stored passages", docs.len())?;
    for (id, p, json) in &docs {
        writeln!(out, "{id}/{p:05}\t{json}")?;
    }

    let mut positions = Vec::new();
    for (field, entry) in schema.fields() {
        if !entry.is_indexed() {
            continue;
        }
        let inverted: Vec<_> = searcher
            .segment_readers()
            .iter()
            .map(|s| s.inverted_index(field))
            .collect::<tantivy::Result<_>>()?;
        let mut terms: BTreeSet<Vec<u8>> = BTreeSet::new();
        for inv in &inverted {
            let mut stream = inv.terms().stream()?;
            while stream.advance() {
                terms.insert(stream.key().to_vec());
            }
        }
        writeln!(out, "# field {} ({} terms)", entry.name(), terms.len())?;
        for term in &terms {
            let mut postings: Vec<(String, u32, String)> = Vec::new();
            for (si, inv) in inverted.iter().enumerate() {
                let Some(info) = inv.terms().get(term)? else {
                    continue;
                };
                let mut p = inv
                    .read_postings_from_terminfo(&info, IndexRecordOption::WithFreqsAndPositions)?;
                let mut d = p.doc();
                while d != TERMINATED {
                    if let Some(key) = &keys[si][d as usize] {
                        positions.clear();
                        p.positions(&mut positions);
                        let pos: Vec<String> = positions.iter().map(u32::to_string).collect();
                        postings.push((key.clone(), p.term_freq(), pos.join(",")));
                    }
                    d = p.advance();
                }
            }
            if postings.is_empty() {
                continue;
            }
            postings.sort();
            let shown = match std::str::from_utf8(term) {
                Ok(s) if !s.contains(['\t', '\n']) => s.to_string(),
                _ => format!("0x{}", hex(term)),
            };
            writeln!(out, "{shown}\tdf={}", postings.len())?;
            for (key, tf, pos) in &postings {
                writeln!(out, "\t{key}\t{tf}\t{pos}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
