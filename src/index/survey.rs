//! Which files changed since the last index? The corpus walk and the index's file records
//! both come in the byte order of the files' paths, so one pass over the two side by side
//! tells each file apart as added, modified, removed or unchanged, holding neither whole: a
//! corpus of millions of files is compared in the memory of a few batches.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::columnar::Column;
use tantivy::postings::BlockSegmentPostings;
use tantivy::schema::IndexRecordOption;
use tantivy::termdict::{TermMerger, TermStreamer};
use tantivy::{InvertedIndexReader, Searcher, SegmentReader, TantivyError};

use crate::error::{IndexContext, Result};
use crate::index::corpus::{self, CorpusFile, Entry, Kept, Skipped};
use crate::index::freshness::{self, Folder};
use crate::index::manifest::FileRecord;
use crate::index::schema::Fields;

/// Walk entries handed from the walking thread to the comparing one at a time.
const WALK_BATCH: usize = 1024;

/// How a corpus file or a record differs from the other side.
#[derive(Debug)]
pub enum Change {
    /// A file with no record.
    Added(CorpusFile),
    /// A file whose size or modification time is not as recorded: its content must be checked.
    Modified(CorpusFile, FileRecord),
    /// A record whose file is gone.
    Removed(String, FileRecord),
    /// Something in the corpus that could not be listed.
    Skipped(Skipped),
}

/// What a survey counted besides the changes it handed on.
#[derive(Debug, Default)]
pub struct Survey {
    /// Files whose size and modification time are as recorded.
    pub unchanged: usize,
    /// Records in the index.
    pub records: usize,
    /// Their lengths, summed.
    pub record_terms: u64,
    /// Every corpus folder, with the document files listed directly in it.
    pub folders: FxHashMap<String, Folder>,
    /// Records kept because what holds them could not be examined ([`Skipped::kept`]).
    pub unlisted: usize,
}

/// Walks the corpus under `root` and compares it with the file records of `searcher` (none
/// when `None`: every file is new), handing each change to `on_change` as it is found. Stops
/// at the first error `on_change` returns.
pub fn survey(
    root: &std::path::Path,
    searcher: Option<&Searcher>,
    fields: &Fields,
    on_change: &mut dyn FnMut(Change) -> Result<()>,
) -> Result<Survey> {
    let mut survey = Survey::default();
    let segments: &[SegmentReader] = searcher.map_or(&[], |s| s.segment_readers());
    let inverted: Vec<Arc<InvertedIndexReader>> = segments
        .iter()
        .map(|segment| segment.inverted_index(fields.file))
        .collect::<tantivy::Result<_>>()
        .context("reading file records")?;
    let mut records = Records::new(segments, &inverted)?;
    let mut next_record = records.next()?;
    // What could not be examined: the paths kept as they are, and the prefixes of the paths
    // under such folders.
    let mut unlisted = Unlisted::default();
    // The walk (mostly waiting on the file system) runs beside the comparison, and hands its
    // entries over in batches (one at a time, the two threads would wake each other for each).
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Entry>>(4);
    std::thread::scope(|scope| {
        let walker = scope.spawn(move || {
            let mut batch = Vec::with_capacity(WALK_BATCH);
            corpus::walk(root, &mut |entry| {
                batch.push(entry);
                batch.len() < WALK_BATCH
                    || sender
                        .send(std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(WALK_BATCH),
                        ))
                        .is_ok()
            })?;
            // The last batch (after a failed send has stopped the walk, this one fails too).
            let _ = sender.send(batch);
            Ok(())
        });
        let compared = (|| -> Result<()> {
            for entry in receiver.iter().flatten() {
                let file = match entry {
                    Entry::Folder(rel, mtime) => {
                        let folder = Folder {
                            mtime,
                            documents: 0,
                            digest: Some(0),
                        };
                        survey.folders.insert(rel, folder);
                        continue;
                    }
                    Entry::Skipped(mut skipped) => {
                        if let Some(kept) = &skipped.kept {
                            if searcher.is_some() {
                                skipped
                                    .reason
                                    .push_str("; anything indexed from it is kept as it was");
                            }
                            match kept {
                                Kept::Folder(folder) => {
                                    survey.folders.insert(folder.clone(), Folder::unlisted());
                                    unlisted.prefixes.push(if folder.is_empty() {
                                        String::new()
                                    } else {
                                        format!("{folder}/")
                                    });
                                }
                                Kept::Entry(path) => {
                                    unlisted.prefixes.push(format!("{path}/"));
                                    unlisted.paths.push(path.clone());
                                }
                            }
                        }
                        on_change(Change::Skipped(skipped))?;
                        continue;
                    }
                    Entry::File(file) => file,
                };
                let (folder, name) = file
                    .rel_path
                    .rsplit_once('/')
                    .unwrap_or(("", &file.rel_path));
                if let Some(tally) = survey.folders.get_mut(folder) {
                    tally.documents += 1;
                    tally.digest = tally
                        .digest
                        .map(|d| d.wrapping_add(freshness::name_digest(name)));
                }
                // Records before this file are of files gone from the corpus.
                while let Some((path, record)) = next_record.take() {
                    if path.as_str() >= file.rel_path.as_str() {
                        next_record = Some((path, record));
                        break;
                    }
                    survey.gone(path, record, &unlisted, on_change)?;
                    next_record = records.next()?;
                }
                match next_record.take() {
                    Some((path, record)) if path == file.rel_path => {
                        survey.count(&record);
                        if record.size == file.size && record.mtime_ns == file.mtime_ns {
                            survey.unchanged += 1;
                        } else {
                            on_change(Change::Modified(file, record))?;
                        }
                        next_record = records.next()?;
                    }
                    other => {
                        next_record = other;
                        on_change(Change::Added(file))?;
                    }
                }
            }
            while let Some((path, record)) = next_record.take() {
                survey.gone(path, record, &unlisted, on_change)?;
                next_record = records.next()?;
            }
            Ok(())
        })();
        // Stops the walk early when the comparison failed.
        drop(receiver);
        let walked = walker.join().expect("corpus walk does not panic");
        compared.and(walked)
    })?;
    Ok(survey)
}

