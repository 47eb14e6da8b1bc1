//! Finding one's way in a snapshot: the header checked, the property table
//! read, the object records indexed (each checked to lie within the object
//! region), and the DNs of the records read.

use super::properties::{read_properties, Property};
use super::values::{self, i32_at, u32_at, u64_at, Budget, Damage, Kind};
use super::{
    Parsed, Projection, AMPLIFICATION, AT_ATTRIBUTES, AT_MARKER, AT_METADATA, AT_OBJECTS,
    BATCH_BYTES, EXCHANGE, HEADER, MARKER, SENTINEL, SIGNATURE,
};
use crate::diag::Diagnostic;
use crate::dn::Dn;

/// One object record, located.
#[derive(Clone, Copy, Debug)]
pub(super) struct Object {
    pub(super) start: usize,
    pub(super) table: usize,
}

/// A snapshot whose header and property table have been read.
pub(super) struct Snapshot<'b> {
    /// The object region: the file up to the property table.
    pub(super) region: &'b [u8],
    pub(super) num_objects: u32,
    pub(super) num_attributes: u32,
    pub(super) properties: Vec<Property>,
    /// The property index of `distinguishedName`.
    pub(super) dn: usize,
    /// The property index of `objectClass`.
    pub(super) class: Option<usize>,
    pub(super) projection: Projection,
}

impl<'b> Snapshot<'b> {
    /// Checks the header and reads the property table; `None` when no
    /// object can be decoded (the reasons are in `diagnostics`).
    pub(super) fn open(
        bytes: &'b [u8],
        projection: Projection,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Snapshot<'b>> {
        let signature = &bytes[..bytes.len().min(SIGNATURE.len())];
        if signature != SIGNATURE {
            if !crate::input::detect::is_snapshot(signature) {
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
    pub(super) fn index(&self, parsed: &mut Parsed) -> Vec<Object> {
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
    pub(super) fn dn_only(&self, objects: &[Object], parsed: &mut Parsed) {
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
    pub(super) fn entry(&self, object: &Object, i: usize) -> (usize, Result<usize, i64>) {
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

    pub(super) fn dn_within(
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

    pub(super) fn outside(&self, object: &Object, i: usize, offset: i64) -> Damage {
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
}
