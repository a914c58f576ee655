//! Content streams → positioned glyphs.
//!
//! Runs a page's content stream (and the form XObjects it paints) through the
//! parts of the PDF imaging model that decide where text lands: the graphics
//! state stack (`q`/`Q`/`cm`), the text state (`Tf`, `Tc`, `Tw`, `Tz`, `TL`,
//! `Ts`) and text positioning (`BT`, `Tm`, `Td`, `TD`, `T*`, `Tj`, `TJ`, `'`,
//! `"`). The result is one [`Glyph`] per character code, in device space
//! (points, y up), with its advance, size and writing direction. Words and
//! lines are *not* decided here: [`super::layout`] infers them from the
//! geometry, because producers disagree wildly on how they emit text.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::font::{Decoded, Font};
use super::{Deadline, Limits, CHECK_EVERY};

/// A 2-D affine matrix `[a b c d e f]` as PDF writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix(pub [f32; 6]);

impl Matrix {
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self × other` (apply `self` first, then `other`).
    pub fn mul(&self, o: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [oa, ob, oc, od, oe, of] = o.0;
        Matrix([
            a * oa + b * oc,
            a * ob + b * od,
            c * oa + d * oc,
            c * ob + d * od,
            e * oa + f * oc + oe,
            e * ob + f * od + of,
        ])
    }

    pub fn translate(tx: f32, ty: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() < 6 {
            return None;
        }
        let mut m = [0f32; 6];
        for (slot, o) in m.iter_mut().zip(ops) {
            *slot = num(o)?;
        }
        m.iter().all(|v| v.is_finite()).then_some(Matrix(m))
    }
}

/// A form XObject's `/Matrix` (form space → user space), identity if absent.
pub fn form_matrix(stream: &Stream) -> Matrix {
    stream
        .dict
        .get(b"Matrix")
        .ok()
        .and_then(|m| m.as_array().ok())
        .and_then(|a| Matrix::from_operands(a))
        .unwrap_or(Matrix::IDENTITY)
}

fn num(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

/// One shown character code, placed on the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub text: String,
    /// Origin (baseline start) in device space, y up.
    pub x: f32,
    pub y: f32,
    /// Advance along the writing direction, in device units.
    pub advance: f32,
    /// Font size in device units.
    pub size: f32,
    /// Unit vector of the writing direction.
    pub dir: (f32, f32),
    /// An explicit space character (a word break whatever its width).
    pub is_space: bool,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    h_scale: f32,
    leading: f32,
    rise: f32,
}

impl GState {
    fn new(ctm: Matrix) -> GState {
        GState {
            ctm,
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

/// Interprets content streams for one document, caching fonts across pages.
pub struct Interpreter<'a> {
    doc: &'a Document,
    limits: &'a Limits,
    fonts: HashMap<ObjectId, Rc<Font>>,
    fallback: Rc<Font>,
    /// Glyphs of the page being interpreted.
    pub glyphs: Vec<Glyph>,
    ops: usize,
    deadline: Deadline,
    /// Set when a limit cut the page short.
    pub truncated: bool,
    /// Set when the deadline passed during the page (implies `truncated`).
    pub timed_out: bool,
}

/// Resource dictionaries to search, innermost first.
#[derive(Clone, Default)]
pub struct Resources<'a>(pub Vec<&'a Dictionary>);

impl<'a> Resources<'a> {
    fn lookup(
        &self,
        doc: &'a Document,
        category: &[u8],
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'a Object)> {
        for res in &self.0 {
            let Some(cat) = res
                .get(category)
                .ok()
                .and_then(|o| deref(doc, o).as_dict().ok())
            else {
                continue;
            };
            if let Ok(o) = cat.get(name) {
                return Some(match o {
                    Object::Reference(id) => (Some(*id), doc.get_object(*id).ok()?),
                    o => (None, o),
                });
            }
        }
        None
    }
}

fn deref<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(&Object::Null),
        o => o,
    }
}

impl<'a> Interpreter<'a> {
    pub fn new(doc: &'a Document, limits: &'a Limits, deadline: Deadline) -> Interpreter<'a> {
        Interpreter {
            doc,
            limits,
            fonts: HashMap::new(),
            fallback: Rc::new(Font::fallback()),
            glyphs: Vec::new(),
            ops: 0,
            deadline,
            truncated: false,
            timed_out: false,
        }
    }

    /// Interpret one page's content with an initial CTM; glyphs accumulate in `self.glyphs`.
    pub fn run_page(&mut self, content: &[u8], resources: &Resources<'a>, ctm: Matrix) {
        self.glyphs.clear();
        self.ops = 0;
        self.truncated = false;
        self.timed_out = false;
        let mut visiting = HashSet::new();
        self.run(content, resources, GState::new(ctm), 0, &mut visiting);
    }

    fn font(&mut self, resources: &Resources<'a>, name: &[u8]) -> Rc<Font> {
        let Some((id, obj)) = resources.lookup(self.doc, b"Font", name) else {
            return self.fallback.clone();
        };
        if let Some(id) = id {
            if let Some(f) = self.fonts.get(&id) {
                return f.clone();
            }
        }
        let font = match obj.as_dict() {
            Ok(d) => Rc::new(Font::load(self.doc, d, self.limits.max_stream_bytes)),
            Err(_) => self.fallback.clone(),
        };
        if let Some(id) = id {
            self.fonts.insert(id, font.clone());
        }
        font
    }

    fn run(
        &mut self,
        content: &[u8],
        resources: &Resources<'a>,
        initial: GState,
        depth: usize,
        visiting: &mut HashSet<ObjectId>,
    ) {
        let mut gs = initial;
        let mut stack: Vec<GState> = Vec::new();
        let mut tm = Matrix::IDENTITY;
        let mut tlm = Matrix::IDENTITY;
        let mut decoded: Vec<Decoded> = Vec::new();

        for op in Content::decode_iter(content) {
            if self.truncated {
                return; // cut short inside a form or a string
            }
            let Ok(op) = op else { break };
            self.ops += 1;
            if self.ops > self.limits.max_ops_per_page
                || self.glyphs.len() > self.limits.max_glyphs_per_page
            {
                self.truncated = true;
                return;
            }
            if self.ops.is_multiple_of(CHECK_EVERY) && self.check_deadline() {
                return;
            }
            let o = &op.operands;
            let f = |i: usize| o.get(i).and_then(num);
            match op.operator.as_str() {
                // Deeper nesting than any real producer uses is ignored, not stored.
                "q" if stack.len() < 256 => stack.push(gs.clone()),
                "Q" => {
                    if let Some(s) = stack.pop() {
                        gs = s;
                    }
                }
                "cm" => {
                    if let Some(m) = Matrix::from_operands(o) {
                        gs.ctm = m.mul(&gs.ctm);
                    }
                }
                "BT" => {
                    tm = Matrix::IDENTITY;
                    tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let Some(name) = o.first().and_then(|n| n.as_name().ok()) {
                        gs.font = Some(self.font(resources, name));
                    }
                    if let Some(s) = f(1) {
                        gs.size = s;
                    }
                }
                "Tc" => gs.char_spacing = f(0).unwrap_or(0.0),
                "Tw" => gs.word_spacing = f(0).unwrap_or(0.0),
                "Tz" => gs.h_scale = f(0).unwrap_or(100.0) / 100.0,
                "TL" => gs.leading = f(0).unwrap_or(0.0),
                "Ts" => gs.rise = f(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (f(0).unwrap_or(0.0), f(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        gs.leading = -ty;
                    }
                    tlm = Matrix::translate(tx, ty).mul(&tlm);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = Matrix::from_operands(o) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = Matrix::translate(0.0, -gs.leading).mul(&tlm);
                    tm = tlm;
                }
                "Tj" | "'" | "\"" => {
                    if op.operator != "Tj" {
                        if op.operator == "\"" {
                            gs.word_spacing = f(0).unwrap_or(gs.word_spacing);
                            gs.char_spacing = f(1).unwrap_or(gs.char_spacing);
                        }
                        tlm = Matrix::translate(0.0, -gs.leading).mul(&tlm);
                        tm = tlm;
                    }
                    if let Some(Object::String(bytes, _)) = o.last() {
                        self.show(&gs, &mut tm, bytes, &mut decoded);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = o.first() {
                        for item in items {
                            match item {
                                Object::String(bytes, _) => {
                                    self.show(&gs, &mut tm, bytes, &mut decoded)
                                }
                                other => {
                                    if let Some(adj) = num(other) {
                                        let tx = -adj / 1000.0 * gs.size * gs.h_scale;
                                        tm = Matrix::translate(tx, 0.0).mul(&tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "Do" => {
                    if depth >= self.limits.max_form_depth {
                        continue;
                    }
                    let Some(name) = o.first().and_then(|n| n.as_name().ok()) else {
                        continue;
                    };
                    let Some((id, obj)) = resources.lookup(self.doc, b"XObject", name) else {
                        continue;
                    };
                    let Ok(stream) = obj.as_stream() else {
                        continue;
                    };
                    self.run_form(id, stream, resources, &gs, depth, visiting);
                }
                _ => {}
            }
        }
    }

    /// Paint an annotation's appearance stream (a form XObject) on top of
    /// the page run by [`Self::run_page`], whose glyphs it adds to. `ctm`
    /// maps the form's space onto the page (the annotation's rectangle).
    pub fn run_annotation(&mut self, stream: &'a Stream, ctm: Matrix) {
        if self.truncated {
            return;
        }
        if let Some(bytes) = self.form_bytes(stream) {
            let res = self.form_resources(stream, &Resources::default());
            self.run(&bytes, &res, GState::new(ctm), 1, &mut HashSet::new());
        }
    }

    fn form_bytes(&self, stream: &Stream) -> Option<Vec<u8>> {
        if stream.dict.get(b"Filter").is_ok() {
            stream
                .decompressed_content_with_limit(self.limits.max_stream_bytes)
                .ok()
        } else {
            Some(stream.content.clone())
        }
    }

    /// The form's own resources first, then the ones it inherits.
    fn form_resources(&self, stream: &'a Stream, outer: &Resources<'a>) -> Resources<'a> {
        let mut inner = outer.clone();
        if let Some(r) = stream
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| deref(self.doc, r).as_dict().ok())
        {
            inner.0.insert(0, r);
        }
        inner
    }

    /// Run a form XObject painted by `Do` in graphics state `gs`.
    fn run_form(
        &mut self,
        id: Option<ObjectId>,
        stream: &'a Stream,
        resources: &Resources<'a>,
        gs: &GState,
        depth: usize,
        visiting: &mut HashSet<ObjectId>,
    ) {
        if stream.dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(b"Form") {
            return;
        }
        if let Some(id) = id {
            if !visiting.insert(id) {
                return; // a form that paints itself
            }
        }
        if let Some(bytes) = self.form_bytes(stream) {
            let matrix = form_matrix(stream);
            let inner = self.form_resources(stream, resources);
            let mut form_gs = gs.clone();
            form_gs.ctm = matrix.mul(&gs.ctm);
            self.run(&bytes, &inner, form_gs, depth + 1, visiting);
        }
        if let Some(id) = id {
            visiting.remove(&id);
        }
    }

    /// Look at the clock; on a passed deadline mark the page cut short.
    fn check_deadline(&mut self) -> bool {
        if self.deadline.passed() {
            self.timed_out = true;
            self.truncated = true;
        }
        self.timed_out
    }

    fn show(&mut self, gs: &GState, tm: &mut Matrix, bytes: &[u8], decoded: &mut Vec<Decoded>) {
        if self.truncated {
            return;
        }
        let font = gs.font.clone().unwrap_or_else(|| self.fallback.clone());
        decoded.clear();
        font.decode(bytes, decoded);
        let composite = font.is_composite();
        for (i, d) in decoded.iter().enumerate() {
            // One string can hold millions of codes: the glyph limit and the
            // clock are checked inside it too, not only between operators.
            if i % CHECK_EVERY == CHECK_EVERY - 1
                && (self.glyphs.len() > self.limits.max_glyphs_per_page || self.check_deadline())
            {
                self.truncated = true;
                return;
            }
            let trm = Matrix([gs.size * gs.h_scale, 0.0, 0.0, gs.size, 0.0, gs.rise])
                .mul(&tm.mul(&gs.ctm));
            let [a, b, c, dd, e, ff] = trm.0;
            let xlen = (a * a + b * b).sqrt();
            let ylen = (c * c + dd * dd).sqrt();
            let word_sp = if d.is_space_code && !composite {
                gs.word_spacing
            } else {
                0.0
            };
            let tx = (d.width * gs.size + gs.char_spacing + word_sp) * gs.h_scale;
            // Device length of one text-space unit along x.
            let full = tm.mul(&gs.ctm);
            let unit = (full.0[0] * full.0[0] + full.0[1] * full.0[1]).sqrt();
            let advance = tx * unit;
            if e.is_finite() && ff.is_finite() && xlen > 0.0 && !d.text.is_empty() {
                let dir = (a / xlen, b / xlen);
                let is_space = d.text.chars().all(|c| c.is_whitespace());
                self.glyphs.push(Glyph {
                    text: d.text.clone(),
                    x: e,
                    y: ff,
                    advance,
                    size: ylen,
                    dir,
                    is_space,
                });
            }
            *tm = Matrix::translate(tx, 0.0).mul(tm);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_mul_translate() {
        let m = Matrix::translate(10.0, 5.0).mul(&Matrix([2.0, 0.0, 0.0, 2.0, 0.0, 0.0]));
        assert_eq!(m.apply(0.0, 0.0), (20.0, 10.0));
        assert_eq!(m.apply(1.0, 1.0), (22.0, 12.0));
    }
}
