//! Text rendering of `similar` results: per question of the new inquiry,
//! the earlier pairs with document, date, page and the answer (shortened).

use std::io::{self, Write};

use ratsuche::search::similar::{SimilarResults, SplitMode};

/// Characters of an earlier answer shown in the text view (`--json` has
/// them all).
const ANSWER_CHARS: usize = 400;

pub fn print_similar(out: &mut impl Write, results: &SimilarResults) -> io::Result<()> {
    let how = match results.split {
        SplitMode::Numbered => "numbered questions",
        SplitMode::Sentences => "sentences ending in '?'",
        SplitMode::Whole => "no question mark: the whole text as one question",
    };
    writeln!(
        out,
        "{} question(s) in the inquiry ({how}).\n",
        results.questions.len()
    )?;
    for q in &results.questions {
        match &q.number {
            Some(n) => writeln!(out, "Frage {n}: {}", q.question)?,
            None => writeln!(out, "Frage: {}", q.question)?,
        }
        if q.matches.is_empty() {
            writeln!(out, "   No earlier question/answer pair found.\n")?;
            continue;
        }
        for m in &q.matches {
            let about: Vec<&str> = [
                Some(m.file.as_str()),
                m.doc_type.as_deref(),
                m.date.as_deref(),
                m.reference.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect();
            writeln!(
                out,
                "  {}. {}, S. {}  (score {:.2})",
                m.rank,
                m.heading.as_deref().unwrap_or("Frage"),
                m.page,
                m.score
            )?;
            writeln!(out, "     {}", about.join(" · "))?;
            writeln!(out, "     → {}", shorten(&m.answer, ANSWER_CHARS))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max_chars {
        return text;
    }
    let cut: String = text.chars().take(max_chars).collect();
    format!("{cut} …")
}