impl Survey {
    fn count(&mut self, record: &FileRecord) {
        self.records += 1;
        self.record_terms += record.length;
    }

    /// A record whose file the walk did not list: removed, unless it lies in a folder that
    /// could not be listed, where it is kept and counted in its folder (so that a search
    /// that can list the folder again finds the same documents in it).
    fn gone(
        &mut self,
        path: String,
        record: FileRecord,
        unlisted: &Unlisted,
        on_change: &mut dyn FnMut(Change) -> Result<()>,
    ) -> Result<()> {
        self.count(&record);
        if !unlisted.holds(&path) {
            return on_change(Change::Removed(path, record));
        }
        self.unlisted += 1;
        let (folder, name) = path.rsplit_once('/').unwrap_or(("", &path));
        let tally = self
            .folders
            .entry(folder.to_string())
            .or_insert_with(Folder::unlisted);
        tally.documents += 1;
        tally.digest = tally
            .digest
            .map(|d| d.wrapping_add(freshness::name_digest(name)));
        Ok(())
    }
}

/// What a walk could not examine ([`Kept`]): records there are kept.
#[derive(Default)]
struct Unlisted {
    /// Entries kept as they are.
    paths: Vec<String>,
    /// Folders, each as the prefix of the paths under it (`""` for the corpus folder).
    prefixes: Vec<String>,
}

impl Unlisted {
    fn holds(&self, path: &str) -> bool {
        self.paths.iter().any(|p| p == path) || self.prefixes.iter().any(|p| path.starts_with(p))
    }
}

/// The file records of an index's segments, in path order (a path deleted and indexed again
/// appears in two segments, once alive).
struct Records<'a> {
    merger: TermMerger<'a>,
    segments: Vec<SegmentRecords<'a>>,
}

/// One segment's columns and reader of file records.
struct SegmentRecords<'a> {
    reader: &'a SegmentReader,
    inverted: &'a InvertedIndexReader,
    postings: Option<BlockSegmentPostings>,
    size: Column<u64>,
    mtime: Column<i64>,
    hash: Column<u64>,
    passages: Column<u64>,
    length: Column<u64>,
}

impl<'a> Records<'a> {
    fn new(
        segments: &'a [SegmentReader],
        inverted: &'a [Arc<InvertedIndexReader>],
    ) -> Result<Records<'a>> {
        let streams: Vec<TermStreamer<'a>> = inverted
            .iter()
            .map(|index| index.terms().stream())
            .collect::<std::io::Result<_>>()
            .map_err(TantivyError::from)
            .context("reading file records")?;
        let segments = segments
            .iter()
            .zip(inverted)
            .map(|(reader, inverted)| {
                let columns = reader.fast_fields();
                Ok(SegmentRecords {
                    reader,
                    inverted,
                    postings: None,
                    size: columns.u64("size")?,
                    mtime: columns.i64("mtime")?,
                    hash: columns.u64("hash")?,
                    passages: columns.u64("passages")?,
                    length: columns.u64("length")?,
                })
            })
            .collect::<tantivy::Result<_>>()
            .context("reading file records")?;
        Ok(Records {
            merger: TermMerger::new(streams),
            segments,
        })
    }

    /// The next path with a live record, and the record.
    fn next(&mut self) -> Result<Option<(String, FileRecord)>> {
        while self.merger.advance() {
            let mut found = None;
            for (ord, info) in self.merger.current_segment_ords_and_term_infos() {
                let segment = &mut self.segments[ord];
                if let Some(record) = segment.live_record(&info)? {
                    found = Some(record);
                    break;
                }
            }
            if let Some(record) = found {
                let path = String::from_utf8_lossy(self.merger.key()).into_owned();
                return Ok(Some((path, record)));
            }
        }
        Ok(None)
    }
}

