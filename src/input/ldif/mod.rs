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

mod change;
mod skipped;

use change::{parse_change, parse_control};
use skipped::{check_base64_value, check_no_nul, check_skipped, Skipped};

use std::borrow::Cow;
use std::ops::Range;

use rayon::prelude::*;

use super::{Parsed, Projection};
use crate::diag::{line_end, Diagnostic};
use crate::dn::Dn;
use crate::record::{Attr, Body, Record, Value};

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

/// Where the first empty line of `text` ends (see [`last_record_boundary`]).
pub(crate) fn first_record_boundary(text: &[u8]) -> Option<usize> {
    match memchr::memchr_iter(b'\n', text).find(|&at| ends_empty_line(text, at)) {
        Some(at) => Some(at + 1),
        None if memchr::memchr(b'\n', text).is_none() => memchr::memmem::find_iter(text, b"\r\r")
            .find(|&at| starts_line_after_crs(text, at))
            .map(|at| at + 2),
        None => None,
    }
}

/// Where the last record of `text` that is followed by an empty line ends:
/// the window can be cut there without cutting a record (or a folded line).
pub(crate) fn last_record_boundary(text: &[u8]) -> Option<usize> {
    match memchr::memrchr_iter(b'\n', text).find(|&at| ends_empty_line(text, at)) {
        Some(at) => Some(at + 1),
        // Bare CR line ends only (a file's, or a piece's without LF).
        None if memchr::memchr(b'\n', text).is_none() => memchr::memmem::rfind_iter(text, b"\r\r")
            .find(|&at| starts_line_after_crs(text, at))
            .map(|at| at + 2),
        None => None,
    }
}

/// The entry count an `ldapsearch` trailer gives (`# numEntries: N`) in
/// the text after the last record, if it has one.
pub(crate) fn trailer_entries(tail: &[u8]) -> Option<usize> {
    tail.split(|&b| b == b'\n' || b == b'\r').find_map(|line| {
        let rest = line.strip_prefix(b"# numEntries:")?;
        std::str::from_utf8(rest).ok()?.trim().parse().ok()
    })
}

/// Whether `text` holds nothing but comments (and their folded lines) and
/// empty lines: no record has started in it.
pub(crate) fn holds_only_comments(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n' || b == b'\r')
        .filter(|line| !line.is_empty())
        .all(|line| line.starts_with(b"#") || line.starts_with(b" "))
}

/// Why LDIF text that ends an input does not end as a whole export does,
/// if it does not. `ldifde` and `ldapsearch` end every record, the last
/// one included, with an empty line (`ldapsearch` may add comment lines
/// after it); text after the last empty line that holds more than
/// comments means the file was cut inside a record, or inside a line.
pub(crate) fn unfinished_end(text: &[u8]) -> Option<&'static str> {
    let rest = &text[last_record_boundary(text).unwrap_or(0)..];
    if rest.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if !rest.ends_with(b"\n") && !rest.ends_with(b"\r") {
        return Some(
            "expected the export to end with a line end and the empty line after its last record, \
             found the end of the file inside a line: the file was cut (a download, copy or mail \
             attachment cut short, a disk that filled up)",
        );
    }
    (!holds_only_comments(rest)).then_some(
        "expected the empty line that ldifde and ldapsearch write after the last record, found \
         the end of the file inside a record: the file was probably cut (if it was edited by \
         hand, end it with an empty line)",
    )
}

/// Whether the two CRs at `at` end an empty line for sure: a byte that
/// starts a line follows them (at the end of a piece of text, or before
/// another CR or an LF, they may be part of a CR CR LF line end whose rest
/// is still to come).
fn starts_line_after_crs(text: &[u8], at: usize) -> bool {
    text.get(at + 2).is_some_and(|&b| b != b'\r' && b != b'\n')
}

