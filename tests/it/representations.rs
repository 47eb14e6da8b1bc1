//! The sample organization in every representation exconn reads — ldifde
//! LDIF, DSML v2, CLIXML of `Get-ADObject` (UTF-16LE, as Windows PowerShell
//! writes it) and CLIXML of the Exchange cmdlets — gives the same answer.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::{exconn, fixture, json_lines};

const LDIF: &str = "contoso.ldif";
const DSML: &str = "contoso.dsml.xml";
const AD_OBJECTS: &str = "contoso.adobject.clixml.xml";
const CMDLETS: &str = "contoso.cmdlets.clixml.xml";

fn report(name: &str) -> Value {
    let run = exconn(&["sources", "--strict", "--format", "json", &fixture(name)]);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// What must agree between representations: per server, its connectors,
/// whether it is exported, its product, build and Edge flag, and its site.
fn answer(report: &Value, with_roles: bool) -> BTreeMap<String, Value> {
    let mut answer: BTreeMap<String, Value> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut key = serde_json::json!({
                "send_connectors": s["send_connectors"], "in_export": s["in_export"],
                "product": s["product"], "version": s["version"], "edge": s["edge"],
                "site": s["site"], "fqdn": s["fqdn"],
            });
            if with_roles {
                key["roles"] = s["roles"].clone();
            }
            (s["name"].as_str().unwrap().to_owned(), key)
        })
        .collect();
    let without: Vec<&Value> = report["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["source_servers"].as_array().unwrap().is_empty())
        .map(|c| &c["name"])
        .collect();
    answer.insert(
        "(connectors without source)".into(),
        serde_json::json!(without),
    );
    let connectors: Vec<Value> = report["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!([
                c["name"],
                c["enabled"],
                c["address_spaces"],
                c["smart_hosts"]
            ])
        })
        .collect();
    answer.insert("(connectors)".into(), serde_json::json!(connectors));
    answer
}

#[test]
fn every_representation_gives_the_same_sources() {
    let expected = answer(&report(LDIF), true);
    assert_eq!(answer(&report(DSML), true), expected, "DSML v2");
    assert_eq!(
        answer(&report(AD_OBJECTS), true),
        expected,
        "CLIXML of Get-ADObject"
    );
    // Exchange cmdlets report ServerRole their own way (2016+ say "Mailbox").
    assert_eq!(
        answer(&report(CMDLETS), false),
        answer(&report(LDIF), false),
        "CLIXML of the cmdlets"
    );
}

#[test]
fn inputs_say_what_they_were_read_as() {
    let formats: Vec<(String, String)> = [LDIF, DSML, AD_OBJECTS, CMDLETS]
        .iter()
        .map(|name| {
            let r = report(name);
            let input = &r["inputs"][0];
            (
                input["format"].as_str().unwrap().to_owned(),
                input["encoding"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        formats,
        [
            ("ldif", "utf-8"),
            ("dsml", "utf-8"),
            ("clixml", "utf-16le"),
            ("clixml", "utf-8-bom")
        ]
        .map(|(f, e)| (f.to_owned(), e.to_owned()))
    );
}

#[test]
fn dsml_and_ldif_dump_to_the_same_records() {
    let strip = |stdout: &str| -> Vec<Value> {
        json_lines(stdout)
            .into_iter()
            .map(|mut r| {
                r.as_object_mut().unwrap().remove("changetype");
                r
            })
            .collect()
    };
    let ldif = exconn(&["dump", "--strict", &fixture(LDIF)]);
    let dsml = exconn(&["dump", "--strict", &fixture(DSML)]);
    assert_eq!(dsml.code, 0, "{}", dsml.stderr);
    assert_eq!(strip(&dsml.stdout), strip(&ldif.stdout));
}

#[test]
fn inputs_of_different_formats_merge_in_one_run() {
    let run = exconn(&[
        "sources",
        "--format",
        "json",
        &fixture(CMDLETS),
        &fixture(DSML),
        &fixture(LDIF),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let merged: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(merged["inputs"].as_array().unwrap().len(), 3);
    let sources = |r: &Value| -> Vec<Value> {
        r["servers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["send_connectors"].clone())
            .collect()
    };
    assert_eq!(sources(&merged), sources(&report(LDIF)));
}

#[test]
fn check_reads_xml_like_ldif() {
    for name in [LDIF, DSML, AD_OBJECTS, CMDLETS] {
        let run = exconn(&["check", "--server", "ex2016a", &fixture(name)]);
        assert_eq!(run.code, 1, "{name}");
        assert!(
            run.stdout.contains("for 3 connectors"),
            "{name}: {}",
            run.stdout
        );
    }
}
