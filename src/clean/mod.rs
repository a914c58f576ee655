//! `clean` stage (work in progress).