/// Whether the LF at `at` ends an empty line: the line end before it (LF,
/// CRLF or CR CR LF) comes right before.
fn ends_empty_line(text: &[u8], at: usize) -> bool {
    let before = &text[..at];
    before.ends_with(b"\n") || before.ends_with(b"\n\r") || before.ends_with(b"\n\r\r")
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

/// The logical lines of the record being read: physical lines unfolded,
/// comments dropped (and, under a projection, the attributes not asked
/// for, checked for damage but not copied). Reused from record to record.
struct RecordLines<'t> {
    projection: Projection,
    lines: Vec<Line<'t>>,
    /// Inside a comment or an attribute projected away.
    skipping: Skipped,
    /// Whether a physical line of the record has been seen.
    started: bool,
    /// Why the record cannot be read (its later lines are passed over).
    error: Option<Diagnostic>,
    diagnostics: Vec<Diagnostic>,
    /// The most values an entry keeps.
    max_values: usize,
    /// Lines past the most a record keeps, counted and dropped.
    dropped: usize,
}

/// Lines a record may hold besides its values: the DN, controls, a
/// changetype. Lines past `max_values` and these are not kept.
const STRUCTURE_LINES: usize = 8;

impl<'t> RecordLines<'t> {
    fn new(projection: Projection, max_values: usize) -> RecordLines<'t> {
        RecordLines {
            projection,
            max_values,
            dropped: 0,
            lines: Vec::new(),
            skipping: Skipped::Nothing,
            started: false,
            error: None,
            diagnostics: Vec::new(),
        }
    }

    /// Takes in the physical line `text[pos..content_end]` (not empty).
    fn push(&mut self, text: &'t [u8], pos: usize, content_end: usize) {
        self.started = true;
        if self.error.is_some() {
            return;
        }
        let physical = &text[pos..content_end];
        if let Some(continuation) = physical.strip_prefix(b" ") {
            if self.skipping != Skipped::Nothing {
                // A folded comment stays a comment; a skipped value stays
                // skipped, and is checked with the line it continues.
                match &mut self.skipping {
                    Skipped::Base64(value) => value.continued(pos, content_end),
                    Skipped::Plain => check_no_nul(continuation, pos + 1, &mut self.diagnostics),
                    Skipped::Comment | Skipped::Nothing => {}
                }
            } else if let Some(last) = self.lines.last_mut() {
                last.text.to_mut().extend_from_slice(continuation);
            } else {
                self.error = Some(Diagnostic::error(
                    pos,
                    "expected 'dn:' at the start of a record, found a continuation line (a line starting with a space)",
                ));
            }
            return;
        }
        if let Skipped::Base64(value) = self.skipping {
            check_base64_value(text, value, &mut self.diagnostics);
        }
        if physical.first() == Some(&b'#') {
            self.skipping = Skipped::Comment;
            return;
        }
        let colon = memchr::memchr(b':', physical);
        if !is_kept(physical, colon, self.projection) {
            self.skipping = check_skipped(physical, colon, pos, &mut self.diagnostics);
        } else if self.lines.len() >= self.max_values.saturating_add(STRUCTURE_LINES) {
            // Past the limit: counted, not kept (its continuations neither).
            self.skipping = Skipped::Plain;
            self.dropped += 1;
        } else {
            self.skipping = Skipped::Nothing;
            self.lines.push(Line {
                offset: pos,
                colon,
                text: Cow::Borrowed(physical),
            });
        }
    }

    /// Keeps at most `max_values` values in the record parsed, with an error
    /// that counts the lines dropped while it was read too.
    fn cap_values(&self, outcome: &mut ChunkOutcome) {
        if self.dropped == 0 {
            return;
        }
        let Some(record) = &mut outcome.record else {
            return;
        };
        let kept = match &mut record.body {
            crate::record::Body::Entry { attrs, .. } => {
                let kept = attrs.len();
                attrs.truncate(self.max_values);
                kept
            }
            _ => self.max_values,
        };
        outcome.diagnostics.push(super::too_many_values(
            record.offset,
            self.max_values,
            kept + self.dropped,
        ));
    }

    /// Parses the record whose lines were taken in, and starts the next.
    fn finish(&mut self, text: &[u8]) -> ChunkOutcome {
        if let Skipped::Base64(value) = self.skipping {
            if self.error.is_none() {
                check_base64_value(text, value, &mut self.diagnostics);
            }
        }
        let mut outcome = ChunkOutcome {
            diagnostics: std::mem::take(&mut self.diagnostics),
            ..ChunkOutcome::default()
        };
        match self.error.take() {
            Some(error) => {
                outcome.has_content = true;
                outcome.skipped = true;
                outcome.diagnostics.push(error);
            }
            None => {
                parse_lines(&self.lines, self.projection, &mut outcome);
                self.cap_values(&mut outcome);
            }
        }
        self.dropped = 0;
        self.lines.clear();
        self.skipping = Skipped::Nothing;
        self.started = false;
        outcome
    }
}

