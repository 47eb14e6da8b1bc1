//! Evidence-grade verdicts: no "clear" without the Send connectors in the
//! inputs, names exactly as the directory holds them and unable to act,
//! damage never silent, disagreeing copies named.

use base64::Engine;
use serde_json::Value;

use crate::support::{exconn, fixture, json_lines, markdown_markup, temp_file};

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const AG: &str = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups";
const RG: &str = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups";

fn server(name: &str) -> String {
    format!(
        "dn: CN={name},CN=Servers,{AG},{ORG}\nobjectClass: top\nobjectClass: server\n\
         objectClass: msExchExchangeServer\ncn: {name}\nserialNumber: Version 15.2 (Build 1544.4)\n\
         msExchCurrentServerRoles: 16422\n\n"
    )
}

fn vsi(server: &str) -> String {
    format!("CN=1,CN=SMTP,CN=Protocols,CN={server},CN=Servers,{AG},{ORG}")
}

fn connections_container() -> String {
    format!(
        "dn: CN=Connections,{RG},{AG},{ORG}\nobjectClass: top\nobjectClass: msExchConnectors\n\n"
    )
}

/// A Send connector whose RDN value is `rdn` (escaped as in a DN) and whose
/// `cn` is `cn` (written as base64, as ldifde does for unsafe values).
fn connector(rdn: &str, cn: &str, sources: &[&str], guid: Option<[u8; 16]>) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let dn = format!("CN={rdn},CN=Connections,{RG},{AG},{ORG}");
    let mut text = format!(
        "dn:: {}\nobjectClass: top\nobjectClass: msExchRoutingSMTPConnector\ncn:: {}\n\
         routingList: SMTP:*;1\n",
        b64(dn.as_bytes()),
        b64(cn.as_bytes())
    );
    if let Some(guid) = guid {
        text.push_str(&format!("objectGUID:: {}\n", b64(&guid)));
    }
    for source in sources {
        text.push_str(&format!(
            "msExchSourceBridgeheadServersDN: {}\n",
            vsi(source)
        ));
    }
    text.push('\n');
    text
}

fn sources_json(path: &str) -> (i32, Value) {
    let run = exconn(&["sources", "--format", "json", path]);
    (
        run.code,
        serde_json::from_str(&run.stdout).expect("one JSON document"),
    )
}

// ---- 1. No verdict without coverage -------------------------------------

#[test]
fn an_export_without_the_connections_subtree_is_never_clear() {
    let text = format!("{}{}", server("EX01"), server("EX02"));
    let (_dir, path) = temp_file("servers-only.ldif", text.as_bytes());

    let check = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(check.code, 2, "{}", check.stdout);
    assert!(check.stdout.contains("cannot tell"), "{}", check.stdout);
    assert!(!check.stdout.contains("clear:"), "{}", check.stdout);
    let expected = format!("ldifde -f connections.ldf -d \"CN=Routing Groups,{AG},{ORG}\"");
    assert!(check.stdout.contains(&expected), "{}", check.stdout);
    assert!(check.stdout.contains("Get-SendConnector | Export-Clixml"));

    let table = exconn(&["sources", &path]);
    assert_eq!(table.code, 2);
    assert!(
        table
            .stdout
            .starts_with("BLOCKER  SendConnectorsNotInExport"),
        "{}",
        table.stdout
    );
    assert!(
        !table.stdout.contains("No server is a source"),
        "{}",
        table.stdout
    );

    let (code, json) = sources_json(&path);
    assert_eq!(code, 2);
    assert_eq!(json["findings"][0]["code"], "SendConnectorsNotInExport");
    assert_eq!(json["findings"][0]["severity"], "blocker");
    assert!(json["findings"][0]["remedy"]
        .as_str()
        .unwrap()
        .contains(&expected));
    assert_eq!(json["coverage"]["send_connectors_shown"], false);
    assert_eq!(json["coverage"]["server_objects"], 2);

    let markdown = exconn(&["sources", "--format", "markdown", &path]);
    let first_finding = markdown.stdout.find("SendConnectorsNotInExport").unwrap();
    assert!(first_finding < markdown.stdout.find("| Server |").unwrap());

    let html = exconn(&["sources", "--format", "html", &path]);
    assert!(html.stdout.contains("SendConnectorsNotInExport"));

    for command in ["plan", "inventory"] {
        let mut args = vec![command, "--format", "json"];
        if command == "plan" {
            args.extend(["--remove", "EX01"]);
        }
        args.push(&path);
        let run = exconn(&args);
        assert_eq!(run.code, 2, "{command}: {}", run.stderr);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(
            doc["findings"][0]["code"], "SendConnectorsNotInExport",
            "{command}"
        );
    }
    let plan = exconn(&["plan", "--remove", "EX01", &path]);
    assert!(
        plan.stdout
            .starts_with("BLOCKER  SendConnectorsNotInExport"),
        "{}",
        plan.stdout
    );
    assert!(!plan
        .stdout
        .contains("The plan leaves every connector with a source"));
    let inventory = exconn(&["inventory", &path]);
    assert!(inventory
        .stdout
        .starts_with("BLOCKER  SendConnectorsNotInExport"));
}

