//! Fuzz target: PDF extraction on arbitrary bytes must end in text or an
//! error, never a panic, and within the (shortened) time limit.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use ratsuche::extract::{extract_pdf_with, Limits};

fuzz_target!(|data: &[u8]| {
    // Smaller bounds than production so one input stays cheap (2 s of CPU
    // time, see `extract::Deadline`); libFuzzer's own `-timeout` and
    // `-rss_limit_mb` catch what these miss.
    let limits = Limits {
        max_stream_bytes: 16 << 20,
        max_time: Some(Duration::from_secs(2)),
        ..Limits::default()
    };
    let _ = extract_pdf_with(data, &limits);
});
