//! What was indexed: one record per corpus file (size, modification time, content hash),
//! read back from the file-record documents of the index. (An update compares them with the
//! corpus in [`crate::index::survey`].)

use rustc_hash::FxHashMap;

use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::Searcher;

use crate::error::{IndexContext, Result};
use crate::index::schema::Fields;

/// What loupe recorded about an indexed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRecord {
    /// Size in bytes when indexed.
    pub size: u64,
    /// Modification time (ns since the epoch) when indexed.
    pub mtime_ns: i64,
    /// XXH3-64 of the file's bytes.
    pub hash: u64,
    /// Number of passages indexed for it.
    pub passages: u64,
    /// Its length in terms, the title counted as BM25F weighs it.
    pub length: u64,
}

/// The records of every indexed file, by path relative to the corpus root.
pub type Manifest = FxHashMap<String, FileRecord>;

/// Reads the file records committed in the index behind `searcher`.
pub fn load(searcher: &Searcher, fields: &Fields) -> Result<Manifest> {
    let mut manifest = Manifest::default();
    for_each(searcher, fields, &mut |path, record| {
        manifest.insert(String::from_utf8_lossy(path).into_owned(), record);
    })?;
    Ok(manifest)
}

/// Hands each live file record of the index behind `searcher` to `visit`, with its path,
/// holding none of them (segment by segment, each in path order).
pub fn for_each(
    searcher: &Searcher,
    fields: &Fields,
    visit: &mut dyn FnMut(&[u8], FileRecord),
) -> Result<()> {
    for segment in searcher.segment_readers() {
        let inverted = segment
            .inverted_index(fields.file)
            .context("reading file records")?;
        let columns = segment.fast_fields();
        let size = columns.u64("size").context("reading file records")?;
        let mtime = columns.i64("mtime").context("reading file records")?;
        let hash = columns.u64("hash").context("reading file records")?;
        let passages = columns.u64("passages").context("reading file records")?;
        let length = columns.u64("length").context("reading file records")?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)
            .context("reading file records")?;
        // One posting list per path, read into a single reused buffer.
        let mut postings: Option<BlockSegmentPostings> = None;
        while terms.advance() {
            let postings = match postings.as_mut() {
                Some(p) => {
                    inverted
                        .reset_block_postings_from_terminfo(terms.value(), p)
                        .map_err(tantivy::TantivyError::from)
                        .context("reading file records")?;
                    p
                }
                None => postings.insert(
                    inverted
                        .read_block_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)
                        .map_err(tantivy::TantivyError::from)
                        .context("reading file records")?,
                ),
            };
            while !postings.docs().is_empty() {
                for &doc in postings.docs() {
                    if segment
                        .alive_bitset()
                        .is_none_or(|alive| alive.is_alive(doc))
                    {
                        let record = FileRecord {
                            size: size.first(doc).unwrap_or(0),
                            mtime_ns: mtime.first(doc).unwrap_or(0),
                            hash: hash.first(doc).unwrap_or(0),
                            passages: passages.first(doc).unwrap_or(0),
                            length: length.first(doc).unwrap_or(0),
                        };
                        visit(terms.key(), record);
                    }
                }
                postings.advance();
            }
        }
    }
    Ok(())
}

/// The languages of the indexed passages, as codes, in order (a language whose passages were
/// all deleted may linger until their segments merge).
pub fn languages(searcher: &Searcher, fields: &Fields) -> Result<Vec<String>> {
    let mut codes = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment
            .inverted_index(fields.lang)
            .context("listing languages")?;
        let mut terms = inverted
            .terms()
            .stream()
            .map_err(tantivy::TantivyError::from)
            .context("listing languages")?;
        while terms.advance() {
            codes.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    Ok(codes.into_iter().collect())
}
/// The record of one indexed file, looked up by its path; `None` when it is not indexed.
pub fn record_of(
    searcher: &Searcher,
    fields: &Fields,
    rel_path: &str,
) -> Result<Option<FileRecord>> {
    record_near(searcher, fields, rel_path, 0)
}

/// Like [`record_of`], looking first in segment `segment` (where the file's passages are: a
/// record is added with them, in one batch, and lands in the same segment unless it was
/// rewritten alone, for a file touched but not changed).
pub fn record_near(
    searcher: &Searcher,
    fields: &Fields,
    rel_path: &str,
    segment: usize,
) -> Result<Option<FileRecord>> {
    let term = tantivy::Term::from_field_text(fields.file, rel_path);
    let segments = searcher.segment_readers();
    let first = segment.min(segments.len().saturating_sub(1));
    let order = std::iter::once(first).chain((0..segments.len()).filter(|&s| s != first));
    for segment in order.map(|s| &segments[s]) {
        let inverted = segment
            .inverted_index(fields.file)
            .context("reading file records")?;
        let Some(info) = inverted
            .get_term_info(&term)
            .map_err(tantivy::TantivyError::from)
            .context("reading file records")?
        else {
            continue;
        };
        let mut postings = inverted
            .read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)
            .map_err(tantivy::TantivyError::from)
            .context("reading file records")?;
        while !postings.docs().is_empty() {
            for &doc in postings.docs() {
                if segment
                    .alive_bitset()
                    .is_none_or(|alive| alive.is_alive(doc))
                {
                    let columns = segment.fast_fields();
                    let read_u64 = |name: &str| -> Result<u64> {
                        Ok(columns
                            .u64(name)
                            .context("reading file records")?
                            .first(doc)
                            .unwrap_or(0))
                    };
                    return Ok(Some(FileRecord {
                        size: read_u64("size")?,
                        mtime_ns: columns
                            .i64("mtime")
                            .context("reading file records")?
                            .first(doc)
                            .unwrap_or(0),
                        hash: read_u64("hash")?,
                        passages: read_u64("passages")?,
                        length: read_u64("length")?,
                    }));
                }
            }
            postings.advance();
        }
    }
    Ok(None)
}
