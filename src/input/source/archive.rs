//! ZIP archives: the entries of an archive named as an input (each read as
//! an input of its own, ZIP bombs refused), and the first entry of a ZIP
//! stream that cannot be listed (stdin, a file cut short).

use std::fs::File;
use std::io::{self, BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use super::blocks::{read_blocks, Block, BlockReader, BLOCK, IN_FLIGHT};
use super::paths::{ArchiveEntry, InputPath};

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
pub(super) fn archive_entries(
    path: &str,
    refused: &mut Vec<(String, String)>,
) -> Option<Vec<InputPath>> {
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

/// Decompresses the first entry of a ZIP stream on a thread of its own
/// (the ZIP reader borrows its input, so it cannot be returned as a reader),
/// then looks past it: `unread_entries` is set when another entry follows.
pub(super) fn unzip_first_entry(
    mut zipped: impl BufRead + Send + 'static,
    unread_entries: Arc<AtomicBool>,
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

/// Opens entry `entry.index` of a ZIP archive read-only and streams its
/// content from a thread of its own; returns it with its size.
pub(super) fn open_entry(entry: &ArchiveEntry) -> io::Result<(BlockReader, u64)> {
    let file = File::open(&entry.archive)?;
    let mut archive = zip::ZipArchive::new(file).map_err(io::Error::other)?;
    let size = archive
        .by_index_raw(entry.index)
        .map_err(io::Error::other)?
        .size();
    let index = entry.index;
    let (sender, receiver) = sync_channel::<Block>(IN_FLIGHT);
    std::thread::spawn(move || match archive.by_index(index) {
        Ok(content) => read_blocks(content, BLOCK, None, |block| sender.send(block).is_ok()),
        Err(error) => {
            let _ = sender.send(Err(io::Error::other(error)));
        }
    });
    Ok((BlockReader::new(receiver), size))
}
