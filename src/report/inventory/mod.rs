//! The `inventory` report: servers with their support status, Send and
//! routing group connectors with their settings, receive connectors per
//! server (custom ones marked to re-create). [`InventoryView`] is the view
//! every format renders: a table, JSON (the view itself), CSV, and HTML.
//! This file owns the view and how it is built; each format has its own file
//! (`text`, `json`, `csv`, `html`).

use serde::Serialize;

use crate::analysis::graph::Graph;
use crate::analysis::inventory::Inventory;
use crate::analysis::Organization;
use crate::model::Support;
use crate::report::sources::{OtherConnectorView, SourcesReport};
use crate::report::{FindingSummary, InputSummary};

mod csv;
mod html;
mod json;
mod text;

pub use self::csv::write_csv;
pub use self::html::write_html;
pub use self::json::write_json;
pub use self::text::write_table;

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

/// How support is shown to a person.
pub(super) fn support_text(server: &ServerRow) -> String {
    match (server.support, &server.support_ends) {
        (SupportStatus::Supported, Some(end)) => format!("supported until {end}"),
        (SupportStatus::Ended, Some(end)) => format!("out of support since {end}"),
        (status, _) => status.as_str().to_owned(),
    }
}
