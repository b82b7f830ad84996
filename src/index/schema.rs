//! The index schema: field names and options, and the schema version that tells an index
//! written by an incompatible loupe. Two kinds of tantivy documents share the schema:
//! *passages* (what searches return) and one *file record* per corpus file (what was indexed,
//! committed atomically with the passages so the two can never disagree).

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use crate::analysis::ANALYZER;
use crate::error::{Error, Result};

/// Bumped whenever the schema or the analysis changes in a way that needs a rebuild.
pub const SCHEMA_VERSION: u32 = 5;

/// How many times the title counts in `body` (and so in a whole document): BM25F's field weight for the title
/// (Robertson & Zaragoza 2009), the text weighing 1.
pub const TITLE_WEIGHT: usize = 2;

/// Handles to every field of an opened index.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Passage: the document's path relative to the corpus root (raw, one term).
    pub path: Field,
    /// Passage: the document's title (analyzed, stored).
    pub title: Field,
    /// Passage: the document's date (indexed, fast, stored), when it has one.
    pub date: Field,
    /// Passage: ordinal of the passage in its document, from 0 (fast: the doc id less the
    /// ordinal names a passage's document within its segment, [`crate::search::count`]). File
    /// record: the number of passages, which it follows.
    pub passage: Field,
    /// Passage: 1-based line of the passage's first character in the source file.
    pub line: Field,
    /// Passage: 1-based column (in characters) of that first character: more than 1 where a
    /// long paragraph was cut and the passage starts inside a line.
    pub column: Field,
    /// Passage: the document's content hash (fast), to collapse identical documents.
    pub content_hash: Field,
    /// Passage: byte offset of the passage in the source text.
    pub byte_start: Field,
    /// Passage: byte offset just past the passage.
    pub byte_end: Field,
    /// Passage: XXH3-64 of the passage text. The text itself is not stored: it is read back
    /// from the corpus file ([`crate::search::passage_text`]), and this hash tells whether
    /// what is there now is what was indexed.
    pub text_hash: Field,
    /// Passage: what a word is searched in: the title, [`TITLE_WEIGHT`] times, then the passage
    /// text (analyzed with positions, not stored). One BM25 over this field is BM25F over
    /// title and text with the title weighted [`TITLE_WEIGHT`].
    pub body: Field,
    /// Passage: the passage's language, an ISO 639-1 code or `und` (raw, one term, stored).
    pub lang: Field,
    /// Passage: a hash of the document path (fast), to count matching documents.
    pub doc_key: Field,
    /// File record: the file's path relative to the corpus root.
    pub file: Field,
    /// File record: size in bytes.
    pub size: Field,
    /// File record: modification time in nanoseconds since the Unix epoch.
    pub mtime: Field,
    /// File record: content hash (XXH3-64).
    pub hash: Field,
    /// File record: number of passages the file gave.
    pub passages: Field,
    /// File record: the document's length in terms, its title counted [`TITLE_WEIGHT`] times,
    /// for document-level BM25F.
    pub length: Field,
}

/// Builds the schema loupe writes.
pub fn build() -> Schema {
    let mut b = Schema::builder();
    let analyzed = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let stored_u64 = NumericOptions::default().set_stored();
    let fast_u64 = NumericOptions::default().set_fast();
    b.add_text_field("path", STRING | STORED);
    b.add_text_field("title", analyzed.clone());
    b.add_date_field(
        "date",
        DateOptions::from(INDEXED | STORED | FAST).set_precision(DateTimePrecision::Seconds),
    );
    b.add_u64_field(
        crate::search::count::PASSAGE,
        stored_u64.clone().set_indexed().set_fast(),
    );
    b.add_u64_field("line", stored_u64.clone());
    b.add_u64_field("column", stored_u64.clone());
    b.add_u64_field("content_hash", fast_u64.clone());
    b.add_u64_field("byte_start", stored_u64.clone());
    b.add_u64_field("byte_end", stored_u64.clone());
    b.add_u64_field("text_hash", stored_u64);
    b.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    b.add_text_field("lang", STRING | STORED);
    b.add_u64_field(
        crate::search::count::DOC_KEY,
        fast_u64.clone().set_indexed(),
    );
    b.add_text_field("file", STRING);
    b.add_u64_field("size", fast_u64.clone());
    b.add_i64_field("mtime", NumericOptions::default().set_fast());
    b.add_u64_field("hash", fast_u64.clone());
    b.add_u64_field("passages", fast_u64.clone());
    b.add_u64_field("length", fast_u64);
    b.build()
}

/// The hash kept for a passage's text ([`Fields::text_hash`]).
pub fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The text of a stored text field of `doc`, without the tag that chose its analysis
/// ([`crate::analysis::tagged`]: titles in languages other than English carry one).
pub fn stored_text(doc: &tantivy::TantivyDocument, field: Field) -> Option<String> {
    use tantivy::schema::Value;
    let text = doc.get_first(field)?.as_str()?;
    Some(crate::analysis::untag(text).1.to_string())
}

impl Fields {
    /// Looks the fields up in `schema`; an index missing one was not written by this loupe.
    pub fn new(schema: &Schema) -> Result<Fields> {
        let get = |name: &str| {
            schema
                .get_field(name)
                .map_err(|_| Error::InvalidArgument(format!("index has no field '{name}'")))
        };
        Ok(Fields {
            path: get("path")?,
            title: get("title")?,
            date: get("date")?,
            passage: get(crate::search::count::PASSAGE)?,
            line: get("line")?,
            column: get("column")?,
            content_hash: get("content_hash")?,
            byte_start: get("byte_start")?,
            byte_end: get("byte_end")?,
            text_hash: get("text_hash")?,
            body: get("body")?,
            lang: get("lang")?,
            doc_key: get(crate::search::count::DOC_KEY)?,
            file: get("file")?,
            size: get("size")?,
            mtime: get("mtime")?,
            hash: get("hash")?,
            passages: get("passages")?,
            length: get("length")?,
        })
    }
}
