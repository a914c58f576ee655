//! `extract`: file bytes → pages of positioned lines.
//!
//! Takes a PDF (or plain-text file) and gives an [`Extracted`]: one [`Page`]
//! per page with its lines in reading order and where their text came from.
//! Nothing is cleaned here (headers, hyphenation, ligatures are `clean`'s
//! job), so what this stage returns is what the PDF says, placed where it is.
//!
//! The PDF side is our own content-stream interpreter on top of lopdf's
//! object model, not lopdf's `extract_text`, which concatenates strings in
//! stream order and so glues and splits words. The pieces:
//! - [`font`] decodes string bytes into text and widths;
//! - [`content`] runs the content stream and places every glyph;
//! - [`layout`] infers words, lines and reading order from the geometry.
//!
//! Untrusted input is bounded by [`Limits`] (file size, decompressed stream
//! size, operators and glyphs per page, form nesting, page count, and a
//! time budget per document counted in CPU time, see [`Deadline`]): a
//! hostile file costs at most a bounded amount of work and memory, and
//! yields either text (all pages, or the first ones and
//! [`Extracted::timed_out`]) or one [`PdfError`] naming the cause (`not a
//! PDF`, `encrypted: password required`, `damaged: …`, `too large: …`,
//! `timed out after 10 s`). Damaged files are
//! loaded leniently, as pdftotext does: lopdf rebuilds a broken
//! cross-reference table by scanning for objects, and a file without a
//! `%PDF-` header but with objects is given one. `tests/torture.rs` holds
//! this to a corpus of 152 broken files, and `fuzz/` to arbitrary bytes.

pub mod cmap;
pub mod content;
pub mod font;
pub mod layout;

use std::borrow::Cow;
use std::path::Path;
use std::time::{Duration, Instant};

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use crate::error::{Error, PdfError, Result};
use crate::model::{Extracted, Line, Page, TextSource, TimedOut};

use content::{Interpreter, Matrix, Resources};

/// Bounds on the work one document may cause.
///
/// Every limit turns into either a truncated page (operators, glyphs, form
/// nesting: the text before the cut is kept, and a warning is logged) or
/// one [`PdfError`] for the document (file size, stream size while loading,
/// page count, time).
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest decompressed size of any one stream (content, font, CMap, and
    /// the object and cross-reference streams lopdf decodes while loading).
    pub max_stream_bytes: usize,
    pub max_ops_per_page: usize,
    pub max_glyphs_per_page: usize,
    /// Nesting of form XObjects.
    pub max_form_depth: usize,
    pub max_pages: usize,
    /// Largest input accepted at all, in bytes.
    pub max_file_bytes: usize,
    /// Time budget of one document (`None`: unlimited), in CPU time of
    /// the thread extracting it, with a wall-clock backstop of
    /// [`WALL_CLOCK_FACTOR`] times as much; see [`Deadline`] for why.
    ///
    /// Checked cooperatively: between pages, every [`CHECK_EVERY`]
    /// operators or glyphs of the interpreter, and between layout steps.
    /// Loading the file (lopdf's parse, cross-reference repair and
    /// decryption) cannot be interrupted and is not timed; it is bounded by
    /// `max_file_bytes` and `max_stream_bytes` instead. When the budget
    /// runs out before the first page is finished the document fails with
    /// [`PdfError::Timeout`]; otherwise the pages finished so far are
    /// returned and [`Extracted::timed_out`] says how many of how many
    /// (the page being worked on and the rest are left out).
    pub max_time: Option<Duration>,
}

/// Default per-document time budget.
pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(10);

/// How many operators (or glyphs, or layout segments) pass between two
/// looks at the clock: often enough to stop within milliseconds of the
/// deadline, rarely enough that `Instant::now` costs nothing measurable.
pub const CHECK_EVERY: usize = 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_stream_bytes: 64 << 20,
            max_ops_per_page: 2_000_000,
            max_glyphs_per_page: 500_000,
            max_form_depth: 12,
            max_pages: 20_000,
            max_file_bytes: 1 << 30,
            max_time: Some(DEFAULT_MAX_TIME),
        }
    }
}

