//! Hostile and broken inputs, generated on the fly: truncation, NUL bytes,
//! invalid UTF-8, lone surrogates, lying BOMs, mixed line ends, a huge line,
//! an entry with a million values, URLs to local files, and inputs that are
//! not plain files. Every run is watched (`guarded`); besides ending cleanly,
//! each must say what it could not read, `FILE:LINE:COL` or a one-line
//! reason, and still report every source server of the valid records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;

use crate::guarded::{run_guarded, Outcome};

const SERVERS: &str = "CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x";

/// Records of an export with four Send connectors, each sourced on its own
/// server; the last one's source is base64 (for truncation in the middle
/// of base64).
fn records() -> Vec<String> {
    let mut records = Vec::new();
    for (i, server) in ["EX01", "EX02", "EX03", "EX04"].iter().enumerate() {
        records.push(format!(
            "dn: CN={server},{SERVERS}\nobjectClass: msExchExchangeServer\ncn: {server}\n\
             serialNumber: Version 15.2 (Build 1544.4)\nmsExchCurrentServerRoles: 16385"
        ));
        let source = format!("CN=1,CN=SMTP,CN=Protocols,CN={server},{SERVERS}");
        let source_line = if i == 3 {
            format!(
                "msExchSourceBridgeheadServersDN:: {}",
                BASE64.encode(source.as_bytes())
            )
        } else {
            format!("msExchSourceBridgeheadServersDN: {source}")
        };
        records.push(format!(
            "dn: CN=Out{i},CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,DC=x\n\
             objectClass: msExchRoutingSMTPConnector\ncn: Out{i}\nroutingList: SMTP:*;1\n{source_line}"
        ));
    }
    records
}

fn export() -> String {
    records().join("\n\n") + "\n\n"
}

/// The DNs of `export()`'s records, in order.
fn export_dns() -> Vec<&'static str> {
    vec![
        "CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x",
        "CN=Out0,CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,DC=x",
        "CN=EX02,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x",
        "CN=Out1,CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,DC=x",
        "CN=EX03,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x",
        "CN=Out2,CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,DC=x",
        "CN=EX04,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x",
        "CN=Out3,CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,DC=x",
    ]
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn sources(file: &Path) -> Outcome {
    run_guarded(&["sources", "--format", "json"], file)
}

/// Source server → its Send connectors, from a JSON report.
fn source_map(outcome: &Outcome, what: &str) -> BTreeMap<String, Vec<String>> {
    let report: Value = serde_json::from_str(&outcome.stdout)
        .unwrap_or_else(|e| panic!("{what}: no JSON report ({e}): {}", outcome.summary()));
    report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["send_connectors"].as_array().unwrap().is_empty())
        .map(|s| {
            let connectors = s["send_connectors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            (s["name"].as_str().unwrap().to_owned(), connectors)
        })
        .collect()
}

fn expected(servers: &[&str]) -> BTreeMap<String, Vec<String>> {
    servers
        .iter()
        .map(|s| {
            let i = s[2..].parse::<usize>().unwrap() - 1;
            ((*s).to_owned(), vec![format!("Out{i}")])
        })
        .collect()
}

#[test]
fn truncation_anywhere_in_the_last_record_keeps_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let text = export();
    let last = text.rfind("dn: CN=Out3").unwrap();
    let base64_at = text.rfind(":: ").unwrap() + 3;
    for cut in (last..text.len())
        .step_by(7)
        .chain([base64_at + 5, base64_at + 6])
    {
        let path = write(&dir, "cut.ldif", &text.as_bytes()[..cut]);
        let run = sources(&path);
        let what = format!("cut at {cut}");
        run.assert_contained(&what);
        let mut got = source_map(&run, &what);
        // The last record (Out3, sourced on EX04) is the one cut: it may be
        // read whole (only its last line end is gone) or not at all.
        if let Some(out3) = got.remove("EX04") {
            assert_eq!(out3, ["Out3"], "{what}");
        }
        assert_eq!(got, expected(&["EX01", "EX02", "EX03"]), "{what}");
        let base64_end = text.len() - 1;
        if cut > base64_at && cut < base64_end && (cut - base64_at) % 4 != 0 {
            run.assert_diagnosed(&format!("{what} (inside base64)"));
        }
    }
}

