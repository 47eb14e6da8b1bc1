//! Self-contained HTML reports for `sources`, `plan` and `inventory`: one
//! file, no external scripts, fonts or styles; findings first; tables sort
//! when their header is clicked; the server ↔ connector graph drawn inline
//! as SVG; the inputs and their SHA-256 in the footer; readable printed.

use std::io::{self, Write};

use crate::report::diagram::{svg, xml_text as esc};
use crate::report::inventory::InventoryView;
use crate::report::plan::PlanView;
use crate::report::sources::{self, InputView, OtherConnectorView, SourcesReport, UnreadableView};
use crate::report::FindingSummary;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1b2430;max-width:80rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
.meta{color:#556;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.88rem}
th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' ▲'}th[aria-sort=descending]::after{content:' ▼'}
tr.row-blocker td:first-child{border-left:4px solid #c0392b}tr.row-warning td:first-child{border-left:4px solid #d68910}
.blocker{color:#a93226;font-weight:600}.ok{color:#1e8449;font-weight:600}
code{font-family:ui-monospace,Consolas,monospace;font-size:.85em;word-break:break-all}
figure{overflow-x:auto;margin:0}
footer{margin-top:2.5rem;font-size:.8rem;color:#556;border-top:1px solid #ccd;padding-top:.5rem}
@media print{body{margin:0;max-width:none}th{cursor:auto}th::after{content:''!important}tr{page-break-inside:avoid}h2{page-break-after:avoid}}
";

const SORT_SCRIPT: &str = "
document.querySelectorAll('table.sortable th').forEach(function(th){
  th.addEventListener('click',function(){
    var table=th.closest('table'),body=table.tBodies[0],index=Array.prototype.indexOf.call(th.parentNode.children,th);
    var ascending=th.getAttribute('aria-sort')!=='ascending';
    table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
    th.setAttribute('aria-sort',ascending?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[index].textContent.trim(),y=b.cells[index].textContent.trim();
      var n=x.localeCompare(y,undefined,{numeric:true,sensitivity:'base'});
      return ascending?n:-n;
    });
    rows.forEach(function(r){body.appendChild(r)});
  });
});
";

/// A sortable table: headers and rows of already escaped HTML cells.
pub(super) fn table(id: &str, headers: &[&str], rows: &[(String, Vec<String>)]) -> String {
    let mut html = format!("<table class=\"sortable\" id=\"{id}\"><thead><tr>");
    for header in headers {
        html.push_str(&format!("<th scope=\"col\">{}</th>", esc(header)));
    }
    html.push_str("</tr></thead><tbody>");
    for (class, cells) in rows {
        if class.is_empty() {
            html.push_str("<tr>");
        } else {
            html.push_str(&format!("<tr class=\"row-{class}\">"));
        }
        for cell in cells {
            html.push_str(&format!("<td>{cell}</td>"));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// Values in a cell, comma-separated and escaped for HTML.
fn escaped_list(items: &[String]) -> String {
    esc(&items.join(", "))
}

/// The page around `body`, with the inputs in the footer.
pub(super) fn page(
    out: &mut impl Write,
    title: &str,
    subtitle: &str,
    body: &str,
    inputs: &[InputView],
    unreadable: &[UnreadableView],
) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"exconn {}\"><title>{}</title><style>{STYLE}</style></head><body>\
         <h1>{}</h1><p class=\"meta\">{}</p>{body}<footer><p>Read by exconn {}:</p><ul>",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        esc(title),
        esc(subtitle),
        env!("CARGO_PKG_VERSION")
    )?;
    for input in inputs {
        write!(
            out,
            "<li><code>{}</code> — {} ({}), {} bytes, {} entries, {} skipped, SHA-256 <code>{}</code></li>",
            esc(&input.path),
            input.format,
            input.encoding,
            input.bytes,
            input.entries,
            input.skipped,
            input.sha256
        )?;
    }
    for unreadable in unreadable {
        write!(
            out,
            "<li class=\"blocker\">NOT READ: <code>{}</code> — {}</li>",
            esc(&unreadable.path),
            esc(&unreadable.reason)
        )?;
    }
    writeln!(
        out,
        "</ul></footer><script>{SORT_SCRIPT}</script></body></html>"
    )
}

fn graph_section(report: &SourcesReport) -> String {
    format!(
        "<h2 id=\"graph\">Graph</h2><figure>{}<figcaption class=\"meta\">Servers (left) and the Send connectors \
         they are a source of (right). Orange: Edge; grey: not in the export; red: a connector \
         without a source.</figcaption></figure>",
        svg(report)
    )
}

/// Blockers that come before everything else (the inputs cannot show the
/// Send connectors), or nothing.
fn notice(findings: &[FindingSummary]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "<p class=\"blocker\"><strong>BLOCKER {}</strong>: {}</p><p>Remedy: <code>{}</code></p>",
                f.code,
                esc(&f.message),
                esc(&f.remedy)
            )
        })
        .collect()
}

