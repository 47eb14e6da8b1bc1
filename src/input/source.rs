//! Reading an input: a file (opened read-only) or stdin, as a stream of UTF-8.
//!
//! This module owns everything between a path and UTF-8 text, without ever
//! holding the whole input: a reader thread reads raw blocks and hands each
//! one to a hashing thread (SHA-256 and size of the bytes as they are on
//! disk) and to the consumer; gzip and ZIP are detected by their magic bytes
//! and decompressed on the way; a byte-order mark is detected and UTF-16 is
//! transcoded to UTF-8 as it streams through.

use std::fs::{File, FileType};
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};

/// Size of the raw blocks read from the input. LDIF is parsed in place in
/// them, so a block is also the unit of parallel parsing; half a MiB stays
/// in the cache between the hashing thread and the parser (1 and 4 MiB
/// blocks made a 1 GB run 5-15 % slower, and a 5 MB one 20 %).
const BLOCK: usize = 512 << 10;
/// Blocks in flight between the reader and the hashing thread.
const IN_FLIGHT: usize = 4;
/// Blocks the reader may read ahead of the parser: enough that the hashing
/// thread, the slowest stage, never waits while the parser works through one.
const READ_AHEAD: usize = 16;

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
    pub transcoding_errors: Arc<std::sync::atomic::AtomicBool>,
    /// Set when a ZIP archive read as a stream (no central directory to
    /// list its entries: stdin, a file cut short) holds entries after the
    /// first, which alone is read.
    pub unread_entries: Arc<std::sync::atomic::AtomicBool>,
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

/// One input to read: a path as given, a file found in a directory given,
/// or an entry of a ZIP archive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputPath {
    /// The path (`-` for stdin); `archive.zip!entry` for an archive's entry.
    pub path: String,
    /// Found in a directory or an archive: a file that is not an export is
    /// passed over.
    pub in_directory: bool,
    /// The archive entry this input is, if it is one.
    pub entry: Option<ArchiveEntry>,
}

/// An entry of a ZIP archive, read as an input of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// The archive's path.
    pub archive: String,
    /// The entry's index in the archive's central directory.
    pub index: usize,
}

impl InputPath {
    fn file(path: String, in_directory: bool) -> InputPath {
        InputPath {
            path,
            in_directory,
            entry: None,
        }
    }

    /// The file this input is read from: the archive, for an entry.
    pub fn file_path(&self) -> &str {
        self.entry.as_ref().map_or(&self.path, |e| &e.archive)
    }
}

/// The most an archive entry may expand to, as a multiple of its
/// compressed size (above a floor): past it, it is a ZIP bomb, refused.
const ARCHIVE_EXPANSION: u64 = 1024;
/// Below this, an entry is never taken for a bomb.
const ARCHIVE_EXPANSION_FLOOR: u64 = 1 << 30;

/// The entries of the ZIP archive at `path` as inputs (files only, in the
/// archive's order), or `None` when it is not a ZIP archive whose central
/// directory can be read (it is then read as a stream). An entry that
/// would expand past [`ARCHIVE_EXPANSION`] times its size comes back in
/// `refused` with the reason.
fn archive_entries(path: &str, refused: &mut Vec<(String, String)>) -> Option<Vec<InputPath>> {
    // Only a regular file can be looked into and read again (not a FIFO).
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut magic = [0u8; 4];
    file.read_exact(&mut magic).ok()?;
    if magic != *b"PK\x03\x04" {
        return None;
    }
    let mut archive = zip::ZipArchive::new(File::open(path).ok()?).ok()?;
    // An Office document is a ZIP archive too: named as a whole, not read.
    if archive.index_for_name("[Content_Types].xml").is_some() {
        return None;
    }
    let mut entries = Vec::new();
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_raw(index) else {
            continue;
        };
        if entry.is_dir() {
            continue;
        }
        let name = format!("{path}!{}", entry.name());
        let bound = entry
            .compressed_size()
            .saturating_mul(ARCHIVE_EXPANSION)
            .max(ARCHIVE_EXPANSION_FLOOR);
        if entry.size() > bound {
            refused.push((
                name,
                format!(
                    "expected an archive entry that expands to at most {ARCHIVE_EXPANSION} times \
                     its compressed size, found {} bytes from {}: a ZIP bomb, not read",
                    entry.size(),
                    entry.compressed_size()
                ),
            ));
            continue;
        }
        entries.push(InputPath {
            path: name,
            in_directory: true,
            entry: Some(ArchiveEntry {
                archive: path.to_owned(),
                index,
            }),
        });
    }
    Some(entries)
}

