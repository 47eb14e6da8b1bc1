//! Regression tests, each named after the problem it found.

use crate::support::{exconn, json_lines, temp_file};

const SERVERS: &str = "CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x";

/// Exchange's own routing group (connectors elsewhere are Exchange 2003's).
const RG: &str = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x";

fn connector(name: &str, extra: &str) -> String {
    format!(
        "dn: CN={name},CN=Connections,CN=RG,DC=x\nobjectClass: msExchRoutingSMTPConnector\ncn: {name}\n{extra}\n\n"
    )
}

fn sources_json(text: &[u8]) -> (i32, serde_json::Value, String) {
    let (_dir, path) = temp_file("export.ldif", text);
    let run = exconn(&["sources", "--format", "json", &path]);
    (
        run.code,
        serde_json::from_str(&run.stdout).unwrap_or_default(),
        run.stderr,
    )
}

#[test]
fn r_non_ascii_address_space_does_not_panic() {
    let text = connector("A", "routingList:: U01UUDrDvC5kZTsx");
    let (code, report, _) = sources_json(text.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(
        report["send_connectors"][0]["address_spaces"][0],
        "SMTP:ü.de;1"
    );
}

#[test]
fn r_non_utf8_source_reference_is_unresolved_not_dropped() {
    let text = connector(
        "A",
        &format!(
            "msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX\u{e9}01,{SERVERS}"
        ),
    )
    .into_bytes();
    let latin1: Vec<u8> = text
        .iter()
        .flat_map(|&b| {
            if b == 0xC3 {
                None
            } else if b == 0xA9 {
                Some(0xE9)
            } else {
                Some(b)
            }
        })
        .collect();
    let (_, report, _) = sources_json(&latin1);
    assert_eq!(
        report["send_connectors"][0]["unresolved_sources"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"UnresolvedSourceReference"), "{codes:?}");
}

#[test]
fn r_change_records_are_reported_not_silently_ignored() {
    let text = format!(
        "dn: CN=A,CN=Connections,DC=x\nchangetype: modify\nadd: msExchSourceBridgeheadServersDN\nmsExchSourceBridgeheadServersDN: CN=EX02,{SERVERS}\n-\n"
    );
    let (_dir, path) = temp_file("changes.ldif", text.as_bytes());
    let run = exconn(&["sources", "--strict", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("change record(s)"), "{}", run.stderr);
}

#[test]
fn r_an_input_without_records_is_reported() {
    let (_dir, path) = temp_file("empty.ldif", b"");
    let run = exconn(&["sources", "--strict", &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no records were read"),
        "{}",
        run.stderr
    );
}

#[test]
fn r_crlf_converted_twice_still_reads_as_one_record() {
    let run_text = b"dn: cn=a\r\r\ncn: a\r\r\nsn: b\r\r\n";
    let (_dir, path) = temp_file("crcrlf.ldif", run_text);
    let run = exconn(&["dump", "--strict", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = json_lines(&run.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["attrs"].as_array().unwrap().len(), 2);
}

#[test]
fn r_a_server_named_servers_is_not_confused_with_its_container() {
    let text = connector(
        "A",
        &format!("msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=Servers,{SERVERS}"),
    );
    let (_, report, _) = sources_json(text.as_bytes());
    assert_eq!(
        report["send_connectors"][0]["source_servers"],
        serde_json::json!(["Servers"])
    );
}

#[test]
fn r_site_servers_are_not_exchange_servers() {
    let text = connector("A", "msExchSourceBridgeheadServersDN: CN=DC01,CN=Servers,CN=Paris,CN=Sites,CN=Configuration,DC=x");
    let (_, report, _) = sources_json(text.as_bytes());
    assert_eq!(
        report["send_connectors"][0]["source_servers"],
        serde_json::json!([])
    );
    assert_eq!(
        report["send_connectors"][0]["unresolved_sources"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn r_conflict_renamed_references_are_unresolved() {
    let text = connector("A", &format!("msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX01\\0ACNF:5f1e,{SERVERS}"));
    let (_, report, _) = sources_json(text.as_bytes());
    assert_eq!(report["servers"], serde_json::json!([]));
    assert_eq!(
        report["send_connectors"][0]["unresolved_sources"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn r_connectors_with_the_same_name_are_told_apart() {
    let text = format!(
        "dn: CN=Internet,CN=Connections,{RG}\nobjectClass: msExchRoutingSMTPConnector\ncn: Internet\nroutingList: SMTP:*;1\n\
         msExchSourceBridgeheadServersDN: CN=EX01,{SERVERS}\n\n\
         dn: CN=Internet Old,CN=Connections,{RG}\nobjectClass: msExchRoutingSMTPConnector\ncn: Internet\nroutingList: SMTP:old.example;5\n\
         msExchSmtpSendEnabled: FALSE\nmsExchSourceBridgeheadServersDN: CN=EX01,{SERVERS}\n\n"
    );
    let (_dir, path) = temp_file("twins.ldif", text.as_bytes());
    let csv = exconn(&["sources", "--format", "csv", &path]).stdout;
    assert!(csv.contains("Internet,true,\"SMTP:*;1\""), "{csv}");
    assert!(
        csv.contains("Internet,false,\"SMTP:old.example;5\""),
        "{csv}"
    );
    let check = exconn(&["check", "--server", "EX01", &path]).stdout;
    assert!(
        check.contains(&format!("-Identity 'CN=Internet Old,CN=Connections,{RG}'")),
        "{check}"
    );
}

#[test]
fn r_control_criticality_is_case_insensitive() {
    let (_dir, path) = temp_file(
        "ctl.ldif",
        b"dn: cn=a\ncontrol: 1.2.840.113556.1.4.805 TRUE\nchangetype: delete\n",
    );
    let run = exconn(&["dump", "--strict", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(json_lines(&run.stdout)[0]["controls"][0]["critical"], true);
}

#[test]
fn r_check_does_not_call_a_server_clear_without_saying_records_were_lost() {
    let text = format!(
        "dn: CN=EX01,{SERVERS}\nobjectClass: msExchExchangeServer\ncn: EX01\n\n\
         dn: CN=Connections,DC=x\nobjectClass: msExchConnectors\n\n\
         dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\nmsExchSourceBridgeheadServersDN:: !!!\n\n"
    );
    let (_dir, path) = temp_file("lost.ldif", text.as_bytes());
    let run = exconn(&["check", "--server", "EX01", &path]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("could not be read"), "{}", run.stdout);
    assert_eq!(
        exconn(&["check", "--strict", "--server", "EX01", &path]).code,
        2
    );
}
