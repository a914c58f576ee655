//! The `ratsuche` command line.
fn main() {}
