//! Many exports at once: directories are read whole (in parallel), files
//! that are not exports are passed over, and exports of different
//! organizations are reported separately in one run.

use std::path::Path;

use exconn_synth::{self as synth, Spec, Style, XmlFormat, XmlWriter};
use serde_json::Value;

use crate::support::{exconn, fixture};

/// A folder with the Contoso sample, a note, and (one level down) a DSML
/// export of the generated Fabrikam organization.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("contoso.ldif"), dir.path().join("contoso.ldif")).unwrap();
    std::fs::write(
        dir.path().join("notes.md"),
        "# Customer notes\nExported on Monday.\n",
    )
    .unwrap();
    let mut ldif = Vec::new();
    synth::generate(
        &Spec {
            servers: 8,
            connectors: 20,
            seed: 5,
            style: Style::Unwrapped,
            target_bytes: 0,
        },
        &mut ldif,
    )
    .unwrap();
    let records = exconn::input::ldif::parse(&ldif).records;
    let mut writer = XmlWriter::new(Vec::new(), XmlFormat::Dsml).unwrap();
    writer.records(&records).unwrap();
    std::fs::create_dir(dir.path().join("fabrikam")).unwrap();
    std::fs::write(
        dir.path().join("fabrikam").join("export.xml"),
        writer.finish().unwrap(),
    )
    .unwrap();
    dir
}

fn documents(stdout: &str) -> Vec<Value> {
    serde_json::Deserializer::from_str(stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect()
}

fn names(document: &Value, list: &str) -> Vec<String> {
    document[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_folder_of_two_organizations_gives_two_reports() {
    let dir = folder();
    let path = dir.path().to_str().unwrap();
    let run = exconn(&["sources", "--format", "json", path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("passed over"), "{}", run.stderr);
    assert!(run.stderr.contains("notes.md"), "{}", run.stderr);
    let documents = documents(&run.stdout);
    let organizations: Vec<(&str, &str)> = documents
        .iter()
        .map(|d| {
            (
                d["organization"].as_str().unwrap(),
                d["forest"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        organizations,
        [("Contoso", "contoso.com"), ("Fabrikam", "fabrikam.com")]
    );
    let contoso = &documents[0];
    assert_eq!(contoso["inputs"].as_array().unwrap().len(), 1);
    assert!(names(contoso, "servers").contains(&"EX2016A".to_owned()));
    let fabrikam = &documents[1];
    assert_eq!(fabrikam["inputs"][0]["format"], "dsml");
    assert!(!names(fabrikam, "servers").contains(&"EX2016A".to_owned()));
    // The same whatever the number of threads.
    let one = exconn(&["--threads", "1", "sources", "--format", "json", path]);
    assert_eq!(one.stdout, run.stdout);
    // Tables get a heading per organization.
    let table = exconn(&["sources", path]).stdout;
    assert!(
        table.contains("Organization Contoso (forest contoso.com)"),
        "{table}"
    );
    assert!(
        table.contains("Organization Fabrikam (forest fabrikam.com)"),
        "{table}"
    );
}

#[test]
fn commands_about_one_organization_refuse_two() {
    let dir = folder();
    let path = dir.path().to_str().unwrap();
    for args in [
        vec!["plan", "--remove", "EX2016A", path],
        vec!["check", "--server", "EX2016A", path],
    ] {
        let run = exconn(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("belong to 2 organizations"),
            "{}",
            run.stderr
        );
    }
    // One organization's folder is fine.
    let contoso = Path::new(path).join("contoso.ldif");
    let run = exconn(&["check", "--server", "EX2016A", contoso.to_str().unwrap()]);
    assert_eq!(run.code, 1);
}

/// A note on stderr that names `what` escaped and says why it was passed over.
#[cfg(unix)]
fn note_on(stderr: &str, what: &str, why: &str) -> bool {
    stderr.lines().any(|line| {
        line.starts_with("exconn: passed over ") && line.contains(what) && line.contains(why)
    })
}

#[cfg(unix)]
#[test]
fn what_a_folder_passes_over_is_named_escaped_and_said_why() {
    let dir = folder();
    let forged = "notes\u{1b}[2J\rexconn: forged\n.txt";
    std::fs::write(dir.path().join(forged), "not an export\n").unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("contoso.ldif"),
        dir.path().join("link.ldif"),
    )
    .unwrap();
    let fifo = dir.path().join("pipe\u{1b}]8;;x\u{7}.ldif");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let empty = dir.path().join("empty\u{1b}[31m\r");
    std::fs::create_dir(&empty).unwrap();
    let path = dir.path().to_str().unwrap();

    let run = exconn(&["sources", "--format", "json", path, empty.to_str().unwrap()]);
    assert_eq!(
        run.code, 2,
        "the empty folder is unreadable: {}",
        run.stderr
    );
    for raw in ['\u{1b}', '\r', '\u{7}'] {
        assert!(!run.stderr.contains(raw), "raw {raw:?} in {:?}", run.stderr);
    }
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("exconn: forged")),
        "{}",
        run.stderr
    );
    assert!(
        note_on(
            &run.stderr,
            "notes\\u{1b}[2J\\rexconn: forged\\n.txt",
            "not"
        ),
        "{}",
        run.stderr
    );
    assert!(
        note_on(&run.stderr, "link.ldif", "symbolic link"),
        "{}",
        run.stderr
    );
    assert!(
        note_on(&run.stderr, "pipe\\u{1b}]8;;", "FIFO"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("empty\\u{1b}[31m\\r: no files in this directory"),
        "{}",
        run.stderr
    );
    // The symbolic link is not read as a second copy of the export.
    let contoso = &documents(&run.stdout)[0];
    assert_eq!(contoso["inputs"].as_array().unwrap().len(), 1);
}
