//! Remedies right for the object and the server: one rule in every report
//! for Exchange 2003 connectors and last sources, servers that cannot be
//! sources refused, an Edge answered by its subscription, scoped
//! connectors, misspelled and namesake servers.

use crate::support::{exconn, fixture, temp_file};

#[test]
fn an_exchange_2003_connector_is_changed_in_system_manager_in_every_report() {
    let sample = fixture("contoso.ldif");
    let check = exconn(&["check", "--server", "EX2003", &sample]);
    assert!(
        check.stdout.contains("Exchange System Manager"),
        "{}",
        check.stdout
    );
    assert!(
        !check
            .stdout
            .lines()
            .any(|l| l.trim_start().starts_with("Set-SendConnector")),
        "{}",
        check.stdout
    );
    let sources = exconn(&["sources", "--format", "json", &sample]);
    let report: serde_json::Value = serde_json::from_str(&sources.stdout).unwrap();
    for finding in report["findings"].as_array().unwrap() {
        if finding["server"] == "EX2003" && finding["code"] == "LastSourceOfConnector" {
            let remedy = finding["remedy"].as_str().unwrap();
            assert!(remedy.contains("Exchange System Manager"), "{remedy}");
            assert!(!remedy.starts_with("Set-SendConnector"), "{remedy}");
        }
    }
}

#[test]
fn the_only_source_is_never_removed_without_a_replacement() {
    let check = exconn(&["check", "--server", "EX2016A", &fixture("contoso.ldif")]);
    for line in check
        .stdout
        .lines()
        .filter(|l| l.contains("Set-SendConnector"))
    {
        if line.contains("'Partner, Relay'") {
            assert!(
                line.contains("@{Add=<new server>; Remove='EX2016A'}"),
                "{line}"
            );
        }
    }
    assert!(
        check.stdout.contains("Add=<new server>"),
        "{}",
        check.stdout
    );
}

#[test]
fn servers_that_cannot_be_sources_are_refused_as_replacements() {
    let sample = fixture("contoso.ldif");
    for (server, why) in [
        ("EDGE01", "Edge Transport"),
        ("EX2003", "Exchange 2000/2003"),
    ] {
        let run = exconn(&["plan", "--remove", "EX2016A", "--add", server, &sample]);
        assert_eq!(run.code, 2, "{server}: {}", run.stderr);
        assert!(run.stderr.contains(why), "{server}: {}", run.stderr);
        assert!(
            run.stdout.is_empty(),
            "{server}: no plan is declared complete"
        );
    }
    let run = exconn(&["plan", "--remove", "EX2016A", "--add", "EX2019", &sample]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn an_edge_is_answered_by_its_subscription_in_check_and_plan() {
    let sample = fixture("contoso.ldif");
    let plan = exconn(&["plan", "--remove", "EDGE01", &sample]);
    assert_eq!(
        plan.code, 0,
        "EdgeSync connectors go with the subscription: {}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("goes with the Edge subscription"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("BLOCKER"), "{}", plan.stdout);

    // A subscribed Edge whose EdgeSync connectors are not in the export.
    let org = "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";
    let ag = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups";
    let rg = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups";
    let text = format!(
        "dn: CN=EDGE02,CN=Servers,{ag},{org}\nobjectClass: msExchExchangeServer\ncn: EDGE02\n\
         serialNumber: Version 15.2 (Build 1544.4)\nmsExchCurrentServerRoles: 64\n\n\
         dn: CN=Connections,{rg},{ag},{org}\nobjectClass: msExchConnectors\n\n"
    );
    let (_dir, path) = temp_file("edge.ldif", text.as_bytes());
    let check = exconn(&["check", "--server", "EDGE02", &path]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(!check.stdout.contains("is clear"), "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("Remove-EdgeSubscription -Identity 'EDGE02'"),
        "{}",
        check.stdout
    );
}

#[test]
fn moving_a_scoped_connector_to_another_site_is_warned() {
    // 'Envoi vers l'Été' is scoped (Local:) and sourced in Lyon; EX2016A is in Paris.
    let run = exconn(&[
        "plan",
        "--remove",
        "EX2019",
        "--add",
        "EX2016A",
        &fixture("contoso.ldif"),
    ]);
    assert!(
        run.stderr.contains("is scoped (Local:)") && run.stderr.contains("site Paris"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_misspelled_server_gets_the_closest_names() {
    let run = exconn(&["check", "--server", "EX216A", &fixture("contoso.ldif")]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean EX2016A?"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("GHOST01"), "{}", run.stderr);
    // Connectors without server objects: the name cannot be confirmed.
    let text = "dn: CN=Out,CN=Connections,CN=RG,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
                msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX9,CN=Servers,CN=AG,DC=x\n\n";
    let (_dir, path) = temp_file("noservers.ldif", text.as_bytes());
    let run = exconn(&["check", "--server", "EX01", &path]);
    assert!(run.stderr.contains("cannot be confirmed"), "{}", run.stderr);
    assert!(run.stderr.contains("Get-ExchangeServer"), "{}", run.stderr);
}

#[test]
fn two_server_objects_with_one_name_are_a_warning() {
    let server = |ag: &str| {
        format!(
            "dn: CN=EX01,CN=Servers,CN={ag},CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x\n\
             objectClass: msExchExchangeServer\ncn: EX01\n\n"
        )
    };
    let text = server("First Administrative Group") + &server("Second Administrative Group");
    let (_dir, path) = temp_file("twice.ldif", text.as_bytes());
    let run = exconn(&["sources", &path]);
    assert!(
        run.stderr.contains("2 server objects are named 'EX01'"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_source_whose_role_is_not_shown_gets_both_fixes() {
    let rg = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=AG,DC=x";
    let text = format!(
        "dn: CN=Connections,{rg}\nobjectClass: msExchConnectors\n\n\
         dn: CN=Out,CN=Connections,{rg}\nobjectClass: msExchRoutingSMTPConnector\ncn: Out\n\
         msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX9,CN=Servers,CN=AG,DC=x\n\
         msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX8,CN=Servers,CN=AG,DC=x\n\n"
    );
    let (_dir, path) = temp_file("roles.ldif", text.as_bytes());
    let run = exconn(&["check", "--server", "EX9", &path]);
    assert!(
        run.stdout
            .contains("@{Remove='EX9'}  # the inputs do not show its role")
            && run
                .stdout
                .contains("Remove-EdgeSubscription -Identity 'EX9' instead"),
        "{}",
        run.stdout
    );
}
