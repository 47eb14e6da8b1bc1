//! The lines of a record: physical lines unfolded, comments dropped,
//! attributes a projection leaves out checked and passed over, and each
//! logical line split into its attribute description and value.

use std::borrow::Cow;

use super::record::parse_lines;
use super::skipped::{check_base64_value, check_no_nul, check_skipped, Skipped};
use super::{ChunkOutcome, Projection};
use crate::diag::Diagnostic;
use crate::record::Value;

/// The logical lines of the record being read: physical lines unfolded,
/// comments dropped (and, under a projection, the attributes not asked
/// for, checked for damage but not copied). Reused from record to record.
pub(super) struct RecordLines<'t> {
    projection: Projection,
    lines: Vec<Line<'t>>,
    /// Inside a comment or an attribute projected away.
    skipping: Skipped,
    /// Whether a physical line of the record has been seen.
    pub(super) started: bool,
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
    pub(super) fn new(projection: Projection, max_values: usize) -> RecordLines<'t> {
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
    pub(super) fn push(&mut self, text: &'t [u8], pos: usize, content_end: usize) {
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
        outcome.diagnostics.push(crate::input::too_many_values(
            record.offset,
            self.max_values,
            kept + self.dropped,
        ));
    }

    /// Parses the record whose lines were taken in, and starts the next.
    pub(super) fn finish(&mut self, text: &[u8]) -> ChunkOutcome {
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
pub(super) struct Line<'a> {
    pub(super) offset: usize,
    /// Where the first `:` is, when it is on the first physical line (later
    /// lines only add to the end).
    pub(super) colon: Option<usize>,
    pub(super) text: Cow<'a, [u8]>,
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
pub(super) struct AttrLine<'a> {
    pub(super) name: &'a str,
    pub(super) value: ValueSpec<'a>,
}

pub(super) enum ValueSpec<'a> {
    Plain(&'a [u8]),
    Base64(&'a [u8]),
    Url(&'a [u8]),
}

impl<'a> Line<'a> {
    pub(super) fn error(&self, column: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(self.offset + column.min(self.text.len()), message)
    }

    pub(super) fn is_separator(&self) -> bool {
        self.text.trim_ascii_end() == b"-"
    }

    pub(super) fn shown(&self) -> String {
        let text = String::from_utf8_lossy(&self.text);
        let mut shown: String = text.chars().take(40).collect();
        if text.chars().count() > 40 {
            shown.push('…');
        }
        shown
    }

    pub(super) fn attr(&self) -> Result<AttrLine<'_>, Diagnostic> {
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
    pub(super) fn value(&self, spec: &ValueSpec<'_>) -> Result<Value, Diagnostic> {
        match spec {
            ValueSpec::Plain(bytes) => Ok(Value::Bytes(bytes.to_vec())),
            ValueSpec::Base64(data) => decode_base64(data)
                .map(Value::Bytes)
                .map_err(|reason| self.error(0, format!("expected base64 after '::', {reason}"))),
            ValueSpec::Url(url) => Ok(Value::url(url)),
        }
    }

    /// The value as text (for DNs, keywords and other structural values).
    pub(super) fn text_value(
        &self,
        spec: &ValueSpec<'_>,
        what: &str,
    ) -> Result<String, Diagnostic> {
        self.text_of(spec, what).map(Cow::into_owned)
    }

    /// [`Line::text_value`], borrowed when the value is plain text.
    pub(super) fn text_of<'v>(
        &self,
        spec: &ValueSpec<'v>,
        what: &str,
    ) -> Result<Cow<'v, str>, Diagnostic> {
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
pub(super) fn is_attribute_description(name: &[u8]) -> bool {
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

pub(super) fn is_attribute_type(name: &[u8]) -> bool {
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

pub(super) fn decode_base64(data: &[u8]) -> Result<Vec<u8>, String> {
    crate::input::base64::decode(data)
}

/// A warning for base64 without its `=` padding: it decodes, but is what a
/// value cut short looks like (RFC 2849 base64 is always padded).
pub(super) fn unpadded(line: &Line<'_>, spec: &ValueSpec<'_>, name: &str) -> Option<Diagnostic> {
    let ValueSpec::Base64(data) = spec else {
        return None;
    };
    crate::input::base64::is_unpadded(data).then(|| {
        Diagnostic::warning(
            line.offset,
            crate::input::base64::unpadded_warning(&format!("'{name}'"), data),
        )
    })
}
