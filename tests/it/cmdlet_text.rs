//! `ConvertTo-Json` and `Export-Csv` output of the cmdlets gives the answer
//! `Export-Clixml` output of the same cmdlets gives, where the text holds
//! the sources.
//!
//! The JSON documents and CSV files are written here from the sample organization's
//! cmdlet objects (`fixtures/contoso.cmdlets.clixml.xml`, as `exconn dump`
//! reads them), in the shapes PowerShell writes:
//!
//! | shape | what produced it | what the test writes |
//! |---|---|---|
//! | 7 | PowerShell 7, remote session, `ConvertTo-Json` | an array, UTF-8 without BOM, LF; sources as server names, enums (`ServerRole`) as numbers, booleans; no `ObjectClass`, so the objects are told by their properties |
//! | 5.1 | Windows PowerShell 5.1 in the Exchange Management Shell | UTF-16LE with BOM, CRLF; `ObjectClass` arrays; `SourceTransportServers` as `{"value": [{"Name", "DistinguishedName"}], "Count": N}` |
//! | 5.1 cut | the same, with the sources one level deeper than `-Depth` | each source written as the type name `Microsoft.Exchange.Data.Directory.ADObjectId`: the sources are lost, so the Send connectors are not shown |
//! | CSV joined | `Get-SendConnector \| Select-Object …, @{n='SourceTransportServers'; e={$_.SourceTransportServers -join ';'}} \| Export-Csv -Encoding UTF8`, one file per cmdlet | `#TYPE Deserialized.<type>`, every field quoted, CRLF, UTF-8 with BOM; multi-valued properties joined by `;` (sources as names) |
//! | CSV plain | `Get-SendConnector \| Export-Csv` | the same, with every multi-valued property written as its type name `Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[…]`: the sources are lost |

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::support::{exconn, fixture, json_lines, temp_file};

/// Properties that hold several values.
const MULTI: [&str; 7] = [
    "ObjectClass",
    "RemoteIPRanges",
    "SmartHosts",
    "SourceTransportServers",
    "TargetTransportServers",
    "AddressSpaces",
    "Bindings",
];

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Ps7,
    Ps51,
    Ps51Cut,
}

/// One cmdlet object: (name, values) per property, in order.
type Properties = Vec<(String, Vec<String>)>;

/// The sample's cmdlet objects as `exconn dump` reads them: (name, values)
/// per property, in order.
fn cmdlet_objects() -> Vec<Properties> {
    let run = exconn(&["dump", &fixture("contoso.cmdlets.clixml.xml")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    json_lines(&run.stdout)
        .iter()
        .map(|record| {
            let mut properties: Vec<(String, Vec<String>)> = Vec::new();
            for pair in record["attrs"].as_array().unwrap() {
                let name = pair[0].as_str().unwrap().to_owned();
                let value = pair[1].as_str().unwrap().to_owned();
                match properties.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, values)) => values.push(value),
                    None => properties.push((name, vec![value])),
                }
            }
            properties
        })
        .collect()
}

/// The server name of a source DN (`CN=EX01,CN=Servers,…`).
fn leaf(dn: &str) -> String {
    let first = dn.split(',').next().unwrap_or(dn);
    first
        .split_once('=')
        .map_or(first, |(_, name)| name)
        .to_owned()
}

/// `ServerRole` as the enum's number.
fn role_number(names: &str) -> u32 {
    names
        .split(',')
        .map(|name| match name.trim() {
            "Mailbox" => 2,
            "ClientAccess" => 4,
            "UnifiedMessaging" => 16,
            "HubTransport" => 32,
            "Edge" => 64,
            _ => 0,
        })
        .sum()
}

fn scalar(name: &str, value: &str) -> Value {
    match (name, value) {
        (_, "true" | "True") => json!(true),
        (_, "false" | "False") => json!(false),
        ("ServerRole", names) => json!(role_number(names)),
        ("Port", port) => port
            .parse::<u64>()
            .map_or_else(|_| json!(port), |p| json!(p)),
        _ => json!(value),
    }
}

