//! Reading a record's values by name: every lookup names the LDAP
//! attribute first, then the cmdlet property.

use super::attributes as attr;
use crate::record::{Record, Value};

/// Whether the record holds any of `names` (LDAP name or cmdlet property),
/// empty collections included.
pub(super) fn has_property(record: &Record, names: &[&str]) -> bool {
    names.iter().any(|name| {
        record.values(name).next().is_some()
            || record
                .values(attr::PS_EMPTY_PROPERTIES[0])
                .filter_map(Value::as_text)
                .any(|empty| empty.eq_ignore_ascii_case(name))
    })
}

/// Whether the record names the property `name` among those whose values
/// the export lost.
pub(super) fn lost_property(record: &Record, name: &str) -> bool {
    record
        .values(attr::PS_LOST_PROPERTIES[0])
        .filter_map(Value::as_text)
        .any(|lost| lost.eq_ignore_ascii_case(name))
}

/// The text values of the first of `names` (LDAP name, then cmdlet property) present.
pub(super) fn texts(record: &Record, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            record
                .values(name)
                .filter_map(|v| v.as_text())
                .map(|t| t.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .find(|values| !values.is_empty())
        .unwrap_or_default()
}

/// The first non-empty text value among `names`.
pub(super) fn first(record: &Record, names: &[&str]) -> Option<String> {
    texts(record, names).into_iter().find(|t| !t.is_empty())
}

pub(super) fn flag(record: &Record, names: &[&str]) -> Option<bool> {
    let text = first(record, names)?;
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

pub(super) fn number(record: &Record, names: &[&str]) -> Option<i64> {
    first(record, names)?.parse().ok()
}