#[test]
fn an_empty_connections_container_is_evidence_of_no_connector() {
    let text = format!("{}{}", server("EX01"), connections_container());
    let (_dir, path) = temp_file("empty-connections.ldif", text.as_bytes());
    let check = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(check.stdout.contains("EX01 is clear"), "{}", check.stdout);
    let (code, json) = sources_json(&path);
    assert_eq!(code, 0);
    assert_eq!(json["coverage"]["send_connectors_shown"], true);
    assert_eq!(
        json["coverage"]["routing_groups"][0]["connections_container"],
        true
    );
    let table = exconn(&["sources", &path]);
    assert!(table
        .stdout
        .contains("No server is a source of a Send connector."));
}

#[test]
fn a_source_found_in_a_partial_export_is_a_source_but_not_the_whole_count() {
    // Only a Send connector of a legacy routing group whose sibling routing
    // group has no Connections container in the export.
    let legacy = "CN=First Routing Group,CN=Routing Groups,CN=First Administrative Group,CN=Administrative Groups";
    let text = format!(
        "{}{}dn: {legacy},{ORG}\nobjectClass: msExchRoutingGroup\n\n",
        server("EX01"),
        connector("Internet", "Internet", &["EX01"], None)
    );
    let (_dir, path) = temp_file("partial.ldif", text.as_bytes());
    let check = exconn(&["check", "--server", "EX01", &path]);
    // A source, but not a count Setup would give: no verdict, status 2.
    assert_eq!(check.code, 2, "{}", check.stdout);
    assert!(
        check.stdout.contains("at least 1 Send connector"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("First Routing Group"),
        "{}",
        check.stdout
    );
}

#[test]
fn inputs_that_are_no_export_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "meeting notes\n").unwrap();
    let path = dir.path().to_str().unwrap();
    for command in [
        vec!["sources", path],
        vec!["inventory", path],
        vec!["dump", path],
        vec!["check", "--server", "EX01", path],
    ] {
        let run = exconn(&command);
        assert_eq!(run.code, 2, "{command:?}: {}", run.stdout);
        assert!(!run.stdout.contains("No server is a source"), "{command:?}");
    }
}

/// What people send instead of an export, each named on stderr, listed as
/// unreadable, with the export exconn reads instead: never read as damaged
/// LDIF.
#[test]
fn inputs_that_are_other_documents_are_named() {
    let cases: [(&str, &[u8], &str); 7] = [
        ("list.txt", b"\r\n\r\nName        : Internet\r\nEnabled     : True\r\n", "Format-List"),
        (
            "ldp.txt",
            b"***Searching...\nldap_search_s(ld, \"CN=Configuration,DC=x\", 2, ...);\nGetting 1 entries:\nDn: CN=Configuration,DC=x\n",
            "ldp.exe",
        ),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("shot.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", "PNG"),
        ("shot.jpg", b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", "JPEG"),
        ("shot.gif", b"GIF89a\x01\0\x01\0\x80\0\0", "GIF"),
        ("notes.docx", &office_document(), "Office document"),
    ];
    for (name, bytes, kind) in cases {
        let (_dir, path) = temp_file(name, bytes);
        let run = exconn(&["sources", "--format", "json", &path]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(kind), "{name}: {}", run.stderr);
        assert!(
            !run.stderr.contains("expected 'attribute: value'"),
            "{name}: {}",
            run.stderr
        );
        assert!(
            !run.stderr.contains("no records were read"),
            "{name}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains("Get-SendConnector | Export-Clixml"),
            "{name}: {}",
            run.stderr
        );
        let json: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
        let reason = json["unreadable"][0]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(kind), "{name}: {reason}");
    }
}