/// How much longer than the CPU budget a document may take in wall-clock
/// time before it is stopped anyway.
pub const WALL_CLOCK_FACTOR: u32 = 10;

/// When a document's time budget runs out (or never).
///
/// # What is measured, and why
///
/// The budget is meant to bound what a *document* costs, not what the
/// machine is doing: wall-clock time on a loaded machine (a parallel test
/// suite, other indexing threads, other programs) grows with the load, and
/// an ordinary 47-page file then "times out". So the budget counts the CPU
/// time of the thread doing the work (`CLOCK_THREAD_CPUTIME_ID`), which
/// grows only while this thread runs; a wall-clock backstop of
/// [`WALL_CLOCK_FACTOR`] × the budget still ends the document if the clock
/// misbehaves or the thread is starved for minutes.
///
/// Thread CPU time is only the document's cost while the thread does
/// nothing else, which decides where the clock starts and who may read it:
///
/// - It starts when loading is done. lopdf parses objects on rayon's pool,
///   and a rayon worker waiting for that parse runs other queued jobs in
///   the meantime (in `ingest`, other documents' whole extraction), so the
///   worker's clock during loading is not this document's. From then on,
///   pages, fonts and layout run on the calling thread and call no rayon
///   code (keep it that way: work stolen while blocked in rayon would be
///   charged to this document).
/// - A `Deadline` is tied to the thread that made it: it is neither `Send`
///   nor `Sync`, so it cannot be checked on another thread's clock.
///
/// Where the thread CPU clock is unavailable (non-Unix targets, or a
/// failing `clock_gettime`), the budget falls back to wall-clock time.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    /// Value of this thread's CPU clock at which the budget is spent.
    cpu: Option<Duration>,
    /// The wall-clock backstop (or the budget itself without a CPU clock).
    wall: Option<Instant>,
    /// `!Send + !Sync`: the CPU clock read is the current thread's.
    _thread_bound: std::marker::PhantomData<*const ()>,
}

impl Deadline {
    /// A deadline that never passes.
    pub const NEVER: Deadline = Deadline {
        cpu: None,
        wall: None,
        _thread_bound: std::marker::PhantomData,
    };

    /// `budget` of this thread's CPU time from now (wall-clock backstop
    /// [`WALL_CLOCK_FACTOR`] × `budget`); `None` never passes.
    pub fn after(budget: Option<Duration>) -> Deadline {
        let Some(budget) = budget else {
            return Deadline::NEVER;
        };
        let now = Instant::now();
        match thread_cpu_time() {
            Some(cpu) => Deadline {
                cpu: cpu.checked_add(budget),
                wall: budget
                    .checked_mul(WALL_CLOCK_FACTOR)
                    .and_then(|b| now.checked_add(b)),
                _thread_bound: std::marker::PhantomData,
            },
            None => Deadline {
                cpu: None,
                wall: now.checked_add(budget),
                _thread_bound: std::marker::PhantomData,
            },
        }
    }

    pub fn passed(&self) -> bool {
        if self.wall.is_some_and(|t| Instant::now() >= t) {
            return true;
        }
        match (self.cpu, thread_cpu_time()) {
            (Some(end), Some(now)) => now >= end,
            _ => false,
        }
    }
}

/// CPU time consumed so far by the calling thread.
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "freebsd"
))]
pub fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; clock_gettime only writes it.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

/// CPU time consumed so far by the calling thread (unavailable here).
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "freebsd"
)))]
pub fn thread_cpu_time() -> Option<Duration> {
    None
}

/// Parse a time limit given in seconds, as front ends take it: a
/// non-negative decimal number; `0` means no limit.
pub fn parse_max_time(text: &str) -> std::result::Result<Option<Duration>, String> {
    let bad =
        || format!("expected a number of seconds ≥ 0 (0: no limit), e.g. 10 or 2.5; got {text:?}");
    let secs: f64 = text.trim().parse().map_err(|_| bad())?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(bad());
    }
    if secs == 0.0 {
        return Ok(None);
    }
    Duration::try_from_secs_f64(secs)
        .map(Some)
        .map_err(|_| bad())
}

