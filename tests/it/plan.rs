//! `exconn plan`: the simulated removal, its exit status, and the remediation
//! script, on the sample export and on generated ones with known answers.

use std::collections::{BTreeMap, BTreeSet};

use exconn_synth::{self as synth, Spec, Style};
use serde_json::Value;

use crate::support::{exconn, fixture, temp_file};

fn plan_json(args: &[&str], files: &[&str]) -> (i32, Value) {
    let mut all = vec!["plan", "--format", "json"];
    all.extend_from_slice(args);
    all.extend_from_slice(files);
    let run = exconn(&all);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}\n{}", run.stdout, run.stderr));
    (run.code, json)
}

/// Connector name → (sources after, left without source).
fn changes(plan: &Value) -> BTreeMap<String, (Vec<String>, bool)> {
    plan["send_connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let after = c["after"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            (
                c["name"].as_str().unwrap().to_owned(),
                (after, c["left_without_source"].as_bool().unwrap()),
            )
        })
        .collect()
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn removing_the_oldest_servers_of_the_sample_names_every_blocker() {
    let sample = fixture("contoso.ldif");
    let (code, plan) = plan_json(&["--remove", "EX2003,ex2010"], &[&sample]);
    assert_eq!(code, 1, "blockers exit 1");
    let changes = changes(&plan);
    assert_eq!(
        changes.keys().collect::<Vec<_>>(),
        ["Internet", "Legacy SMTP"]
    );
    assert_eq!(changes["Internet"], (strings(&["EX2016A"]), false));
    assert_eq!(changes["Legacy SMTP"], (Vec::new(), true));
    assert_eq!(plan["send_connectors"][1]["exchange_2003"], true);
    let rgc = &plan["routing_group_connectors"][0];
    assert_eq!(rgc["name"], "Interop RGC");
    assert_eq!(rgc["left_without_bridgehead"], true);
    assert_eq!(plan["blockers"], 2);
    assert_eq!(plan["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn replacements_clear_the_plan_and_the_script_adds_before_it_removes() {
    let sample = fixture("contoso.ldif");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("remediation.ps1");
    let script_arg = script.to_str().unwrap();
    let run = exconn(&[
        "plan", "--remove", "EX2016A", "--add", "EX2019", "--script", script_arg, &sample,
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("leaves every connector with a source"));
    let text = std::fs::read_to_string(&script).unwrap();
    // Connectors are named by their objectGUID (decoded independently with
    // Python's uuid.UUID(bytes_le=…) from the fixture's base64), and by
    // name in a comment at the end of the line.
    for (guid, name) in [
        ("6b4cb242-4a23-d596-2217-beaddbc496cb", "Internet"),
        ("ae97ba94-d0ed-a82f-8f6d-05584ef8aa38", "Partner, Relay"),
        ("92276658-1e27-a1c0-8a6a-63ec24ede6a4", "Partner, TLS"),
    ] {
        let line = format!(
            "Set-SendConnector -Identity '{guid}' -SourceTransportServers @{{Add='EX2019'; Remove='EX2016A'}} -WhatIf  # {name}"
        );
        assert!(text.contains(&line), "missing `{line}` in:\n{text}");
    }
    assert!(text.contains("sha256 cbb0af5ba5c8"), "{text}");
    assert!(text.contains("# Computed on 20"), "{text}");
    let commands: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(commands
        .iter()
        .filter(|l| l.starts_with("Set-"))
        .all(|l| l.contains(" -WhatIf  # ")));

    let run = exconn(&[
        "plan",
        "--remove",
        "EX2016A",
        "--add",
        "EX2019",
        "--no-whatif",
        "--script",
        script_arg,
        &sample,
    ]);
    assert_eq!(run.code, 0);
    assert!(!std::fs::read_to_string(&script)
        .unwrap()
        .contains("-WhatIf"));
}

#[test]
fn an_edge_goes_with_its_subscription() {
    let sample = fixture("contoso.ldif");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("edge.ps1");
    let run = exconn(&[
        "plan",
        "--remove",
        "EDGE01",
        "--add",
        "EX2019",
        "--script",
        script.to_str().unwrap(),
        &sample,
    ]);
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains("Remove-EdgeSubscription -Identity 'EDGE01' -WhatIf"),
        "{text}"
    );
    assert!(!text.contains("Set-SendConnector"), "{text}");
    // The EdgeSync connectors had only that Edge: they go with its
    // subscription, which is no blocker.
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn every_name_is_quoted_for_powershell() {
    let sample = fixture("contoso.ldif");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("quoted.ps1");
    let hostile = "O'Brien $env:x `n, ‘é’";
    let run = exconn(&[
        "plan",
        "--remove",
        "EX2016A",
        "--add",
        hostile,
        "--script",
        script.to_str().unwrap(),
        &sample,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&script).unwrap();
    // The comma splits the --add value in two names (server names have no
    // commas). The ASCII one is single-quoted, its quote doubled, `$` and
    // the backtick left literal; the other is written in ASCII, so no code
    // page can make a quote of it.
    let expected = "-Identity 'ae97ba94-d0ed-a82f-8f6d-05584ef8aa38' -SourceTransportServers @{Add='O''Brien $env:x `n',\"$([char]0x2018)$([char]0x00E9)$([char]0x2019)\"; Remove='EX2016A'}";
    assert!(text.contains(expected), "{text}\nexpected: {expected}");
}

#[test]
fn the_script_never_overwrites_an_input_and_unknown_servers_are_refused() {
    let (_dir, path) = temp_file(
        "export.ldif",
        &std::fs::read(fixture("contoso.ldif")).unwrap(),
    );
    let before = std::fs::read(&path).unwrap();
    let run = exconn(&["plan", "--remove", "EX2010", "--script", &path, &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("inputs are never written to"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);

    // A script path that cannot be written is named escaped.
    let missing = format!("{path}.d/x\u{1b}[2J\r/fix.ps1");
    let run = exconn(&["plan", "--remove", "EX2010", "--script", &missing, &path]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write the script to")
            && run.stderr.contains("x\\u{1b}[2J\\r/fix.ps1"),
        "{}",
        run.stderr
    );

    let run = exconn(&["plan", "--remove", "NOSUCH", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("NOSUCH"), "{}", run.stderr);
}

/// The script path is compared with every file the run reads by identity:
/// a file found in a directory argument, a hard link, a symbolic link.
#[test]
fn the_script_never_overwrites_a_file_read_under_any_name() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let export = inputs.join("contoso.ldif");
    std::fs::copy(fixture("contoso.ldif"), &export).unwrap();
    let before = std::fs::read(&export).unwrap();
    let link = dir.path().join("hard-link.ldif");
    std::fs::hard_link(&export, &link).unwrap();
    let input_dir = inputs.to_str().unwrap();
    let mut cases = vec![
        (export.to_str().unwrap().to_owned(), input_dir.to_owned()),
        (link.to_str().unwrap().to_owned(), input_dir.to_owned()),
        (
            link.to_str().unwrap().to_owned(),
            export.to_str().unwrap().to_owned(),
        ),
    ];
    #[cfg(unix)]
    {
        let symlink = dir.path().join("symlink.ps1");
        std::os::unix::fs::symlink(&export, &symlink).unwrap();
        cases.push((symlink.to_str().unwrap().to_owned(), input_dir.to_owned()));
    }
    for (script, input) in &cases {
        let run = exconn(&["plan", "--remove", "EX2010", "--script", script, input]);
        assert_eq!(run.code, 2, "--script {script} {input}: {}", run.stderr);
        assert!(
            run.stderr.contains("inputs are never written to"),
            "--script {script} {input}: {}",
            run.stderr
        );
        assert_eq!(std::fs::read(&export).unwrap(), before, "--script {script}");
    }
}

#[test]
fn on_generated_exports_the_orphans_are_the_connectors_sourced_only_by_removed_servers() {
    for seed in [3, 11] {
        let spec = Spec {
            servers: 30,
            connectors: 120,
            seed,
            style: Style::Unwrapped,
            target_bytes: 0,
        };
        let mut bytes = Vec::new();
        let answer = synth::generate(&spec, &mut bytes).unwrap();
        let (_dir, path) = temp_file("generated.ldif", &bytes);
        // Take out every third server that is a source of something.
        let removed: BTreeSet<String> = answer.sources.keys().step_by(3).cloned().collect();
        let mut sources_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (server, connectors) in &answer.sources {
            for connector in connectors {
                sources_of.entry(connector).or_default().insert(server);
            }
        }
        // A connector sourced only by Edge servers goes with their
        // subscription: no blocker.
        let expected: BTreeSet<&str> = sources_of
            .iter()
            .filter(|(_, servers)| servers.iter().all(|s| removed.contains(*s)))
            .filter(|(_, servers)| !servers.iter().all(|s| answer.edge.contains(*s)))
            .map(|(connector, _)| *connector)
            .collect();
        let remove = removed.iter().cloned().collect::<Vec<_>>().join(",");
        let (code, plan) = plan_json(&["--remove", &remove], &[&path]);
        let orphans: BTreeSet<String> = changes(&plan)
            .into_iter()
            .filter(|(_, (_, orphaned))| *orphaned)
            .map(|(name, _)| name)
            .collect();
        let expected: BTreeSet<String> = expected.into_iter().map(str::to_owned).collect();
        assert_eq!(orphans, expected, "seed {seed}");
        assert_eq!(code, if expected.is_empty() { 0 } else { 1 });
    }
}

#[test]
fn an_exchange_2003_connector_is_recreated_not_repointed() {
    let sample = fixture("contoso.ldif");
    let (code, plan) = plan_json(&["--remove", "EX2003", "--add", "EX2019"], &[&sample]);
    assert_eq!(code, 1);
    assert_eq!(changes(&plan)["Legacy SMTP"], (Vec::new(), true));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("legacy.ps1");
    exconn(&[
        "plan",
        "--remove",
        "EX2003",
        "--add",
        "EX2019",
        "--script",
        script.to_str().unwrap(),
        &sample,
    ]);
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.contains(
            "# New-SendConnector -Name 'Legacy SMTP' -AddressSpaces 'SMTP:legacy.contoso.com;1'"
        ),
        "{text}"
    );
    assert!(
        !text.contains("Set-SendConnector -Identity 'Legacy SMTP'"),
        "{text}"
    );
}
