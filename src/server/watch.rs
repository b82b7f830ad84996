//! `loupe serve --watch`: follows the corpus folder and brings the index up to date a moment
//! after files are added, changed, renamed or removed, through the same incremental path as
//! `loupe index`. The server's searcher then sees the new commit as it sees any other.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::error::{Error, Result};
use crate::index::indexer::{self, IndexOptions};

/// Changes are gathered until none has come for this long, then indexed in one run.
const QUIET: Duration = Duration::from_millis(250);

/// A running watch; [`Watch::stop`] ends it after any update in progress.
pub struct Watch {
    watcher: notify::RecommendedWatcher,
    thread: JoinHandle<()>,
}

impl Watch {
    /// Starts watching `corpus` and updating the index in `index_dir`.
    pub fn start(corpus: &Path, index_dir: &Path) -> Result<Watch> {
        let (changed, changes) = mpsc::channel::<()>();
        // Writes to the index folder (when it lies inside the corpus) are not changes.
        let index = index_dir
            .canonicalize()
            .unwrap_or_else(|_| index_dir.to_path_buf());
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let relevant = event.is_ok_and(|e| {
                    !e.kind.is_access() && !e.paths.iter().all(|p| p.starts_with(&index))
                });
                if relevant {
                    let _ = changed.send(());
                }
            })
            .map_err(|e| watch_error(corpus, e))?;
        watcher
            .watch(corpus, RecursiveMode::Recursive)
            .map_err(|e| watch_error(corpus, e))?;
        let options = IndexOptions {
            wait: true,
            ..IndexOptions::new(corpus, index_dir)
        };
        let thread = std::thread::spawn(move || follow(&changes, &options));
        Ok(Watch { watcher, thread })
    }

    /// Stops watching, waiting for an update in progress to commit.
    pub fn stop(self) {
        drop(self.watcher); // closes the channel: the thread ends after its current run
        let _ = self.thread.join();
    }
}

/// Indexes after each burst of changes, until the watcher is gone.
fn follow(changes: &mpsc::Receiver<()>, options: &IndexOptions) {
    while changes.recv().is_ok() {
        loop {
            match changes.recv_timeout(QUIET) {
                Ok(()) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
        match indexer::run(options, &mut indexer::Quiet) {
            Ok(report) if report.added + report.changed + report.removed > 0 => {
                // The summary counts the skipped files "(reasons above)": give them.
                for (path, reason) in &report.skipped {
                    eprintln!("loupe: watch: {}: {reason}", path.display());
                }
                eprintln!("loupe: watch: {}", crate::progress::summary(&report));
            }
            Ok(_) => {}
            Err(e) => eprintln!("loupe: watch: the index was not updated: {e}"),
        }
    }
}

fn watch_error(corpus: &Path, e: notify::Error) -> Error {
    Error::Io {
        path: PathBuf::from(corpus),
        error: std::io::Error::other(e.to_string()),
    }
}
