//! The `inventory` report as JSON (the view itself, `schema_version: 1`).

use std::io::{self, Write};

use super::InventoryView;

/// Writes the inventory as one JSON document: pretty, or compact on one
/// line when `lines` (JSON Lines, one document per organization).
pub fn write_json(out: &mut impl Write, view: &InventoryView, lines: bool) -> io::Result<()> {
    if lines {
        serde_json::to_writer(&mut *out, view)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, view)?;
    }
    out.write_all(b"\n")
}
