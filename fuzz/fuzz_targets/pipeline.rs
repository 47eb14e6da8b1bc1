//! `exconn sources` on arbitrary bytes, in memory: detection, reading with
//! the analysis's projection, the analysis (model, graph, coverage,
//! findings) and every report format of `sources`, `check`, `plan` and
//! `inventory`. Nothing may panic, and the JSON reports must be JSON.
#![no_main]

use exconn::analysis;
use exconn::input::Unreadable;
use exconn::input::{ReadOptions, Source};
use exconn::report::{self, check::CheckView, inventory::InventoryView, plan::PlanView};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A damaged archive is refused when opened: an error the CLI reports.
    let Ok(source) =
        Source::from_reader("fuzz", Box::new(std::io::Cursor::new(data.to_vec())), None)
    else {
        return;
    };
    let options = ReadOptions {
        window: 257,
        ..ReadOptions::default()
    };
    let Ok(input) = analysis::read(source, &options) else {
        return;
    };
    let analysis = analysis::analyze(vec![input], Vec::<Unreadable>::new());
    for organization in &analysis.organizations {
        let sources = report::SourcesReport::new(organization);
        let mut json = Vec::new();
        report::sources::write_json(&mut json, &sources, false).unwrap();
        serde_json::from_slice::<serde_json::Value>(&json).expect("the JSON report is JSON");
        let mut text = Vec::new();
        report::sources::write_table(&mut text, &sources).unwrap();
        report::sources::write_csv(&mut text, &sources).unwrap();
        report::sources::write_markdown(&mut text, &sources).unwrap();
        report::sources::write_html(&mut text, &sources).unwrap();
        report::diagram::write_dot(&mut text, &sources).unwrap();
        report::diagram::write_mermaid(&mut text, &sources).unwrap();
        for server in sources.servers.iter().take(2) {
            if let Some(verdict) = organization.check(&server.name) {
                let check = CheckView::new(organization, &verdict);
                report::check::write_table(&mut text, &check).unwrap();
            }
        }
        let request = exconn::analysis::plan::Request {
            remove: sources.servers.iter().take(1).map(|s| s.name.clone()).collect(),
            add: vec!["NEW01".to_owned()],
        };
        let plan = organization.plan(&request);
        let view = PlanView::new(&plan, organization);
        report::plan::write_table(&mut text, &view).unwrap();
        let options = report::plan::ScriptOptions {
            whatif: true,
            date: jiff::civil::date(2026, 1, 1),
        };
        report::plan::write_script(&mut text, &view, &options).unwrap();
        let inventory = organization.inventory(jiff::civil::date(2026, 1, 1));
        let view = InventoryView::new(&inventory, organization);
        report::inventory::write_table(&mut text, &view).unwrap();
    }
});
