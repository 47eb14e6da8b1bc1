//! The same records as `csvde -f FILE -d BASE` writes them.
//!
//! What the shape rests on:
//! - The first row names the attributes, `DN` first; each following row is
//!   one object, its fields separated by commas; a field holding a comma is
//!   quoted with `"`; the values of a multi-valued attribute are joined by
//!   `;` (`domainDNS;container`); a binary value is written `X'hex'` in
//!   lower-case hexadecimal (`X'9a6b3176…'`); an attribute the object does
//!   not have is an empty field. Microsoft, "Comma-Separated Value (CSV)
//!   Scripts", <https://learn.microsoft.com/en-us/windows/win32/ad/comma-separated-value-csv-scripts>
//!   (its example file shows each of these).
//! - `-f`, `-d`, `-u` (Unicode: UTF-16LE with a byte-order mark, written
//!   here by [`crate::Utf16Writer`]) as for `ldifde`: Microsoft, "Csvde",
//!   <https://learn.microsoft.com/en-us/previous-versions/windows/it-pro/windows-server-2008-r2-and-2008/cc771621(v=ws.11)>
//!   and "LDIF Scripts", <https://learn.microsoft.com/en-us/windows/win32/ad/ldif-scripts>
//!   (export is ANSI unless `-u`; a Unicode file starts with the Unicode
//!   identifier).
//! - Rows end in CRLF (Windows tools; the CSV format Excel reads, which the
//!   scripts page says csvde's is compatible with). A quote inside a
//!   quoted field is doubled (that format's rule; csvde's own page does not
//!   show one).
//!
//! Not documented, so chosen: non-ASCII text is written as UTF-8 in the
//! ANSI file (a real ANSI export would hold the code page's bytes); the
//! columns are `DN`, `objectClass`, then every attribute in order of first
//! appearance.

use std::io::{self, Write};

use exconn::record::{Record, Value};

/// The attributes [`crate::generate`] writes, in the order a csvde export
/// of its records names them (after `DN`).
pub const GENERATED_ATTRIBUTES: [&str; 16] = [
    "objectClass",
    "cn",
    "serialNumber",
    "msExchCurrentServerRoles",
    "msExchServerSite",
    "networkAddress",
    "objectGUID",
    "routingList",
    "msExchSourceBridgeheadServersDN",
    "msExchSmtpSendEnabled",
    "isDeleted",
    "msExchTargetBridgeheadServersDN",
    "distinguishedName",
    "nTSecurityDescriptor",
    "msExchEDBFile",
    "whenCreated",
];

/// The columns of a csvde export of `records` (after `DN`): `objectClass`,
/// then every other attribute in order of first appearance.
pub fn columns(records: &[Record]) -> Vec<String> {
    let mut names = vec!["objectClass".to_owned()];
    for attr in records.iter().flat_map(Record::attrs) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&attr.name)) {
            names.push(attr.name.clone());
        }
    }
    names
}

/// Writes records as csvde rows, batch by batch, under a header fixed when
/// the writer starts (so an export of any size is written in bounded
/// memory).
pub struct CsvdeWriter<W: Write> {
    out: W,
    columns: Vec<String>,
    line: Vec<u8>,
}

impl<W: Write> CsvdeWriter<W> {
    /// Writes the header row: `DN`, then `columns`.
    pub fn new(mut out: W, columns: Vec<String>) -> io::Result<Self> {
        out.write_all(b"DN")?;
        for name in &columns {
            out.write_all(b",")?;
            out.write_all(name.as_bytes())?;
        }
        out.write_all(b"\r\n")?;
        Ok(CsvdeWriter {
            out,
            columns,
            line: Vec::new(),
        })
    }

