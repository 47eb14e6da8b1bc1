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

mod properties;
mod values;

use std::collections::BTreeMap;
use std::io;

use super::windows::{WindowError, Windows};
use super::{Encoding, Parsed, Projection, ReadOptions, Source};
use crate::diag::{Diagnostic, Position};
use crate::dn::Dn;
use crate::record::{Attr, Body, Record, Value};
use properties::{read_properties, Property};
use values::{i32_at, u32_at, u64_at, Budget, Damage, Kind};

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

/// One object record, located.
#[derive(Clone, Copy, Debug)]
struct Object {
    start: usize,
    table: usize,
}

/// What became of one object.
enum Read {
    Record(Record),
    NotWanted,
    Skipped,
}

struct Outcome {
    read: Read,
    diagnostics: Vec<Diagnostic>,
    spent: usize,
}

/// Attributes whose values were not decoded, per property: where first
/// seen, and in how many objects.
#[derive(Default)]
struct Notes {
    left_out: BTreeMap<usize, (usize, usize)>,
}

impl Notes {
    fn note(&mut self, property: usize, offset: usize) {
        let entry = self.left_out.entry(property).or_insert((offset, 0));
        entry.1 += 1;
    }

    fn report(self, properties: &[Property], diagnostics: &mut Vec<Diagnostic>) {
        for (property, (offset, objects)) in self.left_out {
            let Property { name, kind, .. } = &properties[property];
            let why = match kind {
                Kind::CountOnly => {
                    "is DN-with-string (ADSTYPE 28), whose values AD Explorer does not store (only \
                     their count)"
                        .to_owned()
                }
                Kind::Unknown(ads_type) => {
                    format!("has ADSTYPE {ads_type}, which exconn does not decode")
                }
                _ => continue,
            };
            diagnostics.push(Diagnostic::warning(
                offset,
                format!(
                    "attribute '{name}' {why}: its values are left out ({objects} object(s) have it)"
                ),
            ));
        }
    }
}

/// A snapshot whose header and property table have been read.
struct Snapshot<'b> {
    /// The object region: the file up to the property table.
    region: &'b [u8],
    num_objects: u32,
    num_attributes: u32,
    properties: Vec<Property>,
    /// The property index of `distinguishedName`.
    dn: usize,
    /// The property index of `objectClass`.
    class: Option<usize>,
    projection: Projection,
}

