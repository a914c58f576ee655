//! Fonts: string bytes in a content stream → glyphs with text and width.
//!
//! A PDF string is not text: it is a sequence of character codes whose
//! meaning depends on the current font. This module turns a font dictionary
//! into a [`Font`] that decodes codes into (text, advance width) pairs.
//!
//! Text, in order of trust: the font's `/ToUnicode` CMap; for simple fonts
//! the `/Encoding` (base encoding plus `/Differences`, glyph names through
//! the Adobe Glyph List), or the built-in encoding of an embedded Type 1
//! program; for Type0 fonts with UCS-2/UTF-16 CMaps the codes themselves.
//! Widths come from `/Widths` (simple), `/W` + `/DW` (CID) or, for the
//! standard 14 fonts that omit them, built-in Helvetica/Courier metrics —
//! good enough to infer word gaps, which is all widths are used for here.

use lopdf::{Dictionary, Document, Object};
use pdf_encoding::{glyphname_to_unicode, ForwardMap};

use super::cmap::ToUnicode;

/// One decoded character code.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// Unicode text of the glyph (may be empty when undecodable, or several
    /// characters for ligatures).
    pub text: String,
    /// Advance width in text space units (1.0 = the font size).
    pub width: f32,
    /// Single-byte code 32: word spacing (`Tw`) applies to it.
    pub is_space_code: bool,
}

#[derive(Debug, Clone)]
enum Kind {
    /// One byte per code; text and width tables indexed by the code.
    Simple {
        text: Box<[Option<String>; 256]>,
        widths: Box<[f32; 256]>,
    },
    /// Multi-byte codes (Type0): CID = code for Identity, widths per CID.
    Composite {
        code_text: CompositeText,
        widths: Vec<(u32, u32, f32)>,
        default_width: f32,
        /// Fixed code length when the encoding CMap does not say otherwise.
        code_len: usize,
        encoding_cmap: Option<ToUnicode>,
    },
}

#[derive(Debug, Clone)]
enum CompositeText {
    /// Codes are UTF-16BE (Uni…-UCS2-H / UTF16-H CMaps).
    Utf16,
    /// CID → glyph id → Unicode through the embedded TrueType's own `cmap`
    /// (CID fonts without ToUnicode, common from CAD and report tools).
    Glyphs {
        cid_to_gid: Option<Vec<u16>>,
        gid_text: std::collections::HashMap<u16, char>,
    },
    /// Codes are taken as Unicode: no ToUnicode, no usable font program, but a
    /// non-identity CIDToGIDMap, which producers write when CID = code point.
    CidIsUnicode,
    /// No way to text except the ToUnicode map.
    None,
}

/// A font ready to decode strings.
#[derive(Debug, Clone)]
pub struct Font {
    kind: Kind,
    to_unicode: Option<ToUnicode>,
    /// Glyph space → text space scale for widths (1/1000, or from a Type3 FontMatrix).
    pub width_scale: f32,
}

const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

fn name_of(obj: Option<&Object>) -> Option<&[u8]> {
    obj.and_then(|o| o.as_name().ok())
}

fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        o => o,
    }
}

fn dict_get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().map(|o| deref(doc, o))
}

