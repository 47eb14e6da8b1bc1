//! Sysinternals AD Explorer snapshots (`.dat`, File → Create Snapshot).
//!
//! A snapshot holds every object of the domain, configuration and schema
//! naming contexts that the capturing account could see, with every
//! attribute it could read. The layout (little-endian, nothing aligned):
//!
//! - a 0x43E-byte header: the signature `win-ad-ob` (`win-ad-XX` while the
//!   capture runs, or when it never finished), the marker `0x00010001`, the
//!   capture time, description and server, the object count, and the 64-bit
//!   offsets of the property table and of the tree index;
//! - the object records from 0x43E: each `u32 size`, `u32 tableSize`, a
//!   table of (`u32` property index, `i32` offset from the record's start)
//!   whose first entry is the DN, and value blocks. Blocks are
//!   deduplicated: an offset may point to an identical block of an earlier
//!   record (negative) or of the same one;
//! - records of tree ancestors that the capture did not return (DN only,
//!   not counted), then 8 zero bytes;
//! - the property table: the forest's whole schema, each attribute with
//!   the `adsType` that says how its blocks are encoded (see `values`);
//!   classes, rights and the tree index follow, which exconn does not need.
//!
//! Blocks are addressed anywhere in the object region, so the reader works
//! on the whole file in memory ([`parse`]; `read_source` holds the file
//! while it is read, the analogue of mapping it). Every offset, count and
//! length is checked against the file before it is used: a damaged or
//! hostile file gives diagnostics at byte offsets, never a panic, and what
//! is decoded is bounded by `--max-values`, `--max-record-size` and
//! [`AMPLIFICATION`] times the file's size. Only the attributes the
//! projection keeps are decoded (the property table names them up front).
//! Records go out in batches, so memory for records stays bounded.
//!
//! `snapshot` checks the header, reads the property table (`properties`)
//! and indexes the object records; `decode` turns an object into a record
//! through `values`, which decodes each block by its `adsType`.

mod decode;
mod properties;
mod snapshot;
mod values;

use std::io;

use super::windows::{WindowError, Windows};
use super::{Encoding, Parsed, Projection, ReadOptions, Source};
use crate::diag::{Diagnostic, Position};
use crate::record::Record;
use decode::{Notes, Read};
use snapshot::Snapshot;

/// Size of the header: the first object record starts here.
pub const HEADER: usize = 0x43E;
/// The signature of a finished capture.
const SIGNATURE: &[u8; 10] = b"win-ad-ob\0";
/// The only format marker known.
const MARKER: u32 = 0x0001_0001;
/// Header fields.
const AT_MARKER: usize = 0x00A;
const AT_OBJECTS: usize = 0x426;
const AT_ATTRIBUTES: usize = 0x42A;
const AT_METADATA: usize = 0x42E;
/// The end of the object region: 8 zero bytes before the property table.
const SENTINEL: usize = 8;
/// Records handed on at a time.
pub const BATCH_RECORDS: usize = 10_000;
/// Decoded bytes handed on at a time (approximately).
const BATCH_BYTES: usize = 64 << 20;
/// The most a snapshot may decode to, in times its size (and at least
/// [`BATCH_BYTES`]): deduplicated blocks let a small file name the same
/// large block over and over; a genuine one decodes to less than its size.
pub const AMPLIFICATION: usize = 16;
/// The smallest property record: two empty strings, the syntax, the
/// ADSTYPE, two GUIDs and the display hint.
const MIN_PROPERTY: usize = 4 + 4 + 4 + 4 + 16 + 16 + 4;
/// The container whose unreadable objects make the Exchange configuration
/// read incomplete (named in the warning about DN-only objects).
const EXCHANGE: &str = "Microsoft Exchange";

/// The limits of one read: values per object and bytes per object.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most values one object keeps (`--max-values`).
    pub max_values: usize,
    /// The most bytes one object decodes to (`--max-record-size`).
    pub max_record: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_values: super::MAX_VALUES,
            max_record: super::MAX_RECORD,
        }
    }
}

/// Reads a whole snapshot: its records (DN-only objects included, with
/// their `distinguishedName` only) and diagnostics at byte offsets.
pub fn parse(bytes: &[u8], projection: Projection) -> Parsed {
    parse_with(bytes, projection, Limits::default())
}

/// [`parse`] with other limits.
pub fn parse_with(bytes: &[u8], projection: Projection, limits: Limits) -> Parsed {
    let mut all = Parsed::default();
    let _ = read(bytes, projection, limits, |part| {
        all.absorb(part, 0);
        Ok(())
    });
    all
}

