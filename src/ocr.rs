//! `ocr`: text for scanned pages, by Tesseract.
//!
//! Takes a PDF's bytes and its [`Extracted`] pages and gives the pages that
//! had no text layer (or, with [`OcrMode::Always`], every page with an
//! image) lines recognised by Tesseract's German model, each page marked
//! [`TextSource::Ocr`] with the mean word confidence. Runs between
//! `extract` and `clean`, so cleaning (hyphenation, furniture) and
//! `structure` treat OCR text exactly like a text layer.
//!
//! # Why a process, not a binding
//! Tesseract is called as the `tesseract` program (Debian `tesseract-ocr` +
//! `tesseract-ocr-deu`), one process per page, with TSV output (words with
//! block/paragraph/line numbers, boxes and confidences). A C binding would
//! need leptonica and libtesseract headers at build time for every
//! developer and CI machine, tie the build to one Tesseract ABI, and run
//! Tesseract's C++ code — which can crash or run away on a hostile image —
//! inside the indexer. As a process, a missing Tesseract is a runtime
//! condition (pages stay [`TextSource::None`] and the report says how to
//! enable OCR), a crash or hang costs one page (it is killed after
//! [`Ocr::timeout`]), and the cost of a process start (~50 ms) is nothing
//! next to recognising a page (seconds).
//!
//! # Images, not rendering
//! Scanned pages are one image painted over the page. We take the page's
//! largest image XObject from the PDF as it is: JPEG (`DCTDecode`) bytes go
//! to Tesseract unchanged, Flate-compressed or raw gray/RGB images are
//! written as PNM. Other encodings (JBIG2, CCITT, JPEG 2000) and pages
//! without an image are recorded as skipped; no rasteriser is needed.
//!
//! # Parallelism and cache
//! Pages are recognised in parallel (rayon); each Tesseract runs with
//! `OMP_THREAD_LIMIT=1` so processes do not fight over cores. The TSV of
//! every image is cached under the blake3 hash of the image bytes (plus
//! language and settings) in [`Ocr::cache_dir`], so re-indexing a changed
//! file or a new index does not recognise the same scan again.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use lopdf::{Document, LoadOptions, Object, ObjectId};
use rayon::prelude::*;

use crate::model::{Extracted, Line, Page, TextSource};

/// Which pages are OCRed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OcrMode {
    /// Only pages without a text layer.
    #[default]
    Auto,
    /// Every page that has an image (its text layer is replaced).
    Always,
    /// None: pages without text stay `none`.
    Never,
}

impl std::str::FromStr for OcrMode {
    type Err = String;
    fn from_str(s: &str) -> Result<OcrMode, String> {
        match s {
            "auto" => Ok(OcrMode::Auto),
            "always" => Ok(OcrMode::Always),
            "never" => Ok(OcrMode::Never),
            _ => Err(format!(
                "unknown OCR mode {s:?} (expected auto, always or never)"
            )),
        }
    }
}

/// The hint printed when Tesseract or its German model is missing.
pub const INSTALL_HINT: &str = "install tesseract-ocr tesseract-ocr-deu to OCR them";

/// Settings of the Tesseract call that change its output; part of the cache key.
const SETTINGS: &str = "psm3-v1";

/// Largest image (decoded pixels) handed to Tesseract.
const MAX_PIXELS: u64 = 100_000_000;

/// How to OCR, and where to cache. `Default`: auto, `tesseract` on the
/// `PATH`, German, no cache.
#[derive(Debug, Clone)]
pub struct Ocr {
    pub mode: OcrMode,
    /// The Tesseract program.
    pub program: PathBuf,
    /// Tesseract language(s), e.g. `deu` or `deu+eng`.
    pub lang: String,
    /// Where recognised pages are cached (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// Longest one page may take before its Tesseract is killed.
    pub timeout: Duration,
    /// Whether Tesseract with `lang` is usable, checked once on first need.
    available: OnceLock<Result<(), String>>,
}

impl Default for Ocr {
    fn default() -> Ocr {
        Ocr::new(OcrMode::Auto)
    }
}

