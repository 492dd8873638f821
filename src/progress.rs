//! The progress bar of long runs, on standard error: bytes read and records per second,
//! and the time left when the total size of the inputs is known.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Runs shorter than this never show the bar, so quick queries print nothing extra.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// How often the bar's numbers are refreshed.
const UPDATE_EVERY: Duration = Duration::from_millis(100);

/// The bar's state. A disabled progress (standard error is not a terminal, or `--quiet`)
/// does nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
    bytes_read: Arc<AtomicU64>,
    started: Instant,
    last_update: Instant,
    shown: bool,
    records: u64,
}

impl Progress {
    /// Prepares a bar over `total_bytes` (when known), fed by `bytes_read`.
    pub fn new(enabled: bool, total_bytes: Option<u64>, bytes_read: Arc<AtomicU64>) -> Progress {
        let bar = enabled.then(|| {
            let bar = match total_bytes {
                Some(total) => ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden()),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()),
            };
            let template = if total_bytes.is_some() {
                "{spinner} {elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec}, {msg}, {eta} left"
            } else {
                "{spinner} {elapsed_precise} {bytes} read, {bytes_per_sec}, {msg}"
            };
            let style = ProgressStyle::with_template(template)
                .expect("the progress template is valid")
                .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            bytes_read,
            started: now,
            last_update: now,
            shown: false,
            records: 0,
        }
    }

    /// Counts one record and refreshes the bar when it is due.
    pub fn record(&mut self) {
        self.records += 1;
        if self.records % 64 == 0 {
            self.tick();
        }
    }

    /// Refreshes the bar when it is due, and shows it once the run has lasted a second.
    pub fn tick(&mut self) {
        let Some(bar) = &self.bar else {
            return;
        };
        let now = Instant::now();
        if now.duration_since(self.last_update) < UPDATE_EVERY {
            return;
        }
        self.last_update = now;
        if !self.shown && now.duration_since(self.started) >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        bar.set_position(self.bytes_read.load(Ordering::Relaxed));
        let seconds = now.duration_since(self.started).as_secs_f64().max(0.001);
        let rate = self.records as f64 / seconds;
        bar.set_message(format!("{} records ({:.0}/s)", self.records, rate));
    }

    /// Runs `print` with the bar hidden, so that a message on standard error does not
    /// mix with it.
    pub fn suspend(&self, print: impl FnOnce()) {
        match &self.bar {
            Some(bar) if self.shown => bar.suspend(print),
            _ => print(),
        }
    }

    /// Removes the bar, so the summary and the result print on a clean line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
