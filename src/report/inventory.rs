//! The `inventory` report: servers with their support status, Send and
//! routing group connectors with their settings, receive connectors per
//! server (custom ones marked to re-create), as a table, JSON or CSV.

use crate::visible;
use std::io::{self, Write};

use serde::Serialize;

use crate::graph::Graph;
use crate::input::InputInfo;
use crate::inventory::Inventory;
use crate::model::Support;
use crate::report::csv;

/// The JSON schema version of the `inventory` report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct InventoryJson<'a> {
    schema_version: u32,
    tool_version: &'static str,
    date: &'a str,
    inputs: Vec<super::InputSummary<'a>>,
    findings: Vec<super::FindingSummary<'a>>,
    servers: Vec<ServerJson<'a>>,
    send_connectors: Vec<SendJson<'a>>,
    routing_group_connectors: Vec<RoutingGroupJson<'a>>,
    receive_connectors: Vec<ReceiveJson<'a>>,
}

#[derive(Serialize)]
struct ServerJson<'a> {
    name: &'a str,
    in_export: bool,
    product: Option<&'static str>,
    version: Option<String>,
    support: &'static str,
    support_ends: Option<&'static str>,
    roles: Vec<&'static str>,
    site: Option<&'a str>,
    fqdn: Option<&'a str>,
}

#[derive(Serialize)]
struct SendJson<'a> {
    name: &'a str,
    dn: String,
    enabled: bool,
    address_spaces: Vec<&'a str>,
    smart_hosts: &'a [String],
    port: Option<u16>,
    fqdn: Option<&'a str>,
    max_message_size: Option<&'a str>,
    tls_domain: Option<&'a str>,
    protocol_logging: Option<&'a str>,
    source_ip: Option<&'a str>,
    source_servers: Vec<&'a str>,
}

#[derive(Serialize)]
struct RoutingGroupJson<'a> {
    name: &'a str,
    dn: String,
    source_servers: Vec<&'a str>,
    target_servers: Vec<&'a str>,
}

#[derive(Serialize)]
struct ReceiveJson<'a> {
    server: Option<&'a str>,
    name: &'a str,
    default: bool,
    recreate: bool,
    enabled: bool,
    bindings: &'a [String],
    remote_ip_ranges: &'a [String],
    fqdn: Option<&'a str>,
    role: Option<&'a str>,
}

fn support(status: Support) -> (&'static str, Option<&'static str>) {
    match status {
        Support::Supported(end) => ("supported", end),
        Support::Ended(end) => ("out of support", Some(end)),
        Support::Unknown => ("unknown", None),
    }
}

fn names<'g>(graph: &'g Graph, servers: &[usize]) -> Vec<&'g str> {
    servers
        .iter()
        .map(|&s| graph.servers[s].name.as_str())
        .collect()
}

