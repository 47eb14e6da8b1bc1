//! Memory follows the model, not the file: inputs made to multiply what
//! exconn holds, each run under a cap on its address space (`run_capped`),
//! so a run that would hold too much fails to allocate instead of passing.

#![cfg(unix)]

use std::io::Write as _;

use serde_json::Value;

use crate::guarded::run_capped;

const ORG: &str = "CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=x";

/// The address space a run on a small export needs, and then some.
const CAP_MIB: u64 = 256;

fn connector_record() -> String {
    let rg = format!(
        "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}"
    );
    format!(
        "dn: CN=Internet,CN=Connections,{rg}\nobjectClass: top\nobjectClass: msExchRoutingSMTPConnector\n\
         cn: Internet\nroutingList: SMTP:*;1\n\
         msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,CN=AG,{ORG}\n\n"
    )
}

/// `text` repeated `times`, gzip-compressed.
fn gzip_of_copies(text: &str, times: usize) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let chunk = text.repeat(1000);
    for _ in 0..times / 1000 {
        gz.write_all(chunk.as_bytes()).unwrap();
    }
    gz.finish().unwrap()
}

#[test]
fn copies_of_one_object_are_held_once() {
    // 100,000 copies of one Send connector: 27 MB of LDIF, each copy
    // held would take over 200 MB.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copies.ldif.gz");
    std::fs::write(&path, gzip_of_copies(&connector_record(), 100_000)).unwrap();
    let run = run_capped(&["sources", "--format", "json"], &path, 192);
    run.assert_contained("copies");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["summary"]["entries"], 100_000, "{}", run.summary());
    assert_eq!(report["send_connectors"].as_array().map(Vec::len), Some(1));
    assert!(
        run.stderr
            .contains("99999 record(s) repeat an object read before"),
        "{}",
        run.summary()
    );
}

/// `head` then `zeros` MiB of zeros, as a gzip of many members (as
/// `cat a.gz b.gz` makes): small on disk, large expanded.
fn gzip_members(head: &[u8], zeros: usize) -> Vec<u8> {
    let member = |bytes: &[u8]| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    };
    let mut out = member(head);
    let mib = member(&vec![0u8; 1 << 20]);
    for _ in 0..zeros {
        out.extend_from_slice(&mib);
    }
    out
}

#[test]
fn a_compressed_snapshot_is_held_within_a_bound() {
    // A snapshot followed by 2 GiB of zeros, in 2 MB of gzip.
    let (snapshot, _) = exconn_synth::snapshot::Snapshot::new().write();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zeros.dat.gz");
    std::fs::write(&path, gzip_members(&snapshot, 2048)).unwrap();
    let run = run_capped(&["sources", "--format", "json"], &path, 1024);
    run.assert_contained("compressed snapshot");
    assert_eq!(run.code, Some(2), "{}", run.summary());
    assert!(
        run.stderr
            .contains("a compression bomb, or a snapshot to decompress"),
        "{}",
        run.summary()
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["coverage"]["inputs_not_whole"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[test]
fn ldif_values_past_the_limit_are_not_collected() {
    // One record of three million empty values (36 MB): each value held
    // would take over a gigabyte.
    let mut text = String::from("dn: CN=Many,DC=x\nobjectClass: top\n");
    text.push_str(&"description:\n".repeat(3_000_000));
    text.push('\n');
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.ldif");
    std::fs::write(&path, text).unwrap();
    let run = run_capped(&["dump", "--format", "jsonl"], &path, 512);
    run.assert_contained("many values");
    assert!(
        run.stderr
            .contains("expected at most 100000 values in an entry (--max-values), found 3000001"),
        "{}",
        run.summary()
    );
    let records = run.records("many values");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["attrs"].as_array().map(Vec::len), Some(100_000));
}

#[test]
fn an_overlong_attribute_description_is_skipped_in_ldif_and_snapshots() {
    let long = format!("x{}", "y".repeat(200_000));
    // LDIF: the attribute is skipped with one error, the rest kept.
    let text = format!("dn: CN=Long,DC=x\nobjectClass: top\n{long}: a\n{long}: b\ncn: Long\n\n");
    let dir = tempfile::tempdir().unwrap();
    let ldif = dir.path().join("long.ldif");
    std::fs::write(&ldif, text).unwrap();
    let run = run_capped(&["dump", "--format", "jsonl"], &ldif, CAP_MIB);
    run.assert_contained("long LDIF name");
    let errors = run
        .stderr
        .matches("expected an attribute description of at most 1 KiB")
        .count();
    assert_eq!(errors, 1, "{}", run.summary());
    run.assert_record("long LDIF name", "CN=Long,DC=x", &[("cn", "Long")]);
    assert!(!run.stdout.contains("yyyy"), "{}", run.summary());

    // A snapshot's property with such a name, on many values.
    let values: Vec<String> = (0..20_000).map(|i| format!("v{i}")).collect();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    let mut snapshot = exconn_synth::snapshot::Snapshot::new();
    snapshot.push(exconn_synth::snapshot::Object::strings(
        "CN=Long,DC=x",
        &[
            ("objectClass", &["top"]),
            ("cn", &["Long"]),
            (&long, &values),
        ],
    ));
    let path = dir.path().join("long.dat");
    std::fs::write(&path, snapshot.write().0).unwrap();
    let run = run_capped(&["dump", "--format", "jsonl"], &path, CAP_MIB);
    run.assert_contained("long snapshot name");
    assert!(
        run.stderr
            .contains("expected an attribute description of at most 1 KiB"),
        "{}",
        run.summary()
    );
    assert!(run.stdout.contains("\"Long\""), "{}", run.summary());
    assert!(!run.stdout.contains("yyyy"), "{}", run.summary());
}
