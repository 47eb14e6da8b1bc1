//! Where records start and end in LDIF text: the boundaries windows and
//! parts are cut at, and what an export's end says about its being whole.

/// Where the first empty line of `text` ends (see [`last_record_boundary`]).
pub(crate) fn first_record_boundary(text: &[u8]) -> Option<usize> {
    match memchr::memchr_iter(b'\n', text).find(|&at| ends_empty_line(text, at)) {
        Some(at) => Some(at + 1),
        None if memchr::memchr(b'\n', text).is_none() => memchr::memmem::find_iter(text, b"\r\r")
            .find(|&at| starts_line_after_crs(text, at))
            .map(|at| at + 2),
        None => None,
    }
}

/// Where the last record of `text` that is followed by an empty line ends:
/// the window can be cut there without cutting a record (or a folded line).
pub(crate) fn last_record_boundary(text: &[u8]) -> Option<usize> {
    match memchr::memrchr_iter(b'\n', text).find(|&at| ends_empty_line(text, at)) {
        Some(at) => Some(at + 1),
        // Bare CR line ends only (a file's, or a piece's without LF).
        None if memchr::memchr(b'\n', text).is_none() => memchr::memmem::rfind_iter(text, b"\r\r")
            .find(|&at| starts_line_after_crs(text, at))
            .map(|at| at + 2),
        None => None,
    }
}

/// The entry count an `ldapsearch` trailer gives (`# numEntries: N`) in
/// the text after the last record, if it has one.
pub(crate) fn trailer_entries(tail: &[u8]) -> Option<usize> {
    tail.split(|&b| b == b'\n' || b == b'\r').find_map(|line| {
        let rest = line.strip_prefix(b"# numEntries:")?;
        std::str::from_utf8(rest).ok()?.trim().parse().ok()
    })
}

/// Whether `text` holds nothing but comments (and their folded lines) and
/// empty lines: no record has started in it.
pub(crate) fn holds_only_comments(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n' || b == b'\r')
        .filter(|line| !line.is_empty())
        .all(|line| line.starts_with(b"#") || line.starts_with(b" "))
}

/// Why LDIF text that ends an input does not end as a whole export does,
/// if it does not. `ldifde` and `ldapsearch` end every record, the last
/// one included, with an empty line (`ldapsearch` may add comment lines
/// after it); text after the last empty line that holds more than
/// comments means the file was cut inside a record, or inside a line.
pub(crate) fn unfinished_end(text: &[u8]) -> Option<&'static str> {
    let rest = &text[last_record_boundary(text).unwrap_or(0)..];
    if rest.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if !rest.ends_with(b"\n") && !rest.ends_with(b"\r") {
        return Some(
            "expected the export to end with a line end and the empty line after its last record, \
             found the end of the file inside a line: the file was cut (a download, copy or mail \
             attachment cut short, a disk that filled up)",
        );
    }
    (!holds_only_comments(rest)).then_some(
        "expected the empty line that ldifde and ldapsearch write after the last record, found \
         the end of the file inside a record: the file was probably cut (if it was edited by \
         hand, end it with an empty line)",
    )
}

/// Whether the two CRs at `at` end an empty line for sure: a byte that
/// starts a line follows them (at the end of a piece of text, or before
/// another CR or an LF, they may be part of a CR CR LF line end whose rest
/// is still to come).
fn starts_line_after_crs(text: &[u8], at: usize) -> bool {
    text.get(at + 2).is_some_and(|&b| b != b'\r' && b != b'\n')
}

/// Whether the LF at `at` ends an empty line: the line end before it (LF,
/// CRLF or CR CR LF) comes right before.
fn ends_empty_line(text: &[u8], at: usize) -> bool {
    let before = &text[..at];
    before.ends_with(b"\n") || before.ends_with(b"\n\r") || before.ends_with(b"\n\r\r")
}
