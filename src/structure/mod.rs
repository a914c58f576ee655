//! `structure` stage (work in progress).
