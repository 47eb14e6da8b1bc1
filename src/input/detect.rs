//! Format detection: which reader understands these decoded bytes.
//!
//! XML is told apart by its root element's local name (`batchResponse`,
//! `searchResponse`, `dsml` or a SOAP `Envelope` for DSML; `Objs` for
//! CLIXML); anything else that is text is read as LDIF, which has no magic
//! number. An AD Explorer snapshot is binary, told by its signature
//! (`win-ad-ob`, or `win-ad-XX` for a capture that never finished). What is
//! certainly not an export (another XML root, archives, other binary data)
//! is an error that names what was found.

/// An input format exconn reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// LDIF (RFC 2849), as written by `ldifde`, `ldapsearch` and scripts.
    Ldif,
    /// DSML v1 or v2.
    Dsml,
    /// PowerShell CLIXML (`Export-Clixml`).
    Clixml,
    /// A Sysinternals AD Explorer snapshot (`.dat`, binary).
    AdExplorer,
}

impl Format {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ldif => "ldif",
            Format::Dsml => "dsml",
            Format::Clixml => "clixml",
            Format::AdExplorer => "adexplorer",
        }
    }
}

/// Tells the format of decoded text, or what was found instead.
pub fn detect(text: &[u8]) -> Result<Format, String> {
    let head = &text[..text.len().min(64 * 1024)];
    if is_snapshot(head) {
        return Ok(Format::AdExplorer);
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return Err(
            "expected an export, found gzip-compressed data (decompress it first)".to_owned(),
        );
    }
    if head.starts_with(b"PK\x03\x04") {
        return Err("expected an export, found a ZIP archive (extract it first)".to_owned());
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    if head.get(start) == Some(&b'<') {
        return match root_name(&head[start..]) {
            Some(root) => match root.as_str() {
                "batchResponse" | "searchResponse" | "dsml" | "Envelope" => Ok(Format::Dsml),
                "Objs" => Ok(Format::Clixml),
                other => Err(format!(
                    "expected an export (LDIF, DSML or CLIXML), found XML with root element <{other}>"
                )),
            },
            None => Err("expected an export, found XML without a root element in its first 64 KiB".to_owned()),
        };
    }
    if !starts_like_ldif(&head[start..])
        && memchr::memchr(0, &head[..head.len().min(4096)]).is_some()
    {
        return Err("expected an export, found binary data (NUL bytes near the start)".to_owned());
    }
    Ok(Format::Ldif)
}

/// Whether `head` starts with an AD Explorer snapshot's signature:
/// `win-ad-` and two characters (`ob` once the capture finished, `XX`
/// while it runs or when it never finished), then NUL.
pub(crate) fn is_snapshot(head: &[u8]) -> bool {
    head.len() >= 10 && head.starts_with(b"win-ad-") && head[9] == 0
}

/// Whether the first line that is not a comment starts with `dn:` or
/// `version:`: then NUL bytes further on are damage inside an LDIF export
/// (the reader reports them), not a sign of a binary file.
pub(crate) fn starts_like_ldif(text: &[u8]) -> bool {
    let mut rest = text;
    while rest.first() == Some(&b'#') {
        let Some(end) = memchr::memchr(b'\n', rest) else {
            return false;
        };
        rest = rest[end + 1..].trim_ascii_start();
    }
    let keyword = |k: &[u8]| rest.len() >= k.len() && rest[..k.len()].eq_ignore_ascii_case(k);
    keyword(b"dn:") || keyword(b"version:")
}

/// The local name of the first element, skipping the declaration, comments,
/// processing instructions and a DOCTYPE.
fn root_name(xml: &[u8]) -> Option<String> {
    let mut rest = xml;
    loop {
        rest = rest.trim_ascii_start();
        if let Some(after) = rest.strip_prefix(b"<?") {
            rest = skip_past(after, b"?>")?;
        } else if let Some(after) = rest.strip_prefix(b"<!--") {
            rest = skip_past(after, b"-->")?;
        } else if let Some(after) = rest.strip_prefix(b"<!") {
            let close = memchr::memchr(b'>', after)?;
            let bracket = memchr::memchr(b'[', &after[..close]);
            rest = match bracket {
                Some(_) => skip_past(after, b"]>")?,
                None => &after[close + 1..],
            };
        } else if let Some(after) = rest.strip_prefix(b"<") {
            let end = after
                .iter()
                .position(|b| b.is_ascii_whitespace() || matches!(b, b'>' | b'/'))
                .unwrap_or(after.len());
            let name = &after[..end];
            let local = name.rsplit(|&b| b == b':').next()?;
            return (!local.is_empty()).then(|| String::from_utf8_lossy(local).into_owned());
        } else {
            return None;
        }
    }
}

fn skip_past<'t>(text: &'t [u8], marker: &[u8]) -> Option<&'t [u8]> {
    memchr::memmem::find(text, marker).map(|at| &text[at + marker.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart() {
        assert_eq!(detect(b"version: 1\ndn: cn=a\n"), Ok(Format::Ldif));
        assert_eq!(detect(b""), Ok(Format::Ldif));
        assert_eq!(
            detect(b"<?xml version='1.0'?>\n<!-- x --><batchResponse/>"),
            Ok(Format::Dsml)
        );
        assert_eq!(detect(b"<dsml:dsml xmlns:dsml='x'/>"), Ok(Format::Dsml));
        assert_eq!(
            detect(b"<!DOCTYPE r [<!ENTITY a 'b'>]><Objs Version='1'/>"),
            Ok(Format::Clixml)
        );
        assert!(detect(b"<html><body/></html>")
            .unwrap_err()
            .contains("<html>"));
        assert!(detect(b"\x1f\x8b\x08\0").unwrap_err().contains("gzip"));
        assert!(detect(b"abc\0def").unwrap_err().contains("binary"));
        assert_eq!(detect(b"# c\r\nDN: cn=a\n\n\0\0\0"), Ok(Format::Ldif));
        assert_eq!(detect(b"win-ad-ob\0\x01\0\x01\0"), Ok(Format::AdExplorer));
        assert_eq!(detect(b"win-ad-XX\0"), Ok(Format::AdExplorer));
        // Text that only starts like the signature is not a snapshot.
        assert_eq!(detect(b"win-ad-obx\n"), Ok(Format::Ldif));
    }
}
