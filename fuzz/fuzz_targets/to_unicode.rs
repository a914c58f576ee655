//! Fuzz target: the ToUnicode CMap parser and lookups on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ratsuche::extract::cmap::ToUnicode;

fuzz_target!(|data: &[u8]| {
    let map = ToUnicode::parse(data);
    let _ = map.code_len(data);
});
