//! Reading an input: a file (opened read-only), stdin or an archive's
//! entry, as a stream of UTF-8.
//!
//! This module owns everything between a path and UTF-8 text, without ever
//! holding the whole input, in steps of their own: `paths` finds the files
//! to read (directories expanded, archives listed), `blocks` reads raw
//! blocks on a thread and hashes them on another, `archive` and gzip
//! decompress what their magic bytes announce, and `decode` sniffs the
//! encoding and transcodes UTF-16 to UTF-8 as it streams through.

mod archive;
mod blocks;
mod decode;
mod paths;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;
use std::thread::JoinHandle;

use blocks::{spawn_reader, BLOCK};
use decode::{sniff, with_head, Transcoder};

pub(crate) use paths::changed_while_read;
pub use paths::{expand, ArchiveEntry, Expanded, InputPath};

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
    /// Not text: read byte for byte (an AD Explorer snapshot, whose strings
    /// are UTF-16LE inside). Never sniffed; the reader of a binary format
    /// says so once it has been detected.
    Binary,
}

impl Encoding {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Binary => "binary",
        }
    }
}

/// A compression wrapper found by its magic bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// gzip (`1F 8B`).
    Gzip,
    /// The first entry of a ZIP archive (`PK 03 04`).
    Zip,
}

impl Compression {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zip => "zip",
        }
    }
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

/// What is known of the raw bytes once the input has been read to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawSummary {
    /// Bytes read from the file or stdin.
    pub bytes: u64,
    /// SHA-256 of those bytes, lowercase hex.
    pub sha256: String,
}

/// An open input, yielding UTF-8.
pub struct Source {
    /// The path as given, or `-` for stdin.
    pub name: String,
    /// The encoding found.
    pub encoding: Encoding,
    /// The compression found, if any.
    pub compression: Option<Compression>,
    /// The size of the file, when known (for progress).
    pub size: Option<u64>,
    /// Raw bytes read so far (for progress).
    pub progress: Arc<AtomicU64>,
    /// Whether UTF-16 decoding met unpaired surrogates or an odd byte count.
    pub transcoding_errors: Arc<AtomicBool>,
    /// Set when a ZIP archive read as a stream (no central directory to
    /// list its entries: stdin, a file cut short) holds entries after the
    /// first, which alone is read.
    pub unread_entries: Arc<AtomicBool>,
    /// The byte-order mark the content contradicted (skipped; the content's
    /// own encoding was used).
    pub mark_contradicted: Option<&'static str>,
    text: Box<dyn BufRead + Send>,
    hasher: Option<JoinHandle<RawSummary>>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("encoding", &self.encoding)
            .field("compression", &self.compression)
            .finish_non_exhaustive()
    }
}

impl Source {
    /// Opens an input: a file, stdin, or an archive entry.
    pub fn open_input(input: &InputPath) -> Result<Source, ReadError> {
        match &input.entry {
            None => Source::open(&input.path),
            Some(entry) => Source::open_entry(&input.path, entry),
        }
    }

    /// Opens an entry of a ZIP archive read-only and starts streaming its
    /// content (what the size and SHA-256 then describe).
    fn open_entry(name: &str, entry: &ArchiveEntry) -> Result<Source, ReadError> {
        let io_error = |source| ReadError::Io {
            path: name.to_owned(),
            source,
        };
        let (content, size) = archive::open_entry(entry).map_err(io_error)?;
        let mut source =
            Source::from_reader(name, Box::new(content), Some(size)).map_err(io_error)?;
        source.compression.get_or_insert(Compression::Zip);
        Ok(source)
    }

    /// Opens `path` (`-` for stdin) read-only and starts streaming it.
    pub fn open(path: &str) -> Result<Source, ReadError> {
        let io_error = |source| ReadError::Io {
            path: path.to_owned(),
            source,
        };
        let (raw, size): (Box<dyn Read + Send>, Option<u64>) = if path == "-" {
            (Box::new(io::stdin()), None)
        } else {
            if Path::new(path).is_dir() {
                return Err(ReadError::Directory(path.to_owned()));
            }
            let file = File::open(path).map_err(io_error)?;
            // Only a regular file has a size worth comparing (a FIFO says 0).
            let size = file
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            (Box::new(file), size)
        };
        Source::from_reader(path, raw, size).map_err(io_error)
    }

