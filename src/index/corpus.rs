//! The corpus folder: a sorted, recursive walk that lists the documents to index (`.txt` and
//! `.md` files) with the metadata used to detect changes, and reports what it had to skip.
//! Reading and decoding a file's bytes is left to [`crate::index::decode`].

use std::borrow::Cow;
use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::Scope;
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use crate::error::{Error, Result};

/// File extensions read as documents.
pub const DOCUMENT_EXTENSIONS: &[&str] = &["txt", "md"];

/// A document file found in the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Path relative to the corpus root, with `/` separators: the document's identity.
    pub rel_path: String,
    /// Size in bytes.
    pub size: u64,
    /// Modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// Something in the corpus that is not indexed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The path as the user would name it.
    pub path: PathBuf,
    /// A short reason.
    pub reason: String,
    /// What was indexed from it is kept, neither checked nor removed, when it exists but could
    /// not be examined (permissions): see [`Kept`].
    pub kept: Option<Kept>,
}

/// Something in the corpus that is there but could not be examined, by its path relative to
/// the corpus: what was indexed from it stays as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// A folder that could not be listed (`""` for the corpus folder itself).
    Folder(String),
    /// An entry whose metadata could not be read (its folder may be listed but not entered, or
    /// a link leads into a folder that cannot be): a file, or a folder of files.
    Entry(String),
}

/// What a walk of the corpus found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Documents, in the byte order of their relative paths.
    pub files: Vec<CorpusFile>,
    /// Entries that could not be listed (dangling links, unreadable folders, loops).
    pub skipped: Vec<Skipped>,
    /// Every folder walked (the root is `""`), with its modification time in ns: adding,
    /// removing or renaming a file changes its folder's, which is how a search can tell
    /// cheaply that the corpus changed.
    pub folders: Vec<(String, i64)>,
}

/// One thing a walk of the corpus meets.
#[derive(Debug)]
pub enum Entry {
    /// A folder (the root is `""`), with its modification time in ns.
    Folder(String, i64),
    /// A document file.
    File(CorpusFile),
    /// Something that could not be listed or read.
    Skipped(Skipped),
}

/// Lists the documents under `root`, following links, skipping hidden files and folders.
/// Holds the whole listing: [`walk`] streams it.
pub fn list(root: &Path) -> Result<Listing> {
    let mut listing = Listing::default();
    walk(root, &mut |entry| {
        match entry {
            Entry::Folder(rel, mtime) => listing.folders.push((rel, mtime)),
            Entry::File(file) => listing.files.push(file),
            Entry::Skipped(skipped) => listing.skipped.push(skipped),
        }
        true
    })?;
    Ok(listing)
}

/// The recorded time of a folder that changed while the walk went through it: no folder has
/// it, so the next search lists the folder again (and confirms it once it has settled).
pub const CHANGED_DURING_WALK: i64 = i64::MIN + 1;

/// The coarsest file time kept by a file system loupe may meet (FAT's 2 s): a folder time this
/// close to the walk's start may be later than it says.
const TIME_GRANULARITY_NS: i64 = 2_000_000_000;

/// Files whose metadata is read together, shared out between threads.
const METADATA_BATCH: usize = 1024;

