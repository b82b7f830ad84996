//! loupe: local full-text search over folders of text documents.
//!
//! A corpus folder of `.txt`/`.md` articles is split into paragraph-sized passages and
//! indexed with tantivy; a query returns the best passages, ranked with BM25 and highlighted.
//!
//! ```no_run
//! use loupe::{indexer, search};
//! let options = indexer::IndexOptions::new("corpus", "index");
//! indexer::run(&options, &mut indexer::Quiet)?;
//! let searcher = search::PassageSearcher::open("index".as_ref())?;
//! let results = searcher.search("\"armed forces\"", &search::SearchOptions::default())?;
//! for hit in &results.hits {
//!     println!("{}:{} {}", hit.path, hit.line, hit.snippet.text);
//! }
//! # Ok::<(), loupe::Error>(())
//! ```
#![warn(missing_docs)]

pub mod analysis;
pub mod article;
pub mod corpus;
pub mod count;
pub mod date;
pub mod decode;
pub mod error;
pub mod eval;
pub mod freshness;
pub mod highlight;
pub mod indexer;
pub mod location;
pub mod lock;
pub mod manifest;
pub mod passage;
pub mod progress;
pub mod query;
pub mod query_syntax;
pub mod ranking;
pub mod render;
pub mod schema;
pub mod scoring;
pub mod search;
pub mod statistics;
pub mod stats;
pub mod store;
pub mod suggest;
pub mod suite;

pub use error::{Error, Result};

/// `n` and `noun`, pluralised with an `s` when `n` is not 1: "1 passage", "3 passages".
pub fn plural(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
