//! `exconn sources` and `exconn check`: truth tables on generated exports,
//! the JSON contract, the sample export, and the exit codes of `check`.

use std::collections::{BTreeMap, BTreeSet};

use exconn_synth::{self as synth, Answer, Spec, Style};
use serde::Deserialize;

use crate::support::{exconn, fixture, temp_file};

/// The documented JSON contract (schema_version 1), as a consumer reads it.
#[derive(Debug, Deserialize)]
struct Report {
    schema_version: u32,
    inputs: Vec<Input>,
    servers: Vec<Server>,
    send_connectors: Vec<Connector>,
    routing_group_connectors: Vec<RoutingGroupConnector>,
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Deserialize)]
struct Input {
    path: String,
    format: String,
    encoding: String,
    entries: usize,
    sha256: String,
}

#[derive(Debug, Deserialize)]
struct Server {
    name: String,
    dn: Option<String>,
    in_export: bool,
    product: Option<String>,
    version: Option<String>,
    roles: Vec<String>,
    site: Option<String>,
    edge: bool,
    send_connectors: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Connector {
    name: String,
    dn: String,
    enabled: bool,
    address_spaces: Vec<String>,
    smart_hosts: Vec<String>,
    source_servers: Vec<String>,
    unresolved_sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct RoutingGroupConnector {
    name: String,
    dn: String,
    source_servers: Vec<String>,
    target_servers: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Finding {
    code: String,
    severity: String,
    server: Option<String>,
    connector: Option<String>,
    message: String,
}

#[derive(Debug, Deserialize)]
struct Diagnostic {
    severity: String,
    file: String,
    line: usize,
    message: String,
}

fn sources_json(files: &[&str], extra: &[&str]) -> (Report, serde_json::Value) {
    let mut args = vec!["sources", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(files);
    let run = exconn(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let raw: serde_json::Value = serde_json::from_str(&run.stdout).expect("the report is JSON");
    (
        serde_json::from_value(raw.clone()).expect("the report follows the contract"),
        raw,
    )
}

/// Nullable fields must be present (as null), not left out.
fn assert_keys(object: &serde_json::Value, keys: &[&str]) {
    for key in keys {
        assert!(object.get(key).is_some(), "missing key {key} in {object}");
    }
}

fn generated(style: Style, seed: u64) -> (tempfile::TempDir, String, Answer) {
    let spec = Spec {
        servers: 30,
        connectors: 120,
        seed,
        style,
        target_bytes: 0,
    };
    let mut bytes = Vec::new();
    let answer = synth::generate(&spec, &mut bytes).unwrap();
    let (dir, path) = temp_file("generated.ldif", &bytes);
    (dir, path, answer)
}

/// Server → connectors. A server known only from references is shown in
/// its most frequent spelling, which the generator varies on purpose, so
/// names compare case-insensitively here (exported servers' exact names are
/// checked through `in_export`).
fn sources_of(report: &Report) -> BTreeMap<String, BTreeSet<String>> {
    report
        .servers
        .iter()
        .filter(|s| !s.send_connectors.is_empty())
        .map(|s| {
            (
                s.name.to_uppercase(),
                s.send_connectors.iter().cloned().collect(),
            )
        })
        .collect()
}

fn uppercase_keys(
    answer: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    answer
        .iter()
        .map(|(k, v)| (k.to_uppercase(), v.clone()))
        .collect()
}

#[test]
fn generated_exports_give_the_known_answer_in_every_style() {
    for (style, seed) in [
        (Style::Unwrapped, 1),
        (Style::Ldifde, 2),
        (Style::UnwrappedCrlf, 8),
        (Style::Ldapsearch, 3),
    ] {
        let (_dir, path, answer) = generated(style, seed);
        let (report, _) = sources_json(&[&path], &["--strict"]);
        assert_eq!(
            sources_of(&report),
            uppercase_keys(&answer.sources),
            "{style:?}"
        );
        let in_export: BTreeSet<String> = report
            .servers
            .iter()
            .filter(|s| s.in_export)
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(in_export, answer.in_export, "{style:?}");
        let edge: BTreeSet<String> = report
            .servers
            .iter()
            .filter(|s| s.edge)
            .map(|s| s.name.clone())
            .collect();
        assert_eq!(edge, answer.edge, "{style:?}");
        let connectors: BTreeSet<String> = report
            .send_connectors
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(
            connectors, answer.connectors,
            "{style:?}: deleted connectors must not appear"
        );
        let without: BTreeSet<String> = report
            .findings
            .iter()
            .filter(|f| f.code == "ConnectorWithoutSource")
            .filter_map(|f| f.connector.clone())
            .collect();
        assert_eq!(without, answer.without_source, "{style:?}");
        assert_eq!(report.inputs[0].entries, answer.records, "{style:?}");
        assert!(
            report.diagnostics.is_empty(),
            "{style:?}: {:?}",
            report.diagnostics
        );
    }
}

#[test]
fn blocker_counts_are_what_setup_would_print() {
    let (_dir, path, answer) = generated(Style::Ldifde, 4);
    let (report, _) = sources_json(&[&path], &[]);
    for (server, connectors) in &answer.sources {
        let code = if answer.edge.contains(server) {
            "EdgeServerIsSource"
        } else {
            "ServerIsSourceForSendConnector"
        };
        let blockers: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| {
                f.severity == "blocker"
                    && f.server
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case(server))
            })
            .collect();
        assert_eq!(blockers.len(), 1, "{server}: {blockers:?}");
        assert_eq!(blockers[0].code, code, "{server}");
        if code == "ServerIsSourceForSendConnector" {
            let sentence = format!(
                "source transport server for {} connectors in the organization",
                connectors.len()
            );
            assert!(
                blockers[0].message.contains(&sentence),
                "{}",
                blockers[0].message
            );
        } else {
            assert!(blockers[0]
                .message
                .contains("The Edge subscription needs to be removed"));
        }
    }
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let (_dir, path, _) = generated(Style::Unwrapped, 5);
    let one = exconn(&["--threads", "1", "sources", "--format", "json", &path]);
    let two = exconn(&["--threads", "2", "sources", "--format", "json", &path]);
    let eight = exconn(&["--threads", "8", "sources", "--format", "json", &path]);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stdout, eight.stdout);
}

#[test]
fn a_partial_export_of_connections_only_still_names_every_source() {
    let (_dir, full, answer) = generated(Style::Unwrapped, 6);
    let text = std::fs::read_to_string(&full).unwrap();
    let connections_only: String = text
        .split("\n\n")
        .filter(|record| record.contains("objectClass: msExchRouting"))
        .map(|record| format!("{record}\n\n"))
        .collect();
    let (_dir2, partial) = temp_file("connections.ldif", connections_only.as_bytes());
    let (report, _) = sources_json(&[&partial], &[]);
    assert_eq!(sources_of(&report), uppercase_keys(&answer.sources));
    assert!(report.servers.iter().all(|s| !s.in_export));
    // The servers export beside it fills in the server objects.
    let (merged, _) = sources_json(&[&partial, &full], &[]);
    assert_eq!(sources_of(&merged), uppercase_keys(&answer.sources));
    assert!(merged.servers.iter().filter(|s| s.in_export).count() == answer.in_export.len());
}

#[test]
fn one_corrupted_record_does_not_hide_the_other_sources() {
    let (_dir, path, answer) = generated(Style::Unwrapped, 7);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut records: Vec<&str> = text.split("\n\n").collect();
    let middle = records.len() / 2;
    records.insert(
        middle,
        "dn: CN=Broken,CN=Connections,DC=fabrikam,DC=com\nobjectClass:: @@@@",
    );
    let (_dir2, broken) = temp_file("broken.ldif", records.join("\n\n").as_bytes());
    let run = exconn(&["sources", "--format", "json", &broken]);
    assert_eq!(run.code, 0);
    let report: Report = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(sources_of(&report), uppercase_keys(&answer.sources));
    assert_eq!(report.diagnostics.len(), 1);
    assert_eq!(report.diagnostics[0].severity, "error");
    assert_eq!(exconn(&["sources", "--strict", &broken]).code, 2);
}

#[test]
fn the_json_contract_holds_on_the_sample() {
    let sample = fixture("contoso.ldif");
    let (report, raw) = sources_json(&[&sample], &["--strict"]);
    assert_eq!(report.schema_version, 1);
    let input = &report.inputs[0];
    assert_eq!(
        (
            input.format.as_str(),
            input.encoding.as_str(),
            input.entries
        ),
        ("ldif", "utf-8", 24)
    );
    assert_eq!(input.sha256.len(), 64);
    assert!(input.path.ends_with("contoso.ldif"));
    for server in raw["servers"].as_array().unwrap() {
        assert_keys(
            server,
            &[
                "name",
                "dn",
                "in_export",
                "product",
                "version",
                "roles",
                "site",
                "edge",
                "send_connectors",
            ],
        );
    }
    for connector in raw["send_connectors"].as_array().unwrap() {
        assert_keys(
            connector,
            &[
                "name",
                "dn",
                "enabled",
                "address_spaces",
                "smart_hosts",
                "source_servers",
                "unresolved_sources",
            ],
        );
    }
    let ex2016 = report.servers.iter().find(|s| s.name == "EX2016A").unwrap();
    assert_eq!(ex2016.product.as_deref(), Some("Exchange Server 2016"));
    assert_eq!(ex2016.version.as_deref(), Some("15.1.2507.6"));
    assert_eq!(ex2016.site.as_deref(), Some("Paris"));
    assert!(ex2016.roles.iter().any(|r| r == "Hub Transport"));
    assert!(ex2016
        .dn
        .as_deref()
        .unwrap()
        .starts_with("CN=EX2016A,CN=Servers,"));
    assert_eq!(
        ex2016.send_connectors,
        ["Internet", "Partner, Relay", "Partner, TLS"]
    );
    let ghost = report.servers.iter().find(|s| s.name == "GHOST01").unwrap();
    assert!(!ghost.in_export);
    assert!(
        report
            .servers
            .iter()
            .find(|s| s.name == "EDGE01")
            .unwrap()
            .edge
    );
    let tls = report
        .send_connectors
        .iter()
        .find(|c| c.name == "Partner, TLS")
        .unwrap();
    assert!(!tls.enabled);
    assert_eq!(tls.smart_hosts, ["smtp.fabrikam.com", "[192.0.2.25]"]);
    assert_eq!(tls.address_spaces, ["SMTP:fabrikam.com;10"]);
    assert!(tls.dn.starts_with("CN=Partner\\, TLS,"));
    let tokyo = report
        .send_connectors
        .iter()
        .find(|c| c.name == "東京 送信")
        .unwrap();
    assert_eq!(tokyo.source_servers, ["EX2019", "GHOST01"]);
    let orphan = report
        .send_connectors
        .iter()
        .find(|c| c.name == "Orphan")
        .unwrap();
    assert!(orphan.source_servers.is_empty());
    assert_eq!(orphan.unresolved_sources.len(), 1);
    assert!(report
        .send_connectors
        .iter()
        .all(|c| c.name != "Old Internet"));
    let rgc = &report.routing_group_connectors[0];
    assert_eq!(
        (
            rgc.name.as_str(),
            rgc.source_servers.as_slice(),
            rgc.target_servers.as_slice()
        ),
        (
            "Interop RGC",
            &["EX2010".to_owned()][..],
            &["EX2003".to_owned()][..]
        )
    );
    assert!(rgc.dn.contains("CN=Connections"));
    let codes: BTreeSet<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    for code in [
        "ServerIsSourceForSendConnector",
        "ConnectorWithoutSource",
        "EdgeServerIsSource",
        "SourceServerNotInExport",
        "UnresolvedSourceReference",
    ] {
        assert!(codes.contains(code), "missing finding {code}");
    }
    assert!(report.findings.iter().all(|f| !f.message.is_empty()));
    assert!(report
        .diagnostics
        .iter()
        .all(|d| !d.file.is_empty() && d.line > 0 && !d.message.is_empty()));
}

#[test]
fn the_table_on_the_sample_matches_the_golden_file() {
    let run = exconn(&["sources", &fixture("contoso.ldif")]);
    assert_eq!(run.code, 0);
    let golden = std::fs::read_to_string(fixture("contoso.sources.txt")).unwrap();
    let shown = run
        .stdout
        .replace(&fixture("contoso.ldif"), "fixtures/contoso.ldif");
    if shown != golden && std::env::var_os("EXCONN_BLESS").is_some() {
        std::fs::write(fixture("contoso.sources.txt"), &shown).unwrap();
        return;
    }
    assert_eq!(
        shown, golden,
        "run with EXCONN_BLESS=1 to accept a deliberate change"
    );
}

#[test]
fn csv_and_markdown_have_one_row_per_source_pair() {
    let sample = fixture("contoso.ldif");
    let (report, _) = sources_json(&[&sample], &[]);
    let pairs: usize = report.servers.iter().map(|s| s.send_connectors.len()).sum();
    let csv = exconn(&["sources", "--format", "csv", &sample]);
    assert_eq!(csv.code, 0);
    assert_eq!(csv.stdout.lines().count(), pairs + 1);
    assert!(csv.stdout.contains("\"Partner, TLS\""));
    let markdown = exconn(&["sources", "--format", "markdown", &sample]);
    assert!(markdown.stdout.contains("| EX2016A |"));
    assert!(markdown.stdout.contains("## Findings"));
    assert!(markdown.stdout.contains(&report.inputs[0].sha256));
}

#[test]
fn check_exits_1_for_a_source_with_setups_message() {
    let sample = fixture("contoso.ldif");
    let run = exconn(&["check", "--server", "ex2016a", &sample]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains(
        "This computer is configured as a source transport server for 3 connectors in the organization."
    ));
    assert!(run.stdout.contains(
        "Set-SendConnector -Identity 'Partner, TLS' -SourceTransportServers @{Add=<new server>; Remove='EX2016A'}"
    ));
}

#[test]
fn check_counts_disabled_connectors_and_tells_edges_apart() {
    let sample = fixture("contoso.ldif");
    let edge = exconn(&["check", "--server", "EDGE01", &sample]);
    assert_eq!(edge.code, 1);
    assert!(edge
        .stdout
        .contains("Remove-EdgeSubscription -Identity 'EDGE01'"));
    assert!(!edge.stdout.contains("Set-SendConnector"));
    let (_dir, path) = temp_file(
        "disabled.ldif",
        b"dn: CN=Off,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\nmsExchSmtpSendEnabled: FALSE\n\
          msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX9,CN=Servers,CN=AG,DC=x\n\n",
    );
    let disabled = exconn(&["check", "--server", "EX9", &path]);
    assert_eq!(disabled.code, 1);
    assert!(disabled.stdout.contains("for 1 connectors"));
}

#[test]
fn check_exits_0_for_a_clear_server() {
    let (_dir, path) = temp_file(
        "clear.ldif",
        b"dn: CN=EX5,CN=Servers,CN=AG,DC=x\nobjectClass: msExchExchangeServer\ncn: EX5\n\n\
          dn: CN=Connections,DC=x\nobjectClass: msExchConnectors\n\n\
          dn: CN=RGC,CN=Connections,DC=x\nobjectClass: msExchRoutingGroupConnector\n\
          msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX5,CN=Servers,CN=AG,DC=x\n\n",
    );
    let run = exconn(&["check", "--server", "EX5", &path]);
    assert_eq!(
        run.code, 0,
        "a routing group connector never counts: {}",
        run.stdout
    );
    assert!(run.stdout.contains("EX5 is clear"));
}

#[test]
fn check_accepts_a_dn() {
    let sample = fixture("contoso.ldif");
    let dn = "CN=1,CN=SMTP,CN=Protocols,CN=EX2019,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    assert_eq!(exconn(&["check", "--server", dn, &sample]).code, 1);
}

#[test]
fn check_exits_2_for_an_unknown_server_or_unreadable_input() {
    let sample = fixture("contoso.ldif");
    let typo = exconn(&["check", "--server", "EX2061A", &sample]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("appears nowhere in the export"),
        "{}",
        typo.stderr
    );
    assert_eq!(
        exconn(&["check", "--server", "EX2016A", "/nonexistent.ldif"]).code,
        2
    );
}
