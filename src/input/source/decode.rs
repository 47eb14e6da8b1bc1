//! From bytes to UTF-8: the head of a stream looked at (magic bytes,
//! byte-order marks) and put back, the encoding sniffed, and UTF-16
//! transcoded to UTF-8 as it streams through.

use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::blocks::read_buffered;
use super::Encoding;

/// How much of the start of a stream is looked at for magic bytes and
/// byte-order marks (UTF-16 without a mark is told by its zero bytes).
const HEAD: usize = 256;

/// A stream whose first bytes were taken out to be looked at, put back.
type Rejoined<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// The first [`HEAD`] bytes of `reader` (fewer if it ends sooner), and the
/// whole stream again: the head is gathered across however many pieces the
/// reader hands it over in.
pub(super) fn with_head<R: BufRead>(mut reader: R) -> io::Result<(Vec<u8>, Rejoined<R>)> {
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

/// UTF-16 → UTF-8, block by block.
pub(super) struct Transcoder<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    /// Decoded text: `pending[pos..filled]` is not yet handed out.
    pending: Vec<u8>,
    filled: usize,
    pos: usize,
    done: bool,
    errors: Arc<AtomicBool>,
}

/// Size of the buffer UTF-16 is decoded into.
const TRANSCODED: usize = 1 << 20;

impl<R: BufRead> Transcoder<R> {
    /// Transcodes `inner`, UTF-16 in `encoding`'s byte order; `errors` is
    /// set when it meets an unpaired surrogate or an odd byte count.
    pub(super) fn new(inner: R, encoding: Encoding, errors: Arc<AtomicBool>) -> Transcoder<R> {
        let codec = if encoding == Encoding::Utf16Le {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        Transcoder {
            inner,
            decoder: codec.new_decoder_without_bom_handling(),
            pending: vec![0; TRANSCODED],
            filled: 0,
            pos: 0,
            done: false,
            errors,
        }
    }

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
        read_buffered(self, buf)
    }
}

/// The encoding of the text, from its byte-order mark or, without one, from
/// where its first characters have zero bytes; and how many bytes of mark to
/// skip. A mark the content contradicts (a UTF-16 mark before 8-bit text,
/// a UTF-8 mark before UTF-16) is skipped and the content's own encoding
/// used: exports start with ASCII keywords, which tell.
pub(super) fn sniff(head: &[u8]) -> (Encoding, usize) {
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
