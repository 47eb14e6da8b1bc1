//! The csvde reader: the CSV that `csvde -f FILE -d BASE` writes.
//!
//! The first row names the attributes (`DN` first); every other row is one
//! object, a field per attribute. Fields holding a comma, a quote or a line
//! end are quoted with `"`, a quote inside doubled. An empty field is an
//! attribute the object does not have; the values of a multi-valued
//! attribute are joined by `;` in one field (a `;` escaped as `\;`, as a DN
//! escapes it, is not a separator); binary values are written `X'hex'`.
//! Rows become the same [`Record`]s as LDIF entries.
//!
//! [`parse`] is a pure function from decoded bytes to records plus
//! diagnostics; [`header`] and [`rows`] let the text be read in windows cut
//! at row ends ([`last_row_end`]), which never fall inside a quoted field.
//! A row whose field count differs from the header's is an error and is
//! skipped; the others are kept. A text whose last row has no line end
//! (cut, possibly inside a quoted field) is not whole.

use std::borrow::Cow;
use std::ops::Range;

use rayon::prelude::*;

use super::{Parsed, Projection};
use crate::diag::Diagnostic;
use crate::record::{Attr, Body, Record, Value};

/// Reads a whole csvde export from decoded bytes, keeping everything.
pub fn parse(text: &[u8]) -> Parsed {
    let Some(end) = first_row_end(text).or((!text.is_empty()).then_some(text.len())) else {
        return Parsed::default();
    };
    let mut parsed = Parsed::default();
    match header(&text[..end], Projection::All, super::MAX_VALUES) {
        Ok(header) => {
            parsed.absorb(rows(&text[end..], &header, true), end);
            parsed.line_ends = super::windows::count_line_ends(text);
        }
        Err(error) => parsed.stopped(error),
    }
    parsed
}

/// The attribute names of the first row, and how the rows under it are
/// read: which attributes and classes are kept, how many values.
#[derive(Debug)]
pub struct Header {
    /// The attribute names, in column order (the first is `DN`).
    names: Vec<String>,
    /// Whether the projection keeps each column's attribute.
    kept: Vec<bool>,
    /// The `objectClass` column, if there is one.
    class: Option<usize>,
    /// Which attributes and classes are kept.
    projection: Projection,
    /// The most values an object keeps.
    max_values: usize,
}

/// Reads the header row `text` (with or without its line end): attribute
/// names, `DN` first. An error when it is not a csvde header. The rows
/// under it keep what `projection` wants, at most `max_values` values each
/// (the others are counted, never held).
pub fn header(
    text: &[u8],
    projection: Projection,
    max_values: usize,
) -> Result<Header, Diagnostic> {
    let line = without_line_end(text);
    let fields = fields(line).map_err(|(at, reason)| Diagnostic::error(at, reason))?;
    let names: Vec<String> = fields
        .iter()
        .map(|field| String::from_utf8_lossy(field).trim().to_owned())
        .collect();
    if !names[0].eq_ignore_ascii_case("DN") {
        return Err(Diagnostic::error(
            0,
            format!(
                "expected a csvde header row starting with 'DN', found '{}': nothing read",
                names[0].escape_debug()
            ),
        ));
    }
    if let Some(empty) = names.iter().position(String::is_empty) {
        return Err(Diagnostic::error(
            0,
            format!("expected an attribute name in every column of the header, column {} has none: nothing read", empty + 1),
        ));
    }
    let kept = names
        .iter()
        .enumerate()
        .map(|(column, name)| column > 0 && projection.keeps(name.as_bytes()))
        .collect();
    let class = names
        .iter()
        .position(|name| name.eq_ignore_ascii_case("objectClass"));
    Ok(Header {
        names,
        kept,
        class,
        projection,
        max_values,
    })
}

/// Where the first row of `text` ends (after its line end), if it does.
pub fn first_row_end(text: &[u8]) -> Option<usize> {
    row_ends(text).next()
}

/// Where the last whole row of `text` ends (after its line end), if any
/// does: `text` starts a row, so a line end inside quotes is no row end.
pub fn last_row_end(text: &[u8]) -> Option<usize> {
    row_ends(text).last()
}