fn sources(shape: Shape, values: &[String]) -> Value {
    match shape {
        Shape::Ps7 => json!(values.iter().map(|dn| leaf(dn)).collect::<Vec<_>>()),
        Shape::Ps51 => {
            let items: Vec<Value> = values
                .iter()
                .map(|dn| json!({"Name": leaf(dn), "DistinguishedName": dn}))
                .collect();
            json!({"value": items, "Count": values.len()})
        }
        Shape::Ps51Cut => {
            let items = vec!["Microsoft.Exchange.Data.Directory.ADObjectId"; values.len()];
            json!({"value": items, "Count": values.len()})
        }
    }
}

/// One cmdlet object as `ConvertTo-Json` writes it in `shape`.
fn object(shape: Shape, properties: &[(String, Vec<String>)]) -> Value {
    let mut out = Map::new();
    for (name, values) in properties {
        let value = match name.as_str() {
            "PSTypeNames" => continue,
            "ObjectClass" if shape == Shape::Ps7 => continue,
            "PSEmptyProperties" => {
                for empty in values {
                    out.insert(empty.clone(), json!([]));
                }
                continue;
            }
            "SourceTransportServers" | "TargetTransportServers" => sources(shape, values),
            multi if MULTI.contains(&multi) => json!(values),
            _ => scalar(name, &values[0]),
        };
        out.insert(name.clone(), value);
    }
    Value::Object(out)
}

/// The document's bytes as that PowerShell writes them.
fn document(shape: Shape) -> Vec<u8> {
    let objects: Vec<Value> = cmdlet_objects()
        .iter()
        .map(|properties| object(shape, properties))
        .collect();
    let text = serde_json::to_string_pretty(&objects).unwrap();
    match shape {
        Shape::Ps7 => text.into_bytes(),
        Shape::Ps51 | Shape::Ps51Cut => utf16le(&text.replace('\n', "\r\n")),
    }
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

/// What the `sources` JSON report says: coverage, each server's Send
/// connectors, each Send connector's sources.
#[derive(Debug, PartialEq)]
struct Answer {
    shown: bool,
    servers: BTreeMap<String, Vec<String>>,
    send_connectors: BTreeMap<String, Vec<String>>,
}

fn names(list: &Value) -> Vec<String> {
    let mut names: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|name| name.as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

fn answer(path: &str) -> (i32, Answer, String) {
    let run = exconn(&["sources", "--format", "json", path]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", run.stdout, run.stderr);
    });
    let by_name = |list: &Value, field: &str| -> BTreeMap<String, Vec<String>> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|item| {
                (
                    item["name"].as_str().unwrap().to_owned(),
                    names(&item[field]),
                )
            })
            .collect()
    };
    let answer = Answer {
        shown: report["coverage"]["send_connectors_shown"] == json!(true),
        servers: by_name(&report["servers"], "send_connectors"),
        send_connectors: by_name(&report["send_connectors"], "source_servers"),
    };
    (run.code, answer, run.stderr)
}

fn clixml_answer() -> Answer {
    let (code, answer, stderr) = answer(&fixture("contoso.cmdlets.clixml.xml"));
    assert_eq!(code, 0, "{stderr}");
    assert!(answer.shown);
    answer
}

