//! What was indexed: one record per corpus file (size, modification time, content hash),
//! read back from the file-record documents of the index. (An update compares them with the
//! corpus in [`crate::index::survey`].)

use std::sync::Mutex;

use rustc_hash::FxHashMap;

use tantivy::columnar::Column;
use tantivy::index::SegmentId;
use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Searcher, SegmentReader};

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
    FileRecords::default().near(searcher, fields, rel_path, segment)
}

/// Looks up file records, opening each segment's record columns once for all look-ups (five
/// columns per look-up were most of the cost of reading a page of hits).
#[derive(Default)]
pub struct FileRecords {
    columns: Mutex<FxHashMap<SegmentId, RecordColumns>>,
}

/// The fast columns of one segment's file records.
#[derive(Clone)]
struct RecordColumns {
    size: Column<u64>,
    mtime: Column<i64>,
    hash: Column<u64>,
    passages: Column<u64>,
    length: Column<u64>,
}

impl RecordColumns {
    fn open(segment: &SegmentReader) -> Result<RecordColumns> {
        let columns = segment.fast_fields();
        let u64_column = |name: &str| columns.u64(name).context("reading file records");
        Ok(RecordColumns {
            size: u64_column("size")?,
            mtime: columns.i64("mtime").context("reading file records")?,
            hash: u64_column("hash")?,
            passages: u64_column("passages")?,
            length: u64_column("length")?,
        })
    }

    fn record(&self, doc: DocId) -> FileRecord {
        FileRecord {
            size: self.size.first(doc).unwrap_or(0),
            mtime_ns: self.mtime.first(doc).unwrap_or(0),
            hash: self.hash.first(doc).unwrap_or(0),
            passages: self.passages.first(doc).unwrap_or(0),
            length: self.length.first(doc).unwrap_or(0),
        }
    }
}

impl FileRecords {
    /// [`record_near`], with the columns opened before.
    pub fn near(
        &self,
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
                let alive = |doc: DocId| segment.alive_bitset().is_none_or(|a| a.is_alive(doc));
                if let Some(&doc) = postings.docs().iter().find(|&&doc| alive(doc)) {
                    return Ok(Some(self.columns_of(segment)?.record(doc)));
                }
                postings.advance();
            }
        }
        Ok(None)
    }

    fn columns_of(&self, segment: &SegmentReader) -> Result<RecordColumns> {
        let mut columns = self.columns.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = columns.get(&segment.segment_id()) {
            return Ok(known.clone());
        }
        let opened = RecordColumns::open(segment)?;
        columns.insert(segment.segment_id(), opened.clone());
        Ok(opened)
    }
}
