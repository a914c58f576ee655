//! What the user sees when a limit or the file system stops `ratsuche`
//! (issue 7): the per-document time limit cutting a document short, bad
//! `--max-time` values, a read-only index directory and a full disk. Each
//! test asserts the message and that nothing already indexed is lost.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use lopdf::{dictionary, Document, Object, Stream};
use ratsuche::extract::{extract_pdf_with, Limits};
use ratsuche::index::PassageIndex;
use ratsuche::search::{self, SearchRequest};
use tempfile::TempDir;

/// A 4-page PDF: page 1 one line of text, pages 2–4 each 400,000 glyphs
/// (≈ seconds of CPU time in a debug build: interpretation plus layout).
fn slow_pdf() -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let mut heavy = String::from("BT /F1 4 Tf 10 830 Td 5 TL\n");
    for line in 0..4000 {
        heavy.push_str(&format!(
            "(Zeile {line:04} Kreistag Haushalt Schulnetzplanung Beschluss Vorlage Ilm-Kreis Sitzung Protokoll Antwort) ' \n"
        ));
    }
    heavy.push_str("ET");
    let contents = [
        "BT /F1 12 Tf 72 700 Td (Erste Seite Kreistag) Tj ET".to_string(),
        heavy.clone(),
        heavy.clone(),
        heavy,
    ];
    let mut kids = Vec::new();
    for content in contents {
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        kids.push(Object::from(page));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 4 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save");
    out
}

/// 50 ms of CPU time: far more than page 1 needs, far less than page 2.
const TINY: &str = "0.05";

fn ratsuche() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ratsuche"));
    cmd.env_remove("CI").env("RUST_LOG", "error");
    cmd
}

/// `ratsuche index DOCS --index INDEX`, run to its end.
fn index_run(docs: &Path, index: &Path) -> Output {
    ratsuche()
        .arg("index")
        .arg(docs)
        .arg("--index")
        .arg(index)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// `timed out after 0.05 s: N of 4 pages` with 1 ≤ N < 4; returns N.
fn pages_done(message: &str) -> usize {
    let re = regex::Regex::new(r"timed out after 0\.05 s: (\d+) of 4 pages").unwrap();
    let caps = re
        .captures(message)
        .unwrap_or_else(|| panic!("no time-limit cut reported in: {message}"));
    let done: usize = caps[1].parse().unwrap();
    assert!((1..4).contains(&done), "{done} of 4 pages done: {message}");
    done
}

#[test]
fn time_limit_keeps_the_finished_pages_and_says_so() {
    let bytes = slow_pdf();
    let limits = Limits {
        max_time: Some(Duration::from_millis(50)),
        ..Limits::default()
    };
    let cut = extract_pdf_with(&bytes, &limits).expect("page 1 is done in time");
    let timed_out = cut.timed_out.expect("the limit is reported");
    assert_eq!(timed_out.pages_total, 4);
    assert_eq!(cut.pages.len(), timed_out.pages_done, "only finished pages");
    assert_eq!(pages_done(&timed_out.to_string()), cut.pages.len());
    assert!(cut.text().contains("Erste Seite Kreistag"));

    let whole = extract_pdf_with(
        &bytes,
        &Limits {
            max_time: None,
            ..Limits::default()
        },
    )
    .expect("extracts");
    assert_eq!(whole.pages.len(), 4);
    assert!(whole.timed_out.is_none());
}

#[test]
fn extract_reports_a_cut_on_stderr() {
    let tmp = TempDir::new().unwrap();
    let pdf = tmp.path().join("langsam.pdf");
    fs::write(&pdf, slow_pdf()).unwrap();
    let out = ratsuche()
        .arg("extract")
        .arg(&pdf)
        .args(["--max-time", TINY])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("warning: {}: timed out after", pdf.display())),
        "{}",
        describe(&out)
    );
    let done = pages_done(&stderr);
    assert!(text(&out.stdout).contains("Erste Seite Kreistag"));
    assert_eq!(
        text(&out.stdout).matches('\u{c}').count(),
        done,
        "one form feed per printed page"
    );
}

#[test]
fn index_lists_a_cut_file_as_partial_and_retries_it() {
    let tmp = TempDir::new().unwrap();
    let docs = tmp.path().join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("langsam.pdf"), slow_pdf()).unwrap();
    fs::write(docs.join("notiz.txt"), "Kreistag Notiz\n").unwrap();
    let index = tmp.path().join("index");
    let run = || {
        ratsuche()
            .arg("index")
            .arg(&docs)
            .arg("--index")
            .arg(&index)
            .args(["--max-time", TINY])
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(1), "{}", describe(&first));
    let stderr = text(&first.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("langsam.pdf"))
        .unwrap_or_else(|| panic!("langsam.pdf not reported: {}", describe(&first)));
    assert!(line.starts_with("warning: "), "{line}");
    assert!(
        line.contains(": indexed in part: timed out after"),
        "{line}"
    );
    pages_done(line);
    assert!(
        text(&first.stdout).contains("indexed 2 files (")
            && text(&first.stdout).contains("; 1 in part)"),
        "{}",
        describe(&first)
    );
    // The first page is searchable.
    let opened = PassageIndex::open(&index).unwrap();
    let hits = search::search(&opened, &SearchRequest::new("Erste Seite")).unwrap();
    assert!(hits.hits.iter().any(|h| h.file.ends_with("langsam.pdf")));

    // Next run: the text file is unchanged, the cut one is tried again.
    let second = run();
    assert_eq!(second.status.code(), Some(1), "{}", describe(&second));
    assert!(
        text(&second.stdout).contains("indexed 1 files (")
            && text(&second.stdout).contains("1 unchanged"),
        "{}",
        describe(&second)
    );
    assert!(text(&second.stderr).contains("indexed in part"));
}

