//! Inputs parsed in one piece: a `ConvertTo-Json` document is one value, so
//! it is read to its end and parsed once (cmdlet output is small: a few
//! hundred objects at most), then its records go on like a window's.

use std::io;

use super::windows::{WindowError, Windows};
use super::{json, ReadOptions, Source};
use crate::diag::Diagnostic;
use crate::record::Record;

/// Reads the rest of a JSON document whose first text is `window` (`more`
/// when the source holds more), then parses it whole.
pub(super) fn read_json_whole<T>(
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
    let parsed = json::read(&window, options.projection);
    out.take(&window, parsed, map, sink)
        .map_err(WindowError::Sink)
}
