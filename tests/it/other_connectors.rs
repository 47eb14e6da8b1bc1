//! Foreign and Delivery Agent connectors: not Send connectors to Setup, but
//! connectors whose last source must not go unnoticed.
//!
//! One small organization — a Send connector with two sources (EX2016A,
//! EX2019), a foreign connector (a fax gateway) and a Delivery Agent
//! connector whose only source is EX2016A — is written here as an `ldifde`
//! export and as the cmdlets' CLIXML (`Get-ExchangeServer`,
//! `Get-SendConnector`, `Get-ForeignConnector`, `Get-DeliveryAgentConnector`)
//! in two shapes: full objects from a remote session (`Deserialized.` type
//! names, UTF-16LE) and `Select-Object` output (`Selected.` custom objects
//! that only their properties tell apart, UTF-8). Every input must give one
//! answer: EX2016A is a source of 1 Send connector for Setup, the other two
//! connectors are listed as their own kind, and removing EX2016A leaves
//! them without a source (two blockers, `Set-ForeignConnector` and
//! `Set-DeliveryAgentConnector` in the script).

use std::path::Path;

use serde_json::Value;

use crate::clixml_shapes::{utf16le, Clixml};
use crate::support::{exconn, Run};

const ORGANIZATION: &str =
    "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Send,
    Foreign,
    DeliveryAgent,
}

struct Connector {
    name: &'static str,
    kind: Kind,
    address_space: &'static str,
    sources: &'static [&'static str],
}

/// Servers: name and `serialNumber`.
const SERVERS: [(&str, &str); 2] = [
    ("EX2016A", "Version 15.1 (Build 32507.6)"),
    ("EX2019", "Version 15.2 (Build 31544.4)"),
];

const CONNECTORS: [Connector; 3] = [
    Connector {
        name: "Internet",
        kind: Kind::Send,
        address_space: "SMTP:*;1",
        sources: &["EX2016A", "EX2019"],
    },
    Connector {
        name: "Fax Gateway",
        kind: Kind::Foreign,
        address_space: "FAX:*;1",
        sources: &["EX2016A"],
    },
    Connector {
        name: "SMS Agent",
        kind: Kind::DeliveryAgent,
        address_space: "SMS:*;1",
        sources: &["EX2016A"],
    },
];

fn admin_group() -> String {
    format!(
        "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORGANIZATION}"
    )
}

fn server_dn(name: &str) -> String {
    format!("CN={name},CN=Servers,{}", admin_group())
}

fn connections_dn() -> String {
    format!(
        "CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,{}",
        admin_group()
    )
}

fn connector_dn(connector: &Connector) -> String {
    format!("CN={},{}", connector.name, connections_dn())
}

// ---------------------------------------------------------------------------
// The organization as ldifde exports it.

fn ldif() -> String {
    let mut records = Vec::new();
    for (name, serial) in SERVERS {
        records.push(format!(
            "dn: {}\nobjectClass: top\nobjectClass: server\nobjectClass: msExchExchangeServer\n\
             cn: {name}\nserialNumber: {serial}\nmsExchCurrentServerRoles: 16439\n",
            server_dn(name)
        ));
    }
    records.push(format!(
        "dn: {}\nobjectClass: top\nobjectClass: msExchConnectors\ncn: Connections\n",
        connections_dn()
    ));
    for connector in &CONNECTORS {
        let (class, own) = match connector.kind {
            Kind::Send => ("objectClass: msExchRoutingSMTPConnector\n", ""),
            Kind::Foreign => ("", "msExchTransportDropDirectoryName: D:\\FaxDrop\n"),
            Kind::DeliveryAgent => (
                "objectClass: msExchDeliveryAgentConnector\n",
                "msExchTransportDeliveryAgentDeliveryProtocol: SMS\n",
            ),
        };
        let sources: String = connector
            .sources
            .iter()
            .map(|s| {
                format!(
                    "msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,{}\n",
                    server_dn(s)
                )
            })
            .collect();
        records.push(format!(
            "dn: {}\nobjectClass: top\nobjectClass: msExchConnector\nobjectClass: mailGateway\n\
             {class}cn: {}\nroutingList: {}\n{own}{sources}",
            connector_dn(connector),
            connector.name,
            connector.address_space
        ));
    }
    // The empty line after the last record: the export is whole.
    records.join("\n") + "\n"
}

// ---------------------------------------------------------------------------
// The organization as the cmdlets print it.

