//! Inputs: from a path to records plus diagnostics.
//!
//! `source` streams and decodes the bytes, `detect` tells what format they
//! are in, and the readers (`ldif`, `dsml`, `clixml`, `csvde`, `json`,
//! `cmdlet_csv`, `adexplorer`) turn them into [`Record`]s. Readers are pure
//! functions over bytes; only `source` touches the filesystem. [`read`] ties
//! them together, window by window so that memory stays bounded whatever the
//! size of the file: LDIF is cut into windows at record boundaries and csvde
//! at row ends (`windows`, `csvde_windows`), each window parsed in parallel;
//! XML (DSML, CLIXML) has its record elements cut out of each window
//! (`xml_split`), parsed in parallel and decoded in input order, and the
//! document around them read last (`xml_windows`). An AD Explorer snapshot,
//! whose blocks refer back anywhere, and cmdlet output as text
//! (`ConvertTo-Json`, `Export-Csv`, `whole`) are held whole while they are
//! read; their records still go on in batches.

pub mod adexplorer;
mod base64;
pub mod clixml;
pub mod cmdlet_csv;
pub mod csvde;
mod csvde_windows;
pub mod detect;
pub mod dsml;
mod expansion;
pub mod json;
pub mod ldif;
pub mod source;
mod type_name;
mod whole;
mod windows;
pub mod xml;
pub mod xml_split;
mod xml_windows;

use std::io;

use crate::diag::{Diagnostic, LineColumn, Located, Position, Severity};
use crate::record::Record;
use csvde_windows::read_csvde_windows;
pub use detect::Format;
pub use source::{
    expand, ArchiveEntry, Compression, Encoding, Expanded, InputPath, ReadError, Source,
};
use whole::read_whole;
use windows::{read_ldif_windows, WindowError, Windows};
use xml_windows::read_xml_windows;

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
    /// Line ends in the text read (for the line numbers of later windows).
    pub line_ends: usize,
    /// `ldapsearch` `result:` blocks read (LDIF).
    pub search_results: usize,
    /// Signs that the input does not hold all it was meant to (it was cut,
    /// a server capped the search, reading had to stop): the input then
    /// cannot support a verdict of absence.
    pub incomplete: Vec<Diagnostic>,
}

impl Parsed {
    /// An error that also means the input is not whole: data after it, or
    /// beyond a limit, was never read.
    pub(crate) fn stopped(&mut self, diagnostic: Diagnostic) {
        self.incomplete.push(diagnostic.clone());
        self.diagnostics.push(diagnostic);
    }

