//! The LDIF reader (RFC 2849, plus what `ldifde` and `ldapsearch` write).
//!
//! [`parse`] is a pure function from decoded bytes to records plus
//! diagnostics. The text is cut at empty lines (a folded line never
//! contains one) into parts parsed in parallel, each in one pass over its
//! lines, and the records are collected in input order. A malformed
//! record becomes an error diagnostic and is skipped; the others are kept.
//!
//! Leniencies, each because real exports need it: bare CR line ends, raw
//! UTF-8 in plain values, a missing final `-` in a modify record, content and
//! change records mixed in one file, `ldapsearch`'s `search:`/`result:`/`ref:`
//! pseudo-records (skipped silently), Active Directory's `;range=` options
//! (merged under the base name), spaces before the colon, and trailing spaces
//! after base64 data. `:<` URLs are never dereferenced.
//!
//! `boundary` finds where records start and end, `lines` gathers and
//! unfolds the lines of a record, and `record` parses them (`change` for
//! change records; `skipped` checks what a projection passes over).

mod boundary;
mod change;
mod lines;
mod record;
mod skipped;

use std::ops::Range;

use rayon::prelude::*;

use super::{Parsed, Projection};
use crate::diag::{line_end, Diagnostic};
use crate::record::Record;
pub(crate) use boundary::{
    first_record_boundary, holds_only_comments, last_record_boundary, trailer_entries,
    unfinished_end,
};
use lines::RecordLines;

/// Reads LDIF from decoded (UTF-8 or ASCII-compatible) bytes, keeping everything.
pub fn parse(text: &[u8]) -> Parsed {
    parse_window(text, true, Projection::All, super::MAX_VALUES)
}

/// Reads a window of whole records. `at_file_start` says whether the window
/// starts the file (only then may it open with `version:`). Offsets in the
/// result are relative to the window. The window is cut into parts at record
/// boundaries; each part is split into records and parsed on its own thread.
/// An entry keeps at most `max_values` values: the lines after them are
/// counted, not kept.
pub fn parse_window(
    text: &[u8],
    at_file_start: bool,
    projection: Projection,
    max_values: usize,
) -> Parsed {
    let parts = split_parts(text, rayon::current_num_threads() * 4);
    let results: Vec<(Vec<ChunkOutcome>, usize)> = parts
        .into_par_iter()
        .map(|part| parse_part(text, part, projection, max_values))
        .collect();
    let line_ends = results.iter().map(|(_, lines)| lines).sum();
    let outcomes = results
        .into_iter()
        .flat_map(|(outcomes, _)| outcomes)
        .collect();
    let mut parsed = assemble(outcomes, at_file_start);
    parsed.line_ends = line_ends;
    parsed
}

/// Cuts `text` into about `count` parts, each made of whole records.
fn split_parts(text: &[u8], count: usize) -> Vec<Range<usize>> {
    let target = (text.len() / count.max(1)).max(64 << 10);
    let mut parts = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let end = match text.len() - start > target {
            true => first_record_boundary(&text[start + target..])
                .map_or(text.len(), |cut| start + target + cut),
            false => text.len(),
        };
        parts.push(start..end);
        start = end;
    }
    parts
}

/// Parses the records of `range` of the input (whole records) in one pass
/// over its lines: each record's lines are gathered, unfolded and checked
/// as they are met, and the record is parsed at the empty line that ends
/// it. Also counts the line ends.
fn parse_part(
    text: &[u8],
    range: Range<usize>,
    projection: Projection,
    max_values: usize,
) -> (Vec<ChunkOutcome>, usize) {
    let mut outcomes = Vec::new();
    let mut line_ends = 0;
    let mut record = RecordLines::new(projection, max_values);
    let mut pos = range.start;
    while pos < range.end {
        let (content_end, next) = line_end(text, pos);
        let content_end = content_end.min(range.end);
        if next > content_end && next <= range.end {
            line_ends += 1;
        }
        if content_end == pos {
            if record.started {
                outcomes.push(record.finish(text));
            }
        } else {
            record.push(text, pos, content_end);
        }
        pos = next;
    }
    if record.started {
        outcomes.push(record.finish(text));
    }
    (outcomes, line_ends)
}

/// What parsing one record gave.
#[derive(Default)]
struct ChunkOutcome {
    record: Option<Record>,
    /// A record was read (kept, or an entry the projection did not want).
    read: bool,
    /// The chunk began with `version:` (offset, parsed value).
    version: Option<(usize, Option<u32>)>,
    /// The chunk held data lines (not only comments).
    has_content: bool,
    skipped: bool,
    diagnostics: Vec<Diagnostic>,
    /// An `ldapsearch` result that says the search did not end normally.
    stopped: Option<Diagnostic>,
    /// The chunk was an `ldapsearch` `result:` block.
    search_result: bool,
}

