//! Throughput of each reader and of graph building, on generated exports.
//!
//! `cargo bench` — inputs are generated in memory by `exconn_synth` (16 MiB
//! each), so the numbers are about parsing, not about the disk.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exconn::analysis;
use exconn::input::{ldif, ReadOptions, Source};
use exconn_synth::csvde::{self, CsvdeWriter};
use exconn_synth::{self as synth, Spec, Style, Utf16Writer, XmlFormat, XmlWriter};

const SIZE: u64 = 16 << 20;

fn ldif(style: Style) -> Vec<u8> {
    let mut out = Vec::new();
    let spec = Spec {
        servers: 60,
        connectors: 500,
        target_bytes: SIZE,
        style,
        ..Spec::default()
    };
    synth::generate(&spec, &mut out).expect("generated");
    out
}

fn xml(format: XmlFormat) -> Vec<u8> {
    let records = ldif::parse(&ldif(Style::Unwrapped)).records;
    let mut writer = XmlWriter::new(Vec::new(), format).expect("writer");
    writer.records(&records).expect("records");
    writer.finish().expect("finished")
}

/// The same export as `csvde -f` writes it.
fn csvde_export() -> Vec<u8> {
    let records = ldif::parse(&ldif(Style::Unwrapped)).records;
    let mut writer = CsvdeWriter::new(Vec::new(), csvde::columns(&records)).expect("writer");
    writer.records(&records).expect("records");
    writer.finish().expect("finished")
}

/// The whole reading pipeline (hashing, decoding, windows, the model) on
/// in-memory bytes, as `exconn sources` reads an input.
fn pipeline(bytes: &[u8]) -> usize {
    let source =
        Source::from_reader("bench", Box::new(Cursor::new(bytes.to_vec())), None).expect("source");
    let input = analysis::read(source, &ReadOptions::default()).expect("read");
    input.objects.send_connectors.len()
}

fn readers(c: &mut Criterion) {
    let mut group = c.benchmark_group("readers");
    group.sample_size(10);
    for (name, style) in [
        ("ldif-unwrapped", Style::UnwrappedCrlf),
        ("ldif-wrapped-78", Style::Ldapsearch),
        ("ldif-ldifde-80", Style::Ldifde),
    ] {
        let text = ldif(style);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("{name}/parse"), |b| {
            b.iter(|| {
                ldif::parse_window(
                    black_box(&text),
                    true,
                    analysis::PROJECTION,
                    exconn::input::MAX_VALUES,
                )
                .records
                .len()
            })
        });
        group.bench_function(format!("{name}/pipeline"), |b| {
            b.iter(|| pipeline(black_box(&text)))
        });
    }
    let mut utf16 = Utf16Writer::new(Vec::new());
    std::io::Write::write_all(&mut utf16, &ldif(Style::Ldifde)).expect("utf-16");
    let utf16 = utf16.into_inner();
    group.throughput(Throughput::Bytes(utf16.len() as u64));
    group.bench_function("ldif-utf16le/pipeline", |b| {
        b.iter(|| pipeline(black_box(&utf16)))
    });
    for (name, format) in [("dsml-v2", XmlFormat::Dsml), ("clixml", XmlFormat::Clixml)] {
        let text = xml(format);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("{name}/pipeline"), |b| {
            b.iter(|| pipeline(black_box(&text)))
        });
    }
    let text = csvde_export();
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("csvde/pipeline", |b| b.iter(|| pipeline(black_box(&text))));
    group.finish();
}

fn analyze(c: &mut Criterion) {
    let spec = Spec {
        servers: 400,
        connectors: 20_000,
        ..Spec::default()
    };
    let mut text = Vec::new();
    synth::generate(&spec, &mut text).expect("generated");
    let source = Source::from_reader("bench", Box::new(Cursor::new(text)), None).expect("source");
    let input = analysis::read(source, &ReadOptions::default()).expect("read");
    let mut group = c.benchmark_group("analysis");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        input.objects.send_connectors.len() as u64
    ));
    // Graph, coverage, findings and warnings, as every command computes them.
    group.bench_function("analyze-20000-connectors", |b| {
        b.iter(|| {
            let analysis = analysis::analyze(vec![black_box(input.clone())], Vec::new());
            analysis.organizations[0].findings.len()
        })
    });
    group.finish();
}

criterion_group!(benches, readers, analyze);
criterion_main!(benches);