/// One unfolded line: its offset in the input and its bytes.
struct Line<'a> {
    offset: usize,
    /// Where the first `:` is, when it is on the first physical line (later
    /// lines only add to the end).
    colon: Option<usize>,
    text: Cow<'a, [u8]>,
}

/// Names of the lines that give a record its structure: never projected away.
const STRUCTURE: &[&[u8]] = &[
    b"dn",
    b"changetype",
    b"control",
    b"version",
    b"search",
    b"result",
    b"ref",
    b"add",
    b"delete",
    b"replace",
    b"increment",
    b"newrdn",
    b"deleteoldrdn",
    b"newsuperior",
];

/// Whether a logical line starting with `first` (its first physical line,
/// whose first `:` is at `colon`) is kept.
fn is_kept(first: &[u8], colon: Option<usize>, projection: Projection) -> bool {
    let Projection::Only { .. } = projection else {
        return true;
    };
    let Some(colon) = colon else {
        return true; // '-' separators, and malformed lines that must be diagnosed
    };
    let name = first[..colon].trim_ascii_end();
    is_structure(name) || projection.keeps(name)
}

/// Whether `name` is one of [`STRUCTURE`] (most names are longer than any).
fn is_structure(name: &[u8]) -> bool {
    (2..=12).contains(&name.len()) && STRUCTURE.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// A parsed `description: value` line.
struct AttrLine<'a> {
    name: &'a str,
    value: ValueSpec<'a>,
}