fn number(obj: &Object) -> Option<f32> {
    match obj {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// Decompress a stream object to bytes, bounded.
fn stream_bytes(doc: &Document, obj: &Object, limit: usize) -> Option<Vec<u8>> {
    let stream = deref(doc, obj).as_stream().ok()?;
    if stream.dict.get(b"Filter").is_ok() {
        stream.decompressed_content_with_limit(limit).ok()
    } else if stream.content.len() <= limit {
        Some(stream.content.clone())
    } else {
        None
    }
}

/// Unicode text for a glyph name: the Adobe Glyph List (`pdf_encoding`), plus
/// `uniXXXX`, `uXXXX[XX]` and ligature/suffix forms (`f_i`, `a.sc`).
pub fn glyph_name_to_text(name: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(name).ok()?;
    if let Some(t) = glyphname_to_unicode(s) {
        return Some(t.to_string());
    }
    if let Some(hex) = s.strip_prefix("uni") {
        if hex.len() >= 4 && hex.len() % 4 == 0 {
            let units: Option<Vec<u16>> = (0..hex.len() / 4)
                .map(|i| u16::from_str_radix(&hex[i * 4..i * 4 + 4], 16).ok())
                .collect();
            let text: String = char::decode_utf16(units?).filter_map(|r| r.ok()).collect();
            if !text.is_empty() {
                return Some(text);
            }
        }
    }
    if let Some(hex) = s.strip_prefix('u') {
        if (4..=6).contains(&hex.len()) {
            if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                return Some(c.to_string());
            }
        }
    }
    if let Some((base, _suffix)) = s.split_once('.') {
        if !base.is_empty() {
            return glyph_name_to_text(base.as_bytes());
        }
    }
    if s.contains('_') {
        let parts: Option<String> = s
            .split('_')
            .map(|p| glyph_name_to_text(p.as_bytes()))
            .collect();
        return parts;
    }
    None
}

/// A base encoding as text per code. WinAnsi's 0xAD is the glyph `hyphen`
/// (visible, with width); the table's U+00AD would be dropped as a soft
/// hyphen downstream, gluing `Stadt-Umland-Bahn` into one word.
fn table_text(table: &ForwardMap) -> [Option<String>; 256] {
    std::array::from_fn(|i| {
        table.get(i as u8).map(|c| {
            if c == '\u{ad}' {
                "-".to_string()
            } else {
                c.to_string()
            }
        })
    })
}

fn base_table(name: &[u8]) -> Option<&'static ForwardMap> {
    Some(match name {
        b"WinAnsiEncoding" | b"PDFDocEncoding" => &pdf_encoding::WINANSI,
        b"MacRomanEncoding" => &pdf_encoding::MACROMAN,
        b"StandardEncoding" => &pdf_encoding::STANDARD,
        b"MacExpertEncoding" => &pdf_encoding::MACEXPERT,
        b"Symbol" => &pdf_encoding::SYMBOL,
        _ => return None,
    })
}