/// Server names for a person, comma-separated.
fn shown_names(graph: &Graph, servers: &[usize]) -> String {
    names(graph, servers)
        .iter()
        .map(|name| visible::name(name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes the inventory as one JSON document: pretty, or compact on one
/// line when `lines` (JSON Lines, one document per organization).
pub fn write_json(
    out: &mut impl Write,
    inventory: &Inventory,
    graph: &Graph,
    inputs: &[InputInfo],
    lines: bool,
) -> io::Result<()> {
    let servers = inventory
        .servers
        .iter()
        .map(|line| {
            let node = &graph.servers[line.server];
            let object = node.object.as_ref();
            let (status, ends) = support(line.support);
            ServerJson {
                name: &node.name,
                in_export: object.is_some(),
                product: line.product.map(|p| p.name()),
                version: object.and_then(|o| o.version).map(|v| v.to_string()),
                support: status,
                support_ends: ends,
                roles: object
                    .and_then(|o| o.roles)
                    .map(|r| r.names())
                    .unwrap_or_default(),
                site: object.and_then(|o| o.site.as_deref()),
                fqdn: object.and_then(|o| o.fqdn.as_deref()),
            }
        })
        .collect();
    let send_connectors = graph
        .send_connectors
        .iter()
        .map(|node| {
            let c = &node.connector;
            SendJson {
                name: &c.name,
                dn: c.dn.to_string(),
                enabled: c.enabled,
                address_spaces: c.address_spaces.iter().map(|a| a.raw.as_str()).collect(),
                smart_hosts: &c.smart_hosts,
                port: c.port,
                fqdn: c.fqdn.as_deref(),
                max_message_size: c.max_message_size.as_deref(),
                tls_domain: c.tls_domain.as_deref(),
                protocol_logging: c.protocol_logging.as_deref(),
                source_ip: c.source_ip.as_deref(),
                source_servers: names(graph, &node.sources),
            }
        })
        .collect();
    let routing_group_connectors = graph
        .routing_group_connectors
        .iter()
        .map(|node| RoutingGroupJson {
            name: &node.connector.name,
            dn: node.connector.dn.to_string(),
            source_servers: names(graph, &node.sources),
            target_servers: names(graph, &node.targets),
        })
        .collect();
    let receive_connectors = receive_rows(inventory, graph)
        .map(|row| {
            let c = &graph.receive_connectors[row.connector].connector;
            ReceiveJson {
                server: row.server,
                name: &c.name,
                default: row.default,
                recreate: !row.default,
                enabled: c.enabled,
                bindings: &c.bindings,
                remote_ip_ranges: &c.remote_ip_ranges,
                fqdn: c.fqdn.as_deref(),
                role: c.role.as_deref(),
            }
        })
        .collect();
    let doc = InventoryJson {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        date: &inventory.date,
        inputs: super::input_summaries(inputs),
        findings: super::finding_summaries(inventory.not_shown.as_ref()),
        servers,
        send_connectors,
        routing_group_connectors,
        receive_connectors,
    };
    if lines {
        serde_json::to_writer(&mut *out, &doc)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &doc)?;
    }
    out.write_all(b"\n")
}

/// One receive connector with its server, defaults first per server.
struct ReceiveRow<'g> {
    server: Option<&'g str>,
    connector: usize,
    default: bool,
}

fn receive_rows<'g>(
    inventory: &'g Inventory,
    graph: &'g Graph,
) -> impl Iterator<Item = ReceiveRow<'g>> + 'g {
    let owned = inventory.servers.iter().flat_map(move |line| {
        line.receive_connectors
            .iter()
            .map(move |&(connector, default)| ReceiveRow {
                server: Some(graph.servers[line.server].name.as_str()),
                connector,
                default,
            })
    });
    let orphans = inventory
        .orphan_receive_connectors
        .iter()
        .map(|&connector| ReceiveRow {
            server: None,
            connector,
            default: false,
        });
    owned.chain(orphans)
}

/// A value for a person (escaped by [`visible::text`]), or `-`.
fn or_dash(text: Option<&str>) -> std::borrow::Cow<'_, str> {
    visible::text(text.filter(|t| !t.is_empty()).unwrap_or("-"))
}

/// Values for a person, or `-`.
fn joined(items: &[String]) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        visible::text(&items.join(", ")).into_owned()
    }
}

/// Writes the inventory for a person.
pub fn write_table(out: &mut impl Write, inventory: &Inventory, graph: &Graph) -> io::Result<()> {
    super::write_notice(out, inventory.not_shown.as_ref())?;
    writeln!(
        out,
        "Servers ({}), support as of {}:",
        inventory.servers.len(),
        inventory.date
    )?;
    for line in &inventory.servers {
        let node = &graph.servers[line.server];
        let object = node.object.as_ref();
        let product = line.product.map_or("unknown product", |p| p.name());
        let version = object
            .and_then(|o| o.version)
            .map_or_else(|| "-".to_owned(), |v| v.to_string());
        let status = match line.support {
            Support::Supported(Some(end)) => format!("supported until {end}"),
            Support::Supported(None) => "supported".to_owned(),
            Support::Ended(end) => format!("OUT OF SUPPORT since {end}"),
            Support::Unknown => "support unknown".to_owned(),
        };
        writeln!(
            out,
            "  {}  {product} {version}  {status}",
            visible::name(&node.name)
        )?;
        if let Some(object) = object {
            let roles = object.roles.map(|r| r.names().join(", "));
            writeln!(
                out,
                "      roles: {}  site: {}  fqdn: {}",
                or_dash(roles.as_deref()),
                or_dash(object.site.as_deref()),
                or_dash(object.fqdn.as_deref())
            )?;
        } else {
            writeln!(out, "      not in the export (known from references)")?;
        }
    }
    writeln!(out)?;
    writeln!(out, "Send connectors ({}):", graph.send_connectors.len())?;
    for node in &graph.send_connectors {
        let c = &node.connector;
        let state = if c.enabled { "enabled" } else { "disabled" };
        writeln!(out, "  {} ({state})", visible::name(&c.name))?;
        let spaces: Vec<String> = c.address_spaces.iter().map(|a| a.raw.clone()).collect();
        writeln!(out, "      address spaces: {}", joined(&spaces))?;
        writeln!(
            out,
            "      sources: {}",
            joined(
                &names(graph, &node.sources)
                    .iter()
                    .map(|s| visible::name(s).into_owned())
                    .collect::<Vec<_>>()
            )
        )?;
        writeln!(
            out,
            "      smart hosts: {}  port: {}  fqdn: {}",
            joined(&c.smart_hosts),
            c.port.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            or_dash(c.fqdn.as_deref())
        )?;
        writeln!(
            out,
            "      max message size: {}  TLS domain: {}  protocol logging: {}  source IP: {}",
            or_dash(c.max_message_size.as_deref()),
            or_dash(c.tls_domain.as_deref()),
            or_dash(c.protocol_logging.as_deref()),
            or_dash(c.source_ip.as_deref())
        )?;
    }
    if !graph.routing_group_connectors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Routing group connectors ({}):",
            graph.routing_group_connectors.len()
        )?;
        for node in &graph.routing_group_connectors {
            writeln!(
                out,
                "  {}: {} -> {}",
                visible::name(&node.connector.name),
                shown_names(graph, &node.sources),
                shown_names(graph, &node.targets)
            )?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "Receive connectors ({}):",
        graph.receive_connectors.len()
    )?;
    for row in receive_rows(inventory, graph) {
        let c = &graph.receive_connectors[row.connector].connector;
        let kind = if row.default {
            "default"
        } else {
            "CUSTOM: re-create on the new servers"
        };
        let state = if c.enabled { "" } else { ", disabled" };
        writeln!(
            out,
            "  {} / {} ({kind}{state})",
            row.server
                .map_or(std::borrow::Cow::Borrowed("-"), visible::name),
            visible::name(&c.name)
        )?;
        writeln!(
            out,
            "      bindings: {}  remote IP ranges: {}",
            joined(&c.bindings),
            joined(&c.remote_ip_ranges)
        )?;
    }
    let custom =
        inventory.custom_receive_connectors().count() + inventory.orphan_receive_connectors.len();
    writeln!(out)?;
    writeln!(
        out,
        "{} custom receive connector(s) to re-create on the new servers.",
        custom
    )
}

