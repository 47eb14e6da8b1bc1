//! Findings: what a consultant must act on before removing servers.
//!
//! Each finding has a code, a severity and a remedy. The central one is
//! `ServerIsSourceForSendConnector`, Setup's own readiness check: every
//! `msExchRoutingSMTPConnector` whose sources name the server counts,
//! disabled ones included; routing group connectors never count.

use crate::analysis::coverage::Coverage;
use crate::analysis::graph::{Graph, ServerNode};
use crate::powershell::{
    connector_identity, other_connector_identity, quote, remove_edge_subscription, Literals,
};

/// How much a finding matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Setup will stop on it.
    Blocker,
    /// Mail flow or the analysis is at risk.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocker => "blocker",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// The inputs cannot show the organization's Send connectors: no
    /// verdict about sources can rest on them.
    SendConnectorsNotInExport,
    /// Setup's readiness check `ServerIsSourceForSendConnector`.
    ServerIsSourceForSendConnector,
    /// The server is the only source of a connector.
    LastSourceOfConnector,
    /// A connector has no source server: routing ignores it (event 5014).
    ConnectorWithoutSource,
    /// An Edge Transport server is a source through its Edge subscription
    /// (Setup's EdgeSubscriptionExists; fixed with Remove-EdgeSubscription).
    EdgeServerIsSource,
    /// A source server's object is not in the export.
    SourceServerNotInExport,
    /// A source reference names no server.
    UnresolvedSourceReference,
    /// An object lost a naming conflict (`\0ACNF:` in its name): the
    /// directory holds two objects where one was made.
    ConflictMangledObject,
}

impl Code {
    /// The code as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::SendConnectorsNotInExport => "SendConnectorsNotInExport",
            Code::ServerIsSourceForSendConnector => "ServerIsSourceForSendConnector",
            Code::LastSourceOfConnector => "LastSourceOfConnector",
            Code::ConnectorWithoutSource => "ConnectorWithoutSource",
            Code::EdgeServerIsSource => "EdgeServerIsSource",
            Code::SourceServerNotInExport => "SourceServerNotInExport",
            Code::UnresolvedSourceReference => "UnresolvedSourceReference",
            Code::ConflictMangledObject => "ConflictMangledObject",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// The server concerned (index into [`Graph::servers`]).
    pub server: Option<usize>,
    /// The Send connector concerned (index into [`Graph::send_connectors`]).
    pub connector: Option<usize>,
    /// The foreign or Delivery Agent connector concerned (index into
    /// [`Graph::other_connectors`]).
    pub other_connector: Option<usize>,
    /// What was found.
    pub message: String,
    /// What to do about it.
    pub remedy: String,
}

/// Setup's message for `ServerIsSourceForSendConnector` (Bridgehead role removal).
pub(crate) fn setup_message(count: usize) -> String {
    format!(
        "This computer is configured as a source transport server for {count} connectors in the organization. \
         These must be moved or deleted before Setup can continue."
    )
}

/// Setup's message for `EdgeSubscriptionExists` (Edge Transport role removal).
pub const EDGE_SETUP_MESSAGE: &str = "The Edge subscription needs to be removed before uninstalling the Edge \
     Transport server role from this server. Run the Remove-EdgeSubscription cmdlet from the Exchange Management Shell.";

/// Whether `server` is the only source of `connector` (and not an Edge,
/// whose connectors follow its subscription).
pub(crate) fn is_last_source(graph: &Graph, server: usize, connector: usize) -> bool {
    graph.send_connectors[connector].sources == [server] && !graph.servers[server].is_edge()
}

/// The finding that says the inputs cannot show the Send connectors, with
/// the commands that export them.
fn send_connectors_not_in_export(coverage: &Coverage) -> Finding {
    if let Some(held) = coverage
        .without_exchange()
        .filter(|_| coverage.not_whole.is_empty())
    {
        return no_exchange_organization(coverage, &held);
    }
    Finding {
        code: Code::SendConnectorsNotInExport,
        severity: Severity::Blocker,
        server: None,
        connector: None,
        other_connector: None,
        message: format!(
            "The inputs cannot show this organization's Send connectors: {}. Whether a server is a \
             source transport server (Setup's check ServerIsSourceForSendConnector) cannot be told \
             from them, so no server is reported clear.",
            coverage.send_connectors.reason()
        ),
        remedy: if coverage.not_whole.is_empty() {
            export_remedy(coverage)
        } else {
            format!(
                "Get the inputs that did not reach their proper end again, whole (a new copy of \
                 the file, or a new export; an ldapsearch export paged with -E pr=1000/noprompt). \
                 If the routing groups were not exported: {}",
                export_remedy(coverage)
            )
        },
    }
}

