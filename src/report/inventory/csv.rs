//! The `inventory` report as one CSV table: one row per object, `kind`
//! saying which.

use std::io::{self, Write};

use super::InventoryView;
use crate::report::{csv, sources};
use crate::visible;

/// Writes one CSV table: one row per object, `kind` saying which; the
/// header row only when `header` (not for a further organization).
pub fn write_csv(out: &mut impl Write, view: &InventoryView, header: bool) -> io::Result<()> {
    let mut table = csv::writer(out);
    let mut row = |cells: &[&str]| -> io::Result<()> {
        table
            .write_record(cells.iter().map(|c| csv::cell(c)))
            .map_err(csv::io_error)
    };
    if header {
        row(&[
            "kind", "name", "server", "product", "version", "support", "status", "details",
        ])?;
    }
    for s in &view.servers {
        let details = format!(
            "roles: {}; site: {}; fqdn: {}",
            visible::or_dash(Some(&s.roles.join("; "))),
            visible::or_dash(s.site.as_deref()),
            visible::or_dash(s.fqdn.as_deref())
        );
        row(&[
            "server",
            &s.name,
            &s.name,
            s.product.unwrap_or(""),
            s.version.as_deref().unwrap_or(""),
            s.support.as_str(),
            s.support_ends.as_deref().unwrap_or(""),
            &details,
        ])?;
    }
    for c in &view.send_connectors {
        let details = format!(
            "address spaces: {}; smart hosts: {}; port: {}; max message size: {}",
            c.address_spaces.join(" "),
            c.smart_hosts.join(" "),
            c.port.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            visible::or_dash(c.max_message_size.as_deref())
        );
        row(&[
            "send connector",
            &c.name,
            &c.source_servers.join("; "),
            "",
            "",
            "",
            if c.enabled { "enabled" } else { "disabled" },
            &details,
        ])?;
    }
    for c in &view.routing_group_connectors {
        let details = format!("targets: {}", c.target_servers.join("; "));
        row(&[
            "routing group connector",
            &c.name,
            &c.source_servers.join("; "),
            "",
            "",
            "",
            "",
            &details,
        ])?;
    }
    for c in &view.other_connectors {
        let details = format!("address spaces: {}", c.address_spaces.join(" "));
        row(&[
            sources::kind_heading(c.kind),
            &c.name,
            &c.source_servers.join("; "),
            "",
            "",
            "",
            "",
            &details,
        ])?;
    }
    for c in &view.receive_connectors {
        let details = format!(
            "bindings: {}; remote IP ranges: {}",
            c.bindings.join(" "),
            c.remote_ip_ranges.join(" ")
        );
        row(&[
            "receive connector",
            &c.name,
            c.server.as_deref().unwrap_or(""),
            "",
            "",
            "",
            if c.default {
                "default"
            } else {
                "custom: re-create"
            },
            &details,
        ])?;
    }
    table.flush()
}