/// The inputs named on the command line, directories expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    /// Every input to read, in order.
    pub inputs: Vec<InputPath>,
    /// A directory that cannot be listed or holds no file: `(path, reason)`.
    pub unreadable: Vec<(String, String)>,
    /// An entry of a directory that is neither a regular file nor a
    /// directory (a symbolic link, a FIFO, …), not read: `(path, why)`.
    pub passed_over: Vec<(String, String)>,
}

impl Expanded {
    /// Adds a file; a ZIP archive is replaced by its entries (every one is
    /// read; those that are not exports are passed over with a note).
    fn add_file(&mut self, path: String, in_directory: bool) {
        if path != "-" {
            if let Some(entries) = archive_entries(&path, &mut self.unreadable) {
                if entries.is_empty() {
                    self.unreadable
                        .push((path, "the ZIP archive holds no file".to_owned()));
                }
                self.inputs.extend(entries);
                return;
            }
        }
        self.inputs.push(InputPath::file(path, in_directory));
    }
}

/// The inputs named on the command line, directories replaced by the
/// regular files under them (recursively, sorted; hidden ones left out);
/// what else a directory holds is passed over, and said why.
pub fn expand(files: &[String]) -> Expanded {
    let mut expanded = Expanded::default();
    for file in files {
        let path = Path::new(file);
        if file == "-" || !path.is_dir() {
            expanded.add_file(file.clone(), false);
            continue;
        }
        let mut listing = Listing::default();
        if let Err(error) = listing.read(path) {
            expanded.unreadable.push((file.clone(), error.to_string()));
        }
        listing.files.sort();
        listing.passed_over.sort();
        if listing.files.is_empty() {
            expanded
                .unreadable
                .push((file.clone(), "no files in this directory".to_owned()));
        }
        for path in listing.files {
            expanded.add_file(path.to_string_lossy().into_owned(), true);
        }
        expanded.passed_over.extend(
            listing
                .passed_over
                .into_iter()
                .map(|(path, why)| (path.to_string_lossy().into_owned(), why)),
        );
    }
    expanded
}

/// What a directory holds, recursively: the regular files to read, and
/// the other entries with why they are not read.
#[derive(Default)]
struct Listing {
    files: Vec<PathBuf>,
    passed_over: Vec<(PathBuf, String)>,
}

impl Listing {
    fn read(&mut self, dir: &Path) -> io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                self.read(&entry.path())?;
            } else if kind.is_file() {
                self.files.push(entry.path());
            } else {
                self.passed_over.push((entry.path(), why_not_read(kind)));
            }
        }
        Ok(())
    }
}

/// Why a directory entry that is neither a regular file nor a directory is
/// not read.
fn why_not_read(kind: FileType) -> String {
    if kind.is_symlink() {
        return "a symbolic link, not followed inside a directory (name its target to read it)"
            .to_owned();
    }
    format!(
        "{}, not a regular file: only regular files inside a directory are read",
        special_kind(kind)
    )
}

/// What an entry that is neither a file, a directory nor a link is.
#[cfg_attr(not(unix), allow(unused_variables))]
fn special_kind(kind: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    "a special file"
}

