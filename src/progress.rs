//! Showing an indexing run to a person: a progress bar on a terminal (nothing when stderr is
//! piped), one line per skipped file or warning, and the closing summary.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::indexer::{IndexObserver, IndexReport};

/// Reports indexing progress and problems on stderr.
pub struct ProgressReporter {
    bar: ProgressBar,
}

impl Default for ProgressReporter {
    fn default() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} indexing {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            )
            .expect("valid template"),
        );
        ProgressReporter { bar }
    }
}

impl IndexObserver for ProgressReporter {
    fn started(&mut self, _files: usize, bytes: u64) {
        self.bar.set_length(bytes);
    }

    fn advanced(&mut self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn skipped(&mut self, path: &Path, reason: &str) {
        self.bar
            .suspend(|| eprintln!("loupe: {}: {reason}", path.display()));
    }

    fn warned(&mut self, path: &Path, message: &str) {
        self.bar
            .suspend(|| eprintln!("loupe: {}: {message}", path.display()));
    }

    fn finished(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// The one-paragraph summary of an indexing run.
pub fn summary(report: &IndexReport) -> String {
    let mb = report.bytes_read as f64 / 1e6;
    let rate = if report.seconds > 0.0 {
        mb / report.seconds
    } else {
        0.0
    };
    let mut s = format!(
        "indexed in {:.2} s: {} added, {} changed, {} removed, {} unchanged; {} passages from {:.1} MB read ({:.1} MB/s)",
        report.seconds, report.added, report.changed, report.removed, report.unchanged, report.passages, mb, rate
    );
    if !report.skipped.is_empty() {
        s.push_str(&format!(
            "; {} skipped (reasons above)",
            report.skipped.len()
        ));
    }
    s
}
