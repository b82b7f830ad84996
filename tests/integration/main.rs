//! Integration tests: each drives the built `loupe` binary on a corpus it writes in a
//! temporary folder. No network, no shared corpora, no timing assertions.

mod server_util;
mod util;

mod browser;
mod cluster;
mod errors;
mod eval;
mod incremental;
mod index;
mod json;
mod languages;
mod query;
mod ranking;
mod safety;
mod search;
mod serve;
