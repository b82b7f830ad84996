//! The passages' text, read back from the corpus files. The index keeps where each passage
//! lies in its file and a hash of its text, not the text itself, which halves its size; and
//! what a hit shows is always what the file holds now, checked against that hash.
//!
//! A file unchanged since it was indexed (same size and time as its record) gives the passage
//! by reading just its bytes, when they are the UTF-8 text that was indexed. Otherwise the whole
//! file is read and decoded as the indexer did, once per search: a file touched but identical
//! (same content hash) gives the passage at its indexed place; in an edited one the passage is
//! looked for by its hash: found, the hit points at where it is now; gone, it has no text.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use crate::error::Result;
use crate::index::article::Article;
use crate::index::corpus;
use crate::index::decode;
use crate::index::manifest;
use crate::index::passage::PassageLimits;
use crate::index::schema::{self, Fields};
use crate::search::Stale;

/// A passage's text as the corpus holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageText {
    /// The text; `None` when the file is gone, unreadable, or no longer holds the passage.
    pub text: Option<String>,
    /// How the file differs from what was indexed (`None`: it does not).
    pub stale: Option<Stale>,
    /// Where the passage is now, when the file was edited and the passage moved: line,
    /// column (in characters) and byte range in the file.
    pub moved: Option<Place>,
}

/// Where a passage lies in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// 1-based line of its first character.
    pub line: u64,
    /// 1-based column, in characters, of that character.
    pub column: u64,
    /// Byte offsets in the file (after any byte-order mark is counted).
    pub bytes: Range<u64>,
}

/// Reads passages' text from the corpus under one folder, each file opened once.
pub struct PassageTexts {
    corpus: PathBuf,
    files: Mutex<HashMap<String, Arc<OpenedFile>>>,
    /// The files' records, compared with the files.
    records: manifest::FileRecords,
}

/// One corpus file as opened for a search.
struct OpenedFile {
    /// The file, or why there is none: it is gone, or it cannot be opened.
    file: std::result::Result<File, Stale>,
    /// Its size and time are its record's, or its content hash is.
    unchanged: bool,
    /// The whole file decoded, read only when a passage is not found by its bytes alone.
    whole: OnceLock<Whole>,
}

/// A whole file's text.
enum Whole {
    /// It could not be read to the end.
    Unreadable,
    /// It is no longer text.
    Undecodable,
    /// Its text, and the length of the byte-order mark before it.
    Text { text: String, bom_len: usize },
}

impl PassageTexts {
    /// Passages of the corpus in `corpus`.
    pub fn new(corpus: &Path) -> PassageTexts {
        PassageTexts {
            corpus: corpus.to_path_buf(),
            files: Mutex::new(HashMap::new()),
            records: manifest::FileRecords::default(),
        }
    }

    /// The text of the passage at `address`, whose stored fields are `doc`.
    pub fn of(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        address: DocAddress,
        doc: &TantivyDocument,
    ) -> Result<PassageText> {
        let u64_of = |field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let path = doc.get_first(fields.path).and_then(|v| v.as_str());
        let segment = address.segment_ord as usize;
        let opened = self.opened(searcher, fields, path.unwrap_or(""), segment)?;
        let file = match &opened.file {
            Ok(file) => file,
            Err(stale) => return Ok(gone(*stale)),
        };
        let hash = u64_of(fields.text_hash);
        let place = u64_of(fields.byte_start)..u64_of(fields.byte_end);
        if opened.unchanged && opened.whole.get().is_none() {
            if let Some(text) =
                read_at(file, place.clone()).filter(|t| schema::text_hash(t) == hash)
            {
                return Ok(PassageText {
                    text: Some(text),
                    stale: None,
                    moved: None,
                });
            }
        }
        let (text, bom_len) = match opened.whole.get_or_init(|| read_whole(file)) {
            Whole::Unreadable => return Ok(gone(Stale::Unreadable)),
            Whole::Undecodable => {
                return Ok(gone(Stale::Changed {
                    relocated: false,
                    size_and_time_kept: opened.unchanged,
                }))
            }
            Whole::Text { text, bom_len } => (text.as_str(), *bom_len),
        };
        let indexed = (place.start as usize).saturating_sub(bom_len)
            ..(place.end as usize).saturating_sub(bom_len);
        if let Some(passage) = text
            .get(indexed.clone())
            .filter(|p| schema::text_hash(p) == hash)
        {
            return Ok(PassageText {
                text: Some(passage.to_string()),
                stale: (!opened.unchanged).then_some(Stale::Changed {
                    relocated: true,
                    size_and_time_kept: false,
                }),
                moved: None,
            });
        }
        // Edited (or, with the same size and time, rewritten): where is the passage now?
        let Some(range) = relocate(text, indexed.len(), hash) else {
            return Ok(gone(Stale::Changed {
                relocated: false,
                size_and_time_kept: opened.unchanged,
            }));
        };
        let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        Ok(PassageText {
            text: Some(text[range.clone()].to_string()),
            stale: Some(Stale::Changed {
                relocated: true,
                size_and_time_kept: opened.unchanged,
            }),
            moved: Some(Place {
                line: text.as_bytes()[..range.start]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64
                    + 1,
                column: text[line_start..range.start].chars().count() as u64 + 1,
                bytes: (range.start + bom_len) as u64..(range.end + bom_len) as u64,
            }),
        })
    }