    /// Appends `part`, whose offsets are relative to `shift` in this text.
    fn absorb(&mut self, part: Parsed, shift: usize) {
        self.read += part.read.max(part.records.len());
        self.skipped += part.skipped;
        self.search_results += part.search_results;
        self.records
            .extend(part.records.into_iter().map(|mut record| {
                record.offset += shift;
                record
            }));
        let shifted = |mut diagnostic: Diagnostic| {
            diagnostic.offset += shift;
            diagnostic
        };
        self.diagnostics
            .extend(part.diagnostics.into_iter().map(shifted));
        self.incomplete
            .extend(part.incomplete.into_iter().map(shifted));
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
    /// Why the input is not whole, located: it did not reach its proper
    /// end (cut, capped by a server's limit, an unfinished capture) or its
    /// reading stopped. Empty for an input read to its proper end. An
    /// input that is not whole cannot show that something is absent.
    pub incomplete: Vec<Located>,
}

/// An input that could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The path as given.
    pub path: String,
    /// Why.
    pub reason: String,
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
    /// The most text parsed at once: XML is copied into windows this
    /// size; LDIF is parsed in the blocks the source reads (smaller by
    /// default), cut into windows of at most this size.
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

/// Default window: large enough to keep every thread busy on an XML
/// window, small enough that memory follows the model rather than the file.
pub const WINDOW: usize = 16 << 20;
/// The default longest record (run of bytes without an empty line) accepted.
pub const MAX_RECORD: usize = 64 << 20;
/// The default most values per entry (configuration objects have a few
/// hundred at most).
pub const MAX_VALUES: usize = 100_000;
/// The longest attribute description accepted, in bytes: names are a few
/// dozen, and options add a few more. A longer one would be copied into
/// every value of the attribute; it is an error, and the attribute is
/// skipped.
pub const MAX_DESCRIPTION: usize = 1 << 10;

/// The error about an attribute description longer than
/// [`MAX_DESCRIPTION`] at `offset`, if `name` is one.
pub(crate) fn overlong_description(offset: usize, name: &str) -> Option<Diagnostic> {
    if name.len() <= MAX_DESCRIPTION {
        return None;
    }
    let start: String = name.chars().take(40).collect();
    Some(Diagnostic::error(
        offset,
        format!(
            "expected an attribute description of at most {} KiB, found {} bytes ('{}…'): \
             attribute skipped",
            MAX_DESCRIPTION >> 10,
            name.len(),
            start.escape_debug()
        ),
    ))
}

/// The error about an entry at `offset` with `found` values, of which only
/// the first `max` are kept (`--max-values`).
pub(crate) fn too_many_values(offset: usize, max: usize, found: usize) -> Diagnostic {
    Diagnostic::error(
        offset,
        format!(
            "expected at most {max} values in an entry (--max-values), found {found}: \
             the values after the first {max} are left out"
        ),
    )
}

/// How much decoded text format detection looks at.
const DETECT: usize = 64 << 10;

/// Reads one input and hands its records, in input order and in batches,
/// to `map` (which may turn them into anything and report diagnostics about
/// them by offset into the batch's window) and then to `sink`. LDIF, csvde
/// and XML are read window by window, so memory does not grow with the
/// file; an AD Explorer snapshot and cmdlet output as text are held whole.
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
        incomplete: Vec::new(),
    };
    let mut windows = Windows {
        info: &mut info,
        line: 1,
        column: 0,
        max_values: options.max_values,
        pending_incomplete: Vec::new(),
        search_results: 0,
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
        Format::Csv => read_csvde_windows(
            &mut source,
            options,
            window,
            more,
            &mut windows,
            &mut map,
            &mut sink,
        ),
        Format::Json | Format::CmdletCsv => read_whole(
            &mut source,
            options,
            window,
            more,
            &mut windows,
            &mut map,
            &mut sink,
        ),
        Format::AdExplorer => adexplorer::read_windows(
            &mut source,
            options,
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
            &info,
            Severity::Warning,
            format!(
                "expected valid {encoding} text, found an unpaired surrogate or an odd byte count: replaced by U+FFFD"
            ),
        ));
    }
    if let Some(mark) = source.mark_contradicted {
        info.diagnostics.push(about_input(
            &info,
            Severity::Warning,
            format!(
                "the file starts with {mark} but its content is {encoding}: read as {encoding}"
            ),
        ));
    }
    if source
        .unread_entries
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        let located = about_input(
            &info,
            Severity::Error,
            "expected a ZIP archive of one entry, found more: read as a stream (from standard \
             input, or without a readable central directory), only its first entry was read; \
             give the archive as a file, or its entries"
                .to_owned(),
        );
        info.incomplete.push(located.clone());
        info.diagnostics.push(located);
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
    if let Some(changed) = source::changed_while_read(&info.name, opened_size, summary.bytes) {
        let located = about_input(&info, Severity::Error, changed);
        info.incomplete.push(located.clone());
        info.diagnostics.push(located);
    }
    Ok(info)
}

/// A diagnostic about an input as a whole (shown at its first line, or at
/// offset 0 of a binary input).
fn about_input(info: &InputInfo, severity: Severity, message: String) -> Located {
    Located {
        file: info.name.clone(),
        position: match info.format {
            Format::AdExplorer => Position::offset(0),
            _ => Position::Line(LineColumn::START),
        },
        severity,
        message,
    }
}
