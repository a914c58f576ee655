//! ToUnicode CMaps: character codes → Unicode text.
//!
//! A PDF font's `/ToUnicode` stream is the most reliable way back from the
//! codes in a content stream to text. It is a small PostScript-like program;
//! we read only what text extraction needs: `codespacerange` (how many bytes
//! a code has), `bfchar` and `bfrange` (code → UTF-16BE text). lopdf parses
//! CMaps too, but keeps the codespace private and fails whole on one bad
//! entry; real-world CMaps are often sloppy, so this parser skips what it
//! cannot read and keeps the rest.

use std::collections::HashMap;

/// A parsed ToUnicode map.
#[derive(Debug, Default, Clone)]
pub struct ToUnicode {
    /// (code length in bytes, low, high) of each codespace range.
    codespace: Vec<(u8, u32, u32)>,
    single: HashMap<(u8, u32), String>,
    /// (code length, low, high, target): a range maps `low + i` to target with
    /// its last UTF-16 unit incremented by `i`, or to the i-th string of an array.
    ranges: Vec<(u8, u32, u32, RangeTarget)>,
}

#[derive(Debug, Clone)]
enum RangeTarget {
    Offset(Vec<u16>),
    Array(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Hex(Vec<u8>),
    Open,
    Close,
    Word(Vec<u8>),
}

fn tokenize(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        match c {
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                i += 1;
                let mut digits = Vec::new();
                while i < data.len() && data[i] != b'>' {
                    if data[i].is_ascii_hexdigit() {
                        digits.push(data[i]);
                    }
                    i += 1;
                }
                i += 1;
                if digits.len() % 2 == 1 {
                    digits.push(b'0');
                }
                let bytes = digits
                    .chunks(2)
                    .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
                    .collect();
                out.push(Tok::Hex(bytes));
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b']' => {
                out.push(Tok::Close);
                i += 1;
            }
            b'(' => {
                // Literal strings are rare in ToUnicode maps; read them as raw bytes.
                i += 1;
                let mut depth = 1;
                let mut bytes = Vec::new();
                while i < data.len() && depth > 0 {
                    match data[i] {
                        b'\\' if i + 1 < data.len() => {
                            i += 1;
                            bytes.push(data[i]);
                        }
                        b'(' => {
                            depth += 1;
                            bytes.push(b'(');
                        }
                        b')' => {
                            depth -= 1;
                            if depth > 0 {
                                bytes.push(b')');
                            }
                        }
                        b => bytes.push(b),
                    }
                    i += 1;
                }
                out.push(Tok::Hex(bytes));
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let start = i;
                while i < data.len()
                    && !data[i].is_ascii_whitespace()
                    && !b"<>[]()%".contains(&data[i])
                {
                    i += 1;
                }
                if i == start {
                    i += 1;
                } else {
                    out.push(Tok::Word(data[start..i].to_vec()));
                }
            }
        }
    }
    out
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

fn code_of(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let code = bytes.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32);
    Some((bytes.len() as u8, code))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| if p.len() == 2 { u16::from_be_bytes([p[0], p[1]]) } else { p[0] as u16 })
        .collect()
}

fn utf16_string(units: &[u16]) -> String {
    char::decode_utf16(units.iter().copied())
        .map(|r| r.unwrap_or('\u{fffd}'))
        .collect()
}