#[test]
fn bad_max_time_values_are_rejected_with_the_flag_named() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("a.txt");
    fs::write(&file, "Kreistag\n").unwrap();
    for bad in ["abc", "-1", "nan", "inf", "", "1e400"] {
        for cmd in ["extract", "index"] {
            let out = ratsuche()
                .arg(cmd)
                .arg(&file)
                .arg(format!("--max-time={bad}"))
                .arg("--index")
                .arg(tmp.path().join("idx"))
                .output()
                .unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{cmd} {bad:?}: {}",
                describe(&out)
            );
            assert!(
                stderr.contains("--max-time") && stderr.contains("seconds"),
                "{cmd} {bad:?}: {stderr}"
            );
        }
    }
    // 0 means no limit.
    let out = ratsuche()
        .args(["extract", "--max-time", "0"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
}

/// A small index of two text files in `<tmp>/index`, built from `<tmp>/docs`.
fn small_index(tmp: &Path) -> (PathBuf, PathBuf) {
    let docs = tmp.join("docs");
    fs::create_dir(&docs).unwrap();
    fs::write(docs.join("eins.txt"), "Kreistag Haushalt eins\n").unwrap();
    fs::write(docs.join("zwei.txt"), "Kreistag Schulnetz zwei\n").unwrap();
    let index = tmp.join("index");
    let out = index_run(&docs, &index);
    assert!(out.status.success(), "{}", describe(&out));
    (docs, index)
}

/// The index still opens, holds exactly the two first files and finds them.
fn assert_first_index_intact(index: &Path) {
    let opened = PassageIndex::open(index).expect("the old index still opens");
    assert_eq!(opened.indexed_files().unwrap().len(), 2);
    let hits = search::search(&opened, &SearchRequest::new("Kreistag")).unwrap();
    assert_eq!(hits.hits.len(), 2, "both old documents are found");
}

fn set_mode(path: &Path, mode: u32, recursive: bool) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    if recursive && path.is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            let p = entry.unwrap().path();
            let m = if p.is_dir() { mode } else { mode & 0o666 };
            set_mode(&p, m, true);
        }
    }
}

/// A read-only index directory. Root ignores permission bits, so as root
/// the command runs as `nobody` via `setpriv` (util-linux); as any other
/// user, `chmod` alone makes the directory read-only.
#[test]
fn read_only_index_directory_is_a_clear_error_and_the_index_stays() {
    let tmp = TempDir::new().unwrap();
    // Let `nobody` reach the files (TempDir is 0700).
    set_mode(tmp.path(), 0o755, false);
    let (docs, index) = small_index(tmp.path());
    fs::write(docs.join("drei.txt"), "Kreistag neu drei\n").unwrap();
    set_mode(&docs, 0o755, true);
    set_mode(&index, 0o555, true);

    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let mut cmd = if root {
        let setpriv = Path::new("/usr/bin/setpriv");
        assert!(
            setpriv.exists(),
            "running as root, where chmod does not stop writes: this test needs \
             /usr/bin/setpriv (util-linux) to run ratsuche as nobody"
        );
        let mut cmd = Command::new(setpriv);
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_ratsuche"))
            .env_remove("CI")
            .env("RUST_LOG", "error");
        cmd
    } else {
        ratsuche()
    };
    let out = cmd
        .arg("index")
        .arg(&docs)
        .arg("--index")
        .arg(&index)
        .output()
        .unwrap();
    set_mode(&index, 0o755, true);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("index directory {}", index.display()))
            && stderr.contains("read-only or no permission"),
        "{}",
        describe(&out)
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert_first_index_intact(&index);
}

/// A full disk, simulated with RLIMIT_FSIZE on the child: with SIGXFSZ
/// ignored, a write past the limit fails with EFBIG, as a write to a full
/// disk fails with ENOSPC (both go through the same error path). A real
/// full file system would need a mount this test cannot count on.
#[test]
fn disk_full_is_a_clear_error_and_the_old_index_stays() {
    let tmp = TempDir::new().unwrap();
    let (docs, index) = small_index(tmp.path());
    // About 3 MB of little-repeating text: its segment files exceed the limit.
    let mut big = String::new();
    for i in 0..200_000u32 {
        big.push_str(&format!(
            "Wort{} Betrag{} ",
            i.wrapping_mul(2_654_435_761),
            i
        ));
        if i % 12 == 11 {
            big.push('\n');
        }
    }
    fs::write(docs.join("gross.txt"), big).unwrap();

    let mut cmd = ratsuche();
    cmd.arg("index").arg(&docs).arg("--index").arg(&index);
    // SAFETY: only async-signal-safe calls (signal, setrlimit) between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: 256 << 10,
                rlim_max: 256 << 10,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("index directory {}", index.display()))
            && stderr.contains("disk full"),
        "{}",
        describe(&out)
    );
    assert_first_index_intact(&index);

    // With room again, the same run completes.
    let out = index_run(&docs, &index);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        PassageIndex::open(&index)
            .unwrap()
            .indexed_files()
            .unwrap()
            .len(),
        3
    );
}