/// The `sources` report as HTML.
pub fn write_sources(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
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

/// The page of a run that read nothing: only what could not be read.
pub(crate) fn write_nothing_read(
    out: &mut impl Write,
    headline: &str,
    unreadable: &[UnreadableView],
) -> io::Result<()> {
    let mut body = String::from("<ul>");
    for input in unreadable {
        body.push_str(&format!(
            "<li class=\"blocker\">NOT READ: <code>{}</code> — {}</li>",
            esc(&input.path),
            esc(&input.reason)
        ));
    }
    body.push_str("</ul>");
    page(out, "Nothing was read", headline, &body, &[], &[])
}

/// The foreign and Delivery Agent connectors with their sources (nothing
/// when there is none).
fn other_connectors_section(connectors: &[OtherConnectorView]) -> String {
    if connectors.is_empty() {
        return String::new();
    }
    let rows: Vec<(String, Vec<String>)> = connectors
        .iter()
        .map(|c| {
            let class = if c.source_servers.is_empty() {
                "warning"
            } else {
                ""
            };
            (
                class.to_owned(),
                vec![
                    esc(&c.name),
                    esc(sources::kind_label(c.kind)),
                    escaped_list(&c.address_spaces),
                    escaped_list(&c.source_servers),
                    escaped_list(&c.unresolved_sources),
                ],
            )
        })
        .collect();
    let mut section = "<h2>Foreign and Delivery Agent connectors</h2>".to_owned();
    section.push_str(&table(
        "other-connectors",
        &[
            "Connector (Setup does not count it)",
            "Kind",
            "Address spaces",
            "Source servers",
            "Unresolved sources",
        ],
        &rows,
    ));
    section
}

/// The `plan` report as HTML.
pub fn write_plan(out: &mut impl Write, view: &PlanView<'_>) -> io::Result<()> {
    let plan = view.plan;
    let names = |servers: &[super::plan::ServerInPlan]| {
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

/// The `inventory` report as HTML.
pub fn write_inventory(out: &mut impl Write, view: &InventoryView) -> io::Result<()> {
    let mut body = notice(&view.findings);
    body.push_str(&format!(
        "<p>{} server(s), {} Send connector(s), {} receive connector(s) of which <strong>{} custom</strong> \
         (to re-create on the new servers). Support as of {}.</p>",
        view.servers.len(),
        view.send_connectors.len(),
        view.receive_connectors.len(),
        view.custom_receive_connectors(),
        esc(&view.date)
    ));
    body.push_str("<h2>Servers</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .servers
        .iter()
        .map(|server| {
            let class = if server.support == super::inventory::SupportStatus::Ended {
                "blocker"
            } else {
                ""
            };
            (
                class.to_owned(),
                vec![
                    esc(&server.name),
                    esc(server.product.unwrap_or("")),
                    esc(server.version.as_deref().unwrap_or("")),
                    esc(&super::inventory::support_text(server)),
                    esc(&server.roles.join(", ")),
                    esc(server.site.as_deref().unwrap_or("")),
                    esc(server.fqdn.as_deref().unwrap_or("")),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "inventory-servers",
        &[
            "Server", "Product", "Build", "Support", "Roles", "Site", "FQDN",
        ],
        &rows,
    ));
    body.push_str("<h2>Send connectors</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .send_connectors
        .iter()
        .map(|c| {
            (
                String::new(),
                vec![
                    esc(&c.name),
                    if c.enabled { "enabled" } else { "disabled" }.to_owned(),
                    escaped_list(&c.address_spaces),
                    escaped_list(&c.source_servers),
                    escaped_list(&c.smart_hosts),
                    c.port.map_or_else(String::new, |p| p.to_string()),
                    esc(c.max_message_size.as_deref().unwrap_or("")),
                    esc(c.tls_domain.as_deref().unwrap_or("")),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "inventory-send",
        &[
            "Send connector",
            "State",
            "Address spaces",
            "Sources",
            "Smart hosts",
            "Port",
            "Max message size",
            "TLS domain",
        ],
        &rows,
    ));
    body.push_str(&other_connectors_section(&view.other_connectors));
    body.push_str("<h2>Receive connectors</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .receive_connectors
        .iter()
        .map(|c| {
            (
                if c.default { "" } else { "warning" }.to_owned(),
                vec![
                    esc(c.server.as_deref().unwrap_or("")),
                    esc(&c.name),
                    if c.default {
                        "default".to_owned()
                    } else {
                        "custom: re-create".to_owned()
                    },
                    escaped_list(&c.bindings),
                    escaped_list(&c.remote_ip_ranges),
                ],
            )
        })
        .collect();
    body.push_str(&table(
        "inventory-receive",
        &[
            "Server",
            "Receive connector",
            "Kind",
            "Bindings",
            "Remote IP ranges",
        ],
        &rows,
    ));
    body.push_str(&graph_section(&view.sources));
    page(
        out,
        "Transport inventory",
        "exconn inventory: servers, connectors and receive connectors of the organization.",
        &body,
        &view.sources.inputs,
        &view.sources.unreadable,
    )
}
