//! The JSON reader: `ConvertTo-Json` output of cmdlets, as records.
//!
//! A document is one object or an array of objects (Windows PowerShell 5.1
//! may wrap an array as `{"value": [...], "Count": N}`); each object becomes
//! one record whose attributes are its properties, named as the cmdlet
//! names them, as the CLIXML reader makes of cmdlet objects. A property
//! holding an array gives one value per item; an empty one (`[]`, `null`)
//! is named in `PSEmptyProperties`; a `PSTypeNames` property, when a script
//! wrote one, is kept as the object's type names. Values are text: numbers (enums, in
//! 5.1) in decimal, booleans `True`/`False`, 5.1's `"\/Date(ms)\/"` as an
//! ISO 8601 instant, a nested object as its `DistinguishedName` (an
//! `ADObjectId`), else its `Name`; an object with neither gives no value.
//!
//! What `ConvertTo-Json` cut at its depth (`-Depth`, 2 by default) is
//! written as the object's type name (`Microsoft.Exchange.Data.Directory.ADObjectId`,
//! `System.Collections.ArrayList`): such a value is lost, never a name; a
//! property with a lost value gives no value and is named in
//! `PSLostProperties` (and in a warning), so the record does not claim to
//! know it.
//!
//! [`parse`] holds the whole document; a document that does not parse to
//! its end (cut, damaged) gives no record and is not whole. Each record
//! is located where its object starts in a top-level array (else at the
//! document's start).

use serde_json::{Map, Value as Json};

use super::{type_name, Parsed, Projection};
use crate::diag::Diagnostic;
use crate::record::{Attr, Body, Record, Value};

/// Properties that describe the remoting session, not the object.
const NOISE: &[&str] = &["PSComputerName", "RunspaceId", "PSShowComputerName"];

/// Reads a whole `ConvertTo-Json` document, keeping everything.
pub fn parse(text: &[u8]) -> Parsed {
    read(text, Projection::All)
}

/// Reads a whole `ConvertTo-Json` document, keeping the properties
/// `projection` wants.
pub fn read(text: &[u8], projection: Projection) -> Parsed {
    let mut parsed = Parsed {
        line_ends: super::windows::count_line_ends(text),
        ..Parsed::default()
    };
    let document: Json = match serde_json::from_slice(text) {
        Ok(document) => document,
        Err(error) => {
            parsed.stopped(not_parsed(text, &error));
            return parsed;
        }
    };
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let starts = item_starts(text);
    let mut lost = Vec::new();
    for (index, item) in top_level(document).into_iter().enumerate() {
        let at = starts.get(index).copied().unwrap_or(start);
        match item {
            Json::Object(object) => {
                parsed.read += 1;
                let (record, diagnostics) = record_of(&object, at, projection, &mut lost);
                parsed.records.push(record);
                parsed.diagnostics.extend(diagnostics);
            }
            other => {
                parsed.skipped += 1;
                parsed.diagnostics.push(Diagnostic::error(
                    at,
                    format!(
                        "expected an object (one cmdlet output object), found {}: skipped",
                        kind(&other)
                    ),
                ));
            }
        }
    }
    if !lost.is_empty() {
        lost.sort();
        lost.dedup();
        parsed.diagnostics.push(Diagnostic::warning(
            start,
            format!(
                "expected values, found type names where ConvertTo-Json stopped at its depth \
                 ({}): left out; export with ConvertTo-Json -Depth 4 or Export-Clixml",
                lost.join(", ")
            ),
        ));
    }
    parsed
}

/// The error about a document that does not parse to its end.
fn not_parsed(text: &[u8], error: &serde_json::Error) -> Diagnostic {
    let at = offset_at(text, error.line(), error.column());
    let reason = if error.is_eof() {
        "the document ends before its last value closes: the export was cut".to_owned()
    } else {
        format!("{error}")
    };
    Diagnostic::error(
        at,
        format!("expected a whole JSON document, found {reason}: nothing read"),
    )
}