    /// Writes one row per record (an attribute not among the columns is
    /// left out, as csvde leaves out what `-l` does not name).
    pub fn records(&mut self, records: &[Record]) -> io::Result<()> {
        for record in records {
            self.line.clear();
            field(&mut self.line, record.dn.as_bytes());
            for name in &self.columns {
                self.line.push(b',');
                let mut value = Vec::new();
                for (index, v) in record.values(name).enumerate() {
                    if index > 0 {
                        value.push(b';');
                    }
                    written(&mut value, v);
                }
                field(&mut self.line, &value);
            }
            self.line.extend_from_slice(b"\r\n");
            self.out.write_all(&self.line)?;
        }
        Ok(())
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A value as csvde writes it: text as it is, anything else `X'hex'`.
fn written(out: &mut Vec<u8>, value: &Value) {
    match (value.as_text(), value) {
        (Some(text), _) if !text.chars().any(char::is_control) => {
            out.extend_from_slice(text.as_bytes())
        }
        (_, Value::Bytes(bytes)) => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"X'");
            for b in bytes {
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
            out.push(b'\'');
        }
        (_, Value::Url(url)) => out.extend_from_slice(url.as_bytes()),
    }
}

/// A field, quoted when it holds a comma, a quote or a line end.
fn field(out: &mut Vec<u8>, value: &[u8]) {
    if value
        .iter()
        .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push(b'"');
        for &b in value {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
}

/// A [`Write`] that takes LDIF text (as [`crate::generate`] writes it) and
/// hands its records, a batch at a time, to `sink`: converts an export of
/// any size without holding it.
pub struct LdifRecords<F: FnMut(Vec<Record>) -> io::Result<()>> {
    pending: Vec<u8>,
    sink: F,
}

impl<F: FnMut(Vec<Record>) -> io::Result<()>> LdifRecords<F> {
    /// Hands records to `sink`.
    pub fn new(sink: F) -> Self {
        LdifRecords {
            pending: Vec::new(),
            sink,
        }
    }

    fn hand_over(&mut self, upto: usize) -> io::Result<()> {
        let records = exconn::input::ldif::parse(&self.pending[..upto]).records;
        self.pending.drain(..upto);
        (self.sink)(records)
    }

    /// Hands over what is left.
    pub fn finish(mut self) -> io::Result<()> {
        let len = self.pending.len();
        if len > 0 {
            self.hand_over(len)?;
        }
        Ok(())
    }
}

impl<F: FnMut(Vec<Record>) -> io::Result<()>> Write for LdifRecords<F> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if self.pending.len() >= 4 << 20 {
            // The end of the last whole record: an empty line.
            let end = memchr::memmem::rfind(&self.pending, b"\n\n")
                .map(|at| at + 2)
                .or_else(|| memchr::memmem::rfind(&self.pending, b"\n\r\n").map(|at| at + 3));
            if let Some(end) = end {
                self.hand_over(end)?;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, Spec};

    #[test]
    fn generated_attributes_are_the_columns_of_a_generated_export() {
        let spec = Spec {
            target_bytes: 200_000,
            ..Spec::default()
        };
        let mut ldif = Vec::new();
        generate(&spec, &mut ldif).unwrap();
        let records = exconn::input::ldif::parse(&ldif).records;
        assert_eq!(columns(&records), GENERATED_ATTRIBUTES);
    }

    #[test]
    fn converted_while_generated_reads_back_to_the_same_records() {
        let spec = Spec {
            target_bytes: 6 << 20,
            ..Spec::default()
        };
        let mut ldif = Vec::new();
        generate(&spec, &mut ldif).unwrap();
        let records = exconn::input::ldif::parse(&ldif).records;
        let columns = GENERATED_ATTRIBUTES.map(str::to_owned).to_vec();
        let mut writer = CsvdeWriter::new(Vec::new(), columns).unwrap();
        let mut sink = LdifRecords::new(|batch| writer.records(&batch));
        generate(&spec, &mut sink).unwrap();
        sink.finish().unwrap();
        let csv = writer.finish().unwrap();
        let parsed = exconn::input::csvde::parse(&csv);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.records.len(), records.len());
        for (got, want) in parsed.records.iter().zip(&records) {
            assert_eq!(got.dn, want.dn);
            // A `;` inside a value (`routingList: SMTP:*;1`) reads back as
            // two values: csvde's join cannot tell them apart.
            let joined = |record: &Record, name: &str| {
                let values: Vec<Vec<u8>> = record
                    .values(name)
                    .map(|v| match v {
                        Value::Bytes(bytes) => bytes.clone(),
                        Value::Url(url) => url.clone().into_bytes(),
                    })
                    .collect();
                values.join(&b';')
            };
            for attr in want.attrs() {
                assert_eq!(
                    joined(got, &attr.name),
                    joined(want, &attr.name),
                    "{}: {}",
                    want.dn,
                    attr.name
                );
            }
        }
    }
}
