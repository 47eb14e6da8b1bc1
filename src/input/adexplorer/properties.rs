//! The property table of a snapshot (at `metadataOffset`): each property's
//! name and how its value blocks are encoded, which drives the decoding of
//! every object; the projection is applied here, by index, up front.

use super::values::{i32_at, u32_at, Damage, Kind};
use super::MIN_PROPERTY;
use crate::diag::Diagnostic;
use crate::input::Projection;

/// One property of the table.
#[derive(Debug)]
pub(super) struct Property {
    /// The lDAPDisplayName, as the table spells it.
    pub(super) name: String,
    /// How its blocks are encoded.
    pub(super) kind: Kind,
    /// Whether the projection keeps it.
    pub(super) keep: bool,
}

/// Reads the property table at `at` (every property's name and encoding;
/// the schema DN and GUIDs are skipped). Stops at the first property that
/// does not fit, keeping those before it.
pub(super) fn read_properties(
    bytes: &[u8],
    at: usize,
    projection: Projection,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Property> {
    let count = u32_at(bytes, at).unwrap_or_default() as usize;
    let room = (bytes.len() - at - 4) / MIN_PROPERTY;
    if count > room {
        diagnostics.push(Diagnostic::error(
            at,
            format!(
                "expected a property count that fits in the rest of the file (at most {room}), found \
                 {count}: the table is damaged; the properties that can be read are read"
            ),
        ));
    }
    let mut properties = Vec::with_capacity(count.min(room));
    let mut pos = at + 4;
    for number in 0..count {
        match read_property(bytes, pos) {
            Ok((name, syntax, ads_type, next)) => {
                let overlong = crate::input::overlong_description(pos, &name);
                let valid = overlong.is_none() && is_attribute_name(&name);
                if let Some(overlong) = overlong {
                    diagnostics.push(overlong);
                } else if !valid {
                    diagnostics.push(Diagnostic::error(
                        pos,
                        format!(
                            "property {} of {count}: expected an attribute name (a letter, then \
                             letters, digits and hyphens), found '{}': its values are not read",
                            number + 1,
                            name.escape_debug()
                        ),
                    ));
                }
                properties.push(Property {
                    keep: valid && projection.keeps(name.as_bytes()),
                    kind: Kind::of(syntax, ads_type),
                    name,
                });
                pos = next;
            }
            Err(damage) => {
                diagnostics.push(Diagnostic::error(
                    damage.offset,
                    format!(
                        "property {} of {count}: {}; the properties after it are unknown, and objects \
                         that use them are skipped",
                        number + 1,
                        damage.message
                    ),
                ));
                break;
            }
        }
    }
    if count == 0 {
        diagnostics.push(Diagnostic::error(
            at,
            "expected a property table (the forest's schema), found an empty one: no attribute can \
             be decoded",
        ));
    }
    properties
}

/// Whether `name` can be an attribute's lDAPDisplayName (and so be written
/// as LDIF again): a letter, then letters, digits and hyphens; not `dn`.
pub(super) fn is_attribute_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.eq_ignore_ascii_case("dn")
}

/// One property record: name, syntax, ADSTYPE, and where the next starts.
fn read_property(bytes: &[u8], at: usize) -> Result<(String, i32, u32, usize), Damage> {
    let (name, pos) = lstr(bytes, at)?;
    let fields = |pos: usize| Some((i32_at(bytes, pos)?, u32_at(bytes, pos + 4)?));
    let (syntax, ads_type) = fields(pos).ok_or_else(|| Damage {
        offset: pos,
        message: "expected the syntax and ADSTYPE of the property, found the end of the file"
            .to_owned(),
    })?;
    let (_schema_dn, pos) = lstr(bytes, pos + 8)?;
    let next = pos + 16 + 16 + 4;
    if next > bytes.len() {
        return Err(Damage {
            offset: pos,
            message:
                "expected the GUIDs and display hint of the property, found the end of the file"
                    .to_owned(),
        });
    }
    Ok((name, syntax, ads_type, next))
}

/// A length-prefixed UTF-16LE string (the length in bytes includes a
/// final NUL, which is stripped), and the position after it.
fn lstr(bytes: &[u8], at: usize) -> Result<(String, usize), Damage> {
    let length = u32_at(bytes, at).ok_or_else(|| Damage {
        offset: at,
        message: "expected a string length, found the end of the file".to_owned(),
    })? as usize;
    let start = at + 4;
    if length % 2 != 0 || length > bytes.len() - start {
        return Err(Damage {
            offset: at,
            message: format!(
                "expected an even byte length of a UTF-16 string that fits in the file, found {length}"
            ),
        });
    }
    let units = bytes[start..start + length]
        .chunks_exact(2)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    while text.ends_with('\0') {
        text.pop();
    }
    Ok((text, start + length))
}
