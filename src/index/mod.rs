//! `index` stage (work in progress).