enum ValueSpec<'a> {
    Plain(&'a [u8]),
    Base64(&'a [u8]),
    Url(&'a [u8]),
}

impl<'a> Line<'a> {
    fn error(&self, column: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.offset + column.min(self.text.len()), message)
    }

    fn is_separator(&self) -> bool {
        self.text.trim_ascii_end() == b"-"
    }

    fn shown(&self) -> String {
        let text = String::from_utf8_lossy(&self.text);
        let mut shown: String = text.chars().take(40).collect();
        if text.chars().count() > 40 {
            shown.push('…');
        }
        shown
    }

    fn attr(&self) -> Result<AttrLine<'_>, Diagnostic> {
        let text: &[u8] = &self.text;
        let Some(colon) = self.colon.or_else(|| memchr::memchr(b':', text)) else {
            return Err(self.error(
                0,
                format!(
                    "expected 'attribute: value', found '{}' (no ':')",
                    self.shown()
                ),
            ));
        };
        let description = text[..colon].trim_ascii_end();
        let name = Some(description)
            .filter(|name| is_attribute_description(name))
            .and_then(|name| std::str::from_utf8(name).ok());
        let Some(name) = name else {
            return Err(self.error(
                0,
                format!(
                    "expected an attribute description (letters, digits, '-', options after ';'), found '{}'",
                    String::from_utf8_lossy(description)
                ),
            ));
        };
        let rest = &text[colon + 1..];
        let value = match rest.first() {
            Some(b':') => ValueSpec::Base64(rest[1..].trim_ascii()),
            Some(b'<') => ValueSpec::Url(rest[1..].trim_ascii()),
            _ => ValueSpec::Plain(trim_fill(rest)),
        };
        Ok(AttrLine { name, value })
    }

    /// The line's value decoded to bytes.
    fn value(&self, spec: &ValueSpec<'_>) -> Result<Value, Diagnostic> {
        match spec {
            ValueSpec::Plain(bytes) => Ok(Value::Bytes(bytes.to_vec())),
            ValueSpec::Base64(data) => decode_base64(data)
                .map(Value::Bytes)
                .map_err(|reason| self.error(0, format!("expected base64 after '::', {reason}"))),
            ValueSpec::Url(url) => Ok(Value::url(url)),
        }
    }

    /// The value as text (for DNs, keywords and other structural values).
    fn text_value(&self, spec: &ValueSpec<'_>, what: &str) -> Result<String, Diagnostic> {
        self.text_of(spec, what).map(Cow::into_owned)
    }

    /// [`Line::text_value`], borrowed when the value is plain text.
    fn text_of<'v>(&self, spec: &ValueSpec<'v>, what: &str) -> Result<Cow<'v, str>, Diagnostic> {
        if let ValueSpec::Plain(bytes) = spec {
            return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|_| {
                self.error(0, format!("expected {what} in UTF-8, found other bytes"))
            });
        }
        match self.value(spec)? {
            Value::Bytes(bytes) => String::from_utf8(bytes)
                .map(Cow::Owned)
                .map_err(|_| self.error(0, format!("expected {what} in UTF-8, found other bytes"))),
            Value::Url(_) => Err(self.error(0, format!("expected {what}, found a ':<' URL"))),
        }
    }
}

fn trim_fill(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != b' ').unwrap_or(bytes.len());
    &bytes[start..]
}

/// `AttributeType *(";" option)` where options may hold AD's `range=0-*`.
fn is_attribute_description(name: &[u8]) -> bool {
    let is_option = |option: &[u8]| {
        !option.is_empty()
            && option
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'=' | b'*' | b'_'))
    };
    match memchr::memchr(b';', name) {
        None => is_attribute_type(name),
        Some(at) => {
            is_attribute_type(&name[..at]) && name[at + 1..].split(|&b| b == b';').all(is_option)
        }
    }
}

fn is_attribute_type(name: &[u8]) -> bool {
    match name.first() {
        Some(b) if b.is_ascii_alphabetic() => {
            name.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        Some(b) if b.is_ascii_digit() => name
            .split(|&b| b == b'.')
            .all(|arc| !arc.is_empty() && arc.iter().all(u8::is_ascii_digit)),
        _ => false,
    }
}

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

fn decode_base64(data: &[u8]) -> Result<Vec<u8>, String> {
    super::base64::decode(data)
}

/// A warning for base64 without its `=` padding: it decodes, but is what a
/// value cut short looks like (RFC 2849 base64 is always padded).
fn unpadded(line: &Line<'_>, spec: &ValueSpec<'_>, name: &str) -> Option<Diagnostic> {
    let ValueSpec::Base64(data) = spec else {
        return None;
    };
    super::base64::is_unpadded(data).then(|| {
        Diagnostic::warning(
            line.offset,
            super::base64::unpadded_warning(&format!("'{name}'"), data),
        )
    })
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

/// Parses one record's logical lines into `outcome`.
fn parse_lines(lines: &[Line<'_>], projection: Projection, outcome: &mut ChunkOutcome) {
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
fn parse_attrs(
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
        if let Some(error) = super::overlong_description(line.offset, attr.name) {
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

fn read_attr(
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

#[cfg(test)]
mod tests {
    use super::*;

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
