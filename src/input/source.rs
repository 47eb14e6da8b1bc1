//! Reading an input: a file (opened read-only) or stdin, into decoded bytes.
//!
//! This module owns everything between a path and UTF-8 text: the SHA-256 of
//! the bytes as they are on disk, byte-order-mark detection, and the one-time
//! transcoding of UTF-16 (`ldifde -u` writes UTF-16LE with a BOM).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;

/// The character encoding an input arrived in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or ASCII) without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (stripped).
    Utf8Bom,
    /// UTF-16 little endian (transcoded).
    Utf16Le,
    /// UTF-16 big endian (transcoded).
    Utf16Be,
}

impl Encoding {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }
}

/// An input read into memory and decoded to UTF-8.
#[derive(Debug)]
pub struct Source {
    /// The path as given, or `-` for stdin.
    pub name: String,
    /// The encoding found.
    pub encoding: Encoding,
    /// Size of the raw input in bytes.
    pub raw_len: u64,
    /// SHA-256 of the raw input, lowercase hex.
    pub sha256: String,
    /// The decoded text (UTF-8, BOM removed).
    pub text: Vec<u8>,
    /// Problems met while decoding (invalid UTF-16).
    pub diagnostics: Vec<Diagnostic>,
}

/// Why an input could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path names a directory.
    #[error("{0}: is a directory, expected an export file")]
    Directory(String),
    /// Opening or reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The underlying error.
        source: io::Error,
    },
}

impl Source {
    /// Reads `path` (`-` for stdin). The file is opened read-only.
    pub fn read(path: &str) -> Result<Source, ReadError> {
        let io_error = |source| ReadError::Io {
            path: path.to_owned(),
            source,
        };
        let mut raw = Vec::new();
        if path == "-" {
            io::stdin().lock().read_to_end(&mut raw).map_err(io_error)?;
        } else {
            if Path::new(path).is_dir() {
                return Err(ReadError::Directory(path.to_owned()));
            }
            File::open(path)
                .and_then(|mut file| file.read_to_end(&mut raw))
                .map_err(io_error)?;
        }
        Ok(Source::from_bytes(path, raw))
    }

    /// Decodes raw bytes that came from `name`.
    pub fn from_bytes(name: &str, raw: Vec<u8>) -> Source {
        let sha256 = hex(&Sha256::digest(&raw));
        let raw_len = raw.len() as u64;
        let (encoding, text, diagnostics) = decode(raw);
        Source {
            name: name.to_owned(),
            encoding,
            raw_len,
            sha256,
            text,
            diagnostics,
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Finds the encoding by BOM (or, for UTF-16 without a BOM, by the zero
/// bytes of ASCII text) and returns UTF-8 text.
fn decode(mut raw: Vec<u8>) -> (Encoding, Vec<u8>, Vec<Diagnostic>) {
    let encoding = sniff(&raw);
    match encoding {
        Encoding::Utf8 => (encoding, raw, Vec::new()),
        Encoding::Utf8Bom => {
            raw.drain(..3);
            (encoding, raw, Vec::new())
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let (codec, bom_len) = match (
                encoding,
                raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF]),
            ) {
                (Encoding::Utf16Le, bom) => (encoding_rs::UTF_16LE, if bom { 2 } else { 0 }),
                (_, bom) => (encoding_rs::UTF_16BE, if bom { 2 } else { 0 }),
            };
            let (text, had_errors) = codec.decode_without_bom_handling(&raw[bom_len..]);
            let mut diagnostics = Vec::new();
            if had_errors {
                let at = text.find('\u{FFFD}').unwrap_or(0);
                diagnostics.push(Diagnostic::warning(
                    at,
                    format!(
                        "expected valid {} text, found an unpaired surrogate or odd byte count: replaced by U+FFFD",
                        encoding.as_str()
                    ),
                ));
            }
            (encoding, text.into_owned().into_bytes(), diagnostics)
        }
    }
}

fn sniff(raw: &[u8]) -> Encoding {
    match raw {
        [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8Bom,
        [0xFF, 0xFE, ..] => Encoding::Utf16Le,
        [0xFE, 0xFF, ..] => Encoding::Utf16Be,
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Encoding::Utf16Le,
        [0, a, 0, b, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => Encoding::Utf16Be,
        _ => Encoding::Utf8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut raw = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        raw.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        raw
    }

    #[test]
    fn utf16le_with_and_without_bom_is_transcoded() {
        for bom in [true, false] {
            let source = Source::from_bytes("x", utf16le("dn: cn=é\r\n", bom));
            assert_eq!(source.encoding, Encoding::Utf16Le);
            assert_eq!(source.text, "dn: cn=é\r\n".as_bytes());
        }
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let source = Source::from_bytes("x", b"\xEF\xBB\xBFdn: cn=a\n".to_vec());
        assert_eq!(source.encoding, Encoding::Utf8Bom);
        assert_eq!(source.text, b"dn: cn=a\n");
    }

    #[test]
    fn lone_surrogate_is_a_warning() {
        let mut raw = utf16le("dn: cn=a", true);
        raw.extend([0x00, 0xD8]);
        let source = Source::from_bytes("x", raw);
        assert_eq!(source.diagnostics.len(), 1);
    }

    #[test]
    fn sha256_is_of_the_raw_bytes() {
        let source = Source::from_bytes("x", b"abc".to_vec());
        assert_eq!(
            source.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