#[test]
fn convert_to_json_from_powershell_7_reads_as_the_clixml() {
    let (_dir, path) = temp_file("connectors.json", &document(Shape::Ps7));
    let (code, answer, stderr) = answer(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(answer, clixml_answer());
}

#[test]
fn convert_to_json_from_windows_powershell_reads_as_the_clixml() {
    let (_dir, path) = temp_file("connectors.json", &document(Shape::Ps51));
    let (code, answer, stderr) = answer(&path);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(answer, clixml_answer());
}

#[test]
fn sources_cut_at_the_depth_are_not_read_as_names() {
    let (_dir, path) = temp_file("connectors.json", &document(Shape::Ps51Cut));
    let (code, answer, stderr) = answer(&path);
    assert_eq!(code, 2, "{stderr}");
    assert!(!answer.shown);
    assert!(answer.send_connectors.values().all(Vec::is_empty));
    assert!(answer
        .send_connectors
        .keys()
        .eq(clixml_answer().send_connectors.keys()));
    assert!(stderr.contains("ConvertTo-Json -Depth 4"), "{stderr}");
}

#[test]
fn a_cut_json_document_cannot_tell() {
    let text = document(Shape::Ps7);
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
    let (_dir, path) = temp_file("connectors.txt", &document(Shape::Ps7));
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

/// A CSV field as Windows PowerShell 5.1 writes it: always quoted.
fn quoted(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

/// The sample's cmdlet objects as `Export-Csv` files, one per cmdlet
/// (type), in `dir`; multi-valued properties joined by `;`, or (not
/// `joined`) written as their collection's type name.
fn export_csv(dir: &std::path::Path, joined: bool) {
    let mut by_type: BTreeMap<String, Vec<Properties>> = BTreeMap::new();
    for properties in cmdlet_objects() {
        let type_name = properties
            .iter()
            .find(|(name, _)| name == "PSTypeNames")
            .map(|(_, types)| types[0].clone())
            .unwrap();
        by_type.entry(type_name).or_default().push(properties);
    }
    for (index, (type_name, objects)) in by_type.iter().enumerate() {
        let mut header: Vec<String> = Vec::new();
        for (name, values) in objects.iter().flatten() {
            let names: Vec<&String> = match name.as_str() {
                "PSTypeNames" => continue,
                "PSEmptyProperties" => values.iter().collect(),
                _ => vec![name],
            };
            for name in names {
                if !header.contains(name) {
                    header.push(name.clone());
                }
            }
        }
        let mut text = format!("#TYPE Deserialized.{type_name}\r\n");
        let fields: Vec<String> = header.iter().map(|name| quoted(name)).collect();
        text.push_str(&(fields.join(",") + "\r\n"));
        for properties in objects {
            let field = |name: &String| -> String {
                let values = properties.iter().find(|(n, _)| n == name).map(|(_, v)| v);
                let multi = MULTI.contains(&name.as_str());
                match values {
                    _ if multi && !joined => {
                        "Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[System.String]"
                            .to_owned()
                    }
                    None => String::new(),
                    Some(values) if name.ends_with("TransportServers") => values
                        .iter()
                        .map(|dn| leaf(dn))
                        .collect::<Vec<_>>()
                        .join(";"),
                    Some(values) => values.join(";"),
                }
            };
            let row: Vec<String> = header.iter().map(|name| quoted(&field(name))).collect();
            text.push_str(&(row.join(",") + "\r\n"));
        }
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(text.into_bytes());
        std::fs::write(dir.join(format!("cmdlet{index}.csv")), bytes).unwrap();
    }
}

#[test]
fn export_csv_with_joined_values_reads_as_the_clixml() {
    let dir = tempfile::tempdir().unwrap();
    export_csv(dir.path(), true);
    let (code, answer, stderr) = answer(&dir.path().to_string_lossy());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(answer, clixml_answer());
}

#[test]
fn export_csv_of_collections_does_not_show_the_sources() {
    let dir = tempfile::tempdir().unwrap();
    export_csv(dir.path(), false);
    let (code, answer, stderr) = answer(&dir.path().to_string_lossy());
    assert_eq!(code, 2, "{stderr}");
    assert!(!answer.shown);
    assert!(answer.send_connectors.values().all(Vec::is_empty));
    assert!(answer
        .send_connectors
        .keys()
        .eq(clixml_answer().send_connectors.keys()));
    assert!(stderr.contains("Export-Csv wrote a collection"), "{stderr}");
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
