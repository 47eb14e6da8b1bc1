//! The `Export-Csv` reader: cmdlet output written as CSV, as records.
//!
//! An optional `#TYPE <type name>` line (Windows PowerShell 5.1 writes it,
//! PowerShell 7 with `-IncludeTypeInformation`) gives the objects' type
//! name, kept as `PSTypeNames`; the header row names the properties; every
//! other row is one object, a field per property (quoted as csvde quotes,
//! whose field splitting this shares). An empty field is a property
//! without a value (named in `PSEmptyProperties`: the header says every
//! object has it). A collection arrives as its type name
//! (`System.Object[]`, `…ADMultiValuedProperty`1[…]`): its values are lost,
//! and the property is named in `PSLostProperties`, never read as a name.
//! A field a script joined with `;` or `|` is split there; one joined with
//! spaces (PowerShell's `"$list"`) cannot be told from one value and stays
//! one.
//!
//! [`parse`] reads the whole text: cmdlet output is small.

use super::csvde::{fields, row_ends, without_line_end};
use super::{type_name, Parsed, Projection};
use crate::diag::Diagnostic;
use crate::record::{Attr, Body, Record, Value};

/// Reads a whole `Export-Csv` file, keeping everything.
pub fn parse(text: &[u8]) -> Parsed {
    read(text, Projection::All)
}

/// Reads a whole `Export-Csv` file, keeping the properties `projection` wants.
pub fn read(text: &[u8], projection: Projection) -> Parsed {
    let mut parsed = Parsed {
        line_ends: super::windows::count_line_ends(text),
        ..Parsed::default()
    };
    let mut rows = Vec::new();
    let mut start = 0;
    for end in row_ends(text) {
        rows.push(start..end);
        start = end;
    }
    if start < text.len() {
        parsed.stopped(Diagnostic::error(
            text.len(),
            "expected a line end after the last row, found none: the export was cut",
        ));
        rows.push(start..text.len());
    }
    let mut rows = rows
        .into_iter()
        .filter(|range| !without_line_end(&text[range.clone()]).is_empty());
    let mut type_name = None;
    let mut header = rows.next();
    if let Some(range) = header.clone() {
        let line = without_line_end(&text[range]);
        if line.len() >= 6 && line[..6].eq_ignore_ascii_case(b"#TYPE ") {
            type_name = Some(String::from_utf8_lossy(&line[6..]).trim().to_owned());
            header = rows.next();
        }
    }
    let Some(header) = header else {
        return parsed;
    };
    let names: Vec<String> = match fields(without_line_end(&text[header.clone()])) {
        Ok(names) => names
            .iter()
            .map(|name| String::from_utf8_lossy(name).trim().to_owned())
            .collect(),
        Err((at, reason)) => {
            parsed.stopped(Diagnostic::error(
                header.start + at,
                format!("{reason} in the header row: nothing read"),
            ));
            return parsed;
        }
    };
    let mut lost = Vec::new();
    for range in rows {
        let offset = range.start;
        match fields(without_line_end(&text[range])) {
            Ok(row) if row.len() == names.len() => {
                parsed.read += 1;
                let columns = names.iter().zip(row.iter().map(|f| &f[..]));
                let record =
                    record_of(columns, offset, projection, type_name.as_deref(), &mut lost);
                parsed.records.push(record);
            }
            Ok(row) => {
                parsed.skipped += 1;
                parsed.diagnostics.push(Diagnostic::error(
                    offset,
                    format!(
                        "expected {} fields, one per property of the header, found {}: row skipped",
                        names.len(),
                        row.len()
                    ),
                ));
            }
            Err((at, reason)) => {
                parsed.skipped += 1;
                parsed.diagnostics.push(Diagnostic::error(
                    offset + at,
                    format!("{reason}: row skipped"),
                ));
            }
        }
    }
    if !lost.is_empty() {
        lost.sort();
        lost.dedup();
        parsed.diagnostics.push(Diagnostic::warning(
            header.start,
            format!(
                "expected values, found type names where Export-Csv wrote a collection ({}): \
                 left out; export with Export-Clixml, or join the values with ';' in the script",
                lost.join(", ")
            ),
        ));
    }
    parsed
}

