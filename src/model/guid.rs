//! Object GUIDs, read from `objectGUID` (16 bytes, or text) or the
//! cmdlets' `Guid`/`ObjectGuid`, as [`Uuid`]s (shown in Active
//! Directory's text form: lower case, hyphenated).

use uuid::Uuid;

use super::attributes as attr;
use crate::record::{Record, Value};

/// The object's GUID from `objectGUID` (16 bytes, or text) or the cmdlet's
/// `Guid`/`ObjectGuid`. The all-zero GUID is no GUID.
pub(super) fn object_guid(record: &Record) -> Option<Uuid> {
    attr::GUID
        .iter()
        .flat_map(|name| record.values(name))
        .find_map(|value| match value {
            Value::Bytes(bytes) => guid(bytes),
            Value::Url(_) => None,
        })
}

/// A GUID as text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, any case, in
/// braces or not: CLIXML, JSON and CSV exports) or as the 16 bytes of
/// `objectGUID` (LDIF, DSML, AD Explorer snapshots), whose first three
/// fields are little-endian: Active Directory's text form shows them
/// byte-swapped, as [`Uuid::from_bytes_le`] reads them.
pub(super) fn guid(bytes: &[u8]) -> Option<Uuid> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .map(|t| t.trim().trim_start_matches('{').trim_end_matches('}'));
    let guid = match text {
        Some(text) if text.len() == 36 => Uuid::from_bytes(hex_bytes(text)?),
        _ => Uuid::from_bytes_le(bytes.try_into().ok()?),
    };
    (!guid.is_nil()).then_some(guid)
}

/// The 16 bytes the first 32 hex digits of `text` spell, hyphens left out.
fn hex_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