#[test]
fn nul_bytes_and_invalid_utf8_are_diagnosed_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut records: Vec<Vec<u8>> = records().into_iter().map(String::into_bytes).collect();
    // A NUL in a value, a NUL in an attribute name, and a block of NULs between records.
    let mut nul = records.clone();
    nul[1].extend_from_slice(b"\ndescription: a\0b\nna\0me: x");
    nul.insert(3, vec![0; 4096]);
    cases.push(("nul", nul.join(&b"\n\n"[..])));
    // Invalid UTF-8 in a DN and in a value of another record.
    records.insert(2, b"dn: CN=\xff\xfe,DC=x\ncn: \xc3\x28".to_vec());
    cases.push(("invalid-utf8", records.join(&b"\n\n"[..])));
    for (name, bytes) in cases {
        let path = write(&dir, &format!("{name}.ldif"), bytes);
        let run = sources(&path);
        run.assert_contained(name);
        run.assert_diagnosed(name);
        assert_eq!(
            source_map(&run, name),
            expected(&["EX01", "EX02", "EX03", "EX04"]),
            "{name}"
        );
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xff, 0xfe];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

#[test]
fn lone_surrogates_are_replaced_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = utf16le(&(export() + "\ndn: CN=X,DC=x\ndescription: "));
    bytes.extend_from_slice(&0xd800u16.to_le_bytes());
    bytes.extend_from_slice(&utf16le("z\n")[2..]);
    let path = write(&dir, "surrogate.ldif", bytes);
    let run = sources(&path);
    run.assert_contained("lone surrogate");
    assert!(
        run.stderr.contains("unpaired surrogate"),
        "{}",
        run.summary()
    );
    assert_eq!(
        source_map(&run, "lone surrogate"),
        expected(&["EX01", "EX02", "EX03", "EX04"])
    );
}

#[test]
fn a_bom_that_lies_is_overruled_by_the_content_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // A UTF-16LE BOM before UTF-8 text, a UTF-8 BOM before UTF-16LE text.
    let mut utf16_bom = vec![0xff, 0xfe];
    utf16_bom.extend_from_slice(export().as_bytes());
    let mut utf8_bom = vec![0xef, 0xbb, 0xbf];
    utf8_bom.extend_from_slice(&utf16le(&export())[2..]);
    for (name, bytes) in [("utf16-bom", utf16_bom), ("utf8-bom", utf8_bom)] {
        let path = write(&dir, &format!("{name}.ldif"), bytes);
        let run = sources(&path);
        run.assert_contained(name);
        assert!(
            run.diagnostics()
                .iter()
                .any(|(severity, m)| severity == "warning" && m.contains("byte-order mark")),
            "{name}: {}",
            run.summary()
        );
        assert_eq!(
            source_map(&run, name),
            expected(&["EX01", "EX02", "EX03", "EX04"]),
            "{name}"
        );
    }
}

#[test]
fn mixed_line_ends_read_like_any_other() {
    let dir = tempfile::tempdir().unwrap();
    let ends = ["\n", "\r\n", "\r", "\r\r\n"];
    let mut text = String::new();
    for (i, record) in records().iter().enumerate() {
        let eol = ends[i % ends.len()];
        for line in record.lines() {
            text.push_str(line);
            text.push_str(ends[(i + line.len()) % ends.len()]);
        }
        text.push_str(eol);
    }
    let path = write(&dir, "mixed.ldif", text);
    let run = sources(&path);
    run.assert_contained("mixed line ends");
    assert_eq!(
        source_map(&run, "mixed line ends"),
        expected(&["EX01", "EX02", "EX03", "EX04"])
    );
}