/// The record of one row: (property, field) pairs, at `offset`.
fn record_of<'f>(
    columns: impl Iterator<Item = (&'f String, &'f [u8])>,
    offset: usize,
    projection: Projection,
    type_name: Option<&str>,
    lost: &mut Vec<String>,
) -> Record {
    let mut attrs = Vec::new();
    let mut dn = String::new();
    let attr = |name: &str, value: &[u8]| Attr {
        name: name.to_owned(),
        value: Value::Bytes(value.to_vec()),
    };
    for (name, field) in columns {
        if name.eq_ignore_ascii_case("DistinguishedName") {
            dn = String::from_utf8_lossy(field).into_owned();
        }
        if !projection.keeps(name.as_bytes()) {
            continue;
        }
        if field.is_empty() {
            attrs.push(attr("PSEmptyProperties", name.as_bytes()));
            continue;
        }
        let is_type_name =
            |value: &[u8]| std::str::from_utf8(value).is_ok_and(type_name::is_type_name);
        if is_type_name(field) || values(field).any(is_type_name) {
            attrs.push(attr("PSLostProperties", name.as_bytes()));
            lost.push(name.clone());
            continue;
        }
        attrs.extend(values(field).map(|value| attr(name, value)));
    }
    if let Some(type_name) = type_name {
        attrs.push(attr("PSTypeNames", type_name.as_bytes()));
    }
    Record {
        dn,
        offset,
        controls: Vec::new(),
        body: Body::Entry {
            attrs,
            changetype_add: false,
        },
    }
}

/// The values of a field: split at `;` or `|` when it holds either (a
/// script's `-join`), else the field as one value; empty values left out.
fn values(field: &[u8]) -> impl Iterator<Item = &[u8]> {
    let separator = [b';', b'|'].into_iter().find(|s| field.contains(s));
    let parts: Vec<&[u8]> = match separator {
        Some(separator) => field.split(move |&b| b == separator).collect(),
        None => vec![field],
    };
    parts
        .into_iter()
        .map(<[u8]>::trim_ascii)
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::texts;

    #[test]
    fn windows_powershell_rows_become_cmdlet_records() {
        let text = b"#TYPE Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig\r\n\
\"Name\",\"DistinguishedName\",\"AddressSpaces\",\"SourceTransportServers\",\"Enabled\"\r\n\
\"Partner, TLS\",\"CN=Partner\\, TLS,CN=Connections,DC=x\",\"SMTP:*;1\",\"EX01;EX02\",\"True\"\r\n\
\"Cut\",\"\",\"SMTP:a;1\",\"Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[Microsoft.Exchange.Data.Directory.ADObjectId]\",\"False\"\r\n\
\"Piped\",\"\",\"\",\"EX01 | EX02\",\"True\"\r\n";
        let parsed = parse(text);
        assert!(parsed.incomplete.is_empty());
        assert_eq!(parsed.records.len(), 3);
        let tls = &parsed.records[0];
        assert_eq!(tls.dn, "CN=Partner\\, TLS,CN=Connections,DC=x");
        assert_eq!(texts(tls, "Name"), ["Partner, TLS"]);
        assert_eq!(texts(tls, "SourceTransportServers"), ["EX01", "EX02"]);
        assert_eq!(
            texts(tls, "PSTypeNames"),
            ["Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"]
        );
        let cut = &parsed.records[1];
        assert!(texts(cut, "SourceTransportServers").is_empty());
        assert_eq!(texts(cut, "PSLostProperties"), ["SourceTransportServers"]);
        assert_eq!(
            texts(&parsed.records[2], "SourceTransportServers"),
            ["EX01", "EX02"]
        );
        assert_eq!(
            texts(&parsed.records[2], "PSEmptyProperties"),
            ["DistinguishedName", "AddressSpaces"]
        );
        assert!(parsed.diagnostics[0].message.contains("Export-Clixml"));
    }

    #[test]
    fn a_header_without_a_type_line_and_a_cut_file() {
        let parsed = parse(b"Name,SourceTransportServers\nInternet,EX01\nOther,EX0");
        assert_eq!(parsed.records.len(), 2);
        assert!(texts(&parsed.records[0], "PSTypeNames").is_empty());
        assert!(parsed.incomplete[0].message.contains("was cut"));
        let partly = parse(b"Name,SourceTransportServers\nInternet,EX01;System.Object[]\n");
        assert!(texts(&partly.records[0], "SourceTransportServers").is_empty());
        let wrong = parse(b"Name,Enabled\nInternet\n");
        assert_eq!(wrong.skipped, 1);
    }
}