/// Why a text whose rows end at `whole` (the end of its last row with a
/// line end) did not reach its proper end, when it did not.
pub fn unfinished_end(text: &[u8], whole: usize) -> Option<&'static str> {
    let tail = &text[whole..];
    if tail.is_empty() {
        return None;
    }
    let quotes = bytecount::count(tail, b'"');
    Some(if quotes % 2 == 1 {
        "expected the file to end after a whole row, found it ends inside a quoted field: \
         the export was cut"
    } else {
        "expected a line end after the last row, found none: the export was cut"
    })
}

/// The ends (after the line end) of the rows of `text`, in order.
pub(super) fn row_ends(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut quoted = false;
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(found) = memchr::memchr2(b'"', b'\n', &text[at..]) {
            let position = at + found;
            at = position + 1;
            if text[position] == b'"' {
                quoted = !quoted;
            } else if !quoted {
                return Some(at);
            }
        }
        at = text.len();
        None
    })
}

/// Reads the rows of `text`, which starts a row and (unless `last`) ends
/// with a whole row. Offsets are relative to `text`. Rows are parsed in
/// parallel and kept in input order; with `last`, a final row without its
/// line end is read too, and makes the text not whole.
pub fn rows(text: &[u8], header: &Header, last: bool) -> Parsed {
    let mut ranges = Vec::new();
    let mut start = 0;
    for end in row_ends(text) {
        ranges.push(start..end);
        start = end;
    }
    let whole = start;
    if last && start < text.len() {
        ranges.push(start..text.len());
    }
    let outcomes: Vec<Outcome> = ranges
        .into_par_iter()
        .with_min_len(64)
        .map(|range| row(text, range, header))
        .collect();
    let mut parsed = Parsed::default();
    for outcome in outcomes {
        match outcome {
            Outcome::Record(record, diagnostics) => {
                parsed.read += 1;
                parsed.records.push(*record);
                parsed.diagnostics.extend(diagnostics);
            }
            Outcome::NotWanted => parsed.read += 1,
            Outcome::Empty => {}
            Outcome::Malformed(error) => {
                parsed.skipped += 1;
                parsed.diagnostics.push(error);
            }
        }
    }
    if last {
        if let Some(reason) = unfinished_end(text, whole) {
            parsed
                .incomplete
                .push(Diagnostic::error(text.len(), reason));
        }
    }
    parsed.line_ends = super::windows::count_line_ends(text);
    parsed
}

/// What one row turned out to be.
enum Outcome {
    /// An object, with warnings about its values.
    Record(Box<Record>, Vec<Diagnostic>),
    /// An object none of whose classes the projection wants.
    NotWanted,
    /// An empty line.
    Empty,
    /// A row that cannot be read.
    Malformed(Diagnostic),
}

/// Reads the row at `range` of `text`.
fn row(text: &[u8], range: Range<usize>, header: &Header) -> Outcome {
    let offset = range.start;
    let line = without_line_end(&text[range]);
    if line.is_empty() {
        return Outcome::Empty;
    }
    let fields = match fields(line) {
        Ok(fields) => fields,
        Err((at, reason)) => {
            return Outcome::Malformed(Diagnostic::error(
                offset + at,
                format!("{reason}: row skipped"),
            ))
        }
    };
    if fields.len() != header.names.len() {
        return Outcome::Malformed(Diagnostic::error(
            offset,
            format!(
                "expected {} fields, one per attribute of the header, found {}: row skipped",
                header.names.len(),
                fields.len()
            ),
        ));
    }
    let Ok(dn) = String::from_utf8(fields[0].to_vec()) else {
        return Outcome::Malformed(Diagnostic::error(
            offset,
            "expected a DN in UTF-8 text, found other bytes: row skipped",
        ));
    };
    if dn.is_empty() {
        return Outcome::Malformed(Diagnostic::error(
            offset,
            "expected a DN in the first field, found none: row skipped",
        ));
    }
    if !wanted(&fields, header) {
        return Outcome::NotWanted;
    }
    let mut diagnostics = Vec::new();
    let mut attrs = Vec::new();
    let mut found = 0;
    for (column, field) in fields.iter().enumerate() {
        if !header.kept[column] || field.is_empty() {
            continue;
        }
        for value in values(field) {
            found += 1;
            if found > header.max_values {
                continue;
            }
            let value = decoded(value).unwrap_or_else(|| {
                diagnostics.push(Diagnostic::warning(
                    offset,
                    format!(
                        "expected hexadecimal digits in the binary value of '{}' (X'…'), \
                         found others: kept as text",
                        header.names[column]
                    ),
                ));
                value.to_vec()
            });
            attrs.push(Attr {
                name: header.names[column].clone(),
                value: Value::Bytes(value),
            });
        }
    }
    if found > header.max_values {
        diagnostics.push(super::too_many_values(offset, header.max_values, found));
    }
    let record = Record {
        dn,
        offset,
        controls: Vec::new(),
        body: Body::Entry {
            attrs,
            changetype_add: false,
        },
    };
    Outcome::Record(Box::new(record), diagnostics)
}

