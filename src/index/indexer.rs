//! Building and updating the index from the corpus: list the files, compare them with the
//! file records committed in the index, then delete what changed or went away, index what is
//! new or changed, and commit the passages together with the new file records. A run with no
//! changes reads no file; a run that is killed leaves the last commit intact.

use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tantivy::indexer::UserOperation;
use tantivy::indexer::{LogMergePolicy, MergePolicy, NoMergePolicy};
use tantivy::schema::Term;
use tantivy::{DateTime, IndexWriter, TantivyDocument, TantivyError};

use crate::analysis::{self, Analysis};
use crate::error::{Error, IndexContext, Result};
use crate::index::article::Article;
use crate::index::corpus::CorpusFile;
use crate::index::decode;
use crate::index::directory;
use crate::index::freshness::{self, FileStamp, Snapshot};
use crate::index::location;
use crate::index::lock;
use crate::index::manifest::FileRecord;
use crate::index::passage::PassageLimits;
use crate::index::schema::{self, Fields, SCHEMA_VERSION, TITLE_WEIGHT};
use crate::index::store::{self, CommitInfo, Store};
use crate::index::survey::{self, Change};

/// Files larger than this are skipped: they are not articles.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// How to build or update an index.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// The corpus folder.
    pub corpus: PathBuf,
    /// The index folder.
    pub index_dir: PathBuf,
    /// Re-index every file, replacing the whole index in one commit.
    pub rebuild: bool,
    /// Memory the indexing threads may use for their buffers, in bytes.
    pub memory_budget: usize,
    /// Number of indexing threads (0: one per core, at most 4).
    pub threads: usize,
    /// Passage size bounds.
    pub passage_limits: PassageLimits,
    /// Wait for another indexer holding the lock instead of failing.
    pub wait: bool,
    /// Go ahead with an update that removes more than half of the indexed documents.
    pub force: bool,
    /// Commit after about this many bytes of new text, so a long build that is interrupted keeps
    /// its progress. Not used with `rebuild`, which commits once.
    pub commit_every: u64,
}

impl IndexOptions {
    /// Default options for a corpus and index folder.
    pub fn new(corpus: impl Into<PathBuf>, index_dir: impl Into<PathBuf>) -> IndexOptions {
        IndexOptions {
            corpus: corpus.into(),
            index_dir: index_dir.into(),
            rebuild: false,
            memory_budget: 256 * 1024 * 1024,
            threads: 0,
            passage_limits: PassageLimits::default(),
            commit_every: 512 * 1024 * 1024,
            wait: false,
            force: false,
        }
    }
}

/// Receives what happens during indexing, to show progress and problems.
pub trait IndexObserver {
    /// `files` are to be read, `bytes` in all when known. (A full build starts reading while
    /// they are still being counted: then this comes later, and without the bytes.)
    fn started(&mut self, _files: usize, _bytes: Option<u64>) {}
    /// One file of `bytes` was read (indexed, found unchanged, or skipped).
    fn advanced(&mut self, _bytes: u64) {}
    /// A file or folder was skipped.
    fn skipped(&mut self, _path: &Path, _reason: &str) {}
    /// A file was indexed, but with a problem worth knowing.
    fn warned(&mut self, _path: &Path, _message: &str) {}
    /// Indexing is over (before the final commit's merges).
    fn finished(&mut self) {}
}

/// An observer that ignores everything.
pub struct Quiet;
impl IndexObserver for Quiet {}

/// What an indexing run did.
#[derive(Debug, Default, Clone)]
pub struct IndexReport {
    /// Files indexed for the first time.
    pub added: usize,
    /// Files whose content changed and were re-indexed.
    pub changed: usize,
    /// Files gone from the corpus, removed from the index.
    pub removed: usize,
    /// Files already up to date (including touched files whose content is the same).
    pub unchanged: usize,
    /// Files skipped (binary, unreadable, too large, vanished), with their reasons.
    pub skipped: Vec<(PathBuf, String)>,
    /// Passages added in this run.
    pub passages: u64,
    /// Bytes of files read in this run.
    pub bytes_read: u64,
    /// Wall time of the run, in seconds.
    pub seconds: f64,
    /// True when the index was created by this run.
    pub created: bool,
}