/// Walks the documents under `root` like [`list`], handing each entry to `visit` as it comes:
/// the documents in the byte order of their relative paths (the order of the index's file
/// records, which is what lets an update compare the two in one pass). Folders come before
/// their files; nothing is held but a batch of paths. The walk stops when `visit` returns false.
pub fn walk(root: &Path, visit: &mut dyn FnMut(Entry) -> bool) -> Result<()> {
    if !root.is_dir() {
        return Err(Error::CorpusMissing(root.to_path_buf()));
    }
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64);
    // A folder sorts as its name followed by `/`, so that `a.txt` comes before `a/b.txt` as
    // the paths' bytes do (a plain sort by name would put the folder first).
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by(walk_order)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_hidden(entry_name(e)));
    std::thread::scope(|scope| {
        let workers = MetadataWorkers::start(scope, root);
        let mut batch: Vec<String> = Vec::with_capacity(METADATA_BATCH);
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    // walkdir gives no path for some errors (a link whose target cannot be
                    // opened to check for loops): nothing is known to be kept then.
                    let known = err.path().map(Path::to_path_buf);
                    let unnamed = known.is_none();
                    let path = known.clone().unwrap_or_else(|| root.to_path_buf());
                    let detail = err.io_error().map_or(err.to_string(), |e| e.to_string());
                    let kind = err.io_error().map(|e| e.kind());
                    let mut kept = None;
                    let reason = if err.loop_ancestor().is_some() {
                        "symbolic link loop, skipped".to_string()
                    } else if kind == Some(std::io::ErrorKind::NotFound) {
                        "dangling link or vanished file, skipped".to_string()
                    } else if let Some(known) = known.as_ref().filter(|p| p.is_dir()) {
                        kept = Some(Kept::Folder(relative_path(root, known)));
                        format!("cannot list this folder ({detail})")
                    } else if let Some(known) = known
                        .as_ref()
                        .filter(|_| kind == Some(std::io::ErrorKind::PermissionDenied))
                    {
                        kept = Some(Kept::Entry(relative_path(root, known)));
                        format!("cannot read, skipped ({detail})")
                    } else if unnamed {
                        format!("cannot read an entry in this folder, skipped ({detail})")
                    } else {
                        format!("cannot read, skipped ({detail})")
                    };
                    let skipped = Skipped { path, reason, kept };
                    if !visit(Entry::Skipped(skipped)) {
                        return Ok(());
                    }
                    continue;
                }
            };
            if entry.file_type().is_file() && is_document_name(entry_name(&entry)) {
                batch.push(relative_path(root, entry.path()));
                if batch.len() == METADATA_BATCH && !workers.visit_batch(&mut batch, visit) {
                    return Ok(());
                }
            } else if entry.file_type().is_dir() {
                let mtime = entry.metadata().ok().map_or(0, |m| mtime_ns(&m));
                // walkdir lists a folder before it hands the folder over: one whose time is as
                // late as the walk may have changed after its listing (a file written into it
                // meanwhile, not listed), and is given a time no folder has.
                let mtime = if mtime >= started - TIME_GRANULARITY_NS {
                    CHANGED_DURING_WALK
                } else {
                    mtime
                };
                if !visit(Entry::Folder(relative_path(root, entry.path()), mtime)) {
                    return Ok(());
                }
            }
        }
        workers.visit_batch(&mut batch, visit);
        Ok(())
    })
}

/// The order of a folder's entries: by their names' [`name_text`], a folder's followed by `/`,
/// so that the walk lists paths in the byte order of their text (the order of the index's
/// paths, which updates walk beside the listing).
fn walk_order(a: &walkdir::DirEntry, b: &walkdir::DirEntry) -> Ordering {
    // The two are entries of one folder: their paths are the same folder's path and `/`,
    // then their names, so the paths order as the names do (the text of a path is its
    // folder's text followed by its name's, the `/` between being ASCII), and finding where
    // each name starts would cost the sort more than it saves.
    let (x, y) = (a.path().as_os_str(), b.path().as_os_str());
    // The entries are sorted before links are followed: a link's own type is a link's, so
    // whether it leads to a folder takes a stat (links are few).
    let is_dir = |entry: &walkdir::DirEntry| {
        entry.file_type().is_dir() || (entry.path_is_symlink() && entry.path().is_dir())
    };
    text_order(
        (x.as_encoded_bytes(), is_dir(a)),
        (y.as_encoded_bytes(), is_dir(b)),
    )
}