/// A domain partition, or a configuration partition of a forest without
/// Exchange: the blocker says what the inputs hold, and its command names
/// the forest read, not a placeholder.
#[test]
fn partitions_without_exchange_are_named_with_their_forest() {
    let domain = "dn: DC=contoso,DC=com\nobjectClass: top\nobjectClass: domain\n\
                  objectClass: domainDNS\n\ndn: CN=Users,DC=contoso,DC=com\nobjectClass: container\n\n";
    let configuration = "dn: CN=Configuration,DC=contoso,DC=com\nobjectClass: top\n\
                         objectClass: configuration\n\n\
                         dn: CN=Sites,CN=Configuration,DC=contoso,DC=com\nobjectClass: sitesContainer\n\n";
    let sites_only = "dn: CN=Sites,CN=Configuration,DC=contoso,DC=com\nobjectClass: top\n\
                      objectClass: sitesContainer\n\n";
    for (text, holds) in [
        (domain, "the domain partition DC=contoso,DC=com"),
        (configuration, "the configuration partition CN=Configuration,DC=contoso,DC=com without CN=Microsoft Exchange"),
        (sites_only, "the configuration partition CN=Configuration,DC=contoso,DC=com"),
    ] {
        let (_dir, path) = temp_file("partition.ldf", text.as_bytes());
        let (code, json) = sources_json(&path);
        assert_eq!(code, 2);
        let blocker = &json["findings"][0];
        assert_eq!(blocker["code"], "SendConnectorsNotInExport");
        let message = blocker["message"].as_str().unwrap();
        assert!(message.contains("no Exchange organization"), "{message}");
        assert!(message.contains(holds), "{message}");
        let remedy = blocker["remedy"].as_str().unwrap();
        assert!(
            remedy.contains("-d \"CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com\""),
            "{remedy}"
        );
        assert!(!remedy.contains('<'), "{remedy}");
    }
}

/// A run that read nothing reports only what it could not read: no
/// findings, no coverage blocker as a headline, in any format.
#[test]
fn a_run_that_read_nothing_says_only_that() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nosuchfile.ldf");
    let missing = missing.to_str().unwrap();
    for command in [
        vec!["sources", "--format", "html", missing],
        vec!["sources", "--format", "markdown", missing],
        vec!["sources", "--format", "json", missing],
        vec!["sources", missing],
        vec!["inventory", "--format", "html", missing],
        vec!["plan", "--remove", "EX01", "--format", "html", missing],
        vec!["check", "--server", "EX01", missing],
    ] {
        let run = exconn(&command);
        assert_eq!(run.code, 2, "{command:?}");
        assert!(
            run.stdout.contains("nosuchfile.ldf"),
            "{command:?}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("SendConnectorsNotInExport"),
            "{command:?}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("Findings"),
            "{command:?}: {}",
            run.stdout
        );
    }
    for format in ["csv", "dot", "mermaid"] {
        let run = exconn(&["sources", "--format", format, missing]);
        assert_eq!(run.code, 2);
        assert_eq!(run.stdout, "", "{format}");
    }
}

/// A `.docx` as Word writes it: a ZIP whose first entry is `[Content_Types].xml`.
fn office_document() -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("[Content_Types].xml", options).unwrap();
    zip.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Types \
          xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
          <Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>",
    )
    .unwrap();
    zip.start_file("word/document.xml", options).unwrap();
    zip.write_all(b"<w:document/>").unwrap();
    zip.finish().unwrap().into_inner()
}

// ---- 2. Names exactly as the directory holds them -----------------------