/// Builds the index when missing, or brings it up to date with the corpus.
pub fn run(options: &IndexOptions, observer: &mut dyn IndexObserver) -> Result<IndexReport> {
    let started = Instant::now();
    if options.index_dir.exists() && !options.index_dir.is_dir() {
        return Err(Error::IndexNotADirectory(options.index_dir.clone()));
    }
    if !options.corpus.is_dir() {
        return Err(Error::CorpusMissing(options.corpus.clone()));
    }
    match store::inspect(&options.index_dir) {
        store::IndexState::Foreign => return Err(Error::NotAnIndex(options.index_dir.clone())),
        store::IndexState::Unreadable(detail) => {
            return Err(store::unreadable(&options.index_dir, detail))
        }
        _ => {}
    }
    let _lock = lock::acquire(&options.index_dir, options.wait)?;
    let (store, created) = open_or_create(options, observer)?;
    store::mark(&options.index_dir)?;
    let corpus_record = CorpusRecord::of(&options.corpus, &options.index_dir)?;
    let fields = store.fields;
    let full_build = created || options.rebuild;
    // A rebuild of an empty folder would empty the index: refused unless forced.
    let indexed_before = if options.rebuild {
        // A damaged index cannot say; rebuilding it is what mends it.
        documents_in(&store)
    } else {
        0
    };
    let writer = open_writer(&store, options)?;
    // Files a failed run left behind (its disk full, say) are removed before this run adds
    // its own; tantivy would otherwise keep them until the next commit.
    writer
        .garbage_collect_files()
        .wait()
        .context("removing files of an unfinished run")?;
    // An index an older loupe committed has files only their owner may read.
    directory::share_commit_files(&options.index_dir);
    writer.set_merge_policy(merge_policy(full_build));
    if options.rebuild {
        writer
            .delete_all_documents()
            .context("clearing the index for a rebuild")?;
    }
    let mut run = Run {
        writer,
        fields: &fields,
        options,
        corpus_record: &corpus_record,
        observer,
        report: IndexReport {
            created,
            ..IndexReport::default()
        },
        totals: DocumentTotals::default(),
        since_commit: 0,
        since_trim: 0,
        skipped_files: Vec::new(),
        unreadable_files: Vec::new(),
    };
    let survey = if full_build {
        // Nothing to compare with: each file is indexed as the walk finds it, while another
        // walk counts them for the progress bar.
        let counted = std::sync::atomic::AtomicUsize::new(usize::MAX);
        let survey = std::thread::scope(|scope| {
            scope.spawn(|| {
                let files = freshness::count_documents(&options.corpus);
                counted.store(files as usize, std::sync::atomic::Ordering::Relaxed);
            });
            let mut started = false;
            survey::survey(&options.corpus, None, &fields, &mut |change| {
                if !started {
                    let files = counted.load(std::sync::atomic::Ordering::Relaxed);
                    if files != usize::MAX {
                        run.observer.started(files, None);
                        started = true;
                    }
                }
                run.apply(change)
            })
        })?;
        let listed: u64 = survey.folders.values().map(|f| f.documents).sum();
        if !options.force && listed == 0 && indexed_before > 0 {
            // Nothing is committed: the index stays as it was.
            return Err(Error::MassRemoval {
                removed: indexed_before,
                total: indexed_before,
                corpus: options.corpus.clone(),
            });
        }
        survey
    } else {
        let reader = store.index.reader().context("opening index reader")?;
        let searcher = reader.searcher();
        let mut changes = Vec::new();
        let survey = survey::survey(&options.corpus, Some(&searcher), &fields, &mut |change| {
            changes.push(change);
            Ok(())
        })?;
        // A corpus folder that is empty, unmounted or another folder looks like mass deletion.
        let removing = changes
            .iter()
            .filter(|c| matches!(c, Change::Removed(..)))
            .count();
        if !options.force && survey.records > 0 && removing * 2 > survey.records {
            return Err(Error::MassRemoval {
                removed: removing,
                total: survey.records,
                corpus: options.corpus.clone(),
            });
        }
        run.totals = DocumentTotals {
            documents: survey.records as u64,
            terms: survey.record_terms,
        };
        let (files, bytes) = changes.iter().fold((0, 0), |(n, b), c| match c {
            Change::Added(f) | Change::Modified(f, _) => (n + 1, b + f.size),
            _ => (n, b),
        });
        run.observer.started(files, Some(bytes));
        for change in changes {
            run.apply(change)?;
        }
        survey
    };
    // Records kept in folders that could not be listed are left as they were.
    run.report.unchanged += survey.unchanged + survey.unlisted;
    run.observer.finished();
    let Run {
        mut writer,
        mut report,
        totals,
        skipped_files,
        unreadable_files,
        ..
    } = run;
    // Nothing to write: leave the last commit as it is (a no-op run writes nothing), unless
    // the corpus is recorded differently (an index moved with its corpus).
    let previous_info = store.commit_info()?;
    let recorded_differently = previous_info.as_ref().is_none_or(|info| {
        info.corpus != corpus_record.corpus
            || info.corpus_from_index != corpus_record.from_index
            || info.partial
    });
    let changed = report.added + report.changed + report.removed > 0 || report.bytes_read > 0;
    let generation = if full_build || changed || recorded_differently {
        commit(&mut writer, &corpus_record, totals, false)?
    } else {
        previous_info.map_or(0, |info| info.generation)
    };
    writer
        .wait_merging_threads()
        .context("merging index segments")?;
    // What the corpus looks like now, for searches to tell cheaply when it changes.
    Snapshot::new(generation, survey.folders, skipped_files, unreadable_files)
        .write(&options.index_dir)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// An indexing run under way: the writer, and what has been done so far.
struct Run<'a> {
    writer: IndexWriter,
    fields: &'a Fields,
    options: &'a IndexOptions,
    corpus_record: &'a CorpusRecord,
    observer: &'a mut dyn IndexObserver,
    report: IndexReport,
    totals: DocumentTotals,
    /// Bytes of text added since the last commit.
    since_commit: u64,
    /// Bytes of text added since freed memory was last handed back ([`release_freed_memory`]).
    since_trim: u64,
    /// Document files skipped while indexing (binary, unreadable): present but not indexed.
    skipped_files: Vec<(String, Option<FileStamp>)>,
    /// Of those, the files whose permissions kept them from being read.
    unreadable_files: Vec<(String, FileStamp, i64)>,
}

