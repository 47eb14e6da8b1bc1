//! Reading XML (DSML, CLIXML) in windows: `xml_split` cuts the record
//! elements out of each window, they are parsed in parallel and handed on
//! in input order; the skeleton around them is read last.

use super::windows::{count_line_ends, WindowError, Windows};
use super::xml_split::{Piece, Splitter};
use super::{clixml, dsml, xml, Format, Parsed, ReadOptions, Source};
use std::io;

use crate::diag::{Diagnostic, LineColumn, LineIndex, Position};
use crate::record::Record;

/// Reads DSML or CLIXML in windows: records are cut out by the splitter
/// and parsed in parallel; the skeleton around them is kept and read last.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_xml_windows<T>(
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
    let mut objects = clixml::Stream::new(options.projection, options.max_values);
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
            _ => clixml_records(text, &pieces, done, options, &mut objects),
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
        LineColumn {
            line: out.line,
            column: out.column + 1,
        },
    ));
    let mut parsed = match format {
        Format::Dsml => dsml::document(&skeleton.text, options.max_depth),
        _ => objects.finish(&skeleton.text, options.max_depth),
    };
    if skeleton.full {
        parsed.incomplete.push(Diagnostic::error(
            skeleton.text.len(),
            "the document around the records outgrew its limit: its end was not read",
        ));
    } else if let Some((at, reason)) = xml::unfinished_document(&skeleton.text) {
        parsed.incomplete.push(Diagnostic::error(at, reason));
    }
    let (mapped, diagnostics) = out.count_and_map(parsed, map);
    out.locate_with(diagnostics, |offset| {
        Position::Line(skeleton.position(offset))
    });
    sink(mapped).map_err(WindowError::Sink)
}

/// Parses a window's DSML records in parallel.
fn dsml_records(text: &[u8], pieces: &[Piece], options: &ReadOptions) -> Parsed {
    use rayon::prelude::*;
    let ranges = record_ranges(pieces);
    let parts: Vec<Parsed> = ranges
        .par_iter()
        .with_min_len(16)
        .map(|range| dsml::entry(&text[range.clone()], options))
        .collect();
    let mut parsed = Parsed::default();
    for (part, range) in parts.into_iter().zip(&ranges) {
        parsed.absorb(part, range.start);
    }
    parsed
}

/// Parses a window's CLIXML records in parallel, a MiB at a time, and
/// decodes them in order (references span records).
fn clixml_records(
    text: &[u8],
    pieces: &[Piece],
    window_start: u64,
    options: &ReadOptions,
    objects: &mut clixml::Stream,
) -> Parsed {
    use rayon::prelude::*;
    // The element trees of a batch are held until decoded: 1 MiB of text
    // keeps them small (4 MiB batches cost 10 MB more and ran slower).
    const BATCH: usize = 1 << 20;
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
            .map(|range| clixml::tree(&text[range.clone()], options.max_depth, options.max_values))
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
    marks: Vec<(usize, LineColumn)>,
    /// Pieces were dropped once the skeleton reached its limit.
    full: bool,
}

impl Skeleton {
    /// The most text kept outside records.
    const LIMIT: usize = 16 << 20;

    /// Appends a piece that starts at `at`; fails (once) with the limit
    /// when it is reached.
    fn push(&mut self, piece: &[u8], at: LineColumn) -> Result<(), usize> {
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
    fn position(&self, offset: usize) -> LineColumn {
        let offset = offset.min(self.text.len());
        let i = self.marks.partition_point(|(at, _)| *at <= offset);
        let Some(&(at, start)) = i.checked_sub(1).and_then(|i| self.marks.get(i)) else {
            return LineColumn::START;
        };
        let piece = &self.text[at..offset];
        let within = LineIndex::new(piece).position(piece, piece.len());
        if within.line == 1 {
            LineColumn {
                line: start.line,
                column: start.column + within.column - 1,
            }
        } else {
            LineColumn {
                line: start.line + within.line - 1,
                column: within.column,
            }
        }
    }
}