/// A page that needed OCR but did not get it, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedPage {
    pub page: u32,
    pub reason: String,
}

/// What OCR did for one document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OcrReport {
    /// Pages whose text now comes from OCR.
    pub pages: Vec<u32>,
    /// How many of them came from the cache.
    pub cached: usize,
    /// Pages that needed OCR and did not get it.
    pub skipped: Vec<SkippedPage>,
}

/// An image to recognise, in a format Tesseract reads.
struct PageImage {
    bytes: Vec<u8>,
    width: u32,
    height: u32,
}

/// A page's recognised text and whether it came from the cache, or why not.
type PageResult = Result<(Recognised, bool), String>;

/// One page's OCR result.
#[derive(Debug, Clone, PartialEq)]
pub struct Recognised {
    pub lines: Vec<Line>,
    /// Mean word confidence, 0..100 (0 when no words).
    pub confidence: f32,
}

impl Ocr {
    pub fn new(mode: OcrMode) -> Ocr {
        Ocr {
            mode,
            program: PathBuf::from("tesseract"),
            lang: "deu".into(),
            cache_dir: None,
            timeout: Duration::from_secs(180),
            available: OnceLock::new(),
        }
    }

    /// With a cache directory (created on first write).
    pub fn with_cache(mut self, dir: impl Into<PathBuf>) -> Ocr {
        self.cache_dir = Some(dir.into());
        self
    }

    /// With another Tesseract program (tests, non-standard installs).
    pub fn with_program(mut self, program: impl Into<PathBuf>) -> Ocr {
        self.program = program.into();
        self.available = OnceLock::new();
        self
    }

