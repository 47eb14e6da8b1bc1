//! The `inventory` report: servers with their support status, Send and
//! routing group connectors with their settings, receive connectors per
//! server (custom ones marked to re-create). [`InventoryView`] is the view
//! every format renders: a table, JSON (the view itself), CSV, and HTML.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::graph::Graph;
use crate::analysis::inventory::Inventory;
use crate::analysis::Organization;
use crate::model::Support;
use crate::report::csv;
use crate::report::sources::{self, OtherConnectorView, SourcesReport};
use crate::report::{FindingSummary, InputSummary};
use crate::visible;

mod html;

pub use html::write_html;

/// The JSON schema version of the `inventory` report.
pub const SCHEMA_VERSION: u32 = 1;

/// A server and its support status.
#[derive(Clone, Debug, Serialize)]
pub struct ServerRow {
    /// Its name.
    pub name: String,
    /// Whether its object is in the inputs.
    pub in_export: bool,
    /// Product name.
    pub product: Option<&'static str>,
    /// Build.
    pub version: Option<String>,
    /// `supported`, `out of support` or `unknown`.
    pub support: SupportStatus,
    /// When support ends or ended.
    pub support_ends: Option<String>,
    /// Role names.
    pub roles: Vec<&'static str>,
    /// AD site.
    pub site: Option<String>,
    /// FQDN.
    pub fqdn: Option<String>,
}

/// A Send connector and its settings.
#[derive(Clone, Debug, Serialize)]
pub struct SendRow {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: String,
    /// Enabled.
    pub enabled: bool,
    /// Address spaces as stored.
    pub address_spaces: Vec<String>,
    /// Smart hosts.
    pub smart_hosts: Vec<String>,
    /// Port.
    pub port: Option<u16>,
    /// FQDN.
    pub fqdn: Option<String>,
    /// Maximum message size.
    pub max_message_size: Option<String>,
    /// TLS domain.
    pub tls_domain: Option<String>,
    /// Protocol logging level.
    pub protocol_logging: Option<String>,
    /// Source IP address.
    pub source_ip: Option<String>,
    /// Source servers.
    pub source_servers: Vec<String>,
}

/// A routing group connector and its bridgeheads.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingGroupRow {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: String,
    /// Source bridgeheads.
    pub source_servers: Vec<String>,
    /// Target bridgeheads.
    pub target_servers: Vec<String>,
}

/// A receive connector, Setup's or custom.
#[derive(Clone, Debug, Serialize)]
pub struct ReceiveRow {
    /// Its server, when the DN names one.
    pub server: Option<String>,
    /// Its name.
    pub name: String,
    /// One of those Setup creates.
    pub default: bool,
    /// Custom: to re-create on the new servers.
    pub recreate: bool,
    /// Enabled.
    pub enabled: bool,
    /// Bindings.
    pub bindings: Vec<String>,
    /// Remote IP ranges.
    pub remote_ip_ranges: Vec<String>,
    /// FQDN.
    pub fqdn: Option<String>,
    /// Transport role.
    pub role: Option<String>,
}

/// The whole inventory of one organization; its JSON form is the contract.
#[derive(Clone, Debug, Serialize)]
pub struct InventoryView {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The exconn version that wrote it.
    pub tool_version: &'static str,
    /// The date support is judged on.
    pub date: String,
    /// What each input was.
    pub inputs: Vec<InputSummary>,
    /// Blockers that come before everything (the inputs cannot show the
    /// Send connectors).
    pub findings: Vec<FindingSummary>,
    /// Every server.
    pub servers: Vec<ServerRow>,
    /// Every Send connector.
    pub send_connectors: Vec<SendRow>,
    /// Every routing group connector.
    pub routing_group_connectors: Vec<RoutingGroupRow>,
    /// Every foreign and Delivery Agent connector.
    pub other_connectors: Vec<OtherConnectorView>,
    /// Every receive connector, per server, Setup's first.
    pub receive_connectors: Vec<ReceiveRow>,
    /// The organization's sources view, for the HTML page's graph and footer.
    #[serde(skip)]
    pub sources: SourcesReport,
}

/// Whether Microsoft supports a server's product, as the reports name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupportStatus {
    /// Supported (possibly until a known date).
    Supported,
    /// Support has ended.
    Ended,
    /// The product is not known.
    Unknown,
}

impl SupportStatus {
    /// `supported`, `out of support` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportStatus::Supported => "supported",
            SupportStatus::Ended => "out of support",
            SupportStatus::Unknown => "unknown",
        }
    }
}

impl Serialize for SupportStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn support(status: Support) -> (SupportStatus, Option<String>) {
    match status {
        Support::Supported(end) => (SupportStatus::Supported, end.map(|d| d.to_string())),
        Support::Ended(end) => (SupportStatus::Ended, Some(end.to_string())),
        Support::Unknown => (SupportStatus::Unknown, None),
    }
}

