//! Every view rendered in every format says the same: the counts of
//! servers, connectors and changes agree between the formats of a report.

use crate::analysis::{self, Organization};
use crate::input::{ReadOptions, Source};
use crate::report::check::{self, CheckView};
use crate::report::inventory::{self, InventoryView};
use crate::report::plan::{self, PlanView, ScriptOptions};
use crate::report::{diagram, sources, SourcesReport};

fn sample() -> Organization {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/contoso.ldif");
    let source = Source::open(path).expect("the sample opens");
    let input = analysis::read(source, &ReadOptions::default()).expect("the sample reads");
    let mut analysis = analysis::analyze(vec![input], Vec::new());
    analysis.organizations.remove(0)
}

fn render(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).expect("rendered");
    String::from_utf8(out).expect("UTF-8")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON")
}

#[test]
fn the_sources_formats_agree() {
    let organization = sample();
    let report = SourcesReport::new(&organization);
    let doc = json(&render(|o| sources::write_json(o, &report, false)));
    let connectors = doc["send_connectors"].as_array().unwrap().len();
    let servers = doc["servers"].as_array().unwrap().len();
    assert_eq!(connectors, organization.graph.send_connectors.len());
    assert_eq!(servers, organization.graph.servers.len());

    let dot = render(|o| diagram::write_dot(o, &report));
    assert_eq!(dot.matches("[shape=ellipse").count(), connectors);
    assert_eq!(dot.matches("[shape=box").count(), servers);
    let mermaid = render(|o| diagram::write_mermaid(o, &report));
    assert_eq!(mermaid.matches("([").count(), connectors);
    let page = render(|o| sources::write_html(o, &report));
    assert_eq!(page.matches("<g class=\"connector\">").count(), connectors);
    assert_eq!(page.matches("<g class=\"server\">").count(), servers);

    // One CSV row, one Markdown row and one table line per (source, connector) pair.
    let pairs: usize = report.servers.iter().map(|s| s.send_connectors.len()).sum();
    let csv = render(|o| sources::write_csv(o, &report));
    assert_eq!(csv.lines().count(), pairs + 1);
    let markdown = render(|o| sources::write_markdown(o, &report));
    let table_rows = markdown
        .split("## Findings")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Server"))
        .count();
    assert_eq!(table_rows, pairs);
    let table = render(|o| sources::write_table(o, &report));
    assert_eq!(
        table
            .split("Send connectors without a source server")
            .next()
            .unwrap()
            .lines()
            .filter(|l| l.starts_with("  - "))
            .count(),
        pairs
    );
    let findings = doc["findings"].as_array().unwrap().len();
    assert_eq!(
        table
            .lines()
            .filter(|l| l.trim_start().starts_with("remedy:"))
            .count(),
        findings
    );
}

#[test]
fn the_check_formats_agree() {
    let organization = sample();
    let view = CheckView::new(
        &organization,
        &organization.check("ex2016a").expect("known"),
    );
    let doc = json(&render(|o| check::write_json(o, &view)));
    let table = render(|o| check::write_table(o, &view));
    assert_eq!(doc["count"], 3);
    assert_eq!(doc["connectors"].as_array().unwrap().len(), 3);
    assert_eq!(table.lines().filter(|l| l.starts_with("  - ")).count(), 3);
    assert!(table.contains("source transport server of 3 Send connector(s)"));
}

#[test]
fn the_plan_formats_agree() {
    let organization = sample();
    let request = crate::analysis::plan::Request {
        remove: vec!["EX2016A".to_owned()],
        add: vec!["EX2019".to_owned()],
    };
    let plan = organization.plan(&request);
    let view = PlanView::new(&plan, &organization);
    let changes = plan.send.len();
    let doc = json(&render(|o| plan::write_json(o, &view)));
    assert_eq!(doc["send_connectors"].as_array().unwrap().len(), changes);
    let table = render(|o| plan::write_table(o, &view));
    assert_eq!(table.matches("      before: ").count(), changes);
    let page = render(|o| plan::write_html(o, &view));
    let send_table = page.split("id=\"plan-send\"").nth(1).unwrap();
    let rows = send_table.split("</table>").next().unwrap();
    assert_eq!(rows.matches("<tr").count(), changes + 1);
    let options = ScriptOptions {
        whatif: true,
        date: jiff::civil::date(2026, 11, 30),
    };
    let script = render(|o| plan::write_script(o, &view, &options));
    assert_eq!(script.matches("\n# Send connector ").count(), changes);
}

#[test]
fn the_inventory_formats_agree() {
    let organization = sample();
    let inventory = organization.inventory(jiff::civil::date(2026, 11, 24));
    let view = InventoryView::new(&inventory, &organization);
    let doc = json(&render(|o| inventory::write_json(o, &view, false)));
    let count = |key: &str| doc[key].as_array().unwrap().len();
    let csv = render(|o| inventory::write_csv(o, &view, true));
    let rows = |kind: &str| {
        csv.lines()
            .filter(|l| l.starts_with(&format!("{kind},")))
            .count()
    };
    assert_eq!(rows("server"), count("servers"));
    assert_eq!(rows("send connector"), count("send_connectors"));
    assert_eq!(
        rows("routing group connector"),
        count("routing_group_connectors")
    );
    assert_eq!(rows("receive connector"), count("receive_connectors"));
    let table = render(|o| inventory::write_table(o, &view));
    assert!(table.contains(&format!("Servers ({})", count("servers"))));
    assert!(table.contains(&format!("Send connectors ({})", count("send_connectors"))));
    assert!(table.contains(&format!(
        "Receive connectors ({})",
        count("receive_connectors")
    )));
    let page = render(|o| inventory::write_html(o, &view));
    for (id, key) in [
        ("inventory-servers", "servers"),
        ("inventory-send", "send_connectors"),
        ("inventory-receive", "receive_connectors"),
    ] {
        let section = page.split(&format!("id=\"{id}\"")).nth(1).unwrap();
        let section = section.split("</table>").next().unwrap();
        assert_eq!(section.matches("<tr").count(), count(key) + 1, "{id}");
    }
}
