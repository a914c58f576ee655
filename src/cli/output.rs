//! Text rendering of search results and index reports.
//!
//! Matched words are bold when stdout is a terminal with colours enabled
//! (`console` honours `NO_COLOR`/`CLICOLOR_FORCE`), and wrapped in «» otherwise,
//! so piped output carries no escape sequences but still shows the matches.

use std::io::{self, Write};

use ratsuche::ingest::{IngestReport, Inspection};
use ratsuche::search::{Facets, MatchMode, SearchResults, Sort};

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

/// Hits (where, what document, snippet), a summary line and the facets.
pub fn print_results(
    out: &mut impl Write,
    results: &SearchResults,
    marks: Marks,
) -> io::Result<()> {
    if let Some(corrected) = &results.corrected {
        let typed: Vec<String> = results
            .corrections
            .iter()
            .map(|c| format!("„{}“", c.from))
            .collect();
        let verb = if typed.len() == 1 { "kommt" } else { "kommen" };
        writeln!(
            out,
            "Ergebnisse für „{corrected}“ ({} {verb} in keinem Dokument vor).\n",
            typed.join(", ")
        )?;
    }
    if results.fallback {
        writeln!(
            out,
            "No passage contains all words of {:?}; showing passages with any of them.\n",
            results.query
        )?;
    }
    if results.hits.is_empty() {
        if results.listing {
            writeln!(out, "No documents match the filters.")?;
        } else {
            writeln!(out, "No matches for {:?}.", results.query)?;
        }
        return Ok(());
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        match hit.source_label() {
            Some(label) => writeln!(out, "{}. {} ({label})", rank + 1, hit.location())?,
            None => writeln!(out, "{}. {}", rank + 1, hit.location())?,
        }
        // The file is in the location line unless a heading took its place.
        let file = hit.heading.as_ref().map(|_| hit.file.as_str());
        let about: Vec<&str> = [
            file,
            hit.doc_type.as_deref(),
            hit.date.as_deref(),
            hit.body.as_deref(),
            hit.gremium.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let score = if results.listing {
            String::new()
        } else {
            format!("(score {:.2})", hit.score)
        };
        let line = [about.join(" · "), score]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("  ");
        if !line.is_empty() {
            writeln!(out, "   {line}")?;
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
    let order = match (results.listing, results.sort, results.mode) {
        (true, Sort::Date, _) => "newest first",
        (true, Sort::Relevance, _) => "in index order",
        (false, Sort::Date, MatchMode::All) => "all words, newest first",
        (false, Sort::Date, MatchMode::Any) => "any word, newest first",
        (false, Sort::Relevance, MatchMode::All) => "all words",
        (false, Sort::Relevance, MatchMode::Any) => "any word",
    };
    writeln!(
        out,
        "{} of {} {unit} shown ({order}).",
        results.hits.len(),
        results.total
    )?;
    let facets = facet_line(&results.facets);
    if !facets.is_empty() {
        writeln!(out, "{facets}")?;
    }
    Ok(())
}

/// Values shown per facet before "…".
const FACET_VALUES: usize = 6;

/// "Typ: information (3), konzept (1) · Jahr: 2025 (2) · …"; facets without
/// values are left out.
fn facet_line(facets: &Facets) -> String {
    let groups = [
        ("Typ", &facets.doc_type),
        ("Jahr", &facets.year),
        ("Körperschaft", &facets.body),
        ("Gremium", &facets.gremium),
        ("Handlungsfeld", &facets.handlungsfeld),
    ];
    groups
        .into_iter()
        .filter(|(_, counts)| !counts.is_empty())
        .map(|(label, counts)| {
            let mut values: Vec<String> = counts
                .iter()
                .take(FACET_VALUES)
                .map(|(value, n)| format!("{value} ({n})"))
                .collect();
            if counts.len() > FACET_VALUES {
                values.push("…".into());
            }
            format!("{label}: {}", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" · ")
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
    for partial in &report.partial {
        writeln!(
            err,
            "warning: {}: indexed in part: {}",
            partial.path.display(),
            partial.reason
        )?;
    }
    for failure in &report.failed {
        writeln!(err, "error: {}: {}", failure.path.display(), failure.reason)?;
    }
    for skipped in &report.ocr_skipped {
        for page in &skipped.pages {
            writeln!(
                err,
                "warning: {}: page {}: not OCRed: {}",
                skipped.path.display(),
                page.page,
                page.reason
            )?;
        }
    }
    let in_part = match report.partial.len() {
        0 => String::new(),
        n => format!("; {n} in part"),
    };
    let mut out = io::stdout().lock();
    if report.ocr_pages > 0 {
        writeln!(
            out,
            "OCR: {} pages ({} from the cache)",
            report.ocr_pages, report.ocr_cached
        )?;
    }
    writeln!(
        out,
        "indexed {} files ({} pages, {} passages{in_part}), {} unchanged, {} removed, {} failed",
        report.indexed,
        report.pages,
        report.passages,
        report.unchanged,
        report.removed.len(),
        report.failed.len()
    )?;
    if report.interrupted() {
        writeln!(
            err,
            "interrupted: {} files not reached; run `ratsuche index` again to finish",
            report.not_reached
        )?;
    }
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
