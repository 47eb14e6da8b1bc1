//! The LDIF reader on arbitrary bytes: the shared reader invariants, and
//! LDIF written back from what was read reads back to the same records.
#![no_main]

use exconn::input::Format;
use exconn::report::dump;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((records, _)) = exconn_fuzz::check_reader(data, Some(Format::Ldif)) else {
        return;
    };
    let mut written = Vec::new();
    dump::write_ldif_header(&mut written).unwrap();
    for record in &records {
        dump::write_ldif(&mut written, record).unwrap();
    }
    let (again, info) = exconn_fuzz::read(&written, Some(Format::Ldif), usize::MAX / 4).unwrap();
    assert_eq!(info.skipped, 0, "written LDIF does not read back: {:?}", info.diagnostics);
    let strip = |records: &[exconn::record::Record]| -> Vec<_> {
        records.iter().map(|r| (r.dn.clone(), r.controls.clone(), r.body.clone())).collect()
    };
    assert_eq!(strip(&again), strip(&records), "LDIF write then read changed the records");
});
