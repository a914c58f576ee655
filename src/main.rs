//! The `ratsuche` command line: `index`, `search`, `extract`.
//!
//! Parses arguments, calls the library and prints; every decision a second
//! front end (the HTTP server) would also need lives in the library.
//!
//! Exit codes: 0 success; 1 `index` finished but some files failed or were
//! indexed only in part (the rest is committed); 2 an error stopped the
//! command (bad query, no index, …).

mod cli;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use ratsuche::extract;
use ratsuche::index::PassageIndex;
use ratsuche::ingest::{self, IngestOptions};
use ratsuche::model::PassageKind;
use ratsuche::search::{self, DateBound, Filters, SearchRequest, Sort};
use ratsuche::structure::DocType;
use ratsuche::TextSource;

#[derive(Parser)]
#[command(
    name = "ratsuche",
    version,
    about = "Search engine for German council papers"
)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Index the .pdf and .txt files under the given files and folders.
    ///
    /// Incremental: unchanged files are skipped, changed ones replaced, and
    /// files gone from a named folder are removed from the index.
    Index {
        /// Files and folders (folders are searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Index directory (created when missing).
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Time limit per document, in seconds of CPU time (0: none). A
        /// document over it is indexed with the pages finished in time and
        /// reported, or fails if not even its first page was done.
        #[arg(long, value_name = "SECONDS", default_value = "10",
              value_parser = extract::parse_max_time)]
        max_time: TimeLimit,
        /// Commit after this many changed files (0: only at the end); an
        /// interrupted run keeps everything committed before it.
        #[arg(long, value_name = "FILES", default_value_t = IngestOptions::default().commit_every)]
        commit_every: usize,
    },
    /// Search the index; matched words are bold on a terminal and «marked» otherwise.
    ///
    /// Filters restrict the results and can be combined; with filters the
    /// query may be empty (or *) to list the matching documents, newest first.
    Search {
        /// The query: words (all must match; if none match all, any may),
        /// "quoted phrases", -excluded, field:value.
        #[arg(allow_hyphen_values = true, default_value = "")]
        query: String,
        /// Index directory.
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Maximum number of hits.
        #[arg(long, default_value_t = search::DEFAULT_LIMIT,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        limit: usize,
        /// Show every matching passage, not only the best one per document.
        #[arg(long)]
        all_passages: bool,
        /// Order of the hits: relevance or date (newest first). Default:
        /// relevance, or date when the query is empty.
        #[arg(long, value_name = "ORDER", value_parser = str::parse::<Sort>)]
        sort: Option<Sort>,
        #[command(flatten)]
        filters: FilterArgs,
        /// Print the results as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show what a council paper is and what it is made of: type, body,
    /// Gremium, dates, Stichwort items, Handlungsfelder, agenda items, Q&A pairs.
    Inspect {
        file: PathBuf,
        /// Print the structure as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print a file's cleaned text exactly as it is indexed (pages separated by form feeds).
    Extract {
        file: PathBuf,
        /// Print the pages with line geometry as JSON.
        #[arg(long)]
        json: bool,
        /// Time limit in seconds of CPU time (0: none); over it, the pages
        /// finished in time are printed and the cut is reported on stderr.
        #[arg(long, value_name = "SECONDS", default_value = "10",
              value_parser = extract::parse_max_time)]
        max_time: TimeLimit,
    },
}

/// A time limit, `None` for none (`--max-time 0`). An alias, so that clap
/// takes the parser's `Option` as the value instead of reading `Option` as
/// "the flag may be missing".
type TimeLimit = Option<Duration>;

