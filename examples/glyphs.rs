//! Debug aid: print the positioned glyphs of one page of a PDF.
//!
//! `cargo run --example glyphs -- FILE.pdf PAGE [FILTER]`
use ratsuche::extract::content::{Interpreter, Matrix, Resources};
use ratsuche::extract::{Deadline, Limits};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).expect("read");
    let mut doc = lopdf::Document::load_mem(&bytes).expect("load");
    if doc.is_encrypted() {
        doc.decrypt("").expect("decrypt");
    }
    let page: u32 = args.get(2).and_then(|p| p.parse().ok()).unwrap_or(1);
    let id = doc.get_pages()[&page];
    let limits = Limits::default();
    let content = doc.get_page_content(id);
    let (inline, ids) = doc.get_page_resources(id).expect("resources");
    let mut res: Vec<&lopdf::Dictionary> = inline.into_iter().collect();
    res.extend(ids.iter().filter_map(|r| doc.get_dictionary(*r).ok()));
    let mut it = Interpreter::new(&doc, &limits, Deadline::NEVER);
    it.run_page(&content, &Resources(res), Matrix::IDENTITY);
    let filter = args.get(3).cloned().unwrap_or_default();
    let mut line = String::new();
    for g in &it.glyphs {
        line.push_str(&format!(
            "{:?}@{:.1},{:.1}+{:.2} s{:.1}\n",
            g.text, g.x, g.y, g.advance, g.size
        ));
    }
    let text: String = it.glyphs.iter().map(|g| g.text.as_str()).collect();
    if let Some(pos) = text.find(&filter) {
        let start = text[..pos].chars().count();
        for l in line
            .lines()
            .skip(start.saturating_sub(3))
            .take(filter.chars().count() + 8)
        {
            println!("{l}");
        }
    }
}