    /// `Ok` when Tesseract runs and knows [`Ocr::lang`]; else why not.
    pub fn availability(&self) -> Result<(), String> {
        self.available
            .get_or_init(|| {
                let out = Command::new(&self.program)
                    .arg("--list-langs")
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("{} not found ({e})", self.program.display()))?;
                // Older versions print the list to stderr.
                let text = String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr);
                let known: Vec<&str> = text.lines().map(str::trim).collect();
                match self.lang.split('+').find(|l| !known.contains(l)) {
                    Some(missing) => Err(format!(
                        "{} has no language model {missing:?}",
                        self.program.display()
                    )),
                    None => Ok(()),
                }
            })
            .clone()
    }

    /// OCR the pages of a PDF (`bytes`) that [`Ocr::mode`] selects, in
    /// place. Never fails: a page that cannot be recognised keeps what it
    /// had and is listed in [`OcrReport::skipped`].
    pub fn apply(&self, bytes: &[u8], extracted: &mut Extracted) -> OcrReport {
        let mut report = OcrReport::default();
        let wanted: Vec<usize> = match self.mode {
            OcrMode::Never => return report,
            OcrMode::Auto => (0..extracted.pages.len())
                .filter(|&i| extracted.pages[i].source == TextSource::None)
                .collect(),
            OcrMode::Always => (0..extracted.pages.len()).collect(),
        };
        if wanted.is_empty() {
            return report;
        }
        let always = self.mode == OcrMode::Always;
        let skip_all = |report: &mut OcrReport, reason: &str| {
            for &i in &wanted {
                if extracted.pages[i].source == TextSource::None {
                    report.skipped.push(SkippedPage {
                        page: extracted.pages[i].number,
                        reason: reason.to_string(),
                    });
                }
            }
        };
        if let Err(why) = self.availability() {
            skip_all(&mut report, &format!("{why}; {INSTALL_HINT}"));
            return report;
        }
        let Some(doc) = load(bytes) else {
            skip_all(&mut report, "the PDF could not be read for its images");
            return report;
        };
        let page_ids: Vec<ObjectId> = doc.page_iter().collect();
        let results: Vec<(usize, PageResult)> = wanted
            .par_iter()
            .filter_map(|&i| {
                let page = &extracted.pages[i];
                let id = *page_ids.get(page.number as usize - 1)?;
                let result = match page_image(&doc, id) {
                    Ok(image) => self.recognise_page(&image, page),
                    Err(why) => Err(why),
                };
                Some((i, result))
            })
            .collect();
        for (i, result) in results {
            let page = &mut extracted.pages[i];
            match result {
                Ok((recognised, cached)) => {
                    page.lines = recognised.lines;
                    page.source = TextSource::Ocr {
                        confidence: recognised.confidence,
                    };
                    report.pages.push(page.number);
                    report.cached += usize::from(cached);
                }
                // `always` on a page with text but no image: keep its text.
                Err(_) if always && page.source != TextSource::None => {}
                Err(reason) => report.skipped.push(SkippedPage {
                    page: page.number,
                    reason,
                }),
            }
        }
        report.pages.sort_unstable();
        report
    }

    /// Recognise one page image (from the cache when possible); `true` when cached.
    fn recognise_page(&self, image: &PageImage, page: &Page) -> PageResult {
        let key = format!(
            "{}-{}-{SETTINGS}",
            blake3::hash(&image.bytes).to_hex(),
            self.lang.replace(['/', '\\'], "_")
        );
        let cache_file = self
            .cache_dir
            .as_ref()
            .map(|d| d.join(format!("{key}.tsv")));
        let (tsv, cached) = match cache_file
            .as_ref()
            .and_then(|f| std::fs::read_to_string(f).ok())
        {
            Some(tsv) => (tsv, true),
            None => {
                let dpi = if page.width > 0.0 {
                    (image.width as f32 / (page.width / 72.0)).round() as u32
                } else {
                    0
                };
                let tsv = self.run_tesseract(&image.bytes, dpi)?;
                if let Some(file) = &cache_file {
                    store(file, &tsv);
                }
                (tsv, false)
            }
        };
        let (sx, sy) = if page.width > 0.0 && page.height > 0.0 {
            (
                page.width / image.width as f32,
                page.height / image.height as f32,
            )
        } else {
            (1.0, 1.0)
        };
        Ok((lines_from_tsv(&tsv, sx, sy), cached))
    }

    /// Run Tesseract on one image; its TSV output.
    fn run_tesseract(&self, image: &[u8], dpi: u32) -> Result<String, String> {
        let mut cmd = Command::new(&self.program);
        cmd.args(["stdin", "stdout", "-l", &self.lang, "--psm", "3"]);
        if (70..=2400).contains(&dpi) {
            cmd.args(["--dpi", &dpi.to_string()]);
        }
        cmd.arg("tsv")
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let mut stdin = child.stdin.take();
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let (status, out, err) = std::thread::scope(|s| {
            s.spawn(move || {
                if let Some(stdin) = stdin.as_mut() {
                    // A broken pipe shows as a failed exit below.
                    let _ = stdin.write_all(image);
                }
            });
            let out = s.spawn(move || read_all(stdout.as_mut()));
            let err = s.spawn(move || read_all(stderr.as_mut()));
            let start = Instant::now();
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Ok(status),
                    Ok(None) if start.elapsed() > self.timeout => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break Err(format!(
                            "tesseract timed out after {} s",
                            self.timeout.as_secs()
                        ));
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => break Err(format!("waiting for tesseract: {e}")),
                }
            };
            (
                status,
                out.join().unwrap_or_default(),
                err.join().unwrap_or_default(),
            )
        });
        let status = status?;
        if !status.success() {
            let msg = String::from_utf8_lossy(&err);
            let msg = msg.lines().last().unwrap_or("").trim();
            return Err(format!("tesseract failed ({status}): {msg}"));
        }
        String::from_utf8(out).map_err(|_| "tesseract wrote invalid UTF-8".to_string())
    }
}

fn read_all(r: Option<&mut impl Read>) -> Vec<u8> {
    let mut buf = Vec::new();
    if let Some(r) = r {
        let _ = r.read_to_end(&mut buf);
    }
    buf
}

/// Write a cache file atomically (temporary file, then rename); a failure
/// only costs the cache.
fn store(file: &Path, tsv: &str) {
    let Some(dir) = file.parent() else { return };
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = file.with_extension(format!("{}-{n}.tmp", std::process::id()));
    let result = std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(&tmp, tsv))
        .and_then(|_| std::fs::rename(&tmp, file));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    if let Err(e) = result {
        tracing::warn!(file = %file.display(), "cannot write OCR cache: {e}");
    }
}

