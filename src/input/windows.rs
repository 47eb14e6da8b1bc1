//! Reading in windows: LDIF cut at record boundaries, each window parsed
//! in parallel and handed on in input order, and `Windows`, which keeps the
//! line and column where each window starts so that every diagnostic is
//! located with its true position in the input.

use std::io;

use super::{ldif, InputInfo, Parsed, ReadOptions, Source, DETECT};
use crate::diag::{Diagnostic, LineIndex, Located, Position};
use crate::record::Record;

pub(super) enum WindowError {
    Read(io::Error),
    Sink(io::Error),
}

/// Hands parsed windows on, locating their diagnostics.
pub(super) struct Windows<'w> {
    pub(super) info: &'w mut InputInfo,
    /// Line number of the first line of the next window.
    pub(super) line: usize,
    /// Characters before the next window on its first line (XML windows
    /// may start mid-line; LDIF windows never do).
    pub(super) column: usize,
    /// The most values an entry keeps.
    pub(super) max_values: usize,
}

impl Windows<'_> {
    /// Takes the parse of `text`, maps and sinks its records, locates every
    /// diagnostic, and moves the line count past `text`.
    pub(super) fn take<T>(
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
    pub(super) fn count_and_map<T>(
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

    pub(super) fn locate(&mut self, text: &[u8], diagnostics: Vec<Diagnostic>) {
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
    pub(super) fn locate_with(
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
    pub(super) fn position(&self, index: &LineIndex, text: &[u8], offset: usize) -> Position {
        window_position((self.line, self.column), index, text, offset)
    }

    /// Moves the column past `text`, which the line count already covers.
    pub(super) fn advance_column(&mut self, text: &[u8]) {
        match memchr::memrchr2(b'\n', b'\r', text) {
            Some(end) => self.column = bytecount::num_chars(&text[end + 1..]),
            None => self.column += bytecount::num_chars(text),
        }
    }

    /// Skips `text` (part of an oversized record), counting its lines.
    pub(super) fn skip(&mut self, text: &[u8]) {
        self.line += count_line_ends(text);
    }
}

/// Reads LDIF in windows cut at record boundaries.
pub(super) fn read_ldif_windows<T>(
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

/// Line ends in `text`, counted as [`crate::diag::line_end`] sees them.
pub(super) fn count_line_ends(text: &[u8]) -> usize {
    let lf = bytecount::count(text, b'\n');
    let cr = bytecount::count(text, b'\r');
    if cr == 0 || memchr::memmem::find_iter(text, b"\r\n").count() == cr {
        return lf;
    }
    LineIndex::new(text).line_ends()
}
