//! Throughput of each reader and of graph building, on generated exports.
//!
//! `cargo bench` — inputs are generated in memory by `exconn::synth` (16 MiB
//! each), so the numbers are about parsing, not about the disk.

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use exconn::graph::Graph;
use exconn::input::{self, ldif, Projection, ReadOptions, Source};
use exconn::model;
use exconn::synth::{self, Spec, Style, Utf16Writer, XmlFormat, XmlWriter};

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

const ANALYSIS: Projection = Projection::Only {
    attribute: model::is_read_attribute,
    class: model::is_modelled_class,
};

/// The whole reading pipeline (hashing, decoding, windows) on in-memory bytes.
fn pipeline(bytes: &[u8]) -> usize {
    let source =
        Source::from_reader("bench", Box::new(Cursor::new(bytes.to_vec())), None).expect("source");
    let options = ReadOptions {
        projection: ANALYSIS,
        ..ReadOptions::default()
    };
    let mut objects = 0;
    input::read_source(source, &options, model::build, |o| {
        objects += o.send_connectors.len();
        Ok(())
    })
    .expect("read");
    objects
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
                ldif::parse_window(black_box(&text), true, ANALYSIS)
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
    group.finish();
}

fn graph(c: &mut Criterion) {
    let spec = Spec {
        servers: 400,
        connectors: 20_000,
        ..Spec::default()
    };
    let mut text = Vec::new();
    synth::generate(&spec, &mut text).expect("generated");
    let (objects, _) = model::build(ldif::parse(&text).records);
    let objects = vec![objects];
    let mut group = c.benchmark_group("graph");
    group.sample_size(10);
    group.throughput(Throughput::Elements(objects[0].send_connectors.len() as u64));
    group.bench_function("build-20000-connectors", |b| {
        b.iter(|| Graph::build(black_box(&objects)).servers.len())
    });
    group.finish();
}

criterion_group!(benches, readers, graph);
criterion_main!(benches);