/// The default OCR cache outside an index: `$XDG_CACHE_HOME/ratsuche/ocr`,
/// else `~/.cache/ratsuche/ocr`; `None` when neither is known.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("ratsuche").join("ocr"))
}

/// Load a PDF for its images (decrypting with the empty password).
fn load(bytes: &[u8]) -> Option<Document> {
    let options = LoadOptions {
        max_decompressed_size: Some(256 << 20),
        ..LoadOptions::default()
    };
    let mut doc = Document::load_mem_with_options(bytes, options).ok()?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return None;
    }
    Some(doc)
}

/// The page's largest image, in a format Tesseract reads.
fn page_image(doc: &Document, id: ObjectId) -> Result<PageImage, String> {
    let images = doc
        .get_page_images(id)
        .map_err(|e| format!("no usable image ({e})"))?;
    let image = images
        .iter()
        .max_by_key(|i| i.width.max(0) * i.height.max(0))
        .ok_or_else(|| "no image on the page".to_string())?;
    let (width, height) = (image.width, image.height);
    if width <= 0 || height <= 0 || (width as u64) * (height as u64) > MAX_PIXELS {
        return Err(format!("image of {width}×{height} pixels not usable"));
    }
    let (width, height) = (width as u32, height as u32);
    let filters = image.filters.clone().unwrap_or_default();
    let last = filters.last().map(String::as_str);
    let bytes = match last {
        Some("DCTDecode") => {
            if filters.len() == 1 {
                image.content.to_vec()
            } else {
                // e.g. [/FlateDecode /DCTDecode]: undo the outer filters.
                let stream = doc
                    .get_object(image.id)
                    .and_then(Object::as_stream)
                    .map_err(|e| e.to_string())?;
                let mut s = stream.clone();
                let mut dict_filters = filters.clone();
                dict_filters.pop();
                s.dict.set(
                    "Filter",
                    Object::Array(
                        dict_filters
                            .into_iter()
                            .map(|f| Object::Name(f.into_bytes()))
                            .collect(),
                    ),
                );
                s.decompressed_content()
                    .map_err(|e| format!("image not decodable ({e})"))?
            }
        }
        None | Some("FlateDecode") | Some("LZWDecode") => {
            let stream = doc
                .get_object(image.id)
                .and_then(Object::as_stream)
                .map_err(|e| e.to_string())?;
            let raw = if last.is_some() {
                stream
                    .decompressed_content()
                    .map_err(|e| format!("image not decodable ({e})"))?
            } else {
                stream.content.clone()
            };
            let colour = image.color_space.as_deref().unwrap_or("DeviceGray");
            let bpc = image.bits_per_component.unwrap_or(8);
            pnm(&raw, width, height, colour, bpc)?
        }
        Some(other) => return Err(format!("image encoding {other} not supported")),
    };
    Ok(PageImage {
        bytes,
        width,
        height,
    })
}

/// A PNM file (PBM, PGM or PPM) of raw PDF image samples.
fn pnm(raw: &[u8], width: u32, height: u32, colour: &str, bpc: i64) -> Result<Vec<u8>, String> {
    let (w, h) = (width as usize, height as usize);
    let (magic, row, invert) = match (colour, bpc) {
        // PDF gray: 0 is black; PBM: 1 is black.
        ("DeviceGray" | "CalGray", 1) => ("P4", w.div_ceil(8), true),
        ("DeviceGray" | "CalGray", 8) => ("P5", w, false),
        ("DeviceRGB" | "CalRGB", 8) => ("P6", 3 * w, false),
        _ => {
            return Err(format!(
                "raw image in {colour} with {bpc} bits per component not supported"
            ))
        }
    };
    let size = row * h;
    if raw.len() < size {
        return Err(format!(
            "image data too short ({} of {size} bytes)",
            raw.len()
        ));
    }
    let mut out = format!("{magic}\n{width} {height}\n").into_bytes();
    if magic != "P4" {
        out.extend_from_slice(b"255\n");
    }
    if invert {
        out.extend(raw[..size].iter().map(|b| !b));
    } else {
        out.extend_from_slice(&raw[..size]);
    }
    Ok(out)
}

