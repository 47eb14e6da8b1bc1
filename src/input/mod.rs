//! Inputs: from a path to records plus diagnostics.
//!
//! `source` streams and decodes the bytes, `detect` tells what format they
//! are in, and the readers (`ldif`, `dsml`, `clixml`) turn them into
//! [`Record`]s. Readers are pure functions over bytes; only `source` touches
//! the filesystem. [`read`] ties them together: LDIF is cut into windows at
//! record boundaries and each window is parsed in parallel, so memory stays
//! bounded whatever the size of the file.

mod base64;
pub mod clixml;
pub mod detect;
pub mod dsml;
pub mod ldif;
pub mod source;
pub mod xml;
pub mod xml_split;

use std::io;

use crate::diag::{Diagnostic, LineIndex, Located, Position, Severity};
use crate::record::Record;
pub use detect::Format;
pub use source::{expand, Compression, Encoding, InputPath, ReadError, Source};
use xml_split::{Piece, Splitter};

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

impl Parsed {
    /// Appends `part`, whose offsets are relative to `shift` in this text.
    fn absorb(&mut self, part: Parsed, shift: usize) {
        self.read += part.read.max(part.records.len());
        self.skipped += part.skipped;
        self.records
            .extend(part.records.into_iter().map(|mut record| {
                record.offset += shift;
                record
            }));
        self.diagnostics
            .extend(part.diagnostics.into_iter().map(|mut diagnostic| {
                diagnostic.offset += shift;
                diagnostic
            }));
    }
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
    /// The longest record accepted: a run of LDIF without an empty line, or
    /// one XML record element.
    pub max_record: usize,
    /// The most values one entry may have; the rest are left out.
    pub max_values: usize,
    /// The deepest XML element nesting accepted.
    pub max_depth: usize,
    /// Refuse text that does not start like an export (`dn:`, `version:`, a
    /// comment, or an export's XML root), instead of reading any text as LDIF:
    /// for files found in a directory, which may hold notes and scripts too.
    pub only_exports: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            projection: Projection::All,
            window: WINDOW,
            max_record: MAX_RECORD,
            max_values: MAX_VALUES,
            max_depth: xml::MAX_DEPTH,
            only_exports: false,
        }
    }
}

/// Default window: large enough to keep every thread busy, small enough
/// that memory follows the model rather than the file.
pub const WINDOW: usize = 16 << 20;
/// The default longest record (run of bytes without an empty line) accepted.
pub const MAX_RECORD: usize = 64 << 20;
/// The default most values per entry (configuration objects have a few
/// hundred at most).
pub const MAX_VALUES: usize = 100_000;
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
    if options.only_exports
        && format == Format::Ldif
        && !detect::starts_like_ldif(window.trim_ascii_start())
    {
        return Err(LoadError::UnknownFormat {
            path: source.name.clone(),
            reason: "expected an export, found text that does not start like LDIF (dn:, version: or a comment)"
                .to_owned(),
        });
    }
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
        column: 0,
        max_values: options.max_values,
    };
    let read = match format {
        Format::Ldif => read_ldif_windows(
            &mut source,
            options,
            window,
            more,
            &mut windows,
            &mut map,
            &mut sink,
        ),
        Format::Dsml | Format::Clixml => read_xml_windows(
            &mut source,
            options,
            format,
            window,
            more,
            &mut windows,
            &mut map,
            &mut sink,
        ),
    };
    read.map_err(|e| match e {
        WindowError::Read(error) => io_error(&source, error),
        WindowError::Sink(error) => LoadError::Sink(error),
    })?;
    let encoding = info.encoding.as_str();
    if source
        .transcoding_errors
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        info.diagnostics.push(about_input(
            &info.name,
            Severity::Warning,
            format!(
                "expected valid {encoding} text, found an unpaired surrogate or an odd byte count: replaced by U+FFFD"
            ),
        ));
    }
    if let Some(mark) = source.mark_contradicted {
        info.diagnostics.push(about_input(
            &info.name,
            Severity::Warning,
            format!(
                "the file starts with {mark} but its content is {encoding}: read as {encoding}"
            ),
        ));
    }
    let opened_size = source.size;
    let summary = source.finish().map_err(|e| {
        LoadError::Read(ReadError::Io {
            path: info.name.clone(),
            source: e,
        })
    })?;
    info.bytes = summary.bytes;
    info.sha256 = summary.sha256;
    if let Some(changed) = changed_while_read(&info.name, opened_size, summary.bytes) {
        info.diagnostics
            .push(about_input(&info.name, Severity::Error, changed));
    }
    Ok(info)
}