/// Extract the pages of a PDF held in memory, with default limits.
pub fn extract_pdf(bytes: &[u8]) -> std::result::Result<Extracted, PdfError> {
    extract_pdf_with(bytes, &Limits::default())
}

/// A loaded document and the file bytes lopdf read it from.
struct Loaded<'a> {
    doc: Document,
    /// The file from its `%PDF-` header on (lopdf's offsets count from
    /// there); `None` for encrypted files, whose raw bytes are ciphertext.
    raw: Option<Cow<'a, [u8]>>,
}

/// Load a PDF, decrypting it when it opens with the empty user password.
fn load<'a>(bytes: &'a [u8], limits: &Limits) -> std::result::Result<Loaded<'a>, PdfError> {
    let options = || LoadOptions {
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..LoadOptions::default()
    };
    // lopdf looks for `%PDF-` anywhere in the file (leading junk is fine)
    // and, leniently, rebuilds a broken cross-reference table by scanning
    // for `N G obj`. It still wants a header, though; like pdftotext, give
    // a file without one but with objects a header and let the scan find
    // them (the offsets it shifts are corrected by the same repair).
    let header = bytes.windows(5).position(|w| w == b"%PDF-");
    let input: Cow<[u8]> = match header {
        Some(at) => Cow::Borrowed(&bytes[at..]),
        None if bytes.windows(4).any(|w| w == b" obj") => {
            Cow::Owned([b"%PDF-1.7\n".as_slice(), bytes].concat())
        }
        None => return Err(PdfError::NotPdf),
    };
    let mut doc = Document::load_mem_with_options(&input, options()).map_err(|e| {
        // Without a header, failing to load means it was not a PDF.
        if header.is_some() {
            load_error(&e)
        } else {
            PdfError::NotPdf
        }
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(PdfError::PasswordRequired);
    }
    let raw = (!doc.was_encrypted() && !doc.is_encrypted()).then_some(input);
    Ok(Loaded { doc, raw })
}

/// One cause for a file lopdf could not load.
fn load_error(e: &lopdf::Error) -> PdfError {
    match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            PdfError::TooLarge(format!(
                "a stream decompresses to more than the limit ({e})"
            ))
        }
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => PdfError::PasswordRequired,
        _ => {
            // lopdf's outer messages are generic ("couldn't parse input");
            // the cause underneath says what is wrong.
            let mut msg = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                msg.push_str(": ");
                msg.push_str(&inner.to_string());
                source = inner.source();
            }
            PdfError::Damaged(msg)
        }
    }
}

/// Extract the pages of a PDF held in memory.
pub fn extract_pdf_with(bytes: &[u8], limits: &Limits) -> std::result::Result<Extracted, PdfError> {
    let timeout = || PdfError::Timeout(limits.max_time.unwrap_or_default());
    if bytes.len() > limits.max_file_bytes {
        return Err(PdfError::TooLarge(format!(
            "{} bytes (limit {})",
            bytes.len(),
            limits.max_file_bytes
        )));
    }
    let started = Instant::now();
    let Loaded { doc, raw } = load(bytes, limits)?;
    let raw = raw.as_deref();
    // The budget's clock starts now (see `Deadline`); a load slower than
    // the wall-clock backstop still counts.
    let deadline = Deadline::after(limits.max_time);
    let backstop = limits
        .max_time
        .and_then(|b| b.checked_mul(WALL_CLOCK_FACTOR));
    if deadline.passed() || backstop.is_some_and(|b| started.elapsed() >= b) {
        return Err(timeout());
    }
    // `page_iter` walks the tree lazily and stops at cycles; taking one
    // more than the limit tells "too many" apart without collecting a
    // hostile tree.
    let page_ids: Vec<ObjectId> = doc.page_iter().take(limits.max_pages + 1).collect();
    if page_ids.len() > limits.max_pages {
        return Err(PdfError::TooLarge(format!(
            "more than {} pages",
            limits.max_pages
        )));
    }
    if page_ids.is_empty() {
        return Err(PdfError::Damaged("no pages found".into()));
    }
    let mut interp = Interpreter::new(&doc, limits, deadline);
    let mut pages = Vec::with_capacity(page_ids.len());
    let mut timed_out = None;
    for (i, id) in page_ids.iter().enumerate() {
        let page = if deadline.passed() {
            None
        } else {
            extract_page(&doc, raw, *id, i as u32 + 1, &mut interp, limits, deadline)
        };
        match page {
            Some(page) => pages.push(page),
            None if pages.is_empty() => return Err(timeout()),
            None => {
                let cut = TimedOut {
                    limit: limits.max_time.unwrap_or_default(),
                    pages_done: pages.len(),
                    pages_total: page_ids.len(),
                };
                tracing::warn!("{cut}; keeping the pages finished so far");
                timed_out = Some(cut);
                break;
            }
        }
    }
    Ok(Extracted { pages, timed_out })
}