/// One word row of Tesseract's TSV.
struct Word<'a> {
    key: (u32, u32, u32, u32),
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    conf: f32,
    text: &'a str,
}

/// Parse Tesseract TSV (level, page, block, paragraph, line, word, left,
/// top, width, height, confidence, text) into lines in Tesseract's reading
/// order, pixel boxes scaled by `sx`/`sy` into points. Only word rows
/// (level 5) with text count; the confidence is their mean.
pub fn lines_from_tsv(tsv: &str, sx: f32, sy: f32) -> Recognised {
    let words = tsv.lines().skip(1).filter_map(|row| {
        let cols: Vec<&str> = row.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            return None;
        }
        let n = |i: usize| cols[i].trim().parse::<f32>().ok();
        let k = |i: usize| cols[i].trim().parse::<u32>().ok();
        let text = cols[11].trim();
        if text.is_empty() {
            return None;
        }
        Some(Word {
            key: (k(1)?, k(2)?, k(3)?, k(4)?),
            left: n(6)?,
            top: n(7)?,
            width: n(8)?,
            height: n(9)?,
            conf: n(10)?,
            text,
        })
    });
    let mut lines: Vec<Line> = Vec::new();
    let mut last_key = None;
    let mut right = 0.0f32;
    let (mut conf_sum, mut conf_n) = (0.0f64, 0usize);
    for w in words {
        if w.conf >= 0.0 {
            conf_sum += f64::from(w.conf);
            conf_n += 1;
        }
        let bottom = (w.top + w.height) * sy;
        let size = w.height * sy;
        match lines.last_mut() {
            Some(line) if last_key == Some(w.key) => {
                line.text.push(' ');
                line.text.push_str(w.text);
                line.x = line.x.min(w.left * sx);
                line.y = line.y.max(bottom);
                right = right.max((w.left + w.width) * sx);
                line.width = right - line.x;
                line.font_size = line.font_size.max(size);
            }
            _ => {
                right = (w.left + w.width) * sx;
                lines.push(Line {
                    text: w.text.to_string(),
                    x: w.left * sx,
                    y: bottom,
                    width: w.width * sx,
                    font_size: size,
                });
                last_key = Some(w.key);
            }
        }
    }
    Recognised {
        lines,
        confidence: if conf_n == 0 {
            0.0
        } else {
            (conf_sum / conf_n as f64) as f32
        },
    }
}

/// How a page's text source is stored in the index: `native`, `none`,
/// `ocr:91.3`.
pub fn source_key(source: TextSource) -> String {
    match source {
        TextSource::Native => "native".into(),
        TextSource::None => "none".into(),
        TextSource::Ocr { confidence } => format!("ocr:{confidence:.1}"),
    }
}

