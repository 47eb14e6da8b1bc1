//! The `sources` report as a self-contained HTML page: findings first, the
//! servers, the Send connectors, the routing group connectors, the foreign
//! and Delivery Agent connectors, the graph, the diagnostics.

use std::io::{self, Write};

use super::SourcesReport;
use crate::report::diagram::xml_text as esc;
use crate::report::html::{escaped_list, graph_section, other_connectors_section, page, table};

/// The `sources` report as HTML.
pub fn write_html(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    let mut body = String::new();
    let s = &report.summary;
    body.push_str(&format!(
        "<p><span class=\"{}\">{} blocker(s)</span>: {} source server(s) of {} Send connector(s); \
         {} server(s) known; {} record(s) read, {} skipped, {} deleted object(s) ignored, {} diagnostic(s).</p>",
        if s.blockers > 0 { "blocker" } else { "ok" },
        s.blockers,
        s.source_servers,
        s.send_connectors,
        s.servers,
        s.entries,
        s.skipped,
        s.deleted,
        s.diagnostics
    ));
    body.push_str("<h2>Findings</h2>");
    let findings: Vec<(String, Vec<String>)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.severity.to_string(),
                vec![
                    esc(&f.severity.to_string()),
                    esc(&f.code.to_string()),
                    esc(f.server.as_deref().unwrap_or("")),
                    esc(f.connector.as_deref().unwrap_or("")),
                    esc(&f.message),
                    format!("<code>{}</code>", esc(&f.remedy)),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "findings",
        &[
            "Severity",
            "Code",
            "Server",
            "Connector",
            "Finding",
            "Remedy",
        ],
        &findings,
    ));
    body.push_str("<h2>Servers</h2>");
    let servers: Vec<(String, Vec<String>)> = report
        .servers
        .iter()
        .map(|server| {
            (
                String::new(),
                vec![
                    esc(&server.name),
                    esc(server.product.unwrap_or("")),
                    esc(server.version.as_deref().unwrap_or("")),
                    esc(&server.roles.join(", ")),
                    esc(server.site.as_deref().unwrap_or("")),
                    if server.in_export { "yes" } else { "no" }.to_owned(),
                    server.send_connectors.len().to_string(),
                    escaped_list(&server.send_connectors),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "servers",
        &[
            "Server",
            "Product",
            "Build",
            "Roles",
            "Site",
            "In export",
            "Source of",
            "Send connectors",
        ],
        &servers,
    ));
    body.push_str("<h2>Send connectors</h2>");
    let connectors: Vec<(String, Vec<String>)> = report
        .send_connectors
        .iter()
        .map(|c| {
            (
                if c.source_servers.is_empty() {
                    "warning".to_owned()
                } else {
                    String::new()
                },
                vec![
                    esc(&c.name),
                    if c.enabled { "enabled" } else { "disabled" }.to_owned(),
                    escaped_list(&c.address_spaces),
                    escaped_list(&c.source_servers),
                    escaped_list(&c.smart_hosts),
                    escaped_list(&c.unresolved_sources),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "send-connectors",
        &[
            "Send connector",
            "State",
            "Address spaces",
            "Source servers",
            "Smart hosts",
            "Unresolved sources",
        ],
        &connectors,
    ));
    if !report.routing_group_connectors.is_empty() {
        body.push_str("<h2>Routing group connectors</h2>");
        let rows: Vec<(String, Vec<String>)> = report
            .routing_group_connectors
            .iter()
            .map(|c| {
                (
                    String::new(),
                    vec![
                        esc(&c.name),
                        escaped_list(&c.source_servers),
                        escaped_list(&c.target_servers),
                    ],
                )
            })
            .collect();
        body.push_str(&table(
            "routing-group-connectors",
            &[
                "Routing group connector",
                "Source bridgeheads",
                "Target bridgeheads",
            ],
            &rows,
        ));
    }
    body.push_str(&other_connectors_section(&report.other_connectors));
    body.push_str(&graph_section(report));
    if !report.diagnostics.is_empty() {
        body.push_str("<h2>Diagnostics</h2>");
        let rows: Vec<(String, Vec<String>)> = report
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.severity.to_owned(),
                    vec![
                        esc(d.severity),
                        format!("<code>{}</code>", esc(&d.place())),
                        esc(&d.message),
                    ],
                )
            })
            .collect();
        body.push_str(&table("diagnostics", &["Severity", "Where", "What"], &rows));
    }
    page(
        out,
        "Source transport servers of Send connectors",
        "exconn sources: every server Setup would refuse to uninstall (ServerIsSourceForSendConnector), and why.",
        &body,
        &report.inputs,
        &report.unreadable,
    )
}
