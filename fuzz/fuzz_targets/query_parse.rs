//! Fuzz target: the query parser on arbitrary UTF-8 (never a panic; an
//! error always has a message and, when positioned, a column inside the
//! query).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratsuche::search::query;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match query::parse(text) {
        Ok(parsed) => {
            assert!(parsed.term_count() <= query::MAX_TERMS);
        }
        Err(err) => {
            assert!(!err.message.is_empty());
            if let Some(column) = err.column {
                assert!(column >= 1 && column <= text.chars().count() + 1);
            }
        }
    }
});
