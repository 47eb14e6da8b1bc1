//! From PowerShell objects to records: the attributes of a raw directory
//! object or the properties of cmdlet output, the directory objects nested
//! in a top-level one, each value counted against `--max-values` and the
//! expansion the text allows.

use std::collections::VecDeque;
use std::rc::Rc;

use super::super::expansion::{self, Expansion};
use super::decode::{PsObject, PsValue};
use super::MIN_EXPANSION;
use crate::diag::Diagnostic;
use crate::record::{Attr, Body, Record, Value};

/// The directory objects held anywhere inside `top` (a HealthChecker
/// capture holds the Send connectors at
/// `OrganizationInformation.GetSendConnector[i]`), outermost first:
/// objects with a DistinguishedName that are not mere references
/// (`ADObjectId`). Each object is walked through once in the whole
/// stream, so an object reached again through a `Ref` (from this object
/// or a later one) gives no second record and costs no second walk.
pub(super) fn nested_directory_objects(top: &Rc<PsObject>) -> Vec<Rc<PsObject>> {
    let mut found = Vec::new();
    if top.walked.replace(true) {
        return found;
    }
    let mut pending: VecDeque<&PsValue> = top
        .props
        .iter()
        .map(|(_, value)| value)
        .chain(top.content.as_deref())
        .collect();
    while let Some(value) = pending.pop_front() {
        match value {
            PsValue::List(items) => pending.extend(items),
            PsValue::Dict(entries) => pending.extend(entries.iter().map(|(_, v)| v)),
            PsValue::Object(object) => {
                if object.walked.replace(true) || object.is("ADObjectId") {
                    continue;
                }
                if object_dn(object).is_some() {
                    found.push(Rc::clone(object));
                }
                pending.extend(object.props.iter().map(|(_, value)| value));
                pending.extend(object.content.as_deref());
            }
            PsValue::Null | PsValue::Text(_) | PsValue::Bytes(_) => {}
        }
    }
    found
}

/// An object's own DistinguishedName property.
fn object_dn(object: &PsObject) -> Option<String> {
    text_of(object.prop("DistinguishedName")).filter(|dn| dn.contains('='))
}

/// Properties that describe the serialization, not the object.
const NOISE: &[&str] = &[
    "SerializationData",
    "PSComputerName",
    "RunspaceId",
    "PSShowComputerName",
    "PropertyNames",
    "AddedProperties",
    "ModifiedProperties",
    "RemovedProperties",
    "PropertyCount",
];

/// Builds the record of an object, its values through `values`.
pub(super) fn record_of(object: &PsObject, values: &mut Values<'_>) -> Record {
    let mut empty = Vec::new();
    let dn = if object.is("System.DirectoryServices.SearchResult") {
        for (key, value) in dict_entries(object.prop("Properties")) {
            values.push_all(&key, &value, object.offset);
        }
        values
            .text("distinguishedname")
            .or_else(|| text_of(object.prop("Path")).map(|p| strip_ldap_path(&p)))
            .unwrap_or_default()
    } else {
        let raw_directory = object.is("System.DirectoryServices.DirectoryEntry")
            || object.is("Microsoft.ActiveDirectory.Management.");
        for (name, value) in &object.props {
            if NOISE.iter().any(|noise| noise.eq_ignore_ascii_case(name)) {
                continue;
            }
            if raw_directory && name.eq_ignore_ascii_case("Path") {
                continue;
            }
            if !values.push_all(name, value, object.offset)
                && !raw_directory
                && is_empty_collection(value)
            {
                empty.push(name.clone());
            }
        }
        values
            .text("distinguishedName")
            .or_else(|| object.prop("Identity").and_then(object_id_dn))
            .unwrap_or_default()
    };
    // What the file says of a cmdlet object besides its properties: its
    // type names, and the properties it holds as empty collections
    // (present, no value). Raw directory objects keep LDAP's shape.
    let raw_directory = object.is("System.DirectoryServices.")
        || object.is("Microsoft.ActiveDirectory.Management.");
    let types: &[String] = if raw_directory { &[] } else { &object.types };
    for name in types {
        values.push("PSTypeNames", || Value::Bytes(name.clone().into_bytes()));
    }
    for name in empty {
        values.push("PSEmptyProperties", || Value::Bytes(name.into_bytes()));
    }
    Record {
        dn,
        offset: object.offset,
        controls: Vec::new(),
        body: Body::Entry {
            attrs: std::mem::take(&mut values.attrs),
            changetype_add: false,
        },
    }
}

