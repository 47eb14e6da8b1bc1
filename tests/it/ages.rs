//! Inputs taken at different times: the verdict never depends on the order
//! of the arguments, the newer copy of an object wins, a value only one
//! copy has is kept, copies that cannot be ordered and disagree leave the
//! servers concerned undecided, and every report says as of when.

use serde_json::Value;

use crate::support::{exconn, fixture, temp_file};

const ORG: &str = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
const AG: &str = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups";
const RG: &str = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups";

fn server(name: &str) -> String {
    format!(
        "dn: CN={name},CN=Servers,{AG},{ORG}\nobjectClass: msExchExchangeServer\ncn: {name}\n\
         serialNumber: Version 15.2 (Build 1544.4)\nmsExchCurrentServerRoles: 16422\n\n"
    )
}

/// An export of the organization in which connector `Internet` has the
/// source `source`, changed at `when` (GeneralizedTime) if given.
fn export(source: &str, when: Option<&str>) -> String {
    let stamp = when.map_or_else(String::new, |w| format!("whenChanged: {w}\n"));
    format!(
        "{}{}dn: CN=Connections,{RG},{AG},{ORG}\nobjectClass: msExchConnectors\n\n\
         dn: CN=Internet,CN=Connections,{RG},{AG},{ORG}\nobjectClass: msExchRoutingSMTPConnector\n\
         cn: Internet\nobjectGUID:: AQIDBAUGBwgJCgsMDQ4PEA==\nroutingList: SMTP:*;1\n{stamp}\
         msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN={source},CN=Servers,{AG},{ORG}\n\n",
        server("EX01"),
        server("EX02")
    )
}

fn check(server: &str, files: &[&str]) -> (i32, String) {
    let mut args = vec!["check", "--server", server];
    args.extend_from_slice(files);
    let run = exconn(&args);
    (run.code, run.stdout)
}

#[test]
fn the_newer_copy_wins_in_every_order_of_the_arguments() {
    let (_a, march) = temp_file(
        "march.ldf",
        export("EX01", Some("20240311120000.0Z")).as_bytes(),
    );
    let (_b, november) = temp_file(
        "november.ldf",
        export("EX02", Some("20251103091200.0Z")).as_bytes(),
    );
    let (_c, servers) = temp_file("servers.ldf", server("EX03").as_bytes());
    let files = [march.as_str(), november.as_str(), servers.as_str()];
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let args: Vec<&str> = order.iter().map(|&i| files[i]).collect();
        let (code, out) = check("EX01", &args);
        assert_eq!(code, 0, "{order:?}: {out}");
        assert!(out.contains("EX01 is clear"), "{order:?}: {out}");
        let (code, out) = check("EX02", &args);
        assert_eq!(code, 1, "{order:?}: {out}");
        let json = exconn(&[&["sources", "--format", "json"][..], &args].concat());
        let report: Value = serde_json::from_str(&json.stdout).unwrap();
        let as_of = |path: &str| {
            report["inputs"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["path"] == path)
                .map(|i| i["as_of"].clone())
        };
        assert_eq!(as_of(&march), Some(Value::from("2024-03-11T12:00:00Z")));
        assert_eq!(as_of(&november), Some(Value::from("2025-11-03T09:12:00Z")));
        assert_eq!(as_of(&servers), Some(Value::Null), "it carries no date");
        // Listed by name, whatever the order given.
        let listed: Vec<&str> = report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["path"].as_str().unwrap())
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        assert_eq!(listed, sorted, "{order:?}");
    }
    let table = exconn(&["sources", &november, &march]);
    assert!(
        table.stdout.contains("as of 2025-11-03T09:12:00Z"),
        "{}",
        table.stdout
    );
}

#[test]
fn copies_that_cannot_be_ordered_and_disagree_leave_their_servers_undecided() {
    let (_a, one) = temp_file("one.ldf", export("EX01", None).as_bytes());
    let (_b, two) = temp_file("two.ldf", export("EX02", None).as_bytes());
    for args in [[one.as_str(), two.as_str()], [two.as_str(), one.as_str()]] {
        for server in ["EX01", "EX02"] {
            let (code, out) = check(server, &args);
            assert_eq!(code, 2, "{server} {args:?}: {out}");
            assert!(out.contains("neither is newer"), "{server} {args:?}: {out}");
            assert!(!out.contains("is clear"), "{server} {args:?}: {out}");
        }
    }
    // The same copies with dates decide.
    let (_c, dated) = temp_file(
        "dated.ldf",
        export("EX02", Some("20251103091200.0Z")).as_bytes(),
    );
    let (code, out) = check("EX01", &[&one, &dated]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_value_only_one_copy_has_is_kept() {
    let merged = exconn(&[
        "sources",
        "--format",
        "json",
        &fixture("contoso.cmdlets.clixml.xml"),
        &fixture("contoso.ldif"),
    ]);
    let ldif = exconn(&["sources", "--format", "json", &fixture("contoso.ldif")]);
    let merged: Value = serde_json::from_str(&merged.stdout).unwrap();
    let ldif: Value = serde_json::from_str(&ldif.stdout).unwrap();
    let hosts = |report: &Value| -> Vec<(String, Value)> {
        report["send_connectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["smart_hosts"].clone(),
                )
            })
            .collect()
    };
    let with_hosts: Vec<(String, Value)> = hosts(&ldif)
        .into_iter()
        .filter(|(_, h)| h.as_array().is_some_and(|h| !h.is_empty()))
        .collect();
    assert!(!with_hosts.is_empty(), "the sample has smart hosts");
    for (name, expected) in with_hosts {
        let got = hosts(&merged)
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, h)| h);
        assert_eq!(got, Some(expected), "{name}");
    }
}

#[test]
fn a_connector_only_an_older_input_holds_was_deleted_since() {
    let old_relay = format!(
        "dn: CN=Old Relay,CN=Connections,{RG},{AG},{ORG}\nobjectClass: msExchRoutingSMTPConnector\n\
         cn: Old Relay\nroutingList: SMTP:old.example;1\nwhenChanged: 20240101000000.0Z\n\
         msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX02,CN=Servers,{AG},{ORG}\n\n"
    );
    let march = export("EX01", Some("20240311120000.0Z")) + &old_relay;
    let (_a, march) = temp_file("march.ldf", march.as_bytes());
    let (_b, november) = temp_file(
        "november.ldf",
        export("EX01", Some("20251103091200.0Z")).as_bytes(),
    );
    for args in [
        [march.as_str(), november.as_str()],
        [november.as_str(), march.as_str()],
    ] {
        let (code, out) = check("EX02", &args);
        assert_eq!(code, 0, "{args:?}: {out}");
        let run = exconn(&[&["sources", "--format", "json"][..], &args].concat());
        let report: Value = serde_json::from_str(&run.stdout).unwrap();
        let names: Vec<&str> = report["send_connectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Internet"], "{args:?}");
        assert!(
            run.stderr
                .contains("'Old Relay' is in this input (as of 2024-03-11T12:00:00Z)")
                && run.stderr.contains("it was deleted since"),
            "{}",
            run.stderr
        );
    }
    // Alone, the older input still shows it.
    let (code, _) = check("EX02", &[&march]);
    assert_eq!(code, 1);
}