#[test]
fn an_entry_with_a_million_values_is_cut_at_the_limit_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = export();
    text.push_str("\ndn: CN=Many,DC=x\nobjectClass: top\n");
    for _ in 0..1_000_000 {
        text.push_str("description: v\n");
    }
    let path = write(&dir, "many.ldif", &text);
    let run = run_guarded(&["dump", "--format", "jsonl"], &path);
    run.assert_contained("a million values");
    let many_line = text[..text.find("dn: CN=Many").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let diagnostics = run.located_diagnostics();
    assert!(
        diagnostics.len() == 1
            && diagnostics[0].severity == "error"
            && diagnostics[0].line == many_line
            && diagnostics[0].message.contains("--max-values"),
        "expected one --max-values error on line {many_line}: {}",
        run.summary()
    );
    // The records before it are whole, and the entry keeps the values up to the limit.
    let records = run.records("a million values");
    let good = export_dns();
    let dns: Vec<&str> = records.iter().map(|r| r["dn"].as_str().unwrap()).collect();
    assert_eq!(dns[..dns.len() - 1], good, "{}", run.summary());
    assert_eq!(dns.last(), Some(&"CN=Many,DC=x"));
    assert_eq!(
        records.last().unwrap()["attrs"].as_array().unwrap().len(),
        100_000
    );
    for (i, server) in ["EX01", "EX02", "EX03", "EX04"].iter().enumerate() {
        run.assert_record("a million values", good[2 * i], &[("cn", *server)]);
        run.assert_record(
            "a million values",
            good[2 * i + 1],
            &[
                ("cn", format!("Out{i}").as_str()),
                ("routingList", "SMTP:*;1"),
            ],
        );
    }
    let raised = run_guarded(
        &["dump", "--format", "jsonl", "--max-values", "2000000"],
        &path,
    );
    raised.assert_contained("a million values, limit raised");
    assert!(raised.diagnostics().is_empty(), "{}", raised.summary());
    // Too large to keep whole: the records before the big one are its first lines.
    let first: Vec<String> = raised
        .stdout
        .lines()
        .take(8)
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["dn"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(first, good);
    // Each value is `["description","v"],` in the JSON lines.
    let value = r#"["description","v"],"#.len();
    assert!(
        raised.stdout_len >= 1_000_000 * value,
        "{}",
        raised.summary()
    );
    assert!(run.stdout_len < 200_000 * value, "{}", run.summary());
}

#[test]
fn urls_to_local_files_are_never_read_in_any_format() {
    let dir = tempfile::tempdir().unwrap();
    let ldif = format!(
        "{}\ndn: CN=U,DC=x\ndescription:< file:///etc/passwd\n",
        export()
    );
    let path = write(&dir, "url.ldif", &ldif);
    let run = run_guarded(&["dump", "--format", "jsonl"], &path);
    run.assert_contained("url");
    assert!(!run.stdout.contains("root:"), "{}", run.summary());
    let url = serde_json::json!({"url": "file:///etc/passwd"});
    assert_eq!(
        run.values("url", "CN=U,DC=x", "description"),
        std::slice::from_ref(&url)
    );
    let mut dns = export_dns();
    dns.push("CN=U,DC=x");
    assert_eq!(run.dns("url"), dns);
    run.assert_record("url", dns[7], &[("cn", "Out3")]);
    let url_line = ldif[..ldif.find("description:<").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let diagnostics = run.located_diagnostics();
    assert!(
        diagnostics.len() == 1
            && diagnostics[0].severity == "warning"
            && diagnostics[0].line == url_line,
        "expected one warning on line {url_line}: {}",
        run.summary()
    );
    let dsml = "<batchResponse xmlns=\"urn:oasis:names:tc:DSML:2:0:core\" \
        xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
        <searchResponse><searchResultEntry dn=\"CN=Before,DC=x\"><attr name=\"cn\"><value>Before</value></attr></searchResultEntry>\
        <searchResultEntry dn=\"CN=U,DC=x\"><attr name=\"description\">\
        <value xsi:type=\"xsd:anyURI\">file:///etc/passwd</value></attr></searchResultEntry>\
        <searchResultEntry dn=\"CN=After,DC=x\"><attr name=\"cn\"><value>After</value></attr></searchResultEntry>\
        <searchResultDone><resultCode code=\"0\"/></searchResultDone></searchResponse></batchResponse>";
    let path = write(&dir, "url.xml", dsml);
    let run = run_guarded(&["dump", "--format", "jsonl"], &path);
    run.assert_contained("url in DSML");
    assert!(!run.stdout.contains("root:"), "{}", run.summary());
    assert_eq!(
        run.dns("url in DSML"),
        ["CN=Before,DC=x", "CN=U,DC=x", "CN=After,DC=x"]
    );
    assert_eq!(run.values("url in DSML", "CN=U,DC=x", "description"), [url]);
    run.assert_record("url in DSML", "CN=Before,DC=x", &[("cn", "Before")]);
    run.assert_record("url in DSML", "CN=After,DC=x", &[("cn", "After")]);
}

// FIFOs (`mkfifo`) exist only on Unix.
#[cfg(unix)]
#[test]
fn a_fifo_is_read_as_a_stream() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("export.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, export()).unwrap())
    };
    let run = sources(&fifo);
    writer.join().unwrap();
    run.assert_contained("fifo");
    assert_eq!(run.code, Some(0), "{}", run.summary());
    assert_eq!(
        source_map(&run, "fifo"),
        expected(&["EX01", "EX02", "EX03", "EX04"])
    );
}

// `/proc/self/mem` (opens, then fails to read) exists only on Linux; on
// other systems the path would be missing, which is another test (cli.rs).
#[cfg(target_os = "linux")]
#[test]
fn an_input_that_fails_to_read_is_reported_and_the_others_are_analyzed() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.ldif", export());
    // Opening works, reading fails (EIO): what a failing disk or share does.
    let failing = Path::new("/proc/self/mem");
    let run = crate::support::exconn(&[
        "sources",
        "--format",
        "json",
        failing.to_str().unwrap(),
        good.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .lines()
            .any(|l| l.starts_with("exconn: /proc/self/mem: ")),
        "{}",
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["servers"].as_array().unwrap().len(), 4);
}

/// An export of `size` bytes or more: the sample records over and over.
fn large_export(size: usize) -> String {
    let one = export() + "\n";
    one.repeat(size / one.len() + 1)
}

fn read_open_source(source: exconn::input::Source) -> exconn::input::InputInfo {
    let options = exconn::input::ReadOptions::default();
    exconn::input::read_source(
        source,
        &options,
        |batch| (batch.len(), Vec::new()),
        |_| Ok(()),
    )
    .expect("the input reads")
}

#[test]
fn a_file_truncated_while_being_read_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = large_export(64 << 20);
    let path = write(&dir, "shrinking.ldif", &text);
    let source = exconn::input::Source::open(path.to_str().unwrap()).unwrap();
    // The reader holds a few MiB in flight at most: most of the file is still unread.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(1 << 20)
        .unwrap();
    let info = read_open_source(source);
    let changed: Vec<_> = info
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("changed while being read"))
        .collect();
    assert_eq!(changed.len(), 1, "{:?}", info.diagnostics);
    assert_eq!(changed[0].severity, exconn::diag::Severity::Error);
    // It is not whole: it never supports a verdict of absence.
    assert!(
        info.incomplete
            .iter()
            .any(|d| d.message.contains("changed while being read")),
        "{:?}",
        info.incomplete
    );
    // What was read is still reported: at least the records whole in the
    // MiB left (more if they were read before the cut), never more than the file had.
    let whole_in_first_mib = text[..1 << 20].matches("\n\n").count();
    let total = 8 * (text.len() / (export().len() + 1));
    assert!(
        (whole_in_first_mib..=total).contains(&info.entries),
        "{} entries read, expected {whole_in_first_mib} to {total}",
        info.entries
    );
}

