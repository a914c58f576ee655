//! Terminal presentation for the `ratsuche` binary: the progress bar and
//! the text rendering of results and reports. Nothing here decides what is
//! found or indexed; it only shows the library's answers.

pub mod output;
pub mod progress;
pub mod similar;
