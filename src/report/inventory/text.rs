//! The `inventory` report for a person: a terminal listing of the servers,
//! the Send, routing group, foreign and receive connectors.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{support_text, InventoryView, SupportStatus};
use crate::report::sources;
use crate::visible;

/// Values for a person, or `-`.
fn shown_values(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        visible::text(&items.join(", ")).into_owned()
    }
}

/// Names for a person, each as [`visible::name`] shows it, or `-`.
fn shown_names(names: &[String]) -> String {
    if names.is_empty() {
        return "-".to_owned();
    }
    names
        .iter()
        .map(|name| visible::name(name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the inventory for a person.
pub fn write_table(out: &mut impl Write, view: &InventoryView) -> io::Result<()> {
    crate::report::write_notice(out, &view.findings)?;
    writeln!(
        out,
        "Servers ({}), support as of {}:",
        view.servers.len(),
        view.date
    )?;
    for server in &view.servers {
        let product = server.product.unwrap_or("unknown product");
        let version = server.version.as_deref().unwrap_or("-");
        let status = match server.support {
            SupportStatus::Unknown => "support unknown".to_owned(),
            _ => support_text(server),
        };
        writeln!(
            out,
            "  {}  {product} {version}  {status}",
            visible::name(&server.name)
        )?;
        if server.in_export {
            writeln!(
                out,
                "      roles: {}  site: {}  fqdn: {}",
                visible::or_dash(Some(&server.roles.join(", "))),
                visible::or_dash(server.site.as_deref()),
                visible::or_dash(server.fqdn.as_deref())
            )?;
        } else {
            writeln!(out, "      not in the export (known from references)")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Send connectors ({}):", view.send_connectors.len())?;
    for c in &view.send_connectors {
        let state = if c.enabled { "enabled" } else { "disabled" };
        writeln!(out, "  {} ({state})", visible::name(&c.name))?;
        writeln!(
            out,
            "      address spaces: {}",
            shown_values(&c.address_spaces)
        )?;
        writeln!(out, "      sources: {}", shown_names(&c.source_servers))?;
        writeln!(
            out,
            "      smart hosts: {}  port: {}  fqdn: {}",
            shown_values(&c.smart_hosts),
            c.port.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            visible::or_dash(c.fqdn.as_deref())
        )?;
        writeln!(
            out,
            "      max message size: {}  TLS domain: {}  protocol logging: {}  source IP: {}",
            visible::or_dash(c.max_message_size.as_deref()),
            visible::or_dash(c.tls_domain.as_deref()),
            visible::or_dash(c.protocol_logging.as_deref()),
            visible::or_dash(c.source_ip.as_deref())
        )?;
    }
    if !view.routing_group_connectors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Routing group connectors ({}):",
            view.routing_group_connectors.len()
        )?;
        for c in &view.routing_group_connectors {
            writeln!(
                out,
                "  {}: {} -> {}",
                visible::name(&c.name),
                shown_names(&c.source_servers),
                shown_names(&c.target_servers)
            )?;
        }
    }
    if !view.other_connectors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Foreign and Delivery Agent connectors ({}; Setup does not count them):",
            view.other_connectors.len()
        )?;
        for c in &view.other_connectors {
            writeln!(
                out,
                "  {} ({}): {}  sources: {}",
                visible::name(&c.name),
                sources::kind_label(c.kind),
                shown_values(&c.address_spaces),
                shown_names(&c.source_servers)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Receive connectors ({}):",
        view.receive_connectors.len()
    )?;
    for c in &view.receive_connectors {
        let kind = if c.default {
            "default"
        } else {
            "CUSTOM: re-create on the new servers"
        };
        let state = if c.enabled { "" } else { ", disabled" };
        writeln!(
            out,
            "  {} / {} ({kind}{state})",
            c.server
                .as_deref()
                .map_or(Cow::Borrowed("-"), visible::name),
            visible::name(&c.name)
        )?;
        writeln!(
            out,
            "      bindings: {}  remote IP ranges: {}",
            shown_values(&c.bindings),
            shown_values(&c.remote_ip_ranges)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} custom receive connector(s) to re-create on the new servers.",
        view.custom_receive_connectors()
    )
}
