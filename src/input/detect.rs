//! Format detection: which reader understands these decoded bytes.
//!
//! LDIF has no magic number, so detection rules out what is certainly not
//! LDIF (XML, compressed archives, binary data) and names what was found, so
//! that the error says more than "parse error on line 1".

/// An input format exconn reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// LDIF (RFC 2849), as written by `ldifde`, `ldapsearch` and scripts.
    Ldif,
}

impl Format {
    /// The name shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ldif => "ldif",
        }
    }
}

/// Tells the format of decoded text, or what was found instead.
pub fn detect(text: &[u8]) -> Result<Format, String> {
    let head = &text[..text.len().min(4096)];
    if head.starts_with(&[0x1F, 0x8B]) {
        return Err(
            "expected an LDIF export, found gzip-compressed data (decompress it first)".to_owned(),
        );
    }
    if head.starts_with(b"PK\x03\x04") {
        return Err("expected an LDIF export, found a ZIP archive (extract it first)".to_owned());
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    if head.get(start) == Some(&b'<') {
        let shown: String = String::from_utf8_lossy(&head[start..head.len().min(start + 40)])
            .chars()
            .take_while(|c| *c != '\n' && *c != '\r')
            .collect();
        return Err(format!("expected an LDIF export, found XML ('{shown}')"));
    }
    if memchr::memchr(0, head).is_some() {
        return Err(
            "expected an LDIF export, found binary data (NUL bytes near the start)".to_owned(),
        );
    }
    Ok(Format::Ldif)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_ldif_and_others_are_named() {
        assert_eq!(detect(b"version: 1\ndn: cn=a\n"), Ok(Format::Ldif));
        assert_eq!(detect(b""), Ok(Format::Ldif));
        assert!(detect(b"<?xml version='1.0'?><Objs/>")
            .unwrap_err()
            .contains("XML"));
        assert!(detect(b"\x1f\x8b\x08\0").unwrap_err().contains("gzip"));
        assert!(detect(b"abc\0def").unwrap_err().contains("binary"));
    }
}
