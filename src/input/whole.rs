//! Inputs parsed in one piece: a `ConvertTo-Json` document is one value,
//! and `Export-Csv` output is small too (cmdlet output: a few hundred
//! objects at most), so each is read to its end and parsed once, then its
//! records go on like a window's.

use std::io;

use super::windows::{WindowError, Windows};
use super::{cmdlet_csv, json, Format, ReadOptions, Source};
use crate::diag::Diagnostic;
use crate::record::Record;

/// Reads the rest of a document whose first text is `window` (`more` when
/// the source holds more), then parses it whole as its format says.
pub(super) fn read_whole<T>(
    source: &mut Source,
    options: &ReadOptions,
    mut window: Vec<u8>,
    mut more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    while more {
        let target = window.len() + options.window.max(super::DETECT);
        more = source
            .fill(&mut window, target)
            .map_err(WindowError::Read)?;
    }
    let parse = match out.info.format {
        Format::CmdletCsv => cmdlet_csv::read,
        _ => json::read,
    };
    let parsed = parse(&window, options.projection);
    out.take(&window, parsed, map, sink)
        .map_err(WindowError::Sink)
}
