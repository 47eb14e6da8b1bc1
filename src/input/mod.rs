//! Inputs: from a path to records plus diagnostics.
//!
//! `source` reads and decodes the bytes, `detect` tells what format they are
//! in, and the readers (`ldif`) turn them into [`Record`]s. Readers are pure
//! functions over bytes; only `source` touches the filesystem.

pub mod clixml;
pub mod detect;
pub mod dsml;
pub mod ldif;
pub mod source;
pub mod xml;

use crate::diag::{Diagnostic, LineIndex, Position, Severity};
use crate::record::Record;
pub use detect::Format;
pub use source::{Encoding, ReadError, Source};

/// What a reader produced from one input.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The records read, in input order.
    pub records: Vec<Record>,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// Records that were skipped because they were malformed.
    pub skipped: usize,
    /// LDIF's `version:` line value, when present.
    pub version: Option<u32>,
}

/// One input, read and parsed.
#[derive(Debug)]
pub struct Loaded {
    /// The decoded input and what is known about its bytes.
    pub source: Source,
    /// The format it was read as.
    pub format: Format,
    /// The records read, in input order.
    pub records: Vec<Record>,
    /// Every problem found (decoding and parsing), in input order.
    pub diagnostics: Vec<Diagnostic>,
    /// Records skipped because they were malformed.
    pub skipped: usize,
}

/// Why an input could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The bytes could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The bytes are not in a format exconn reads.
    #[error("{path}: {reason}")]
    UnknownFormat {
        /// The path as given.
        path: String,
        /// What was found instead.
        reason: String,
    },
}

/// Reads and parses one input; `format` overrides detection.
pub fn load(path: &str, format: Option<Format>) -> Result<Loaded, LoadError> {
    let source = Source::read(path)?;
    parse_source(source, format)
}

/// Parses an already read source, detecting its format unless one is given.
pub fn parse_source(source: Source, format: Option<Format>) -> Result<Loaded, LoadError> {
    let format = match format {
        Some(format) => format,
        None => detect::detect(&source.text).map_err(|reason| LoadError::UnknownFormat {
            path: source.name.clone(),
            reason,
        })?,
    };
    let parsed = match format {
        Format::Ldif => ldif::parse(&source.text),
        Format::Dsml => dsml::parse(&source.text),
        Format::Clixml => clixml::parse(&source.text),
    };
    let mut diagnostics = source.diagnostics.clone();
    diagnostics.extend(parsed.diagnostics);
    diagnostics.sort_by_key(|d| d.offset);
    Ok(Loaded {
        source,
        format,
        records: parsed.records,
        diagnostics,
        skipped: parsed.skipped,
    })
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
        write!(
            f,
            "{}:{}: {}: {}",
            self.file,
            self.position,
            self.severity.as_str(),
            self.message
        )
    }
}

impl Loaded {
    /// The diagnostics with file, line and column.
    pub fn located_diagnostics(&self) -> Vec<Located> {
        self.locate(&self.diagnostics)
    }

    /// Resolves the positions of diagnostics about this input.
    pub fn locate(&self, diagnostics: &[Diagnostic]) -> Vec<Located> {
        if diagnostics.is_empty() {
            return Vec::new();
        }
        let index = LineIndex::new(&self.source.text);
        diagnostics
            .iter()
            .map(|d| Located {
                file: self.source.name.clone(),
                position: index.position(&self.source.text, d.offset),
                severity: d.severity,
                message: d.message.clone(),
            })
            .collect()
    }
}