/// `SendConnectorsNotInExport` for inputs that hold a partition without
/// any Exchange object: what they hold, and the export of the forest's
/// Exchange configuration.
fn no_exchange_organization(coverage: &Coverage, held: &str) -> Finding {
    let assumed_forest = if coverage.holds_configuration() {
        String::new()
    } else {
        " (the domain read is taken for the forest root domain; in a forest of several \
         domains, use the DC= components of the root domain)"
            .to_owned()
    };
    Finding {
        code: Code::SendConnectorsNotInExport,
        severity: Severity::Blocker,
        server: None,
        connector: None,
        other_connector: None,
        message: format!(
            "The inputs hold no Exchange organization: they hold {held}, and Exchange keeps its \
             configuration under CN=Microsoft Exchange,CN=Services in the configuration \
             partition. Whether a server is a source transport server (Setup's check \
             ServerIsSourceForSendConnector) cannot be told from them, so no server is reported \
             clear."
        ),
        remedy: format!(
            "Export the forest's Exchange configuration and give that export: {}{assumed_forest}; \
             or, in the Exchange Management Shell: {}",
            coverage.ldifde_command(),
            Coverage::CMDLET_COMMAND
        ),
    }
}

/// The commands that export the routing groups.
fn export_remedy(coverage: &Coverage) -> String {
    format!(
        "Export the routing groups and give that export too: {}; or, in the Exchange \
         Management Shell: {}",
        coverage.ldifde_command(),
        Coverage::CMDLET_COMMAND
    )
}

/// The finding for an object whose name carries conflict mangling.
fn conflict_mangled(
    kind: &str,
    name: &str,
    conflict: bool,
    connector: Option<usize>,
) -> Option<Finding> {
    if !conflict {
        return None;
    }
    let cmdlet = match kind {
        "Send connector" => "SendConnector",
        "routing group connector" => "RoutingGroupConnector",
        _ => "ExchangeServer",
    };
    Some(Finding {
        code: Code::ConflictMangledObject,
        severity: Severity::Warning,
        server: None,
        connector,
        other_connector: None,
        message: format!(
            "{kind} '{name}' lost a naming conflict (CNF: in its name): the directory holds two \
             objects where one was made, and one of them is usually stale"
        ),
        remedy: format!(
            "Compare both (Get-{cmdlet} | Where-Object Name -like '*CNF:*' | Format-List \
             Name,Guid,WhenChanged) and remove the stale one by its GUID"
        ),
    })
}

/// Every finding of the graph, in a stable order (severity, code, server, connector).
pub fn analyze(graph: &Graph, coverage: &Coverage) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !coverage.send_connectors.is_shown() {
        findings.push(send_connectors_not_in_export(coverage));
    }
    for (index, node) in graph.send_connectors.iter().enumerate() {
        let c = &node.connector;
        findings.extend(conflict_mangled(
            "Send connector",
            &c.name,
            c.conflict,
            Some(index),
        ));
    }
    for node in &graph.routing_group_connectors {
        let c = &node.connector;
        findings.extend(conflict_mangled(
            "routing group connector",
            &c.name,
            c.conflict,
            None,
        ));
    }
    for server in graph.servers.iter().filter_map(|s| s.object.as_ref()) {
        findings.extend(conflict_mangled(
            "Exchange server",
            &server.name,
            server.conflict,
            None,
        ));
    }
    for (index, server) in graph.servers.iter().enumerate() {
        server_findings(graph, index, server, &mut findings);
    }
    for (index, node) in graph.send_connectors.iter().enumerate() {
        let name = &node.connector.name;
        let identity = connector_identity(graph, index);
        if node.sources.is_empty() {
            findings.push(Finding {
                code: Code::ConnectorWithoutSource,
                severity: Severity::Warning,
                server: None,
                connector: Some(index),
                other_connector: None,
                message: format!(
                    "Send connector '{name}' has no source transport server: routing ignores it \
                     (MSExchangeTransport event 5014) and mail for its address spaces does not leave through it"
                ),
                remedy: format!(
                    "Set-SendConnector -Identity {identity} -SourceTransportServers <server>, \
                     or Remove-SendConnector -Identity {identity}"
                ),
            });
        }
        for unresolved in &node.unresolved {
            findings.push(Finding {
                code: Code::UnresolvedSourceReference,
                severity: Severity::Warning,
                server: None,
                connector: Some(index),
                other_connector: None,
                message: format!(
                    "Send connector '{name}' lists source '{}', which {}",
                    unresolved.reference, unresolved.reason
                ),
                remedy: format!(
                    "Review with Get-SendConnector {identity} | Format-List SourceTransportServers"
                ),
            });
        }
    }
    findings.extend(last_sources_of_other_connectors(graph));
    findings.sort_by_key(|f| (f.severity, f.code, f.server, f.connector, f.other_connector));
    findings
}