/// The inverse of [`source_key`]; unknown text reads as native.
pub fn parse_source_key(key: &str) -> TextSource {
    match key {
        "none" => TextSource::None,
        _ => match key.strip_prefix("ocr:") {
            Some(c) => TextSource::Ocr {
                confidence: c.parse().unwrap_or(0.0),
            },
            None => TextSource::Native,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n";

    fn tsv(rows: &[&str]) -> String {
        let mut s = HEADER.to_string();
        for r in rows {
            s.push_str(r);
            s.push('\n');
        }
        s
    }

    #[test]
    fn words_group_into_lines_by_block_paragraph_and_line() {
        let t = tsv(&[
            "1\t1\t0\t0\t0\t0\t0\t0\t1000\t1400\t-1\t",
            "4\t1\t1\t1\t1\t0\t100\t50\t300\t20\t-1\t",
            "5\t1\t1\t1\t1\t1\t100\t50\t120\t20\t96.5\tLandratsamt",
            "5\t1\t1\t1\t1\t2\t230\t52\t170\t20\t90.5\tIlm-Kreis",
            "5\t1\t1\t1\t2\t1\t100\t90\t80\t18\t80\tzweite",
            "5\t1\t1\t1\t2\t2\t190\t90\t60\t18\t-1\t ",
            "5\t1\t2\t1\t1\t1\t100\t200\t50\t18\t93\tneuer",
        ]);
        let r = lines_from_tsv(&t, 0.5, 0.5);
        let texts: Vec<&str> = r.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, vec!["Landratsamt Ilm-Kreis", "zweite", "neuer"]);
        let first = &r.lines[0];
        assert_eq!(first.x, 50.0);
        assert_eq!(first.y, 36.0); // (52 + 20) * 0.5
        assert_eq!(first.width, 150.0); // (400 - 100) * 0.5
        assert_eq!(first.font_size, 10.0);
        assert!(r.lines[1].y > first.y && r.lines[2].y > r.lines[1].y);
        // Mean over the four words with text: (96.5 + 90.5 + 80 + 93) / 4.
        assert!((r.confidence - 90.0).abs() < 1e-4, "{}", r.confidence);
    }

    #[test]
    fn same_line_numbers_in_another_block_start_a_new_line() {
        let t = tsv(&[
            "5\t1\t1\t1\t1\t1\t0\t0\t10\t10\t90\ta",
            "5\t1\t2\t1\t1\t1\t0\t0\t10\t10\t90\tb",
        ]);
        assert_eq!(lines_from_tsv(&t, 1.0, 1.0).lines.len(), 2);
    }

    #[test]
    fn empty_or_malformed_tsv_gives_no_lines() {
        let r = lines_from_tsv("", 1.0, 1.0);
        assert!(r.lines.is_empty());
        assert_eq!(r.confidence, 0.0);
        let r = lines_from_tsv(
            &tsv(&["5\t1\tx\t1\t1\t1\t0\t0\t1\t1\t90\tword", "garbage"]),
            1.0,
            1.0,
        );
        assert!(r.lines.is_empty());
    }

    #[test]
    fn source_keys_round_trip() {
        for s in [
            TextSource::Native,
            TextSource::None,
            TextSource::Ocr { confidence: 91.5 },
        ] {
            assert_eq!(parse_source_key(&source_key(s)), s);
        }
    }

    #[test]
    fn modes_parse_and_reject_unknown() {
        assert_eq!("always".parse::<OcrMode>(), Ok(OcrMode::Always));
        assert_eq!("never".parse::<OcrMode>(), Ok(OcrMode::Never));
        assert!("sometimes".parse::<OcrMode>().unwrap_err().contains("auto"));
    }

    #[test]
    fn raw_gray_bitmaps_become_pnm_with_pbm_polarity() {
        let pbm = pnm(&[0b0000_1111], 8, 1, "DeviceGray", 1).unwrap();
        assert_eq!(pbm, b"P4\n8 1\n\xf0".to_vec());
        let pgm = pnm(&[1, 2, 3, 4], 2, 2, "DeviceGray", 8).unwrap();
        assert_eq!(pgm, b"P5\n2 2\n255\n\x01\x02\x03\x04".to_vec());
        assert!(pnm(&[1, 2], 2, 2, "DeviceGray", 8).is_err());
        assert!(pnm(&[0; 16], 2, 2, "DeviceCMYK", 8).is_err());
    }

    #[test]
    fn missing_program_skips_pages_with_the_install_hint() {
        let ocr = Ocr::new(OcrMode::Auto).with_program("/nonexistent/tesseract-xyz");
        let mut ex = Extracted {
            pages: vec![Page {
                number: 1,
                width: 595.0,
                height: 842.0,
                lines: vec![],
                source: TextSource::None,
            }],
            timed_out: None,
        };
        let report = ocr.apply(b"%PDF-1.4", &mut ex);
        assert_eq!(report.skipped.len(), 1);
        assert!(report.skipped[0].reason.contains(INSTALL_HINT));
        assert_eq!(ex.pages[0].source, TextSource::None);
    }
}
