//! `search` stage (work in progress).