    /// Streams already open raw bytes that came from `name`.
    pub fn from_reader(
        name: &str,
        raw: Box<dyn Read + Send>,
        size: Option<u64>,
    ) -> io::Result<Source> {
        Source::from_reader_in_blocks(name, raw, size, BLOCK)
    }

    /// [`Source::from_reader`], reading blocks of `block` bytes (tests use
    /// small ones, so that records straddle blocks everywhere).
    #[doc(hidden)]
    pub fn from_reader_in_blocks(
        name: &str,
        raw: Box<dyn Read + Send>,
        size: Option<u64>,
        block: usize,
    ) -> io::Result<Source> {
        let progress = Arc::new(AtomicU64::new(0));
        let (blocks, hasher) = spawn_reader(raw, Arc::clone(&progress), block.max(1));
        let (magic, buffered) = with_head(blocks)?;
        let compression = match magic.as_slice() {
            [0x1F, 0x8B, ..] => Some(Compression::Gzip),
            [b'P', b'K', 3, 4, ..] => Some(Compression::Zip),
            _ => None,
        };
        let unread_entries = Arc::new(AtomicBool::new(false));
        let plain: Box<dyn BufRead + Send> = match compression {
            None => Box::new(buffered),
            Some(Compression::Gzip) => Box::new(BufReader::with_capacity(
                BLOCK,
                flate2::bufread::MultiGzDecoder::new(buffered),
            )),
            Some(Compression::Zip) => Box::new(archive::unzip_first_entry(
                buffered,
                Arc::clone(&unread_entries),
            )),
        };
        let (head, mut plain) = with_head(plain)?;
        let (encoding, mark) = sniff(&head);
        let mark_contradicted = match (mark, encoding) {
            (3, Encoding::Utf8Bom) | (2, Encoding::Utf16Le | Encoding::Utf16Be) | (0, _) => None,
            (3, _) => Some("a UTF-8 byte-order mark"),
            _ => Some("a UTF-16 byte-order mark"),
        };
        plain.consume(mark);
        let transcoding_errors = Arc::new(AtomicBool::new(false));
        let text: Box<dyn BufRead + Send> = match encoding {
            Encoding::Utf8 | Encoding::Binary => Box::new(plain),
            Encoding::Utf8Bom => Box::new(plain),
            Encoding::Utf16Le | Encoding::Utf16Be => Box::new(Transcoder::new(
                plain,
                encoding,
                Arc::clone(&transcoding_errors),
            )),
        };
        Ok(Source {
            name: name.to_owned(),
            encoding,
            compression,
            size,
            progress,
            transcoding_errors,
            unread_entries,
            mark_contradicted,
            text,
            hasher: Some(hasher),
        })
    }

    /// Appends decoded text to `window` until it holds at least `target`
    /// bytes or the input ends. Returns false at the end of the input.
    /// The text is copied once, from the block it was read (or decoded)
    /// into, straight to the end of `window`.
    pub fn fill(&mut self, window: &mut Vec<u8>, target: usize) -> io::Result<bool> {
        while window.len() < target {
            let available = self.text.fill_buf()?;
            if available.is_empty() {
                return Ok(false);
            }
            let taken = available.len().min(target - window.len());
            window.extend_from_slice(&available[..taken]);
            self.text.consume(taken);
        }
        Ok(true)
    }

    /// The next decoded text, where the source holds it (empty at the end
    /// of the input); [`Source::consume`] says how much of it was used.
    pub fn buffered(&mut self) -> io::Result<&[u8]> {
        self.text.fill_buf()
    }

    /// Marks `amount` bytes of [`Source::buffered`] as used.
    pub fn consume(&mut self, amount: usize) {
        self.text.consume(amount);
    }

