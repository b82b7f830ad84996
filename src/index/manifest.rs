//! What was indexed: one record per corpus file (size, modification time, content hash),
//! read back from the file-record documents of the index, and the comparison of those records
//! with the corpus as it is now.

use rustc_hash::{FxHashMap, FxHashSet};

use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::Searcher;

use crate::error::{IndexContext, Result};
use crate::index::corpus::CorpusFile;
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
    for segment in searcher.segment_readers() {
        let inverted = segment
            .inverted_index(fields.file)
            .context("reading file records")?;
        manifest.reserve(inverted.terms().num_terms());
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
                        manifest.insert(String::from_utf8_lossy(terms.key()).into_owned(), record);
                    }
                }
                postings.advance();
            }
        }
    }
    Ok(manifest)
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
    let term = tantivy::Term::from_field_text(fields.file, rel_path);
    for segment in searcher.segment_readers() {
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

/// How the corpus differs from the manifest.
#[derive(Debug, Default)]
pub struct Changes<'a> {
    /// Files not in the manifest.
    pub added: Vec<&'a CorpusFile>,
    /// Files whose size or modification time differ: their content must be checked.
    pub modified: Vec<&'a CorpusFile>,
    /// Paths in the manifest that are no longer in the corpus.
    pub removed: Vec<String>,
    /// Files whose size and modification time are as recorded.
    pub unchanged: usize,
}

/// Compares the corpus listing with the manifest using metadata only.
pub fn compare<'a>(manifest: &Manifest, files: &'a [CorpusFile]) -> Changes<'a> {
    let mut changes = Changes::default();
    for file in files {
        match manifest.get(&file.rel_path) {
            None => changes.added.push(file),
            Some(r) if r.size == file.size && r.mtime_ns == file.mtime_ns => changes.unchanged += 1,
            Some(_) => changes.modified.push(file),
        }
    }
    let present: FxHashSet<&str> = files.iter().map(|f| f.rel_path.as_str()).collect();
    changes.removed = manifest
        .keys()
        .filter(|p| !present.contains(p.as_str()))
        .cloned()
        .collect();
    changes.removed.sort();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64, mtime_ns: i64) -> CorpusFile {
        CorpusFile {
            rel_path: path.into(),
            size,
            mtime_ns,
        }
    }

    #[test]
    fn compare_sorts_files_by_change() {
        let record = |size, mtime_ns| FileRecord {
            size,
            mtime_ns,
            hash: 1,
            passages: 1,
            length: 10,
        };
        let manifest: Manifest = [
            ("same.txt".to_string(), record(10, 5)),
            ("touched.txt".to_string(), record(10, 5)),
            ("grown.txt".to_string(), record(10, 5)),
            ("gone.txt".to_string(), record(10, 5)),
        ]
        .into_iter()
        .collect();
        let files = [
            file("same.txt", 10, 5),
            file("touched.txt", 10, 6),
            file("grown.txt", 11, 5),
            file("new.txt", 1, 1),
        ];
        let changes = compare(&manifest, &files);
        let paths = |v: &[&CorpusFile]| v.iter().map(|f| f.rel_path.clone()).collect::<Vec<_>>();
        assert_eq!(paths(&changes.added), ["new.txt"]);
        assert_eq!(paths(&changes.modified), ["touched.txt", "grown.txt"]);
        assert_eq!(changes.removed, ["gone.txt"]);
        assert_eq!(changes.unchanged, 1);
    }
}
