//! The `ratsuche` command line (temporary: extract only).
fn main() {
    let path = std::env::args().nth(2).expect("usage: ratsuche extract FILE");
    match ratsuche::extract::extract_file(std::path::Path::new(&path)) {
        Ok(doc) => {
            let pages = ratsuche::clean::clean(doc.pages);
            print!("{}", ratsuche::Extracted { pages }.text());
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