/// A diagnostic about an input as a whole (shown at its first line).
fn about_input(name: &str, severity: Severity, message: String) -> Located {
    Located {
        file: name.to_owned(),
        position: Position { line: 1, column: 1 },
        severity,
        message,
    }
}

/// Says so when a file's size when opened, the bytes read from it and its
/// size now do not agree: it was truncated, extended or replaced while
/// being read, and the analysis covers only what was read.
fn changed_while_read(name: &str, opened: Option<u64>, read: u64) -> Option<String> {
    let opened = opened?;
    let now = std::fs::metadata(name)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if opened == read && now.is_none_or(|now| now == opened) {
        return None;
    }
    let now = now.map_or_else(|| "gone".to_owned(), |now| format!("{now} bytes"));
    Some(format!(
        "the file changed while being read ({opened} bytes when opened, {read} bytes read, \
         {now} now): the analysis covers only what was read"
    ))
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
    /// Characters before the next window on its first line (XML windows
    /// may start mid-line; LDIF windows never do).
    column: usize,
    /// The most values an entry keeps.
    max_values: usize,
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
        let (mapped, diagnostics) = self.count_and_map(parsed, map);
        self.locate(text, diagnostics);
        sink(mapped)?;
        self.line += line_ends;
        Ok(())
    }

    /// Counts what was read, caps the values of each entry, and maps the
    /// records; returns what `map` made and every diagnostic to locate.
    fn count_and_map<T>(
        &mut self,
        parsed: Parsed,
        map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    ) -> (T, Vec<Diagnostic>) {
        self.info.entries += parsed.read.max(parsed.records.len());
        self.info.skipped += parsed.skipped;
        let mut records = parsed.records;
        let capped = cap_values(&mut records, self.max_values);
        let (mapped, mut diagnostics) = map(records);
        diagnostics.extend(parsed.diagnostics);
        diagnostics.extend(capped);
        (mapped, diagnostics)
    }

    fn locate(&mut self, text: &[u8], diagnostics: Vec<Diagnostic>) {
        if diagnostics.is_empty() {
            return;
        }
        let index = LineIndex::new(text);
        let start = (self.line, self.column);
        self.locate_with(diagnostics, |offset| {
            window_position(start, &index, text, offset)
        });
    }

    /// Locates diagnostics with `position`, in offset order.
    fn locate_with(
        &mut self,
        mut diagnostics: Vec<Diagnostic>,
        position: impl Fn(usize) -> Position,
    ) {
        diagnostics.sort_by_key(|d| d.offset);
        let located: Vec<Located> = diagnostics
            .into_iter()
            .map(|diagnostic| Located {
                file: self.info.name.clone(),
                position: position(diagnostic.offset),
                severity: diagnostic.severity,
                message: diagnostic.message,
            })
            .collect();
        self.info.diagnostics.extend(located);
    }

    /// The position in the input of `offset` in the next window's `text`.
    fn position(&self, index: &LineIndex, text: &[u8], offset: usize) -> Position {
        window_position((self.line, self.column), index, text, offset)
    }

    /// Moves the column past `text`, which the line count already covers.
    fn advance_column(&mut self, text: &[u8]) {
        match memchr::memrchr2(b'\n', b'\r', text) {
            Some(end) => self.column = bytecount::num_chars(&text[end + 1..]),
            None => self.column += bytecount::num_chars(text),
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

/// Leaves out the values of entries beyond the first `max`, with an error
/// for each entry cut.
fn cap_values(records: &mut [Record], max: usize) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for record in records {
        if let crate::record::Body::Entry { attrs, .. } = &mut record.body {
            if attrs.len() > max {
                diagnostics.push(Diagnostic::error(
                    record.offset,
                    format!(
                        "expected at most {max} values in an entry (--max-values), found {}: \
                         the values after the first {max} are left out",
                        attrs.len()
                    ),
                ));
                attrs.truncate(max);
            }
        }
    }
    diagnostics
}

/// The input position of `offset` in a window's `text` whose first byte is
/// at line `start.0`, after `start.1` characters.
fn window_position(
    start: (usize, usize),
    index: &LineIndex,
    text: &[u8],
    offset: usize,
) -> Position {
    let within = index.position(text, offset);
    Position {
        line: within.line + start.0 - 1,
        column: if within.line == 1 {
            within.column + start.1
        } else {
            within.column
        },
    }
}

/// Reads DSML or CLIXML in windows: records are cut out by the splitter
/// and parsed in parallel; the skeleton around them is kept and read last.
#[allow(clippy::too_many_arguments)]
fn read_xml_windows<T>(
    source: &mut Source,
    options: &ReadOptions,
    format: Format,
    mut window: Vec<u8>,
    mut more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    let rule = match format {
        Format::Dsml => dsml::is_record,
        _ => clixml::is_record,
    };
    let mut splitter = Splitter::new(rule, options.max_record);
    let mut objects = clixml::Stream::default();
    let mut skeleton = Skeleton::default();
    let mut done: u64 = 0;
    loop {
        if more && window.len() < options.window {
            more = source
                .fill(&mut window, options.window)
                .map_err(WindowError::Read)?;
        }
        let mut pieces = Vec::new();
        let consumed = splitter.scan(&window, !more, &mut pieces).consumed;
        if consumed == 0 && more {
            // One record fills the window: read more of it.
            let target = window.len() + options.window;
            more = source
                .fill(&mut window, target)
                .map_err(WindowError::Read)?;
            continue;
        }
        let text = &window[..consumed];
        let mut parsed = match format {
            Format::Dsml => dsml_records(text, &pieces, options),
            _ => clixml_records(text, &pieces, done, options.max_depth, &mut objects),
        };
        outside_records(text, &pieces, out, &mut skeleton, &mut parsed, options);
        parsed.line_ends = count_line_ends(text);
        out.take(text, parsed, map, sink)
            .map_err(WindowError::Sink)?;
        out.advance_column(text);
        done += consumed as u64;
        window.drain(..consumed);
        if !more && window.is_empty() {
            break;
        }
    }
    skeleton.marks.push((
        skeleton.text.len(),
        Position {
            line: out.line,
            column: out.column + 1,
        },
    ));
    let parsed = match format {
        Format::Dsml => dsml::document(&skeleton.text, options.max_depth),
        _ => objects.finish(&skeleton.text, options.max_depth),
    };
    let (mapped, diagnostics) = out.count_and_map(parsed, map);
    out.locate_with(diagnostics, |offset| skeleton.position(offset));
    sink(mapped).map_err(WindowError::Sink)
}

/// Parses a window's DSML records in parallel.
fn dsml_records(text: &[u8], pieces: &[Piece], options: &ReadOptions) -> Parsed {
    use rayon::prelude::*;
    let ranges = record_ranges(pieces);
    let parts: Vec<Parsed> = ranges
        .par_iter()
        .with_min_len(16)
        .map(|range| dsml::entry(&text[range.clone()], options.projection, options.max_depth))
        .collect();
    let mut parsed = Parsed::default();
    for (part, range) in parts.into_iter().zip(&ranges) {
        parsed.absorb(part, range.start);
    }
    parsed
}

/// Parses a window's CLIXML records in parallel, a few MiB at a time, and
/// decodes them in order (references span records).
fn clixml_records(
    text: &[u8],
    pieces: &[Piece],
    window_start: u64,
    max_depth: usize,
    objects: &mut clixml::Stream,
) -> Parsed {
    use rayon::prelude::*;
    const BATCH: usize = 4 << 20;
    let ranges = record_ranges(pieces);
    let mut parsed = Parsed::default();
    let mut rest = ranges.as_slice();
    while !rest.is_empty() {
        let first = rest[0].start;
        let count = rest
            .iter()
            .position(|range| range.end - first > BATCH)
            .unwrap_or(rest.len())
            .max(1);
        let (batch, after) = rest.split_at(count);
        let trees: Vec<_> = batch
            .par_iter()
            .map(|range| xml::parse_skipping(&text[range.clone()], max_depth, |_| false))
            .collect();
        for (tree, range) in trees.into_iter().zip(batch) {
            objects.record(
                tree,
                window_start + range.start as u64,
                range.start,
                &mut parsed,
            );
        }
        rest = after;
    }
    parsed
}

fn record_ranges(pieces: &[Piece]) -> Vec<std::ops::Range<usize>> {
    pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Record(range) => Some(range.clone()),
            _ => None,
        })
        .collect()
}

