//! Text rendering of search results and index reports.
//!
//! Matched words are bold when stdout is a terminal with colours enabled
//! (`console` honours `NO_COLOR`/`CLICOLOR_FORCE`), and wrapped in «» otherwise,
//! so piped output carries no escape sequences but still shows the matches.

use std::io::{self, Write};

use ratsuche::ingest::IngestReport;
use ratsuche::search::{MatchMode, SearchResults};

/// How matched words are marked in snippets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    Bold,
    Guillemets,
}

impl Marks {
    pub fn detect() -> Marks {
        if console::colors_enabled() {
            Marks::Bold
        } else {
            Marks::Guillemets
        }
    }
}

pub fn print_results(
    out: &mut impl Write,
    results: &SearchResults,
    marks: Marks,
) -> io::Result<()> {
    if results.fallback {
        writeln!(
            out,
            "No passage contains all words of {:?}; showing passages with any of them.\n",
            results.query
        )?;
    }
    if results.hits.is_empty() {
        writeln!(out, "No matches for {:?}.", results.query)?;
        return Ok(());
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        writeln!(
            out,
            "{}. {}  page {}  (score {:.2})",
            rank + 1,
            hit.file,
            hit.page,
            hit.score
        )?;
        let heading = [hit.number.as_deref(), hit.title.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !heading.is_empty() {
            writeln!(out, "   {heading}")?;
        }
        let snippet = match marks {
            Marks::Bold => hit.marked_snippet_with(|w| console::style(w).bold().to_string()),
            Marks::Guillemets => hit.marked_snippet("«", "»"),
        };
        writeln!(out, "   {snippet}\n")?;
    }
    let unit = if results.total == results.total_passages && results.hits.len() > 1 {
        "matches"
    } else {
        "matching documents"
    };
    let mode = match results.mode {
        MatchMode::All => "all words",
        MatchMode::Any => "any word",
    };
    writeln!(
        out,
        "{} of {} {unit} shown ({mode}).",
        results.hits.len(),
        results.total
    )
}

/// Counts on stdout; each failure and text-less file on stderr.
pub fn print_report(report: &IngestReport) -> io::Result<()> {
    let mut err = io::stderr().lock();
    for path in &report.without_text {
        writeln!(
            err,
            "warning: {}: no text found (a scan without a text layer?)",
            path.display()
        )?;
    }
    for failure in &report.failed {
        writeln!(err, "error: {}: {}", failure.path.display(), failure.reason)?;
    }
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "indexed {} files ({} pages, {} passages), {} unchanged, {} removed, {} failed",
        report.indexed,
        report.pages,
        report.passages,
        report.unchanged,
        report.removed.len(),
        report.failed.len()
    )?;
    out.flush()
}
