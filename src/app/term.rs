//! The terminal: whether and how to show progress while large inputs are read.
//!
//! A progress bar (sized by the input's bytes) is drawn on stderr only when
//! stderr is a terminal, the input is large, `--quiet` was not given and the
//! run is not in CI; pipes and reports never see it.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use exconn::visible;

/// Inputs smaller than this are read without a bar.
const LARGE: u64 = 64 << 20;

/// A progress bar following a byte counter, or nothing.
pub struct Progress {
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// Shows progress of `done` out of `total` bytes for the input `name`, if
    /// a person is watching and the input is large.
    pub fn new(name: &str, done: Arc<AtomicU64>, total: Option<u64>, quiet: bool) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let watched = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let ticker = match total {
            Some(total) if watched && total >= LARGE => {
                Some(spawn_ticker(name, done, total, Arc::clone(&stop)))
            }
            _ => None,
        };
        Progress { stop, ticker }
    }
}

fn spawn_ticker(
    name: &str,
    done: Arc<AtomicU64>,
    total: u64,
    stop: Arc<AtomicBool>,
) -> JoinHandle<()> {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(visible::text(name).into_owned());
    std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            bar.set_position(done.load(Ordering::Relaxed));
            std::thread::sleep(Duration::from_millis(100));
        }
        bar.finish_and_clear();
    })
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}
