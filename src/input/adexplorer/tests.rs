//! The reader on small snapshots built here byte by byte (the synthetic
//! writer of `crates/exconn-synth` and `tests/it/adexplorer.rs` cover whole
//! organizations and the format's variants).

use super::properties::is_attribute_name;
use super::test_bytes::{lstr, strings};
use super::values::{i32_at, u64_at};
use super::*;
use crate::diag::Severity;

const PROPERTIES: [(&str, i32, u32); 4] = [
    ("distinguishedName", 18, 1),
    ("objectClass", 12, 3),
    ("cn", 7, 3),
    ("msExchSmtpSendPort", 3, 7),
];

/// A snapshot of `objects`, each a list of (property index, block), with
/// blocks stored in the record (no dedup): the bytes and each object's start.
fn snapshot(objects: &[Vec<(u32, Vec<u8>)>]) -> (Vec<u8>, Vec<usize>) {
    let mut bytes = b"win-ad-ob\0".to_vec();
    bytes.extend(MARKER.to_le_bytes());
    bytes.resize(HEADER, 0);
    let mut starts = Vec::new();
    for object in objects {
        let start = bytes.len();
        starts.push(start);
        let table = 8 + 8 * object.len();
        let size = table + object.iter().map(|(_, b)| b.len()).sum::<usize>();
        bytes.extend((size as u32).to_le_bytes());
        bytes.extend((object.len() as u32).to_le_bytes());
        let mut offset = table;
        for (index, block) in object {
            bytes.extend(index.to_le_bytes());
            bytes.extend((offset as i32).to_le_bytes());
            offset += block.len();
        }
        for (_, block) in object {
            bytes.extend(block);
        }
    }
    bytes.extend([0; 8]);
    let metadata = bytes.len();
    bytes.extend((PROPERTIES.len() as u32).to_le_bytes());
    for (name, syntax, ads_type) in PROPERTIES {
        bytes.extend(lstr(name));
        bytes.extend(syntax.to_le_bytes());
        bytes.extend(ads_type.to_le_bytes());
        bytes.extend(lstr(&format!("CN={name},CN=Schema,CN=Configuration,DC=X")));
        bytes.extend([0x11; 32]);
        bytes.extend(0u32.to_le_bytes());
    }
    bytes.extend([0; 8]); // no classes, no rights
    while bytes.len() % 4 != 0 {
        bytes.push(0);
    }
    let tree = bytes.len();
    bytes.extend(u64::MAX.to_le_bytes());
    let attributes: usize = objects.iter().map(|o| o.len() - 1).sum();
    bytes[AT_OBJECTS..AT_OBJECTS + 4].copy_from_slice(&(objects.len() as u32).to_le_bytes());
    bytes[AT_ATTRIBUTES..AT_ATTRIBUTES + 4].copy_from_slice(&(attributes as u32).to_le_bytes());
    bytes[AT_METADATA..AT_METADATA + 8].copy_from_slice(&(metadata as u64).to_le_bytes());
    bytes[0x436..0x43E].copy_from_slice(&(tree as u64).to_le_bytes());
    (bytes, starts)
}

fn connector(name: &str) -> Vec<(u32, Vec<u8>)> {
    vec![
        (0, strings(&[&format!("CN={name},CN=Connections,DC=X")])),
        (1, strings(&["top", "msExchRoutingSMTPConnector"])),
        (2, strings(&[name])),
        (3, [1u32.to_le_bytes(), 25u32.to_le_bytes()].concat()),
    ]
}

fn pairs(record: &Record) -> Vec<(String, String)> {
    record
        .attrs()
        .iter()
        .map(|a| (a.name.clone(), a.value.as_text().unwrap().to_owned()))
        .collect()
}

fn only_connectors() -> Projection {
    Projection::Only {
        attribute: |name| name.eq_ignore_ascii_case(b"objectClass") || name == b"cn",
        class: |class| class == b"msExchRoutingSMTPConnector",
    }
}