/// The order of two names (each with whether it is a folder's) by their [`name_text`], a
/// folder's followed by `/`.
fn text_order((x, x_dir): (&[u8], bool), (y, y_dir): (&[u8], bool)) -> Ordering {
    let (x_slash, y_slash) = (x_dir.then_some(&b'/'), y_dir.then_some(&b'/'));
    // Where the names first differ: when the bytes there are ASCII (or one name ends), their
    // texts order as their bytes do (what comes before is the same bytes, followed by ASCII in
    // both, so it has the same text), and the sort, which runs for every pair it compares,
    // needs no text.
    let i = common_prefix(x, y);
    // Where one name ends, a folder's `/` is what its text has there.
    match (x.get(i), y.get(i)) {
        (Some(&p), Some(&q)) if p < 0x80 && q < 0x80 => return p.cmp(&q),
        (None, None) => return x_dir.cmp(&y_dir),
        (None, Some(&q)) if q < 0x80 && q != b'/' => {
            return if x_dir { b'/'.cmp(&q) } else { Ordering::Less };
        }
        (Some(&p), None) if p < 0x80 && p != b'/' => {
            return if y_dir {
                p.cmp(&b'/')
            } else {
                Ordering::Greater
            };
        }
        _ => {}
    }
    let (x, y) = (name_text(x), name_text(y));
    x.as_bytes()
        .iter()
        .chain(x_slash)
        .cmp(y.as_bytes().iter().chain(y_slash))
}

/// How many bytes `x` and `y` have in common at their start (compared eight at a time: the
/// walk's sort compares every pair of names it orders).
fn common_prefix(x: &[u8], y: &[u8]) -> usize {
    let n = x.len().min(y.len());
    let mut i = 0;
    while i + 8 <= n {
        let word = |s: &[u8]| u64::from_le_bytes(s[i..i + 8].try_into().expect("eight bytes"));
        let diff = word(x) ^ word(y);
        if diff != 0 {
            return i + diff.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    i + x[i..n]
        .iter()
        .zip(&y[i..n])
        .take_while(|(p, q)| p == q)
        .count()
}

/// The first of 256 private-use characters that stand for the bytes of a file name that are
/// not UTF-8 (U+10FF00 + the byte), so that every name has a text that gives back its bytes.
const BYTE_CHARS: u32 = 0x10_FF00;

/// The text of a file name or relative path: the name itself when it is UTF-8 (nearly always),
/// else its UTF-8 parts with each other byte as a private-use character ([`BYTE_CHARS`]). The
/// few names that hold one of those characters already have its bytes written the same way,
/// so no two names share a text. [`on_disk`] turns the text back into the name.
pub fn name_text(name: &[u8]) -> Cow<'_, str> {
    let is_byte_char = |c: char| (BYTE_CHARS..=BYTE_CHARS + 0xFF).contains(&(c as u32));
    if let Ok(text) = std::str::from_utf8(name) {
        // Every byte character starts with the byte F4 (a quick test on every path).
        if !name.contains(&0xF4) || !text.chars().any(is_byte_char) {
            return Cow::Borrowed(text);
        }
    }
    let byte_char =
        |b: u8| char::from_u32(BYTE_CHARS + u32::from(b)).expect("a private-use character");
    let mut text = String::with_capacity(name.len() + 8);
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            if is_byte_char(c) {
                text.extend(c.to_string().bytes().map(byte_char));
            } else {
                text.push(c);
            }
        }
        text.extend(chunk.invalid().iter().copied().map(byte_char));
    }
    Cow::Owned(text)
}

/// The name whose [`name_text`] is `text`, as bytes.
fn name_bytes(text: &str) -> Cow<'_, [u8]> {
    let byte = |c: char| (c as u32).checked_sub(BYTE_CHARS).filter(|b| *b <= 0xFF);
    if !text.as_bytes().contains(&0xF4) || !text.chars().any(|c| byte(c).is_some()) {
        return Cow::Borrowed(text.as_bytes());
    }
    let mut bytes = Vec::with_capacity(text.len());
    for c in text.chars() {
        match byte(c) {
            Some(b) => bytes.push(b as u8),
            None => bytes.extend_from_slice(c.to_string().as_bytes()),
        }
    }
    Cow::Owned(bytes)
}

