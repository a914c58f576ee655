//! Text rendering of search results and index reports.
//!
//! Matched words are bold when stdout is a terminal with colours enabled
//! (`console` honours `NO_COLOR`/`CLICOLOR_FORCE`), and wrapped in «» otherwise,
//! so piped output carries no escape sequences but still shows the matches.

use std::io::{self, Write};

use ratsuche::ingest::{IngestReport, Inspection};
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

/// A person-readable view of what `inspect` recognised.
pub fn print_inspection(out: &mut impl Write, i: &Inspection) -> io::Result<()> {
    let s = &i.structure;
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".to_string());
    writeln!(out, "{}", i.file)?;
    writeln!(out, "  Seiten:    {} (Sprache: {})", i.pages, i.language)?;
    if !i.pages_without_text.is_empty() {
        let pages: Vec<String> = i.pages_without_text.iter().map(u32::to_string).collect();
        writeln!(out, "  ohne Text: S. {} (kein Textlayer)", pages.join(", "))?;
    }
    writeln!(out, "  Typ:       {}", s.doc_type)?;
    writeln!(out, "  Körperschaft: {}", or_dash(&s.body))?;
    writeln!(out, "  Gremium:   {}", or_dash(&s.gremium))?;
    writeln!(out, "  Datum:     {}", or_dash(&s.date))?;
    writeln!(out, "  Nummer:    {}", or_dash(&s.reference))?;
    let items =
        |out: &mut dyn Write, label: &str, list: &[(Option<&str>, &str, u32)]| -> io::Result<()> {
            if list.is_empty() {
                return Ok(());
            }
            writeln!(out, "  {label} ({}):", list.len())?;
            for (number, title, page) in list {
                match number {
                    Some(n) => writeln!(out, "    {n} {title} (S. {page})")?,
                    None => writeln!(out, "    {title} (S. {page})")?,
                }
            }
            Ok(())
        };
    let st: Vec<_> = s
        .stichworte
        .iter()
        .map(|x| (x.number.as_deref(), x.title.as_str(), x.page))
        .collect();
    items(out, "Stichworte", &st)?;
    let hf: Vec<_> = s
        .handlungsfelder
        .iter()
        .map(|x| (x.number.as_deref(), x.title.as_str(), x.page))
        .collect();
    items(out, "Handlungsfelder", &hf)?;
    let ag: Vec<_> = s
        .agenda_items
        .iter()
        .map(|x| (Some(x.number.as_str()), x.title.as_str(), x.page))
        .collect();
    items(out, "Tagesordnung", &ag)?;
    if !s.qa_pairs.is_empty() {
        writeln!(out, "  Fragen und Antworten ({}):", s.qa_pairs.len())?;
        for qa in &s.qa_pairs {
            writeln!(
                out,
                "    {}. {} (S. {})",
                qa.number,
                shorten(&qa.question, 100),
                qa.page
            )?;
            writeln!(out, "       → {}", shorten(&qa.answer, 100))?;
        }
    }
    if !s.dates_mentioned.is_empty() {
        writeln!(out, "  Daten:     {}", s.dates_mentioned.join(", "))?;
    }
    Ok(())
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    format!("{cut}…")
}
