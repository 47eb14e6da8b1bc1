//! The AD Explorer snapshot reader on damaged snapshots: the shared reader
//! invariants, the pure `adexplorer::parse` reads what `read_source` reads,
//! every diagnostic is at an offset inside the input, and the records
//! written as LDIF (`dump --format ldif`, the snapshot-to-LDIF converter)
//! read back to the same records.
//!
//! Input that starts with the signature `win-ad-` is a snapshot as it is.
//! Any other input damages the sample organization (`fixtures/contoso.ldif`
//! written as a snapshot by `exconn-synth`): its first 4 bytes (LE) give
//! the length the snapshot is cut to (modulo its length + 1), and every
//! following 5 bytes set the byte at an offset (4 bytes LE, modulo the
//! length) to a value. An empty input is the intact sample.
#![no_main]

use std::sync::OnceLock;

use exconn::input::{adexplorer, Format, Projection};
use exconn::report::dump;
use libfuzzer_sys::fuzz_target;

fn sample() -> &'static [u8] {
    static SAMPLE: OnceLock<Vec<u8>> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let text = include_bytes!("../../fixtures/contoso.ldif");
        let records = exconn::input::ldif::parse(text).records;
        exconn_synth::snapshot::Snapshot::from_records(&records)
            .write()
            .0
    })
}

fn damaged(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"win-ad-") {
        return data.to_vec();
    }
    let mut bytes = sample().to_vec();
    let u32_at =
        |chunk: &[u8]| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize;
    if data.len() >= 4 {
        bytes.truncate(u32_at(data) % (bytes.len() + 1));
        for patch in data[4..].chunks_exact(5) {
            if !bytes.is_empty() {
                let at = u32_at(patch) % bytes.len();
                bytes[at] = patch[4];
            }
        }
    }
    bytes
}

fuzz_target!(|data: &[u8]| {
    let bytes = damaged(data);
    let Some((records, info)) = exconn_fuzz::check_reader(&bytes, Some(Format::AdExplorer)) else {
        return;
    };
    for diagnostic in &info.diagnostics {
        let offset = diagnostic
            .position
            .byte_offset()
            .expect("snapshots are located by offset");
        assert!(
            offset <= bytes.len() as u64,
            "diagnostic beyond the input: {diagnostic}"
        );
    }
    let parsed = adexplorer::parse(&bytes, Projection::All);
    assert_eq!(parsed.records, records, "parse and read_source differ");
    assert_eq!(parsed.skipped, info.skipped);
    let mut written = Vec::new();
    dump::write_ldif_header(&mut written).unwrap();
    for record in &records {
        dump::write_ldif(&mut written, record).unwrap();
    }
    let (again, read) = exconn_fuzz::read(&written, Some(Format::Ldif), usize::MAX / 4).unwrap();
    assert_eq!(
        read.skipped, 0,
        "written LDIF does not read back: {:?}",
        read.diagnostics
    );
    let strip = |records: &[exconn::record::Record]| -> Vec<_> {
        records
            .iter()
            .map(|r| (r.dn.clone(), r.body.clone()))
            .collect()
    };
    assert_eq!(
        strip(&again),
        strip(&records),
        "LDIF write then read changed the records"
    );
});
