//! csvde exports window by window: the header row first, then windows of
//! whole rows (cut at a line end outside quotes), each parsed in parallel
//! and handed on in input order, so memory does not grow with the file.

use std::io;

use super::csvde::{self, Header};
use super::windows::{WindowError, Windows};
use super::{Parsed, ReadOptions, Source};
use crate::diag::Diagnostic;
use crate::record::Record;

/// Reads a csvde export whose first text is `window` (`more` when the
/// source holds more).
pub(super) fn read_csvde_windows<T>(
    source: &mut Source,
    options: &ReadOptions,
    mut window: Vec<u8>,
    mut more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    let mut header: Option<Header> = None;
    loop {
        if more && window.len() < options.window {
            more = source
                .fill(&mut window, options.window)
                .map_err(WindowError::Read)?;
        }
        let cut = match header {
            None => csvde::first_row_end(&window),
            Some(_) => csvde::last_row_end(&window),
        };
        let cut = match (cut, more) {
            (Some(cut), _) => cut,
            (None, false) => window.len(),
            (None, true) if window.len() > options.max_record => {
                return oversized(&window, options, out, map, sink).map_err(WindowError::Sink);
            }
            (None, true) => {
                let target = window.len() + options.window;
                more = source
                    .fill(&mut window, target)
                    .map_err(WindowError::Read)?;
                continue;
            }
        };
        let last = !more && cut == window.len();
        let text = &window[..cut];
        let parsed = match &header {
            Some(header) => csvde::rows(text, header, last),
            None => match csvde::header(text, options.projection, options.max_values) {
                Ok(read) => {
                    header = Some(read);
                    header_row(text, last)
                }
                Err(error) => {
                    let mut parsed = Parsed::default();
                    parsed.stopped(error);
                    out.take(text, parsed, map, sink)
                        .map_err(WindowError::Sink)?;
                    return Ok(());
                }
            },
        };
        out.take(text, parsed, map, sink)
            .map_err(WindowError::Sink)?;
        window.drain(..cut);
        if !more && window.is_empty() {
            return Ok(());
        }
    }
}

/// What reading the header row `text` gives: its line count, and, when it
/// ends the input without a line end, the sign that the input was cut.
fn header_row(text: &[u8], last: bool) -> Parsed {
    let mut parsed = Parsed {
        line_ends: super::windows::count_line_ends(text),
        ..Parsed::default()
    };
    let whole = csvde::first_row_end(text).unwrap_or(0);
    if let Some(reason) = last.then(|| csvde::unfinished_end(text, whole)).flatten() {
        parsed
            .incomplete
            .push(Diagnostic::error(text.len(), reason));
    }
    parsed
}

/// Stops reading at a row longer than `--max-record-size` (`text` is its
/// start): an error, and the input is not whole.
fn oversized<T>(
    text: &[u8],
    options: &ReadOptions,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> io::Result<()> {
    let mut parsed = Parsed::default();
    parsed.stopped(Diagnostic::error(
        0,
        format!(
            "expected rows of at most {} KiB (--max-record-size), found a longer one \
             (a quoted field that never closes?): reading stopped",
            options.max_record >> 10
        ),
    ));
    parsed.skipped = 1;
    out.take(&text[..text.len().min(super::DETECT)], parsed, map, sink)
}