/// Where the file or folder at `rel` (a relative path as [`name_text`] writes it) is under
/// `root`.
pub fn on_disk(root: &Path, rel: &str) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        root.join(std::ffi::OsStr::from_bytes(&name_bytes(rel)))
    }
    #[cfg(not(unix))]
    {
        root.join(rel)
    }
}

/// A walk entry's name, as bytes: what follows the last separator of its path, which walkdir
/// makes by joining the folder's path and the name. (walkdir's `file_name` parses the path
/// into components; in the sort of every folder's entries that was a fifth of the time of a
/// no-op update of 6.8 million files.)
pub fn entry_name(entry: &walkdir::DirEntry) -> &[u8] {
    if entry.depth() == 0 {
        return entry.file_name().as_encoded_bytes();
    }
    let path = entry.path().as_os_str().as_encoded_bytes();
    let start = path
        .iter()
        .rposition(|&b| std::path::is_separator(char::from(b)))
        .map_or(0, |i| i + 1);
    &path[start..]
}

/// The threads that read the metadata of the walk's files (most of a walk's time on a large
/// corpus), started once per walk: one started for every batch cost an update of 680,000 files
/// 1,330 thread starts.
struct MetadataWorkers<'scope> {
    root: &'scope Path,
    /// Each worker's queue of paths and its answers, in order.
    workers: Vec<Worker>,
    /// The walking thread's own, for small batches.
    own: std::cell::RefCell<FolderStat>,
}

/// A file's size and time, or why it was skipped.
type Metadata = std::result::Result<CorpusFile, Skipped>;

/// A metadata thread's queue of paths, and its answers.
type Worker = (Sender<Vec<String>>, Receiver<Vec<Metadata>>);

impl<'scope> MetadataWorkers<'scope> {
    fn start<'env>(scope: &'scope Scope<'scope, 'env>, root: &'scope Path) -> Self {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        let workers = (0..if threads > 1 { threads } else { 0 })
            .map(|_| {
                let (paths_in, paths) = channel::<Vec<String>>();
                let (answers_in, answers) = channel();
                scope.spawn(move || {
                    let mut folder = FolderStat::default();
                    for batch in paths {
                        if answers_in
                            .send(files_metadata(root, &mut folder, batch))
                            .is_err()
                        {
                            break;
                        }
                    }
                });
                (paths_in, answers)
            })
            .collect();
        MetadataWorkers {
            root,
            workers,
            own: Default::default(),
        }
    }

    /// Reads the metadata of the files in `batch`, shared out between the workers, and hands
    /// them to `visit` in order, until it returns false.
    fn visit_batch(&self, batch: &mut Vec<String>, visit: &mut dyn FnMut(Entry) -> bool) -> bool {
        let results: Vec<Vec<Metadata>> = if self.workers.is_empty() || batch.len() < 64 {
            let mut own = self.own.borrow_mut();
            vec![files_metadata(self.root, &mut own, std::mem::take(batch))]
        } else {
            let chunk = batch.len().div_ceil(self.workers.len()).max(1);
            let mut sent = 0;
            for (paths, _) in &self.workers {
                if batch.is_empty() {
                    break;
                }
                let rest = batch.split_off(chunk.min(batch.len()));
                let _ = paths.send(std::mem::replace(batch, rest));
                sent += 1;
            }
            self.workers[..sent]
                .iter()
                .map(|(_, answers)| answers.recv().expect("metadata thread does not panic"))
                .collect()
        };
        results.into_iter().flatten().all(|result| {
            visit(match result {
                Ok(file) => Entry::File(file),
                Err(skipped) => Entry::Skipped(skipped),
            })
        })
    }
}

/// The sizes and modification times of the documents at `paths` under `root`, in order.
fn files_metadata(root: &Path, folder: &mut FolderStat, paths: Vec<String>) -> Vec<Metadata> {
    paths
        .into_iter()
        .map(|rel| match folder.metadata(root, &rel) {
            Some((size, mtime_ns)) => Ok(CorpusFile {
                rel_path: rel,
                size,
                mtime_ns,
            }),
            None => file_metadata(root, rel),
        })
        .collect()
}