/// The `search` filters, each parsed by the library's own parser so the
/// messages are the same in every front end (clap adds the flag's name).
#[derive(clap::Args)]
#[command(next_help_heading = "Filters")]
struct FilterArgs {
    /// Only documents of this type: information, konzept, anfrage, antwort,
    /// anfrage_antwort, niederschrift, beschlussvorlage, projekt, sonstiges.
    #[arg(long = "type", value_name = "TYPE", value_parser = search::parse_doc_type)]
    doc_type: Option<DocType>,
    /// Only documents dated on or after this day, month or year
    /// (YYYY-MM-DD, YYYY-MM, YYYY).
    #[arg(long, value_name = "DATE", value_parser = str::parse::<DateBound>)]
    from: Option<DateBound>,
    /// Only documents dated on or before this day, month or year (inclusive).
    #[arg(long, value_name = "DATE", value_parser = str::parse::<DateBound>)]
    to: Option<DateBound>,
    /// Only documents of this body, e.g. Ilm-Kreis (case and hyphens do not matter).
    #[arg(long, value_name = "NAME")]
    body: Option<String>,
    /// Only documents of this Gremium, e.g. Kreistag.
    #[arg(long, value_name = "NAME")]
    gremium: Option<String>,
    /// Only Stichwort passages whose title contains these words.
    #[arg(long, value_name = "TEXT")]
    stichwort: Option<String>,
    /// Only Handlungsfeld passages whose title contains these words.
    #[arg(long, value_name = "TEXT")]
    handlungsfeld: Option<String>,
    /// Only passages of this kind: stichwort, handlungsfeld, agenda, qa, text.
    #[arg(long, value_name = "KIND", value_parser = search::parse_kind)]
    kind: Option<PassageKind>,
}

impl From<FilterArgs> for Filters {
    fn from(a: FilterArgs) -> Filters {
        Filters {
            doc_type: a.doc_type,
            from: a.from,
            to: a.to,
            body: a.body,
            gremium: a.gremium,
            stichwort: a.stichwort,
            handlungsfeld: a.handlungsfeld,
            kind: a.kind,
        }
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    match run(args) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// `ratsuche search … | head` closes the pipe early: that is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Index {
            paths,
            index,
            max_time,
            commit_every,
        } => {
            let options = IngestOptions {
                commit_every,
                extract_limits: extract::Limits {
                    max_time,
                    ..extract::Limits::default()
                },
                ..IngestOptions::default()
            };
            run_index(&paths, &index, &options)
        }
        Command::Search {
            query,
            index,
            limit,
            all_passages,
            sort,
            filters,
            json,
        } => {
            let index = PassageIndex::open(&index)?;
            let request = SearchRequest {
                query,
                limit,
                all_passages,
                sort,
                filters: filters.into(),
            };
            let results = search::search(&index, &request)?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &results)?;
                writeln!(out)?;
            } else {
                cli::output::print_results(&mut out, &results, cli::output::Marks::detect())?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Inspect { file, json } => {
            let inspection = ingest::inspect(&file)?;
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &inspection)?;
                writeln!(out)?;
            } else {
                cli::output::print_inspection(&mut out, &inspection)?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract {
            file,
            json,
            max_time,
        } => {
            let limits = extract::Limits {
                max_time,
                ..extract::Limits::default()
            };
            let extracted = ingest::extract_clean_with(&file, &limits)?;
            if let Some(cut) = &extracted.timed_out {
                eprintln!("warning: {}: {cut}", file.display());
            }
            for page in extracted
                .pages
                .iter()
                .filter(|p| p.source == TextSource::None)
            {
                eprintln!("{}: page {}: no text layer", file.display(), page.number);
            }
            let mut out = std::io::stdout().lock();
            if json {
                serde_json::to_writer_pretty(&mut out, &extracted)?;
                writeln!(out)?;
            } else {
                out.write_all(extracted.text().as_bytes())?;
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_index(
    paths: &[PathBuf],
    index_dir: &std::path::Path,
    options: &IngestOptions,
) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open_or_create(index_dir)?;
    let mut progress = cli::progress::Bar::new();
    let report = ingest::ingest(&index, paths, options, &mut progress).map_err(|e| match e {
        // Already names the index directory.
        ratsuche::Error::IndexDir { .. } => anyhow::Error::from(e),
        e => anyhow::Error::from(e).context(format!("indexing into {}", index_dir.display())),
    })?;
    progress.finish();
    cli::output::print_report(&report)?;
    Ok(if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