/// How the cmdlet output was produced.
#[derive(Clone, Copy)]
enum Shape {
    /// A remote session: full objects, `Deserialized.` type names, UTF-16LE.
    Remote,
    /// `Select-Object` in a remote session: custom objects, only the
    /// selected properties, UTF-8.
    Selected,
}

impl Shape {
    /// The type list of an object whose cmdlet type is `type_name`.
    fn types(self, type_name: &str) -> Vec<String> {
        match self {
            Shape::Remote => vec![
                format!("Deserialized.{type_name}"),
                "Deserialized.System.Object".to_owned(),
            ],
            Shape::Selected => vec![
                "Selected.System.Management.Automation.PSCustomObject".to_owned(),
                "Deserialized.System.Management.Automation.PSCustomObject".to_owned(),
                "Deserialized.System.Object".to_owned(),
            ],
        }
    }

    fn property_set(self) -> &'static str {
        match self {
            Shape::Remote => "Props",
            Shape::Selected => "MS",
        }
    }

    fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Shape::Remote => utf16le(text),
            Shape::Selected => text.as_bytes().to_vec(),
        }
    }
}

fn string_list(w: &mut Clixml, name: &str, items: &[&str]) {
    let types = [
        "Deserialized.System.Collections.ArrayList".to_owned(),
        "Deserialized.System.Object".to_owned(),
    ];
    w.list(Some(name), &types, items.len(), |w, i| {
        w.string(None, items[i])
    });
}

fn servers_xml(shape: Shape) -> String {
    let mut w = Clixml::new();
    for (name, serial) in SERVERS {
        let types = shape.types("Microsoft.Exchange.Data.Directory.Management.ExchangeServer");
        w.object(None, &types, |w, _| {
            w.block(shape.property_set(), |w| {
                w.string(Some("Name"), name);
                if let Shape::Remote = shape {
                    w.string(Some("DistinguishedName"), &server_dn(name));
                }
                let build = serial.replace("Build 3", "Build ");
                w.string(Some("AdminDisplayVersion"), &build);
                w.string(Some("ServerRole"), "Mailbox");
            });
        });
    }
    w.finish()
}

/// What one cmdlet prints: the connectors of one kind.
fn connectors_xml(shape: Shape, kind: Kind) -> String {
    let type_name = match kind {
        Kind::Send => "SmtpSendConnectorConfig",
        Kind::Foreign => "ForeignConnector",
        Kind::DeliveryAgent => "DeliveryAgentConnector",
    };
    let types = shape.types(&format!(
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.{type_name}"
    ));
    let mut w = Clixml::new();
    for connector in CONNECTORS.iter().filter(|c| c.kind == kind) {
        w.object(None, &types, |w, _| {
            w.block(shape.property_set(), |w| {
                w.string(Some("Name"), connector.name);
                if let Shape::Remote = shape {
                    w.string(Some("DistinguishedName"), &connector_dn(connector));
                }
                string_list(w, "AddressSpaces", &[connector.address_space]);
                string_list(w, "SourceTransportServers", connector.sources);
                match kind {
                    Kind::Send => {}
                    Kind::Foreign => w.string(Some("DropDirectory"), "D:\\FaxDrop"),
                    Kind::DeliveryAgent => w.string(Some("DeliveryProtocol"), "SMS"),
                }
            });
        });
    }
    w.finish()
}

/// Writes the cmdlet output of `shape` into a directory of `dir`; returns its path.
fn cmdlet_export(dir: &Path, shape: Shape, name: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir(&path).unwrap();
    let files = [
        ("ExchangeServers.xml", servers_xml(shape)),
        ("SendConnectors.xml", connectors_xml(shape, Kind::Send)),
        (
            "ForeignConnectors.xml",
            connectors_xml(shape, Kind::Foreign),
        ),
        (
            "DeliveryAgentConnectors.xml",
            connectors_xml(shape, Kind::DeliveryAgent),
        ),
    ];
    for (file, text) in files {
        std::fs::write(path.join(file), shape.encode(&text)).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// The three inputs: the LDIF export and both CLIXML shapes.
fn inputs(dir: &Path) -> Vec<(&'static str, String)> {
    let ldif_path = dir.join("contoso.ldif");
    std::fs::write(&ldif_path, ldif()).unwrap();
    vec![
        ("ldif", ldif_path.to_string_lossy().into_owned()),
        ("remote", cmdlet_export(dir, Shape::Remote, "remote")),
        ("selected", cmdlet_export(dir, Shape::Selected, "selected")),
    ]
}

// ---------------------------------------------------------------------------
// Running exconn.

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}\n{}", run.stdout, run.stderr))
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// What `sources` says, as compared between inputs.
fn sources_answer(report: &Value) -> Value {
    let servers: Vec<Value> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| serde_json::json!([s["name"], s["send_connectors"], s["other_connectors"]]))
        .collect();
    let others: Vec<Value> = report["other_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!([
                c["kind"],
                c["name"],
                c["address_spaces"],
                c["source_servers"]
            ])
        })
        .collect();
    let findings: Vec<Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            serde_json::json!([
                f["code"],
                f["server"],
                f["connector"],
                f["count"],
                f["remedy"]
            ])
        })
        .collect();
    serde_json::json!({"servers": servers, "other": others, "findings": findings})
}