/// `read_source` for a snapshot: reads the rest of the input into memory,
/// then hands the records on in batches.
pub(super) fn read_windows<T>(
    source: &mut Source,
    options: &ReadOptions,
    mut bytes: Vec<u8>,
    more: bool,
    out: &mut Windows<'_>,
    map: &mut impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: &mut impl FnMut(T) -> io::Result<()>,
) -> Result<(), WindowError> {
    let mut too_large = None;
    if more {
        if let (Some(size), None) = (source.size, source.compression) {
            let size = usize::try_from(size).unwrap_or(usize::MAX);
            bytes.reserve_exact(size.saturating_sub(bytes.len()));
        }
        let limit = held_limit(source.size, source.compression.is_some());
        let filled = source.fill(&mut bytes, limit).map_err(WindowError::Read)?;
        if filled && !source.buffered().map_err(WindowError::Read)?.is_empty() {
            too_large = Some(limit);
        }
    }
    if let Some(limit) = too_large {
        let mut parsed = Parsed::default();
        parsed.stopped(Diagnostic::error(
            0,
            format!(
                "expected a snapshot that expands to at most {} MiB ({EXPANSION} times the \
                 compressed file, or {} MiB from a stream), found more: a compression bomb, or a \
                 snapshot to decompress before reading; not read",
                limit >> 20,
                STREAM_LIMIT >> 20
            ),
        ));
        let (mapped, diagnostics) = out.count_and_map(parsed, map);
        out.locate_with(diagnostics, Position::offset);
        return sink(mapped).map_err(WindowError::Sink);
    }
    // Read byte for byte, unless the source found a byte-order mark or
    // UTF-16 (not a snapshot, then: the reader will say so).
    if out.info.encoding == Encoding::Utf8 {
        out.info.encoding = Encoding::Binary;
    }
    let limits = Limits {
        max_values: options.max_values,
        max_record: options.max_record,
    };
    read(&bytes, options.projection, limits, |parsed| {
        let (mapped, diagnostics) = out.count_and_map(parsed, map);
        out.locate_with(diagnostics, Position::offset);
        sink(mapped)
    })
    .map_err(WindowError::Sink)
}

/// The most a compressed snapshot may expand to, as a multiple of the
/// compressed file (snapshots compress a few times, not hundreds).
const EXPANSION: usize = 64;
/// The most a snapshot read from a stream of unknown size may hold.
const STREAM_LIMIT: usize = 4 << 30;

/// How much of a snapshot is held: all of a plain file (its size is
/// known); at most [`EXPANSION`] times a compressed file (and 256 MiB at
/// least); at most [`STREAM_LIMIT`] from a stream.
fn held_limit(size: Option<u64>, compressed: bool) -> usize {
    match size.map(|size| usize::try_from(size).unwrap_or(usize::MAX)) {
        Some(_) if !compressed => usize::MAX,
        Some(size) => size.saturating_mul(EXPANSION).max(256 << 20),
        None => STREAM_LIMIT,
    }
}

/// Reads `bytes`, handing each batch to `each` (offsets are file offsets).
pub(super) fn read(
    bytes: &[u8],
    projection: Projection,
    limits: Limits,
    mut each: impl FnMut(Parsed) -> io::Result<()>,
) -> io::Result<()> {
    let mut batch = Parsed::default();
    let opened = Snapshot::open(bytes, projection, &mut batch.diagnostics);
    // Every error about the file as a whole (an unfinished capture, a
    // header that points past the end) means it does not hold all it should.
    batch.incomplete = batch
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::diag::Severity::Error)
        .cloned()
        .collect();
    let Some(snapshot) = opened else {
        return each(batch);
    };
    let objects = snapshot.index(&mut batch);
    let total_budget = AMPLIFICATION.saturating_mul(bytes.len()).max(BATCH_BYTES);
    let mut spent = 0usize;
    let mut batch_spent = 0usize;
    let mut notes = Notes::default();
    for (number, object) in objects.iter().enumerate() {
        let outcome = snapshot.decode(object, limits, &mut notes);
        spent = spent.saturating_add(outcome.spent);
        batch_spent = batch_spent.saturating_add(outcome.spent);
        batch.diagnostics.extend(outcome.diagnostics);
        match outcome.read {
            Read::Record(record) => {
                batch.read += 1;
                batch.records.push(record);
            }
            Read::NotWanted => batch.read += 1,
            Read::Skipped => batch.skipped += 1,
        }
        if spent > total_budget {
            let left = objects.len() - number - 1;
            batch.stopped(Diagnostic::error(
                object.start,
                format!(
                    "expected the values of a snapshot to decode to at most {AMPLIFICATION} times its \
                     size, found more by object {} at {:#x}: the file is damaged or made to exhaust \
                     memory; reading stopped, {left} object(s) not read",
                    number + 1,
                    object.start
                ),
            ));
            break;
        }
        if batch.records.len() >= BATCH_RECORDS || batch_spent >= BATCH_BYTES {
            each(std::mem::take(&mut batch))?;
            batch_spent = 0;
        }
    }
    notes.report(&snapshot.properties, &mut batch.diagnostics);
    each(batch)
}

#[cfg(test)]
mod tests;

/// Byte builders the reader's tests share: UTF-16LE strings as a snapshot
/// stores them, and a block of string values with its offsets.
#[cfg(test)]
mod test_bytes {
    /// `text` as UTF-16LE with its terminating zero.
    pub(super) fn utf16z(text: &str) -> Vec<u8> {
        text.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    /// A length-prefixed UTF-16LE string.
    pub(super) fn lstr(text: &str) -> Vec<u8> {
        let bytes = utf16z(text);
        let mut out = (bytes.len() as u32).to_le_bytes().to_vec();
        out.extend(bytes);
        out
    }

    /// A string value block: the count, each value's offset from the block
    /// start, then the values.
    pub(super) fn strings(values: &[&str]) -> Vec<u8> {
        let mut block = (values.len() as u32).to_le_bytes().to_vec();
        let mut offset = 4 + 4 * values.len();
        let mut data = Vec::new();
        for value in values {
            block.extend((offset as i32).to_le_bytes());
            let bytes = utf16z(value);
            offset += bytes.len();
            data.extend(bytes);
        }
        block.extend(data);
        block
    }
}