/// The built-in encoding of an embedded Type 1 font program (`dup 65 /A put`
/// lines in its clear-text part), for symbolic fonts without `/Encoding`.
fn type1_builtin_encoding(program: &[u8]) -> Option<[Option<String>; 256]> {
    let clear = &program[..program.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(clear);
    if !text.contains("/Encoding") || text.contains("/Encoding StandardEncoding") {
        return None;
    }
    let mut table: [Option<String>; 256] = std::array::from_fn(|_| None);
    let mut found = false;
    let mut words = text.split_ascii_whitespace().peekable();
    while let Some(w) = words.next() {
        if w != "dup" {
            continue;
        }
        let (Some(code), Some(name)) = (words.next(), words.next()) else {
            break;
        };
        let (Ok(code), Some(name)) = (code.parse::<usize>(), name.strip_prefix('/')) else {
            continue;
        };
        if code < 256 {
            if let Some(t) = glyph_name_to_text(name.as_bytes()) {
                table[code] = Some(t);
                found = true;
            }
        }
    }
    found.then_some(table)
}

impl Font {
    /// A fallback font for a missing or broken font resource: Latin-1 text,
    /// Helvetica widths.
    pub fn fallback() -> Font {
        let text = table_text(&pdf_encoding::WINANSI);
        Font {
            kind: Kind::Simple {
                text: Box::new(text),
                widths: Box::new(helvetica_widths(1.0)),
            },
            to_unicode: None,
            width_scale: 0.001,
        }
    }

    /// Build a font from its dictionary; never fails (falls back piecewise).
    pub fn load(doc: &Document, dict: &Dictionary, limit: usize) -> Font {
        let subtype = name_of(dict_get(doc, dict, b"Subtype")).unwrap_or(b"Type1");
        let to_unicode = dict_get(doc, dict, b"ToUnicode")
            .and_then(|o| stream_bytes(doc, o, limit))
            .map(|b| ToUnicode::parse(&b))
            .filter(|m| !m.is_empty());
        if subtype == b"Type0" {
            return Font::load_type0(doc, dict, to_unicode, limit);
        }

        let mut width_scale = 0.001;
        if subtype == b"Type3" {
            if let Some(Object::Array(m)) = dict_get(doc, dict, b"FontMatrix") {
                if let Some(a) = m.first().and_then(number) {
                    width_scale = a.abs();
                }
            }
        }
        let base_font = name_of(dict_get(doc, dict, b"BaseFont")).unwrap_or(b"");
        let base_font_str = String::from_utf8_lossy(base_font).to_ascii_lowercase();
        let descriptor = dict_get(doc, dict, b"FontDescriptor").and_then(|o| o.as_dict().ok());
        let flags = descriptor
            .and_then(|d| dict_get(doc, d, b"Flags"))
            .and_then(number)
            .unwrap_or(0.0) as u32;
        let symbolic = flags & 4 != 0 && flags & 32 == 0;

        // Text table.
        let mut text: [Option<String>; 256] = match dict_get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => base_table(n)
                .map(table_text)
                .unwrap_or_else(|| default_table(subtype)),
            Some(Object::Dictionary(enc)) => {
                let mut table = name_of(dict_get(doc, enc, b"BaseEncoding"))
                    .and_then(base_table)
                    .map(table_text)
                    .or_else(|| builtin_for(doc, descriptor, limit))
                    .unwrap_or_else(|| default_table(subtype));
                if let Some(Object::Array(diffs)) = dict_get(doc, enc, b"Differences") {
                    let mut code: usize = 0;
                    for item in diffs {
                        match deref(doc, item) {
                            Object::Integer(i) => code = (*i).clamp(0, 255) as usize,
                            Object::Name(n) => {
                                if code < 256 {
                                    table[code] = glyph_name_to_text(n);
                                }
                                code += 1;
                            }
                            _ => {}
                        }
                    }
                }
                table
            }
            _ => {
                if base_font_str.contains("symbol") {
                    table_text(&pdf_encoding::SYMBOL)
                } else if base_font_str.contains("dingbat") {
                    std::array::from_fn(|_| None)
                } else if symbolic || subtype == b"Type1" {
                    builtin_for(doc, descriptor, limit).unwrap_or_else(|| default_table(subtype))
                } else {
                    default_table(subtype)
                }
            }
        };
        // Symbolic TrueType fonts often use codes F020..F0FF via (3,0) cmaps; the
        // low byte is then Latin-1 text. Type3 fonts name their glyphs freely
        // (`/square`, `/g12`) and the codes are usually ASCII, which is also
        // what pdftotext falls back to. Fill only codes nothing else decoded.
        let code_is_text = subtype == b"TrueType" || subtype == b"Type3";
        for (i, slot) in text.iter_mut().enumerate() {
            if slot.is_none() && (0x20..0x7f).contains(&i) && code_is_text {
                *slot = Some((i as u8 as char).to_string());
            }
        }

        // Width table (text-space units after scaling by width_scale).
        let mut widths = [0f32; 256];
        let missing = descriptor
            .and_then(|d| dict_get(doc, d, b"MissingWidth"))
            .and_then(number)
            .unwrap_or(0.0);
        let first = dict_get(doc, dict, b"FirstChar")
            .and_then(number)
            .unwrap_or(0.0) as usize;
        if let Some(Object::Array(ws)) = dict_get(doc, dict, b"Widths") {
            widths.fill(missing);
            for (i, w) in ws.iter().enumerate() {
                if let (Some(w), true) = (number(deref(doc, w)), first + i < 256) {
                    widths[first + i] = w;
                }
            }
        } else if base_font_str.contains("courier") {
            widths.fill(600.0);
        } else {
            let scale = if base_font_str.contains("times") {
                0.9
            } else {
                1.0
            };
            widths = helvetica_widths(scale);
        }
        if subtype == b"Type3" && width_scale != 0.001 {
            // Widths of Type3 fonts are in glyph space; convert to text space
            // here and express them per-mille so one scale applies everywhere.
            for w in widths.iter_mut() {
                *w *= width_scale * 1000.0;
            }
        }
        Font {
            kind: Kind::Simple {
                text: Box::new(text),
                widths: Box::new(widths),
            },
            to_unicode,
            width_scale: 0.001,
        }
    }

    fn load_type0(
        doc: &Document,
        dict: &Dictionary,
        to_unicode: Option<ToUnicode>,
        limit: usize,
    ) -> Font {
        let encoding = dict_get(doc, dict, b"Encoding");
        let (code_text, encoding_cmap) = match encoding {
            Some(Object::Name(n)) => {
                let n = String::from_utf8_lossy(n);
                let utf16 = n.contains("UCS2") || n.contains("UTF16");
                (
                    if utf16 {
                        CompositeText::Utf16
                    } else {
                        CompositeText::None
                    },
                    None,
                )
            }
            Some(o @ Object::Stream(_)) => (
                CompositeText::None,
                stream_bytes(doc, o, limit).map(|b| ToUnicode::parse(&b)),
            ),
            _ => (CompositeText::None, None),
        };
        let descendant = match dict_get(doc, dict, b"DescendantFonts") {
            Some(Object::Array(a)) => a
                .first()
                .map(|o| deref(doc, o))
                .and_then(|o| o.as_dict().ok()),
            _ => None,
        };
        let mut widths = Vec::new();
        let mut default_width = 1000.0;
        if let Some(d) = descendant {
            if let Some(dw) = dict_get(doc, d, b"DW").and_then(number) {
                default_width = dw;
            }
            if let Some(Object::Array(w)) = dict_get(doc, d, b"W") {
                let items: Vec<&Object> = w.iter().map(|o| deref(doc, o)).collect();
                let mut i = 0;
                while i < items.len() {
                    let Some(start) = number(items[i]) else { break };
                    match items.get(i + 1) {
                        Some(Object::Array(list)) => {
                            for (k, wobj) in list.iter().enumerate() {
                                // A hostile start near u32::MAX must not wrap.
                                let Some(c) = (start as u32).checked_add(k as u32) else {
                                    break;
                                };
                                if let Some(wv) = number(deref(doc, wobj)) {
                                    widths.push((c, c, wv));
                                }
                            }
                            i += 2;
                        }
                        Some(o) => {
                            let (Some(end), Some(wv)) =
                                (number(o), items.get(i + 2).and_then(|x| number(x)))
                            else {
                                break;
                            };
                            widths.push((start as u32, end as u32, wv));
                            i += 3;
                        }
                        None => break,
                    }
                }
            }
        }
        widths.sort_by_key(|w| w.0);
        let code_text = match (code_text, descendant, &to_unicode) {
            (CompositeText::None, Some(d), None) => cid_font_text(doc, d, limit),
            (t, ..) => t,
        };
        Font {
            kind: Kind::Composite {
                code_text,
                widths,
                default_width,
                code_len: 2,
                encoding_cmap,
            },
            to_unicode,
            width_scale: 0.001,
        }
    }

    /// Whether this font has multi-byte codes.
    pub fn is_composite(&self) -> bool {
        matches!(self.kind, Kind::Composite { .. })
    }

    /// Decode a shown string into glyphs.
    pub fn decode(&self, bytes: &[u8], out: &mut Vec<Decoded>) {
        match &self.kind {
            Kind::Simple { text, widths } => {
                for &b in bytes {
                    let code = b as u32;
                    let t = self
                        .to_unicode
                        .as_ref()
                        .and_then(|m| m.get(1, code))
                        .or_else(|| text[b as usize].clone())
                        .unwrap_or_default();
                    out.push(Decoded {
                        text: t,
                        width: widths[b as usize] * self.width_scale,
                        is_space_code: b == 32,
                    });
                }
            }
            Kind::Composite {
                code_text,
                widths,
                default_width,
                code_len,
                encoding_cmap,
            } => {
                let mut i = 0;
                while i < bytes.len() {
                    let len = encoding_cmap
                        .as_ref()
                        .and_then(|m| m.code_len(&bytes[i..]))
                        .or_else(|| {
                            self.to_unicode
                                .as_ref()
                                .and_then(|m| m.code_len(&bytes[i..]))
                        })
                        .unwrap_or(*code_len)
                        .min(bytes.len() - i)
                        .max(1);
                    let code = bytes[i..i + len]
                        .iter()
                        .fold(0u32, |a, b| (a << 8) | *b as u32);
                    i += len;
                    let t = self
                        .to_unicode
                        .as_ref()
                        .and_then(|m| m.get(len as u8, code))
                        .or_else(|| match code_text {
                            CompositeText::Utf16 | CompositeText::CidIsUnicode => {
                                char::from_u32(code)
                                    .filter(|c| !c.is_control())
                                    .map(String::from)
                            }
                            CompositeText::Glyphs {
                                cid_to_gid,
                                gid_text,
                            } => {
                                let gid = match cid_to_gid {
                                    Some(map) => map.get(code as usize).copied(),
                                    None => u16::try_from(code).ok(),
                                };
                                gid.and_then(|g| gid_text.get(&g)).map(|c| c.to_string())
                            }
                            CompositeText::None => None,
                        })
                        .unwrap_or_default();
                    // Identity CMaps: CID = code. (Other embedded CMaps map
                    // through cidrange; widths then fall back to the default.)
                    let cid = code;
                    let w = match widths.binary_search_by(|(lo, hi, _)| {
                        if cid < *lo {
                            std::cmp::Ordering::Greater
                        } else if cid > *hi {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Equal
                        }
                    }) {
                        Ok(k) => widths[k].2,
                        Err(_) => *default_width,
                    };
                    out.push(Decoded {
                        text: t,
                        width: w * self.width_scale,
                        is_space_code: len == 1 && code == 32,
                    });
                }
            }
        }
    }
}