#[test]
fn a_file_deleted_while_being_read_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let text = large_export(16 << 20);
    let path = write(&dir, "deleted.ldif", &text);
    let source = exconn::input::Source::open(path.to_str().unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    let info = read_open_source(source);
    assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
    assert_eq!(info.bytes, text.len() as u64);
    assert_eq!(info.entries, 8 * (text.len() / (export().len() + 1)));
}

/// Peak resident memory of a running process, in KiB (Linux `VmHWM`).
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Elsewhere there is no `/proc`: the memory bound is not measured (the
/// rest of the test still runs).
#[cfg(not(target_os = "linux"))]
fn peak_rss_kib(_pid: u32) -> Option<u64> {
    None
}

#[test]
fn a_one_gigabyte_line_is_skipped_in_bounded_memory_and_the_rest_is_read() {
    use std::io::{Read as _, Write as _};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_exconn"))
        .args([
            "sources",
            "--format",
            "json",
            "--max-record-size",
            "16M",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the exconn binary starts");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // Streamed: neither side ever holds the line whole.
        stdin.write_all(b"dn: CN=Huge,DC=x\ndescription: ")?;
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..1024 {
            stdin.write_all(&chunk)?;
        }
        stdin.write_all(b"\n\n")?;
        stdin.write_all(export().as_bytes())
    });
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).map(|_| bytes)
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut peak = 0;
    let status = loop {
        if let Some(rss) = peak_rss_kib(child.id()) {
            peak = peak.max(rss);
        }
        match child.try_wait().unwrap() {
            Some(status) => break status,
            None => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
    writer
        .join()
        .unwrap()
        .expect("exconn read all of its input");
    let stdout = stdout.join().unwrap().unwrap();
    let stderr = String::from_utf8_lossy(&stderr.join().unwrap().unwrap()).into_owned();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        stderr.starts_with("-:1:1: error: expected records separated by empty lines"),
        "{stderr}"
    );
    if cfg!(target_os = "linux") {
        assert!(peak < 160 << 10, "peak resident memory {peak} KiB");
    } else {
        eprintln!("note: peak memory not measured (no /proc on this system)");
    }
    let report: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(report["inputs"][0]["skipped"], 1);
    let sources: Vec<&str> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["EX01", "EX02", "EX03", "EX04"]);
}

