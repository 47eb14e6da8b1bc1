//! Every CSV and JSON export shape of the sample organization, written by
//! `exconn_synth` (`csvde` from the LDIF fixture's records; `ConvertTo-Json`
//! and `Export-Csv` from the cmdlet objects of
//! `fixtures/contoso.cmdlets.clixml.xml`), gives the LDIF's sources per
//! Send connector where the shape holds them, and the exact coverage gap
//! where it does not.
//!
//! | shape | holds the sources |
//! |---|---|
//! | `csvde -f`, UTF-8, CRLF | yes |
//! | `csvde -u` (UTF-16LE with BOM) | yes |
//! | `ConvertTo-Json`, PowerShell 7, array / single object, UTF-8 with and without BOM | yes |
//! | `ConvertTo-Json`, Windows PowerShell 5.1 `-Depth 4`, `{"value": …, "Count": N}`, UTF-16LE / UTF-8 with BOM, array / single object | yes |
//! | `ConvertTo-Json`, 5.1 at the default `-Depth 2` | no: type names |
//! | `Export-Csv`, 5.1 (`#TYPE`, every field quoted) and 7 (`-UseQuotes AsNeeded`, no `#TYPE`), collections as type names or `System.Collections.ArrayList` | no: type names |
//! | `Export-Csv` with a calculated property joining the sources by `;` or `\|` | yes |
//! | the same joined by spaces | no: the separator is unsure |

use std::collections::BTreeMap;

use exconn_synth::cmdlet::{
    self, CmdletObject, Collections, CsvOptions, Encoding, JsonOptions, JsonShape, Quoting,
};
use exconn_synth::csvde::{self, CsvdeWriter};
use exconn_synth::Utf16Writer;
use serde_json::Value;

use crate::support::{exconn, fixture};

/// Why the Send connectors are not shown when the sources are lost.
const LOST: &str = "do not say which servers are their sources";

/// Send connector → its source servers, sorted.
type Sources = BTreeMap<String, Vec<String>>;

struct Report {
    code: i32,
    shown: bool,
    reason: String,
    sources: Sources,
    stderr: String,
    report: Value,
}

fn report(path: &str) -> Report {
    let run = exconn(&["sources", "--format", "json", path]);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    let sources = report["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut servers: Vec<String> = c["source_servers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            servers.sort();
            (c["name"].as_str().unwrap().to_owned(), servers)
        })
        .collect();
    Report {
        code: run.code,
        shown: report["coverage"]["send_connectors_shown"] == Value::Bool(true),
        reason: report["coverage"]["send_connectors_reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        sources,
        stderr: run.stderr,
        report,
    }
}

fn ldif() -> Report {
    report(&fixture("contoso.ldif"))
}

fn cmdlet_objects() -> Vec<CmdletObject> {
    let bytes = std::fs::read(fixture("contoso.cmdlets.clixml.xml")).unwrap();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let parsed = exconn::input::clixml::parse(text);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    parsed
        .records
        .iter()
        .map(CmdletObject::from_record)
        .collect()
}

/// Writes `files` into a new directory; the directory's path.
fn written(files: &[(String, Vec<u8>)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let path = dir.path().to_string_lossy().into_owned();
    (dir, path)
}

/// The shape shows what the LDIF shows, for every Send connector it holds.
fn same_as_ldif(name: &str, files: &[(String, Vec<u8>)]) {
    let (_dir, path) = written(files);
    let got = report(&path);
    assert_eq!(got.code, 0, "{name}: {}", got.stderr);
    assert!(got.shown, "{name}: {}", got.reason);
    let ldif = ldif().sources;
    assert!(!got.sources.is_empty(), "{name}");
    for (connector, servers) in &got.sources {
        assert_eq!(Some(servers), ldif.get(connector), "{name}: {connector}");
    }
}

/// The shape lost the sources: exit status 2, the Send connectors not
/// shown (for `reason`), no source read as a name, and `warning` said.
fn sources_lost(name: &str, files: &[(String, Vec<u8>)], reason: &str, warning: &str) {
    let (_dir, path) = written(files);
    let got = report(&path);
    assert_eq!(got.code, 2, "{name}: {}", got.stderr);
    assert!(!got.shown, "{name}");
    assert!(got.reason.contains(reason), "{name}: {}", got.reason);
    assert!(got.stderr.contains(warning), "{name}: {}", got.stderr);
    assert!(
        got.sources.values().all(Vec::is_empty),
        "{name}: {:?}",
        got.sources
    );
    let ldif = ldif().sources;
    assert!(got.sources.keys().all(|c| ldif.contains_key(c)), "{name}");
    assert_eq!(got.sources.len(), ldif.len(), "{name}");
    // Sources the export lost are unknown, not absent: only a connector
    // that has none in the LDIF too may be said to have none.
    let without = |report: &Value| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ConnectorWithoutSource")
            .count()
    };
    let in_ldif = ldif.values().filter(|servers| servers.is_empty()).count();
    assert!(
        without(&got.report) <= in_ldif,
        "{name}: {}",
        got.report["findings"]
    );
}

