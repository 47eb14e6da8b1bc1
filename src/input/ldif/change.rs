//! LDIF change records (RFC 2849 §4): `control:` lines, `changetype:
//! add|delete|modify|modrdn|moddn` and their bodies.

use super::lines::{
    decode_base64, is_attribute_description, is_attribute_type, AttrLine, Line, ValueSpec,
};
use super::record::{parse_attrs, read_attr};
use crate::diag::Diagnostic;
use crate::record::{Body, Control, ModOp, Modification, RenameKeyword, Value};

pub(super) fn parse_control(line: &Line<'_>, attr: &AttrLine<'_>) -> Result<Control, Diagnostic> {
    let ValueSpec::Plain(spec) = attr.value else {
        return Err(line.error(
            0,
            "expected 'control: OID [true|false] [value]', found an encoded value",
        ));
    };
    let spec = std::str::from_utf8(spec)
        .map_err(|_| line.error(0, "expected a control OID, found non-UTF-8 bytes"))?;
    let oid_len = spec.find([' ', ':']).unwrap_or(spec.len());
    let oid = &spec[..oid_len];
    if !is_numeric_oid(oid) {
        return Err(line.error(0, format!("expected a numeric control OID, found '{oid}'")));
    }
    let mut rest = spec[oid_len..].trim_start_matches(' ');
    let mut critical = false;
    for (word, flag) in [("true", true), ("false", false)] {
        let head = rest
            .get(..word.len())
            .filter(|head| head.eq_ignore_ascii_case(word));
        if let Some(after) = head.map(|head| &rest[head.len()..]) {
            if after.is_empty() || after.starts_with([' ', ':']) {
                critical = flag;
                rest = after.trim_start_matches(' ');
                break;
            }
        }
    }
    let value = if rest.is_empty() {
        None
    } else if let Some(encoded) = rest.strip_prefix("::") {
        let bytes = decode_base64(encoded.trim().as_bytes()).map_err(|reason| {
            line.error(0, format!("expected a base64 control value, {reason}"))
        })?;
        Some(Value::Bytes(bytes))
    } else if let Some(url) = rest.strip_prefix(":<") {
        Some(Value::url(url.trim().as_bytes()))
    } else if let Some(plain) = rest.strip_prefix(':') {
        Some(Value::Bytes(
            plain.trim_start_matches(' ').as_bytes().to_vec(),
        ))
    } else {
        return Err(line.error(
            0,
            format!("expected 'true', 'false' or ':' after the control OID, found '{rest}'"),
        ));
    };
    Ok(Control {
        oid: oid.to_owned(),
        critical,
        value,
    })
}

fn is_numeric_oid(oid: &str) -> bool {
    oid.starts_with(|c: char| c.is_ascii_digit()) && is_attribute_type(oid.as_bytes())
}

pub(super) fn parse_change(
    line: &Line<'_>,
    kind: &str,
    rest: &[Line<'_>],
    diagnostics: &mut Vec<Diagnostic>,
    complete: bool,
) -> Result<Body, Diagnostic> {
    match kind.to_ascii_lowercase().as_str() {
        "add" | "ntdsschemaadd" => {
            if rest.is_empty() && complete {
                return Err(line.error(
                    0,
                    "expected at least one attribute after 'changetype: add', found none",
                ));
            }
            Ok(Body::Entry {
                attrs: parse_attrs(rest, diagnostics)?,
                changetype_add: true,
            })
        }
        "delete" | "ntdsschemadelete" => match rest.first() {
            None => Ok(Body::Delete),
            Some(extra) => Err(extra.error(
                0,
                format!(
                    "expected the end of a 'changetype: delete' record, found '{}'",
                    extra.shown()
                ),
            )),
        },
        "modify" | "ntdsschemamodify" => parse_modify(rest, diagnostics).map(Body::Modify),
        "modrdn" | "ntdsschemamodrdn" => parse_rename(line, RenameKeyword::ModRdn, rest),
        "moddn" => parse_rename(line, RenameKeyword::ModDn, rest),
        other => Err(line.error(
            0,
            format!("expected changetype add, delete, modify, modrdn or moddn, found '{other}'"),
        )),
    }
}

fn parse_modify(
    lines: &[Line<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<Modification>, Diagnostic> {
    let mut modifications = Vec::new();
    let mut rest = lines;
    while let Some(header) = rest.first() {
        let spec = header.attr()?;
        let op = match spec.name.to_ascii_lowercase().as_str() {
            "add" => ModOp::Add,
            "delete" => ModOp::Delete,
            "replace" => ModOp::Replace,
            "increment" => ModOp::Increment,
            _ => {
                return Err(header.error(
                    0,
                    format!(
                        "expected 'add:', 'delete:', 'replace:' or 'increment:', found '{}:'",
                        spec.name
                    ),
                ))
            }
        };
        let attr_name = header
            .text_value(&spec.value, "an attribute name")?
            .trim()
            .to_owned();
        if !is_attribute_description(attr_name.as_bytes()) {
            return Err(header.error(
                0,
                format!(
                    "expected an attribute name after '{}:', found '{attr_name}'",
                    op.keyword()
                ),
            ));
        }
        rest = &rest[1..];
        let mut values = Vec::new();
        // A missing final '-' is tolerated at the end of the record.
        while let Some(line) = rest.first() {
            rest = &rest[1..];
            if line.is_separator() {
                break;
            }
            let attr = line.attr()?;
            if !attr.name.eq_ignore_ascii_case(&attr_name) {
                return Err(line.error(
                    0,
                    format!(
                        "expected a value of '{attr_name}' or '-', found '{}:'",
                        attr.name
                    ),
                ));
            }
            values.push(read_attr(line, &attr, diagnostics)?.value);
        }
        modifications.push(Modification {
            op,
            attr: attr_name,
            values,
        });
    }
    Ok(modifications)
}

fn parse_rename(
    changetype: &Line<'_>,
    keyword: RenameKeyword,
    lines: &[Line<'_>],
) -> Result<Body, Diagnostic> {
    let mut fields = lines.iter();
    let new_rdn = match fields.next() {
        Some(line) => expect_field(line, "newrdn")?,
        None => {
            return Err(changetype.error(
                0,
                "expected 'newrdn:' after the changetype, found the end of the record",
            ))
        }
    };
    let delete_old_rdn = match fields.next() {
        Some(line) => match expect_field(line, "deleteoldrdn")?.trim() {
            "0" => false,
            "1" => true,
            other => {
                return Err(line.error(
                    0,
                    format!("expected 'deleteoldrdn: 0' or '1', found '{other}'"),
                ))
            }
        },
        None => {
            return Err(changetype.error(
                0,
                "expected 'deleteoldrdn:' after 'newrdn:', found the end of the record",
            ))
        }
    };
    let new_superior = fields
        .next()
        .map(|line| expect_field(line, "newsuperior"))
        .transpose()?;
    if let Some(extra) = fields.next() {
        return Err(extra.error(
            0,
            format!(
                "expected the end of the {} record, found '{}'",
                keyword.keyword(),
                extra.shown()
            ),
        ));
    }
    Ok(Body::Rename {
        keyword,
        new_rdn,
        delete_old_rdn,
        new_superior,
    })
}

fn expect_field(line: &Line<'_>, name: &str) -> Result<String, Diagnostic> {
    let attr = line.attr()?;
    if !attr.name.eq_ignore_ascii_case(name) {
        return Err(line.error(0, format!("expected '{name}:', found '{}:'", attr.name)));
    }
    line.text_value(&attr.value, name)
}
