//! The `inventory` report as a self-contained HTML page.

use std::io::{self, Write};

use super::InventoryView;
use crate::report::diagram::xml_text as esc;
use crate::report::html::{
    escaped_list, graph_section, notice, other_connectors_section, page, table,
};

/// The `inventory` report as HTML.
pub fn write_html(out: &mut impl Write, view: &InventoryView) -> io::Result<()> {
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
            let class = if server.support == super::SupportStatus::Ended {
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
                    esc(&super::support_text(server)),
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