/// One page, or `None` when the deadline passed while working on it.
fn extract_page<'a>(
    doc: &'a Document,
    raw: Option<&[u8]>,
    id: ObjectId,
    number: u32,
    interp: &mut Interpreter<'a>,
    limits: &Limits,
    deadline: Deadline,
) -> Option<Page> {
    let page_dict = doc.get_dictionary(id).ok();
    let bbox = page_dict
        .and_then(|d| inherited(doc, d, b"CropBox").or_else(|| inherited(doc, d, b"MediaBox")))
        .and_then(rect)
        .unwrap_or([0.0, 0.0, 595.0, 842.0]);
    let rotate = page_dict
        .and_then(|d| inherited(doc, d, b"Rotate"))
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0)
        .rem_euclid(360);
    let (w, h) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
    // Initial CTM: user space → displayed page (origin bottom left, y up).
    let shift = Matrix::translate(-bbox[0], -bbox[1]);
    let (ctm, dw, dh) = match rotate {
        90 => (shift.mul(&Matrix([0.0, -1.0, 1.0, 0.0, 0.0, w])), h, w),
        180 => (shift.mul(&Matrix([-1.0, 0.0, 0.0, -1.0, w, h])), w, h),
        270 => (shift.mul(&Matrix([0.0, 1.0, -1.0, 0.0, h, 0.0])), h, w),
        _ => (shift, w, h),
    };

    let content = page_content(doc, raw, id, limits.max_stream_bytes);
    let (inline, ids) = doc.get_page_resources(id).unwrap_or((None, Vec::new()));
    let mut res: Vec<&Dictionary> = inline.into_iter().collect();
    res.extend(ids.iter().filter_map(|rid| doc.get_dictionary(*rid).ok()));
    interp.run_page(&content, &Resources(res), ctm);
    if let Some(page) = page_dict {
        for (stream, form_ctm) in appearances(doc, page) {
            interp.run_annotation(stream, form_ctm.mul(&ctm));
        }
    }
    if interp.timed_out {
        return None;
    }
    let lines = layout::lines(&interp.glyphs, dh, deadline)?;
    if interp.truncated {
        tracing::warn!(
            page = number,
            "page content exceeded limits; text truncated"
        );
    }
    let source = if lines.is_empty() {
        TextSource::None
    } else {
        TextSource::Native
    };
    Some(Page {
        number,
        width: dw,
        height: dh,
        lines,
        source,
    })
}

/// The page's content streams, decoded and joined.
///
/// When lopdf gives nothing but whitespace and the file is at hand, the
/// streams are read again straight from the file: a stream whose `/Length`
/// is missing or wrong (pointing into the middle of the data, or past
/// `endstream`) loads as empty or not at all, though its bytes are there.
/// pdftotext recovers these by scanning for `endstream`; so do we.
fn page_content(doc: &Document, raw: Option<&[u8]>, id: ObjectId, limit: usize) -> Vec<u8> {
    let content = doc
        .get_page_content_with_limit(id, limit)
        .unwrap_or_default();
    let Some(raw) = raw else { return content };
    if !content.iter().all(u8::is_ascii_whitespace) {
        return content;
    }
    let mut out = Vec::new();
    for sid in doc.get_page_contents(id) {
        if let Some(bytes) = raw_stream(doc, raw, sid, limit.saturating_sub(out.len())) {
            out.extend_from_slice(&bytes);
            out.push(b'\n');
        }
    }
    if out.is_empty() {
        content
    } else {
        out
    }
}

