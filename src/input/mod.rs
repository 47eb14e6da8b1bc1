//! Inputs: from a path to records plus diagnostics.
//!
//! `source` streams and decodes the bytes, `detect` tells what format they
//! are in, and the readers (`ldif`, `dsml`, `clixml`) turn them into
//! [`Record`]s. Readers are pure functions over bytes; only `source` touches
//! the filesystem. [`read`] ties them together: LDIF is cut into windows at
//! record boundaries and each window is parsed in parallel, so memory stays
//! bounded whatever the size of the file.

pub mod clixml;
pub mod detect;
pub mod dsml;
pub mod ldif;
pub mod source;
pub mod xml;

use std::io;

use crate::diag::{Diagnostic, LineIndex, Position, Severity};
use crate::record::Record;
pub use detect::Format;
pub use source::{Compression, Encoding, ReadError, Source};

/// Which attributes a reader keeps. The analysis needs a few dozen of the
/// thousands an export holds; the others are skipped without being decoded
/// or copied. `dump` keeps everything.
#[derive(Clone, Copy, Debug)]
pub enum Projection {
    /// Every attribute.
    All,
    /// Only what passes the tests: attributes by name (without options, any
    /// case), entries by their `objectClass` values (an entry none of whose
    /// classes passes is read and counted, but not handed on). The lines
    /// that give a record its structure, and change records, are always kept.
    Only {
        /// Which attributes to keep.
        attribute: fn(&[u8]) -> bool,
        /// Which object classes make an entry worth keeping.
        class: fn(&[u8]) -> bool,
    },
}

impl Projection {
    /// Whether an attribute with this description is kept.
    pub fn keeps(self, description: &[u8]) -> bool {
        match self {
            Projection::All => true,
            Projection::Only { attribute, .. } => {
                let name = description
                    .split(|&b| b == b';')
                    .next()
                    .unwrap_or(description);
                attribute(name)
            }
        }
    }
}

/// What a reader produced from one input.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The records read, in input order.
    pub records: Vec<Record>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// Records that were skipped because they were malformed.
    pub skipped: usize,
    /// Records read, including entries a projection did not hand on.
    pub read: usize,
    /// LDIF's `version:` line value, when present.
    pub version: Option<u32>,
    /// Line ends in the text read (for the line numbers of later windows).
    pub line_ends: usize,
}

/// What is known about one input once it has been read.
#[derive(Clone, Debug)]
pub struct InputInfo {
    /// The path as given, or `-` for stdin.
    pub name: String,
    /// The format it was read as.
    pub format: Format,
    /// The text encoding found.
    pub encoding: Encoding,
    /// The compression found, if any.
    pub compression: Option<Compression>,
    /// Size of the raw input in bytes.
    pub bytes: u64,
    /// SHA-256 of the raw input, lowercase hex.
    pub sha256: String,
    /// Records read.
    pub entries: usize,
    /// Records skipped because they were malformed.
    pub skipped: usize,
    /// Every problem found, located.
    pub diagnostics: Vec<Located>,
}

/// Why an input could not be used at all, or its reading had to stop.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The bytes are not in a format exconn reads.
    #[error("{path}: {reason}")]
    UnknownFormat {
        /// The path as given.
        path: String,
        /// What was found instead.
        reason: String,
    },
    /// Whoever received the records failed (e.g. a closed output pipe).
    #[error(transparent)]
    Sink(io::Error),
}

/// How to read inputs.
#[derive(Clone, Copy, Debug)]
pub struct ReadOptions {
    /// The format, instead of detecting it.
    pub format: Option<Format>,
    /// Which attributes to keep.
    pub projection: Projection,
    /// Size of the windows LDIF is parsed in.
    pub window: usize,
    /// The longest run of bytes without an empty line accepted as a record.
    pub max_record: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            projection: Projection::All,
            window: WINDOW,
            max_record: MAX_RECORD,
        }
    }
}

