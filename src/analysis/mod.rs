//! `analysis` stage (work in progress).