/// Writes one CSV table: one row per object, `kind` saying which; the
/// header row only when `header` (not for a further organization).
pub fn write_csv(
    out: &mut impl Write,
    inventory: &Inventory,
    graph: &Graph,
    header: bool,
) -> io::Result<()> {
    let row = |out: &mut dyn Write, cells: &[&str]| -> io::Result<()> {
        let cells: Vec<String> = cells.iter().map(|c| csv::field(c)).collect();
        writeln!(out, "{}", cells.join(","))
    };
    if header {
        row(
            out,
            &[
                "kind", "name", "server", "product", "version", "support", "status", "details",
            ],
        )?;
    }
    for line in &inventory.servers {
        let node = &graph.servers[line.server];
        let object = node.object.as_ref();
        let (status, ends) = support(line.support);
        let version = object.and_then(|o| o.version).map(|v| v.to_string());
        let roles = object.and_then(|o| o.roles).map(|r| r.names().join("; "));
        let details = format!(
            "roles: {}; site: {}; fqdn: {}",
            or_dash(roles.as_deref()),
            or_dash(object.and_then(|o| o.site.as_deref())),
            or_dash(object.and_then(|o| o.fqdn.as_deref()))
        );
        row(
            out,
            &[
                "server",
                &node.name,
                &node.name,
                line.product.map_or("", |p| p.name()),
                version.as_deref().unwrap_or(""),
                status,
                ends.unwrap_or(""),
                &details,
            ],
        )?;
    }
    for node in &graph.send_connectors {
        let c = &node.connector;
        let spaces: Vec<&str> = c.address_spaces.iter().map(|a| a.raw.as_str()).collect();
        let details = format!(
            "address spaces: {}; smart hosts: {}; port: {}; max message size: {}",
            spaces.join(" "),
            c.smart_hosts.join(" "),
            c.port.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            or_dash(c.max_message_size.as_deref())
        );
        row(
            out,
            &[
                "send connector",
                &c.name,
                &names(graph, &node.sources).join("; "),
                "",
                "",
                "",
                if c.enabled { "enabled" } else { "disabled" },
                &details,
            ],
        )?;
    }
    for node in &graph.routing_group_connectors {
        let details = format!("targets: {}", names(graph, &node.targets).join("; "));
        row(
            out,
            &[
                "routing group connector",
                &node.connector.name,
                &names(graph, &node.sources).join("; "),
                "",
                "",
                "",
                "",
                &details,
            ],
        )?;
    }
    for r in receive_rows(inventory, graph) {
        let c = &graph.receive_connectors[r.connector].connector;
        let details = format!(
            "bindings: {}; remote IP ranges: {}",
            c.bindings.join(" "),
            c.remote_ip_ranges.join(" ")
        );
        row(
            out,
            &[
                "receive connector",
                &c.name,
                r.server.unwrap_or(""),
                "",
                "",
                "",
                if r.default {
                    "default"
                } else {
                    "custom: re-create"
                },
                &details,
            ],
        )?;
    }
    Ok(())
}
