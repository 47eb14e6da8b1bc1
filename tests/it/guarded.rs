//! Running the built binary under a watchdog, for inputs that might make
//! it hang, crash or flood: every run must end on its own with exit status
//! 0 or 2 (never a panic's 101 or a signal), without `panicked` on stderr,
//! within `DEADLINE`.

use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one run may take before the watchdog kills it: a hang
/// detector, not a speed target, so it leaves room for a loaded machine (the
/// slowest guarded run takes about 8 s on two idle cores).
pub const DEADLINE: Duration = Duration::from_secs(60);

/// The watchdog's deadline for runs under a memory cap, which read inputs
/// made large enough to exceed the cap if held (the debug binary reads
/// them slowly, more so beside other tests): a bound on a hang, not a
/// measure of speed.
pub const CAPPED_DEADLINE: Duration = Duration::from_secs(90);

/// Bytes of stdout kept for inspection; the rest is only counted.
pub const KEEP_STDOUT: usize = 8 << 20;

pub struct Outcome {
    pub file: String,
    pub code: Option<i32>,
    pub timed_out: bool,
    /// The watchdog's deadline for this run.
    pub deadline: Duration,
    pub elapsed: Duration,
    /// Total bytes written to stdout.
    pub stdout_len: usize,
    /// The first `KEEP_STDOUT` bytes of stdout.
    pub stdout: String,
    pub stderr: String,
}

/// Drains a pipe, keeping the first `keep` bytes and counting all of them.
fn drain(
    mut pipe: impl Read + Send + 'static,
    keep: usize,
) -> thread::JoinHandle<(Vec<u8>, usize)> {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut total = 0;
        let mut buf = [0u8; 64 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n;
                    let room = keep.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        (kept, total)
    })
}

/// Runs `exconn ARGS FILE` with a watchdog thread that kills it after `DEADLINE`.
pub fn run_guarded(args: &[&str], file: &Path) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exconn"));
    command.args(args).arg(file);
    run_watched(command, file, DEADLINE)
}

/// As [`run_guarded`], with the address space of the run capped at
/// `mib` MiB (`ulimit -v`): a run that needs more fails to allocate and
/// aborts, which `assert_contained` reports. Memory bounds are tested this
/// way, never by timing.
#[cfg(unix)]
pub fn run_capped(args: &[&str], file: &Path, mib: u64) -> Outcome {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {} && exec \"$0\" \"$@\"", mib * 1024))
        .arg(env!("CARGO_BIN_EXE_exconn"))
        .args(args)
        .arg(file);
    run_watched(command, file, CAPPED_DEADLINE)
}

