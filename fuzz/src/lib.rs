//! What the fuzz targets share: reading bytes as exconn does, and the
//! invariants every reader must keep whatever the input.

use exconn::diag::Severity;
use exconn::input::{self, Format, InputInfo, Projection, ReadOptions, Source};
use exconn::record::Record;

/// Reads `bytes` as `format` (None: detect) in windows of `window` bytes.
/// `None` when the input is not an export at all (detection refused it).
pub fn read(bytes: &[u8], format: Option<Format>, window: usize) -> Option<(Vec<Record>, InputInfo)> {
    // A damaged archive is refused when opened: an error the CLI reports.
    let source =
        Source::from_reader("fuzz", Box::new(std::io::Cursor::new(bytes.to_vec())), None).ok()?;
    let options = ReadOptions {
        format,
        window,
        projection: Projection::All,
        ..ReadOptions::default()
    };
    let mut records = Vec::new();
    let info = input::read_source(
        source,
        &options,
        |batch| (batch, Vec::new()),
        |batch| {
            records.extend(batch);
            Ok(())
        },
    )
    .ok()?;
    Some((records, info))
}

/// The invariants of one read of `bytes`:
/// - reading in small windows gives what reading in one piece gives
///   (records, diagnostics at the same places, counts);
/// - every diagnostic points inside the input;
/// - every skipped record is explained by an error diagnostic.
pub fn check_reader(bytes: &[u8], format: Option<Format>) -> Option<(Vec<Record>, InputInfo)> {
    let (whole, whole_info) = read(bytes, format, usize::MAX / 4)?;
    let (parts, info) = read(bytes, format, 61).expect("a small window reads what a large one does");
    assert_eq!(without_offsets(&parts), without_offsets(&whole), "records differ with windows");
    assert_eq!(info.diagnostics, whole_info.diagnostics, "diagnostics differ with windows");
    assert_eq!((info.entries, info.skipped), (whole_info.entries, whole_info.skipped));
    let lines = 2 + bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count();
    for diagnostic in &whole_info.diagnostics {
        assert!(
            diagnostic
                .position
                .line_column()
                .is_none_or(|at| at.line <= lines),
            "diagnostic beyond the input: {diagnostic}"
        );
    }
    let errors = whole_info
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    assert!(
        whole_info.skipped == 0 || errors > 0,
        "{} record(s) skipped without an error",
        whole_info.skipped
    );
    Some((whole, whole_info))
}

fn without_offsets(records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .map(|record| Record {
            offset: 0,
            ..record.clone()
        })
        .collect()
}
