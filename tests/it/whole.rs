//! An export is evidence only if it is whole: a file cut short, an
//! `ldapsearch` stopped by a server limit, an XML document without its
//! end, a file that changed while read never supports "clear" — with or
//! without `--strict`, whatever else it holds.

use serde_json::Value;

use crate::support::{exconn, fixture, temp_file};

/// Every server of the sample, with whether it is a source.
fn sample_servers() -> Vec<(String, bool)> {
    let run = exconn(&["sources", "--format", "json", &fixture("contoso.ldif")]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let sources = s["send_connectors"]
                .as_array()
                .is_some_and(|c| !c.is_empty());
            (s["name"].as_str().unwrap().to_owned(), sources)
        })
        .collect()
}

/// `check --server` on every server says "cannot tell" (or "at least" for
/// a source it still sees) and exits 2: never "clear", never 0.
fn assert_no_server_is_clear(path: &str, what: &str) {
    for (server, _) in sample_servers() {
        for strict in [false, true] {
            let mut args = vec!["check", "--server", server.as_str()];
            if strict {
                args.push("--strict");
            }
            args.push(path);
            let run = exconn(&args);
            assert_eq!(
                run.code, 2,
                "{what}: {args:?}: {}{}",
                run.stdout, run.stderr
            );
            assert!(
                !run.stdout.contains(" is clear"),
                "{what}: {server} called clear:\n{}",
                run.stdout
            );
        }
    }
}

/// Cut points in the sample: inside a base64 value, inside a plain line, at
/// a line end inside a record, and right after a record's last line.
fn cut_points(text: &str) -> Vec<(usize, &'static str)> {
    let base64 = text.find(":: ").unwrap() + 8;
    let line = text.find("msExchSourceBridgeheadServersDN: ").unwrap() + 40;
    let line_end = text[line..].find("\r\n").unwrap() + line + 2;
    let record_end = text.rfind("\r\n\r\n").unwrap() + 2;
    vec![
        (base64, "inside a base64 value"),
        (line, "inside a line"),
        (line_end, "at a line end inside a record"),
        (record_end, "after the last line, without the empty line"),
        (text.len() / 2, "half way"),
    ]
}

#[test]
fn an_ldif_export_cut_anywhere_never_says_clear() {
    let text = std::fs::read_to_string(fixture("contoso.ldif")).unwrap();
    assert!(
        text.ends_with("\r\n\r\n"),
        "the sample is a whole ldifde export"
    );
    for (at, what) in cut_points(&text) {
        let (_dir, path) = temp_file("cut.ldf", &text.as_bytes()[..at]);
        assert_no_server_is_clear(&path, what);
        let run = exconn(&["sources", "--format", "json", &path]);
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        let not_whole = &report["coverage"]["inputs_not_whole"];
        assert_eq!(
            not_whole.as_array().map(Vec::len),
            Some(1),
            "{what}: {report:#}"
        );
        assert_eq!(not_whole[0]["path"], path.as_str());
        assert_eq!(report["findings"][0]["code"], "SendConnectorsNotInExport");
        assert!(
            report["findings"][0]["remedy"]
                .as_str()
                .unwrap()
                .contains("again, whole"),
            "{what}: {report:#}"
        );
    }
    // The whole file is evidence.
    let whole = exconn(&["check", "--server", "EX2019", &fixture("contoso.ldif")]);
    assert_ne!(whole.code, 2, "{}", whole.stdout);
}

/// An `ldapsearch -L` export whose search the server stopped.
fn ldapsearch_export(result: &str) -> String {
    let org = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    let rg = format!(
        "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{org}"
    );
    format!(
        "# extended LDIF\n#\n# LDAPv3\n\n\
         dn: CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{org}\n\
         objectClass: msExchExchangeServer\ncn: EX01\n\n\
         dn: CN=Connections,{rg}\nobjectClass: msExchConnectors\n\n\
         # search result\nsearch: 2\nresult: {result}\n\n# numResponses: 3\n# numEntries: 2\n"
    )
}

