//! Building the index from the corpus: which files are documents and what text they hold,
//! how an article splits into title, body and passages, the index folder and its schema, what
//! was indexed and whether it still matches the corpus, and the indexing run itself.

pub mod article;
pub mod corpus;
pub mod decode;
pub mod directory;
pub mod freshness;
pub mod indexer;
pub mod location;
pub mod lock;
pub mod manifest;
pub mod passage;
pub mod schema;
pub mod store;
pub mod survey;