#[test]
fn sources_lists_them_as_their_own_kind_and_setup_counts_only_send_connectors() {
    let dir = tempfile::tempdir().unwrap();
    let mut answers = Vec::new();
    for (name, path) in inputs(dir.path()) {
        let run = exconn(&["sources", "--format", "json", &path]);
        assert_eq!(run.code, 0, "{name}: {}\n{}", run.stdout, run.stderr);
        let report = json(&run);
        assert_eq!(report["coverage"]["send_connectors_shown"], true, "{name}");
        assert_eq!(
            strings(&report["send_connectors"].as_array().unwrap()[0]["source_servers"]),
            ["EX2016A", "EX2019"],
            "{name}"
        );
        assert_eq!(
            report["send_connectors"].as_array().unwrap().len(),
            1,
            "{name}"
        );
        let setup: Vec<(&str, u64)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "ServerIsSourceForSendConnector")
            .map(|f| (f["server"].as_str().unwrap(), f["count"].as_u64().unwrap()))
            .collect();
        assert_eq!(setup, [("EX2016A", 1), ("EX2019", 1)], "{name}");
        let others: Vec<(String, String, Vec<String>)> = report["other_connectors"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no other_connectors"))
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_owned(),
                    c["name"].as_str().unwrap().to_owned(),
                    strings(&c["source_servers"]),
                )
            })
            .collect();
        assert_eq!(
            others,
            [
                (
                    "foreign".into(),
                    "Fax Gateway".into(),
                    vec!["EX2016A".into()]
                ),
                (
                    "delivery_agent".into(),
                    "SMS Agent".into(),
                    vec!["EX2016A".into()]
                ),
            ],
            "{name}"
        );
        let last: Vec<(&str, &str, &str)> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "LastSourceOfConnector")
            .map(|f| {
                (
                    f["server"].as_str().unwrap(),
                    f["connector"].as_str().unwrap(),
                    f["remedy"].as_str().unwrap().split(' ').next().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            last,
            [
                ("EX2016A", "Fax Gateway", "Set-ForeignConnector"),
                ("EX2016A", "SMS Agent", "Set-DeliveryAgentConnector"),
            ],
            "{name}"
        );
        answers.push((name, sources_answer(&report)));
    }
    for (name, answer) in &answers[1..] {
        assert_eq!(answer, &answers[0].1, "{name} differs from the LDIF export");
    }
}

