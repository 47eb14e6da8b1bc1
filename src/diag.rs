//! Diagnostics: what went wrong where, rendered as `FILE:LINE:COL`.
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

/// A 1-based line and column (the column counts characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Position {
    /// A byte offset in a binary input (an AD Explorer snapshot), which has
    /// no lines: `line` is 0 and `column` holds the offset. Shown as
    /// `offset 0x…`.
    pub fn offset(offset: usize) -> Position {
        Position {
            line: 0,
            column: offset,
        }
    }

    /// The byte offset, when this is a position in a binary input.
    pub fn byte_offset(self) -> Option<usize> {
        (self.line == 0).then_some(self.column)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.byte_offset() {
            Some(offset) => write!(f, "offset {offset:#x}"),
            None => write!(f, "{}:{}", self.line, self.column),
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

    /// The position of `offset` in the text the index was built from.
    pub fn position(&self, text: &[u8], offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = String::from_utf8_lossy(&text[start..offset])
            .chars()
            .count()
            + 1;
        Position { line, column }
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
        let separator = if self.position.byte_offset().is_some() {
            ": "
        } else {
            ":"
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
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(index.position(text, 3), Position { line: 2, column: 2 });
        assert_eq!(index.position(text, 6), Position { line: 3, column: 1 });
        assert_eq!(index.position(text, 13), Position { line: 4, column: 4 });
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
            position: Position { line: 2, column: 3 },
            ..located
        };
        assert_eq!(text.to_string(), "s.dat:2:3: error: m");
    }
}
