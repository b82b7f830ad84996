//! loupe: local full-text search over folders of text documents.
//!
//! A corpus folder of `.txt`/`.md` articles is split into paragraph-sized passages and
//! indexed with tantivy; a query returns the best passages, ranked (BM25F over title and
//! passage, with document evidence) and highlighted.
//!
//! The layers, one folder each: [`index`] (corpus to index), [`search`] (query to ranked,
//! highlighted passages), [`render`] (passages to text or JSON), [`eval`] (ranking quality);
//! [`analysis`] is shared by indexing and search.
//!
//! ```no_run
//! use loupe::index::indexer;
//! use loupe::search;
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
pub mod date;
pub mod error;
pub mod eval;
pub mod index;
pub mod progress;
pub mod remote;
pub mod render;
pub mod search;
pub mod server;
pub mod stats;

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