/// Found by the `ldif` fuzz target: a first window of comments only ended
/// the start of the file, so the `version:` line after it was an error
/// when read in small windows and not when read whole.
#[test]
fn comments_before_the_version_line_read_the_same_in_any_window() {
    let text = b"# Comment 1 \x03\x03\x03\r #\r th\n is is still a comment\n\nversion:\n 1\n# end\n\ndn: cn=a\ncn: a\n\n";
    let read = |window: usize| {
        let source = exconn::input::Source::from_reader_in_blocks(
            "comments.ldif",
            Box::new(std::io::Cursor::new(text.to_vec())),
            None,
            window,
        )
        .unwrap();
        let options = exconn::input::ReadOptions {
            window,
            ..exconn::input::ReadOptions::default()
        };
        exconn::input::read_source(
            source,
            &options,
            |batch| (batch.len(), Vec::new()),
            |_| Ok(()),
        )
        .unwrap()
    };
    let whole = read(1 << 20);
    for window in [16, 61, 64] {
        let parts = read(window);
        assert_eq!(parts.diagnostics, whole.diagnostics, "window {window}");
        assert_eq!(parts.entries, whole.entries, "window {window}");
    }
    assert!(whole.diagnostics.is_empty(), "{:?}", whole.diagnostics);
}
