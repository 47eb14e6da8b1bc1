//! Reading in windows: LDIF cut at record boundaries, each window parsed
//! in parallel and handed on in input order, and `Windows`, which keeps the
//! line and column where each window starts so that every diagnostic is
//! located with its true position in the input.

use std::io;

use super::{ldif, InputInfo, Parsed, ReadOptions, Source, DETECT};
use crate::diag::{Diagnostic, LineColumn, LineIndex, Located, Position};
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
    /// The signs of an input that is not whole found by the last
    /// [`Windows::count_and_map`], located with its diagnostics.
    pub(super) pending_incomplete: Vec<Diagnostic>,
    /// `ldapsearch` `result:` blocks read so far.
    pub(super) search_results: usize,
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
        self.pending_incomplete.extend(parsed.incomplete);
        self.search_results += parsed.search_results;
        (mapped, diagnostics)
    }

    pub(super) fn locate(&mut self, text: &[u8], diagnostics: Vec<Diagnostic>) {
        if diagnostics.is_empty() && self.pending_incomplete.is_empty() {
            return;
        }
        let index = LineIndex::new(text);
        let start = (self.line, self.column);
        self.locate_with(diagnostics, |offset| {
            Position::Line(window_position(start, &index, text, offset))
        });
    }

    /// Locates diagnostics with `position`, in offset order.
    pub(super) fn locate_with(
        &mut self,
        mut diagnostics: Vec<Diagnostic>,
        position: impl Fn(usize) -> Position,
    ) {
        diagnostics.sort_by_key(|d| d.offset);
        let incomplete = std::mem::take(&mut self.pending_incomplete);
        let name = &self.info.name;
        let locate = |diagnostic: Diagnostic| Located {
            file: name.clone(),
            position: position(diagnostic.offset),
            severity: diagnostic.severity,
            message: diagnostic.message,
        };
        let incomplete: Vec<Located> = incomplete.into_iter().map(locate).collect();
        let located: Vec<Located> = diagnostics.into_iter().map(locate).collect();
        self.info.diagnostics.extend(located);
        self.info.incomplete.extend(incomplete);
    }

    /// The position in the input of `offset` in the next window's `text`.
    pub(super) fn position(&self, index: &LineIndex, text: &[u8], offset: usize) -> LineColumn {
        window_position((self.line, self.column), index, text, offset)
    }

    /// Moves the column past `text`, which the line count already covers.
    pub(super) fn advance_column(&mut self, text: &[u8]) {
        match memchr::memrchr2(b'\n', b'\r', text) {
            Some(end) => self.column = bytecount::num_chars(&text[end + 1..]),
            None => self.column += bytecount::num_chars(text),
        }
    }

    /// Notes that the input is not whole, at `position`.
    pub(super) fn not_whole(&mut self, position: Position, reason: &str) {
        self.info.incomplete.push(Located {
            file: self.info.name.clone(),
            position,
            severity: crate::diag::Severity::Error,
            message: reason.to_owned(),
        });
    }

    /// Skips `text` (part of an oversized record), counting its lines.
    pub(super) fn skip(&mut self, text: &[u8]) {
        self.line += count_line_ends(text);
    }
}

/// Reads LDIF in windows cut at record boundaries, parsed where the source
/// decoded them: only a record that straddles two blocks is copied (into
/// `carry`, with the rest of it from the next block).
pub(super) fn read_ldif_windows<T>(
    source: &mut Source,
    options: &ReadOptions,
    head: Vec<u8>,
    more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    let mut reader = LdifWindows {
        options,
        out,
        map,
        sink,
        at_start: true,
        discarding: false,
    };
    // What was read but not parsed: the start of a record whose end is
    // still to come (never a whole record followed by an empty line).
    let mut carry = head;
    let parsed = reader.parse_records(&carry, !more)?;
    if !more {
        reader.check_end(&carry);
    }
    carry.drain(..parsed);
    loop {
        let block = source.buffered().map_err(WindowError::Read)?;
        let len = block.len();
        if len == 0 {
            reader.parse_records(&carry, true)?;
            if more {
                reader.check_end(&carry);
            }
            return Ok(());
        }
        if reader.discarding {
            // Inside an oversized record: drop bytes up to the next empty line.
            let cut = ldif::first_record_boundary(block);
            let skipped = cut.unwrap_or(len);
            reader.out.skip(&block[..skipped]);
            reader.discarding = cut.is_none();
            source.consume(skipped);
            continue;
        }
        if !carry.is_empty() {
            // Complete the carried record with the head of this block.
            let cut = first_boundary_after(&carry, block);
            let taken = cut.unwrap_or(len);
            carry.extend_from_slice(&block[..taken]);
            source.consume(taken);
            if cut.is_some() {
                reader.parse_records(&carry, true)?;
                carry.clear();
            } else if carry.len() > options.max_record {
                reader.parse_records(&carry, false)?;
                carry.clear();
            }
            continue;
        }
        let parsed = reader.parse_records(block, false)?;
        if !reader.discarding {
            carry.extend_from_slice(&block[parsed..]);
        }
        source.consume(len);
        if carry.len() > options.max_record {
            reader.parse_records(&carry, false)?;
            carry.clear();
        }
    }
}