/// The byte offset of a 1-based line and column (of bytes), within `text`.
fn offset_at(text: &[u8], line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(<[u8]>::len)
        .sum::<usize>();
    (line_start + column.saturating_sub(1)).min(text.len().saturating_sub(1))
}

/// Where each item of a top-level array starts, for the records' offsets
/// (a light scan of brackets outside strings); empty when the document is
/// not an array.
fn item_starts(text: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let (mut in_string, mut escaped, mut expecting) = (false, false, false);
    for (at, &b) in text.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        if b.is_ascii_whitespace() {
            continue;
        }
        if expecting {
            starts.push(at);
            expecting = false;
        }
        match b {
            b'"' => in_string = true,
            b'{' if depth == 0 => return Vec::new(),
            b'[' if depth == 0 => {
                depth = 1;
                expecting = true;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting = true,
            _ => {}
        }
    }
    starts
}

/// The objects of the document: the items of an array (or of 5.1's
/// wrapped array), else the document itself.
fn top_level(document: Json) -> Vec<Json> {
    match unwrapped(document) {
        Json::Array(items) => items,
        other => vec![other],
    }
}

/// Windows PowerShell 5.1 writes an array or a date that carries extended
/// properties as an object: `{"value": …, "Count": N}`, `{"value": …,
/// "DisplayHint": 2, "DateTime": "…"}`. Such an object stands for its value.
fn unwrapped(value: Json) -> Json {
    match value {
        Json::Object(mut object) if is_wrapper(&object) => {
            object.remove("value").unwrap_or(Json::Null)
        }
        other => other,
    }
}

fn is_wrapper(object: &Map<String, Json>) -> bool {
    const BESIDE_VALUE: [&str; 3] = ["Count", "DisplayHint", "DateTime"];
    object.contains_key("value")
        && object
            .keys()
            .all(|key| key == "value" || BESIDE_VALUE.iter().any(|b| key.eq_ignore_ascii_case(b)))
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// The record of one object (at `offset`), with the errors about it; the
/// names of properties whose values were all type names go to `lost`.
fn record_of(
    object: &Map<String, Json>,
    offset: usize,
    projection: Projection,
    lost: &mut Vec<String>,
) -> (Record, Vec<Diagnostic>) {
    let mut attrs = Vec::new();
    let mut empty = Vec::new();
    let mut cut = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, value) in object {
        if NOISE.iter().any(|noise| noise.eq_ignore_ascii_case(name))
            || !projection.keeps(name.as_bytes())
        {
            continue;
        }
        if let Some(overlong) = super::overlong_description(offset, name) {
            diagnostics.push(overlong);
            continue;
        }
        let found = if name == "PSTypeNames" {
            type_names(value)
        } else {
            property(value)
        };
        match found {
            Property::Values(values) => attrs.extend(values.into_iter().map(|text| Attr {
                name: name.clone(),
                value: Value::Bytes(text.into_bytes()),
            })),
            Property::Empty => empty.push(name.clone()),
            Property::Lost => cut.push(name.clone()),
            Property::Unknown => {}
        }
    }
    attrs.extend(named("PSEmptyProperties", &empty));
    attrs.extend(named("PSLostProperties", &cut));
    lost.extend(cut);
    let record = Record {
        dn: dn_of(object).unwrap_or_default(),
        offset,
        controls: Vec::new(),
        body: Body::Entry {
            attrs,
            changetype_add: false,
        },
    };
    (record, diagnostics)
}

