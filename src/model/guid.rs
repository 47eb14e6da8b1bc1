//! Object GUIDs, read from `objectGUID` (16 bytes, or text) or the
//! cmdlets' `Guid`/`ObjectGuid`.

use super::attributes as attr;
use crate::record::{Record, Value};

/// The object's GUID from `objectGUID` (16 bytes, or text) or the cmdlet's
/// `Guid`/`ObjectGuid`, as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
/// (lower case; the first three fields little-endian in the binary form,
/// as Active Directory shows them). The all-zero GUID is no GUID.
pub(super) fn object_guid(record: &Record) -> Option<String> {
    attr::GUID
        .iter()
        .flat_map(|name| record.values(name))
        .find_map(|value| match value {
            Value::Bytes(bytes) => guid_text(bytes),
            Value::Url(_) => None,
        })
}

pub(super) fn guid_text(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .map(|t| t.trim().trim_start_matches('{').trim_end_matches('}'));
    let guid: [u8; 16] = match text {
        Some(text) if text.len() == 36 => {
            let hex: String = text.chars().filter(|c| *c != '-').collect();
            let mut out = [0u8; 16];
            for (i, byte) in out.iter_mut().enumerate() {
                *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            out
        }
        _ => {
            let raw: [u8; 16] = bytes.try_into().ok()?;
            let mut out = raw;
            out[..4].reverse();
            out[4..6].reverse();
            out[6..8].reverse();
            out
        }
    };
    if guid == [0; 16] {
        return None;
    }
    let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}
