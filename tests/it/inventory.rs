//! `exconn inventory`: servers with their support status on a date, connectors
//! with their settings, receive connectors told apart (custom ones to
//! re-create), in every format.

use serde_json::Value;

use crate::support::{exconn, fixture, temp_file};

fn inventory_json(args: &[&str], file: &str) -> Value {
    let mut all = vec!["inventory", "--format", "json"];
    all.extend_from_slice(args);
    all.push(file);
    let run = exconn(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn server<'v>(inventory: &'v Value, name: &str) -> &'v Value {
    inventory["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no server {name}"))
}

#[test]
fn support_status_follows_the_date() {
    let sample = fixture("contoso.ldif");
    let before = inventory_json(&["--date", "2025-10-13"], &sample);
    assert_eq!(server(&before, "EX2019")["support"], "supported");
    assert_eq!(server(&before, "EX2019")["support_ends"], "2025-10-14");
    assert_eq!(server(&before, "EX2010")["support"], "out of support");
    assert_eq!(server(&before, "EX2003")["support_ends"], "2014-04-08");
    let after = inventory_json(&["--date", "2025-10-14"], &sample);
    assert_eq!(server(&after, "EX2019")["support"], "out of support");
    assert_eq!(server(&after, "EX2016A")["support"], "out of support");
    assert_eq!(server(&after, "GHOST01")["support"], "unknown");
    assert_eq!(after["date"], "2025-10-14");
    assert_eq!(
        exconn(&["inventory", "--date", "2025-13-01", &sample]).code,
        2
    );
}

#[test]
fn custom_receive_connectors_are_the_ones_to_recreate() {
    let sample = fixture("contoso.ldif");
    let inventory = inventory_json(&["--date", "2026-11-24"], &sample);
    let receive: Vec<(String, bool)> = inventory["receive_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["recreate"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        receive,
        [
            ("Default EX2016A".to_owned(), false),
            ("Relay EX2016A".to_owned(), true)
        ]
    );
    let relay = &inventory["receive_connectors"][1];
    assert_eq!(relay["server"], "EX2016A");
    assert_eq!(relay["remote_ip_ranges"][0], "192.0.2.10");
    let table = exconn(&["inventory", "--date", "2026-11-24", &sample]).stdout;
    assert!(
        table.contains("Relay EX2016A (CUSTOM: re-create on the new servers)"),
        "{table}"
    );
    assert!(
        table.contains("1 custom receive connector(s) to re-create"),
        "{table}"
    );
}

#[test]
fn send_connector_settings_are_listed() {
    let ldif = "dn: CN=Out,CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=AG,DC=x\n\
        objectClass: msExchRoutingSMTPConnector\ncn: Out\nroutingList: SMTP:*;1\n\
        delivContLength: 35840\nmsExchSmtpSendTlsDomain: mail.example\n\
        msExchSmtpSendProtocolLoggingLevel: 1\nmsExchSmtpSendBindingIPAddress: 192.0.2.1\n\
        msExchSmtpSmartHost: relay.example\nmsExchSmtpSendPort: 587\n\n";
    let (_dir, path) = temp_file("settings.ldif", ldif.as_bytes());
    let inventory = inventory_json(&[], &path);
    let out = &inventory["send_connectors"][0];
    assert_eq!(out["max_message_size"], "35840 KB");
    assert_eq!(out["tls_domain"], "mail.example");
    assert_eq!(out["protocol_logging"], "1");
    assert_eq!(out["source_ip"], "192.0.2.1");
    assert_eq!(out["port"], 587);
    assert_eq!(out["smart_hosts"][0], "relay.example");
}

#[test]
fn csv_opens_in_excel_without_running_anything() {
    let ldif = "dn: CN=Formula,CN=Connections,DC=x\n\
        objectClass: msExchRoutingSMTPConnector\ncn: =HYPERLINK(\"http://x\")\nroutingList: SMTP:*;1\n\n\
        dn: CN=After a semicolon,CN=Connections,DC=x\n\
        objectClass: msExchRoutingSMTPConnector\ncn: x;=cmd|' /C calc'!A0; -2+3;@SUM(A1)\n\
        routingList: SMTP:*;1\n\n";
    let (_dir, path) = temp_file("formula.ldif", ldif.as_bytes());
    let run = exconn(&["inventory", "--format", "csv", "--excel", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with('\u{feff}'), "no BOM");
    assert!(
        run.stdout.contains("\"'=HYPERLINK(\"\"http://x\"\")\""),
        "{}",
        run.stdout
    );
    // Where the list separator is `;`, a spreadsheet splits the cell there:
    // the field is quoted and every part that starts like a formula guarded.
    assert!(
        run.stdout
            .contains(",\"x;'=cmd|' /C calc'!A0; -2+3;'@SUM(A1)\","),
        "{}",
        run.stdout
    );
    let plain = exconn(&["inventory", "--format", "csv", &path]);
    assert!(plain.stdout.starts_with("kind,name,"));
    let sources = exconn(&["sources", "--format", "csv", "--excel", &path]);
    assert!(sources.stdout.starts_with('\u{feff}'));
}