/// Object `id`'s stream data read from the file at the offset the
/// cross-reference table gives, ending at `endstream` or, failing that, at
/// `endobj` (never at `/Length`), and decoded with the filters its
/// dictionary names.
fn raw_stream(doc: &Document, raw: &[u8], id: ObjectId, limit: usize) -> Option<Vec<u8>> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let Some(XrefEntry::Normal { offset, .. }) = doc.reference_table.get(id.0) else {
        return None;
    };
    let object = raw.get(*offset as usize..)?;
    let end_obj = find(object, b"endobj").unwrap_or(object.len());
    let keyword = find(&object[..end_obj], b"stream")?;
    let head = &object[..keyword];
    let mut start = keyword + b"stream".len();
    if object.get(start) == Some(&b'\r') {
        start += 1;
    }
    if object.get(start) == Some(&b'\n') {
        start += 1;
    }
    let body = &object[start.min(end_obj)..end_obj];
    let mut data = &body[..find(body, b"endstream").unwrap_or(body.len())];
    while let [rest @ .., b'\r' | b'\n'] = data {
        data = rest;
    }
    if data.is_empty() || data.len() > limit {
        return None;
    }
    // The dictionary as lopdf read it, or — for an object it could not
    // parse at all — the one filter producers use for content.
    let dict = match doc.get_object(id).and_then(Object::as_stream) {
        Ok(stream) => stream.dict.clone(),
        Err(_) if find(head, b"/FlateDecode").is_some() => {
            let mut d = Dictionary::new();
            d.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            d
        }
        Err(_) => Dictionary::new(),
    };
    let stream = lopdf::Stream::new(dict, data.to_vec());
    if stream.dict.has(b"Filter") {
        stream.decompressed_content_with_limit(limit).ok()
    } else {
        Some(stream.content)
    }
}

/// Most annotations one page may paint (a hostile file can list millions).
const MAX_ANNOTATIONS: usize = 10_000;