/// Says so when a file's size when opened, the bytes read from it and its
/// size now do not agree: it was truncated, extended or replaced while
/// being read, and the analysis covers only what was read.
pub(crate) fn changed_while_read(name: &str, opened: Option<u64>, read: u64) -> Option<String> {
    let opened = opened?;
    let now = std::fs::metadata(name)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    if opened == read && now.is_none_or(|now| now == opened) {
        return None;
    }
    let now = now.map_or_else(|| "gone".to_owned(), |now| format!("{now} bytes"));
    Some(format!(
        "the file changed while being read ({opened} bytes when opened, {read} bytes read, \
         {now} now): the analysis covers only what was read"
    ))
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
        let file = File::open(&entry.archive).map_err(io_error)?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| io_error(io::Error::other(e)))?;
        let size = archive
            .by_index_raw(entry.index)
            .map_err(|e| io_error(io::Error::other(e)))?
            .size();
        let index = entry.index;
        let (sender, receiver) = sync_channel::<Block>(IN_FLIGHT);
        std::thread::spawn(move || match archive.by_index(index) {
            Ok(content) => read_blocks(content, BLOCK, None, |block| sender.send(block).is_ok()),
            Err(error) => {
                let _ = sender.send(Err(io::Error::other(error)));
            }
        });
        let mut source =
            Source::from_reader(name, Box::new(BlockReader::new(receiver)), Some(size))
                .map_err(io_error)?;
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
        let unread_entries = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let plain: Box<dyn BufRead + Send> = match compression {
            None => Box::new(buffered),
            Some(Compression::Gzip) => Box::new(BufReader::with_capacity(
                BLOCK,
                flate2::bufread::MultiGzDecoder::new(buffered),
            )),
            Some(Compression::Zip) => {
                Box::new(unzip_first_entry(buffered, Arc::clone(&unread_entries)))
            }
        };
        let (head, mut plain) = with_head(plain)?;
        let (encoding, mark) = sniff(&head);
        let mark_contradicted = match (mark, encoding) {
            (3, Encoding::Utf8Bom) | (2, Encoding::Utf16Le | Encoding::Utf16Be) | (0, _) => None,
            (3, _) => Some("a UTF-8 byte-order mark"),
            _ => Some("a UTF-16 byte-order mark"),
        };
        plain.consume(mark);
        let transcoding_errors = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let text: Box<dyn BufRead + Send> = match encoding {
            Encoding::Utf8 | Encoding::Binary => Box::new(plain),
            Encoding::Utf8Bom => Box::new(plain),
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let codec = if encoding == Encoding::Utf16Le {
                    encoding_rs::UTF_16LE
                } else {
                    encoding_rs::UTF_16BE
                };
                Box::new(Transcoder {
                    inner: plain,
                    decoder: codec.new_decoder_without_bom_handling(),
                    pending: vec![0; TRANSCODED],
                    filled: 0,
                    pos: 0,
                    done: false,
                    errors: Arc::clone(&transcoding_errors),
                })
            }
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

/// How much of the start of a stream is looked at for magic bytes and
/// byte-order marks (UTF-16 without a mark is told by its zero bytes).
const HEAD: usize = 256;

/// A stream whose first bytes were taken out to be looked at, put back.
type Rejoined<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// The first [`HEAD`] bytes of `reader` (fewer if it ends sooner), and the
/// whole stream again: the head is gathered across however many pieces the
/// reader hands it over in.
fn with_head<R: BufRead>(mut reader: R) -> io::Result<(Vec<u8>, Rejoined<R>)> {
    let mut head = Vec::with_capacity(HEAD);
    while head.len() < HEAD {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            break;
        }
        let taken = available.len().min(HEAD - head.len());
        head.extend_from_slice(&available[..taken]);
        reader.consume(taken);
    }
    Ok((head.clone(), io::Cursor::new(head).chain(reader)))
}

/// A block of raw bytes, or the error that ended the reading.
type Block = io::Result<Arc<Chunk>>;

/// Bytes read into a buffer that goes back to its pool once the consumer
/// and the hasher are both done with it, so that blocks are not allocated
/// (and zeroed, and faulted in) afresh for every few MiB of input.
struct Chunk {
    buffer: Vec<u8>,
    len: usize,
    pool: Arc<Pool>,
}

impl std::ops::Deref for Chunk {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buffer[..self.len]
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        self.pool.put(std::mem::take(&mut self.buffer));
    }
}