impl Run<'_> {
    /// Brings the index in line with one change of the corpus.
    fn apply(&mut self, change: Change) -> Result<()> {
        let (file, previous) = match change {
            Change::Added(file) => (file, None),
            Change::Modified(file, record) => (file, Some(record)),
            Change::Removed(path, record) => {
                delete_file(&self.writer, self.fields, &path);
                self.totals = self.totals.without(Some(&record));
                self.report.removed += 1;
                return Ok(());
            }
            Change::Skipped(skip) => {
                self.observer.skipped(&skip.path, &skip.reason);
                self.report.skipped.push((skip.path, skip.reason));
                return Ok(());
            }
        };
        let previous = previous.as_ref();
        let outcome = index_file(
            &self.writer,
            self.fields,
            &self.options.corpus,
            &file,
            previous,
            self.options.passage_limits,
        );
        self.observer.advanced(file.size);
        let stamp = FileStamp {
            size: file.size,
            mtime_ns: file.mtime_ns,
        };
        match outcome {
            FileOutcome::Indexed {
                passages,
                length,
                bytes,
                warning,
            } => {
                self.totals = self.totals.without(previous).with(length);
                if let Some(w) = warning {
                    self.observer.warned(&file.path(&self.options.corpus), &w);
                }
                if previous.is_some() {
                    self.report.changed += 1;
                } else {
                    self.report.added += 1;
                }
                self.report.passages += passages;
                self.report.bytes_read += bytes;
                self.since_commit += bytes;
                self.since_trim += bytes;
            }
            FileOutcome::Unchanged { bytes } => {
                self.report.unchanged += 1;
                self.report.bytes_read += bytes;
            }
            // Like a folder that cannot be listed: an indexed file that cannot be read now
            // keeps its record (and is tried again by the next update).
            FileOutcome::Unreadable(detail) if previous.is_some() => {
                let path = file.path(&self.options.corpus);
                let reason =
                    format!("cannot read ({detail}); what was indexed of it is kept as it was");
                self.observer.skipped(&path, &reason);
                self.report.skipped.push((path, reason));
                self.report.unchanged += 1;
            }
            FileOutcome::Unreadable(detail) => {
                let path = file.path(&self.options.corpus);
                let reason = format!("cannot read, skipped ({detail})");
                self.observer.skipped(&path, &reason);
                self.report.skipped.push((path, reason));
                // Its status time, which a `chmod` moves: the next searches stat it.
                let on_disk = file.path(&self.options.corpus);
                if let Ok(metadata) = std::fs::metadata(&on_disk) {
                    self.unreadable_files.push((
                        file.rel_path.clone(),
                        FileStamp::of(&metadata),
                        freshness::status_time(&metadata),
                    ));
                }
                self.skipped_files.push((file.rel_path, Some(stamp)));
            }
            FileOutcome::Skipped(reason) => {
                self.totals = self.totals.without(previous);
                if previous.is_some() {
                    delete_file(&self.writer, self.fields, &file.rel_path);
                    self.report.removed += 1;
                }
                let path = file.path(&self.options.corpus);
                self.observer.skipped(&path, &reason);
                self.report.skipped.push((path, reason));
                self.skipped_files.push((file.rel_path, Some(stamp)));
            }
            FileOutcome::Vanished => {
                self.totals = self.totals.without(previous);
                if previous.is_some() {
                    delete_file(&self.writer, self.fields, &file.rel_path);
                    self.report.removed += 1;
                }
                let path = file.path(&self.options.corpus);
                let reason = "vanished while indexing, skipped".to_string();
                self.observer.skipped(&path, &reason);
                self.report.skipped.push((path, reason));
                self.skipped_files.push((file.rel_path, None));
            }
        }
        if self.since_trim >= TRIM_EVERY {
            release_freed_memory();
            self.since_trim = 0;
        }
        if !self.options.rebuild && self.since_commit >= self.options.commit_every {
            commit(&mut self.writer, self.corpus_record, self.totals, true)?;
            self.since_commit = 0;
        }
        Ok(())
    }
}