    /// The file at `rel_path`, opened and compared with its record once per search.
    fn opened(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        rel_path: &str,
        segment: usize,
    ) -> Result<Arc<OpenedFile>> {
        let files = || self.files.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = files().get(rel_path) {
            return Ok(Arc::clone(file));
        }
        let file = Arc::new(self.open(searcher, fields, rel_path, segment)?);
        files().insert(rel_path.to_string(), Arc::clone(&file));
        Ok(file)
    }

    fn open(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        rel_path: &str,
        segment: usize,
    ) -> Result<OpenedFile> {
        let whole = OnceLock::new();
        let opened = File::open(crate::index::corpus::on_disk(&self.corpus, rel_path))
            .and_then(|file| Ok((file.metadata()?, file)));
        let (metadata, file) = match opened {
            // A folder now where the document was: the document is gone.
            Ok((metadata, _)) if metadata.is_dir() => {
                return Ok(OpenedFile {
                    file: Err(Stale::Deleted),
                    unchanged: false,
                    whole,
                });
            }
            Ok(opened) => opened,
            Err(err) => {
                let stale = if err.kind() == std::io::ErrorKind::NotFound {
                    Stale::Deleted
                } else {
                    Stale::Unreadable
                };
                return Ok(OpenedFile {
                    file: Err(stale),
                    unchanged: false,
                    whole,
                });
            }
        };
        let unchanged = match self.records.near(searcher, fields, rel_path, segment)? {
            None => false,
            Some(r) if r.size == metadata.len() && r.mtime_ns == corpus::mtime_ns(&metadata) => {
                true
            }
            // Touched, or edited: only the content can tell.
            Some(r) => {
                let bytes = read_all(&file);
                let same = bytes
                    .as_ref()
                    .is_some_and(|b| xxhash_rust::xxh3::xxh3_64(b) == r.hash);
                let _ = whole.set(decoded(bytes));
                same
            }
        };
        Ok(OpenedFile {
            file: Ok(file),
            unchanged,
            whole,
        })
    }
}

/// The UTF-8 text in bytes `range` of `file`, when it is that.
fn read_at(file: &File, range: Range<u64>) -> Option<String> {
    let mut bytes = vec![0; usize::try_from(range.end.checked_sub(range.start)?).ok()?];
    read_exact_at(file, &mut bytes, range.start).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// All of `file`, from its start.
fn read_all(file: &File) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut reader = file;
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom};
        reader.seek(SeekFrom::Start(0)).ok()?;
    }
    reader.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn read_whole(file: &File) -> Whole {
    decoded(read_all(file))
}

fn decoded(bytes: Option<Vec<u8>>) -> Whole {
    match bytes.map(decode::decode_owned) {
        None => Whole::Unreadable,
        Some(Err(_)) => Whole::Undecodable,
        Some(Ok(d)) => Whole::Text {
            text: d.text,
            bom_len: d.bom_len,
        },
    }
}

/// Where in `text` the passage of `len` bytes whose text hashes to `hash` is: among the
/// passages the indexer would cut from `text` now, else at the start of a line (indentation
/// skipped), where a passage that merged with an edited neighbour, or whose neighbour was
/// inserted, still begins.
fn relocate(text: &str, len: usize, hash: u64) -> Option<Range<usize>> {
    let passages = Article::parse(text).passages(text, PassageLimits::default());
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .map(|start| {
            start + (text[start..].len() - text[start..].trim_start_matches([' ', '\t']).len())
        })
        .map(|start| start..start + len);
    passages.into_iter().chain(line_starts).find(|r| {
        text.get(r.clone())
            .is_some_and(|p| schema::text_hash(p) == hash)
    })
}