/// Text for a CID font without ToUnicode: reverse the embedded TrueType
/// program's Unicode `cmap` (glyph id → character), composed with the
/// font's `CIDToGIDMap`.
fn cid_font_text(doc: &Document, cid_font: &Dictionary, limit: usize) -> CompositeText {
    let cid_to_gid = match dict_get(doc, cid_font, b"CIDToGIDMap") {
        Some(o @ Object::Stream(_)) => stream_bytes(doc, o, limit).map(|b| {
            b.chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect::<Vec<u16>>()
        }),
        _ => None,
    };
    let program = dict_get(doc, cid_font, b"FontDescriptor")
        .and_then(|o| o.as_dict().ok())
        .and_then(|d| dict_get(doc, d, b"FontFile2"))
        .and_then(|o| stream_bytes(doc, o, limit));
    let mut gid_text = std::collections::HashMap::new();
    if let Some(face) = program
        .as_deref()
        .and_then(|p| ttf_parser::Face::parse(p, 0).ok())
    {
        if let Some(cmap) = face.tables().cmap {
            for sub in cmap.subtables.into_iter().filter(|s| s.is_unicode()) {
                sub.codepoints(|cp| {
                    if let (Some(c), Some(g)) = (char::from_u32(cp), sub.glyph_index(cp)) {
                        gid_text.entry(g.0).or_insert(c);
                    }
                });
            }
        }
    }
    if !gid_text.is_empty() {
        CompositeText::Glyphs {
            cid_to_gid,
            gid_text,
        }
    } else if cid_to_gid.is_some() {
        CompositeText::CidIsUnicode
    } else {
        CompositeText::None
    }
}