/// How much text is indexed between two calls of [`release_freed_memory`].
const TRIM_EVERY: u64 = 128 * 1024 * 1024;

/// Hands the memory the allocator holds free back to the system. glibc keeps what is freed in
/// the middle of its arenas: each indexing thread frees a segment's buffers when it writes the
/// segment and allocates the next one's, and over the 240 segments of a 10 GB build the
/// arenas grew to 434 MB for a 256 MB budget.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's `malloc_trim` takes each arena's lock and only releases free pages;
        // it is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

fn open_or_create(
    options: &IndexOptions,
    observer: &mut dyn IndexObserver,
) -> Result<(Store, bool)> {
    let (dir, rebuild) = (&options.index_dir, options.rebuild);
    if store::exists(dir) {
        match Store::open(dir) {
            Ok(store) => return Ok((store, false)),
            // An index from a newer loupe is that loupe's: replaced only when asked to rebuild.
            Err(e @ Error::IndexIncompatible { .. }) if !rebuild && written_by_newer(&e) => {
                return Err(e)
            }
            // An index from an older loupe is useless to this one: replace it, unless nothing
            // would replace it.
            Err(e @ Error::IndexIncompatible { .. }) => {
                if !options.force && freshness::count_documents(&options.corpus) == 0 {
                    return Err(Error::EmptyReplacement {
                        index: dir.clone(),
                        corpus: options.corpus.clone(),
                    });
                }
                observer.warned(dir, &format!("{e}; rebuilding it now"));
                store::remove_index_files(dir)?;
            }
            // A damaged index is replaced only when asked to rebuild.
            Err(Error::IndexDamaged { .. }) if rebuild => {
                observer.warned(dir, "the index is damaged; rebuilding it from scratch");
                store::remove_index_files(dir)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok((Store::create(dir)?, true))
}

/// Whether an incompatible index records a schema newer than this loupe's.
fn written_by_newer(error: &Error) -> bool {
    matches!(error, Error::IndexIncompatible { found, .. }
        if found.parse::<u32>().is_ok_and(|v| v > SCHEMA_VERSION))
}

/// Documents (file records) in the committed index, as its last commit counted them (0 when
/// it cannot tell).
fn documents_in(store: &Store) -> usize {
    store
        .commit_info()
        .ok()
        .flatten()
        .map_or(0, |info| info.documents as usize)
}

/// How the corpus is recorded in each commit: its canonical path, and its path relative to
/// the index folder.
struct CorpusRecord {
    corpus: String,
    from_index: Option<String>,
}

impl CorpusRecord {
    fn of(corpus: &Path, index_dir: &Path) -> Result<CorpusRecord> {
        let corpus = std::fs::canonicalize(corpus)
            .map_err(|_| Error::CorpusMissing(corpus.to_path_buf()))?;
        let from_index = std::fs::canonicalize(index_dir)
            .ok()
            .and_then(|index| location::relative_path(&index, &corpus))
            .map(|p| p.to_string_lossy().into_owned());
        Ok(CorpusRecord {
            corpus: corpus.to_string_lossy().into_owned(),
            from_index,
        })
    }
}

/// Opens the writer. Half of the memory budget goes to tantivy's in-memory segments: writing
/// a full segment out takes about as much again, so the whole stays within the budget.
/// (Smaller segments also index faster: their hash tables stay in the CPU caches.)
fn open_writer(store: &Store, options: &IndexOptions) -> Result<IndexWriter> {
    const MIN_PER_THREAD: usize = 16 * 1024 * 1024;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wanted = if options.threads == 0 {
        cores.min(4)
    } else {
        options.threads
    };
    let segments_budget = options.memory_budget / 2;
    let threads = wanted.min(segments_budget / MIN_PER_THREAD).max(1);
    let budget = segments_budget.max(MIN_PER_THREAD * threads);
    store
        .index
        .writer_with_num_threads(threads, budget)
        .map_err(|e| match e {
            TantivyError::LockFailure(..) => Error::IndexLocked {
                path: store.dir.clone(),
                holder: None,
            },
            other => Error::Index {
                context: "opening index writer".into(),
                error: other,
            },
        })
}

/// A full build writes segments of about the memory budget and merges none of them (merging
/// a fresh index costs a fifth of the build); later updates merge only their own small
/// segments, so adding a few files never rewrites the large ones.
fn merge_policy(full_build: bool) -> Box<dyn MergePolicy> {
    if full_build {
        return Box::new(NoMergePolicy);
    }
    let mut policy = LogMergePolicy::default();
    policy.set_max_docs_before_merge(SMALL_SEGMENT_DOCS);
    Box::new(policy)
}

/// Segments with more documents than this are left alone by updates' merges. Segments of a
/// full build hold more (even the smallest memory budget gives tens of thousands of passages).
const SMALL_SEGMENT_DOCS: usize = 10_000;

fn delete_file(writer: &IndexWriter, fields: &Fields, rel_path: &str) {
    writer.delete_term(Term::from_field_text(fields.path, rel_path));
    writer.delete_term(Term::from_field_text(fields.file, rel_path));
}

/// Commits, recording the corpus; returns the commit's generation.
/// The documents in the index and their summed lengths, kept up to date as files are
/// removed and indexed, and recorded with each commit.
#[derive(Debug, Clone, Copy, Default)]
struct DocumentTotals {
    documents: u64,
    terms: u64,
}

impl DocumentTotals {
    fn with(self, length: u64) -> DocumentTotals {
        DocumentTotals {
            documents: self.documents + 1,
            terms: self.terms + length,
        }
    }

    fn without(self, record: Option<&FileRecord>) -> DocumentTotals {
        record.map_or(self, |r| DocumentTotals {
            documents: self.documents.saturating_sub(1),
            terms: self.terms.saturating_sub(r.length),
        })
    }
}

fn commit(
    writer: &mut IndexWriter,
    corpus: &CorpusRecord,
    totals: DocumentTotals,
    partial: bool,
) -> Result<u64> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let info = CommitInfo {
        schema_version: SCHEMA_VERSION,
        loupe_version: env!("CARGO_PKG_VERSION").to_string(),
        committed_at: now.as_secs() as i64,
        corpus: corpus.corpus.clone(),
        corpus_from_index: corpus.from_index.clone(),
        generation: now.as_nanos() as u64,
        partial,
        documents: totals.documents,
        document_terms: totals.terms,
    };
    let payload = serde_json::to_string(&info).expect("commit info serializes");
    let mut prepared = writer.prepare_commit().context("preparing commit")?;
    prepared.set_payload(&payload);
    prepared.commit().context("committing the index")?;
    Ok(info.generation)
}

enum FileOutcome {
    Indexed {
        passages: u64,
        /// The document's length in terms.
        length: u64,
        bytes: u64,
        warning: Option<String>,
    },
    Unchanged {
        bytes: u64,
    },
    Skipped(String),
    /// Gone between the walk and its reading: removed like a deleted file, and not recorded
    /// as skipped, so that a file put back under its name (an editor's save by rename) is
    /// seen as new.
    Vanished,
    /// There, but its permissions let it not be read (the system's reason): what was indexed
    /// of it is kept.
    Unreadable(String),
}

/// Reads, decodes and indexes one file (after deleting what an earlier version left).
fn index_file(
    writer: &IndexWriter,
    fields: &Fields,
    root: &Path,
    file: &CorpusFile,
    previous: Option<&FileRecord>,
    limits: PassageLimits,
) -> FileOutcome {
    if file.size > MAX_FILE_BYTES {
        return FileOutcome::Skipped(format!("larger than {} MB, skipped", MAX_FILE_BYTES >> 20));
    }
    let bytes = match std::fs::read(file.path(root)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileOutcome::Vanished,
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return FileOutcome::Unreadable(e.to_string())
        }
        Err(e) => return FileOutcome::Skipped(format!("cannot read, skipped ({e})")),
    };
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    let read = bytes.len() as u64;
    if let Some(prev) = previous.filter(|p| p.hash == hash) {
        // Touched but identical: only the record's metadata changes.
        writer.delete_term(Term::from_field_text(fields.file, &file.rel_path));
        let record = FileRecord {
            size: read,
            mtime_ns: file.mtime_ns,
            ..*prev
        };
        let _ = writer.add_document(record_document(fields, &file.rel_path, &record));
        return FileOutcome::Unchanged { bytes: read };
    }
    let decoded = match decode::decode_owned(bytes) {
        Ok(decoded) => decoded,
        Err(decode::NotText(reason)) => return FileOutcome::Skipped(format!("{reason}, skipped")),
    };
    if previous.is_some() {
        delete_file(writer, fields, &file.rel_path);
    }
    let article = Article::parse(&decoded.text);
    let mut batch = passage_documents(fields, &file.rel_path, &decoded, &article, limits);
    let passages = batch.len() as u64;
    let record = FileRecord {
        size: read,
        mtime_ns: file.mtime_ns,
        hash,
        passages,
        length: document_length(&decoded.text, &article),
    };
    batch.push(record_document(fields, &file.rel_path, &record));
    // One batch, so that the file's passages and record lie side by side in one segment
    // (what counting documents relies on: [`crate::search::count`]).
    let _ = writer.run(batch.into_iter().map(UserOperation::Add));
    FileOutcome::Indexed {
        passages,
        length: record.length,
        bytes: read,
        warning: decoded.warning,
    }
}

/// The tantivy document that records the file at `rel_path`.
/// (Adding a document fails only when the writer's threads died, which the commit reports.)
fn record_document(fields: &Fields, rel_path: &str, record: &FileRecord) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.file, rel_path);
    doc.add_u64(fields.doc_key, crate::search::count::doc_key(rel_path));
    doc.add_u64(fields.size, record.size);
    doc.add_i64(fields.mtime, record.mtime_ns);
    doc.add_u64(fields.hash, record.hash);
    doc.add_u64(fields.passages, record.passages);
    doc.add_u64(fields.passage, record.passages);
    doc.add_u64(fields.length, record.length);
    doc
}