/// Keeps a window's skeleton pieces, and reports its oversized records.
fn outside_records(
    text: &[u8],
    pieces: &[Piece],
    out: &Windows<'_>,
    skeleton: &mut Skeleton,
    parsed: &mut Parsed,
    options: &ReadOptions,
) {
    if !pieces
        .iter()
        .any(|piece| !matches!(piece, Piece::Record(_)))
    {
        return;
    }
    let index = LineIndex::new(text);
    for piece in pieces {
        match piece {
            Piece::Skeleton(range) => {
                let at = out.position(&index, text, range.start);
                if let Err(limit) = skeleton.push(&text[range.clone()], at) {
                    parsed.diagnostics.push(Diagnostic::error(
                        range.start,
                        format!(
                            "expected the document around the records to fit in {} MiB, found more: \
                             the rest of it is not read",
                            limit >> 20
                        ),
                    ));
                }
            }
            Piece::Oversized(at) => {
                parsed.skipped += 1;
                parsed.diagnostics.push(Diagnostic::error(
                    *at,
                    format!(
                        "expected a record element of at most {} KiB, found a longer one: skipped",
                        options.max_record >> 10
                    ),
                ));
            }
            Piece::Record(_) => {}
        }
    }
}

/// The text of an XML document outside its records, with where each piece
/// of it came from in the input.
#[derive(Default)]
struct Skeleton {
    text: Vec<u8>,
    /// Offset in `text` and input position of each piece's start.
    marks: Vec<(usize, Position)>,
    /// Pieces were dropped once the skeleton reached its limit.
    full: bool,
}

impl Skeleton {
    /// The most text kept outside records.
    const LIMIT: usize = 16 << 20;

    /// Appends a piece that starts at `at`; fails (once) with the limit
    /// when it is reached.
    fn push(&mut self, piece: &[u8], at: Position) -> Result<(), usize> {
        if self.full {
            return Ok(());
        }
        if self.text.len() + piece.len() > Self::LIMIT {
            self.full = true;
            return Err(Self::LIMIT);
        }
        self.marks.push((self.text.len(), at));
        self.text.extend_from_slice(piece);
        Ok(())
    }

    /// The input position of `offset` in the skeleton's text.
    fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let i = self.marks.partition_point(|(at, _)| *at <= offset);
        let Some(&(at, start)) = i.checked_sub(1).and_then(|i| self.marks.get(i)) else {
            return Position { line: 1, column: 1 };
        };
        let piece = &self.text[at..offset];
        let within = LineIndex::new(piece).position(piece, piece.len());
        if within.line == 1 {
            Position {
                line: start.line,
                column: start.column + within.column - 1,
            }
        } else {
            Position {
                line: start.line + within.line - 1,
                column: within.column,
            }
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
