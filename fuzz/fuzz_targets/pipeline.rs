//! `exconn sources` on arbitrary bytes, in memory: detection, reading with
//! the analysis's projection, the model, the graph, the findings and every
//! report format. Nothing may panic, and the JSON report must be JSON.
#![no_main]

use exconn::graph::Graph;
use exconn::input::{self, Projection, ReadOptions, Source};
use exconn::model::{self, Objects};
use exconn::report::sources::{self, Analysis, SourcesReport};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A damaged archive is refused when opened: an error the CLI reports.
    let Ok(source) =
        Source::from_reader("fuzz", Box::new(std::io::Cursor::new(data.to_vec())), None)
    else {
        return;
    };
    let options = ReadOptions {
        projection: Projection::Only {
            attribute: model::is_read_attribute,
            class: model::is_modelled_class,
        },
        window: 257,
        ..ReadOptions::default()
    };
    let mut objects = Objects::default();
    let Ok(info) = input::read_source(source, &options, model::build, |window| {
        objects.append(window);
        Ok(())
    }) else {
        return;
    };
    let inputs = [info];
    let all = [objects];
    let graph = Graph::build(&all);
    let findings = exconn::findings::analyze(&graph);
    let diagnostics = inputs[0].diagnostics.clone();
    let report = SourcesReport::new(&Analysis {
        inputs: &inputs,
        objects: &all,
        unreadable: &[],
        graph: &graph,
        findings: &findings,
        diagnostics: &diagnostics,
    });
    let mut json = Vec::new();
    sources::write_json(&mut json, &report).unwrap();
    serde_json::from_slice::<serde_json::Value>(&json).expect("the JSON report is JSON");
    let mut text = Vec::new();
    sources::write_table(&mut text, &report).unwrap();
    sources::write_csv(&mut text, &report).unwrap();
    sources::write_markdown(&mut text, &report).unwrap();
});
