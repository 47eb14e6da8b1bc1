//! `ConvertTo-Json` and `Export-Csv` output of the cmdlets, beyond the
//! shapes `shapes.rs` reads whole: a cut JSON document, `--input-format
//! json`, and names a script joined with spaces.

use exconn_synth::cmdlet::{self, CmdletObject, Encoding, JsonOptions, JsonShape};
use serde_json::{json, Value};

use crate::support::{exconn, fixture, temp_file};

/// The sample's cmdlet objects as PowerShell 7's `ConvertTo-Json` writes
/// them (`exconn_synth::cmdlet`).
fn document() -> Vec<u8> {
    let bytes = std::fs::read(fixture("contoso.cmdlets.clixml.xml")).unwrap();
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let objects: Vec<CmdletObject> = exconn::input::clixml::parse(text)
        .records
        .iter()
        .map(CmdletObject::from_record)
        .collect();
    cmdlet::convert_to_json(
        &objects,
        JsonOptions {
            shape: JsonShape::Ps7,
            single: false,
            encoding: Encoding::Utf8,
        },
    )
}

#[test]
fn a_cut_json_document_cannot_tell() {
    let text = document();
    let (_dir, path) = temp_file("connectors.json", &text[..text.len() / 2]);
    let run = exconn(&["sources", "--format", "json", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["coverage"]["send_connectors_shown"], json!(false));
    assert_eq!(
        report["coverage"]["inputs_not_whole"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn input_format_json_reads_a_file_of_any_name() {
    let (_dir, path) = temp_file("connectors.txt", &document());
    let run = exconn(&[
        "sources",
        "--input-format",
        "json",
        "--format",
        "json",
        &path,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["inputs"][0]["format"], "json");
}

#[test]
fn export_csv_of_names_joined_with_spaces_is_warned_about() {
    let csv = b"#TYPE Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig\r\n\
\"Name\",\"AddressSpaces\",\"SourceTransportServers\"\r\n\
\"Internet\",\"SMTP:*;1\",\"EX2010 EX2016A\"\r\n";
    let (_dir, path) = temp_file("connectors.csv", csv);
    let run = exconn(&["sources", "--format", "json", &path]);
    assert!(run.stderr.contains("separator is unsure"), "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["send_connectors"][0]["unresolved_sources"],
        json!(["EX2010 EX2016A"])
    );
    assert_eq!(report["send_connectors"][0]["source_servers"], json!([]));
}