/// Where the first record of `block` ends, counting an empty line whose
/// line end started at the end of `before` (a CR LF split between blocks).
fn first_boundary_after(before: &[u8], block: &[u8]) -> Option<usize> {
    let tail = &before[before.len().saturating_sub(3)..];
    let mut seam = tail.to_vec();
    seam.extend_from_slice(&block[..block.len().min(3)]);
    match ldif::first_record_boundary(&seam) {
        Some(cut) if cut > tail.len() => Some(cut - tail.len()),
        _ => ldif::first_record_boundary(block),
    }
}

/// The most entries Active Directory returns to a search without paging
/// (its default `MaxPageSize`).
const AD_PAGE_SIZE: usize = 1000;

/// Parses LDIF text handed over in pieces of whole records.
struct LdifWindows<'r, 'w, M, S> {
    options: &'r ReadOptions,
    out: &'r mut Windows<'w>,
    map: &'r mut M,
    sink: &'r mut S,
    /// Whether the next window starts the file (only it may hold `version:`).
    at_start: bool,
    /// Inside an oversized record: bytes up to the next empty line are skipped.
    discarding: bool,
}

impl<T, M, S> LdifWindows<'_, '_, M, S>
where
    M: FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    S: FnMut(T) -> io::Result<()>,
{
    /// Parses the whole records at the start of `text`, in windows of about
    /// `options.window` bytes cut at empty lines (all of `text` when `all`:
    /// it ends the input, or it ends with an empty line); returns how many
    /// bytes were parsed.
    fn parse_records(&mut self, text: &[u8], all: bool) -> Result<usize, WindowError> {
        let mut done = 0;
        while done < text.len() && !self.discarding {
            let rest = &text[done..];
            let max = self.options.max_record;
            if rest.len() > max && ldif::first_record_boundary(&rest[..max]).is_none() {
                // The record starting here is oversized: skip it.
                self.oversized(&rest[..max]);
                let end = ldif::first_record_boundary(rest);
                let skipped = end.unwrap_or(rest.len());
                self.out.skip(&rest[..skipped]);
                self.discarding = end.is_none();
                done += skipped;
                continue;
            }
            let cut = if rest.len() <= self.options.window {
                if all {
                    Some(rest.len())
                } else {
                    ldif::last_record_boundary(rest)
                }
            } else {
                ldif::last_record_boundary(&rest[..self.options.window])
                    .or_else(|| ldif::first_record_boundary(rest))
                    .or(all.then_some(rest.len()))
            };
            let Some(cut) = cut.filter(|&cut| cut > 0) else {
                break;
            };
            self.parse(&rest[..cut])?;
            done += cut;
        }
        Ok(done)
    }

    /// Notes an input whose last text (`tail`, what followed the last
    /// record boundary) shows it did not reach its proper end.
    fn check_end(&mut self, tail: &[u8]) {
        if self.discarding {
            return;
        }
        let at_end = Position::Line(LineColumn {
            line: self.out.line,
            column: 1,
        });
        if let Some(reason) = ldif::unfinished_end(tail) {
            self.out.not_whole(at_end, reason);
        }
        let entries = self.out.info.entries;
        match ldif::trailer_entries(tail) {
            Some(said) if said != entries => self.out.not_whole(
                at_end,
                &format!(
                    "expected the {said} entries the ldapsearch trailer (# numEntries) counts, \
                     found {entries}: entries are missing"
                ),
            ),
            None if entries == AD_PAGE_SIZE && self.out.search_results == 0 => {
                self.out.info.diagnostics.push(Located {
                    file: self.out.info.name.clone(),
                    position: at_end,
                    severity: crate::diag::Severity::Warning,
                    message: format!(
                        "exactly {AD_PAGE_SIZE} entries, Active Directory's MaxPageSize: if this is \
                         ldapsearch output without its trailer (-LLL), the search may have stopped \
                         at the limit; export with the paged-results control \
                         (ldapsearch -E pr=1000/noprompt) to be sure"
                    ),
                });
            }
            _ => {}
        }
    }

    fn parse(&mut self, text: &[u8]) -> Result<(), WindowError> {
        let parsed = ldif::parse_window(
            text,
            self.at_start,
            self.options.projection,
            self.options.max_values,
        );
        // Comments before `version:` do not end the start of the file.
        self.at_start = self.at_start && ldif::holds_only_comments(text);
        self.out
            .take(text, parsed, self.map, self.sink)
            .map_err(WindowError::Sink)
    }

    /// Reports a record longer than `--max-record-size` (whose start is
    /// `text`); the caller skips it.
    fn oversized(&mut self, text: &[u8]) {
        let diagnostic = Diagnostic::error(
            0,
            format!(
                "expected records separated by empty lines, found more than {} KiB without one: \
                 skipped up to the next empty line",
                self.options.max_record >> 10
            ),
        );
        self.out
            .locate(&text[..text.len().min(DETECT)], vec![diagnostic]);
        self.out.info.skipped += 1;
        self.at_start = false;
    }
}

/// Leaves out the values of entries beyond the first `max`, with an error
/// for each entry cut.
fn cap_values(records: &mut [Record], max: usize) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for record in records {
        if let crate::record::Body::Entry { attrs, .. } = &mut record.body {
            if attrs.len() > max {
                diagnostics.push(super::too_many_values(record.offset, max, attrs.len()));
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
) -> LineColumn {
    let within = index.position(text, offset);
    LineColumn {
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
