//! The `plan` report as a self-contained HTML page.

use std::io::{self, Write};

use super::PlanView;
use crate::report::diagram::xml_text as esc;
use crate::report::html::{escaped_list, graph_section, notice, page, table};

/// The `plan` report as HTML.
pub fn write_html(out: &mut impl Write, view: &PlanView<'_>) -> io::Result<()> {
    let plan = view.plan;
    let names = |servers: &[super::ServerInPlan]| {
        servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>()
    };
    let mut body = notice(&view.findings);
    let blockers = plan.blockers();
    body.push_str(&format!(
        "<p>Removing <strong>{}</strong>; adding <strong>{}</strong>.</p><p class=\"{}\">{}</p>",
        escaped_list(&names(&view.removed)),
        escaped_list(&names(&view.added)),
        if blockers > 0 || plan.not_shown.is_some() { "blocker" } else { "ok" },
        if plan.not_shown.is_some() {
            "Cannot tell whether the plan leaves every connector with a source: the inputs do not show the Send connectors.".to_owned()
        } else if blockers > 0 {
            format!("{blockers} connector(s) would be left without a source or bridgehead.")
        } else {
            "The plan leaves every connector with a source.".to_owned()
        }
    ));
    body.push_str("<h2>Send connectors</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .send_changes()
        .map(|(change, c)| {
            let note = if change.orphaned() {
                "BLOCKER: left without a source"
            } else if change.legacy {
                "Exchange 2003 connector: change in Exchange System Manager"
            } else {
                ""
            };
            (
                if change.orphaned() { "blocker" } else { "" }.to_owned(),
                vec![
                    esc(&c.name),
                    escaped_list(&change.before),
                    escaped_list(&change.after),
                    esc(note),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "plan-send",
        &["Send connector", "Sources before", "Sources after", "Note"],
        &rows,
    ));
    if !view.edge_subscriptions.is_empty() {
        body.push_str(&format!(
            "<h2>Edge subscriptions to remove</h2><p>{}</p>",
            escaped_list(&view.edge_subscriptions)
        ));
    }
    if !plan.routing_group.is_empty() {
        body.push_str("<h2>Routing group connectors</h2>");
        let rows: Vec<(String, Vec<String>)> = view
            .routing_group_changes()
            .map(|(change, c)| {
                (
                    if change.orphaned() { "blocker" } else { "" }.to_owned(),
                    vec![
                        esc(&c.name),
                        format!(
                            "{} → {}",
                            escaped_list(&change.sources.0),
                            escaped_list(&change.sources.1)
                        ),
                        format!(
                            "{} → {}",
                            escaped_list(&change.targets.0),
                            escaped_list(&change.targets.1)
                        ),
                    ],
                )
            })
            .collect();
        body.push_str(&table(
            "plan-rgc",
            &[
                "Routing group connector",
                "Source bridgeheads",
                "Target bridgeheads",
            ],
            &rows,
        ));
    }
    if !plan.other.is_empty() {
        body.push_str("<h2>Foreign and Delivery Agent connectors</h2>");
        let rows: Vec<(String, Vec<String>)> = view
            .other_changes()
            .map(|(change, c)| {
                let orphaned = change.orphaned();
                (
                    if orphaned { "blocker" } else { "" }.to_owned(),
                    vec![
                        esc(&c.name),
                        esc(change.kind.label()),
                        escaped_list(&change.before),
                        escaped_list(&change.after),
                        esc(if orphaned {
                            "BLOCKER: left without a source"
                        } else {
                            ""
                        }),
                    ],
                )
            })
            .collect();
        body.push_str(&table(
            "plan-other",
            &[
                "Connector",
                "Kind",
                "Sources before",
                "Sources after",
                "Note",
            ],
            &rows,
        ));
    }
    body.push_str(&graph_section(&view.sources));
    page(
        out,
        "Decommission plan",
        "exconn plan: what removing these servers does to every connector.",
        &body,
        &view.sources.inputs,
        &view.sources.unreadable,
    )
}