/// Puts the chunks together: version rules, counts, order.
fn assemble(outcomes: Vec<ChunkOutcome>, at_file_start: bool) -> Parsed {
    let mut parsed = Parsed::default();
    let mut seen_content = !at_file_start;
    for outcome in outcomes {
        parsed.diagnostics.extend(outcome.diagnostics);
        if let Some(stopped) = outcome.stopped {
            parsed.stopped(stopped);
        }
        parsed.search_results += usize::from(outcome.search_result);
        if let Some((offset, value)) = outcome.version {
            if seen_content {
                parsed.diagnostics.push(Diagnostic::error(
                    offset,
                    "expected 'dn:', found 'version:' (the version line is only allowed at the start of the file)",
                ));
                if outcome.record.is_some() || outcome.skipped {
                    parsed.skipped += 1;
                }
                seen_content = true;
                continue;
            }
            match value {
                Some(1) => {}
                Some(other) => parsed.diagnostics.push(Diagnostic::error(
                    offset,
                    format!("expected 'version: 1', found version {other}"),
                )),
                None => parsed.diagnostics.push(Diagnostic::error(
                    offset,
                    "expected 'version: 1', found a value that is not a number",
                )),
            }
        }
        seen_content |= outcome.has_content;
        if outcome.skipped {
            parsed.skipped += 1;
        }
        parsed.read += usize::from(outcome.read);
        parsed.records.extend(outcome.record);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Body, Value};

    #[test]
    fn an_export_ends_with_the_empty_line_after_its_last_record() {
        assert_eq!(unfinished_end(b"dn: cn=a\ncn: a\n\n"), None);
        assert_eq!(unfinished_end(b"dn: cn=a\r\ncn: a\r\n\r\n"), None);
        assert_eq!(unfinished_end(b""), None);
        let ldapsearch = b"dn: cn=a\ncn: a\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numResponses: 2\n# numEntries: 1\n";
        assert_eq!(unfinished_end(ldapsearch), None);
        let inside_line = unfinished_end(b"dn: cn=a\ncn:: Q049RVgw").unwrap();
        assert!(inside_line.contains("inside a line"), "{inside_line}");
        let inside_record = unfinished_end(b"dn: cn=a\ncn: a\n\ndn: cn=b\ncn: b\n").unwrap();
        assert!(inside_record.contains("inside a record"), "{inside_record}");
    }

    fn one(text: &str) -> Record {
        let parsed = parse(text.as_bytes());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.records.len(), 1);
        parsed.records.into_iter().next().unwrap()
    }

    fn texts(record: &Record) -> Vec<(String, String)> {
        record
            .attrs()
            .iter()
            .map(|a| {
                (
                    a.name.clone(),
                    a.value.as_text().unwrap_or("<bin>").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn folding_removes_exactly_one_space() {
        let record = one("dn: cn=a\nsn: Some\n  One\ndescription: very \n long\n");
        assert_eq!(record.first_text("sn"), Some("Some One"));
        assert_eq!(record.first_text("description"), Some("very long"));
    }

    #[test]
    fn ldifde_records_with_crlf_and_continued_values() {
        let record = one(
            "dn: CN=x,DC=a\r\nchangetype: add\r\ndistinguishedName: \r\n CN=x,DC=\r\n a\r\n\r\n",
        );
        assert_eq!(record.first_text("distinguishedName"), Some("CN=x,DC=a"));
        assert!(matches!(
            record.body,
            Body::Entry {
                changetype_add: true,
                ..
            }
        ));
    }

    #[test]
    fn ranged_values_merge_under_the_base_name() {
        let record =
            one("dn: cn=g\nmember;range=0-1: a\nmember;range=0-1: b\nmember;range=2-*: c\n");
        assert_eq!(
            texts(&record).iter().filter(|(n, _)| n == "member").count(),
            3
        );
    }

    #[test]
    fn bare_cr_ends_lines() {
        let parsed = parse(b"dn: cn=a\rcn: a\r\rdn: cn=b\rcn: b\r");
        assert_eq!(parsed.records.len(), 2);
    }

    #[test]
    fn a_bad_record_is_skipped_and_the_rest_is_read() {
        let parsed = parse(b"dn: cn=a\ncn: a\n\ndn: cn=b\ncn:: !!!\n\ndn: cn=c\ncn: c\n");
        assert_eq!(parsed.records.len(), 2);
        assert_eq!(parsed.skipped, 1);
        assert_eq!(parsed.diagnostics.len(), 1);
    }

    #[test]
    fn ldapsearch_pseudo_records_are_skipped_silently() {
        let parsed = parse(b"# extended LDIF\n\ndn: cn=a\ncn: a\n\n# search result\nsearch: 2\nresult: 0 Success\n\n# numEntries: 1\n");
        assert_eq!(parsed.records.len(), 1);
        assert!(parsed.diagnostics.is_empty());
    }

    #[test]
    fn urls_are_kept_and_warned_about() {
        let parsed = parse(b"dn: cn=a\njpegPhoto:< file:///etc/passwd\n");
        assert_eq!(
            parsed.records[0].attrs()[0].value,
            Value::Url("file:///etc/passwd".into())
        );
        assert_eq!(parsed.diagnostics.len(), 1);
    }

    #[test]
    fn version_on_a_later_record_is_an_error() {
        let parsed = parse(b"version: 1\ndn: cn=a\ncn: a\n\nversion: 1\ndn: cn=b\ncn: b\n");
        assert_eq!(parsed.records.len(), 1);
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0]
            .message
            .contains("only allowed at the start"));
    }
}