/// `LastSourceOfConnector` for the foreign and Delivery Agent connectors
/// that have one source: Setup does not count them, but removing that
/// server leaves them without a source.
fn last_sources_of_other_connectors(graph: &Graph) -> impl Iterator<Item = Finding> + '_ {
    graph
        .other_connectors
        .iter()
        .enumerate()
        .filter_map(|(index, node)| match node.sources[..] {
            [server] => Some((index, node, &graph.servers[server].name, server)),
            _ => None,
        })
        .map(|(index, node, server_name, server)| {
            let kind = node.connector.kind;
            Finding {
                code: Code::LastSourceOfConnector,
                severity: Severity::Warning,
                server: Some(server),
                connector: None,
                other_connector: Some(index),
                message: format!(
                    "{server_name} is the only source of {} '{}': removing it leaves the connector \
                     without a source (Setup does not count it)",
                    kind.label(),
                    node.connector.name
                ),
                remedy: format!(
                    "Set-{} -Identity {} -SourceTransportServers @{{Add=<new server>; Remove={}}}",
                    kind.cmdlet_noun(),
                    other_connector_identity(graph, index),
                    quote(server_name)
                ),
            }
        })
}

fn server_findings(graph: &Graph, index: usize, server: &ServerNode, findings: &mut Vec<Finding>) {
    let count = server.send_connectors.len();
    if count == 0 && !server.is_edge() {
        return;
    }
    if server.is_edge() {
        // Setup's Bridgehead check does not run on an Edge; its own check,
        // EdgeSubscriptionExists, is what blocks, and the fix differs.
        findings.push(Finding {
            code: Code::EdgeServerIsSource,
            severity: Severity::Blocker,
            server: Some(index),
            connector: None,
            other_connector: None,
            message: format!(
                "{} is an Edge Transport server: its Edge subscription makes it a source of {count} Send \
                 connectors, and blocks its removal whatever they are. Setup (EdgeSubscriptionExists): \
                 {EDGE_SETUP_MESSAGE}",
                server.name
            ),
            remedy: format!("{} (not Set-SendConnector)", remove_edge_subscription(&server.name, Literals::Readable)),
        });
    } else {
        findings.push(Finding {
            code: Code::ServerIsSourceForSendConnector,
            severity: Severity::Blocker,
            server: Some(index),
            connector: None,
            other_connector: None,
            message: format!("{}: {}", server.name, setup_message(count)),
            remedy: if server
                .send_connectors
                .iter()
                .any(|&c| crate::analysis::plan::is_legacy(&graph.send_connectors[c].connector.dn))
            {
                format!(
                    "For each connector: Set-SendConnector -Identity <connector> -SourceTransportServers \
                     @{{Remove={}}} (add another source first where it is the only one); for its \
                     Exchange 2003 connectors, Exchange System Manager (Set-SendConnector cannot change them)",
                    quote(&server.name)
                )
            } else {
                format!(
                    "For each connector: Set-SendConnector -Identity <connector> -SourceTransportServers \
                     @{{Remove={}}} (add another source first where it is the only one)",
                    quote(&server.name)
                )
            },
        });
    }
    for &connector in &server.send_connectors {
        if is_last_source(graph, index, connector) {
            let node = &graph.send_connectors[connector];
            findings.push(Finding {
                code: Code::LastSourceOfConnector,
                severity: Severity::Warning,
                server: Some(index),
                connector: Some(connector),
                other_connector: None,
                message: format!(
                    "{} is the only source of Send connector '{}': removing it leaves the connector without a source",
                    server.name, node.connector.name
                ),
                remedy: crate::powershell::remove_command(graph, index, connector),
            });
        }
    }
    if !server.in_export() {
        findings.push(Finding {
            code: Code::SourceServerNotInExport,
            severity: Severity::Info,
            server: Some(index),
            connector: None,
            other_connector: None,
            message: format!(
                "{} is a source of {count} Send connectors but its server object is not in the export \
                 (partial export, or a server removed without uninstalling)",
                server.name
            ),
            remedy: format!(
                "Export CN=Servers too, or check Get-ExchangeServer {}; remove it from the connectors if it is gone",
                quote(&server.name)
            ),
        });
    }
}
