//! `--redact`: no customer name survives in any format, the pseudonyms agree
//! across formats and runs, and the analysis is unchanged.

use serde_json::Value;

use crate::support::{exconn, fixture};

/// Every name of the sample export that identifies the customer.
const SECRETS: [&str; 16] = [
    "contoso",
    "Contoso",
    "EX2016A",
    "EX2019",
    "EX2010",
    "EX2003",
    "EDGE01",
    "GHOST01",
    "Paris",
    "Lyon",
    "Internet",
    "Partner",
    "Legacy SMTP",
    "fabrikam",
    "Été",
    "東京",
];

#[test]
fn no_name_survives_in_any_format() {
    let sample = fixture("contoso.ldif");
    for format in ["table", "json", "csv", "markdown", "html", "dot", "mermaid"] {
        let run = exconn(&["sources", "--redact", "--format", format, &sample]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        for secret in SECRETS {
            assert!(
                !run.stdout.contains(secret),
                "{format}: '{secret}' survived:\n{}",
                run.stdout
            );
        }
    }
    for args in [
        vec!["inventory", "--redact", "--format", "json", &sample],
        vec!["inventory", "--redact", "--format", "html", &sample],
        vec![
            "plan", "--redact", "--remove", "EX2016A", "--add", "EX2019", "--format", "json",
            &sample,
        ],
    ] {
        let run = exconn(&args);
        for secret in SECRETS {
            assert!(
                !run.stdout.contains(secret),
                "{args:?}: '{secret}' survived:\n{}",
                run.stdout
            );
        }
    }
}

#[test]
fn pseudonyms_agree_across_formats_and_runs_and_the_analysis_is_unchanged() {
    let sample = fixture("contoso.ldif");
    let json = |extra: &[&str]| -> Value {
        let mut args = vec!["sources", "--format", "json"];
        args.extend_from_slice(extra);
        args.push(&sample);
        serde_json::from_str(&exconn(&args).stdout).unwrap()
    };
    let plain = json(&[]);
    let redacted = json(&["--redact"]);
    assert_eq!(
        redacted,
        json(&["--redact"]),
        "pseudonyms change between runs"
    );
    assert_eq!(plain["summary"], redacted["summary"]);
    assert_eq!(
        plain["findings"].as_array().unwrap().len(),
        redacted["findings"].as_array().unwrap().len()
    );
    assert_eq!(
        redacted["inputs"][0]["sha256"],
        plain["inputs"][0]["sha256"]
    );
    // EX2016A is the only source of three connectors: find its pseudonym.
    let busiest = redacted["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["send_connectors"].as_array().unwrap().len() == 3)
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(busiest.starts_with("SERVER-"));
    let table = exconn(&["sources", "--redact", &sample]).stdout;
    assert!(
        table.contains(&format!("{busiest}  Exchange Server 2016")),
        "{table}"
    );
    let csv = exconn(&["sources", "--redact", "--format", "csv", &sample]).stdout;
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with(&format!("{busiest},")))
            .count(),
        3
    );
    // A plan is computed on the real names and shown with the pseudonyms.
    let plan: Value = serde_json::from_str(
        &exconn(&[
            "plan", "--redact", "--remove", "EX2016A", "--format", "json", &sample,
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(plan["remove"][0]["name"], busiest.as_str());
}

/// The hostile export's names: each must be withheld or replaced by a
/// pseudonym in every output (compared case-insensitively).
const HOSTILE_SECRETS: [&str; 17] = [
    "secret", // every connector, group, site, domain and the organization
    "ex01",
    "ex011",
    "ex99",
    "東京",
    "sëcret",
    "ünïcode",
    "bell",
    "broken",
    "10.9.8.7",
    "10.1.2.3",
    "bbbbbbbb", // the CNF: of a conflict-mangled server
    "cccccccc", // the DEL: of a deleted server
    "dddddddd", // the CNF: of a conflict-mangled connector
    "zqx",
    "quux.example",
    "corge",
];

/// An LDIF record; every value base64, so that any character can be one.
fn record(dn: &str, classes: &[&str], attributes: &[(&str, String)]) -> String {
    use base64::Engine;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let mut text = format!("dn:: {}\nobjectClass: top\n", b64(dn));
    for class in classes {
        text.push_str(&format!("objectClass: {class}\n"));
    }
    for (name, value) in attributes {
        text.push_str(&format!("{name}:: {}\n", b64(value)));
    }
    text
}

/// An export full of what redaction must not let through: escaped commas,
/// control characters, `\0ACNF:` and `\0ADEL:` names, non-ASCII names, a
/// name that is a prefix of another, a source that is not a DN at all, a
/// foreign and a routing group connector, a receive connector's addresses.
/// `after` drops one connector, so that a diff has something to say.
fn hostile_export(after: bool) -> String {
    let forest = "DC=secretforest,DC=quux,DC=example";
    let org = format!("CN=SecretOrg,CN=Microsoft Exchange,CN=Services,CN=Configuration,{forest}");
    let ag = format!(
        "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{org}"
    );
    let rg = format!("CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,{ag}");
    let legacy_ag = format!("CN=Secret Admin Group,CN=Administrative Groups,{org}");
    let legacy_rg = format!("CN=Secret Routing Group,CN=Routing Groups,{legacy_ag}");
    let site = format!("CN=SecretSite,CN=Sites,CN=Configuration,{forest}");
    let server_dn = |name: &str, ag: &str| format!("CN={name},CN=Servers,{ag}");
    let smtp = |dn: &str| format!("CN=1,CN=SMTP,CN=Protocols,{dn}");
    let mut records = vec![
        record(&org, &["msExchOrganizationContainer"], &[]),
        record(
            &format!("CN=Servers,{ag}"),
            &["msExchServersContainer"],
            &[],
        ),
        record(&rg, &["msExchRoutingGroup"], &[]),
        record(&format!("CN=Connections,{rg}"), &["msExchConnectors"], &[]),
        record(&legacy_rg, &["msExchRoutingGroup"], &[]),
        record(
            &format!("CN=Connections,{legacy_rg}"),
            &["msExchConnectors"],
            &[],
        ),
    ];
    let servers = [
        ("EX01", &ag, "16439", "Version 15.1 (Build 32507.6)"),
        ("EX011", &ag, "16439", "Version 15.2 (Build 31544.4)"),
        (
            "Sëcret-Ünïcode",
            &ag,
            "16439",
            "Version 15.2 (Build 31544.4)",
        ),
        ("東京Zqx", &ag, "16439", "Version 15.2 (Build 31544.4)"),
        ("EDGESECRET", &ag, "64", "Version 15.1 (Build 32507.6)"),
        (
            "EX99\\0ACNF:bbbbbbbb-2222-2222-2222-222222222222",
            &ag,
            "16439",
            "Version 15.1 (Build 32507.6)",
        ),
        (
            "EX2003SECRET",
            &legacy_ag,
            "2",
            "Version 6.5 (Build 7638.2: Service Pack 2)",
        ),
    ];
    for (name, ag, roles, serial) in servers {
        records.push(record(
            &server_dn(name, ag),
            &["server", "msExchExchangeServer"],
            &[
                ("serialNumber", serial.to_owned()),
                ("msExchCurrentServerRoles", roles.to_owned()),
                ("msExchServerSite", site.clone()),
                (
                    "networkAddress",
                    "ncacn_ip_tcp:host.secretforest.quux.example".to_owned(),
                ),
            ],
        ));
    }
    let send = |name: &str, rg: &str, sources: Vec<String>, space: &str| {
        let mut attributes = vec![
            ("routingList", space.to_owned()),
            ("msExchSmtpSmartHost", "relay.corge.example".to_owned()),
            ("msExchSmtpSendTlsDomain", "tls.corge.example".to_owned()),
        ];
        attributes.extend(
            sources
                .into_iter()
                .map(|s| ("msExchSourceBridgeheadServersDN", s)),
        );
        record(
            &format!("CN={name},CN=Connections,{rg}"),
            &[
                "msExchConnector",
                "mailGateway",
                "msExchRoutingSMTPConnector",
            ],
            &attributes,
        )
    };
    let ex01 = smtp(&server_dn("EX01", &ag));
    let ex011 = smtp(&server_dn("EX011", &ag));
    let unicode = smtp(&server_dn("Sëcret-Ünïcode", &ag));
    records.push(send(
        "Secret\\, Comma",
        &rg,
        vec![ex01.clone(), ex011.clone()],
        "SMTP:*.corge.example;1",
    ));
    if !after {
        records.push(send(
            "Secret\\07Bell",
            &rg,
            vec![ex01.clone()],
            "SMTP:secretonly.example;5",
        ));
    }
    records.push(send(
        "NoSourceSecret",
        &rg,
        Vec::new(),
        "SMTP:zqx.example;1",
    ));
    records.push(send(
        "EdgeSync - SecretSite to Internet",
        &rg,
        vec![server_dn("EDGESECRET", &ag)],
        "SMTP:*;100",
    ));
    let deleted = format!(
        "CN=GoneSecret\\0ADEL:cccccccc-3333-3333-3333-333333333333,CN=Deleted Objects,CN=Configuration,{forest}"
    );
    records.push(send(
        "UnresolvedSecret",
        &rg,
        vec![
            deleted,
            "CN=Broken,,=bad secret".to_owned(),
            unicode.clone(),
        ],
        "SMTP:*.corge.example;1",
    ));
    records.push(send(
        "DupSecret\\0ACNF:dddddddd-4444-4444-4444-444444444444",
        &rg,
        vec![smtp(&server_dn("東京Zqx", &ag))],
        "SMTP:*.corge.example;1",
    ));
    records.push(send(
        "Local Secret",
        &rg,
        vec![unicode],
        "Local:SMTP:*.localsecret.example;1",
    ));
    let legacy_server = smtp(&server_dn("EX2003SECRET", &legacy_ag));
    records.push(send(
        "OldSecret",
        &legacy_rg,
        vec![legacy_server.clone()],
        "SMTP:*;1",
    ));
    records.push(record(
        &format!("CN=FaxSecret,CN=Connections,{rg}"),
        &["msExchConnector", "mailGateway"],
        &[
            ("routingList", "FAX:secret;1".to_owned()),
            (
                "msExchTransportDropDirectoryName",
                "D:\\SecretDrop".to_owned(),
            ),
            ("msExchSourceBridgeheadServersDN", ex011),
        ],
    ));
    records.push(record(
        &format!("CN=RgcSecret,CN=Connections,{legacy_rg}"),
        &["msExchConnector", "msExchRoutingGroupConnector"],
        &[
            ("msExchSourceBridgeheadServersDN", legacy_server),
            ("msExchTargetBridgeheadServersDN", ex01),
        ],
    ));
    records.push(record(
        &format!(
            "CN=Default SecretRecv,CN=SMTP Receive Connectors,CN=SMTP,CN=Protocols,{}",
            server_dn("EX01", &ag)
        ),
        &["msExchSmtpReceiveConnector"],
        &[
            ("msExchSmtpReceiveBindings", "10.9.8.7:25".to_owned()),
            ("msExchSmtpReceiveRemoteIPRanges", "10.1.2.3".to_owned()),
            (
                "msExchSMTPReceiveConnectorFQDN",
                "mail.secretforest.quux.example".to_owned(),
            ),
        ],
    ));
    records.join("\n") + "\n"
}

/// Fails when an output holds one of the hostile export's names.
fn assert_withheld(what: &str, output: &str) {
    let lower = output.to_lowercase();
    for secret in HOSTILE_SECRETS {
        assert!(
            !lower.contains(secret),
            "{what}: '{secret}' survived:\n{output}"
        );
    }
}

#[test]
fn no_hostile_name_survives_in_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let before = dir.path().join("before.ldif");
    let after = dir.path().join("after.ldif");
    std::fs::write(&before, hostile_export(false)).unwrap();
    std::fs::write(&after, hostile_export(true)).unwrap();
    let (before, after) = (before.to_str().unwrap(), after.to_str().unwrap());
    // The export is read as meant: the names are there without --redact.
    let plain = exconn(&["sources", "--format", "json", before]).stdout;
    for name in [
        "EX011",
        "東京Zqx",
        "Sëcret-Ünïcode",
        "Secret, Comma",
        "GoneSecret",
        "Broken",
        "ConflictMangledObject",
        "UnresolvedSourceReference",
        "EdgeServerIsSource",
        "Secret Routing Group",
    ] {
        assert!(plain.contains(name), "{name} not read:\n{plain}");
    }
    let script = dir.path().join("plan.ps1");
    let script = script.to_str().unwrap();
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["table", "json", "csv", "markdown", "html", "dot", "mermaid"] {
        runs.push(vec!["sources", "--redact", "--format", format, before]);
    }
    for format in ["table", "json", "csv", "html"] {
        runs.push(vec!["inventory", "--redact", "--format", format, before]);
    }
    for format in ["table", "json", "markdown", "html"] {
        runs.push(vec!["diff", "--redact", "--format", format, before, after]);
    }
    for format in ["table", "json", "html"] {
        runs.push(vec![
            "plan",
            "--redact",
            "--remove",
            "EX01",
            "--remove",
            "EDGESECRET",
            "--remove",
            "EX2003SECRET",
            "--add",
            "EX011",
            "--add",
            "NEWSECRET",
            "--format",
            format,
            "--script",
            script,
            before,
        ]);
    }
    for args in runs {
        let run = exconn(&args);
        assert!(!run.stdout.is_empty(), "{args:?}: {}", run.stderr);
        assert_withheld(&format!("{args:?}"), &run.stdout);
        if args.contains(&"--script") {
            let text = std::fs::read_to_string(script).unwrap();
            assert_withheld(&format!("{args:?} script"), &text);
        }
    }
}

#[test]
fn why_an_input_is_not_whole_is_withheld() {
    // A DSML search that ended in an error, whose message quotes a DN.
    let dsml = "<batchResponse xmlns=\"urn:oasis:names:tc:DSML:2:0:core\"><searchResponse>\
        <searchResultEntry dn=\"CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),\
        CN=Administrative Groups,CN=SecretOrg,CN=Microsoft Exchange,CN=Services,CN=Configuration,\
        DC=secretforest,DC=quux,DC=example\"><attr name=\"objectClass\"><value>msExchExchangeServer</value>\
        </attr></searchResultEntry><searchResultDone><resultCode code=\"32\" descr=\"noSuchObject\"/>\
        <errorMessage>best match of: 'CN=SecretLeak,DC=corge'</errorMessage></searchResultDone>\
        </searchResponse></batchResponse>";
    let (_dir, path) = crate::support::temp_file("cut.xml", dsml.as_bytes());
    let plain = exconn(&["sources", "--format", "json", &path]).stdout;
    assert!(plain.contains("SecretLeak"), "{plain}");
    let mut runs: Vec<Vec<&str>> = Vec::new();
    for format in ["table", "json", "csv", "markdown", "html"] {
        runs.push(vec!["sources", "--redact", "--format", format, &path]);
    }
    runs.push(vec!["inventory", "--redact", "--format", "json", &path]);
    runs.push(vec![
        "plan", "--redact", "--remove", "EX01", "--format", "json", &path,
    ]);
    runs.push(vec!["diff", "--redact", "--format", "json", &path, &path]);
    for args in runs {
        let run = exconn(&args);
        assert!(!run.stdout.is_empty(), "{args:?}: {}", run.stderr);
        assert_withheld(&format!("{args:?}"), &run.stdout);
    }
}