#[test]
fn the_minimal_file_of_the_spec_is_read() {
    let (bytes, _) = snapshot(&[vec![(0, strings(&["CN=X"])), (1, strings(&["top"]))]]);
    // The layout of the spec's §6.1: the object ends at 0x478, the
    // property table starts after the 8-byte sentinel.
    assert_eq!(u64_at(&bytes, AT_METADATA), Some(0x480));
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].dn, "CN=X");
    assert_eq!(parsed.records[0].offset, HEADER);
    assert_eq!(
        pairs(&parsed.records[0]),
        [
            ("distinguishedName".into(), "CN=X".into()),
            ("objectClass".into(), "top".into())
        ]
    );
}

#[test]
fn every_attribute_is_decoded_by_its_adstype() {
    let (bytes, _) = snapshot(&[connector("Out")]);
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(
        pairs(&parsed.records[0]),
        [
            ("distinguishedName", "CN=Out,CN=Connections,DC=X"),
            ("objectClass", "top"),
            ("objectClass", "msExchRoutingSMTPConnector"),
            ("cn", "Out"),
            ("msExchSmtpSendPort", "25"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

#[test]
fn the_projection_keeps_attributes_and_classes() {
    let server = vec![
        (0, strings(&["CN=S,DC=X"])),
        (1, strings(&["top", "server"])),
        (2, strings(&["S"])),
    ];
    let dn_only = vec![(0, strings(&["CN=Hidden,DC=X"]))];
    let (bytes, _) = snapshot(&[server, connector("Out"), dn_only]);
    let parsed = parse(&bytes, only_connectors());
    assert_eq!(parsed.read, 3);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(
        pairs(&parsed.records[0]),
        [
            ("objectClass", "top"),
            ("objectClass", "msExchRoutingSMTPConnector"),
            ("cn", "Out"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

#[test]
fn a_negative_offset_reaches_a_block_of_an_earlier_object() {
    let (mut bytes, starts) = snapshot(&[connector("A"), connector("B")]);
    // Point B's objectClass entry at A's objectClass block.
    let a_block = starts[0] as i64 + i64::from(i32_at(&bytes, starts[0] + 8 + 8 + 4).unwrap());
    let relative = (a_block - starts[1] as i64) as i32;
    assert!(relative < 0);
    bytes[starts[1] + 20..starts[1] + 24].copy_from_slice(&relative.to_le_bytes());
    let parsed = parse(&bytes, only_connectors());
    assert_eq!(parsed.diagnostics, []);
    assert_eq!(parsed.records.len(), 2);
    assert_eq!(parsed.records[1].first_text("cn"), Some("B"));
    assert_eq!(
        parsed.records[1].values("objectClass").count(),
        2,
        "{:?}",
        parsed.records[1]
    );
}

#[test]
fn dn_only_objects_are_counted_in_a_warning() {
    let hidden = |dn: &str| vec![(0u32, strings(&[dn]))];
    let (bytes, starts) = snapshot(&[
        connector("A"),
        hidden("CN=Deleted Objects,CN=Configuration,DC=X"),
        hidden("CN=Out,CN=Connections,CN=RG,CN=Routing Groups,CN=AG,CN=Administrative Groups,CN=Org,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=X"),
    ]);
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.records.len(), 3);
    assert_eq!(parsed.diagnostics.len(), 1, "{:?}", parsed.diagnostics);
    let warning = &parsed.diagnostics[0];
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(warning.offset, starts[1]);
    assert!(warning
        .message
        .starts_with("2 object(s) carry only their DN"));
    assert!(warning
        .message
        .contains("1 of them are under CN=Microsoft Exchange (e.g. 'CN=Out,"));
    // Without one under Exchange, the warning does not mention it.
    let (bytes, _) = snapshot(&[hidden("CN=NTDS Quotas,DC=X")]);
    let parsed = parse(&bytes, Projection::All);
    assert!(!parsed.diagnostics[0].message.contains("Exchange"));
}

#[test]
fn the_header_is_checked() {
    let (good, _) = snapshot(&[connector("A")]);
    let first_error = |bytes: &[u8]| {
        let parsed = parse(bytes, Projection::All);
        let error = parsed
            .diagnostics
            .iter()
            .find(|d| d.severity == Severity::Error)
            .cloned();
        (parsed.records.len(), error.map(|e| (e.offset, e.message)))
    };
    // Not a snapshot at all (only with --input-format adexplorer).
    let (records, error) = first_error(b"dn: cn=x\n");
    assert_eq!(records, 0);
    assert!(error.unwrap().1.contains("signature 'win-ad-ob'"));
    // A capture that never finished: said, and still read.
    let mut bytes = good.clone();
    bytes[7..9].copy_from_slice(b"XX");
    let (records, error) = first_error(&bytes);
    assert_eq!(records, 1);
    assert!(error.unwrap().1.contains("never finished"));
    // Truncated inside the header.
    let (records, error) = first_error(&good[..0x100]);
    assert_eq!(records, 0);
    assert!(error.unwrap().1.contains("truncated"));
    // Another marker: an error, and read as the known format.
    let mut bytes = good.clone();
    bytes[AT_MARKER] = 2;
    let (records, error) = first_error(&bytes);
    assert_eq!(records, 1);
    assert_eq!(error.unwrap().0, AT_MARKER);
    // The property table past the end (a truncated file).
    let metadata = u64_at(&good, AT_METADATA).unwrap() as usize;
    let (records, error) = first_error(&good[..metadata]);
    assert_eq!(records, 0);
    let (offset, message) = error.unwrap();
    assert_eq!(offset, AT_METADATA);
    assert!(message.contains("past the end of the file"), "{message}");
    // Cut inside the property table: the properties before the cut are
    // read, the objects that use the others are skipped with errors.
    let parsed = parse(&good[..good.len() - 200], Projection::All);
    assert_eq!(parsed.records.len(), 0);
    assert_eq!(parsed.skipped, 1);
    assert!(
        parsed.diagnostics[0]
            .message
            .starts_with("property 4 of 4:"),
        "{:?}",
        parsed.diagnostics
    );
}

#[test]
fn offsets_are_64_bits() {
    // The high half of metadataOffset (which old readers called a field of
    // its own) is part of the offset: not read as its low half.
    let (mut bytes, _) = snapshot(&[connector("A")]);
    bytes[AT_METADATA + 4] = 1;
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.records.len(), 0);
    assert!(parsed.diagnostics[0].message.contains("found 0x100000"));
    // The tree index offset is not needed: any value is accepted.
    let (mut bytes, _) = snapshot(&[connector("A")]);
    bytes[0x436..0x43E].copy_from_slice(&u64::MAX.to_le_bytes());
    let parsed = parse(&bytes, Projection::All);
    assert_eq!((parsed.records.len(), parsed.diagnostics.len()), (1, 0));
}

#[test]
fn a_record_that_overruns_the_region_stops_the_index() {
    let (mut bytes, starts) = snapshot(&[connector("A"), connector("B"), connector("C")]);
    bytes[starts[1]..starts[1] + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.skipped, 1);
    let error = &parsed.diagnostics[0];
    assert_eq!(error.offset, starts[1]);
    assert!(error.message.starts_with("object 2 of 3:"));
    assert!(error.message.contains("1 object(s) not read"));
}

#[test]
fn a_damaged_block_skips_its_object_only() {
    let (mut bytes, starts) = snapshot(&[connector("A"), connector("B"), connector("C")]);
    // B's cn entry points below the object region.
    let entry = starts[1] + 8 + 8 * 2 + 4;
    bytes[entry..entry + 4].copy_from_slice(&(-(starts[1] as i32)).to_le_bytes());
    let parsed = parse(&bytes, Projection::All);
    let names: Vec<_> = parsed
        .records
        .iter()
        .filter_map(|r| r.first_text("cn"))
        .collect();
    assert_eq!(names, ["A", "C"]);
    assert_eq!(parsed.skipped, 1);
    assert_eq!(parsed.diagnostics[0].offset, entry);
    // Not kept by the projection: a warning, and the object is read.
    let parsed = parse(
        &bytes,
        Projection::Only {
            attribute: |name| name == b"objectClass",
            class: |_| true,
        },
    );
    assert_eq!(parsed.records.len(), 3);
    assert_eq!(parsed.diagnostics[0].severity, Severity::Warning);
    assert!(parsed.diagnostics[0].message.contains("'cn', not read"));
}

#[test]
fn a_property_index_past_the_table_skips_the_object() {
    let (mut bytes, starts) = snapshot(&[connector("A"), connector("B")]);
    bytes[starts[0] + 16..starts[0] + 20].copy_from_slice(&99u32.to_le_bytes());
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.records.len(), 1);
    assert!(parsed.diagnostics[0].message.contains("found property 99"));
}

#[test]
fn a_property_without_an_attribute_name_is_not_read() {
    let (mut bytes, _) = snapshot(&[connector("A")]);
    // Rename `cn` (property 3 of 4) to `c:`, which no LDIF could write.
    let at = memchr::memmem::find(&bytes, &lstr("cn")).unwrap();
    bytes[at + 6] = b':';
    let parsed = parse(&bytes, Projection::All);
    assert_eq!(parsed.records.len(), 1);
    assert_eq!(parsed.records[0].attrs().len(), 4);
    assert_eq!(parsed.diagnostics.len(), 1);
    assert_eq!(parsed.diagnostics[0].offset, at);
    assert!(parsed.diagnostics[0]
        .message
        .starts_with("property 3 of 4: expected an attribute name"));
    assert!(is_attribute_name("msDS-RevealedList"));
    assert!(!is_attribute_name("DN") && !is_attribute_name("1a") && !is_attribute_name(""));
}

#[test]
fn too_many_values_are_left_out_with_an_error() {
    let (bytes, _) = snapshot(&[connector("A")]);
    let parsed = parse_with(
        &bytes,
        Projection::All,
        Limits {
            max_values: 2,
            max_record: crate::input::MAX_RECORD,
        },
    );
    assert_eq!(parsed.records[0].attrs().len(), 2);
    assert!(parsed.diagnostics[0]
        .message
        .contains("expected at most 2 values in an entry (--max-values), found 5"));
}

/// Every prefix of a snapshot, and every byte of it set to each of a few
/// values, reads without a panic, with diagnostics inside the file and an
/// error for every object skipped.
#[test]
fn damage_anywhere_never_panics() {
    let hidden = vec![(0u32, strings(&["CN=Hidden,CN=Microsoft Exchange,DC=X"]))];
    let (bytes, _) = snapshot(&[connector("A"), hidden, connector("B")]);
    let check = |bytes: &[u8]| {
        let parsed = parse_with(
            bytes,
            Projection::All,
            Limits {
                max_values: 100,
                max_record: 1 << 16,
            },
        );
        for diagnostic in &parsed.diagnostics {
            assert!(diagnostic.offset <= bytes.len(), "{diagnostic:?}");
        }
        let errors = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        assert!(parsed.skipped == 0 || errors > 0);
    };
    for end in 0..bytes.len() {
        check(&bytes[..end]);
    }
    let mut damaged = bytes.clone();
    for at in 0..bytes.len() {
        for value in [0x00, 0x01, 0x7F, 0x80, 0xFF] {
            damaged[at] = value;
            check(&damaged);
        }
        damaged[at] = bytes[at];
    }
}