/// Reads the metadata of a folder's files through the folder's descriptor (on Linux): the
/// kernel then looks up one name instead of every component of the path, which was the
/// largest part of an update's system time on a corpus of millions of files.
#[derive(Default)]
struct FolderStat {
    #[cfg(target_os = "linux")]
    open: Option<(String, std::fs::File)>,
}

impl FolderStat {
    /// The size and modification time (as [`mtime_ns`] gives it) of the file at `rel`, or
    /// `None` when they cannot be read this way.
    #[cfg(target_os = "linux")]
    fn metadata(&mut self, root: &Path, rel: &str) -> Option<(u64, i64)> {
        use std::os::fd::AsRawFd;
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if self.open.as_ref().is_none_or(|(open, _)| open != parent) {
            let folder = std::fs::File::open(on_disk(root, parent)).ok()?;
            self.open = Some((parent.to_string(), folder));
        }
        let (_, folder) = self.open.as_ref()?;
        let name = std::ffi::CString::new(name_bytes(name).into_owned()).ok()?;
        let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: the descriptor is open for the call, the name is a NUL-terminated string,
        // and `fstatat` fills `stat` when it returns 0; flags 0 follow links, as
        // `std::fs::metadata` does.
        let stat = unsafe {
            if libc::fstatat(folder.as_raw_fd(), name.as_ptr(), stat.as_mut_ptr(), 0) != 0 {
                return None;
            }
            stat.assume_init()
        };
        // As [`mtime_ns`] has it, times before 1970 included.
        let mtime_ns = stat
            .st_mtime
            .saturating_mul(1_000_000_000)
            .saturating_add(stat.st_mtime_nsec);
        Some((stat.st_size as u64, mtime_ns))
    }

    #[cfg(not(target_os = "linux"))]
    fn metadata(&mut self, _root: &Path, _rel: &str) -> Option<(u64, i64)> {
        None
    }
}

/// The size and modification time of the document at `rel` under `root`.
fn file_metadata(root: &Path, rel: String) -> Result<CorpusFile, Skipped> {
    let path = on_disk(root, &rel);
    let metadata = std::fs::metadata(&path).map_err(|err| Skipped {
        reason: format!("cannot read metadata, skipped ({err})"),
        path: path.clone(),
        kept: (err.kind() == std::io::ErrorKind::PermissionDenied)
            .then(|| Kept::Entry(rel.clone())),
    })?;
    Ok(CorpusFile {
        rel_path: rel,
        size: metadata.len(),
        mtime_ns: mtime_ns(&metadata),
    })
}

/// Modification time in nanoseconds since the Unix epoch (0 when unknown).
pub fn mtime_ns(metadata: &std::fs::Metadata) -> i64 {
    let nanos = |d: std::time::Duration| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
    match metadata.modified().map(|t| t.duration_since(UNIX_EPOCH)) {
        Ok(Ok(after)) => nanos(after),
        // Before 1970: negative, so that two such times still differ.
        Ok(Err(before)) => -nanos(before.duration()),
        Err(_) => 0,
    }
}

impl CorpusFile {
    /// Where the file is on disk, given the corpus root it was listed from. (Not stored: a
    /// million listed files would hold a million copies of the root.)
    pub fn path(&self, root: &Path) -> PathBuf {
        on_disk(root, &self.rel_path)
    }
}

/// True for names the walk passes over (`.git`, `.DS_Store`, …).
pub fn is_hidden(name: &[u8]) -> bool {
    name.first() == Some(&b'.')
}

/// True for the names of files the walk lists as documents: those with a document extension
/// (as `Path::extension` finds it: after the last dot, not a leading one).
pub fn is_document_name(name: &[u8]) -> bool {
    match name.iter().rposition(|&b| b == b'.') {
        Some(dot) if dot > 0 => DOCUMENT_EXTENSIONS
            .iter()
            .any(|d| name[dot + 1..].eq_ignore_ascii_case(d.as_bytes())),
        _ => false,
    }
}