/// Default window: large enough to keep every thread busy, small enough
/// that memory follows the model rather than the file.
pub const WINDOW: usize = 16 << 20;
/// The default longest record (run of bytes without an empty line) accepted.
pub const MAX_RECORD: usize = 256 << 20;
/// How much decoded text format detection looks at.
const DETECT: usize = 64 << 10;

/// Reads one input and hands its records, in input order and in batches,
/// to `map` (which may turn them into anything and report diagnostics about
/// them by offset into the batch's window) and then to `sink`. LDIF is read
/// window by window, so memory does not grow with the file; XML is read
/// whole.
pub fn read<T>(
    path: &str,
    options: &ReadOptions,
    map: impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: impl FnMut(T) -> io::Result<()>,
) -> Result<InputInfo, LoadError> {
    let source = Source::open(path)?;
    read_source(source, options, map, sink)
}

/// [`read`] on an already open source.
pub fn read_source<T>(
    mut source: Source,
    options: &ReadOptions,
    mut map: impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    mut sink: impl FnMut(T) -> io::Result<()>,
) -> Result<InputInfo, LoadError> {
    let io_error = |source: &Source, error: io::Error| {
        LoadError::Read(ReadError::Io {
            path: source.name.clone(),
            source: error,
        })
    };
    let mut window = Vec::with_capacity(options.window.clamp(DETECT, 2 * WINDOW));
    let more = source
        .fill(&mut window, DETECT)
        .map_err(|e| io_error(&source, e))?;
    let format = match options.format {
        Some(format) => format,
        None => detect::detect(&window).map_err(|reason| LoadError::UnknownFormat {
            path: source.name.clone(),
            reason,
        })?,
    };
    let mut info = InputInfo {
        name: source.name.clone(),
        format,
        encoding: source.encoding,
        compression: source.compression,
        bytes: 0,
        sha256: String::new(),
        entries: 0,
        skipped: 0,
        diagnostics: Vec::new(),
    };
    let mut windows = Windows {
        info: &mut info,
        line: 1,
    };
    match format {
        Format::Ldif => read_ldif_windows(
            &mut source,
            options,
            window,
            more,
            &mut windows,
            &mut map,
            &mut sink,
        )
        .map_err(|e| match e {
            WindowError::Read(error) => io_error(&source, error),
            WindowError::Sink(error) => LoadError::Sink(error),
        })?,
        Format::Dsml | Format::Clixml => {
            source
                .read_to_end(&mut window)
                .map_err(|e| io_error(&source, e))?;
            let mut parsed = match format {
                Format::Dsml => dsml::parse(&window),
                _ => clixml::parse(&window),
            };
            parsed.line_ends = LineIndex::new(&window).line_ends();
            windows
                .take(&window, parsed, &mut map, &mut sink)
                .map_err(LoadError::Sink)?;
        }
    }
    if source
        .transcoding_errors
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        info.diagnostics.push(Located {
            file: info.name.clone(),
            position: Position { line: 1, column: 1 },
            severity: Severity::Warning,
            message: format!(
                "expected valid {} text, found an unpaired surrogate or an odd byte count: replaced by U+FFFD",
                info.encoding.as_str()
            ),
        });
    }
    let summary = source.finish().map_err(|e| {
        LoadError::Read(ReadError::Io {
            path: info.name.clone(),
            source: e,
        })
    })?;
    info.bytes = summary.bytes;
    info.sha256 = summary.sha256;
    Ok(info)
}

enum WindowError {
    Read(io::Error),
    Sink(io::Error),
}

/// Hands parsed windows on, locating their diagnostics.
struct Windows<'w> {
    info: &'w mut InputInfo,
    /// Line number of the first line of the next window.
    line: usize,
}