fn names(graph: &Graph, servers: &[usize]) -> Vec<String> {
    servers
        .iter()
        .map(|&s| graph.servers[s].name.clone())
        .collect()
}

impl InventoryView {
    /// The view of `inventory`, computed on `organization`'s graph.
    pub fn new(inventory: &Inventory, organization: &Organization) -> InventoryView {
        let graph = &organization.graph;
        let servers = inventory
            .servers
            .iter()
            .map(|line| {
                let node = &graph.servers[line.server];
                let object = node.object.as_ref();
                let (status, ends) = support(line.support);
                ServerRow {
                    name: node.name.clone(),
                    in_export: object.is_some(),
                    product: line.product.map(|p| p.name()),
                    version: object.and_then(|o| o.version).map(|v| v.to_string()),
                    support: status,
                    support_ends: ends,
                    roles: object
                        .and_then(|o| o.roles)
                        .map(|r| r.names())
                        .unwrap_or_default(),
                    site: object.and_then(|o| o.site.clone()),
                    fqdn: object.and_then(|o| o.fqdn.clone()),
                }
            })
            .collect();
        let send_connectors = graph
            .send_connectors
            .iter()
            .map(|node| {
                let c = &node.connector;
                SendRow {
                    name: c.name.clone(),
                    dn: c.dn.to_string(),
                    enabled: c.enabled,
                    address_spaces: c.address_spaces.iter().map(|a| a.raw.clone()).collect(),
                    smart_hosts: c.smart_hosts.clone(),
                    port: c.port,
                    fqdn: c.fqdn.clone(),
                    max_message_size: c.max_message_size.clone(),
                    tls_domain: c.tls_domain.clone(),
                    protocol_logging: c.protocol_logging.clone(),
                    source_ip: c.source_ip.clone(),
                    source_servers: names(graph, &node.sources),
                }
            })
            .collect();
        let routing_group_connectors = graph
            .routing_group_connectors
            .iter()
            .map(|node| RoutingGroupRow {
                name: node.connector.name.clone(),
                dn: node.connector.dn.to_string(),
                source_servers: names(graph, &node.sources),
                target_servers: names(graph, &node.targets),
            })
            .collect();
        let sources = SourcesReport::new(organization);
        InventoryView {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            date: inventory.date.to_string(),
            inputs: super::input_summaries(&sources.inputs),
            findings: super::finding_summaries(inventory.not_shown.as_ref(), organization),
            servers,
            send_connectors,
            routing_group_connectors,
            other_connectors: OtherConnectorView::all(graph),
            receive_connectors: receive_rows(inventory, graph),
            sources,
        }
    }

    /// Custom receive connectors: to re-create on the new servers.
    pub fn custom_receive_connectors(&self) -> usize {
        self.receive_connectors
            .iter()
            .filter(|r| r.recreate)
            .count()
    }
}

/// Receive connectors with their server, Setup's first per server, then
/// those whose server is not known.
fn receive_rows(inventory: &Inventory, graph: &Graph) -> Vec<ReceiveRow> {
    let row = |server: Option<&str>, connector: usize, default: bool| {
        let c = &graph.receive_connectors[connector].connector;
        ReceiveRow {
            server: server.map(str::to_owned),
            name: c.name.clone(),
            default,
            recreate: !default,
            enabled: c.enabled,
            bindings: c.bindings.clone(),
            remote_ip_ranges: c.remote_ip_ranges.clone(),
            fqdn: c.fqdn.clone(),
            role: c.role.clone(),
        }
    };
    let owned = inventory.servers.iter().flat_map(|line| {
        let server = graph.servers[line.server].name.as_str();
        line.receive_connectors
            .iter()
            .map(move |&(connector, default)| row(Some(server), connector, default))
    });
    let orphans = inventory
        .orphan_receive_connectors
        .iter()
        .map(|&connector| row(None, connector, false));
    owned.chain(orphans).collect()
}

/// Writes the inventory as one JSON document: pretty, or compact on one
/// line when `lines` (JSON Lines, one document per organization).
pub fn write_json(out: &mut impl Write, view: &InventoryView, lines: bool) -> io::Result<()> {
    if lines {
        serde_json::to_writer(&mut *out, view)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, view)?;
    }
    out.write_all(b"\n")
}

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

/// How support is shown to a person.
pub(super) fn support_text(server: &ServerRow) -> String {
    match (server.support, &server.support_ends) {
        (SupportStatus::Supported, Some(end)) => format!("supported until {end}"),
        (SupportStatus::Ended, Some(end)) => format!("out of support since {end}"),
        (status, _) => status.as_str().to_owned(),
    }
}

/// Writes the inventory for a person.
pub fn write_table(out: &mut impl Write, view: &InventoryView) -> io::Result<()> {
    super::write_notice(out, &view.findings)?;
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