#[test]
fn an_ldapsearch_stopped_by_a_size_limit_is_not_whole() {
    let (_dir, path) = temp_file("capped.ldif", ldapsearch_export("0 Success").as_bytes());
    let run = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(
        run.code, 0,
        "a whole ldapsearch export: {}{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("is clear"), "{}", run.stdout);

    let text = ldapsearch_export("4 Size limit exceeded");
    let (_dir, path) = temp_file("capped.ldif", text.as_bytes());
    let run = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("cannot tell"), "{}", run.stdout);
    assert!(run.stdout.contains("-E pr=1000/noprompt"), "{}", run.stdout);
    let line = text
        .lines()
        .position(|l| l.starts_with("result: "))
        .unwrap()
        + 1;
    assert!(
        run.stderr.contains(&format!(
            "capped.ldif:{line}:1: error: expected 'result: 0 Success'"
        )),
        "{}",
        run.stderr
    );
}

/// A fixture's text, UTF-16 (as PowerShell 5.1 writes it) or UTF-8.
fn text_of(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        text.into_owned()
    } else {
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}

#[test]
fn xml_exports_without_their_end_are_not_whole() {
    for (name, end) in [
        ("contoso.dsml.xml", "</batchResponse>"),
        ("contoso.adobject.clixml.xml", "</Objs>"),
        ("contoso.cmdlets.clixml.xml", "</Objs>"),
    ] {
        let text = text_of(&std::fs::read(fixture(name)).unwrap());
        let whole = exconn(&["check", "--server", "EX2019", &fixture(name)]);
        assert_ne!(
            whole.code, 2,
            "{name} whole: {}{}",
            whole.stdout, whole.stderr
        );
        let without_end = &text[..text
            .rfind(end)
            .unwrap_or_else(|| panic!("{name} ends with {end}"))];
        let half = &text[..text.len() / 2];
        for (cut, what) in [(without_end, "without its end tag"), (half, "cut half way")] {
            let (_dir, path) = temp_file(name, cut.as_bytes());
            let run = exconn(&["check", "--server", "EX2019", &path]);
            assert!(
                run.stdout.contains("EX2019"),
                "{name} {what}: {}",
                run.stderr
            );
            assert_eq!(run.code, 2, "{name} {what}: {}{}", run.stdout, run.stderr);
            assert!(
                run.stdout.contains("cannot tell") || run.stdout.contains("at least"),
                "{name} {what}: {}",
                run.stdout
            );
            let report: Value =
                serde_json::from_str(&exconn(&["sources", "--format", "json", &path]).stdout)
                    .unwrap();
            assert_eq!(
                report["coverage"]["inputs_not_whole"]
                    .as_array()
                    .map(Vec::len),
                Some(1),
                "{name} {what}: {report:#}"
            );
        }
    }
}

