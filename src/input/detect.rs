//! Format detection: which reader understands these decoded bytes.
//!
//! XML is told apart by its root element's local name (`batchResponse`,
//! `searchResponse`, `dsml` or a SOAP `Envelope` for DSML; `Objs` for
//! CLIXML); `csvde`'s CSV by its header row (`DN,` and attribute names);
//! `ConvertTo-Json` output by its first character (`[` or `{`);
//! `Export-Csv` output by its `#TYPE` line or its quoted header; anything
//! else that is text is read as LDIF, which has no magic number. An AD
//! Explorer snapshot is binary, told by its signature (`win-ad-ob`, or
//! `win-ad-XX` for a capture that never finished). What is certainly not an
//! export is an error that names what was found: another XML root (an
//! Office document's `[Content_Types].xml` by its namespace), archives, PDF
//! and images by their signatures, and the text that people send instead of
//! an export (`Format-List` output, `ldp.exe` output), told by their
//! first lines before anything is read as LDIF.

/// An input format exconn reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// LDIF (RFC 2849), as written by `ldifde`, `ldapsearch` and scripts.
    Ldif,
    /// DSML v1 or v2.
    Dsml,
    /// PowerShell CLIXML (`Export-Clixml`).
    Clixml,
    /// CSV written by `csvde`.
    Csv,
    /// JSON written by `ConvertTo-Json` (cmdlet output).
    Json,
    /// CSV written by `Export-Csv` (cmdlet output).
    CmdletCsv,
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
            Format::Csv => "csv",
            Format::Json => "json",
            Format::CmdletCsv => "cmdletcsv",
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
    if let Some(document) = binary_document(head) {
        return Err(format!("expected an export, found {document}"));
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
                "Types" if is_office_content_types(&head[start..]) => Err(
                    "expected an export, found an Office document (Word, Excel or PowerPoint: \
                     its [Content_Types].xml)"
                        .to_owned(),
                ),
                other => Err(format!(
                    "expected an export (LDIF, DSML or CLIXML), found XML with root element <{other}>"
                )),
            },
            None => Err("expected an export, found XML without a root element in its first 64 KiB".to_owned()),
        };
    }
    if starts_like_ldif(&head[start..]) {
        return Ok(Format::Ldif);
    }
    if is_csvde_header(first_line(&head[start..])) {
        return Ok(Format::Csv);
    }
    if matches!(head.get(start), Some(b'[' | b'{')) {
        return Ok(Format::Json);
    }
    if is_export_csv(first_line(&head[start..])) {
        return Ok(Format::CmdletCsv);
    }
    if let Some(text) = other_text(&head[start..]) {
        return Err(format!("expected an export, found {text}"));
    }
    if memchr::memchr(0, &head[..head.len().min(4096)]).is_some() {
        return Err("expected an export, found binary data (NUL bytes near the start)".to_owned());
    }
    Ok(Format::Ldif)
}

/// A document format told by its signature: PDF and images.
fn binary_document(head: &[u8]) -> Option<&'static str> {
    const SIGNATURES: [(&[u8], &str); 5] = [
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xFF\xD8\xFF", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
    ];
    SIGNATURES
        .iter()
        .find(|(signature, _)| head.starts_with(signature))
        .map(|(_, name)| *name)
}

/// Whether XML whose root is `Types` is the content-types part of an Office
/// Open XML document (the first entry of a `.docx`, `.xlsx` or `.pptx`).
fn is_office_content_types(xml: &[u8]) -> bool {
    memchr::memmem::find(
        xml,
        b"http://schemas.openxmlformats.org/package/2006/content-types",
    )
    .is_some()
}

/// Text that is certainly not LDIF, named by its first lines (`text` starts
/// at its first character that is not white space).
fn other_text(text: &[u8]) -> Option<&'static str> {
    let first = first_line(text);
    if is_ldp_output(text) {
        return Some("the text of an ldp.exe window ('Expanding base', 'Getting N entries:')");
    }
    if is_format_list_line(first) {
        return Some("Format-List output ('Name : value' lines)");
    }
    if is_format_table(text) {
        return Some("Format-Table output (a header line over a line of dashes)");
    }
    None
}

/// `DN,objectClass,…`: the header row csvde writes, attribute names with
/// `DN` first.
fn is_csvde_header(line: &[u8]) -> bool {
    starts_with_ignore_case(line, b"DN,")
}

fn first_line(text: &[u8]) -> &[u8] {
    let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    text[..end].trim_ascii_end()
}