    /// Reads what is left (so that the hash covers every byte) and returns
    /// the size and SHA-256 of the raw input.
    pub fn finish(mut self) -> io::Result<RawSummary> {
        loop {
            let left = self.text.fill_buf()?.len();
            if left == 0 {
                break;
            }
            self.text.consume(left);
        }
        drop(self.text);
        let hasher = self.hasher.take().expect("finish is called once");
        hasher
            .join()
            .map_err(|_| io::Error::other("the hashing thread stopped unexpectedly"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::Ordering;

    fn read(raw: Vec<u8>) -> (Source, Vec<u8>) {
        let mut source = Source::from_reader("x", Box::new(io::Cursor::new(raw)), None).unwrap();
        let mut text = Vec::new();
        source.text.read_to_end(&mut text).unwrap();
        (source, text)
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut raw = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        raw.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        raw
    }

    #[test]
    fn utf16le_with_and_without_bom_is_transcoded() {
        for bom in [true, false] {
            let (source, text) = read(utf16le("dn: cn=é\r\n", bom));
            assert_eq!(source.encoding, Encoding::Utf16Le);
            assert_eq!(text, "dn: cn=é\r\n".as_bytes());
        }
    }

    #[test]
    fn large_utf16_input_streams_through() {
        let line = "dn: cn=東京,dc=x\r\ncn: 東京\r\n\r\n".repeat(200_000);
        let (_, text) = read(utf16le(&line, true));
        assert_eq!(text, line.as_bytes());
    }

    #[test]
    fn an_adexplorer_snapshot_streams_through_byte_for_byte() {
        // The signature is ASCII without zero bytes in its first four, so
        // neither a byte-order mark nor UTF-16 is sniffed: binary data that
        // follows (zero bytes, FF FE, lone surrogates) is not transcoded.
        let mut raw = b"win-ad-ob\0\x01\0\x01\0".to_vec();
        raw.extend((0..=255u8).cycle().take(5000));
        raw.extend([0xFF, 0xFE, 0x00, 0xD8, 0xEF, 0xBB, 0xBF]);
        let (source, text) = read(raw.clone());
        assert_eq!(source.encoding, Encoding::Utf8);
        assert_eq!(source.mark_contradicted, None);
        assert!(!source.transcoding_errors.load(Ordering::Relaxed));
        assert_eq!(text, raw);
    }

    #[test]
    fn marks_and_magic_are_seen_across_blocks_of_one_byte() {
        let read_in_bytes = |raw: Vec<u8>| {
            let mut source =
                Source::from_reader_in_blocks("x", Box::new(io::Cursor::new(raw)), None, 1)
                    .unwrap();
            let mut text = Vec::new();
            source.text.read_to_end(&mut text).unwrap();
            (source, text)
        };
        let (source, text) = read_in_bytes(utf16le("dn: cn=é\r\n", true));
        assert_eq!(source.encoding, Encoding::Utf16Le);
        assert_eq!(text, "dn: cn=é\r\n".as_bytes());
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"\xEF\xBB\xBFdn: cn=a\n").unwrap();
        let (source, text) = read_in_bytes(encoder.finish().unwrap());
        assert_eq!(source.compression, Some(Compression::Gzip));
        assert_eq!(source.encoding, Encoding::Utf8Bom);
        assert_eq!(text, b"dn: cn=a\n");
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let (source, text) = read(b"\xEF\xBB\xBFdn: cn=a\n".to_vec());
        assert_eq!(source.encoding, Encoding::Utf8Bom);
        assert_eq!(text, b"dn: cn=a\n");
    }

    #[test]
    fn lone_surrogate_is_flagged() {
        let mut raw = utf16le("dn: cn=a", true);
        raw.extend([0x00, 0xD8]);
        let (source, _) = read(raw);
        assert!(source.transcoding_errors.load(Ordering::Relaxed));
    }

    #[test]
    fn sha256_and_size_are_of_the_raw_bytes() {
        let (source, _) = read(b"abc".to_vec());
        let summary = source.finish().unwrap();
        assert_eq!(summary.bytes, 3);
        assert_eq!(
            summary.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn gzip_is_decompressed_by_magic() {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"dn: cn=a\ncn: a\n").unwrap();
        let gz = encoder.finish().unwrap();
        let (source, text) = read(gz.clone());
        assert_eq!(source.compression, Some(Compression::Gzip));
        assert_eq!(text, b"dn: cn=a\ncn: a\n");
        let summary = source.finish().unwrap();
        assert_eq!(summary.bytes, gz.len() as u64);
    }

    #[test]
    fn the_first_zip_entry_is_read() {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        zip.start_file("export.ldif", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"\xEF\xBB\xBFdn: cn=a\ncn: a\n").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let (source, text) = read(bytes);
        assert_eq!(source.compression, Some(Compression::Zip));
        assert_eq!(source.encoding, Encoding::Utf8Bom);
        assert_eq!(text, b"dn: cn=a\ncn: a\n");
    }
}
