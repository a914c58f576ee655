//! An indicatif bar (files and pages, or any two units) implementing
//! [`ingest::Progress`].
//!
//! Drawn only when stderr is a terminal and `CI` is not set, so pipes and
//! CI logs see only the final summary.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ratsuche::ingest::{self, FileStatus};

pub struct Bar {
    bar: ProgressBar,
    pages: usize,
    /// What `pages` counts ("pages", or "passages" for an OParl import).
    part: &'static str,
}

impl Bar {
    /// Files and their pages (`ratsuche index`).
    pub fn new() -> Bar {
        Bar::with_units("files", "pages")
    }

    /// `items` done of those started, and the `part`s they held.
    pub fn with_units(items: &str, part: &'static str) -> Bar {
        let visible = console::Term::stderr().is_term() && std::env::var_os("CI").is_none();
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        // The template is a constant; if indicatif ever rejects it, fall
        // back to its default style rather than failing the run.
        if let Ok(style) = ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {items}, {{msg}}"
        )) {
            bar.set_style(style);
        }
        Bar {
            bar,
            pages: 0,
            part,
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl ingest::Progress for Bar {
    fn start(&mut self, files: usize) {
        self.bar.set_length(files as u64);
        self.bar.set_message(format!("0 {}", self.part));
    }

    fn file_done(&mut self, _path: &Path, _status: FileStatus, pages: usize) {
        self.pages += pages;
        self.bar.inc(1);
        self.bar
            .set_message(format!("{} {}", self.pages, self.part));
    }

    fn step(&mut self, name: &str) {
        self.bar
            .set_message(format!("{} {}, {name}", self.pages, self.part));
    }
}

/// A bar counting `len` items of some `unit` ("queries"), drawn under the
/// same rule as [`Bar`]: on a terminal only, never under CI.
pub fn counter(len: u64, unit: &str) -> ProgressBar {
    let visible = console::Term::stderr().is_term() && std::env::var_os("CI").is_none();
    let target = if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} [{{elapsed_precise}}] {{bar:30}} {{pos}}/{{len}} {unit} ({{per_sec}})"
    )) {
        bar.set_style(style);
    }
    bar
}