/// `path` relative to `root`, with `/` separators (walkdir's paths all start with `root`).
fn relative_path(root: &Path, path: &Path) -> String {
    // Byte slicing instead of `Path::strip_prefix`, which compares component by component and
    // was a tenth of a no-op update on a large corpus.
    let (root_bytes, path_bytes) = (
        root.as_os_str().as_encoded_bytes(),
        path.as_os_str().as_encoded_bytes(),
    );
    let rel_bytes = match path_bytes.strip_prefix(root_bytes) {
        Some(rest) => rest
            .strip_prefix(std::path::MAIN_SEPARATOR_STR.as_bytes())
            .unwrap_or(rest),
        None => path_bytes,
    };
    let rel = name_text(rel_bytes);
    if std::path::MAIN_SEPARATOR == '/' {
        rel.into_owned()
    } else {
        rel.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Times before 1970 are told apart (an edit from one to another, the size unchanged, is
    /// seen), and the walk's own stat gives what [`mtime_ns`] gives.
    #[test]
    fn file_times_before_1970_are_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let before = |secs: u64, nanos: u32| UNIX_EPOCH - std::time::Duration::new(secs, nanos);
        let times = [before(600_000_000, 250), before(300_000_000, 0), UNIX_EPOCH];
        for (i, time) in times.iter().enumerate() {
            let path = dir.path().join(format!("{i}.txt"));
            std::fs::write(&path, "Same size.\n").unwrap();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(*time)
                .unwrap();
        }
        let listed: Vec<i64> = list(dir.path())
            .unwrap()
            .files
            .iter()
            .map(|f| f.mtime_ns)
            .collect();
        assert_eq!(
            listed,
            [-600_000_000_000_000_250, -300_000_000_000_000_000, 0]
        );
        for (i, &mtime) in listed.iter().enumerate() {
            let metadata = std::fs::metadata(dir.path().join(format!("{i}.txt"))).unwrap();
            assert_eq!(mtime_ns(&metadata), mtime);
        }
    }

    #[test]
    fn a_name_s_text_gives_back_its_bytes() {
        assert!(matches!(
            name_text("Москва/café.txt".as_bytes()),
            Cow::Borrowed(_)
        ));
        let names: [&[u8]; 4] = [
            b"caf\xe9.txt",
            b"\xff\xfe/x.md",
            "a\u{10FF41}b.txt".as_bytes(),
            b"plain.txt",
        ];
        let texts: Vec<String> = names.iter().map(|n| name_text(n).into_owned()).collect();
        for (name, text) in names.iter().zip(&texts) {
            assert_eq!(&*name_bytes(text), *name, "{text:?}");
        }
        assert_eq!(texts[0], "caf\u{10FFE9}.txt");
        assert_ne!(
            name_text(b"aAb.txt"),
            texts[2],
            "a name holding a byte character keeps its own text"
        );
    }

    proptest::proptest! {
        #[test]
        fn names_sort_by_their_text(
            x in proptest::collection::vec(proptest::sample::select(vec![b'a', b'/', 0x80, 0xA9, 0xC3, 0xE9, 0xF4, 0x8F, 0xBF, 0xFF]), 0..6),
            y in proptest::collection::vec(proptest::sample::select(vec![b'a', b'/', 0x80, 0xA9, 0xC3, 0xE9, 0xF4, 0x8F, 0xBF, 0xFF]), 0..6),
            x_dir: bool,
            y_dir: bool,
        ) {
            let text = |name: &[u8], dir: bool| {
                let mut text = name_text(name).into_owned().into_bytes();
                text.extend(dir.then_some(b'/'));
                text
            };
            proptest::prop_assert_eq!(
                text_order((&x, x_dir), (&y, y_dir)),
                text(&x, x_dir).cmp(&text(&y, y_dir))
            );
        }

        #[test]
        fn common_prefix_is_where_the_bytes_first_differ(
            x in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', 0xFF]), 0..40),
            y in proptest::collection::vec(proptest::sample::select(vec![b'a', b'b', 0xFF]), 0..40),
        ) {
            let expected = x.iter().zip(&y).take_while(|(p, q)| p == q).count();
            proptest::prop_assert_eq!(common_prefix(&x, &y), expected);
        }

        #[test]
        fn every_name_has_a_text_that_gives_it_back(name in proptest::collection::vec(proptest::num::u8::ANY, 0..24)) {
            let text = name_text(&name);
            proptest::prop_assert_eq!(&*name_bytes(&text), &name[..]);
        }
    }

    #[test]
    fn lists_documents_sorted_and_skips_hidden_and_other_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/.git")).unwrap();
        std::fs::create_dir_all(root.join("a")).unwrap();
        for f in [
            "b/2.txt",
            "a/1.TXT",
            "a/notes.md",
            "a/image.png",
            ".hidden.txt",
            "b/.git/x.txt",
            "c.txt",
        ] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        let listing = list(root).unwrap();
        let names: Vec<&str> = listing.files.iter().map(|f| f.rel_path.as_str()).collect();
        assert_eq!(names, ["a/1.TXT", "a/notes.md", "b/2.txt", "c.txt"]);
        assert!(listing.files.iter().all(|f| f.size == 4 && f.mtime_ns > 0));
    }

    #[test]
    fn documents_come_in_the_byte_order_of_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("2024")).unwrap();
        for f in ["2024/b.txt", "2024-01.txt", "2024.txt", "2024/a.txt"] {
            std::fs::write(root.join(f), "text").unwrap();
        }
        let listing = list(root).unwrap();
        let names: Vec<&str> = listing.files.iter().map(|f| f.rel_path.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(
            names,
            ["2024-01.txt", "2024.txt", "2024/a.txt", "2024/b.txt"]
        );
    }

    #[test]
    fn document_names_are_told_by_their_last_extension() {
        for name in ["a.txt", "a.TXT", "notes.md", "..txt", "a.b.txt", "ünï.txt"] {
            assert!(is_document_name(name.as_bytes()), "{name}");
        }
        for name in [".txt", "a.txt.png", "txt", "a.", "a.text", "a_txt"] {
            assert!(!is_document_name(name.as_bytes()), "{name}");
        }
        assert!(is_hidden(b".git") && !is_hidden(b"a.git"));
    }

    #[test]
    fn metadata_read_through_the_folder_is_what_the_path_gives() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        for (rel, text) in [("top.txt", "x"), ("a/one.txt", "four"), ("a/b/two.txt", "")] {
            std::fs::write(root.join(rel), text).unwrap();
        }
        let paths = ["a/b/two.txt", "a/gone.txt", "a/one.txt", "top.txt"];
        let found = files_metadata(
            root,
            &mut FolderStat::default(),
            paths.iter().map(|p| p.to_string()).collect(),
        );
        assert_eq!(found.len(), 4);
        for (rel, result) in paths.iter().zip(&found) {
            match std::fs::metadata(root.join(rel)) {
                Ok(m) => {
                    let file = result.as_ref().unwrap();
                    assert_eq!(
                        (file.rel_path.as_str(), file.size, file.mtime_ns),
                        (*rel, m.len(), mtime_ns(&m))
                    );
                }
                Err(_) => assert!(result.as_ref().unwrap_err().reason.contains("metadata")),
            }
        }
    }

    #[test]
    fn missing_root_is_an_error() {
        let err = list(Path::new("/definitely/not/here")).unwrap_err();
        assert!(matches!(err, Error::CorpusMissing(_)));
    }

    #[cfg(unix)]
    #[test]
    fn dangling_links_and_loops_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(root.join("nowhere.txt"), root.join("dangling.txt")).unwrap();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        std::fs::write(root.join("ok.txt"), "fine").unwrap();
        let listing = list(root).unwrap();
        assert_eq!(listing.files.len(), 1);
        assert_eq!(listing.skipped.len(), 2, "{:?}", listing.skipped);
    }
}