fn helvetica_widths(scale: f32) -> [f32; 256] {
    let mut w = [556.0 * scale; 256];
    for (i, v) in HELVETICA_WIDTHS.iter().enumerate() {
        w[32 + i] = *v as f32 * scale;
    }
    w
}

fn default_table(subtype: &[u8]) -> [Option<String>; 256] {
    if subtype == b"TrueType" {
        table_text(&pdf_encoding::WINANSI)
    } else {
        table_text(&pdf_encoding::STANDARD)
    }
}

fn builtin_for(
    doc: &Document,
    descriptor: Option<&Dictionary>,
    limit: usize,
) -> Option<[Option<String>; 256]> {
    let d = descriptor?;
    let program = dict_get(doc, d, b"FontFile").and_then(|o| stream_bytes(doc, o, limit))?;
    type1_builtin_encoding(&program)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_names() {
        assert_eq!(glyph_name_to_text(b"adieresis").as_deref(), Some("ä"));
        assert_eq!(glyph_name_to_text(b"germandbls").as_deref(), Some("ß"));
        assert_eq!(glyph_name_to_text(b"uni00FC").as_deref(), Some("ü"));
        assert_eq!(glyph_name_to_text(b"u1F600").as_deref(), Some("😀"));
        assert_eq!(glyph_name_to_text(b"f_i").as_deref(), Some("fi"));
        assert_eq!(glyph_name_to_text(b"a.sc").as_deref(), Some("a"));
        assert_eq!(glyph_name_to_text(b"g123"), None);
    }

    #[test]
    fn type1_builtin() {
        let prog = b"%!PS-AdobeFont-1.0\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\ndup 65 /Adieresis put\ndup 66 /B put\nreadonly def\n";
        let t = type1_builtin_encoding(prog).expect("encoding");
        assert_eq!(t[65].as_deref(), Some("Ä"));
        assert_eq!(t[66].as_deref(), Some("B"));
        assert_eq!(t[67], None);
    }

    #[test]
    fn fallback_decodes_latin1() {
        let f = Font::fallback();
        let mut out = Vec::new();
        f.decode(b"A \xe4\xad", &mut out);
        let text: String = out.iter().map(|d| d.text.as_str()).collect();
        assert_eq!(text, "A ä-", "WinAnsi 0xAD is a visible hyphen");
        assert!(out[1].is_space_code);
        assert!((out[0].width - 0.667).abs() < 1e-3);
    }
}
