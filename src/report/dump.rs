//! `exconn dump` output: records as JSON Lines or as LDIF again.
//!
//! The JSON Lines shape is a stable contract (see README): one object per
//! record, values as strings when they are UTF-8, `{"base64": …}` otherwise,
//! `{"url": …}` for URLs that were not read. The LDIF writer emits RFC 2849
//! with base64 wherever SAFE-STRING requires it, and for every value or DN
//! with a control character, so that reading its output gives back the same
//! records. A URL is percent-encoded where it is not printable ASCII (as the
//! LDIF reader already holds it), and an attribute name LDIF cannot hold has
//! its control characters escaped: no control character reaches a terminal.

use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Serialize;

use crate::record::{percent_encoded, Attr, Body, Control, Modification, Record, Value};
use crate::visible;

#[derive(Serialize)]
#[serde(untagged)]
enum JsonValue<'a> {
    Text(&'a str),
    Base64 { base64: String },
    Url { url: &'a str },
}

impl<'a> From<&'a Value> for JsonValue<'a> {
    fn from(value: &'a Value) -> Self {
        match value {
            Value::Bytes(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => JsonValue::Text(text),
                Err(_) => JsonValue::Base64 {
                    base64: BASE64.encode(bytes),
                },
            },
            Value::Url(url) => JsonValue::Url { url },
        }
    }
}

#[derive(Serialize)]
struct JsonControl<'a> {
    oid: &'a str,
    critical: bool,
    value: Option<JsonValue<'a>>,
}

#[derive(Serialize)]
struct JsonChange<'a> {
    op: &'static str,
    attr: &'a str,
    values: Vec<JsonValue<'a>>,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    dn: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    changetype: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attrs: Option<Vec<(&'a str, JsonValue<'a>)>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Vec<JsonChange<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    newrdn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleteoldrdn: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    newsuperior: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    controls: Option<Vec<JsonControl<'a>>>,
}

impl<'a> JsonRecord<'a> {
    fn new(record: &'a Record) -> Self {
        let mut json = JsonRecord {
            dn: &record.dn,
            changetype: None,
            attrs: None,
            changes: None,
            newrdn: None,
            deleteoldrdn: None,
            newsuperior: None,
            controls: (!record.controls.is_empty())
                .then(|| record.controls.iter().map(json_control).collect()),
        };
        match &record.body {
            Body::Entry {
                attrs,
                changetype_add,
            } => {
                json.changetype = changetype_add.then_some("add");
                json.attrs = Some(
                    attrs
                        .iter()
                        .map(|a| (a.name.as_str(), JsonValue::from(&a.value)))
                        .collect(),
                );
            }
            Body::Delete => json.changetype = Some("delete"),
            Body::Modify(changes) => {
                json.changetype = Some("modify");
                json.changes = Some(changes.iter().map(json_change).collect());
            }
            Body::Rename {
                keyword,
                new_rdn,
                delete_old_rdn,
                new_superior,
            } => {
                json.changetype = Some(keyword.keyword());
                json.newrdn = Some(new_rdn);
                json.deleteoldrdn = Some(*delete_old_rdn);
                json.newsuperior = Some(new_superior.as_deref());
            }
        }
        json
    }
}

fn json_control(control: &Control) -> JsonControl<'_> {
    JsonControl {
        oid: &control.oid,
        critical: control.critical,
        value: control.value.as_ref().map(JsonValue::from),
    }
}

fn json_change(change: &Modification) -> JsonChange<'_> {
    JsonChange {
        op: change.op.keyword(),
        attr: &change.attr,
        values: change.values.iter().map(JsonValue::from).collect(),
    }
}

/// Writes one record as a JSON line.
pub fn write_jsonl(out: &mut impl Write, record: &Record) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &JsonRecord::new(record))?;
    out.write_all(b"\n")
}

/// Writes the `version: 1` line that starts an LDIF file.
pub fn write_ldif_header(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"version: 1\n\n")
}

