//! The `sources` report as JSON (the documented contract, `schema_version: 1`).

use std::io::{self, Write};

use super::SourcesReport;

/// Renders the JSON document: pretty, or compact on one line when
/// `lines` (JSON Lines, one document per organization).
pub fn write_json(out: &mut impl Write, report: &SourcesReport, lines: bool) -> io::Result<()> {
    if lines {
        serde_json::to_writer(&mut *out, report)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, report)?;
    }
    writeln!(out)
}