/// A passage whose text cannot be shown.
fn gone(stale: Stale) -> PassageText {
    PassageText {
        text: None,
        stale: Some(stale),
        moved: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::indexer::{self, IndexOptions, Quiet};
    use crate::index::store::Store;

    /// Every indexed passage of `index` read back through [`PassageTexts`], in index order.
    fn read_back(index: &Path, corpus: &Path) -> Vec<(TantivyDocument, PassageText)> {
        let store = Store::open(index).unwrap();
        let searcher = store.index.reader().unwrap().searcher();
        let texts = PassageTexts::new(corpus);
        let mut out = Vec::new();
        for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
            for doc_id in segment.doc_ids_alive() {
                let address = DocAddress::new(ordinal as u32, doc_id);
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                if doc.get_first(store.fields.path).is_some() {
                    let text = texts.of(&searcher, &store.fields, address, &doc).unwrap();
                    out.push((doc, text));
                }
            }
        }
        out
    }

    fn texts_of(passages: &[(TantivyDocument, PassageText)]) -> Vec<Option<&str>> {
        passages.iter().map(|(_, p)| p.text.as_deref()).collect()
    }

    /// Unchanged files of several encodings give back exactly what was indexed; edits move
    /// the passage, or leave it without text when it is gone; a deleted file says so.
    #[test]
    fn passages_come_back_from_the_files_as_they_are_now() {
        let dir = tempfile::tempdir().unwrap();
        let (corpus, index) = (dir.path().join("corpus"), dir.path().join("index"));
        std::fs::create_dir_all(&corpus).unwrap();
        let long = "A sentence about herons that goes on for a while. ".repeat(40);
        let english = format!("Herons\n\nFirst paragraph on herons.\n\n{long}\n");
        std::fs::write(corpus.join("a.txt"), &english).unwrap();
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("Café\n\nLe café est noir.\n".as_bytes());
        std::fs::write(corpus.join("b.txt"), &bom).unwrap();
        // windows-1251: "Новости\n\nВчера в Москве прошла встреча."
        let (cyrillic, _, _) =
            encoding_rs::WINDOWS_1251.encode("Новости\n\nВчера в Москве прошла встреча.\n");
        std::fs::write(corpus.join("c.txt"), &cyrillic).unwrap();
        std::fs::write(corpus.join("d.txt"), "Touched\n\nThe same words again.\n").unwrap();
        indexer::run(&IndexOptions::new(&corpus, &index), &mut Quiet).unwrap();

        let passages = read_back(&index, &corpus);
        assert!(
            passages.len() >= 4,
            "the long paragraph is cut: {passages:?}"
        );
        assert!(passages
            .iter()
            .all(|(_, p)| p.stale.is_none() && p.moved.is_none()));
        let texts = texts_of(&passages);
        assert!(texts.contains(&Some("Le café est noir.")), "{texts:?}");
        assert!(
            texts.contains(&Some("Вчера в Москве прошла встреча.")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.is_some_and(|t| t.starts_with("First paragraph on herons."))),
            "{texts:?}"
        );
        let store = Store::open(&index).unwrap();
        for (doc, passage) in &passages {
            let start = doc
                .get_first(store.fields.byte_start)
                .unwrap()
                .as_u64()
                .unwrap();
            let end = doc
                .get_first(store.fields.byte_end)
                .unwrap()
                .as_u64()
                .unwrap();
            let path = doc.get_first(store.fields.path).unwrap().as_str().unwrap();
            if path == "a.txt" {
                assert_eq!(
                    Some(&english[start as usize..end as usize]),
                    passage.text.as_deref()
                );
            }
        }

        // A short paragraph inserted before the first: it merges with it, and the old
        // passage is found where it begins now.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let edited = format!("Herons\n\nInserted.\n\nFirst paragraph on herons.\n\n{long}\n");
        std::fs::write(corpus.join("a.txt"), &edited).unwrap();
        std::fs::remove_file(corpus.join("b.txt")).unwrap();
        std::fs::write(corpus.join("c.txt"), b"Something else entirely.\n").unwrap();
        std::fs::write(corpus.join("d.txt"), "Touched\n\nThe same words again.\n").unwrap();
        let passages = read_back(&index, &corpus);
        let store = Store::open(&index).unwrap();
        let of = |name: &str| -> Vec<&PassageText> {
            passages
                .iter()
                .filter(|(doc, _)| doc.get_first(store.fields.path).unwrap().as_str() == Some(name))
                .map(|(_, p)| p)
                .collect()
        };
        let mut first_found = false;
        for passage in of("a.txt") {
            let Some(text) = passage.text.as_deref() else {
                assert_eq!(
                    passage.stale,
                    Some(Stale::Changed {
                        relocated: false,
                        size_and_time_kept: false
                    })
                );
                continue;
            };
            assert_eq!(
                passage.stale,
                Some(Stale::Changed {
                    relocated: true,
                    size_and_time_kept: false
                })
            );
            let place = passage
                .moved
                .as_ref()
                .expect("an edited file's passage moved");
            assert_eq!(
                &edited[place.bytes.start as usize..place.bytes.end as usize],
                text
            );
            if text.starts_with("First paragraph on herons.") {
                assert_eq!((place.line, place.column), (5, 1));
                first_found = true;
            }
        }
        assert!(
            first_found,
            "the first passage is found at its line: {passages:?}"
        );
        assert_eq!(of("b.txt")[0].stale, Some(Stale::Deleted));
        assert_eq!(of("b.txt")[0].text, None);
        assert_eq!(
            of("c.txt")[0].stale,
            Some(Stale::Changed {
                relocated: false,
                size_and_time_kept: false
            })
        );
        assert_eq!(of("c.txt")[0].text, None);
        // Touched but identical: as indexed.
        assert_eq!(of("d.txt")[0].stale, None);
        assert_eq!(
            of("d.txt")[0].text.as_deref(),
            Some("The same words again.")
        );
    }
}
