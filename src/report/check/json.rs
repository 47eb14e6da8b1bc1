//! `check`'s answer as one JSON document (`schema_version: 1`).

use std::io::{self, Write};

use super::CheckView;

/// Writes the answer as one JSON document.
pub fn write_json(out: &mut impl Write, view: &CheckView) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, view)?;
    writeln!(out)
}
