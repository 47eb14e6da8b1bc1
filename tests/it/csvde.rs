//! csvde exports: the sample organization written as csvde writes it (by
//! `exconn_synth::csvde`, from the LDIF fixture's records) says what the
//! LDIF says; a damaged row is an error at its line, a cut file is not
//! whole. (`shapes.rs` reads the same as `csvde -u` writes it.)

use exconn::input::{self, ReadOptions, Source};
use exconn::record::{Body, Record};
use exconn_synth::csvde::{self, CsvdeWriter};
use serde_json::Value as Json;

use crate::support::{exconn, fixture, temp_file};

fn sample() -> String {
    sample_with(false)
}

/// The LDIF fixture's records as csvde writes them (`exconn_synth::csvde`).
/// With `structural`, `objectClass` keeps only its last value (the most
/// specific class), as some exports hold it.
fn sample_with(structural: bool) -> String {
    let ldif = std::fs::read(fixture("contoso.ldif")).unwrap();
    let mut records = exconn::input::ldif::parse(&ldif).records;
    if structural {
        for record in &mut records {
            if let Body::Entry { attrs, .. } = &mut record.body {
                let last = attrs.iter().rposition(|a| a.name == "objectClass");
                let mut index = 0;
                attrs.retain(|a| {
                    index += 1;
                    a.name != "objectClass" || Some(index - 1) == last
                });
            }
        }
    }
    let mut writer = CsvdeWriter::new(Vec::new(), csvde::columns(&records)).unwrap();
    writer.records(&records).unwrap();
    String::from_utf8(writer.finish().unwrap()).unwrap()
}

fn sources(path: &str) -> Json {
    let run = exconn(&["sources", "--format", "json", path]);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stderr))
}

#[test]
fn csvde_export_shows_what_the_ldif_shows() {
    for structural in [false, true] {
        let (_dir, path) = temp_file("config.csv", sample_with(structural).as_bytes());
        same_as_ldif(&sources(&path));
    }
}

fn same_as_ldif(csv: &Json) {
    let ldif = sources(&fixture("contoso.ldif"));
    assert_eq!(csv["inputs"][0]["format"], "csv");
    assert_eq!(csv["inputs"][0]["entries"], ldif["inputs"][0]["entries"]);
    for part in [
        "coverage",
        "servers",
        "send_connectors",
        "routing_group_connectors",
        "other_connectors",
        "findings",
    ] {
        assert_eq!(csv[part], ldif[part], "{part}");
    }
    assert_eq!(csv["diagnostics"], Json::Array(Vec::new()));
}

#[test]
fn csvde_damaged_row_is_an_error_at_its_line_and_the_rest_is_read() {
    let text = sample();
    let mut lines: Vec<&str> = text.split_inclusive("\r\n").collect();
    lines.insert(3, "\"CN=Broken,CN=Contoso\",top,extra\r\n");
    let (_dir, path) = temp_file("config.csv", lines.concat().as_bytes());
    let run = exconn(&["sources", "--format", "json", &path]);
    assert!(
        run.stderr.contains("config.csv:4:1: error: expected"),
        "{}",
        run.stderr
    );
    let csv: Json = serde_json::from_str(&run.stdout).unwrap();
    let ldif = sources(&fixture("contoso.ldif"));
    assert_eq!(csv["send_connectors"], ldif["send_connectors"]);
    assert_eq!(csv["inputs"][0]["skipped"], 1);
}

#[test]
fn csvde_cut_file_is_not_whole() {
    let text = sample();
    for cut in [text.trim_end(), &text[..text.rfind("CN=").unwrap() + 3]] {
        let (_dir, path) = temp_file("config.csv", cut.as_bytes());
        let check = exconn(&["check", "--server", "EX2003", &path]);
        assert_eq!(check.code, 2, "{}{}", check.stdout, check.stderr);
        assert!(
            check.stdout.contains("did not reach their proper end"),
            "{}",
            check.stdout
        );
        assert_eq!(sources(&path)["coverage"]["send_connectors_shown"], false);
    }
}

/// The records and diagnostics of `text` read in windows of `window` bytes.
fn read_in_windows(text: &[u8], window: usize) -> (Vec<Record>, Vec<String>) {
    let source = Source::from_reader_in_blocks(
        "config.csv",
        Box::new(std::io::Cursor::new(text.to_vec())),
        None,
        window.max(64),
    )
    .unwrap();
    let options = ReadOptions {
        window,
        ..ReadOptions::default()
    };
    let mut records = Vec::new();
    let info = input::read_source(
        source,
        &options,
        |batch| (batch, Vec::new()),
        |batch| {
            records.extend(batch.into_iter().map(|r| Record { offset: 0, ..r }));
            Ok(())
        },
    )
    .unwrap();
    let diagnostics = info
        .diagnostics
        .iter()
        .chain(&info.incomplete)
        .map(|d| format!("{}: {}", d.position, d.message))
        .collect();
    (records, diagnostics)
}

#[test]
fn csvde_is_read_alike_in_windows_of_any_size() {
    // Past the text read to detect the format (64 KiB), so that the
    // windows cut it: the rows four times over.
    let sample = sample();
    let (header, rows) = sample.split_once("\r\n").unwrap();
    let mut text = format!("{header}\r\n{}", rows.repeat(4));
    assert!(text.len() > 64 << 10);
    // A quoted field across lines, a damaged row, and a cut last row.
    let width = text.lines().next().unwrap().split(',').count();
    let empty = ",".repeat(width - 2);
    text.push_str(&format!(
        "\"CN=Note,CN=Contoso\",top{empty}\"two\r\nlines\"\r\n"
    ));
    text.push_str("\"CN=Broken,CN=Contoso\",top,extra\r\n");
    text.push_str("\"CN=Cut,CN=Con");
    let whole = read_in_windows(text.as_bytes(), 64 << 20);
    assert_eq!(whole.1.len(), 3, "{:?}", whole.1);
    for window in [61, 100, 1000, 4096] {
        assert_eq!(read_in_windows(text.as_bytes(), window), whole, "{window}");
    }
}

#[test]
fn csvde_row_that_never_ends_stops_the_reading() {
    let mut text = sample();
    text.push_str("\"CN=Open,CN=Contoso\",\"");
    text.push_str(&"x,".repeat(40_000));
    let source = Source::from_reader_in_blocks(
        "config.csv",
        Box::new(std::io::Cursor::new(text.into_bytes())),
        None,
        512,
    )
    .unwrap();
    let options = ReadOptions {
        window: 1024,
        max_record: 2048,
        ..ReadOptions::default()
    };
    let mut records = 0;
    let info = input::read_source(
        source,
        &options,
        |batch| (batch.len(), Vec::new()),
        |batch| {
            records += batch;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(records, info.entries);
    assert!(records > 0);
    assert!(
        info.incomplete[0].message.contains("--max-record-size"),
        "{:?}",
        info.incomplete
    );
}

#[test]
fn export_csv_is_not_read_as_csvde() {
    let (_dir, path) = temp_file(
        "c.csv",
        b"#TYPE Selected.System.Object\r\n\"Name\"\r\n\"a\"\r\n",
    );
    let run = exconn(&["sources", "--format", "json", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["inputs"][0]["format"], "cmdletcsv");
}
