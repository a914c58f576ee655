//! The `ratsuche` command line: `index`, `search`, `inspect`, `extract`,
//! `serve`.
//!
//! Parses arguments, calls the library and prints; every decision a second
//! front end (the HTTP server) would also need lives in the library.
//!
//! Exit codes: 0 success; 1 `index` finished but some files failed or were
//! indexed only in part (the rest is committed); 2 an error stopped the
//! command (bad query, no index, …); 130 `index` or `import-oparl` was
//! interrupted (Ctrl-C, SIGTERM) and committed what it had done.

mod cli;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};

use ratsuche::extract;
use ratsuche::index::{CommitPolicy, PassageIndex};
use ratsuche::ingest::{self, IngestOptions};
use ratsuche::model::PassageKind;
use ratsuche::ocr::{Ocr, OcrMode};
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
        /// OCR with Tesseract: auto (pages without text), always (every
        /// page with an image), never. Cached in INDEX/ocr-cache.
        #[arg(long, default_value = "auto", value_name = "MODE", value_parser = str::parse::<OcrMode>)]
        ocr: OcrMode,
        /// Time limit per document, in seconds of CPU time (0: none). A
        /// document over it is indexed with the pages finished in time and
        /// reported, or fails if not even its first page was done.
        #[arg(long, value_name = "SECONDS", default_value = "10",
              value_parser = extract::parse_max_time)]
        max_time: TimeLimit,
        /// Commit once this many seconds have passed since the last commit
        /// (0: no time bound); an interrupted run keeps everything committed
        /// before it, and a running `serve` shows what is committed. The
        /// writer also commits on its own once it holds half its memory
        /// budget of text or 40,000 passages.
        #[arg(long, value_name = "SECONDS", default_value = "300",
              value_parser = extract::parse_max_time)]
        commit_interval: TimeLimit,
        /// Commit also after this many changed files (0: no file bound).
        #[arg(long, value_name = "FILES", default_value_t = 0)]
        commit_every: usize,
        /// Memory of the index writer in MB (the least is 20). It holds
        /// the postings of what is not yet committed; the run commits when
        /// half of it is text.
        #[arg(long, value_name = "MB",
              default_value_t = IngestOptions::default().writer_memory / 1_000_000,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(20..=4000))]
        writer_memory: usize,
        /// Worker threads for reading, cleaning and analysing files
        /// (default: one per core, or RAYON_NUM_THREADS); the index writer
        /// adds one light thread per six workers.
        #[arg(long, value_name = "N",
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        threads: Option<usize>,
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
    /// Import an OParl system: Papers, Meetings and AgendaItems with their
    /// Files' text, from a directory of saved JSON or a live endpoint URL.
    ///
    /// Re-importing replaces (documents are identified by their OParl id);
    /// a live import asks only for what changed since the last one. Ctrl-C
    /// commits what was written and keeps the sync point (exit code 130).
    ImportOparl {
        /// A directory of OParl JSON (.json, .jsonl, .jsonl.gz) or the
        /// URL of a System, Body or list.
        source: String,
        /// Index directory (created when missing).
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// A folder with the Files' contents, named `<file id>.txt` or `.pdf`.
        #[arg(long, value_name = "DIR")]
        files: Option<PathBuf>,
        /// Only objects modified since this time (ISO 8601); default: since
        /// the last import of this URL.
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Read everything, ignoring the last import's time.
        #[arg(long, conflicts_with = "since")]
        full: bool,
        /// Do not download Files from a live endpoint.
        #[arg(long)]
        no_download: bool,
    },
    /// Export the index for a distributed engine: bulk NDJSON, or with
    /// --template the index template.
    Export {
        /// Output format (only `opensearch`, which Elasticsearch reads too).
        #[arg(long, default_value = "opensearch", value_parser = ["opensearch"])]
        format: String,
        /// Index directory.
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Write to this file instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Print the index template instead of the documents.
        #[arg(long, conflicts_with = "word_list")]
        template: bool,
        /// With --template: put the decompounding words inline instead of
        /// referring to a word-list file on the nodes.
        #[arg(long, requires = "template")]
        inline_words: bool,
        /// With --template: synonym groups for the query analyzer (default:
        /// $RATSUCHE_SYNONYMS, else the built-in groups).
        #[arg(long, value_name = "FILE", requires = "template")]
        synonyms: Option<PathBuf>,
        /// Print the decompounding word list (one word a line) for the nodes'
        /// config directory.
        #[arg(long)]
        word_list: bool,
        /// Target index name in the bulk action lines.
        #[arg(long, default_value = ratsuche::export::DEFAULT_INDEX_NAME)]
        index_name: String,
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
        /// Megabytes of recent search results kept for repeated requests
        /// (per index state; a commit empties it). 0 turns the cache off.
        #[arg(long, default_value_t = 32)]
        cache_mb: usize,
    },
    /// Print a file's cleaned text exactly as it is indexed (pages separated by form feeds).
    Extract {
        file: PathBuf,
        /// Print the pages with line geometry as JSON.
        #[arg(long)]
        json: bool,
        /// OCR with Tesseract: auto (pages without text), always (every
        /// page with an image), never. Cached in $XDG_CACHE_HOME/ratsuche/ocr.
        #[arg(long, default_value = "auto", value_name = "MODE", value_parser = str::parse::<OcrMode>)]
        ocr: OcrMode,
        /// Time limit in seconds of CPU time (0: none); over it, the pages
        /// finished in time are printed and the cut is reported on stderr.
        #[arg(long, value_name = "SECONDS", default_value = "10",
              value_parser = extract::parse_max_time)]
        max_time: TimeLimit,
    },
    /// Has this been asked before? Split a new inquiry into its questions
    /// and show, for each, the most similar earlier question/answer pairs.
    Similar {
        /// The new inquiry: a .txt or .pdf file.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with = "text",
            required_unless_present = "text"
        )]
        file: Option<PathBuf>,
        /// The new inquiry as text.
        #[arg(long, value_name = "TEXT")]
        text: Option<String>,
        /// Index directory.
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Earlier pairs per question.
        #[arg(long, default_value_t = search::similar::DEFAULT_LIMIT,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        limit: usize,
        /// Print the results as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Run many queries from a file (ID<TAB>QUERY or one query per line;
    /// `-` reads stdin) and write one result line per query, in input order.
    ///
    /// Queries run in parallel against one searcher. A query that fails is
    /// reported in its own line and the batch goes on; the exit code is 1
    /// when any failed. TREC docids are <doc_id>#<passage index>.
    Batch {
        /// The query file, or - for stdin.
        queries: PathBuf,
        /// Index directory.
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Hits per query.
        #[arg(long, default_value_t = search::DEFAULT_LIMIT,
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        limit: usize,
        /// Output: jsonl (one JSON object per query), csv (one row per hit)
        /// or trec (qid Q0 docid rank score ratsuche).
        #[arg(long, default_value = "jsonl", value_parser = str::parse::<search::batch::Format>)]
        format: search::batch::Format,
        /// Every matching passage instead of the best one per document.
        #[arg(long)]
        all_passages: bool,
        /// Worker threads (default: one per core).
        #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
        threads: Option<usize>,
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
            commit_interval,
            commit_every,
            writer_memory,
            ocr,
            threads,
        } => {
            let options = IngestOptions {
                writer_memory: writer_memory * 1_000_000,
                commit: CommitPolicy {
                    files: commit_every,
                    interval: commit_interval,
                },
                threads,
                extract_limits: extract::Limits {
                    max_time,
                    ..extract::Limits::default()
                },
                ocr: Ocr::new(ocr).with_cache(index.join("ocr-cache")),
                stop: Some(stop_on_interrupt()),
            };
            run_index(&paths, &index, &options)
        }
        Command::ImportOparl {
            source,
            index,
            files,
            since,
            full,
            no_download,
        } => {
            let options = ratsuche::oparl::ImportOptions {
                local_files: files,
                modified_since: since,
                full,
                download: !no_download,
                stop: Some(stop_on_interrupt()),
                ..Default::default()
            };
            run_import_oparl(&source, &index, &options)
        }
        Command::Export {
            format: _,
            index,
            out,
            template,
            inline_words,
            synonyms,
            word_list,
            index_name,
        } => {
            let mut sink: Box<dyn Write> = match &out {
                Some(path) => Box::new(std::io::BufWriter::new(
                    std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?,
                )),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            if template {
                // The synonyms the local search uses: --synonyms, else
                // $RATSUCHE_SYNONYMS, else the built-in groups.
                let file = synonyms.or_else(|| {
                    std::env::var_os(ratsuche::analysis::synonyms::SYNONYMS_ENV).map(PathBuf::from)
                });
                let synonyms = match &file {
                    Some(path) => std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                    None => ratsuche::analysis::synonyms::BUILTIN.to_string(),
                };
                let synonyms = Some(synonyms);
                let options = ratsuche::export::TemplateOptions {
                    words: if inline_words {
                        ratsuche::export::WordList::Inline
                    } else {
                        ratsuche::export::WordList::Path
                    },
                    synonyms,
                };
                serde_json::to_writer_pretty(&mut sink, &ratsuche::export::template(&options))?;
                writeln!(sink)?;
            } else if word_list {
                for word in ratsuche::export::dictionary_words() {
                    writeln!(sink, "{word}")?;
                }
            } else {
                let index = PassageIndex::open(&index)?;
                let report = ratsuche::export::write_bulk(&index, &index_name, &mut sink)?;
                eprintln!(
                    "exported {} passages of {} documents",
                    report.passages, report.documents
                );
            }
            sink.flush()?;
            Ok(ExitCode::SUCCESS)
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
        Command::Serve {
            addr,
            index,
            cache_mb,
        } => run_serve(addr, &index, cache_mb),
        Command::Extract {
            file,
            json,
            ocr,
            max_time,
        } => {
            let limits = extract::Limits {
                max_time,
                ..extract::Limits::default()
            };
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let mut engine = Ocr::new(ocr);
            if let Some(dir) = ratsuche::ocr::default_cache_dir() {
                engine = engine.with_cache(dir);
            }
            let (extracted, report) =
                ingest::extract_ocr_clean_bytes(&file, &bytes, &limits, &engine)?;
            if let Some(cut) = &extracted.timed_out {
                eprintln!("warning: {}: {cut}", file.display());
            }
            for page in &extracted.pages {
                let skipped = report.skipped.iter().find(|s| s.page == page.number);
                match (page.source, skipped) {
                    (TextSource::None, Some(s)) => eprintln!(
                        "{}: page {}: no text layer, not OCRed: {}",
                        file.display(),
                        page.number,
                        s.reason
                    ),
                    (TextSource::None, None) => {
                        eprintln!("{}: page {}: no text layer", file.display(), page.number)
                    }
                    (TextSource::Ocr { confidence }, _) => eprintln!(
                        "{}: page {}: text from OCR (Konfidenz {confidence:.0} %)",
                        file.display(),
                        page.number
                    ),
                    (TextSource::Native, _) => {}
                }
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
        Command::Similar {
            file,
            text,
            index,
            limit,
            json,
        } => run_similar(file.as_deref(), text, &index, limit, json),
        Command::Batch {
            queries,
            index,
            limit,
            format,
            all_passages,
            threads,
        } => run_batch(&queries, &index, limit, format, all_passages, threads),
    }
}

/// The only command with an async runtime: the rest of the CLI stays
/// synchronous.
fn run_serve(
    addr: std::net::SocketAddr,
    index_dir: &std::path::Path,
    cache_mb: usize,
) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open(index_dir)?;
    let limits = ratsuche::server::Limits {
        result_cache_bytes: cache_mb.saturating_mul(1 << 20),
        ..ratsuche::server::Limits::default()
    };
    let state = ratsuche::server::AppState::new(index, limits)?;
    let runtime = ratsuche::server::runtime(&limits).context("starting the async runtime")?;
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

/// A flag set by the first Ctrl-C (or SIGTERM): the run (`index`,
/// `import-oparl`) finishes the work in progress and commits. A second one ends the process at once; the
/// index keeps its last commit.
fn stop_on_interrupt() -> Arc<AtomicBool> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let installed = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            eprintln!("interrupted again: quitting; the index keeps its last commit");
            std::process::exit(130);
        }
        eprintln!("interrupted: committing what is done so far (interrupt again to quit at once)");
    });
    if let Err(e) = installed {
        tracing::warn!("Ctrl-C will end the run without a commit: {e}");
    }
    stop
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
    Ok(if report.interrupted() {
        ExitCode::from(130)
    } else if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_import_oparl(
    source: &str,
    index_dir: &std::path::Path,
    options: &ratsuche::oparl::ImportOptions,
) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open_or_create(index_dir)?;
    let source = ratsuche::oparl::Source::parse(source);
    let mut progress = cli::progress::Bar::with_units("papers and meetings", "passages");
    let report = ratsuche::oparl::import_with(
        &index,
        &source,
        options,
        &ratsuche::oparl::HttpFetch::default(),
        &mut progress,
    )
    .with_context(|| format!("importing into {}", index_dir.display()))?;
    progress.finish();
    let mut err = std::io::stderr().lock();
    for (what, why) in &report.failed {
        writeln!(err, "error: {what}: {why}")?;
    }
    for line in report.summary() {
        writeln!(err, "{line}")?;
    }
    Ok(if report.interrupted {
        ExitCode::from(130)
    } else if report.has_failures() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_similar(
    file: Option<&std::path::Path>,
    text: Option<String>,
    index_dir: &std::path::Path,
    limit: usize,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let index = PassageIndex::open(index_dir)?;
    let mut opts = search::similar::SimilarOptions {
        limit,
        ..Default::default()
    };
    let text = match (file, text) {
        (Some(file), _) => {
            // An inquiry that is itself indexed must not find its own pairs.
            if let Ok(canonical) = file.canonicalize() {
                opts.exclude_doc_ids
                    .push(ratsuche::index::doc_id_for(&canonical));
            }
            ingest::extract_clean(file)?.text()
        }
        (None, Some(text)) => text,
        (None, None) => anyhow::bail!("give the inquiry with --file FILE or --text TEXT"),
    };
    let reader = index.reader()?;
    let results = search::similar::similar(&index, &reader.searcher(), &text, &opts)?;
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &results)?;
        writeln!(out)?;
    } else {
        cli::similar::print_similar(&mut out, &results)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn run_batch(
    queries_path: &std::path::Path,
    index_dir: &std::path::Path,
    limit: usize,
    format: search::batch::Format,
    all_passages: bool,
    threads: Option<usize>,
) -> anyhow::Result<ExitCode> {
    use search::batch;
    let queries = if queries_path.as_os_str() == "-" {
        batch::read_queries(std::io::stdin().lock(), "-")?
    } else {
        let file =
            std::fs::File::open(queries_path).map_err(|e| ratsuche::Error::io(queries_path, e))?;
        batch::read_queries(
            std::io::BufReader::new(file),
            &queries_path.display().to_string(),
        )?
    };
    let index = PassageIndex::open(index_dir)?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let opts = batch::BatchOptions {
        limit,
        all_passages,
        threads,
    };
    let bar = cli::progress::counter(queries.len() as u64, "queries");
    let out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut writer = batch::RecordWriter::new(format, out)?;
    let summary = batch::run(
        &index,
        &searcher,
        &queries,
        &opts,
        |done| bar.set_position(done as u64),
        |record| {
            if let Some(error) = &record.error {
                bar.suspend(|| eprintln!("error: query {}: {error}", record.id));
            }
            writer.write(record)
        },
    )?;
    writer.finish()?;
    bar.finish_and_clear();
    eprintln!("{} queries, {} failed", summary.queries, summary.failed);
    Ok(if summary.failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_commits_by_the_library_default_unless_told_otherwise() {
        let args = Args::try_parse_from(["ratsuche", "index", "docs"]).expect("parses");
        let Command::Index {
            commit_interval,
            commit_every,
            ..
        } = args.command
        else {
            panic!("not the index command");
        };
        let policy = CommitPolicy {
            files: commit_every,
            interval: commit_interval,
        };
        assert_eq!(policy, CommitPolicy::default());
        assert_eq!(IngestOptions::default().commit, CommitPolicy::default());

        let args = Args::try_parse_from([
            "ratsuche",
            "index",
            "docs",
            "--commit-interval",
            "0",
            "--commit-every",
            "7",
            "--writer-memory",
            "64",
        ])
        .expect("parses");
        let Command::Index {
            commit_interval,
            commit_every,
            writer_memory,
            ..
        } = args.command
        else {
            panic!("not the index command");
        };
        assert_eq!(
            (commit_interval, commit_every, writer_memory),
            (None, 7, 64)
        );
        for bad in ["10", "0", "lots"] {
            let err = Args::try_parse_from(["ratsuche", "index", "docs", "--writer-memory", bad])
                .err()
                .expect("refused");
            assert!(err.to_string().contains("--writer-memory"), "{err}");
        }
    }
}