/// Whether the projection wants an object with these fields: one of its
/// classes passes (an object without an `objectClass` column is kept).
fn wanted(fields: &[Cow<'_, [u8]>], header: &Header) -> bool {
    match (header.projection, header.class) {
        (Projection::Only { class, .. }, Some(column)) => values(&fields[column]).any(class),
        _ => true,
    }
}

/// `text` without its final LF or CR LF.
pub(super) fn without_line_end(text: &[u8]) -> &[u8] {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    text.strip_suffix(b"\r").unwrap_or(text)
}

/// Where in a row, and why, it cannot be read.
pub(super) type Damage = (usize, &'static str);

/// The fields of one row (without its line end), unquoted.
pub(super) fn fields(line: &[u8]) -> Result<Vec<Cow<'_, [u8]>>, Damage> {
    let mut fields = Vec::new();
    let mut at = 0;
    loop {
        let (field, next) = if line.get(at) == Some(&b'"') {
            quoted(line, at)?
        } else {
            let end = memchr::memchr(b',', &line[at..]).map_or(line.len(), |found| at + found);
            (Cow::Borrowed(&line[at..end]), end)
        };
        fields.push(field);
        if next == line.len() {
            return Ok(fields);
        }
        at = next + 1;
    }
}

/// The quoted field starting at `start` of `line`, and where it ends (at
/// the comma after it, or the end of the line).
fn quoted(line: &[u8], start: usize) -> Result<(Cow<'_, [u8]>, usize), Damage> {
    let mut field = Vec::new();
    let mut at = start + 1;
    loop {
        let Some(found) = memchr::memchr(b'"', &line[at..]) else {
            return Err((start, "expected a closing quote for the field, found none"));
        };
        field.extend_from_slice(&line[at..at + found]);
        let close = at + found;
        match line.get(close + 1) {
            Some(b'"') => {
                field.push(b'"');
                at = close + 2;
            }
            None | Some(b',') => return Ok((Cow::Owned(field), close + 1)),
            Some(_) => {
                return Err((
                    close + 1,
                    "expected a comma after the closing quote of a field, found another character",
                ))
            }
        }
    }
}

/// The values of a field: split at each `;` that no backslash escapes;
/// empty values left out.
fn values(field: &[u8]) -> impl Iterator<Item = &[u8]> + '_ {
    let mut start = 0;
    let mut at = 0;
    std::iter::from_fn(move || {
        while start <= field.len() {
            let end = match memchr::memchr(b';', &field[at.min(field.len())..]) {
                Some(found) => at + found,
                None => field.len(),
            };
            if end < field.len() && escaped(&field[start..end]) {
                at = end + 1;
                continue;
            }
            let value = &field[start..end];
            start = end + 1;
            at = start;
            if !value.is_empty() {
                return Some(value);
            }
        }
        None
    })
}

