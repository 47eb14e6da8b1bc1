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
