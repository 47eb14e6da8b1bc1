//! Reading in windows gives exactly what reading in one piece gives: the
//! same records, the same diagnostics at the same lines and columns.

use exconn::input::{self, InputInfo, Projection, ReadOptions, Source};

use exconn::record::Record;
use exconn_synth::{self as synth, Spec, Style};
use proptest::prelude::*;

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
    read_in_blocks(bytes, options, 4 << 20)
}

/// Reads with the source handing over text in blocks of `block` bytes.
fn read_in_blocks(bytes: &[u8], options: ReadOptions, block: usize) -> (Vec<Record>, InputInfo) {
    let source = Source::from_reader_in_blocks(
        "x.ldif",
        Box::new(std::io::Cursor::new(bytes.to_vec())),
        None,
        block,
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
fn every_block_size_reads_the_same() {
    // LDIF is parsed in place in the blocks the source reads: records (and
    // CR LF pairs, and empty lines) straddle block boundaries everywhere.
    for style in [Style::Unwrapped, Style::UnwrappedCrlf, Style::Ldifde] {
        let bytes = with_broken_records(style);
        let (whole, whole_info) = read_with_window(&bytes, usize::MAX / 4, Projection::All);
        for block in [1, 2, 3, 1000, 65_536] {
            for window in [512, 16 << 20] {
                let options = ReadOptions {
                    window,
                    ..ReadOptions::default()
                };
                let (parts, info) = read_in_blocks(&bytes, options, block);
                let case = format!("{style:?}, block {block}, window {window}");
                assert_eq!(parts, whole, "{case}");
                assert_eq!(info.diagnostics, whole_info.diagnostics, "{case}");
                assert_eq!(
                    (info.entries, info.skipped),
                    (whole_info.entries, whole_info.skipped),
                    "{case}"
                );
                assert_eq!(info.sha256, whole_info.sha256, "{case}");
            }
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
    assert_eq!(
        info.diagnostics[0].position.line_column().map(|at| at.line),
        Some(2000 * 3 + 2)
    );
}

#[test]
fn bare_cr_files_are_cut_into_windows_too() {
    let text: String = (0..500)
        .map(|i| format!("dn: cn=u{i}\rcn: u{i}\r\r"))
        .collect();
    let (records, info) = read_with_window(text.as_bytes(), 300, Projection::All);
    assert_eq!(records.len(), 500);
    assert!(info.diagnostics.is_empty(), "{:?}", info.diagnostics);
    for block in [1, 5, 64] {
        let (in_blocks, _) = read_in_blocks(text.as_bytes(), ReadOptions::default(), block);
        assert_eq!(in_blocks, records, "block {block}");
    }
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
    for block in [7, 4096, 4 << 20] {
        let (records, info) = read_in_blocks(&text, options, block);
        let dns: Vec<&str> = records.iter().map(|r| r.dn.as_str()).collect();
        assert_eq!(dns, ["cn=a", "cn=b"], "block {block}");
        assert_eq!(info.skipped, 1);
        assert_eq!(info.diagnostics.len(), 1);
        assert!(info.diagnostics[0].message.contains("KiB without one"));
        assert_eq!(
            info.diagnostics[0].position.line_column().map(|at| at.line),
            Some(4)
        );
    }
}

/// The sample export as DSML or CLIXML, with two broken records (a third
/// and two thirds of the way in) and, for DSML, no `searchResultDone`.
fn xml_with_problems(format: synth::XmlFormat) -> Vec<u8> {
    let mut ldif = Vec::new();
    synth::generate(
        &Spec {
            servers: 20,
            connectors: 60,
            target_bytes: 200_000,
            seed: 9,
            style: Style::Unwrapped,
        },
        &mut ldif,
    )
    .unwrap();
    let records = exconn::input::ldif::parse(&ldif).records;
    let mut writer = synth::XmlWriter::new(Vec::new(), format).unwrap();
    writer.records(&records).unwrap();
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    let (start, broken) = match format {
        synth::XmlFormat::Dsml => (
            "<searchResultEntry ",
            "<searchResultEntry dn=\"cn=broken\"><attr name=\"cn\">\
             <value xsi:type=\"xsd:base64Binary\">###</value></attr></searchResultEntry>",
        ),
        synth::XmlFormat::Clixml => ("<Obj RefId=", "<Ref RefId=\"999999\" />"),
    };
    let starts: Vec<usize> = text.match_indices(start).map(|(at, _)| at).collect();
    let third = starts.len() / 3;
    let mut text = text;
    for at in [starts[2 * third], starts[third]] {
        text.insert_str(at, &format!("{broken}\r\n"));
    }
    let text = match text.find("<searchResultDone>") {
        Some(done) => {
            let end = text.find("</searchResultDone>").unwrap() + "</searchResultDone>".len();
            format!("{}{}", &text[..done], &text[end..])
        }
        None => text,
    };
    text.into_bytes()
}

#[test]
fn every_window_size_reads_xml_the_same() {
    for format in [synth::XmlFormat::Dsml, synth::XmlFormat::Clixml] {
        let lines = xml_with_problems(format);
        // The same document on one line: windows then start mid-line.
        let one_line: Vec<u8> = lines
            .iter()
            .copied()
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        for bytes in [lines, one_line] {
            let (whole, whole_info) = read_with_window(&bytes, usize::MAX / 4, Projection::All);
            let expected = if format == synth::XmlFormat::Dsml {
                3
            } else {
                2
            };
            assert_eq!(
                whole_info.diagnostics.len(),
                expected,
                "{format:?}: {:?}",
                whole_info.diagnostics
            );
            assert!(whole.len() > 100, "{format:?}: {} records", whole.len());
            for block in [3, 1000] {
                let (parts, info) = read_in_blocks(&bytes, ReadOptions::default(), block);
                assert_eq!(parts, whole, "{format:?}, block {block}");
                assert_eq!(
                    info.diagnostics, whole_info.diagnostics,
                    "{format:?}, block {block}"
                );
            }
            for window in [512, 4096, 65_536] {
                let (parts, info) = read_with_window(&bytes, window, Projection::All);
                assert_eq!(parts, whole, "{format:?}, window {window}");
                assert_eq!(
                    info.diagnostics, whole_info.diagnostics,
                    "{format:?}, window {window}"
                );
                assert_eq!(
                    (info.entries, info.skipped),
                    (whole_info.entries, whole_info.skipped),
                    "{format:?}, window {window}"
                );
            }
        }
    }
}

#[test]
fn xml_diagnostics_point_at_the_true_line_and_column() {
    let mut text = String::from("<batchResponse>\n<searchResponse>\n");
    for i in 0..500 {
        text.push_str(&format!(
            "<searchResultEntry dn=\"cn=u{i}\"><attr name=\"cn\"><value>u{i}</value></attr></searchResultEntry>\n"
        ));
    }
    text.push_str(
        "  <searchResultEntry><attr name=\"cn\"><value>x</value></attr></searchResultEntry>\n",
    );
    text.push_str("</searchResponse>\n</batchResponse>\n");
    let (records, info) = read_with_window(text.as_bytes(), 1000, Projection::All);
    assert_eq!(records.len(), 500);
    let lines: Vec<String> = info
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.position, d.message))
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with("503:3: expected a dn attribute"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("2:1: expected a searchResultDone"),
        "{lines:?}"
    );
}

#[test]
fn an_oversized_xml_record_is_skipped_with_a_diagnostic_and_reading_goes_on() {
    let entry = |dn: &str, value: &str| {
        format!("<searchResultEntry dn=\"{dn}\"><attr name=\"cn\"><value>{value}</value></attr></searchResultEntry>\n")
    };
    let text = format!(
        "<batchResponse><searchResponse>\n{}{}{}<searchResultDone><resultCode code=\"0\"/></searchResultDone>\n</searchResponse></batchResponse>\n",
        entry("cn=a", "a"),
        entry("cn=huge", &"x".repeat(300_000)),
        entry("cn=b", "b"),
    );
    let options = ReadOptions {
        window: 16 << 10,
        max_record: 100_000,
        ..ReadOptions::default()
    };
    let (records, info) = read_with(text.as_bytes(), options);
    let dns: Vec<&str> = records.iter().map(|r| r.dn.as_str()).collect();
    assert_eq!(dns, ["cn=a", "cn=b"]);
    assert_eq!((info.entries, info.skipped), (2, 1));
    assert_eq!(info.diagnostics.len(), 1, "{:?}", info.diagnostics);
    assert!(info.diagnostics[0].message.contains("at most 97 KiB"));
    assert_eq!(
        info.diagnostics[0].position.line_column().map(|at| at.line),
        Some(3)
    );
}

#[test]
fn a_cr_cr_lf_line_end_split_between_blocks_is_one_line_end() {
    // A block holding two CRs and no LF does not end an empty line there:
    // the LF of a CR CR LF may come with the next block.
    let filler = "dn: cn=f,dc=x\ncn: f\n\n".repeat(3200);
    let text = filler + "dn: cn=a,dc=x\r\r\ncn: a\r\n\r\r\n\r\r\ndn: cn=b\r\nno colon\r\n\r\n";
    let (whole, whole_info) = read_in_blocks(text.as_bytes(), ReadOptions::default(), 4 << 20);
    assert_eq!(
        whole_info.diagnostics.len(),
        1,
        "{:?}",
        whole_info.diagnostics
    );
    for block in 1..=4 {
        let (parts, info) = read_in_blocks(text.as_bytes(), ReadOptions::default(), block);
        assert_eq!(parts, whole, "block {block}");
        assert_eq!(info.diagnostics, whole_info.diagnostics, "block {block}");
    }
}

/// Lines of LDIF, good and bad, with every kind of line end: what a block
/// boundary may fall in the middle of.
fn ldif_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "dn: cn=a,dc=x\n",
        "dn: cn=b,dc=x\r\n",
        "dn:: Y249YyxkYz14\r\n",
        "objectClass: top\n",
        "cn: a\r\n",
        "description:: QUJDREVG\r\n",
        " QUJD\r\n",
        " continued\n",
        "nTSecurityDescriptor:: AQIDBA==\n",
        "nTSecurityDescriptor:: AQ@D\n",
        "# a comment\n",
        "\n",
        "\r\n",
        "\r",
        "\r\r\n",
        "no colon here\n",
        "version: 1\n",
        "changetype: add\n",
        "-\n",
        "x",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_text_reads_the_same_in_blocks_of_any_size(
        pieces in prop::collection::vec(ldif_piece(), 0..60),
        block in 1usize..40,
        projected in any::<bool>(),
        utf16 in any::<bool>(),
    ) {
        // The first 64 KiB are read whole to detect the format: the
        // pieces come after a filler of records that ends just before.
        let filler = "dn: cn=f,dc=x\ncn: f\n\n".repeat((64 << 10) / 21 - 8);
        let text: String = filler + &pieces.concat().repeat(3);
        let bytes: Vec<u8> = if utf16 {
            // UTF-16LE with a byte-order mark: code units split between blocks.
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        } else {
            text.clone().into_bytes()
        };
        let projection = if projected { exconn::analysis::PROJECTION } else { Projection::All };
        let options = ReadOptions { projection, ..ReadOptions::default() };
        let (whole, whole_info) = read_in_blocks(&bytes, options, 4 << 20);
        let (parts, info) = read_in_blocks(&bytes, options, block);
        prop_assert_eq!(parts, whole, "{:?}", text);
        prop_assert_eq!(info.diagnostics, whole_info.diagnostics, "{:?}", text);
        prop_assert_eq!((info.entries, info.skipped), (whole_info.entries, whole_info.skipped));
    }
}