impl<'b> Snapshot<'b> {
    /// Checks the header and reads the property table; `None` when no
    /// object can be decoded (the reasons are in `diagnostics`).
    fn open(
        bytes: &'b [u8],
        projection: Projection,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Snapshot<'b>> {
        let signature = &bytes[..bytes.len().min(SIGNATURE.len())];
        if signature != SIGNATURE {
            if !super::detect::is_snapshot(signature) {
                diagnostics.push(Diagnostic::error(
                    0,
                    format!(
                        "expected an AD Explorer snapshot, which starts with the signature \
                         'win-ad-ob', found '{}'",
                        signature.escape_ascii()
                    ),
                ));
                return None;
            }
            diagnostics.push(Diagnostic::error(
                0,
                format!(
                    "the signature is '{}' instead of 'win-ad-ob': AD Explorer never finished this \
                     capture (it was stopped, or failed while writing), so objects are missing; what \
                     the file holds is read",
                    signature[..9].escape_ascii()
                ),
            ));
        }
        if bytes.len() < HEADER {
            diagnostics.push(Diagnostic::error(
                0,
                format!(
                    "expected a snapshot header of {HEADER} bytes, found a file of {} bytes: it is \
                     truncated",
                    bytes.len()
                ),
            ));
            return None;
        }
        let field = |at| u32_at(bytes, at).unwrap_or_default();
        let marker = field(AT_MARKER);
        if marker != MARKER {
            diagnostics.push(Diagnostic::error(
                AT_MARKER,
                format!(
                    "expected the format marker {MARKER:#010x}, found {marker:#010x}: a snapshot \
                     format exconn does not know, read as the known one, so what follows may be wrong"
                ),
            ));
        }
        let metadata = u64_at(bytes, AT_METADATA).unwrap_or_default();
        let size = bytes.len() as u64;
        let lowest = (HEADER + SENTINEL) as u64;
        if metadata < lowest || metadata > size.saturating_sub(4) {
            let why = if metadata < lowest {
                "the header is damaged"
            } else {
                "past the end of the file: it is truncated, or the header is damaged"
            };
            diagnostics.push(Diagnostic::error(
                AT_METADATA,
                format!(
                    "expected the offset of the property table between {lowest:#x} and {:#x} (the \
                     file has {size} bytes), found {metadata:#x}, {why}; no attribute can be decoded \
                     without that table",
                    size.saturating_sub(4)
                ),
            ));
            return None;
        }
        // metadata ≤ size, so it fits in usize.
        let end = metadata as usize;
        let properties = read_properties(bytes, end, projection, diagnostics);
        let find = |name: &str| {
            properties
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(name))
        };
        let Some(dn) = find("distinguishedName") else {
            if !properties.is_empty() {
                diagnostics.push(Diagnostic::error(
                    end,
                    "expected the property table to hold distinguishedName, found none: no object \
                     can be named",
                ));
            }
            return None;
        };
        Some(Snapshot {
            region: &bytes[..end],
            num_objects: field(AT_OBJECTS),
            num_attributes: field(AT_ATTRIBUTES),
            class: find("objectClass"),
            properties,
            dn,
            projection,
        })
    }

    /// Locates the counted objects (8 bytes read each), checks what
    /// follows them (tree-only records, the sentinel) and counts the
    /// DN-only objects. Stops at the first record that does not fit.
    fn index(&self, parsed: &mut Parsed) -> Vec<Object> {
        let end = self.region.len();
        let expected = self.num_objects as usize;
        let mut objects = Vec::with_capacity(expected.min((end - HEADER) / 16));
        let mut pos = HEADER;
        let mut attributes: u64 = 0;
        for number in 0..expected {
            match self.record_at(pos) {
                Ok((size, table)) => {
                    objects.push(Object { start: pos, table });
                    attributes += table as u64 - 1;
                    pos += size;
                }
                Err(message) => {
                    parsed.stopped(Diagnostic::error(
                        pos,
                        format!(
                            "object {} of {expected}: {message}; the objects after it cannot be \
                             located: reading stopped, {} object(s) not read",
                            number + 1,
                            expected - number - 1
                        ),
                    ));
                    parsed.skipped += 1;
                    self.dn_only(&objects, parsed);
                    return objects;
                }
            }
        }
        // Tree-only records: ancestors the capture did not return.
        while pos + SENTINEL < end {
            match self.record_at(pos) {
                Ok((size, 1)) if pos + size + SENTINEL <= end => pos += size,
                _ => break,
            }
        }
        let sentinel = &self.region[pos.min(end)..];
        if sentinel.len() != SENTINEL || sentinel.iter().any(|&b| b != 0) {
            parsed.diagnostics.push(Diagnostic::warning(
                pos,
                format!(
                    "expected the {expected} object(s) the header counts, and the records of tree \
                     ancestors, to end with {SENTINEL} zero bytes right before the property table at \
                     {end:#x}, found {} byte(s) there that are not that: the object count or the \
                     records are damaged, or objects follow that the header does not count",
                    end.saturating_sub(pos)
                ),
            ));
        }
        if attributes != u64::from(self.num_attributes) {
            parsed.diagnostics.push(Diagnostic::warning(
                AT_ATTRIBUTES,
                format!(
                    "the header counts {} attribute(s) besides the DNs, the objects hold {attributes}: \
                     the header or the records are damaged",
                    self.num_attributes
                ),
            ));
        }
        self.dn_only(&objects, parsed);
        objects
    }

    /// The size and table size of the record at `pos`, if it fits in the
    /// object region.
    fn record_at(&self, pos: usize) -> Result<(usize, usize), String> {
        let end = self.region.len();
        let (Some(size), Some(table)) = (u32_at(self.region, pos), u32_at(self.region, pos + 4))
        else {
            return Err(format!(
                "expected a record at {pos:#x}, found the end of the object region at {end:#x}"
            ));
        };
        let (size, table) = (size as usize, table as usize);
        let least = 8 + 8 * table as u64;
        if table == 0 || (size as u64) < least || size > end - pos {
            return Err(format!(
                "expected a record of at least 8 + 8 × {table} bytes, with at least the DN, ending \
                 before the property table at {end:#x}, found a size of {size} bytes"
            ));
        }
        Ok((size, table))
    }

    /// A warning counting the objects that carry only their DN: the
    /// capturing account could see them but not read them.
    fn dn_only(&self, objects: &[Object], parsed: &mut Parsed) {
        let dn_only: Vec<&Object> = objects.iter().filter(|o| o.table == 1).collect();
        let Some(first) = dn_only.first() else {
            return;
        };
        // DNs are decoded within a budget for all of them, as objects are.
        let total = AMPLIFICATION
            .saturating_mul(self.region.len())
            .max(BATCH_BYTES);
        let mut budget = Budget::new(usize::MAX, total);
        let exchange: Vec<String> = dn_only
            .iter()
            .filter_map(|object| {
                let dn = self.dn_within(object, &mut budget, &mut Vec::new()).ok()?;
                let parsed = Dn::parse(&dn).ok()?;
                (parsed.rdn_is(0, "cn", EXCHANGE) || parsed.is_under("cn", EXCHANGE)).then_some(dn)
            })
            .collect();
        let mut message = format!(
            "{} object(s) carry only their DN, without objectClass or any other attribute: the \
             account that took the snapshot could see them but not read them; they are counted, \
             but nothing else of them is known",
            dn_only.len()
        );
        if let Some(example) = exchange.first() {
            message.push_str(&format!(
                "; {} of them are under CN={EXCHANGE} (e.g. '{example}'), so the Exchange \
                 configuration read is incomplete: take the snapshot again with an account that can \
                 read the whole configuration partition",
                exchange.len()
            ));
        }
        parsed
            .diagnostics
            .push(Diagnostic::warning(first.start, message));
    }

    /// Table entry `i` of `object`: property index and block position
    /// (`Err` with the offset it would have when outside the object region).
    fn entry(&self, object: &Object, i: usize) -> (usize, Result<usize, i64>) {
        let at = object.start + 8 + 8 * i;
        // The table lies inside the record, which the index checked.
        let index = u32_at(self.region, at).unwrap_or(u32::MAX) as usize;
        let offset = i32_at(self.region, at + 4).unwrap_or_default();
        let block = object.start as i64 + i64::from(offset);
        let position = usize::try_from(block)
            .ok()
            .filter(|&b| b >= HEADER && b < self.region.len())
            .ok_or(block);
        (index, position)
    }

    fn dn_within(
        &self,
        object: &Object,
        budget: &mut Budget,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<String, Damage> {
        let (index, block) = self.entry(object, 0);
        if index != self.dn {
            let name = self.properties.get(index).map_or("?", |p| p.name.as_str());
            return Err(Damage {
                offset: object.start + 8,
                message: format!(
                    "expected the object's first attribute to be distinguishedName, found property \
                     {index} ('{name}')"
                ),
            });
        }
        let block = block.map_err(|offset| self.outside(object, 0, offset))?;
        // A DN is one string, whatever the property table says.
        let values = budget.within(1, |one| {
            values::decode(self.region, block, Kind::Strings, one, warnings)
        })?;
        let dn = values.into_iter().next().ok_or_else(|| Damage {
            offset: block,
            message: "expected a DN, found a value block without values".to_owned(),
        })?;
        String::from_utf8(dn).map_err(|_| Damage {
            offset: block,
            message: "expected a DN, found bytes that are not text".to_owned(),
        })
    }

    fn outside(&self, object: &Object, i: usize, offset: i64) -> Damage {
        Damage {
            offset: object.start + 8 + 8 * i + 4,
            message: format!(
                "expected attribute {} of the object at {:#x} to point inside the object region \
                 ({HEADER:#x} to {:#x}), found {offset:#x}",
                i + 1,
                object.start,
                self.region.len()
            ),
        }
    }

    /// Decodes one object into a record, as the projection asks.
    fn decode(&self, object: &Object, limits: Limits, notes: &mut Notes) -> Outcome {
        let mut diagnostics = Vec::new();
        let mut budget = Budget::new(limits.max_values, limits.max_record);
        let read = match self.decode_in(object, &mut budget, notes, &mut diagnostics) {
            Ok(read) => read,
            Err(damage) => {
                diagnostics.push(Diagnostic::error(
                    damage.offset,
                    format!(
                        "{}: the object at {:#x} is skipped",
                        damage.message, object.start
                    ),
                ));
                Read::Skipped
            }
        };
        Outcome {
            read,
            diagnostics,
            spent: budget.spent,
        }
    }

    fn decode_in(
        &self,
        object: &Object,
        budget: &mut Budget,
        notes: &mut Notes,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Read, Damage> {
        let dn = self.dn_within(object, budget, diagnostics)?;
        if let Projection::Only { class, .. } = self.projection {
            let Some(class_index) = self.class else {
                return Ok(Read::NotWanted);
            };
            let Some(i) = (1..object.table).find(|&i| self.entry(object, i).0 == class_index)
            else {
                return Ok(Read::NotWanted);
            };
            let block = self.entry(object, i).1;
            let block = block.map_err(|offset| self.outside(object, i, offset))?;
            let values = budget.within(usize::MAX, |classes| {
                values::decode(self.region, block, Kind::Strings, classes, diagnostics)
            })?;
            if !values.iter().any(|value| class(value)) {
                return Ok(Read::NotWanted);
            }
        } else if Dn::parse(&dn).is_err() {
            diagnostics.push(Diagnostic::warning(
                object.start,
                format!("DN '{dn}' is not a valid RFC 4514 name"),
            ));
        }
        let mut attrs = Vec::new();
        if self.properties[self.dn].keep {
            budget.values = budget.values.saturating_sub(1);
            budget.found += 1;
            attrs.push(Attr {
                name: self.properties[self.dn].name.clone(),
                value: Value::Bytes(dn.clone().into_bytes()),
            });
        }
        let mut unread = 0usize;
        let mut first_unread = None;
        for i in 1..object.table {
            let (index, block) = self.entry(object, i);
            let Some(property) = self.properties.get(index) else {
                return Err(Damage {
                    offset: object.start + 8 + 8 * i,
                    message: format!(
                        "expected attribute {} of the object at {:#x} to name one of the {} \
                         properties, found property {index}",
                        i + 1,
                        object.start,
                        self.properties.len()
                    ),
                });
            };
            let block = match block {
                Ok(block) => block,
                Err(offset) if property.keep => return Err(self.outside(object, i, offset)),
                Err(offset) => {
                    // Damage in what the analysis does not read: one
                    // warning per object, for the first.
                    unread += 1;
                    if first_unread.is_none() {
                        let damage = self.outside(object, i, offset);
                        first_unread = Some((damage, property.name.as_str()));
                    }
                    continue;
                }
            };
            if !property.keep {
                continue;
            }
            if matches!(property.kind, Kind::CountOnly | Kind::Unknown(_)) {
                if u32_at(self.region, block).is_some_and(|n| n > 0) {
                    notes.note(index, block);
                }
                continue;
            }
            let values = values::decode(self.region, block, property.kind, budget, diagnostics)?;
            attrs.extend(values.into_iter().map(|value| Attr {
                name: property.name.clone(),
                value: Value::Bytes(value),
            }));
        }
        if let Some((damage, name)) = first_unread {
            let more = match unread - 1 {
                0 => String::new(),
                more => format!(", nor {more} more of this object's attributes that point outside"),
            };
            diagnostics.push(Diagnostic::warning(
                damage.offset,
                format!("{} (attribute '{name}', not read{more})", damage.message),
            ));
        }
        if budget.found > attrs.len() {
            let max = attrs.len();
            diagnostics.push(Diagnostic::error(
                object.start,
                format!(
                    "expected at most {max} values in an entry (--max-values), found {}: the values \
                     after the first {max} are left out",
                    budget.found
                ),
            ));
        }
        Ok(Read::Record(Record {
            dn,
            offset: object.start,
            controls: Vec::new(),
            body: Body::Entry {
                attrs,
                changetype_add: false,
            },
        }))
    }
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
