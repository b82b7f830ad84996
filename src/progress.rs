//! Showing an indexing run to a person: a progress bar on a terminal (nothing when stderr is
//! piped), one line per skipped file or warning, and the closing summary.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::index::indexer::{IndexObserver, IndexReport};

/// Reports indexing progress and problems on stderr.
pub struct ProgressReporter {
    bar: ProgressBar,
    /// The bar counts bytes (else files).
    by_bytes: bool,
    template: &'static str,
    eta_shown: bool,
}

/// The bar without an ETA; the ETA joins once the rate has settled.
const BYTES: &str =
    "{spinner} indexing {bar:30} {decimal_bytes}/{decimal_total_bytes} {decimal_bytes_per_sec}";
/// The same in files, for a full build (its files are counted while it starts).
const FILES: &str = "{spinner} indexing {bar:30} {human_pos}/{human_len} files {per_sec}";
/// Files read while they are still being counted.
const COUNTING: &str = "{spinner} indexing {human_pos} files {per_sec}";

/// An ETA is shown only after this long, and when the job looks longer than this again.
const ETA_AFTER: std::time::Duration = std::time::Duration::from_secs(5);

impl Default for ProgressReporter {
    fn default() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template(COUNTING).expect("valid template"));
        ProgressReporter {
            bar,
            by_bytes: false,
            template: COUNTING,
            eta_shown: false,
        }
    }
}

impl IndexObserver for ProgressReporter {
    fn started(&mut self, files: usize, bytes: Option<u64>) {
        (self.by_bytes, self.template) = match bytes {
            Some(bytes) => {
                self.bar.set_length(bytes);
                (true, BYTES)
            }
            None => {
                self.bar.set_length(files as u64);
                (false, FILES)
            }
        };
        self.bar
            .set_style(ProgressStyle::with_template(self.template).expect("valid template"));
    }

    fn advanced(&mut self, bytes: u64) {
        self.bar.inc(if self.by_bytes { bytes } else { 1 });
        let sized = self.template != COUNTING;
        if sized && !self.eta_shown && self.bar.elapsed() > ETA_AFTER && self.bar.eta() > ETA_AFTER
        {
            self.eta_shown = true;
            let with_eta = format!("{}, about {{eta}} left", self.template);
            self.bar
                .set_style(ProgressStyle::with_template(&with_eta).expect("valid template"));
        }
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
        "indexed in {:.2} s: {} added, {} changed, {} removed, {} unchanged; {} from {:.1} MB read ({:.1} MB/s)",
        report.seconds,
        report.added,
        report.changed,
        report.removed,
        report.unchanged,
        crate::plural(report.passages, "passage"),
        mb,
        rate
    );
    if !report.skipped.is_empty() {
        s.push_str(&format!(
            "; {} skipped (reasons above)",
            report.skipped.len()
        ));
    }
    s
}

/// Reports a push's progress on stderr: passages accepted by the cluster.
pub struct PushProgress {
    bar: ProgressBar,
}

impl Default for PushProgress {
    fn default() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} pushing {bar:30} {human_pos}/{human_len} passages {per_sec}",
            )
            .expect("valid template"),
        );
        PushProgress { bar }
    }
}

impl crate::remote::PushObserver for PushProgress {
    fn started(&mut self, _files: usize, passages: u64) {
        self.bar.set_length(passages);
    }

    fn sent(&mut self, passages: u64) {
        self.bar.inc(passages);
    }

    fn finished(&mut self) {
        self.bar.finish_and_clear();
    }
}
