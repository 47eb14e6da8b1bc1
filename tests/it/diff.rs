//! `diff`: two exports of one organization compared as analyzed graphs,
//! whatever their representation, folding or record order; a remediation
//! reported exactly; sides that cannot be compared refused with status 2.

use exconn_synth::{self as synth, Spec, Style, XmlFormat, XmlWriter};
use serde_json::{json, Value};

use crate::support::{exconn, exconn_stdin, fixture, markdown_markup, temp_file};

/// The sample's records, unfolded (LF line ends, one line per attribute value).
fn records() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(fixture("contoso.ldif"))
        .unwrap()
        .replace("\r\n", "\n");
    text.split("\n\n")
        .filter(|record| !record.trim().is_empty())
        .map(|record| {
            let mut lines: Vec<String> = Vec::new();
            for line in record.lines() {
                match line.strip_prefix(' ') {
                    Some(rest) => lines.last_mut().unwrap().push_str(rest),
                    None => lines.push(line.to_owned()),
                }
            }
            lines
        })
        .collect()
}

/// Records as LDIF: LF, folded at `width` columns, without `changetype: add`.
fn write(records: &[Vec<String>], width: usize) -> String {
    let mut out = String::from("version: 1\n\n");
    for record in records {
        for line in record.iter().filter(|l| *l != "changetype: add") {
            let chars: Vec<char> = line.chars().collect();
            let mut rest = &chars[..];
            let mut first = true;
            while !rest.is_empty() {
                let take = rest.len().min(if first { width } else { width - 1 });
                if !first {
                    out.push(' ');
                }
                out.extend(&rest[..take]);
                out.push('\n');
                rest = &rest[take..];
                first = false;
            }
        }
        out.push('\n');
    }
    out
}

/// The record whose `cn` is `cn`.
fn find(records: &[Vec<String>], cn: &str) -> usize {
    let line = format!("cn: {cn}");
    records
        .iter()
        .position(|r| r.contains(&line))
        .unwrap_or_else(|| panic!("no record with {line}"))
}

/// Replaces `from` by `to` in the lines of a record that start with `attribute`.
fn replace(record: &mut [String], attribute: &str, from: &str, to: &str) {
    let mut done = false;
    for line in record.iter_mut() {
        if line.starts_with(attribute) && line.contains(from) {
            *line = line.replace(from, to);
            done = true;
        }
    }
    assert!(done, "no {attribute} line with {from}");
}

