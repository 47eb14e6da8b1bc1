//! From the lines of a record to a [`Record`]: content records, `version:`
//! lines, `ldapsearch` pseudo-records, and the attributes of an entry.

use std::borrow::Cow;

use super::change::{parse_change, parse_control};
use super::lines::{decode_base64, unpadded, AttrLine, Line, ValueSpec};
use super::{ChunkOutcome, Projection};
use crate::diag::Diagnostic;
use crate::dn::Dn;
use crate::record::{Attr, Body, Record, Value};

/// Removes AD's `;range=low-high` option: ranged fragments merge under one name.
fn merge_range_option(name: &str) -> Cow<'_, str> {
    if !name.contains(';') {
        return Cow::Borrowed(name);
    }
    let mut parts = name.split(';');
    let mut merged = parts.next().unwrap_or("").to_owned();
    let mut had_range = false;
    for option in parts {
        if option.len() > 6 && option[..6].eq_ignore_ascii_case("range=") {
            had_range = true;
        } else {
            merged.push(';');
            merged.push_str(option);
        }
    }
    if had_range {
        Cow::Owned(merged)
    } else {
        Cow::Borrowed(name)
    }
}

/// Parses one record's logical lines into `outcome`.
pub(super) fn parse_lines(lines: &[Line<'_>], projection: Projection, outcome: &mut ChunkOutcome) {
    let Some(first) = lines.first() else {
        return;
    };
    outcome.has_content = true;
    let mut lines = lines;
    if let Some(version) = version_line(first) {
        outcome.version = Some((first.offset, version));
        lines = &lines[1..];
        if lines.is_empty() {
            return;
        }
    }
    match parse_record(lines, projection, &mut outcome.diagnostics) {
        Ok(Read::Record(record)) => {
            outcome.read = true;
            outcome.record = Some(record);
        }
        Ok(Read::NotWanted) => outcome.read = true,
        Ok(Read::Pseudo) => {
            outcome.search_result = lines.iter().any(|line| {
                line.attr()
                    .is_ok_and(|attr| attr.name.eq_ignore_ascii_case("result"))
            });
            outcome.stopped = search_stopped(lines);
        }
        Err(diagnostic) => {
            outcome.skipped = true;
            outcome.diagnostics.push(diagnostic);
        }
    }
}

/// `Some(value)` when the line is a `version:` line (`None` inside for a bad number).
fn version_line(line: &Line<'_>) -> Option<Option<u32>> {
    let attr = line.attr().ok()?;
    if !attr.name.eq_ignore_ascii_case("version") {
        return None;
    }
    match attr.value {
        ValueSpec::Plain(value) => Some(
            std::str::from_utf8(value)
                .ok()
                .and_then(|v| v.trim().parse().ok()),
        ),
        _ => Some(None),
    }
}

/// What one record's lines turned out to be.
enum Read {
    /// A record.
    Record(Record),
    /// An entry none of whose object classes the projection wants.
    NotWanted,
    /// An `ldapsearch` `search:`/`result:`/`ref:` block, skipped on purpose.
    Pseudo,
}

/// The error for an `ldapsearch` `result:` line whose code is not 0
/// (success): the server stopped the search, so entries are missing.
fn search_stopped(lines: &[Line<'_>]) -> Option<Diagnostic> {
    let line = lines.iter().find(|line| {
        line.attr()
            .is_ok_and(|attr| attr.name.eq_ignore_ascii_case("result"))
    })?;
    let attr = line.attr().ok()?;
    let ValueSpec::Plain(value) = attr.value else {
        return None;
    };
    let value = String::from_utf8_lossy(value);
    let code = value.split_whitespace().next()?;
    if code == "0" {
        return None;
    }
    let hint = match code {
        "4" => {
            ": Active Directory returns at most MaxPageSize (1000) entries to a search without \
             paging; export again with the paged-results control (ldapsearch -E pr=1000/noprompt)"
        }
        "3" => ": the search ran out of time; export again with a larger time limit (-l) or a narrower base",
        "11" => ": an administrative limit stopped it; export again with paging (ldapsearch -E pr=1000/noprompt)",
        _ => "",
    };
    Some(line.error(
        0,
        format!(
            "expected 'result: 0 Success' at the end of the search, found 'result: {}': the \
             server stopped the search, so the export lacks entries{hint}",
            value.trim()
        ),
    ))
}

/// Whether one of the entry's `objectClass` values passes `class`.
fn has_class(lines: &[Line<'_>], class: fn(&[u8]) -> bool) -> bool {
    lines.iter().any(|line| {
        let Ok(attr) = line.attr() else { return true };
        if !attr.name.eq_ignore_ascii_case("objectClass") {
            return false;
        }
        match attr.value {
            ValueSpec::Plain(value) => class(value),
            // A value that does not decode is kept, so that it is diagnosed.
            ValueSpec::Base64(data) => decode_base64(data).map_or(true, |value| class(&value)),
            ValueSpec::Url(_) => false,
        }
    })
}

/// Parses one record's logical lines.
fn parse_record(
    lines: &[Line<'_>],
    projection: Projection,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Read, Diagnostic> {
    // Under a projection the DN is checked by whoever asked for the record,
    // and a record may legitimately keep no attribute at all.
    let complete = matches!(projection, Projection::All);
    let first = &lines[0];
    let dn_line = first.attr()?;
    if !dn_line.name.eq_ignore_ascii_case("dn") {
        if ["search", "result", "ref"]
            .iter()
            .any(|k| dn_line.name.eq_ignore_ascii_case(k))
        {
            return Ok(Read::Pseudo);
        }
        return Err(first.error(
            0,
            format!(
                "expected 'dn:' at the start of a record, found '{}:'",
                dn_line.name
            ),
        ));
    }
    let dn = first.text_of(&dn_line.value, "a DN")?;
    diagnostics.extend(unpadded(first, &dn_line.value, "dn"));
    if complete {
        if let Err(error) = Dn::parse(&dn) {
            diagnostics.push(Diagnostic::warning(
                first.offset,
                format!("DN '{dn}' is not a valid RFC 4514 name: {}", error.reason),
            ));
        }
    }

    let mut rest = &lines[1..];
    let mut controls = Vec::new();
    while let Some(line) = rest.first() {
        let attr = line.attr()?;
        if !attr.name.eq_ignore_ascii_case("control") {
            break;
        }
        controls.push(parse_control(line, &attr)?);
        rest = &rest[1..];
    }

    let changetype = match rest.first() {
        Some(line) => {
            let attr = line.attr()?;
            if attr.name.eq_ignore_ascii_case("changetype") {
                rest = &rest[1..];
                Some((line, line.text_of(&attr.value, "a changetype")?))
            } else {
                None
            }
        }
        None => None,
    };

    if let Projection::Only { class, .. } = projection {
        let entry = changetype
            .as_ref()
            .is_none_or(|(_, kind)| kind.trim().eq_ignore_ascii_case("add"));
        if entry && !has_class(rest, class) {
            return Ok(Read::NotWanted);
        }
    }
    let body = match changetype {
        None => {
            if !controls.is_empty() {
                return Err(lines[1].error(
                    0,
                    "expected 'changetype:' after 'control:' (controls belong to change records)",
                ));
            }
            if rest.is_empty() && complete {
                return Err(first.error(
                    0,
                    "expected at least one attribute after the DN (RFC 2849 content record), found none",
                ));
            }
            Body::Entry {
                attrs: parse_attrs(rest, diagnostics)?,
                changetype_add: false,
            }
        }
        Some((line, kind)) => parse_change(line, kind.trim(), rest, diagnostics, complete)?,
    };
    Ok(Read::Record(Record {
        dn: dn.into_owned(),
        offset: first.offset,
        controls,
        body,
    }))
}

/// Attribute-value lines of an entry.
pub(super) fn parse_attrs(
    lines: &[Line<'_>],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<Attr>, Diagnostic> {
    let mut attrs = Vec::with_capacity(lines.len());
    let mut overlong: Vec<&str> = Vec::new();
    for line in lines {
        let attr = line.attr()?;
        if attr.name.eq_ignore_ascii_case("dn") {
            return Err(line.error(0, "expected an attribute, found a second 'dn:' (is an empty line missing between two records?)"));
        }
        // A description too long to copy into each value is skipped, said
        // once per record.
        if let Some(error) = crate::input::overlong_description(line.offset, attr.name) {
            if !overlong.contains(&attr.name) {
                overlong.push(attr.name);
                diagnostics.push(error);
            }
            continue;
        }
        attrs.push(read_attr(line, &attr, diagnostics)?);
    }
    Ok(attrs)
}

pub(super) fn read_attr(
    line: &Line<'_>,
    attr: &AttrLine<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Attr, Diagnostic> {
    let value = line.value(&attr.value)?;
    diagnostics.extend(unpadded(line, &attr.value, attr.name));
    if let Value::Url(url) = &value {
        diagnostics.push(Diagnostic::warning(
            line.offset,
            format!(
                "value of '{}' is a URL ('{url}'): kept as a URL, not read",
                attr.name
            ),
        ));
    }
    Ok(Attr {
        name: merge_range_option(attr.name).into_owned(),
        value,
    })
}