fn dict_entries(value: Option<&PsValue>) -> Vec<(String, PsValue)> {
    let dict = match value {
        Some(PsValue::Object(object)) => object.content.as_deref(),
        Some(other) => Some(other),
        None => None,
    };
    match dict {
        Some(PsValue::Dict(entries)) => entries
            .iter()
            .filter_map(|(key, value)| text_of(Some(key)).map(|key| (key, value.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

/// `LDAP://server/CN=…` or `LDAP://CN=…` → `CN=…`.
fn strip_ldap_path(path: &str) -> String {
    let rest = path
        .strip_prefix("LDAP://")
        .or_else(|| path.strip_prefix("GC://"))
        .unwrap_or(path);
    match rest.split_once('/') {
        Some((server, dn)) if !server.contains('=') => dn.to_owned(),
        _ => rest.to_owned(),
    }
}

fn text_of(value: Option<&PsValue>) -> Option<String> {
    match value? {
        PsValue::Text(text) => Some(text.clone()),
        PsValue::Object(object) => object.to_string.clone(),
        _ => None,
    }
}

/// An empty list (or an object holding one), or `Nil`.
fn is_empty_collection(value: &PsValue) -> bool {
    let collection = match value {
        PsValue::Object(object) => object.content.as_deref(),
        other => Some(other),
    };
    match collection {
        Some(PsValue::List(items)) => items.is_empty(),
        Some(PsValue::Dict(entries)) => entries.is_empty(),
        Some(PsValue::Null) => true,
        None => matches!(value, PsValue::Object(o) if o.props.is_empty() && o.to_string.is_none()),
        _ => false,
    }
}

/// The DistinguishedName of an `ADObjectId`.
fn object_id_dn(value: &PsValue) -> Option<String> {
    match value {
        PsValue::Object(object) if object.is("ADObjectId") => {
            text_of(object.prop("DistinguishedName")).filter(|dn| !dn.is_empty())
        }
        _ => None,
    }
}

/// The values of one record as they are found: at most `max` are kept,
/// and each costs its bytes and its name against the stream's expansion.
pub(super) struct Values<'s> {
    pub(super) attrs: Vec<Attr>,
    pub(super) max: usize,
    /// Values found, kept or not.
    pub(super) found: usize,
    /// Values serialized as `System.__ComObject`, whose content is lost.
    pub(super) lost: usize,
    pub(super) expansion: &'s mut Expansion,
    pub(super) text_read: u64,
    /// The expansion is spent: nothing more is kept.
    pub(super) exhausted: bool,
    pub(super) diagnostics: &'s mut Vec<Diagnostic>,
}

impl Values<'_> {
    /// Adds one attribute pair per value of `value` (a property of the
    /// object at `at`); false when it has none. A name longer than
    /// [`crate::input::MAX_DESCRIPTION`] is an error, and its values are left out.
    fn push_all(&mut self, name: &str, value: &PsValue, at: usize) -> bool {
        if let Some(overlong) = crate::input::overlong_description(at, name) {
            self.diagnostics.push(overlong);
            return true;
        }
        let before = self.found;
        let collection = match value {
            PsValue::Object(object) => object.content.as_deref().unwrap_or(value),
            other => other,
        };
        match collection {
            PsValue::List(items) => items.iter().for_each(|item| self.scalar(name, item)),
            PsValue::Dict(entries) => entries.iter().for_each(|(_, v)| self.scalar(name, v)),
            _ => self.scalar(name, value),
        }
        self.found > before
    }

    /// One item as one value: text, bytes, an ADObjectId's DN, an object's
    /// ToString or its primitive content. Nested collections are not spread
    /// (a property is one level of values), which also keeps a chain of
    /// `Ref`s from multiplying into an exponential number of values.
    fn scalar(&mut self, name: &str, value: &PsValue) {
        match value {
            PsValue::Null | PsValue::List(_) | PsValue::Dict(_) => {}
            PsValue::Text(text) => self.push(name, || Value::Bytes(text.clone().into_bytes())),
            PsValue::Bytes(bytes) => self.push(name, || Value::Bytes(bytes.clone())),
            PsValue::Object(object) => {
                if object.is("System.__ComObject") {
                    self.lost += 1;
                } else if let Some(dn) = object_id_dn(value) {
                    self.push(name, || Value::Bytes(dn.into_bytes()));
                } else if let Some(text) = &object.to_string {
                    self.push(name, || Value::Bytes(text.clone().into_bytes()));
                } else if let Some(PsValue::Text(text)) = object.content.as_deref() {
                    self.push(name, || Value::Bytes(text.clone().into_bytes()));
                }
            }
        }
    }

    /// Counts a value of `name`, and keeps it while there is room.
    pub(super) fn push(&mut self, name: &str, value: impl FnOnce() -> Value) {
        self.found += 1;
        if self.exhausted || self.attrs.len() >= self.max {
            return;
        }
        let value = value();
        let cost = expansion::cost(name, &value);
        if !self.expansion.spend(cost, self.text_read, MIN_EXPANSION) {
            self.exhausted = true;
            return;
        }
        self.attrs.push(Attr {
            name: name.to_owned(),
            value,
        });
    }

    /// The first value of `name` (any case) kept so far, as text.
    pub(super) fn text(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .and_then(|a| a.value.as_text())
            .map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldap_paths_lose_scheme_and_server() {
        assert_eq!(strip_ldap_path("LDAP://dc01/CN=a,DC=x"), "CN=a,DC=x");
        assert_eq!(strip_ldap_path("LDAP://CN=a,DC=x"), "CN=a,DC=x");
    }
}