/// Buffers of one size free for reuse.
struct Pool {
    size: usize,
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl Pool {
    fn new(size: usize) -> Pool {
        Pool {
            size,
            free: std::sync::Mutex::default(),
        }
    }

    fn take(&self) -> Vec<u8> {
        let free = self.free.lock().ok().and_then(|mut free| free.pop());
        free.unwrap_or_else(|| vec![0; self.size])
    }

    fn put(&self, buffer: Vec<u8>) {
        if let Ok(mut free) = self.free.lock() {
            free.push(buffer);
        }
    }
}

/// Reads `raw` block by block, each block filled as far as the input allows.
fn read_blocks(
    mut raw: impl Read,
    block: usize,
    progress: Option<&AtomicU64>,
    mut send: impl FnMut(Block) -> bool,
) {
    let pool = Arc::new(Pool::new(block));
    loop {
        let mut buffer = pool.take();
        let (len, error) = fill_block(&mut raw, &mut buffer);
        if len > 0 {
            if let Some(progress) = progress {
                progress.fetch_add(len as u64, Ordering::Relaxed);
            }
            let chunk = Chunk {
                buffer,
                len,
                pool: Arc::clone(&pool),
            };
            if !send(Ok(Arc::new(chunk))) {
                return;
            }
        }
        match error {
            Some(error) => {
                send(Err(error));
                return;
            }
            None if len == 0 => return,
            None => {}
        }
    }
}

/// Reads into `buffer` until it is full or the input ends; returns the bytes
/// read and the error that stopped the reading, if one did.
fn fill_block(raw: &mut impl Read, buffer: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut len = 0;
    while len < buffer.len() {
        match raw.read(&mut buffer[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return (len, Some(error)),
        }
    }
    (len, None)
}

/// Starts the reader and hashing threads; returns the blocks for the consumer.
fn spawn_reader(
    raw: Box<dyn Read + Send>,
    progress: Arc<AtomicU64>,
    block: usize,
) -> (BlockReader, JoinHandle<RawSummary>) {
    let (to_consumer, blocks) = sync_channel::<Block>(READ_AHEAD);
    let (to_hasher, for_hasher) = sync_channel::<Arc<Chunk>>(IN_FLIGHT);
    std::thread::spawn(move || {
        read_blocks(raw, block, Some(&progress), |block| {
            if let Ok(chunk) = &block {
                let _ = to_hasher.send(Arc::clone(chunk));
            }
            to_consumer.send(block).is_ok()
        })
    });
    let hasher = std::thread::spawn(move || {
        let mut sha = Sha256::new();
        let mut bytes = 0u64;
        for chunk in for_hasher {
            sha.update(&chunk[..]);
            bytes += chunk.len() as u64;
        }
        RawSummary {
            bytes,
            sha256: sha.finalize().iter().map(|b| format!("{b:02x}")).collect(),
        }
    });
    (BlockReader::new(blocks), hasher)
}

/// The consumer's side of a reader thread: its blocks, read in place.
struct BlockReader {
    blocks: Receiver<Block>,
    current: Option<Arc<Chunk>>,
    pos: usize,
}

impl BlockReader {
    fn new(blocks: Receiver<Block>) -> BlockReader {
        BlockReader {
            blocks,
            current: None,
            pos: 0,
        }
    }
}

impl BufRead for BlockReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.current.as_ref().is_none_or(|c| self.pos == c.len()) {
            match self.blocks.recv() {
                Ok(block) => {
                    self.current = Some(block?);
                    self.pos = 0;
                }
                Err(_) => {
                    self.current = None;
                    return Ok(&[]);
                }
            }
        }
        Ok(self.current.as_ref().map_or(&[], |c| &c[self.pos..]))
    }

    fn consume(&mut self, amount: usize) {
        self.pos += amount;
    }
}

