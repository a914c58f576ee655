//! `extract` stage (work in progress).