/// A `PSTypeNames` property a script wrote: type names are its values.
fn type_names(value: &Json) -> Property {
    let names: Vec<String> = match value {
        Json::String(name) => vec![name.clone()],
        Json::Array(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    if names.is_empty() {
        Property::Unknown
    } else {
        Property::Values(names)
    }
}

/// One attribute `kind` per name of `names`: what the document says of
/// properties beside their values.
fn named<'n>(kind: &'n str, names: &'n [String]) -> impl Iterator<Item = Attr> + 'n {
    names.iter().map(move |name| Attr {
        name: kind.to_owned(),
        value: Value::Bytes(name.clone().into_bytes()),
    })
}

/// The object's DN: its `DistinguishedName`, else its `Identity`'s.
fn dn_of(object: &Map<String, Json>) -> Option<String> {
    let text = |value: Option<&Json>| match value {
        Some(Json::String(text)) if text.contains('=') => Some(text.clone()),
        _ => None,
    };
    text(object.get("DistinguishedName")).or_else(|| match object.get("Identity") {
        Some(Json::Object(identity)) => text(identity.get("DistinguishedName")),
        _ => None,
    })
}

/// What one property says: a list of which one item was cut is lost as a
/// whole (what is left would read as the whole list).
#[derive(Debug, PartialEq)]
enum Property {
    /// Its values, as text.
    Values(Vec<String>),
    /// Present without a value: `null`, `[]`.
    Empty,
    /// Only type names: the values were cut at the depth.
    Lost,
    /// Only objects without a name: nothing to keep.
    Unknown,
}

fn property(value: &Json) -> Property {
    let value = match value {
        Json::Object(object) if is_wrapper(object) => object.get("value").unwrap_or(&Json::Null),
        other => other,
    };
    let items: Vec<Item> = match value {
        Json::Null => return Property::Empty,
        Json::Array(items) if items.is_empty() => return Property::Empty,
        Json::Array(items) => items.iter().map(item).collect(),
        other => vec![item(other)],
    };
    let texts: Vec<String> = items
        .iter()
        .filter_map(|item| match item {
            Item::Text(text) => Some(text.clone()),
            _ => None,
        })
        .collect();
    if items.contains(&Item::Lost) {
        Property::Lost
    } else if !texts.is_empty() {
        Property::Values(texts)
    } else {
        Property::Unknown
    }
}

/// What one value is.
#[derive(Debug, PartialEq)]
enum Item {
    Text(String),
    /// A type name where the serializer stopped.
    Lost,
    /// Nothing to keep (`null`, a nested array, an object without a name).
    Nothing,
}

fn item(value: &Json) -> Item {
    match value {
        Json::Null | Json::Array(_) => Item::Nothing,
        Json::Bool(true) => Item::Text("True".to_owned()),
        Json::Bool(false) => Item::Text("False".to_owned()),
        Json::Number(number) => Item::Text(number.to_string()),
        Json::String(text) if type_name::is_type_name(text) => Item::Lost,
        Json::String(text) => Item::Text(json_date(text).unwrap_or_else(|| text.clone())),
        Json::Object(object) if is_wrapper(object) => {
            object.get("value").map_or(Item::Nothing, item)
        }
        Json::Object(object) => ["DistinguishedName", "Name"]
            .iter()
            .find_map(|key| match object.get(*key) {
                Some(Json::String(text)) if !text.is_empty() => Some(Item::Text(text.clone())),
                _ => None,
            })
            .unwrap_or(Item::Nothing),
    }
}

/// 5.1's `/Date(1700000000000)/` (milliseconds since 1970, UTC, perhaps
/// followed by an offset such as `+0100`) as an ISO 8601 instant.
fn json_date(text: &str) -> Option<String> {
    let inner = text.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let digits_end = inner
        .char_indices()
        .find(|&(at, c)| !(c.is_ascii_digit() || (at == 0 && c == '-')))
        .map_or(inner.len(), |(at, _)| at);
    let (millis, zone) = inner.split_at(digits_end);
    let zone_ok = zone.is_empty()
        || (zone.len() == 5
            && zone.starts_with(['+', '-'])
            && zone[1..].bytes().all(|b| b.is_ascii_digit()));
    if !zone_ok {
        return None;
    }
    let instant = jiff::Timestamp::from_millisecond(millis.parse().ok()?).ok()?;
    Some(instant.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::texts;

    #[test]
    fn windows_powershell_shapes_become_cmdlet_records() {
        let text = br#"[
    {
        "Name":  "Internet",
        "DistinguishedName":  "CN=Internet,CN=Connections,DC=x",
        "Enabled":  true,
        "Port":  25,
        "AddressSpaces":  ["SMTP:*;1"],
        "SourceTransportServers":  {"value": [{"Name": "EX01", "DistinguishedName": "CN=EX01,CN=Servers,DC=x"}, "EX02"], "Count": 2},
        "SmartHosts":  [],
        "WhenChanged":  "\/Date(1700000000000)\/",
        "PSComputerName":  "ex01"
    },
    {
        "Name":  "Cut",
        "SourceTransportServers":  "Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[Microsoft.Exchange.Data.Directory.ADObjectId]",
        "AddressSpaces":  ["System.Collections.ArrayList"]
    }
]"#;
        let parsed = parse(text);
        assert!(parsed.incomplete.is_empty());
        assert_eq!(parsed.records.len(), 2);
        let internet = &parsed.records[0];
        assert_eq!(internet.dn, "CN=Internet,CN=Connections,DC=x");
        assert_eq!(
            texts(internet, "SourceTransportServers"),
            ["CN=EX01,CN=Servers,DC=x", "EX02"]
        );
        assert_eq!(texts(internet, "Enabled"), ["True"]);
        assert_eq!(texts(internet, "Port"), ["25"]);
        assert_eq!(texts(internet, "WhenChanged"), ["2023-11-14T22:13:20Z"]);
        assert_eq!(texts(internet, "PSEmptyProperties"), ["SmartHosts"]);
        assert!(texts(internet, "PSComputerName").is_empty());
        let partly = parse(br#"{"SourceTransportServers": ["EX01", "System.Object[]"]}"#);
        assert!(texts(&partly.records[0], "SourceTransportServers").is_empty());
        let cut = &parsed.records[1];
        assert!(texts(cut, "SourceTransportServers").is_empty());
        assert!(texts(cut, "AddressSpaces").is_empty());
        assert!(texts(cut, "PSEmptyProperties").is_empty());
        assert_eq!(
            texts(cut, "PSLostProperties"),
            ["AddressSpaces", "SourceTransportServers"]
        );
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0]
            .message
            .contains("AddressSpaces, SourceTransportServers"));
    }

    #[test]
    fn records_start_where_their_objects_do() {
        let text = b"[\r\n  {\"Name\": \"a]\\\",\"},\r\n  [1, {}],\r\n  {\"Name\": \"b\"}\r\n]";
        let parsed = parse(text);
        let starts: Vec<usize> = parsed.records.iter().map(|r| r.offset).collect();
        assert_eq!(starts, [5, 39]);
        assert_eq!(parsed.diagnostics[0].offset, 27);
        assert_eq!(&text[39..42], b"{\"N");
    }

    #[test]
    fn type_names_a_script_wrote_are_kept() {
        let parsed = parse(
            br#"{"Name": "a", "PSTypeNames": ["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"]}"#,
        );
        assert_eq!(
            texts(&parsed.records[0], "PSTypeNames"),
            ["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"]
        );
        assert!(parsed.diagnostics.is_empty());
    }

    #[test]
    fn a_single_object_is_one_record() {
        let parsed = parse(b"{\"Name\": \"EX01\", \"ServerRole\": 38}");
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(texts(&parsed.records[0], "ServerRole"), ["38"]);
        assert_eq!(parsed.records[0].dn, "");
    }

    #[test]
    fn a_cut_document_is_not_whole() {
        let parsed = parse(b"[{\"Name\": \"a\"}, {\"Name\": \"b");
        assert!(parsed.records.is_empty());
        assert_eq!(parsed.incomplete.len(), 1);
        assert!(parsed.incomplete[0].message.contains("was cut"));
        let damaged = parse(b"[{\"Name\": \"a\"} x]");
        assert!(damaged.incomplete[0]
            .message
            .contains("whole JSON document"));
    }

    #[test]
    fn values_other_than_objects_are_skipped() {
        let parsed = parse(b"[1, {\"Name\": \"a\"}]");
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.skipped, 1);
        assert!(parsed.diagnostics[0].message.contains("found a number"));
    }

    #[test]
    fn dates_read_with_or_without_an_offset() {
        assert_eq!(
            json_date("/Date(1700000000000+0100)/").as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(json_date("/Date(x)/"), None);
        assert_eq!(json_date("2023-11-14T22:13:20Z"), None);
    }
}