#[test]
fn a_dsml_search_that_did_not_end_in_success_is_not_whole() {
    let text = std::fs::read_to_string(fixture("contoso.dsml.xml")).unwrap();
    let capped = text.replace("<resultCode code=\"0\"", "<resultCode code=\"4\"");
    assert_ne!(
        capped, text,
        "the sample ends its search with a result code"
    );
    let (_dir, path) = temp_file("capped.dsml.xml", capped.as_bytes());
    let run = exconn(&["check", "--server", "EX2019", &path]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

/// A ZIP archive of `entries` (name, bytes), deflated.
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn every_entry_of_an_archive_is_read() {
    let ldif = std::fs::read(fixture("contoso.ldif")).unwrap();
    let cmdlets = std::fs::read(fixture("contoso.cmdlets.clixml.xml")).unwrap();
    let archive = zip_of(&[
        (
            "README.txt",
            b"Exports for the migration, taken on Monday.\n".to_vec(),
        ),
        ("config/contoso.ldf", ldif),
        ("Get-SendConnector.xml", cmdlets),
    ]);
    let (_dir, path) = temp_file("exports.zip", &archive);
    let run = exconn(&["sources", "--format", "json", &path]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            format!("{path}!Get-SendConnector.xml"),
            format!("{path}!config/contoso.ldf")
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("passed over {path}!README.txt")),
        "{}",
        run.stderr
    );
    // The same answer as the files themselves give.
    let plain = exconn(&[
        "sources",
        "--format",
        "json",
        &fixture("contoso.ldif"),
        &fixture("contoso.cmdlets.clixml.xml"),
    ]);
    let plain: Value = serde_json::from_str(&plain.stdout).unwrap();
    assert_eq!(report["servers"], plain["servers"]);
    assert_eq!(report["send_connectors"], plain["send_connectors"]);
    assert_eq!(report["findings"], plain["findings"]);
}

#[test]
fn an_archive_entry_that_would_expand_past_the_bound_is_refused() {
    let mut archive = zip_of(&[
        (
            "contoso.ldf",
            std::fs::read(fixture("contoso.ldif")).unwrap(),
        ),
        ("bomb.ldf", vec![b'\n'; 4096]),
    ]);
    // Say in the central directory that the second entry expands to 4 GB.
    let central = archive
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(at, _)| at)
        .nth(1)
        .expect("two central directory headers");
    archive[central + 24..central + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    let (_dir, path) = temp_file("bomb.zip", &archive);
    let run = exconn(&["sources", "--format", "json", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bomb.zip!bomb.ldf"), "{}", run.stderr);
    assert!(
        run.stderr.contains("a ZIP bomb, not read"),
        "{}",
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["inputs"].as_array().map(Vec::len), Some(1));
}

#[test]
fn an_ldapsearch_trailer_that_counts_more_entries_than_were_read_is_not_whole() {
    let text = ldapsearch_export("0 Success").replace("# numEntries: 2", "# numEntries: 3");
    let (_dir, path) = temp_file("short.ldif", text.as_bytes());
    let run = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("found 2: entries are missing"),
        "{}",
        run.stdout
    );
}

#[test]
fn exactly_a_page_of_entries_without_a_trailer_is_warned_about() {
    let mut text = String::new();
    for i in 0..1000 {
        text.push_str(&format!(
            "dn: CN=Object{i},DC=x\nobjectClass: top\ncn: Object{i}\n\n"
        ));
    }
    let (_dir, path) = temp_file("page.ldif", text.as_bytes());
    let run = exconn(&["dump", &path]);
    assert!(
        run.stderr
            .contains("exactly 1000 entries, Active Directory's MaxPageSize")
            && run.stderr.contains("-E pr=1000/noprompt"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("MaxPageSize").count(),
        1,
        "{}",
        run.stderr
    );
    text.push_str("dn: CN=One more,DC=x\nobjectClass: top\n\n");
    let (_dir, path) = temp_file("more.ldif", text.as_bytes());
    let run = exconn(&["dump", &path]);
    assert!(!run.stderr.contains("MaxPageSize"), "{}", run.stderr);
}

#[test]
fn an_archive_read_as_a_stream_with_more_than_one_entry_is_not_whole() {
    let ldif = std::fs::read(fixture("contoso.ldif")).unwrap();
    let one = zip_of(&[("contoso.ldf", ldif.clone())]);
    let run = crate::support::exconn_stdin(&["check", "--server", "EX2019", "-"], &one);
    assert_ne!(
        run.code, 2,
        "one entry, read whole: {}{}",
        run.stdout, run.stderr
    );
    let two = zip_of(&[
        ("contoso.ldf", ldif),
        ("more.ldf", b"dn: cn=a\ncn: a\n\n".to_vec()),
    ]);
    let run = crate::support::exconn_stdin(&["check", "--server", "EX2019", "-"], &two);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("only its first entry was read"),
        "{}",
        run.stderr
    );
}
