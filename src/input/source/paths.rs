//! Which files to read: the inputs named on the command line, directories
//! replaced by the regular files under them and ZIP archives by their
//! entries; and whether a file changed while it was read.

use std::fs::FileType;
use std::io;
use std::path::{Path, PathBuf};

use super::archive::archive_entries;

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
