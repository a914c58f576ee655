//! The `ratsuche` command line: `index`, `search`, `inspect`, `extract`,
//! `serve`.
//!
//! Parses arguments, calls the library and prints; every decision a second
//! front end (the HTTP server) would also need lives in the library.
//!
//! Exit codes: 0 success; 1 `index` finished but some files failed (the rest
//! is committed); 2 an error stopped the command (bad query, no index, …).

mod cli;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

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
    },
    /// Search the index; matched words are bold on a terminal and «marked» otherwise.
    ///
    /// Filters restrict the results and can be combined; with filters the
    /// query may be empty (or *) to list the matching documents, newest first.
    Search {
        /// The query: words (all must match; if none match all, any may),
        /// "quoted phrases", -excluded, a OR b, (groups), prefix*, and
        /// filters typ: gremium: body: stichwort: handlungsfeld: kind:
        /// datum:2025-01..2025-06 nr:0412/2025. Misspelt words are corrected
        /// ("Ergebnisse für …"), abbreviations also search their long forms.
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
    /// Serve the index over HTTP: a search page at / and a JSON API under
    /// /api (OpenAPI description at /api/openapi.json).
    ///
    /// Binds to loopback by default; see the README before exposing it.
    /// Follows the index's commits, so a running `index` becomes visible.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        addr: std::net::SocketAddr,
        /// Index directory.
        #[arg(long, default_value = "index")]
        index: PathBuf,
    },
    /// Print a file's cleaned text exactly as it is indexed (pages separated by form feeds).
    Extract {
        file: PathBuf,
        /// Print the pages with line geometry as JSON.
        #[arg(long)]
        json: bool,
    },
}

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
        Command::Index { paths, index } => run_index(&paths, &index),
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
                offset: 0,
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
        Command::Serve { addr, index } => run_serve(addr, &index),
        Command::Extract { file, json } => {
            let extracted = ingest::extract_clean(&file)?;
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

/// The only command with an async runtime: the rest of the CLI stays
/// synchronous.
fn run_serve(addr: std::net::SocketAddr, index_dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open(index_dir)?;
    let limits = ratsuche::server::Limits::default();
    let state = ratsuche::server::AppState::new(index, limits)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr}"))?;
        let local = listener.local_addr()?;
        eprintln!(
            "ratsuche: serving {} on http://{local}/ (Ctrl-C stops)",
            index_dir.display()
        );
        let app = ratsuche::server::router(state);
        ratsuche::server::serve(listener, app, limits, ratsuche::server::shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn run_index(paths: &[PathBuf], index_dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open_or_create(index_dir)?;
    let mut progress = cli::progress::Bar::new();
    let report = ingest::ingest(&index, paths, &IngestOptions::default(), &mut progress)
        .with_context(|| format!("indexing into {}", index_dir.display()))?;
    progress.finish();
    cli::output::print_report(&report)?;
    Ok(if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