/// The document's length as its passages are analyzed: the title [`TITLE_WEIGHT`] times,
/// then the text.
fn document_length(text: &str, article: &Article) -> u64 {
    let title = article
        .title
        .clone()
        .map_or(0, |t| analysis::count_terms(&text[t]));
    TITLE_WEIGHT as u64 * title + analysis::count_terms(&text[article.body.clone()])
}

/// Splits a document into passages: one tantivy document each, analyzed in its language.
fn passage_documents(
    fields: &Fields,
    rel_path: &str,
    decoded: &decode::Decoded,
    article: &Article,
    limits: PassageLimits,
) -> Vec<TantivyDocument> {
    let text = decoded.text.as_str();
    // Documents whose title and text are the same (whatever their date) are one story.
    let content_start = article
        .title
        .as_ref()
        .map_or(article.body.start, |t| t.start);
    let hash = xxhash_rust::xxh3::xxh3_64(text[content_start..].trim_end().as_bytes());
    let title = article.title.clone().map(|r| &text[r]);
    let ranges = article.passages(text, limits);
    let passage_texts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    let (document_language, languages) = match &article.language {
        Some(code) => (code.as_str(), vec![code.as_str(); ranges.len()]),
        None => analysis::languages(title, &passage_texts),
    };
    let title_analysis = Analysis::of(document_language);
    let (mut line, mut counted_to) = (1u64, 0usize);
    let mut documents = Vec::with_capacity(ranges.len() + 1);
    for (ordinal, range) in ranges.into_iter().enumerate() {
        let (start, end) = (range.start, range.end);
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        counted_to = start;
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.path, rel_path);
        if let Some(title) = title {
            let title = analysis::tagged(title_analysis, title);
            doc.add_text(fields.title, &title);
            for _ in 0..TITLE_WEIGHT {
                doc.add_text(fields.body, &title);
            }
        }
        if let Some(date) = article.date {
            doc.add_date(
                fields.date,
                DateTime::from_timestamp_secs(date.unix_seconds()),
            );
        }
        doc.add_u64(fields.doc_key, crate::search::count::doc_key(rel_path));
        doc.add_u64(fields.passage, ordinal as u64);
        doc.add_u64(fields.line, line);
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        doc.add_u64(
            fields.column,
            text[line_start..start].chars().count() as u64 + 1,
        );
        doc.add_u64(fields.content_hash, hash);
        doc.add_u64(fields.byte_start, (start + decoded.bom_len) as u64);
        doc.add_u64(fields.byte_end, (end + decoded.bom_len) as u64);
        doc.add_u64(fields.text_hash, schema::text_hash(&text[start..end]));
        doc.add_text(fields.lang, languages[ordinal]);
        let analysis = Analysis::of(languages[ordinal]);
        doc.add_text(fields.body, analysis::tagged(analysis, &text[start..end]));
        documents.push(doc);
    }
    documents
}