/// The appearance streams of a page's visible annotations (form fields,
/// free text, stamps), each with the matrix from its form space to the
/// page's user space. pdftotext prints their text, and filled-in forms
/// keep their answers only there.
fn appearances<'a>(doc: &'a Document, page: &'a Dictionary) -> Vec<(&'a lopdf::Stream, Matrix)> {
    let deref = |o: &'a Object| doc.dereference(o).map(|(_, o)| o).ok();
    let Some(annots) = page
        .get(b"Annots")
        .ok()
        .and_then(deref)
        .and_then(|a| a.as_array().ok())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for annot in annots.iter().take(MAX_ANNOTATIONS) {
        let Some(annot) = deref(annot).and_then(|a| a.as_dict().ok()) else {
            continue;
        };
        let subtype = annot
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let flags = annot.get(b"F").and_then(Object::as_i64).unwrap_or(0);
        // Links and popups paint nothing; flags 2 and 32 are Hidden and NoView.
        if subtype == b"Link" || subtype == b"Popup" || flags & (2 | 32) != 0 {
            continue;
        }
        let Some(target) = annot.get(b"Rect").ok().and_then(deref).and_then(rect) else {
            continue;
        };
        let normal = annot
            .get(b"AP")
            .ok()
            .and_then(deref)
            .and_then(|ap| ap.as_dict().ok())
            .and_then(|ap| ap.get(b"N").ok())
            .and_then(deref);
        let stream = match normal {
            Some(Object::Stream(s)) => s,
            // Several appearance states (check boxes): the one /AS selects.
            Some(Object::Dictionary(states)) => {
                let Some(s) = annot
                    .get(b"AS")
                    .and_then(Object::as_name)
                    .ok()
                    .and_then(|state| states.get(state).ok())
                    .and_then(deref)
                    .and_then(|s| s.as_stream().ok())
                else {
                    continue;
                };
                s
            }
            _ => continue,
        };
        let Some(bbox) = stream.dict.get(b"BBox").ok().and_then(deref).and_then(rect) else {
            continue;
        };
        // PDF 32000-1, 12.5.5: the form's bounding box, transformed by its
        // /Matrix, is mapped onto the annotation's rectangle.
        let matrix = content::form_matrix(stream);
        let corners = [
            matrix.apply(bbox[0], bbox[1]),
            matrix.apply(bbox[2], bbox[1]),
            matrix.apply(bbox[0], bbox[3]),
            matrix.apply(bbox[2], bbox[3]),
        ];
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (x, y) in corners {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
        if x1 - x0 < 1e-3 || y1 - y0 < 1e-3 {
            continue;
        }
        let sx = (target[2] - target[0]) / (x1 - x0);
        let sy = (target[3] - target[1]) / (y1 - y0);
        let fit = Matrix([sx, 0.0, 0.0, sy, target[0] - x0 * sx, target[1] - y0 * sy]);
        out.push((stream, matrix.mul(&fit)));
    }
    out
}

/// A page attribute, inherited through the page tree (`/Parent`) when absent.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..64 {
        if let Ok(v) = node.get(key) {
            return Some(match v {
                Object::Reference(r) => doc.get_object(*r).ok()?,
                v => v,
            });
        }
        let parent = node.get(b"Parent").ok()?.as_reference().ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

fn rect(o: &Object) -> Option<[f32; 4]> {
    let a = o.as_array().ok()?;
    if a.len() != 4 {
        return None;
    }
    let mut r = [0f32; 4];
    for (slot, v) in r.iter_mut().zip(a) {
        *slot = match v {
            Object::Integer(i) => *i as f32,
            Object::Real(f) => *f,
            _ => return None,
        };
    }
    let [x0, y0, x1, y1] = r;
    let r = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    (r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0 && r.iter().all(|v| v.is_finite())).then_some(r)
}

/// Extract a `.pdf` or `.txt` file (text files: pages split at form feeds).
pub fn extract_file(path: &Path) -> Result<Extracted> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    extract_bytes(path, &bytes)
}

/// Extract file contents already read; `path` decides the type and names errors.
pub fn extract_bytes(path: &Path, bytes: &[u8]) -> Result<Extracted> {
    extract_bytes_with(path, bytes, &Limits::default())
}

/// [`extract_bytes`] with explicit [`Limits`].
pub fn extract_bytes_with(path: &Path, bytes: &[u8], limits: &Limits) -> Result<Extracted> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("pdf") => extract_pdf_with(bytes, limits).map_err(|source| Error::Pdf {
            path: path.into(),
            source,
        }),
        Some("txt") => Ok(plain_text(&utf8_text(bytes))),
        _ => Err(Error::UnsupportedFile { path: path.into() }),
    }
}

