//! Damage in what a projection passes over: the lines of attributes the
//! analysis does not read are not parsed, but a damaged export must not
//! read as a clean one. Only cheap checks run here, on most of the bytes of
//! an export (security descriptors): the attribute description, NUL bytes,
//! and the base64 alphabet of `::` values, counted per value.

use super::line_end;
use crate::diag::Diagnostic;

/// What a line passed over under a projection holds, for checking its
/// continuation lines.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Skipped {
    /// Not skipping.
    Nothing,
    /// A comment: anything goes.
    Comment,
    /// A plain value.
    Plain,
    /// A base64 value, checked as a whole when it ends.
    Base64(Base64Value),
}

/// The bytes of a skipped base64 value, folded lines included.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Base64Value {
    /// Where the value starts (after `::`).
    start: usize,
    /// Where its last line's content ends.
    end: usize,
    /// Bytes in between that are not the value's: the spaces after `::`,
    /// the line ends and the one leading space of each continuation line.
    folding: usize,
}

impl Base64Value {
    /// Takes in a continuation line starting at `start` whose content ends
    /// at `end`: its line end and leading space are the folding's.
    pub(super) fn continued(&mut self, start: usize, end: usize) {
        self.folding += start - self.end + 1;
        self.end = end;
    }
}

/// Damage in a line that a projection passes over unread: the analysis
/// does not need its value, but a damaged export must not read as a clean
/// one. Only cheap checks: the attribute description, NUL bytes, and the
/// base64 alphabet of `::` values. Returns what the line holds.
pub(super) fn check_skipped(
    line: &[u8],
    colon: Option<usize>,
    offset: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Skipped {
    let Some(colon) = colon else {
        return Skipped::Plain;
    };
    let description = line[..colon].trim_ascii_end();
    if !is_description_shaped(description) {
        diagnostics.push(Diagnostic::warning(
            offset,
            format!(
                "expected an attribute description (letters, digits, '-', options after ';'), found '{}' \
                 (in an attribute the analysis does not read: the export is damaged here)",
                String::from_utf8_lossy(description).escape_debug()
            ),
        ));
    }
    let rest = &line[colon + 1..];
    if let Some(data) = rest.strip_prefix(b":") {
        let spaces = data.len() - data.trim_ascii_start().len();
        Skipped::Base64(Base64Value {
            start: offset + colon + 2,
            end: offset + line.len(),
            folding: spaces,
        })
    } else {
        check_no_nul(rest, offset + colon + 1, diagnostics);
        Skipped::Plain
    }
}

/// Warns about a NUL byte in a plain value (LDIF requires base64 for it).
pub(super) fn check_no_nul(data: &[u8], offset: usize, diagnostics: &mut Vec<Diagnostic>) {
    if let Some(at) = memchr::memchr(0, data) {
        diagnostics.push(Diagnostic::warning(
            offset + at,
            "expected text, found a NUL byte in a plain value (in an attribute the analysis does not \
             read: the export is damaged here)",
        ));
    }
}

/// Checks a whole skipped base64 value: one vectorized count of the bytes
/// outside the alphabet, which must be exactly the spaces after `::` and
/// the folding's; only a value that fails is looked at line by line to say
/// where.
pub(super) fn check_base64_value(
    text: &[u8],
    value: Base64Value,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if count_outside_base64(&text[value.start..value.end]) == value.folding {
        return;
    }
    let mut pos = value.start;
    let mut first = true;
    while pos < value.end {
        let (content_end, next) = line_end(text, pos);
        let line = &text[pos..content_end.min(value.end)];
        if first {
            check_base64_part(line, pos, diagnostics);
        } else if let Some(continuation) = line.strip_prefix(b" ") {
            check_base64_part(continuation, pos + 1, diagnostics);
        }
        first = false;
        pos = next;
    }
}

/// How many bytes are outside the base64 alphabet, counted in blocks of
/// 64 (a fixed size the compiler vectorizes; security descriptors are most
/// of an export, so this runs over most of its bytes).
pub(super) fn count_outside_base64(data: &[u8]) -> usize {
    fn block(chunk: &[u8]) -> usize {
        usize::from(chunk.iter().fold(0u8, |n, &b| n + outside_base64(b)))
    }
    let mut blocks = data.chunks_exact(64);
    let bulk: usize = blocks.by_ref().map(block).sum();
    bulk + block(blocks.remainder())
}

/// Warns about a byte outside the base64 alphabet in (part of) a `::` value.
fn check_base64_part(data: &[u8], offset: usize, diagnostics: &mut Vec<Diagnostic>) {
    let lead = data.len() - data.trim_ascii_start().len();
    let data = data.trim_ascii();
    if is_base64_alphabet(data) {
        return;
    }
    let at = data
        .iter()
        .position(|&b| !is_base64_byte(b))
        .unwrap_or_default();
    diagnostics.push(Diagnostic::warning(
        offset + lead + at,
        format!(
            "expected base64 after '::', found {:?} (in an attribute the analysis does not read: the \
             export is damaged here)",
            char::from(data[at])
        ),
    ));
}

/// A cheap test of an attribute description's bytes (a name or OID, then
/// `;options`): not empty, starting with a letter or digit, and only
/// letters, digits, `-`, `.` and `;`.
fn is_description_shaped(description: &[u8]) -> bool {
    description.first().is_some_and(u8::is_ascii_alphanumeric)
        && description
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b';')
}

fn is_base64_byte(b: u8) -> bool {
    outside_base64(b) == 0
}

/// Whether a byte is outside the base64 alphabet (1) or in it (0),
/// without branches: letters of either case, then '/' (47) and the digits
/// (48..=57), '+' and '='.
fn outside_base64(b: u8) -> u8 {
    // `x in lo..lo + n` as one add and one signed compare: shifting `lo`
    // to -128 makes the range the lowest `n` signed values.
    let below =
        |x: u8, lo: u8, n: i8| (x.wrapping_add(0x80u8.wrapping_sub(lo)) as i8) < i8::MIN + n;
    let letter = below(b | 0x20, b'a', 26);
    let slash_or_digit = below(b, b'/', 11);
    u8::from(!(letter | slash_or_digit | (b == b'+') | (b == b'=')))
}

/// Whether every byte is in the base64 alphabet.
fn is_base64_alphabet(data: &[u8]) -> bool {
    data.iter().all(|&b| outside_base64(b) == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base64_alphabet_count_finds_any_outside_byte() {
        let good: Vec<u8> = b"ABCxyz019+/=".iter().copied().cycle().take(200).collect();
        assert_eq!(count_outside_base64(&good), 0);
        for at in [0, 31, 63, 64, 127, 128, 199] {
            for bad in [
                b'!', b' ', 0, 0xC3, b'-', b'_', b'@', b'[', b'`', b'{', b':',
            ] {
                let mut data = good.clone();
                data[at] = bad;
                assert_eq!(count_outside_base64(&data), 1, "{at} {bad}");
            }
        }
    }
}