#[test]
fn removing_their_last_source_is_a_blocker_in_every_shape() {
    let dir = tempfile::tempdir().unwrap();
    let mut answers = Vec::new();
    for (name, path) in inputs(dir.path()) {
        let run = exconn(&["plan", "--format", "json", "--remove", "EX2016A", &path]);
        assert_eq!(run.code, 1, "{name}: {}\n{}", run.stdout, run.stderr);
        let plan = json(&run);
        assert_eq!(plan["blockers"], 2, "{name}");
        let send = &plan["send_connectors"][0];
        assert_eq!(strings(&send["after"]), ["EX2019"], "{name}");
        let others: Vec<(&str, &str, bool)> = plan["other_connectors"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no other_connectors"))
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap(),
                    c["name"].as_str().unwrap(),
                    c["left_without_source"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            others,
            [
                ("foreign", "Fax Gateway", true),
                ("delivery_agent", "SMS Agent", true),
            ],
            "{name}"
        );
        let table = exconn(&["plan", "--remove", "EX2016A", &path]);
        assert!(
            table
                .stdout
                .contains("2 connector(s) would be left without a source"),
            "{name}: {}",
            table.stdout
        );
        // Select-Object output has no DN: everything else must agree.
        let without_dn = |list: &Value| -> Vec<Value> {
            let mut list = list.as_array().unwrap().clone();
            for entry in &mut list {
                entry.as_object_mut().unwrap().remove("dn");
            }
            list
        };
        answers.push((
            name,
            serde_json::json!([
                without_dn(&plan["send_connectors"]),
                without_dn(&plan["other_connectors"])
            ]),
        ));
    }
    for (name, answer) in &answers[1..] {
        assert_eq!(answer, &answers[0].1, "{name} differs from the LDIF export");
    }
}

#[test]
fn the_script_moves_them_with_their_own_cmdlets() {
    let dir = tempfile::tempdir().unwrap();
    let mut scripts = Vec::new();
    for (name, path) in inputs(dir.path()) {
        let script = dir.path().join(format!("{name}.ps1"));
        let run = exconn(&[
            "plan",
            "--remove",
            "EX2016A",
            "--add",
            "EX2019",
            "--script",
            script.to_str().unwrap(),
            &path,
        ]);
        assert_eq!(run.code, 0, "{name}: {}\n{}", run.stdout, run.stderr);
        let text = std::fs::read_to_string(&script).unwrap();
        let commands: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("Set-"))
            .map(str::to_owned)
            .collect();
        assert_eq!(
            commands,
            [
                "Set-SendConnector -Identity 'Internet' -SourceTransportServers @{Remove='EX2016A'} -WhatIf",
                "Set-ForeignConnector -Identity 'Fax Gateway' -SourceTransportServers @{Add='EX2019'; Remove='EX2016A'} -WhatIf",
                "Set-DeliveryAgentConnector -Identity 'SMS Agent' -SourceTransportServers @{Add='EX2019'; Remove='EX2016A'} -WhatIf",
            ],
            "{name}:\n{text}"
        );
        scripts.push(commands);
    }
    assert!(scripts.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn a_name_that_is_not_ascii_is_an_ascii_literal_in_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let text = ldif().replace("Fax Gateway", "Télécopie");
    let path = dir.path().join("accents.ldif");
    std::fs::write(&path, text).unwrap();
    let script = dir.path().join("accents.ps1");
    let run = exconn(&[
        "plan",
        "--remove",
        "EX2016A",
        "--add",
        "EX2019",
        "--script",
        script.to_str().unwrap(),
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(&script).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Set-ForeignConnector"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.is_ascii(), "{line}");
    assert!(
        line.contains("\"T$([char]0x00E9)l$([char]0x00E9)copie\""),
        "{line}"
    );
}

#[test]
fn inventory_and_diff_list_them_as_their_own_kind() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.ldif");
    std::fs::write(&before, ldif()).unwrap();
    let before = before.to_str().unwrap();

    let run = exconn(&["inventory", "--format", "json", before]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let inventory = json(&run);
    let kinds: Vec<(&str, &str)> = inventory["other_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [("foreign", "Fax Gateway"), ("delivery_agent", "SMS Agent")]
    );
    assert_eq!(inventory["send_connectors"].as_array().unwrap().len(), 1);

    // After: the fax gateway moved to EX2019, the Delivery Agent connector deleted.
    let moved = server_dn("EX2019");
    let after_text: String = ldif()
        .split("\n\n")
        .filter(|record| !record.contains("cn: SMS Agent"))
        .map(|record| {
            if record.contains("cn: Fax Gateway") {
                record.replace(&server_dn("EX2016A"), &moved)
            } else {
                record.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let after = dir.path().join("after.ldif");
    std::fs::write(&after, after_text).unwrap();
    let run = exconn(&["diff", "--format", "json", before, after.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let diff = json(&run);
    assert_eq!(
        diff["other_connectors"],
        serde_json::json!([
            {"name": "Fax Gateway", "kind": "foreign", "change": "changed",
             "sources_added": ["EX2019"], "sources_removed": ["EX2016A"], "fields": {}},
            {"name": "SMS Agent", "kind": "delivery_agent", "change": "removed",
             "sources_added": [], "sources_removed": ["EX2016A"], "fields": {}},
        ])
    );
    assert_eq!(diff["send_connectors"], serde_json::json!([]));
    assert_eq!(diff["summary"]["other_connectors_unchanged"], 0);
    let table = exconn(&["diff", before, after.to_str().unwrap()]);
    for line in [
        "~ Foreign connector Fax Gateway: sources +EX2019 -EX2016A",
        "- Delivery Agent connector SMS Agent: sources -EX2016A",
    ] {
        assert!(table.stdout.contains(line), "{line}:\n{}", table.stdout);
    }
}