/// Whether `before` ends with an odd number of backslashes (escaping what follows).
fn escaped(before: &[u8]) -> bool {
    before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The value a csvde field value stands for: the bytes of `X'hex'`, else
/// the text itself; `None` for `X'…'` that is not hexadecimal.
fn decoded(value: &[u8]) -> Option<Vec<u8>> {
    let Some(hex) = value
        .strip_prefix(b"X'")
        .and_then(|rest| rest.strip_suffix(b"'"))
    else {
        return Some(value.to_vec());
    };
    if hex.len() % 2 == 1 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    hex.chunks(2)
        .map(|pair| {
            let digits = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(digits, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(record: &Record, name: &str) -> Vec<String> {
        record
            .values(name)
            .map(|value| value.as_text().unwrap_or("<binary>").to_owned())
            .collect()
    }

    const EXPORT: &[u8] = b"DN,objectClass,cn,msExchSourceBridgeheadServersDN,objectGUID\r\n\
\"CN=Out,CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=Org\",top;msExchRoutingSMTPConnector,Out,\"CN=EX1,CN=Servers,CN=Org;CN=EX\\;2,CN=Servers,CN=Org\",X'00ff10'\r\n\
\"CN=Note,CN=Org\",top;container,\"say \"\"hi\"\", twice\",,\r\n";

    #[test]
    fn rows_become_records() {
        let parsed = parse(EXPORT);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert!(parsed.incomplete.is_empty());
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.line_ends, 3);
        let connector = &parsed.records[0];
        assert!(connector.dn.starts_with("CN=Out,CN=Connections"));
        assert_eq!(
            texts(connector, "objectClass"),
            ["top", "msExchRoutingSMTPConnector"]
        );
        assert_eq!(
            texts(connector, "msExchSourceBridgeheadServersDN"),
            ["CN=EX1,CN=Servers,CN=Org", "CN=EX\\;2,CN=Servers,CN=Org"]
        );
        assert_eq!(
            connector.values("objectGUID").next(),
            Some(&Value::Bytes(vec![0, 0xff, 0x10]))
        );
        let note = &parsed.records[1];
        assert_eq!(texts(note, "cn"), ["say \"hi\", twice"]);
        assert_eq!(note.values("objectGUID").count(), 0);
        assert_eq!(&EXPORT[note.offset..note.offset + 9], b"\"CN=Note,");
    }

    #[test]
    fn a_row_of_the_wrong_width_is_skipped_with_an_error() {
        let text = b"DN,cn\n\"CN=a,O=x\",a,extra\n\"CN=b,O=x\",b\n";
        let parsed = parse(text);
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.skipped, 1);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert_eq!(parsed.diagnostics[0].offset, 6);
        assert!(parsed.diagnostics[0]
            .message
            .contains("expected 2 fields, one per attribute of the header, found 3"));
    }

    #[test]
    fn a_cut_file_is_not_whole() {
        let inside = parse(b"DN,cn\n\"CN=a,O=x\",a\n\"CN=b,O=");
        assert_eq!(inside.records.len(), 1);
        assert!(inside.incomplete[0]
            .message
            .contains("inside a quoted field"));
        let row = parse(b"DN,cn\n\"CN=a,O=x\",a\n\"CN=b,O=x\",b");
        assert_eq!(row.records.len(), 2);
        assert!(row.incomplete[0]
            .message
            .contains("line end after the last row"));
    }

    #[test]
    fn a_line_end_inside_quotes_is_no_row_end() {
        let text = b"DN,description\n\"CN=a,O=x\",\"one\r\ntwo\"\r\n\"CN=b";
        assert_eq!(last_row_end(text), Some(text.len() - 5));
        let parsed = parse(&text[..text.len() - 5]);
        assert_eq!(texts(&parsed.records[0], "description"), ["one\r\ntwo"]);
    }

    #[test]
    fn a_projection_keeps_only_wanted_classes_and_attributes() {
        let projection = Projection::Only {
            attribute: |name| name.eq_ignore_ascii_case(b"cn"),
            class: |class| class == b"server",
        };
        let header = header(b"DN,objectClass,cn,other\r\n", projection, 10).unwrap();
        let parsed = rows(
            b"\"CN=a,O=x\",top;server,a,b\r\n\"CN=c,O=x\",top;user,c,d\r\n",
            &header,
            true,
        );
        assert_eq!(parsed.read, 2);
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.records[0].attrs().len(), 1);
    }

    #[test]
    fn values_past_the_most_are_counted_not_held() {
        let header = header(b"DN,member\n", Projection::All, 3).unwrap();
        let parsed = rows(b"CN=g,a;b;c;d;e\n", &header, true);
        assert_eq!(parsed.records[0].attrs().len(), 3);
        assert!(parsed.diagnostics[0].message.contains("at most 3 values"));
        assert!(parsed.diagnostics[0].message.contains("found 5"));
    }

    #[test]
    fn damaged_fields_are_told() {
        let parsed = parse(b"DN,cn,objectGUID\n\"CN=a\"x,a,\nCN=b,b,X'+1'\n");
        assert_eq!(parsed.records.len(), 1);
        assert!(parsed.diagnostics[0]
            .message
            .contains("comma after the closing quote"));
        assert!(parsed.diagnostics[1].message.contains("hexadecimal"));
        assert!(parse(b"cn,DN\n").incomplete[0]
            .message
            .contains("starting with 'DN'"));
    }
}