fn starts_with_ignore_case(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// `Export-Csv`'s first line: `#TYPE <type name>`, or a header whose
/// every field is quoted, or (PowerShell 7's `-UseQuotes AsNeeded`) an
/// unquoted one.
fn is_export_csv(line: &[u8]) -> bool {
    starts_with_ignore_case(line, b"#TYPE ")
        || is_quoted_csv_header(line)
        || is_unquoted_cmdlet_header(line)
}

/// `Name,Enabled,AddressSpaces,…`: property names (letters, digits, `_`)
/// joined by commas, among them one every Exchange cmdlet object has.
fn is_unquoted_cmdlet_header(line: &[u8]) -> bool {
    const KNOWN: [&[u8]; 3] = [b"DistinguishedName", b"Identity", b"SourceTransportServers"];
    let mut names = line.split(|&b| b == b',');
    line.contains(&b',')
        && names.clone().all(|name| {
            !name.is_empty() && name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_')
        })
        && names.any(|name| KNOWN.iter().any(|known| name.eq_ignore_ascii_case(known)))
}

/// `"Name","Identity",…`: Export-Csv quotes every field of its header.
fn is_quoted_csv_header(line: &[u8]) -> bool {
    line.starts_with(b"\"")
        && line.ends_with(b"\"")
        && memchr::memmem::find(line, b"\",\"").is_some()
}

/// ldp.exe's result pane, pasted into a file: `Expanding base '…'...`,
/// `Getting 1 entries:`, `>> Dn: …`.
fn is_ldp_output(text: &[u8]) -> bool {
    text.split(|&b| b == b'\n').any(|line| {
        let line = line.trim_ascii();
        line.starts_with(b"Expanding base '")
            || line.starts_with(b">> Dn:")
            || (line.starts_with(b"Getting ") && line.ends_with(b" entries:"))
    })
}

/// Format-Table output: a header line, then a line of dashes and spaces.
fn is_format_table(text: &[u8]) -> bool {
    let mut lines = text.split(|&b| b == b'\n').map(<[u8]>::trim_ascii);
    lines.next();
    lines
        .next()
        .is_some_and(|rule| rule.starts_with(b"--") && rule.iter().all(|&b| b == b'-' || b == b' '))
}

/// `Name                   : value`: a property name (letters, digits and
/// no other character) padded with spaces before its colon, which no LDIF
/// attribute description can be.
fn is_format_list_line(line: &[u8]) -> bool {
    let Some(colon) = memchr::memmem::find(line, b" :") else {
        return false;
    };
    let name = line[..colon].trim_ascii_end();
    !name.is_empty() && name.iter().all(u8::is_ascii_alphanumeric)
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
        assert_eq!(
            detect(b"DN,objectClass,cn\r\n\"CN=a,DC=x\",top,a\r\n"),
            Ok(Format::Csv)
        );
        assert_eq!(detect(b"[\r\n  {\r\n    \"Name\": \"a\""), Ok(Format::Json));
        assert_eq!(detect(b"\r\n{\"Name\": \"a\"}"), Ok(Format::Json));
        assert_eq!(
            detect(b"#TYPE Selected.System.Object\n\"Name\"\n"),
            Ok(Format::CmdletCsv)
        );
        assert_eq!(
            detect(b"\"Name\",\"Identity\"\r\n\"a\",\"b\"\r\n"),
            Ok(Format::CmdletCsv)
        );
        assert_eq!(
            detect(b"Name,Enabled,SourceTransportServers\r\na,true,EX1;EX2\r\n"),
            Ok(Format::CmdletCsv)
        );
    }

    fn found(text: &[u8]) -> String {
        detect(text).expect_err("not an export")
    }

    #[test]
    fn what_people_send_instead_of_an_export_is_named() {
        assert!(found(b"\r\nName                 : Internet\r\n").contains("Format-List"));
        assert!(found(b"Identity  Enabled\r\n--------  -------\r\n").contains("Format-Table"));
        let ldp = b"ld = ldap_open(\"dc1\", 389);\nExpanding base 'CN=Configuration,DC=x'...\n\
                    Getting 1 entries:\nDn: CN=Configuration,DC=x\n";
        assert!(found(ldp).contains("ldp.exe"));
        assert!(found(b">> Dn: CN=Configuration,DC=x\n").contains("ldp.exe"));
        assert!(found(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n").contains("PDF"));
        assert!(found(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").contains("PNG"));
        assert!(found(b"\xFF\xD8\xFF\xE0\0\x10JFIF").contains("JPEG"));
        assert!(found(b"GIF89a\x01\0").contains("GIF"));
        let content_types = b"<?xml version=\"1.0\"?>\r\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default/></Types>";
        assert!(found(content_types).contains("Office document"));
        assert!(found(b"<Types/>").contains("<Types>"));
    }

    #[test]
    fn ldif_that_resembles_other_text_is_still_ldif() {
        assert_eq!(detect(b"# exported\ndn: CN=a,DC=x\n"), Ok(Format::Ldif));
        assert_eq!(detect(b"#TYPE comment\ndn: CN=a\n"), Ok(Format::Ldif));
        assert_eq!(detect(b"version: 1\n\ndn: CN=DN,DC=x\n"), Ok(Format::Ldif));
        // A record without `dn:` first is damaged LDIF, for the reader to say.
        assert_eq!(detect(b"cn: a\ndn: CN=a\n"), Ok(Format::Ldif));
    }
}
