//! Diagnostics: what went wrong where, rendered as `FILE:LINE:COL` (or
//! `FILE: offset 0x…` in a binary input, which has no lines).
//!
//! Readers record a byte offset into the decoded input; the line and column
//! are computed only when a diagnostic is shown, from a [`LineIndex`] built
//! once per input. Line ends are LF, CRLF or a bare CR, as the readers accept.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something was accepted that a strict reader would question.
    Warning,
    /// Something was skipped: data was lost.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A problem found at a byte offset of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// Byte offset in the decoded input.
    pub offset: usize,
    /// What was expected and what was found.
    pub message: String,
}

impl Diagnostic {
    /// An error at `offset`.
    pub fn error(offset: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            offset,
            message: message.into(),
        }
    }

    /// A warning at `offset`.
    pub fn warning(offset: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            offset,
            message: message.into(),
        }
    }
}

/// Where the line starting at `pos` ends: the end of its content and the
/// start of the next line. LF, CRLF and a bare CR end a line; so does
/// CR CR LF, which is what a CRLF file becomes after one more text-mode
/// conversion on Windows.
pub(crate) fn line_end(text: &[u8], pos: usize) -> (usize, usize) {
    match memchr::memchr2(b'\n', b'\r', &text[pos..]) {
        None => (text.len(), text.len()),
        Some(found) => {
            let at = pos + found;
            match &text[at..] {
                [b'\r', b'\n', ..] => (at, at + 2),
                [b'\r', b'\r', b'\n', ..] => (at, at + 3),
                _ => (at, at + 1),
            }
        }
    }
}

/// A 1-based line and column in a text input (the column counts characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl LineColumn {
    /// The start of a text.
    pub const START: LineColumn = LineColumn { line: 1, column: 1 };
}

/// Where in an input a diagnostic is: a line and column of a text input,
/// or a byte offset in a binary one (an AD Explorer snapshot has no lines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// A line and column of a text input, shown as `LINE:COL`.
    Line(LineColumn),
    /// A byte offset in a binary input, shown as `offset 0x…`.
    Offset(u64),
}

impl Position {
    /// A byte offset in a binary input.
    pub fn offset(offset: usize) -> Position {
        Position::Offset(offset as u64)
    }

    /// The line and column, in a text input.
    pub fn line_column(self) -> Option<LineColumn> {
        match self {
            Position::Line(at) => Some(at),
            Position::Offset(_) => None,
        }
    }

    /// The byte offset, in a binary input.
    pub fn byte_offset(self) -> Option<u64> {
        match self {
            Position::Offset(offset) => Some(offset),
            Position::Line(_) => None,
        }
    }
}

impl From<LineColumn> for Position {
    fn from(at: LineColumn) -> Position {
        Position::Line(at)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Offset(offset) => write!(f, "offset {offset:#x}"),
            Position::Line(at) => write!(f, "{}:{}", at.line, at.column),
        }
    }
}

/// Offsets of line starts, for turning byte offsets into positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text` (line ends as [`line_end`] finds them).
    pub fn new(text: &[u8]) -> Self {
        let mut line_starts = vec![0];
        let mut pos = 0;
        while pos < text.len() {
            let (content_end, next) = line_end(text, pos);
            if content_end == text.len() {
                break;
            }
            line_starts.push(next);
            pos = next;
        }
        LineIndex { line_starts }
    }

    /// How many line ends the text has.
    pub fn line_ends(&self) -> usize {
        self.line_starts.len() - 1
    }

    /// The line and column of `offset` in the text the index was built from.
    pub fn position(&self, text: &[u8], offset: usize) -> LineColumn {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = String::from_utf8_lossy(&text[start..offset])
            .chars()
            .count()
            + 1;
        LineColumn { line, column }
    }
}

/// A diagnostic with its place resolved, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The input's name.
    pub file: String,
    /// Where in the input.
    pub position: Position,
    /// How bad.
    pub severity: Severity,
    /// What was expected and found.
    pub message: String,
}

impl std::fmt::Display for Located {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `FILE:LINE:COL: …` for text, `FILE: offset 0x…: …` for a binary input.
        let separator = match self.position {
            Position::Offset(_) => ": ",
            Position::Line(_) => ":",
        };
        write!(
            f,
            "{}{separator}{}: {}: {}",
            self.file,
            self.position,
            self.severity.as_str(),
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_follow_every_kind_of_line_end() {
        let text = "a\nbb\r\ncc\rdé x".as_bytes();
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), LineColumn { line: 1, column: 1 });
        assert_eq!(index.position(text, 3), LineColumn { line: 2, column: 2 });
        assert_eq!(index.position(text, 6), LineColumn { line: 3, column: 1 });
        assert_eq!(index.position(text, 13), LineColumn { line: 4, column: 4 });
    }

    #[test]
    fn binary_inputs_are_located_by_offset() {
        let located = Located {
            file: "s.dat".to_owned(),
            position: Position::offset(0x43e),
            severity: Severity::Error,
            message: "m".to_owned(),
        };
        assert_eq!(located.to_string(), "s.dat: offset 0x43e: error: m");
        let text = Located {
            position: Position::Line(LineColumn { line: 2, column: 3 }),
            ..located
        };
        assert_eq!(text.to_string(), "s.dat:2:3: error: m");
    }
}