impl Windows<'_> {
    /// Takes the parse of `text`, maps and sinks its records, locates every
    /// diagnostic, and moves the line count past `text`.
    fn take<T>(
        &mut self,
        text: &[u8],
        parsed: Parsed,
        map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
        sink: &mut impl FnMut(T) -> io::Result<()>,
    ) -> io::Result<()> {
        let line_ends = parsed.line_ends;
        self.info.entries += parsed.read.max(parsed.records.len());
        self.info.skipped += parsed.skipped;
        let (mapped, mut diagnostics) = map(parsed.records);
        diagnostics.extend(parsed.diagnostics);
        self.locate(text, diagnostics);
        sink(mapped)?;
        self.line += line_ends;
        Ok(())
    }

    fn locate(&mut self, text: &[u8], mut diagnostics: Vec<Diagnostic>) {
        if diagnostics.is_empty() {
            return;
        }
        diagnostics.sort_by_key(|d| d.offset);
        let index = LineIndex::new(text);
        for diagnostic in diagnostics {
            let position = index.position(text, diagnostic.offset);
            self.info.diagnostics.push(Located {
                file: self.info.name.clone(),
                position: Position {
                    line: position.line + self.line - 1,
                    column: position.column,
                },
                severity: diagnostic.severity,
                message: diagnostic.message,
            });
        }
    }

    /// Skips `text` (part of an oversized record), counting its lines.
    fn skip(&mut self, text: &[u8]) {
        self.line += count_line_ends(text);
    }
}

/// Reads LDIF in windows cut at record boundaries.
fn read_ldif_windows<T>(
    source: &mut Source,
    options: &ReadOptions,
    mut window: Vec<u8>,
    mut more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    let mut at_start = true;
    let mut discarding = false;
    // How much of the window is known to hold no empty line.
    let mut searched: usize = 0;
    loop {
        if more && window.len() < options.window {
            more = source
                .fill(&mut window, options.window)
                .map_err(WindowError::Read)?;
        }
        if discarding {
            // Inside an oversized record: drop bytes up to the next empty line.
            match ldif::first_record_boundary(&window) {
                Some(cut) => {
                    out.skip(&window[..cut]);
                    window.drain(..cut);
                    discarding = false;
                }
                None => {
                    out.skip(&window);
                    window.clear();
                    if !more {
                        return Ok(());
                    }
                    continue;
                }
            }
        }
        let oversized = window.len() > options.max_record
            && ldif::first_record_boundary(&window[..options.max_record]).is_none();
        let from = searched.saturating_sub(3);
        let cut = if more || oversized {
            match ldif::last_record_boundary(&window[from..]).map(|cut| from + cut) {
                Some(cut) if !oversized => cut,
                _ if oversized => {
                    searched = 0;
                    let diagnostic = Diagnostic::error(
                        0,
                        format!(
                            "expected records separated by empty lines, found more than {} KiB without one: \
                             skipped up to the next empty line",
                            options.max_record >> 10
                        ),
                    );
                    out.locate(&window[..window.len().min(DETECT)], vec![diagnostic]);
                    out.info.skipped += 1;
                    discarding = true;
                    continue;
                }
                _ => {
                    searched = window.len();
                    let target = window.len() + options.window;
                    more = source
                        .fill(&mut window, target)
                        .map_err(WindowError::Read)?;
                    continue;
                }
            }
        } else {
            window.len()
        };
        searched = 0;
        let text = &window[..cut];
        let parsed = ldif::parse_window(text, at_start, options.projection);
        out.take(text, parsed, map, sink)
            .map_err(WindowError::Sink)?;
        at_start = false;
        window.drain(..cut);
        if !more && window.is_empty() {
            return Ok(());
        }
    }
}

/// Line ends in `text`, counted as [`crate::diag::line_end`] sees them.
fn count_line_ends(text: &[u8]) -> usize {
    let lf = bytecount::count(text, b'\n');
    let cr = bytecount::count(text, b'\r');
    if cr == 0 || memchr::memmem::find_iter(text, b"\r\n").count() == cr {
        return lf;
    }
    LineIndex::new(text).line_ends()
}

/// A diagnostic with its place resolved, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The input's name.
    pub file: String,
    /// Where in the input.
    pub position: Position,
    /// How bad.
    pub severity: Severity,
    /// What was expected and found.
    pub message: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file,
            self.position,
            self.severity.as_str(),
            self.message
        )
    }
}