/// A text file's bytes as text, invalid UTF-8 sequences replaced by U+FFFD.
///
/// The same as `String::from_utf8_lossy`, which walks the bytes one at a
/// time (~6 instructions a byte, ~1 % of indexing a folder of .txt files);
/// `str::from_utf8` checks ASCII runs of the usual valid file a word at a
/// time, and only an invalid file takes the lossy path.
fn utf8_text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Pages of a plain-text file: form feeds separate pages.
pub fn plain_text(text: &str) -> Extracted {
    let pages = text
        .split('\u{c}')
        .enumerate()
        .map(|(i, chunk)| Page {
            number: i as u32 + 1,
            width: 0.0,
            height: 0.0,
            lines: chunk.lines().map(Line::plain).collect(),
            source: TextSource::Native,
        })
        .collect();
    Extracted {
        pages,
        timed_out: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    #[test]
    fn text_files_read_as_utf8_with_invalid_bytes_replaced() {
        let valid = "Kreistag: Stärkung der Fachkräfte – 10.11.2025\u{c}Seite 2".as_bytes();
        assert!(matches!(utf8_text(valid), Cow::Borrowed(t) if t.as_bytes() == valid));
        // Latin-1 "Stärke", a lone continuation byte, a truncated sequence.
        let invalid: &[u8] = b"St\xe4rke \x80 Ende \xe2\x82";
        assert_eq!(utf8_text(invalid), "St\u{fffd}rke \u{fffd} Ende \u{fffd}");
        assert!(matches!(utf8_text(b""), Cow::Borrowed("")));
        // A byte-order mark is text like any other here (clean drops it).
        assert_eq!(utf8_text(b"\xef\xbb\xbfTOP 1"), "\u{feff}TOP 1");
        // An invalid byte after an ASCII run longer than a word-at-a-time block.
        let late: &[u8] = b"Tagesordnungspunkt 5.1 Haushalt \xff";
        assert_eq!(utf8_text(late), "Tagesordnungspunkt 5.1 Haushalt \u{fffd}");
        let pages = extract_bytes(Path::new("a.txt"), invalid).unwrap().pages;
        assert_eq!(
            pages[0].lines[0].text,
            "St\u{fffd}rke \u{fffd} Ende \u{fffd}"
        );
    }

    /// Build a one-page PDF whose page paints `content` with font /F1 = `font`.
    fn pdf_with(
        font: Dictionary,
        content: &str,
        extra: impl FnOnce(&mut Document, &mut Dictionary),
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let mut font = font;
        extra(&mut doc, &mut font);
        let font_id = doc.add_object(font);
        let resources_id =
            doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("save");
        out
    }

    fn helvetica() -> Dictionary {
        dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding" }
    }

    fn text_of(bytes: &[u8]) -> String {
        extract_pdf(bytes)
            .expect("extracts")
            .text()
            .trim()
            .to_string()
    }

    #[test]
    fn tj_kerning_keeps_words_and_positioned_words_get_spaces() {
        // "Kreis" kerned in a TJ array, then "tag" placed by Td right after it
        // (same word), then "Beschluss" placed with a gap and no space char.
        let content = "BT /F1 11 Tf 72 700 Td [(K)20(r)-10(eis)] TJ 25.0 0 Td (tag) Tj 21 0 Td (Beschluss) Tj ET";
        assert_eq!(
            text_of(&pdf_with(helvetica(), content, |_, _| {})),
            "Kreistag Beschluss"
        );
    }

    #[test]
    fn winansi_umlauts_and_differences() {
        let content = "BT /F1 12 Tf 72 700 Td (Gr\\374\\337e \\001) Tj ET";
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => dictionary! { "BaseEncoding" => "WinAnsiEncoding", "Differences" => vec![1.into(), Object::Name(b"adieresis".to_vec())] },
        };
        assert_eq!(text_of(&pdf_with(font, content, |_, _| {})), "Grüße ä");
    }

    #[test]
    fn type0_identity_h_with_to_unicode() {
        let cmap = "begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n2 beginbfchar <0001> <00C4> <0002> <0072> endbfchar\n1 beginbfrange <0003> <0005> <007A> endbfrange endcmap";
        // 0003..0005 → z { | : only 0003 used.
        let content = "BT /F1 10 Tf 72 700 Td <000100020003> Tj ET";
        let bytes = pdf_with(
            dictionary! { "Type" => "Font", "Subtype" => "Type0", "BaseFont" => "X", "Encoding" => "Identity-H" },
            content,
            |doc, font| {
                let tu = doc.add_object(Stream::new(dictionary! {}, cmap.as_bytes().to_vec()));
                let desc = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "CIDFontType2", "BaseFont" => "X", "DW" => 500 });
                font.set("ToUnicode", tu);
                font.set("DescendantFonts", vec![desc.into()]);
            },
        );
        assert_eq!(text_of(&bytes), "Ärz");
    }

    #[test]
    fn lines_break_on_baseline_changes_and_t_star() {
        let content = "BT /F1 11 Tf 14 TL 72 700 Td (erste Zeile) Tj T* (zweite Zeile) Tj ET";
        let ex = extract_pdf(&pdf_with(helvetica(), content, |_, _| {})).expect("extracts");
        let lines: Vec<&str> = ex.pages[0].lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(lines, vec!["erste Zeile", "zweite Zeile"]);
        assert!(
            ex.pages[0].lines[1].y > ex.pages[0].lines[0].y,
            "y grows downwards"
        );
    }

    #[test]
    fn page_without_text_is_reported_as_no_text_layer() {
        let ex =
            extract_pdf(&pdf_with(helvetica(), "0 0 m 100 100 l S", |_, _| {})).expect("extracts");
        assert_eq!(ex.pages[0].source, TextSource::None);
    }

    #[test]
    fn time_limit_is_one_clear_error_when_no_page_finished() {
        let bytes = pdf_with(helvetica(), "BT /F1 11 Tf 72 700 Td (x) Tj ET", |_, _| {});
        let limits = Limits {
            max_time: Some(Duration::ZERO),
            ..Limits::default()
        };
        let err = extract_pdf_with(&bytes, &limits).expect_err("no time at all");
        assert!(matches!(err, PdfError::Timeout(_)), "{err}");
        assert_eq!(
            PdfError::Timeout(DEFAULT_MAX_TIME).to_string(),
            "timed out after 10 s"
        );
        let unlimited = Limits {
            max_time: None,
            ..Limits::default()
        };
        assert_eq!(extract_pdf_with(&bytes, &unlimited).unwrap().pages.len(), 1);
    }

    #[test]
    fn the_budget_counts_cpu_time_not_waiting() {
        let budget = Duration::from_millis(50);
        let deadline = Deadline::after(Some(budget));
        assert!(thread_cpu_time().is_some(), "Linux has a thread CPU clock");
        // Waiting (as a thread does on a loaded machine) costs no CPU time.
        std::thread::sleep(Duration::from_millis(200));
        assert!(!deadline.passed(), "200 ms asleep is not 50 ms of work");
        // Working does.
        let start = Instant::now();
        let mut x = 0u64;
        while !deadline.passed() {
            for i in 0..10_000u64 {
                x = x.wrapping_mul(31).wrapping_add(std::hint::black_box(i));
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never passed");
        }
        std::hint::black_box(x);
        assert!(thread_cpu_time().unwrap() >= budget);
    }

    #[test]
    fn the_wall_clock_backstop_ends_a_starved_document() {
        let deadline = Deadline::after(Some(Duration::from_millis(10)));
        std::thread::sleep(Duration::from_millis(
            10 * u64::from(WALL_CLOCK_FACTOR) + 20,
        ));
        assert!(deadline.passed());
        assert!(!Deadline::NEVER.passed());
        assert!(!Deadline::after(None).passed());
    }

    #[test]
    fn max_time_values() {
        assert_eq!(parse_max_time("10"), Ok(Some(Duration::from_secs(10))));
        assert_eq!(parse_max_time("2.5"), Ok(Some(Duration::from_millis(2500))));
        assert_eq!(parse_max_time("0"), Ok(None));
        for bad in ["", "-1", "abc", "nan", "inf", "1e400", "10s"] {
            let err = parse_max_time(bad).unwrap_err();
            assert!(err.contains("seconds"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn size_limits_name_the_cause() {
        let bytes = pdf_with(helvetica(), "BT /F1 11 Tf 72 700 Td (x) Tj ET", |_, _| {});
        let few_pages = Limits {
            max_pages: 0,
            ..Limits::default()
        };
        let err = extract_pdf_with(&bytes, &few_pages).unwrap_err();
        assert_eq!(err.to_string(), "too large: more than 0 pages");
        let small_files = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let err = extract_pdf_with(&bytes, &small_files).unwrap_err();
        assert!(err.to_string().starts_with("too large: "), "{err}");
    }

    #[test]
    fn file_without_header_is_recovered() {
        let bytes = pdf_with(helvetica(), "BT /F1 11 Tf 72 700 Td (Rat) Tj ET", |_, _| {});
        let body = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
        assert_eq!(text_of(&bytes[body..]), "Rat");
    }

    #[test]
    fn not_a_pdf_and_damaged_are_errors_not_panics() {
        assert!(matches!(extract_pdf(b"hello world"), Err(PdfError::NotPdf)));
        assert!(matches!(extract_pdf(b""), Err(PdfError::NotPdf)));
        assert!(extract_pdf(
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
        )
        .is_err());
    }
}