fn run_watched(mut command: Command, file: &Path, deadline: Duration) -> Outcome {
    let start = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the exconn binary starts");
    let stdout = drain(child.stdout.take().unwrap(), KEEP_STDOUT);
    let stderr = drain(child.stderr.take().unwrap(), KEEP_STDOUT);
    let watchdog = thread::spawn(move || {
        let deadline = start + deadline;
        loop {
            match child.try_wait() {
                Ok(Some(status)) => break (status, false),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    break (child.wait().expect("wait for the killed exconn"), true);
                }
                Ok(None) => thread::sleep(Duration::from_millis(10)),
                Err(e) => panic!("cannot wait for exconn: {e}"),
            }
        }
    });
    let (status, timed_out) = watchdog.join().expect("watchdog thread");
    let elapsed = start.elapsed();
    let (out, stdout_len) = stdout.join().unwrap();
    let (err, _) = stderr.join().unwrap();
    Outcome {
        file: file.to_string_lossy().into_owned(),
        code: status.code(),
        timed_out,
        deadline,
        elapsed,
        stdout_len,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

pub fn dump(file: &Path) -> Outcome {
    run_guarded(&["dump", "--format", "jsonl"], file)
}

pub fn dump_strict(file: &Path) -> Outcome {
    run_guarded(&["dump", "--strict", "--format", "jsonl"], file)
}

impl Outcome {
    pub fn summary(&self) -> String {
        let mut lines: Vec<&str> = self.stderr.lines().take(8).collect();
        if self.stderr.lines().count() > 8 {
            lines.push("...");
        }
        format!(
            "exit {}, {:.1?}, {} byte(s) on stdout, stderr: [{}]",
            self.code.map_or("signal".to_string(), |c| c.to_string()),
            self.elapsed,
            self.stdout_len,
            lines.join(" | ")
        )
    }

    /// The run ended by itself in time, with status 0 or 2 and no panic.
    pub fn assert_contained(&self, what: &str) {
        assert!(
            !self.timed_out,
            "{what}: killed by the watchdog after {:?} ({})",
            self.deadline,
            self.summary()
        );
        assert!(
            matches!(self.code, Some(0) | Some(2)),
            "{what}: expected exit 0 or 2, got {}",
            self.summary()
        );
        assert!(
            !self.stderr.contains("panicked"),
            "{what}: panicked: {}",
            self.summary()
        );
    }

    /// Diagnostics `FILE:LINE:COL: error|warning: message`: `(severity, message)`.
    pub fn diagnostics(&self) -> Vec<(String, String)> {
        self.located_diagnostics()
            .into_iter()
            .map(|d| (d.severity, d.message))
            .collect()
    }

    /// Diagnostics `FILE:LINE:COL: error|warning: message`, with their position.
    pub fn located_diagnostics(&self) -> Vec<Diagnostic> {
        self.stderr
            .lines()
            .filter_map(|line| {
                let rest = line.strip_prefix(&self.file)?.strip_prefix(':')?;
                let mut parts = rest.splitn(3, ':');
                let (l, c, tail) = (parts.next()?, parts.next()?, parts.next()?);
                let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                if !number(l) || !number(c) {
                    return None;
                }
                ["error", "warning"].iter().find_map(|sev| {
                    tail.strip_prefix(&format!(" {sev}: "))
                        .filter(|m| !m.trim().is_empty())
                        .map(|m| Diagnostic {
                            severity: (*sev).to_owned(),
                            line: l.parse().unwrap(),
                            column: c.parse().unwrap(),
                            message: m.to_owned(),
                        })
                })
            })
            .collect()
    }

    pub fn assert_diagnosed(&self, what: &str) {
        assert!(
            !self.diagnostics().is_empty(),
            "{what}: expected a diagnostic `{}:LINE:COL: error|warning: ...`, got {}",
            self.file,
            self.summary()
        );
    }

    pub fn records(&self, what: &str) -> Vec<Value> {
        assert!(
            self.stdout_len <= KEEP_STDOUT,
            "{what}: stdout too large to parse ({})",
            self.summary()
        );
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{what}: stdout line is not JSON ({e}): {l}"))
            })
            .collect()
    }

    pub fn dns(&self, what: &str) -> Vec<String> {
        self.records(what)
            .iter()
            .map(|r| r["dn"].as_str().unwrap_or("<no dn>").to_owned())
            .collect()
    }

    /// The dumped record `dn` holds each `(attribute, value)` of `expected`
    /// (among others): what a hostile neighbour must not take away.
    pub fn check_record(
        &self,
        what: &str,
        dn: &str,
        expected: &[(&str, &str)],
    ) -> Result<(), String> {
        let records = self.records(what);
        let record = records
            .iter()
            .find(|r| r["dn"] == dn)
            .ok_or_else(|| format!("{what}: no record {dn:?} (records: {:?})", self.dns(what)))?;
        let attrs = record["attrs"].as_array().cloned().unwrap_or_default();
        let missing: Vec<_> = expected
            .iter()
            .filter(|(attr, value)| !attrs.iter().any(|a| a[0] == *attr && a[1] == *value))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("{what}: record {dn:?} lacks {missing:?}: {record}"))
        }
    }

    pub fn assert_record(&self, what: &str, dn: &str, expected: &[(&str, &str)]) {
        if let Err(message) = self.check_record(what, dn, expected) {
            panic!("{message}");
        }
    }

    /// The values of `attribute` in the dumped record `dn`.
    pub fn values(&self, what: &str, dn: &str, attribute: &str) -> Vec<Value> {
        self.records(what)
            .iter()
            .filter(|r| r["dn"] == dn)
            .flat_map(|r| r["attrs"].as_array().cloned().unwrap_or_default())
            .filter(|a| a[0] == attribute)
            .map(|a| a[1].clone())
            .collect()
    }
}

/// One `FILE:LINE:COL: severity: message` line of stderr.
#[derive(Debug)]
pub struct Diagnostic {
    pub severity: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Line and column (1-based, in bytes) where `needle` first occurs in
/// `text` at or after byte `from`: where a diagnostic about it must point.
pub fn position(text: &str, needle: &str, from: usize) -> (usize, usize) {
    let at = from
        + text[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} is not in the document"));
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (text[..at].matches('\n').count() + 1, at - line_start + 1)
}