/// Writes one record as LDIF, followed by an empty line (as `ldifde` and
/// `ldapsearch` do, so that what is written reads back as a whole export).
pub fn write_ldif(out: &mut impl Write, record: &Record) -> io::Result<()> {
    write_line(out, "dn", &Value::Bytes(record.dn.as_bytes().to_vec()))?;
    for control in &record.controls {
        write!(
            out,
            "control: {} {}",
            visible::text(&control.oid),
            control.critical
        )?;
        match &control.value {
            None => out.write_all(b"\n")?,
            Some(value) => write_value(out, value)?,
        }
    }
    match &record.body {
        Body::Entry {
            attrs,
            changetype_add,
        } => {
            if *changetype_add {
                out.write_all(b"changetype: add\n")?;
            }
            write_attrs(out, attrs)?;
        }
        Body::Delete => out.write_all(b"changetype: delete\n")?,
        Body::Modify(changes) => {
            out.write_all(b"changetype: modify\n")?;
            for change in changes {
                writeln!(
                    out,
                    "{}: {}",
                    change.op.keyword(),
                    visible::text(&change.attr)
                )?;
                for value in &change.values {
                    write_line(out, &change.attr, value)?;
                }
                out.write_all(b"-\n")?;
            }
        }
        Body::Rename {
            keyword,
            new_rdn,
            delete_old_rdn,
            new_superior,
        } => {
            writeln!(out, "changetype: {}", keyword.keyword())?;
            write_line(out, "newrdn", &Value::Bytes(new_rdn.as_bytes().to_vec()))?;
            writeln!(out, "deleteoldrdn: {}", u8::from(*delete_old_rdn))?;
            if let Some(superior) = new_superior {
                write_line(
                    out,
                    "newsuperior",
                    &Value::Bytes(superior.as_bytes().to_vec()),
                )?;
            }
        }
    }
    out.write_all(b"\n")
}

fn write_attrs(out: &mut impl Write, attrs: &[Attr]) -> io::Result<()> {
    attrs
        .iter()
        .try_for_each(|attr| write_line(out, &attr.name, &attr.value))
}

/// Writes `name` and its value. A name with a control, bidi or
/// line-separator character (which a CLIXML property or a snapshot may have,
/// and LDIF cannot hold) is written escaped (`visible::text`): an LDIF reader
/// reports the line instead of a terminal acting on it.
fn write_line(out: &mut impl Write, name: &str, value: &Value) -> io::Result<()> {
    out.write_all(visible::text(name).as_bytes())?;
    write_value(out, value)
}

/// Writes `: value`, `:: base64` or `:< url` and the line end.
fn write_value(out: &mut impl Write, value: &Value) -> io::Result<()> {
    match value {
        Value::Bytes(bytes) if is_safe_string(bytes) => {
            out.write_all(b": ")?;
            out.write_all(bytes)?;
        }
        Value::Bytes(bytes) => {
            out.write_all(b":: ")?;
            out.write_all(BASE64.encode(bytes).as_bytes())?;
        }
        Value::Url(url) => {
            out.write_all(b":< ")?;
            out.write_all(percent_encoded(url.as_bytes()).as_bytes())?;
        }
    }
    out.write_all(b"\n")
}

/// Whether a value may be written as it is: RFC 2849 SAFE-STRING without
/// any control character (tab, ESC, DEL and the rest, which SAFE-STRING
/// allows but a terminal would act on) and without a trailing space (which
/// RFC 2849 says SHOULD be base64). Anything else, non-ASCII included, is
/// written as base64.
fn is_safe_string(bytes: &[u8]) -> bool {
    let safe_start = !matches!(bytes.first(), Some(b' ' | b':' | b'<'));
    let safe_chars = bytes.iter().all(|&b| matches!(b, 0x20..=0x7E));
    safe_start && safe_chars && bytes.last() != Some(&b' ')
}