impl Read for BlockReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Decompresses the first entry of a ZIP stream on a thread of its own
/// (the ZIP reader borrows its input, so it cannot be returned as a reader),
/// then looks past it: `unread_entries` is set when another entry follows.
fn unzip_first_entry(
    mut zipped: impl BufRead + Send + 'static,
    unread_entries: Arc<std::sync::atomic::AtomicBool>,
) -> impl BufRead + Send {
    let (sender, receiver) = sync_channel::<Block>(IN_FLIGHT);
    std::thread::spawn(move || {
        let first_read = match zip::read::read_zipfile_from_stream(&mut zipped) {
            Ok(Some(entry)) => {
                read_blocks(entry, BLOCK, None, |block| sender.send(block).is_ok());
                true
            }
            Ok(None) => {
                let _ = sender.send(Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "the ZIP archive has no entry",
                )));
                false
            }
            Err(error) => {
                let _ = sender.send(Err(io::Error::other(error)));
                false
            }
        };
        if first_read {
            if let Ok(Some(_)) = zip::read::read_zipfile_from_stream(&mut zipped) {
                unread_entries.store(true, Ordering::Relaxed);
            }
        }
        // The rest is read for the hash; the text ends when `sender` goes.
        let _ = io::copy(&mut zipped, &mut io::sink());
    });
    BlockReader::new(receiver)
}

/// UTF-16 → UTF-8, block by block.
struct Transcoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    /// Decoded text: `pending[pos..filled]` is not yet handed out.
    pending: Vec<u8>,
    filled: usize,
    pos: usize,
    done: bool,
    errors: Arc<std::sync::atomic::AtomicBool>,
}

/// Size of the buffer UTF-16 is decoded into.
const TRANSCODED: usize = 1 << 20;

impl<R: BufRead> Transcoder<R> {
    /// Decodes the next piece of input into `pending`.
    fn decode_more(&mut self) -> io::Result<()> {
        self.pos = 0;
        self.filled = 0;
        loop {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let (result, read, written, had_errors) =
                self.decoder
                    .decode_to_utf8(input, &mut self.pending[self.filled..], last);
            self.inner.consume(read);
            self.filled += written;
            if had_errors {
                self.errors.store(true, Ordering::Relaxed);
            }
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
            if self.filled > 0 || self.done {
                return Ok(());
            }
        }
    }
}

impl<R: BufRead> BufRead for Transcoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled && !self.done {
            self.decode_more()?;
        }
        Ok(&self.pending[self.pos..self.filled])
    }

    fn consume(&mut self, amount: usize) {
        self.pos += amount;
    }
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = buf.len().min(available.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Finds the encoding by BOM, or UTF-16 without one by the zero bytes of ASCII text.
/// The encoding of the text, from its byte-order mark or, without one, from
/// where its first characters have zero bytes; and how many bytes of mark to
/// skip. A mark the content contradicts (a UTF-16 mark before 8-bit text,
/// a UTF-8 mark before UTF-16) is skipped and the content's own encoding
/// used: exports start with ASCII keywords, which tell.
fn sniff(head: &[u8]) -> (Encoding, usize) {
    match head {
        [0xEF, 0xBB, 0xBF, rest @ ..] => match ascii_as_utf16(rest) {
            Some(encoding) => (encoding, 3),
            None => (Encoding::Utf8Bom, 3),
        },
        [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] if eight_bit(rest) => (Encoding::Utf8, 2),
        [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
        _ => (ascii_as_utf16(head).unwrap_or(Encoding::Utf8), 0),
    }
}

/// UTF-16 when the text starts with two ASCII characters in UTF-16.
fn ascii_as_utf16(head: &[u8]) -> Option<Encoding> {
    match head {
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => {
            Some(Encoding::Utf16Le)
        }
        [0, a, 0, b, ..] if *a != 0 && *b != 0 && a.is_ascii() && b.is_ascii() => {
            Some(Encoding::Utf16Be)
        }
        _ => None,
    }
}

/// 8-bit text: no zero byte in its first (up to) 256 bytes, of which there
/// are at least 8. UTF-16 exports start with ASCII, half of whose bytes are 0.
fn eight_bit(head: &[u8]) -> bool {
    let head = &head[..head.len().min(256)];
    head.len() >= 8 && !head.contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