impl ToUnicode {
    /// Parse a ToUnicode stream's (decompressed) bytes. Never fails: entries
    /// that cannot be read are skipped.
    pub fn parse(data: &[u8]) -> ToUnicode {
        let toks = tokenize(data);
        let mut map = ToUnicode::default();
        let mut i = 0;
        while i < toks.len() {
            match &toks[i] {
                Tok::Word(w) if w == b"begincodespacerange" => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(lo), Tok::Hex(hi)) => {
                                if let (Some((len, lo)), Some((_, hi))) = (code_of(lo), code_of(hi)) {
                                    map.codespace.push((len, lo, hi));
                                }
                                i += 2;
                            }
                            _ => break,
                        }
                    }
                }
                Tok::Word(w) if w == b"beginbfchar" => {
                    i += 1;
                    while i + 1 < toks.len() {
                        match (&toks[i], &toks[i + 1]) {
                            (Tok::Hex(src), Tok::Hex(dst)) => {
                                if let Some(key) = code_of(src) {
                                    map.single.insert(key, utf16_string(&utf16_units(dst)));
                                }
                                i += 2;
                            }
                            (Tok::Hex(_), Tok::Word(_)) => i += 2, // glyph-name target: unsupported
                            _ => break,
                        }
                    }
                }
                Tok::Word(w) if w == b"beginbfrange" => {
                    i += 1;
                    while i + 2 < toks.len() {
                        let (Tok::Hex(lo), Tok::Hex(hi)) = (&toks[i], &toks[i + 1]) else {
                            break;
                        };
                        let lo = code_of(lo);
                        let hi = code_of(hi);
                        match &toks[i + 2] {
                            Tok::Hex(dst) => {
                                if let (Some((len, lo)), Some((_, hi))) = (lo, hi) {
                                    if hi >= lo && hi - lo < 0x10000 {
                                        map.ranges.push((len, lo, hi, RangeTarget::Offset(utf16_units(dst))));
                                    }
                                }
                                i += 3;
                            }
                            Tok::Open => {
                                let mut j = i + 3;
                                let mut items = Vec::new();
                                while j < toks.len() {
                                    match &toks[j] {
                                        Tok::Hex(d) => items.push(utf16_string(&utf16_units(d))),
                                        Tok::Close => break,
                                        _ => {}
                                    }
                                    j += 1;
                                }
                                if let (Some((len, lo)), Some((_, hi))) = (lo, hi) {
                                    if hi >= lo {
                                        map.ranges.push((len, lo, hi, RangeTarget::Array(items)));
                                    }
                                }
                                i = j + 1;
                            }
                            _ => break,
                        }
                    }
                }
                _ => i += 1,
            }
        }
        map
    }

    /// True when the map holds no mapping at all (a broken or empty stream).
    pub fn is_empty(&self) -> bool {
        self.single.is_empty() && self.ranges.is_empty()
    }

    /// The code length (bytes) to use for the code starting at `bytes[0]`,
    /// following the codespace ranges; `None` when the map declares none.
    pub fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        if self.codespace.is_empty() {
            return None;
        }
        for len in 1..=4u8 {
            if bytes.len() < len as usize {
                break;
            }
            let Some((_, code)) = code_of(&bytes[..len as usize]) else { break };
            if self
                .codespace
                .iter()
                .any(|&(l, lo, hi)| l == len && lo <= code && code <= hi)
            {
                return Some(len as usize);
            }
        }
        None
    }

    /// Look up the text for a code of `len` bytes.
    pub fn get(&self, len: u8, code: u32) -> Option<String> {
        if let Some(s) = self.single.get(&(len, code)) {
            return Some(s.clone());
        }
        for (l, lo, hi, target) in &self.ranges {
            if *l != len || code < *lo || code > *hi {
                continue;
            }
            let offset = code - lo;
            return match target {
                RangeTarget::Offset(units) => {
                    let mut units = units.clone();
                    if let Some(last) = units.last_mut() {
                        *last = last.wrapping_add(offset as u16);
                    }
                    Some(utf16_string(&units))
                }
                RangeTarget::Array(items) => items.get(offset as usize).cloned(),
            };
        }
        None
    }

    /// Whether any mapping has codes of this many bytes.
    pub fn has_len(&self, len: u8) -> bool {
        self.single.keys().any(|(l, _)| *l == len) || self.ranges.iter().any(|(l, ..)| *l == len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMAP: &[u8] = b"/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0003> <0020>
<0011> <00E4>
endbfchar
2 beginbfrange
<0024> <0026> <0041>
<0030> <0031> [<FB01> <00660066>]
endbfrange
endcmap";

    #[test]
    fn bfchar_and_bfrange() {
        let m = ToUnicode::parse(CMAP);
        assert_eq!(m.get(2, 0x0003).as_deref(), Some(" "));
        assert_eq!(m.get(2, 0x0011).as_deref(), Some("ä"));
        assert_eq!(m.get(2, 0x0025).as_deref(), Some("B"));
        assert_eq!(m.get(2, 0x0031).as_deref(), Some("ff"));
        assert_eq!(m.get(2, 0x0030).as_deref(), Some("\u{fb01}"));
        assert_eq!(m.get(2, 0x0027), None);
        assert_eq!(m.get(1, 0x03), None);
        assert_eq!(m.code_len(&[0, 3]), Some(2));
    }

    #[test]
    fn garbage_does_not_panic() {
        let m = ToUnicode::parse(b"beginbfrange <00> [ <41> endbfrange beginbfchar <");
        assert!(m.get(1, 0).is_none() || m.get(1, 0).is_some());
        let m = ToUnicode::parse(b"");
        assert!(m.is_empty());
    }

    #[test]
    fn surrogate_pairs_decode() {
        let m = ToUnicode::parse(b"beginbfchar <01> <D835DC00> endbfchar");
        assert_eq!(m.get(1, 1).as_deref(), Some("\u{1D400}"));
    }
}
