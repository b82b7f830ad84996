//! A remote OpenSearch cluster as loupe's index: `loupe push` carries the local index's
//! passages there, with analyzers that reproduce loupe's analysis, and `loupe search --url`
//! answers from it with the same query language and the same output.

pub mod client;
pub mod mapping;
pub mod push;
pub mod query;
pub mod search;

pub use client::Client;
pub use push::{push, PushObserver, PushOptions, PushReport};
pub use search::RemoteSearcher;

/// The remote index name used when none is given.
pub const DEFAULT_INDEX_NAME: &str = "loupe";