#[test]
fn leading_and_trailing_spaces_are_kept_and_shown() {
    let text = format!(
        "{}{}{}{}",
        server("EX01"),
        connections_container(),
        connector("\\ Leading space 14", " Leading space 14", &["EX01"], None),
        connector("Trailing\\ ", "Trailing ", &["EX01"], Some([7; 16]))
    );
    let (_dir, path) = temp_file("spaces.ldif", text.as_bytes());
    let (_, json) = sources_json(&path);
    let names: Vec<&str> = json["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [" Leading space 14", "Trailing "]);

    let table = exconn(&["sources", &path]);
    assert!(
        table.stdout.contains("\" Leading space 14\""),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains("\"Trailing \""), "{}", table.stdout);

    let csv = exconn(&["sources", "--format", "csv", &path]);
    assert!(csv.stdout.contains(", Leading space 14,"), "{}", csv.stdout);

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fix.ps1");
    let run = exconn(&[
        "plan",
        "--remove",
        "EX01",
        "--add",
        "EX02",
        "--script",
        script.to_str().unwrap(),
        &path,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let script = std::fs::read_to_string(script).unwrap();
    assert!(
        script.contains("Set-SendConnector -Identity ' Leading space 14' -SourceTransportServers"),
        "{script}"
    );
    // With a GUID in the export, the connector is named by it.
    assert!(
        script.contains("-Identity '07070707-0707-0707-0707-070707070707' -SourceTransportServers"),
        "{script}"
    );
}

// ---- 3. Names that cannot act -------------------------------------------

/// Every character that must never reach a terminal or script raw.
const HOSTILE: &str = "Relay\n\r\tRemove-SendConnector -Identity * -Confirm:$false \u{1b}[2J\u{7f}\u{85}\u{9b}31m \u{202e}fed\u{2066}\u{200f}\u{2028}`\"$(whoami)'";

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}'
        )
}

fn hostile_export() -> String {
    format!(
        "{}{}{}{}",
        server("EX01"),
        connections_container(),
        connector("Hostile", HOSTILE, &["EX01"], None),
        connector(
            "Hostile\\0ACNF:0f0e0d0c-0000-0000-0000-000000000001",
            "Hostile\nCNF:0f0e0d0c-0000-0000-0000-000000000001",
            &["EX01"],
            None
        )
    )
}

/// The characters PowerShell's tokenizer takes for a single quote.
fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// The characters PowerShell's tokenizer takes for a double quote.
fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

/// Reads a PowerShell string literal back the way PowerShell's tokenizer
/// would (single-quoted, where any single-quote character ends it unless
/// another follows; or double-quoted with backtick escapes and
/// `$([char]0xHHHH)` UTF-16 units): the value and the text after it;
/// `None` for anything else, a `$` that would expand included.
fn powershell_literal(text: &str) -> Option<(String, &str)> {
    let open = text.chars().next()?;
    if is_single_quote(open) {
        single_quoted_literal(&text[open.len_utf8()..])
    } else if is_double_quote(open) {
        double_quoted_literal(&text[open.len_utf8()..])
    } else {
        None
    }
}

fn single_quoted_literal(body: &str) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut rest = body.char_indices().peekable();
    while let Some((i, c)) = rest.next() {
        if !is_single_quote(c) {
            value.push(c);
            continue;
        }
        match rest.peek() {
            Some(&(_, next)) if is_single_quote(next) => {
                value.push(next);
                rest.next();
            }
            _ => return Some((value, &body[i + c.len_utf8()..])),
        }
    }
    None
}

fn double_quoted_literal(body: &str) -> Option<(String, &str)> {
    let mut units: Vec<u16> = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let c = body[i..].chars().next()?;
        if is_double_quote(c) {
            let next = body[i + c.len_utf8()..].chars().next();
            match next {
                Some(n) if is_double_quote(n) => {
                    units.extend(n.encode_utf16(&mut [0; 2]).iter());
                    i += c.len_utf8() + n.len_utf8();
                }
                _ => return Some((String::from_utf16(&units).ok()?, &body[i + c.len_utf8()..])),
            }
        } else if c == '`' {
            let e = body[i + 1..].chars().next()?;
            let escaped = match e {
                '0' => '\0',
                'a' => '\u{7}',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                'v' => '\u{b}',
                other => other,
            };
            units.extend(escaped.encode_utf16(&mut [0; 2]).iter());
            i += 1 + e.len_utf8();
        } else if body[i..].starts_with("$([char]0x") {
            let end = body[i..].find(')')?;
            units.push(u16::from_str_radix(&body[i + 10..i + end], 16).ok()?);
            i += end + 1;
        } else if c == '$' || is_unsafe(c) {
            return None; // would expand, or end the line
        } else {
            units.extend(c.encode_utf16(&mut [0; 2]).iter());
            i += c.len_utf8();
        }
    }
    None
}

