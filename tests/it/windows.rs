//! Reading in windows gives exactly what reading in one piece gives: the
//! same records, the same diagnostics at the same lines and columns.

use exconn::input::{self, InputInfo, Projection, ReadOptions, Source};

use exconn::record::Record;
use exconn::synth::{self, Spec, Style};

fn read_with_window(
    bytes: &[u8],
    window: usize,
    projection: Projection,
) -> (Vec<Record>, InputInfo) {
    read_with(
        bytes,
        ReadOptions {
            window,
            projection,
            ..ReadOptions::default()
        },
    )
}

fn read_with(bytes: &[u8], options: ReadOptions) -> (Vec<Record>, InputInfo) {
    let source = Source::from_reader(
        "x.ldif",
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        None,
    )
    .unwrap();
    let mut records = Vec::new();
    let info = input::read_source(
        source,
        &options,
        |batch| (batch, Vec::new()),
        |batch| {
            records.extend(batch.into_iter().map(|r| Record { offset: 0, ..r }));
            Ok(())
        },
    )
    .unwrap();
    (records, info)
}

fn with_broken_records(style: Style) -> Vec<u8> {
    let mut bytes = Vec::new();
    synth::generate(
        &Spec {
            servers: 20,
            connectors: 60,
            target_bytes: 200_000,
            seed: 9,
            style,
        },
        &mut bytes,
    )
    .unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let eol = if matches!(style, Style::Ldifde | Style::UnwrappedCrlf) {
        "\r\n"
    } else {
        "\n"
    };
    let separator = format!("{eol}{eol}");
    let mut records: Vec<&str> = text.split(separator.as_str()).collect();
    let broken = format!("dn: cn=broken{eol}cn:: ###");
    let third = records.len() / 3;
    records.insert(third, &broken);
    records.insert(2 * third, &broken);
    records.join(&separator).into_bytes()
}

#[test]
fn every_window_size_reads_the_same() {
    for style in [
        Style::Unwrapped,
        Style::UnwrappedCrlf,
        Style::Ldifde,
        Style::Ldapsearch,
    ] {
        let bytes = with_broken_records(style);
        let (whole, whole_info) = read_with_window(&bytes, usize::MAX / 4, Projection::All);
        assert_eq!(
            whole_info.diagnostics.len(),
            2,
            "{style:?}: {:?}",
            whole_info.diagnostics
        );
        for window in [512, 4096, 65_536] {
            let (parts, info) = read_with_window(&bytes, window, Projection::All);
            assert_eq!(parts, whole, "{style:?}, window {window}");
            assert_eq!(
                info.diagnostics, whole_info.diagnostics,
                "{style:?}, window {window}"
            );
            assert_eq!(
                (info.entries, info.skipped),
                (whole_info.entries, whole_info.skipped)
            );
            assert_eq!(info.sha256, whole_info.sha256);
        }
    }
}

#[test]
fn diagnostics_in_later_windows_have_their_true_line() {
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("dn: cn=u{i}\r\ncn: u{i}\r\n\r\n"));
    }
    text.push_str("dn: cn=bad\r\ncn:: @@\r\n");
    let (_, info) = read_with_window(text.as_bytes(), 1000, Projection::All);
    assert_eq!(info.diagnostics.len(), 1);
    assert_eq!(info.diagnostics[0].position.line, 2000 * 3 + 2);
}

#[test]
fn bare_cr_files_are_cut_into_windows_too() {
    let text: String = (0..500)
        .map(|i| format!("dn: cn=u{i}\rcn: u{i}\r\r"))
        .collect();
    let (records, info) = read_with_window(text.as_bytes(), 300, Projection::All);
    assert_eq!(records.len(), 500);
    assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
}

#[test]
fn projection_keeps_what_the_model_reads() {
    let mut bytes = Vec::new();
    synth::generate(
        &Spec {
            target_bytes: 100_000,
            style: Style::Ldifde,
            ..Spec::default()
        },
        &mut bytes,
    )
    .unwrap();
    let (all, _) = read_with_window(&bytes, 8192, Projection::All);
    let (projected, _) = read_with_window(
        &bytes,
        8192,
        Projection::Only {
            attribute: exconn::model::is_read_attribute,
            class: exconn::model::is_modelled_class,
        },
    );
    let model_all = format!("{:?}", exconn::model::build(all).0);
    let model_projected = format!("{:?}", exconn::model::build(projected.clone()).0);
    assert_eq!(model_all, model_projected);
    assert!(projected.iter().all(|r| r
        .attrs()
        .iter()
        .all(|a| exconn::model::is_read_attribute(a.base_name().as_bytes()))));
}

#[test]
fn an_oversized_record_is_skipped_with_a_diagnostic_and_reading_goes_on() {
    // Without an empty line for longer than the limit, the reader skips to the next one.
    let mut text = b"dn: cn=a\ncn: a\n\n".to_vec();
    text.extend(b"dn: cn=huge\ndescription: ");
    text.extend(std::iter::repeat_n(b'x', 300_000));
    text.extend(b"\n\ndn: cn=b\ncn: b\n");
    let options = ReadOptions {
        window: 16 << 10,
        max_record: 100_000,
        ..ReadOptions::default()
    };
    let (records, info) = read_with(&text, options);
    let dns: Vec<&str> = records.iter().map(|r| r.dn.as_str()).collect();
    assert_eq!(dns, ["cn=a", "cn=b"]);
    assert_eq!(info.skipped, 1);
    assert_eq!(info.diagnostics.len(), 1);
    assert!(info.diagnostics[0].message.contains("KiB without one"));
    assert_eq!(info.diagnostics[0].position.line, 4);
}