impl SegmentRecords<'_> {
    /// The live record among the documents of one path's posting list.
    fn live_record(&mut self, info: &tantivy::postings::TermInfo) -> Result<Option<FileRecord>> {
        let postings = match self.postings.as_mut() {
            Some(postings) => {
                self.inverted
                    .reset_block_postings_from_terminfo(info, postings)
                    .map_err(TantivyError::from)
                    .context("reading file records")?;
                postings
            }
            None => self.postings.insert(
                self.inverted
                    .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)
                    .map_err(TantivyError::from)
                    .context("reading file records")?,
            ),
        };
        let alive = self.reader.alive_bitset();
        while !postings.docs().is_empty() {
            if let Some(&doc) = postings
                .docs()
                .iter()
                .find(|&&doc| alive.is_none_or(|alive| alive.is_alive(doc)))
            {
                return Ok(Some(FileRecord {
                    size: self.size.first(doc).unwrap_or(0),
                    mtime_ns: self.mtime.first(doc).unwrap_or(0),
                    hash: self.hash.first(doc).unwrap_or(0),
                    passages: self.passages.first(doc).unwrap_or(0),
                    length: self.length.first(doc).unwrap_or(0),
                }));
            }
            postings.advance();
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::indexer::{self, IndexOptions, Quiet};
    use crate::index::store::Store;

    #[test]
    fn tells_added_modified_removed_and_unchanged_files_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(corpus.join("a")).unwrap();
        for f in ["same.txt", "grown.txt", "gone.txt", "a/deep.txt", "a.txt"] {
            std::fs::write(corpus.join(f), "Some text.\n").unwrap();
        }
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();
        std::fs::write(corpus.join("grown.txt"), "Some more text.\n").unwrap();
        std::fs::remove_file(corpus.join("gone.txt")).unwrap();
        std::fs::write(corpus.join("a/new.txt"), "New.\n").unwrap();
        std::fs::write(corpus.join("0-first.txt"), "New.\n").unwrap();

        let store = Store::open(&index).unwrap();
        let searcher = store.index.reader().unwrap().searcher();
        let mut changes = Vec::new();
        let survey = survey(&corpus, Some(&searcher), &store.fields, &mut |change| {
            changes.push(match change {
                Change::Added(f) => format!("added {}", f.rel_path),
                Change::Modified(f, _) => format!("modified {}", f.rel_path),
                Change::Removed(path, _) => format!("removed {path}"),
                Change::Skipped(s) => format!("skipped {}", s.path.display()),
            });
            Ok(())
        })
        .unwrap();
        assert_eq!(
            changes,
            [
                "added 0-first.txt",
                "added a/new.txt",
                "removed gone.txt",
                "modified grown.txt"
            ]
        );
        assert_eq!((survey.unchanged, survey.records), (3, 5));
        assert_eq!(survey.folders["a"].documents, 2);
        assert_eq!(survey.folders[""].documents, 4);
    }

    #[test]
    fn names_that_sort_apart_from_their_folders_are_unchanged_after_indexing() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(corpus.join("2024/b")).unwrap();
        for f in [
            "2024-01.txt",
            "2024.txt",
            "2024/a.txt",
            "2024/b/c.txt",
            "2024/b.txt",
            "2024 x.txt",
        ] {
            std::fs::write(corpus.join(f), "Some text.\n").unwrap();
        }
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();
        let store = Store::open(&index).unwrap();
        let searcher = store.index.reader().unwrap().searcher();
        let mut changes = 0;
        let survey = survey(&corpus, Some(&searcher), &store.fields, &mut |_| {
            changes += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!((changes, survey.unchanged, survey.records), (0, 6, 6));
    }

    /// A link to a folder sorts as a folder (its name followed by `/`), like the paths of the
    /// files it leads to: `2024 -> elsewhere` beside `2024-01.txt` and `2024.txt`.
    #[cfg(unix)]
    #[test]
    fn a_linked_folder_sorts_as_a_folder_and_an_update_finds_nothing_changed() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::create_dir_all(&corpus).unwrap();
        std::fs::write(elsewhere.join("x.txt"), "Linked text.\n").unwrap();
        std::os::unix::fs::symlink(&elsewhere, corpus.join("2024")).unwrap();
        for f in ["2024-01.txt", "2024.txt", "2024 x.txt"] {
            std::fs::write(corpus.join(f), "Some text.\n").unwrap();
        }
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();
        let store = Store::open(&index).unwrap();
        let searcher = store.index.reader().unwrap().searcher();
        let mut changes = Vec::new();
        let survey = survey(&corpus, Some(&searcher), &store.fields, &mut |change| {
            changes.push(format!("{change:?}"));
            Ok(())
        })
        .unwrap();
        assert_eq!(changes, Vec::<String>::new());
        assert_eq!((survey.unchanged, survey.records), (4, 4));
    }
}