/// The sample after a remediation: EX2016A taken off its Send connectors
/// (EX2019 in its place), `Partner, Relay` deleted, `Partner, TLS` renamed
/// keeping its objectGUID, a new address space on `Legacy SMTP`, a new
/// connector, EX2019 updated, the interop routing group connector moved to
/// EX2019, a receive connector deleted; the records in reverse order,
/// folded at 50 columns, LF, no `changetype: add`.
fn remediated() -> String {
    let mut records = records();
    let internet = find(&records, "Internet");
    replace(
        &mut records[internet],
        "msExchSourceBridgeheadServersDN",
        "CN=EX2016A",
        "CN=EX2019",
    );
    let mut outbound = records[internet].clone();
    for line in &mut outbound {
        *line = line.replace("CN=Internet,", "CN=Outbound to Fabrikam,");
    }
    let dropped = |l: &String| {
        l.starts_with("objectGUID")
            || l.starts_with("msExchSMTPSendConnectorFQDN")
            || (l.starts_with("msExchSourceBridgeheadServersDN") && l.contains("CN=EX2010"))
    };
    outbound.retain(|l| !dropped(l));
    replace(&mut outbound, "cn:", "Internet", "Outbound to Fabrikam");
    replace(
        &mut outbound,
        "routingList",
        "SMTP:*;1",
        "SMTP:fabrikam.com;1",
    );
    outbound.push("objectGUID: 5b0c2f4e-8a61-4d2b-9a57-0e3c1d2f4a6b".to_owned());
    records.push(outbound);

    let tls = find(&records, "Partner, TLS");
    replace(
        &mut records[tls],
        "msExchSourceBridgeheadServersDN",
        "cn=ex2016a",
        "cn=ex2019",
    );
    for attribute in ["dn:", "distinguishedName:"] {
        replace(
            &mut records[tls],
            attribute,
            "CN=Partner\\, TLS",
            "CN=Partner TLS",
        );
    }
    replace(&mut records[tls], "cn:", "Partner, TLS", "Partner TLS");

    let relay = find(&records, "Partner, Relay");
    records.remove(relay);
    let receive = find(&records, "Relay EX2016A");
    records.remove(receive);

    let legacy = find(&records, "Legacy SMTP");
    records[legacy].push("routingList: SMTP:contoso.org;1".to_owned());

    let ex2019 = find(&records, "EX2019");
    replace(&mut records[ex2019], "serialNumber", "31544.4", "31748.24");

    let rgc = find(&records, "Interop RGC");
    replace(
        &mut records[rgc],
        "msExchSourceBridgeheadServersDN",
        "CN=EX2010",
        "CN=EX2019",
    );

    records.reverse();
    write(&records, 50)
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn the_same_organization_in_two_representations_has_no_change() {
    for other in [
        "contoso.dsml.xml",
        "contoso.adobject.clixml.xml",
        "contoso.ldif",
    ] {
        let run = exconn(&[
            "diff",
            "--strict",
            &fixture("contoso.ldif"),
            &fixture(other),
        ]);
        assert_eq!(run.code, 0, "{other}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("\nNo change.\n"), "{}", run.stdout);
        let run = exconn(&[
            "diff",
            "--format",
            "json",
            &fixture(other),
            &fixture("contoso.ldif"),
        ]);
        assert_eq!(run.code, 0, "{other}: {}", run.stderr);
        let report = json_of(&run.stdout);
        for list in [
            "servers",
            "send_connectors",
            "routing_group_connectors",
            "other_connectors",
            "receive_connectors",
            "findings",
        ] {
            assert_eq!(report[list], json!([]), "{other}: {list}");
        }
        assert_eq!(
            report["summary"],
            json!({"servers_unchanged": 6, "send_connectors_unchanged": 9,
                   "routing_group_connectors_unchanged": 1, "other_connectors_unchanged": 0,
                   "receive_connectors_unchanged": 2, "findings_unchanged": 13, "changes": 0}),
            "{other}"
        );
    }
}

/// The cmdlets' output of the sample holds the same objects, but Orphan's
/// unresolvable source is not in it (see fixtures/README.md): that, and
/// nothing else (roles as the cmdlets name them compare equal), is the change.
#[test]
fn cmdlet_output_differs_only_by_what_it_does_not_hold() {
    let run = exconn(&[
        "diff",
        "--format",
        "json",
        &fixture("contoso.ldif"),
        &fixture("contoso.cmdlets.clixml.xml"),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json_of(&run.stdout);
    assert_eq!(
        report["findings"],
        json!([{"code": "UnresolvedSourceReference", "change": "resolved", "severity": "warning",
                "connector": "Orphan",
                "message": "Send connector 'Orphan' no longer lists a source that names no server"}])
    );
    assert_eq!(report["summary"]["changes"], 1);
}

#[test]
fn generated_exports_in_other_styles_and_as_dsml_have_no_change() {
    let generate = |style| {
        let mut ldif = Vec::new();
        synth::generate(
            &Spec {
                servers: 6,
                connectors: 30,
                seed: 11,
                style,
                target_bytes: 0,
            },
            &mut ldif,
        )
        .unwrap();
        ldif
    };
    let ldifde = generate(Style::Ldifde);
    let records = exconn::input::ldif::parse(&generate(Style::Unwrapped)).records;
    let mut writer = XmlWriter::new(Vec::new(), XmlFormat::Dsml).unwrap();
    writer.records(&records).unwrap();
    let (_a, before) = temp_file("before.ldif", &ldifde);
    let (_b, after) = temp_file("after.xml", &writer.finish().unwrap());
    let (_c, ldapsearch) = temp_file("after.ldif", &generate(Style::Ldapsearch));
    for other in [&after, &ldapsearch] {
        let run = exconn(&["diff", "--format", "json", &before, other]);
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(json_of(&run.stdout)["summary"]["changes"], 0);
    }
}

#[test]
fn a_remediation_is_reported_exactly() {
    let (_dir, after) = temp_file("after.ldif", remediated().as_bytes());
    let before = fixture("contoso.ldif");
    let run = exconn(&["diff", "--format", "json", &before, &after]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = json_of(&run.stdout);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["before"]["inputs"][0]["path"], before.as_str());
    assert_eq!(report["before"]["inputs"][0]["format"], "ldif");
    assert_eq!(report["before"]["inputs"][0]["entries"], 24);
    assert_eq!(report["after"]["inputs"][0]["entries"], 23);
    assert_eq!(report["before"]["organization"], "Contoso");
    assert_eq!(report["after"]["send_connectors_shown"], true);
    assert_eq!(
        report["servers"],
        json!([{"name": "EX2019", "change": "changed",
                "fields": {"version": {"before": "15.2.1544.4", "after": "15.2.1748.24"}}}])
    );
    assert_eq!(
        report["send_connectors"],
        json!([
            {"name": "Internet", "change": "changed",
             "sources_added": ["EX2019"], "sources_removed": ["EX2016A"], "fields": {}},
            {"name": "Legacy SMTP", "change": "changed", "sources_added": [], "sources_removed": [],
             "fields": {"address_spaces": {"before": ["SMTP:legacy.contoso.com;1"],
                                           "after": ["SMTP:legacy.contoso.com;1", "SMTP:contoso.org;1"]}}},
            {"name": "Outbound to Fabrikam", "change": "added",
             "sources_added": ["EX2019"], "sources_removed": [], "fields": {}},
            {"name": "Partner TLS", "change": "changed",
             "sources_added": ["EX2019"], "sources_removed": ["EX2016A"],
             "fields": {"name": {"before": "Partner, TLS", "after": "Partner TLS"}}},
            {"name": "Partner, Relay", "change": "removed",
             "sources_added": [], "sources_removed": ["EX2016A"], "fields": {}},
        ])
    );
    assert_eq!(
        report["routing_group_connectors"],
        json!([{"name": "Interop RGC", "change": "changed",
                "sources_added": ["EX2019"], "sources_removed": ["EX2010"],
                "targets_added": [], "targets_removed": [], "fields": {}}])
    );
    assert_eq!(
        report["receive_connectors"],
        json!([{"name": "Relay EX2016A", "server": "EX2016A", "change": "removed"}])
    );
    assert_eq!(
        report["findings"],
        json!([
            {"code": "LastSourceOfConnector", "change": "new", "severity": "warning",
             "server": "EX2019", "connector": "Outbound to Fabrikam",
             "message": "EX2019 is the only source of Send connector 'Outbound to Fabrikam': removing it leaves the connector without a source"},
            {"code": "LastSourceOfConnector", "change": "new", "severity": "warning",
             "server": "EX2019", "connector": "Partner TLS",
             "message": "EX2019 is the only source of Send connector 'Partner TLS': removing it leaves the connector without a source"},
            {"code": "ServerIsSourceForSendConnector", "change": "resolved", "severity": "blocker",
             "server": "EX2016A",
             "message": "EX2016A is no longer a source: Setup's check passes"},
            {"code": "LastSourceOfConnector", "change": "resolved", "severity": "warning",
             "server": "EX2016A", "connector": "Partner, Relay",
             "message": "EX2016A is no longer the only source of Send connector 'Partner, Relay': the connector is gone"},
            {"code": "LastSourceOfConnector", "change": "resolved", "severity": "warning",
             "server": "EX2016A", "connector": "Partner, TLS",
             "message": "EX2016A is no longer the only source of Send connector 'Partner, TLS'"},
        ])
    );
    assert_eq!(
        report["summary"],
        json!({"servers_unchanged": 5, "send_connectors_unchanged": 5,
               "routing_group_connectors_unchanged": 0, "other_connectors_unchanged": 0,
               "receive_connectors_unchanged": 1, "findings_unchanged": 10, "changes": 13})
    );

    let table = exconn(&["diff", &before, &after]);
    assert_eq!(table.code, 1, "{}", table.stderr);
    for line in [
        "  resolved  ServerIsSourceForSendConnector: EX2016A is no longer a source: Setup's check passes",
        "~ Server EX2019",
        "    version: 15.2.1544.4 → 15.2.1748.24",
        "~ Send connector Internet: sources +EX2019 -EX2016A",
        "~ Send connector Legacy SMTP",
        "    address spaces +SMTP:contoso.org;1",
        "+ Send connector Outbound to Fabrikam: sources +EX2019",
        "~ Send connector Partner TLS: sources +EX2019 -EX2016A",
        "    name: Partner, TLS → Partner TLS",
        "- Send connector Partner, Relay: sources -EX2016A",
        "~ Routing group connector Interop RGC: sources +EX2019 -EX2010",
        "- Receive connector Relay EX2016A on EX2016A",
        "Unchanged: 5 server(s), 5 Send connector(s), 0 routing group connector(s), 1 receive connector(s), 10 finding(s). 13 change(s).",
    ] {
        assert!(
            table.stdout.lines().any(|l| l == line),
            "missing `{line}` in\n{}",
            table.stdout
        );
    }

    // The other way round, everything is the reverse.
    let back = json_of(&exconn(&["diff", "--format", "json", &after, &before]).stdout);
    assert_eq!(back["send_connectors"][2]["change"], "removed");
    assert_eq!(back["send_connectors"][3]["name"], "Partner, Relay");
    assert_eq!(back["send_connectors"][3]["change"], "added");
    assert_eq!(
        back["send_connectors"][4]["fields"],
        json!({"name": {"before": "Partner TLS", "after": "Partner, TLS"}})
    );
    assert_eq!(
        back["findings"][0]["code"],
        "ServerIsSourceForSendConnector"
    );
    assert_eq!(back["findings"][0]["change"], "new");
    assert_eq!(back["summary"]["changes"], 13);

    for (format, needle) in [
        (
            "markdown",
            "| changed | Send connector | Internet | sources +EX2019 -EX2016A |",
        ),
        ("html", "<td>Partner TLS</td>"),
    ] {
        let run = exconn(&["diff", "--format", format, &before, &after]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert!(run.stdout.contains(needle), "{format}:\n{}", run.stdout);
    }
}

#[test]
fn redacted_sides_share_their_pseudonyms() {
    let (_dir, after) = temp_file("after.ldif", remediated().as_bytes());
    let before = fixture("contoso.ldif");
    let run = exconn(&["diff", "--redact", "--format", "json", &before, &after]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for secret in [
        "EX2016A", "EX2019", "Contoso", "contoso", "Partner", "Fabrikam",
    ] {
        assert!(!run.stdout.contains(secret), "{secret} in\n{}", run.stdout);
    }
    let report = json_of(&run.stdout);
    assert_eq!(report["summary"]["changes"], 13);
    // Internet: the server that left is the one whose blocker is resolved,
    // and the one that came is EX2019's pseudonym on both sides.
    let internet = &report["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "changed" && c["fields"] == json!({}))
        .unwrap()
        .clone();
    let resolved = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "ServerIsSourceForSendConnector")
        .unwrap();
    assert_eq!(internet["sources_removed"][0], resolved["server"]);
    assert_eq!(report["servers"][0]["name"], internet["sources_added"][0]);
    assert!(resolved["message"]
        .as_str()
        .unwrap()
        .ends_with("is no longer a source: Setup's check passes"));
}

#[test]
fn names_are_shown_escaped_and_kept_in_json() {
    let mut records = records();
    let internet = find(&records, "Internet");
    // A rename to a name with an escape sequence (ESC [2J) and a trailing space.
    let hostile = "Internet\u{1b}[2J ";
    let line = records[internet]
        .iter()
        .position(|l| l == "cn: Internet")
        .unwrap();
    records[internet][line] = format!("cn:: {}", base64(hostile.as_bytes()));
    let (_dir, after) = temp_file("after.ldif", write(&records, 76).as_bytes());
    let run = exconn(&["diff", &fixture("contoso.ldif"), &after]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains('\u{1b}'), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("~ Send connector \"Internet\\u{1b}[2J \"\n    name: Internet → \"Internet\\u{1b}[2J \"\n"),
        "{}",
        run.stdout
    );
    let json =
        json_of(&exconn(&["diff", "--format", "json", &fixture("contoso.ldif"), &after]).stdout);
    let changed = json["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "changed")
        .unwrap();
    assert_eq!(changed["fields"]["name"]["after"], hostile);
}

#[test]
fn names_are_text_in_markdown() {
    let mut records = records();
    let internet = find(&records, "Internet");
    // A rename to a name a Markdown renderer would make a script, an image and a link.
    let hostile =
        "<script>x</script> ![i](https://evil.example/i.png) [l](https://evil.example/) &amp; | a";
    let line = records[internet]
        .iter()
        .position(|l| l == "cn: Internet")
        .unwrap();
    records[internet][line] = format!("cn:: {}", base64(hostile.as_bytes()));
    let (_dir, after) = temp_file("after.ldif", write(&records, 76).as_bytes());
    let run = exconn(&[
        "diff",
        "--format",
        "markdown",
        &fixture("contoso.ldif"),
        &after,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("script"), "{}", run.stdout);
    let markup = markdown_markup(&run.stdout);
    assert!(markup.is_empty(), "{markup:#?} in\n{}", run.stdout);
}

#[test]
fn a_side_that_cannot_show_the_send_connectors_is_not_compared() {
    let mut records = records();
    records.retain(|r| !r.contains(&"objectClass: msExchConnector".to_owned()));
    let (_dir, partial) = temp_file("servers.ldif", write(&records, 76).as_bytes());
    let full = fixture("contoso.ldif");
    for (before, after, side) in [(&full, &partial, "after"), (&partial, &full, "before")] {
        let run = exconn(&["diff", before, after]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(
            run.stdout.contains(&format!(
                "Send connectors, routing group connectors and findings are not compared: the {side} \
                 side cannot show the Send connectors"
            )),
            "{}",
            run.stdout
        );
        assert!(run.stdout.contains("remedy: Export the routing groups"));
        assert!(!run.stdout.contains("Send connector Internet"));
        assert!(
            run.stderr.contains(&format!("the {side} side")),
            "{}",
            run.stderr
        );
        let json = json_of(&exconn(&["diff", "--format", "json", before, after]).stdout);
        assert_eq!(json[side]["send_connectors_shown"], false);
        assert_eq!(json["send_connectors_compared"], false);
        assert_eq!(json["send_connectors"], json!([]));
        assert_eq!(json["findings"], json!([]));
        assert_eq!(json["summary"]["send_connectors_unchanged"], Value::Null);
        // GHOST01, known only from a connector's sources, is not "removed".
        assert_eq!(json["servers"], json!([]));
    }
}

#[test]
fn two_organizations_are_refused() {
    let fabrikam = std::fs::read_to_string(fixture("contoso.ldif"))
        .unwrap()
        .replace("CN=Contoso", "CN=Fabrikam")
        .replace("cn: Contoso", "cn: Fabrikam")
        .replace("contoso", "fabrikam");
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("fabrikam.ldif");
    std::fs::write(&other, &fabrikam).unwrap();
    let other = other.to_string_lossy().into_owned();
    let run = exconn(&["diff", &fixture("contoso.ldif"), &other]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("different organizations"),
        "{}",
        run.stderr
    );

    // One side holding both.
    std::fs::copy(fixture("contoso.ldif"), dir.path().join("contoso.ldif")).unwrap();
    let both = dir.path().to_string_lossy().into_owned();
    let run = exconn(&["diff", &both, &fixture("contoso.ldif")]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("the before side") && run.stderr.contains("2 organizations"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_side_without_an_export_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let empty = empty.path().to_string_lossy().into_owned();
    for (before, after, side) in [
        (
            fixture("contoso.ldif"),
            "no-such-file.ldif".to_owned(),
            "after",
        ),
        (empty.clone(), fixture("contoso.ldif"), "before"),
    ] {
        let run = exconn(&["diff", &before, &after]);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr.contains(&format!(
                "the {side} side ({}) holds no export",
                if side == "after" { &after } else { &before }
            )),
            "{}",
            run.stderr
        );
    }
    let run = exconn(&["diff", "-", "-"]);
    assert_eq!(run.code, 2);
}

#[test]
fn strict_makes_any_diagnostic_an_error_and_stdin_is_a_side() {
    let sample = std::fs::read(fixture("contoso.ldif")).unwrap();
    let mut damaged = sample.clone();
    damaged.extend_from_slice(
        b"\r\ndn: CN=Broken,DC=contoso,DC=com\r\nthis line has no colon\r\n\r\n",
    );
    let (_dir, after) = temp_file("after.ldif", &damaged);
    let run = exconn(&["diff", &fixture("contoso.ldif"), &after]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("error"), "{}", run.stderr);
    let run = exconn(&["diff", "--strict", &fixture("contoso.ldif"), &after]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    let run = exconn_stdin(&["diff", "-", &fixture("contoso.dsml.xml")], &sample);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = exconn_stdin(
        &[
            "diff",
            "--input-format",
            "ldif",
            &fixture("contoso.ldif"),
            "-",
        ],
        &sample,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