fn csvde_export(utf16: bool) -> Vec<u8> {
    let text = std::fs::read(fixture("contoso.ldif")).unwrap();
    let records = exconn::input::ldif::parse(&text).records;
    let columns = csvde::columns(&records);
    if utf16 {
        let mut writer = CsvdeWriter::new(Utf16Writer::new(Vec::new()), columns).unwrap();
        writer.records(&records).unwrap();
        writer.finish().unwrap().into_inner()
    } else {
        let mut writer = CsvdeWriter::new(Vec::new(), columns).unwrap();
        writer.records(&records).unwrap();
        writer.finish().unwrap()
    }
}

#[test]
fn csvde_shapes_show_what_the_ldif_shows() {
    let ldif = ldif();
    for (name, utf16, encoding) in [("csvde", false, "utf-8"), ("csvde -u", true, "utf-16le")] {
        let files = vec![("config.csv".to_owned(), csvde_export(utf16))];
        let (_dir, path) = written(&files);
        let got = report(&format!("{path}/config.csv"));
        assert_eq!(got.code, ldif.code, "{name}: {}", got.stderr);
        assert_eq!(got.report["inputs"][0]["format"], "csv", "{name}");
        assert_eq!(got.report["inputs"][0]["encoding"], encoding, "{name}");
        for part in ["coverage", "servers", "send_connectors", "findings"] {
            assert_eq!(got.report[part], ldif.report[part], "{name}: {part}");
        }
    }
}

fn json(shape: JsonShape, single: bool, encoding: Encoding) -> Vec<(String, Vec<u8>)> {
    let objects = cmdlet_objects();
    let options = JsonOptions {
        shape,
        single,
        encoding,
    };
    if single {
        // One file per object, as a script that converts them one by one.
        objects
            .iter()
            .enumerate()
            .map(|(index, object)| {
                let one = cmdlet::convert_to_json(std::slice::from_ref(object), options);
                (format!("object{index}.json"), one)
            })
            .collect()
    } else {
        vec![(
            "connectors.json".to_owned(),
            cmdlet::convert_to_json(&objects, options),
        )]
    }
}

#[test]
fn convert_to_json_shapes_show_what_the_ldif_shows() {
    for single in [false, true] {
        for encoding in [Encoding::Utf8, Encoding::Utf8Bom] {
            same_as_ldif(
                &format!("PS 7, single {single}, {encoding:?}"),
                &json(JsonShape::Ps7, single, encoding),
            );
        }
        for encoding in [Encoding::Utf16Bom, Encoding::Utf8Bom] {
            same_as_ldif(
                &format!("PS 5.1, single {single}, {encoding:?}"),
                &json(JsonShape::Ps51, single, encoding),
            );
        }
    }
}

#[test]
fn convert_to_json_cut_at_the_depth_is_a_coverage_gap() {
    for single in [false, true] {
        sources_lost(
            &format!("PS 5.1 -Depth 2, single {single}"),
            &json(JsonShape::Ps51Cut, single, Encoding::Utf16Bom),
            LOST,
            "ConvertTo-Json -Depth 4",
        );
    }
}

fn csv(
    type_line: bool,
    quoting: Quoting,
    collections: Collections,
    encoding: Encoding,
) -> Vec<(String, Vec<u8>)> {
    cmdlet::export_csv(
        &cmdlet_objects(),
        CsvOptions {
            type_line,
            quoting,
            collections,
            encoding,
        },
    )
}

#[test]
fn export_csv_with_a_calculated_property_shows_what_the_ldif_shows() {
    for separator in [';', '|'] {
        for (type_line, quoting, encoding) in [
            (true, Quoting::Always, Encoding::Utf8Bom),
            (false, Quoting::AsNeeded, Encoding::Utf8),
            (false, Quoting::Always, Encoding::Utf16Bom),
        ] {
            same_as_ldif(
                &format!("joined by {separator}, #TYPE {type_line}, {quoting:?}, {encoding:?}"),
                &csv(type_line, quoting, Collections::Joined(separator), encoding),
            );
        }
    }
}

#[test]
fn export_csv_of_the_collections_is_a_coverage_gap() {
    for collections in [Collections::TypeName, Collections::ArrayList] {
        for (type_line, quoting, encoding) in [
            (true, Quoting::Always, Encoding::Utf8Bom),
            (false, Quoting::AsNeeded, Encoding::Utf8),
        ] {
            sources_lost(
                &format!("{collections:?}, #TYPE {type_line}, {quoting:?}"),
                &csv(type_line, quoting, collections, encoding),
                LOST,
                "Export-Csv wrote a collection",
            );
        }
    }
}

#[test]
fn export_csv_joined_by_spaces_is_not_read_as_names() {
    let files = csv(
        false,
        Quoting::AsNeeded,
        Collections::Joined(' '),
        Encoding::Utf8,
    );
    let (_dir, path) = written(&files);
    let got = report(&path);
    assert!(got.stderr.contains("separator is unsure"), "{}", got.stderr);
    let ldif = ldif().sources;
    for (connector, servers) in &got.sources {
        let want = &ldif[connector];
        if want.len() > 1 {
            // Two names joined by a space: neither is read as a server.
            assert!(servers.is_empty(), "{connector}: {servers:?}");
        } else {
            assert_eq!(servers, want, "{connector}");
        }
    }
}