/// Reads a script as a person's shell would and strips its byte-order
/// mark, which it must have.
fn script_text(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).expect("the script is UTF-8");
    text.strip_prefix('\u{FEFF}')
        .unwrap_or_else(|| panic!("the script starts with a UTF-8 byte-order mark: {text:?}"))
        .to_owned()
}

#[test]
fn hostile_names_reach_no_output_raw_and_the_script_does_only_what_it_says() {
    let (_dir, path) = temp_file("hostile.ldif", hostile_export().as_bytes());
    for format in ["table", "markdown", "csv", "html", "dot", "mermaid"] {
        let run = exconn(&["sources", "--format", format, &path]);
        let raw: Vec<char> = run
            .stdout
            .chars()
            .filter(|&c| is_unsafe(c) && c != '\n' && !(format == "csv" && c == '\r'))
            .collect();
        assert!(raw.is_empty(), "{format}: raw {raw:?} in\n{}", run.stdout);
        assert!(!run.stdout.contains("\nRemove-SendConnector"), "{format}");
    }
    for args in [
        vec!["check", "--server", "EX01"],
        vec!["inventory"],
        vec!["plan", "--remove", "EX01", "--add", "EX02"],
    ] {
        let mut args = args;
        args.push(&path);
        let run = exconn(&args);
        let raw: Vec<char> = run
            .stdout
            .chars()
            .filter(|&c| is_unsafe(c) && c != '\n')
            .collect();
        assert!(raw.is_empty(), "{args:?}: raw {raw:?} in\n{}", run.stdout);
        assert!(
            !run.stdout
                .lines()
                .any(|l| l.starts_with("Remove-SendConnector")),
            "{args:?}"
        );
    }
    // JSON keeps the name byte for byte.
    let (_, json) = sources_json(&path);
    assert!(json["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == HOSTILE));

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fix.ps1");
    exconn(&[
        "plan",
        "--remove",
        "EX01",
        "--add",
        "EX02",
        "--script",
        script.to_str().unwrap(),
        &path,
    ]);
    let script = script_text(&std::fs::read(script).unwrap());
    let mut identities = Vec::new();
    for line in script.lines() {
        assert!(
            !line.chars().any(is_unsafe),
            "raw control in script line {line:?}"
        );
        if line.is_empty() || line.starts_with('#') || line == "$ErrorActionPreference = 'Stop'" {
            continue;
        }
        let rest = line
            .strip_prefix("Set-SendConnector -Identity ")
            .unwrap_or_else(|| panic!("unexpected command line {line:?}\n{script}"));
        let (identity, rest) = powershell_literal(rest).expect("the identity is one literal");
        assert_eq!(
            rest, " -SourceTransportServers @{Add='EX02'; Remove='EX01'} -WhatIf",
            "{line}"
        );
        identities.push(identity);
    }
    identities.sort();
    let mut expected = vec![
        HOSTILE.to_owned(),
        "Hostile\nCNF:0f0e0d0c-0000-0000-0000-000000000001".to_owned(),
    ];
    expected.sort();
    assert_eq!(identities, expected, "{script}");
}

/// Names whose UTF-8 bytes, read in the ANSI code page, hold quote
/// characters (`ё` is `D1 91`: `Ñ‘`; `ѓ` is `D1 93`: `Ñ“`), typographic
/// quotes, other scripts and a character outside the BMP.
const CODE_PAGE_NAMES: [&str; 7] = [
    "X\u{451}$(New-Item C:\\pwned.txt)\u{451}",
    "Y\u{453}\"$(New-Item C:\\pwned.txt)\"\u{453}",
    "Z\u{2018}$(whoami)\u{2019}\u{201C}$(whoami)\u{201D}\u{201A}\u{201E}\u{201B}",
    "l\u{2019}\u{e9}t\u{e9} \u{41f}\u{435}\u{440}\u{435}\u{441}\u{44b}\u{43b}\u{43a}\u{430}",
    "\u{9001}\u{4fe1}\u{30b3}\u{30cd}\u{30af}\u{30bf}e",
    "smile \u{1F600}",
    "plain O'Brien",
];

/// The name of a server whose UTF-8 bytes read as quotes in ANSI.
const CODE_PAGE_SERVER: &str = "EX\u{451}\u{2018}02";

#[test]
fn the_script_means_the_same_read_as_utf8_and_as_windows_1252() {
    let mut text = format!("{}{}", server("EX01"), server(CODE_PAGE_SERVER));
    text.push_str(&connections_container());
    for (i, name) in CODE_PAGE_NAMES.iter().enumerate() {
        text.push_str(&connector(&format!("Connector{i}"), name, &["EX01"], None));
    }
    let (_dir, path) = temp_file("code-pages.ldif", text.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fix.ps1");
    let run = exconn(&[
        "plan",
        "--remove",
        "EX01",
        "--add",
        CODE_PAGE_SERVER,
        "--script",
        script.to_str().unwrap(),
        &path,
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let bytes = std::fs::read(&script).unwrap();
    let utf8 = script_text(&bytes);
    // Windows PowerShell 5.1 without the mark: the ANSI code page.
    let (ansi, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes[3..]);
    let mut expected: Vec<String> = CODE_PAGE_NAMES.iter().map(|n| n.to_string()).collect();
    expected.sort();
    for (reading, script) in [("UTF-8", utf8.as_str()), ("Windows-1252", &ansi)] {
        let mut identities = Vec::new();
        for line in script
            .lines()
            .filter(|l| l.starts_with("Set-SendConnector"))
        {
            let rest = line.strip_prefix("Set-SendConnector -Identity ").unwrap();
            let (identity, rest) = powershell_literal(rest)
                .unwrap_or_else(|| panic!("{reading}: the identity is not one literal: {line}"));
            let rest = rest
                .strip_prefix(" -SourceTransportServers @{Add=")
                .unwrap_or_else(|| panic!("{reading}: {line}"));
            let (added, rest) = powershell_literal(rest)
                .unwrap_or_else(|| panic!("{reading}: the server is not one literal: {line}"));
            assert_eq!(added, CODE_PAGE_SERVER, "{reading}: {line}");
            assert_eq!(rest, "; Remove='EX01'} -WhatIf", "{reading}: {line}");
            identities.push(identity);
        }
        identities.sort();
        assert_eq!(identities, expected, "{reading}:\n{script}");
        // Comments may read differently; nothing else does.
        for line in script.lines() {
            assert!(
                line.is_empty()
                    || line.starts_with('#')
                    || line.starts_with("Set-SendConnector")
                    || line == "$ErrorActionPreference = 'Stop'",
                "{reading}: a line that is neither a comment nor a command: {line:?}"
            );
        }
    }
}

/// A name that a Markdown renderer would otherwise turn into a script, a
/// remote image, a link, an entity, emphasis and a table cell.
const MARKDOWN_HOSTILE: &str = "<script>alert(1)</script> ![x](https://evil.example/p.png) \
    [click](https://evil.example/) &lt;b&gt; *em* _u_ `code` # | cell \\";

#[test]
fn hostile_names_are_text_in_markdown() {
    let text = format!(
        "{}{}{}",
        server("EX01"),
        connections_container(),
        connector("Markdown", MARKDOWN_HOSTILE, &["EX01"], None)
    );
    let (_dir, path) = temp_file("markdown.ldif", text.as_bytes());
    let run = exconn(&["sources", "--format", "markdown", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let markup = markdown_markup(&run.stdout);
    assert!(markup.is_empty(), "{markup:#?} in\n{}", run.stdout);
    let row = run
        .stdout
        .lines()
        .find(|l| l.contains("script"))
        .expect("the connector's row");
    assert_eq!(row.matches(" | ").count(), 6, "the name is one cell: {row}");
}

#[test]
fn conflict_mangled_objects_are_a_finding() {
    let (_dir, path) = temp_file("hostile.ldif", hostile_export().as_bytes());
    let (_, json) = sources_json(&path);
    let conflicts: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "ConflictMangledObject")
        .collect();
    assert_eq!(conflicts.len(), 1, "{json:#}");
    assert_eq!(conflicts[0]["severity"], "warning");
    assert_eq!(
        conflicts[0]["connector"],
        "Hostile\nCNF:0f0e0d0c-0000-0000-0000-000000000001"
    );
    // Redaction rewrites the name, not what it says about the object.
    let run = exconn(&["sources", "--redact", "--format", "json", &path]);
    let redacted: Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<&Value> = redacted["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["code"])
        .collect();
    assert!(
        codes.iter().any(|c| *c == "ConflictMangledObject"),
        "{codes:?}"
    );
}

// ---- 5. Damage is never silent ------------------------------------------

#[test]
fn damage_in_attributes_the_analysis_skips_is_reported() {
    let text = format!(
        "{}{}dn: CN=Filler,{ORG}\nobjectClass: user\nfoo\0bar: 1\nnTSecurityDescriptor:: AQAE!!gAAAA\n \
         AAAA*AAA\ndescription: a\0b\n\n",
        server("EX01"),
        connections_container()
    );
    let (_dir, path) = temp_file("damaged.ldif", text.as_bytes());
    let run = exconn(&["sources", &path]);
    assert_eq!(
        run.code, 0,
        "damage alone does not change the status: {}",
        run.stderr
    );
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    let name = std::path::Path::new(&path)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let at = |line: usize, column: usize| format!("{name}:{line}:{column}: warning: ");
    let expect = |line: usize, column: usize, text: &str| {
        assert!(
            warnings
                .iter()
                .any(|w| w.contains(&at(line, column)) && w.contains(text)),
            "expected {}{text} in {warnings:#?}",
            at(line, column)
        );
    };
    // The server takes 8 lines and the container 4 (with their blank lines).
    expect(15, 1, "attribute description");
    expect(16, 28, "expected base64");
    expect(17, 6, "expected base64");
    expect(18, 15, "NUL");
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert_eq!(exconn(&["sources", "--strict", &path]).code, 2);
}

// ---- 6. Also -------------------------------------------------------------

#[test]
fn copies_that_disagree_are_named_with_both_inputs_and_the_setting() {
    let one = format!(
        "{}{}{}",
        server("EX01"),
        connections_container(),
        connector("Internet", "Internet", &["EX01"], Some([9; 16]))
    );
    let two = format!(
        "{}{}",
        server("EX02"),
        connector("Internet", "Internet", &["EX02"], Some([9; 16]))
    );
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ldif");
    let b = dir.path().join("b.ldif");
    std::fs::write(&a, one).unwrap();
    std::fs::write(&b, two).unwrap();
    let run = exconn(&[
        "sources",
        "--format",
        "json",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
    ]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["send_connectors"].as_array().unwrap().len(), 1);
    let warning = run
        .stderr
        .lines()
        .find(|l| l.contains("differs"))
        .unwrap_or_else(|| panic!("no warning in {}", run.stderr));
    assert!(
        warning.contains("a.ldif") && warning.contains("b.ldif"),
        "{warning}"
    );
    assert!(
        warning.contains("msExchSourceBridgeheadServersDN"),
        "{warning}"
    );
}

#[test]
fn several_organizations_as_json_are_json_lines() {
    let other = fixture("contoso.ldif");
    let text = format!("{}{}", server("EX01"), connections_container())
        .replace("CN=Contoso,", "CN=Fabrikam,")
        .replace("DC=contoso", "DC=fabrikam");
    let (_dir, path) = temp_file("fabrikam.ldif", text.as_bytes());
    let run = exconn(&["sources", "--format", "json", &other, &path]);
    let documents = json_lines(&run.stdout);
    assert_eq!(documents.len(), 2);
    let names: Vec<&str> = documents
        .iter()
        .map(|d| d["organization"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Contoso", "Fabrikam"]);
    let inventory = exconn(&["inventory", "--format", "json", &other, &path]);
    assert_eq!(json_lines(&inventory.stdout).len(), 2);
}
