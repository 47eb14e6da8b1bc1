//! What a finding says and what fixes it: the English text and the
//! PowerShell commands of the analysis's [`Finding`]s, the names of their
//! codes and urgencies as every format shows them, and the sentence a
//! `diff` writes for a resolved one. Every report takes findings' words
//! from here.

use serde::Serializer;

use crate::analysis::coverage::{is_configuration, Coverage, Evidence};
use crate::analysis::diff::{FindingChange, FindingState};
use crate::analysis::findings::{Code, Conflicted, Facts, Finding, Urgency};
use crate::analysis::graph::Graph;
use crate::analysis::Organization;
use crate::diag::Located;
use crate::report::powershell::{
    connector_identity, other_connector_identity, quote, remove_command, remove_edge_subscription,
    Literals,
};

/// The code as shown.
pub(crate) fn code_name(code: Code) -> &'static str {
    match code {
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

/// The urgency as shown (`blocker`, `warning`, `info`).
pub(crate) fn urgency_name(urgency: Urgency) -> &'static str {
    match urgency {
        Urgency::Blocker => "blocker",
        Urgency::Warning => "warning",
        Urgency::Info => "info",
    }
}

/// Setup's message for `ServerIsSourceForSendConnector` (Bridgehead role removal).
pub(crate) fn setup_message(count: usize) -> String {
    format!(
        "This computer is configured as a source transport server for {count} connectors in the organization. \
         These must be moved or deleted before Setup can continue."
    )
}

/// Setup's message for `EdgeSubscriptionExists` (Edge Transport role removal).
pub(crate) const EDGE_SETUP_MESSAGE: &str = "The Edge subscription needs to be removed before uninstalling the Edge \
     Transport server role from this server. Run the Remove-EdgeSubscription cmdlet from the Exchange Management Shell.";

/// What a finding of `organization` says.
pub(crate) fn message(f: &Finding, organization: &Organization) -> String {
    let graph = &organization.graph;
    let server = || graph.servers[f.server.unwrap_or_default()].name.as_str();
    let connector = || {
        let index = f.connector.unwrap_or_default();
        graph.send_connectors[index].connector.name.as_str()
    };
    let count = match f.facts {
        Facts::SourceOf { connectors, .. } => connectors,
        _ => 0,
    };
    match f.code {
        Code::SendConnectorsNotInExport => not_shown_message(&organization.coverage),
        Code::ServerIsSourceForSendConnector => format!("{}: {}", server(), setup_message(count)),
        Code::EdgeServerIsSource => format!(
            "{} is an Edge Transport server: its Edge subscription makes it a source of {count} Send \
             connectors, and blocks its removal whatever they are. Setup (EdgeSubscriptionExists): \
             {EDGE_SETUP_MESSAGE}",
            server()
        ),
        Code::LastSourceOfConnector => match f.other_connector {
            Some(other) => {
                let node = &graph.other_connectors[other];
                format!(
                    "{} is the only source of {} '{}': removing it leaves the connector \
                     without a source (Setup does not count it)",
                    server(),
                    node.connector.kind.label(),
                    node.connector.name
                )
            }
            None => format!(
                "{} is the only source of Send connector '{}': removing it leaves the connector without a source",
                server(),
                connector()
            ),
        },
        Code::ConnectorWithoutSource => format!(
            "Send connector '{}' has no source transport server: routing ignores it \
             (MSExchangeTransport event 5014) and mail for its address spaces does not leave through it",
            connector()
        ),
        Code::SourceServerNotInExport => format!(
            "{} is a source of {count} Send connectors but its server object is not in the export \
             (partial export, or a server removed without uninstalling)",
            server()
        ),
        Code::UnresolvedSourceReference => {
            let reference = match f.facts {
                Facts::Unresolved { reference } => reference,
                _ => 0,
            };
            let index = f.connector.unwrap_or_default();
            let unresolved = &graph.send_connectors[index].unresolved[reference];
            format!(
                "Send connector '{}' lists source '{}', which {}",
                connector(),
                unresolved.reference,
                unresolved.reason
            )
        }
        Code::ConflictMangledObject => {
            let (kind, name) = conflicted(graph, f);
            format!(
                "{} '{name}' lost a naming conflict (CNF: in its name): the directory holds two \
                 objects where one was made, and one of them is usually stale",
                kind_label(kind)
            )
        }
    }
}

/// What fixes a finding of `organization`.
pub(crate) fn remedy(f: &Finding, organization: &Organization) -> String {
    let graph = &organization.graph;
    let server = || graph.servers[f.server.unwrap_or_default()].name.as_str();
    let connector = || connector_identity(graph, f.connector.unwrap_or_default());
    match f.code {
        Code::SendConnectorsNotInExport => not_shown_remedy(&organization.coverage),
        Code::ServerIsSourceForSendConnector => {
            let legacy = matches!(f.facts, Facts::SourceOf { legacy: true, .. });
            let esm = match legacy {
                true => "; for its Exchange 2003 connectors, Exchange System Manager (Set-SendConnector cannot change them)",
                false => "",
            };
            format!(
                "For each connector: Set-SendConnector -Identity <connector> -SourceTransportServers \
                 @{{Remove={}}} (add another source first where it is the only one){esm}",
                quote(server())
            )
        }
        Code::EdgeServerIsSource => format!(
            "{} (not Set-SendConnector)",
            remove_edge_subscription(server(), Literals::Readable)
        ),
        Code::LastSourceOfConnector => match (f.other_connector, f.server, f.connector) {
            (Some(other), _, _) => format!(
                "Set-{} -Identity {} -SourceTransportServers @{{Add=<new server>; Remove={}}}",
                graph.other_connectors[other].connector.kind.cmdlet_noun(),
                other_connector_identity(graph, other),
                quote(server())
            ),
            (None, Some(s), Some(c)) => remove_command(graph, s, c),
            _ => String::new(),
        },
        Code::ConnectorWithoutSource => {
            let identity = connector();
            format!(
                "Set-SendConnector -Identity {identity} -SourceTransportServers <server>, \
                 or Remove-SendConnector -Identity {identity}"
            )
        }
        Code::SourceServerNotInExport => format!(
            "Export CN=Servers too, or check Get-ExchangeServer {}; remove it from the connectors if it is gone",
            quote(server())
        ),
        Code::UnresolvedSourceReference => format!(
            "Review with Get-SendConnector {} | Format-List SourceTransportServers",
            connector()
        ),
        Code::ConflictMangledObject => {
            let cmdlet = match conflicted(graph, f).0 {
                Conflicted::SendConnector(_) => "SendConnector",
                Conflicted::RoutingGroupConnector(_) => "RoutingGroupConnector",
                Conflicted::Server(_) => "ExchangeServer",
            };
            format!(
                "Compare both (Get-{cmdlet} | Where-Object Name -like '*CNF:*' | Format-List \
                 Name,Guid,WhenChanged) and remove the stale one by its GUID"
            )
        }
    }
}

/// The object a `ConflictMangledObject` is about, and its name.
fn conflicted<'g>(graph: &'g Graph, f: &Finding) -> (Conflicted, &'g str) {
    let object = match f.facts {
        Facts::Conflict(object) => object,
        _ => Conflicted::SendConnector(f.connector.unwrap_or_default()),
    };
    let name = match object {
        Conflicted::SendConnector(i) => graph.send_connectors[i].connector.name.as_str(),
        Conflicted::RoutingGroupConnector(i) => {
            graph.routing_group_connectors[i].connector.name.as_str()
        }
        Conflicted::Server(i) => graph.servers[i]
            .object
            .as_ref()
            .map_or(graph.servers[i].name.as_str(), |o| o.name.as_str()),
    };
    (object, name)
}

/// How a conflict-mangled object's kind is named.
fn kind_label(object: Conflicted) -> &'static str {
    match object {
        Conflicted::SendConnector(_) => "Send connector",
        Conflicted::RoutingGroupConnector(_) => "routing group connector",
        Conflicted::Server(_) => "Exchange server",
    }
}

/// `SendConnectorsNotInExport`'s text: why the inputs cannot show the Send
/// connectors (or that they hold no Exchange organization at all).
fn not_shown_message(coverage: &Coverage) -> String {
    if let Some(held) = no_exchange(coverage) {
        return format!(
            "The inputs hold no Exchange organization: they hold {held}, and Exchange keeps its \
             configuration under CN=Microsoft Exchange,CN=Services in the configuration \
             partition. Whether a server is a source transport server (Setup's check \
             ServerIsSourceForSendConnector) cannot be told from them, so no server is reported \
             clear."
        );
    }
    format!(
        "The inputs cannot show this organization's Send connectors: {}. Whether a server is a \
         source transport server (Setup's check ServerIsSourceForSendConnector) cannot be told \
         from them, so no server is reported clear.",
        reason(coverage)
    )
}

/// Where and why an input is not whole (`line:col: reason`).
pub(crate) fn not_whole_reason(sign: &Located) -> String {
    format!("{}: {}", sign.position, sign.message)
}

/// Why the inputs could show the Send connectors, or what is missing.
pub(crate) fn reason(coverage: &Coverage) -> String {
    match &coverage.send_connectors {
        Evidence::Connectors { objects } => format!("the inputs hold {objects} Send connector(s)"),
        Evidence::Containers {
            objects,
            containers,
            routing_groups,
        } => format!(
            "the inputs hold {objects} Send connector(s) and the CN=Connections container of \
             {containers} of {routing_groups} routing group(s)"
        ),
        Evidence::SourcesUnknown { unknown, objects } => format!(
            "{unknown} of the {objects} Send connector(s) in the inputs do not say which \
             servers are their sources (a summary without SourceTransportServers, such as an older \
             HealthChecker file)"
        ),
        Evidence::Nothing => {
            "the inputs hold no Send connector and no CN=Connections container of a routing group"
                .to_owned()
        }
        Evidence::ConnectionsMissing(missing) => {
            let names: Vec<&str> = missing
                .iter()
                .map(|&i| coverage.routing_groups[i].name.as_str())
                .collect();
            format!(
                "the CN=Connections container of routing group(s) {} is not in the inputs",
                names.join(", ")
            )
        }
        Evidence::NotWhole => {
            let each: Vec<String> = coverage
                .not_whole
                .iter()
                .map(|sign| format!("{}:{}", sign.file, not_whole_reason(sign)))
                .collect();
            format!(
                "{} input(s) did not reach their proper end, so what they lack cannot be told \
                 ({})",
                each.len(),
                each.join("; ")
            )
        }
    }
}

/// `SendConnectorsNotInExport`'s remedy: the commands that export what is
/// missing (after getting the inputs that are not whole again).
fn not_shown_remedy(coverage: &Coverage) -> String {
    if no_exchange(coverage).is_some() {
        let assumed_forest = if coverage.holds_configuration() {
            ""
        } else {
            " (the domain read is taken for the forest root domain; in a forest of several \
             domains, use the DC= components of the root domain)"
        };
        return format!(
            "Export the forest's Exchange configuration and give that export: {}{assumed_forest}; \
             or, in the Exchange Management Shell: {}",
            coverage.ldifde_command(),
            Coverage::CMDLET_COMMAND
        );
    }
    if coverage.not_whole.is_empty() {
        return export_remedy(coverage);
    }
    format!(
        "Get the inputs that did not reach their proper end again, whole (a new copy of \
         the file, or a new export; an ldapsearch export paged with -E pr=1000/noprompt). \
         If the routing groups were not exported: {}",
        export_remedy(coverage)
    )
}

/// What the inputs hold when they hold no Exchange organization (and are
/// whole): `the domain partition DC=contoso,DC=com`, and so on.
fn no_exchange(coverage: &Coverage) -> Option<String> {
    let partitions = coverage
        .without_exchange()
        .filter(|_| coverage.not_whole.is_empty())?;
    let named: Vec<String> = partitions
        .iter()
        .map(|dn| match is_configuration(dn) {
            true => format!("the configuration partition {dn} without CN=Microsoft Exchange"),
            false => format!("the domain partition {dn}"),
        })
        .collect();
    Some(named.join(" and "))
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

/// What a finding that appeared or was resolved says: a new finding's own
/// message; for a resolved one, what its absence means (names from the two
/// sides' graphs, so redacted sides give redacted names).
pub(crate) fn change_message(
    change: &FindingChange,
    before: &Organization,
    after: &Organization,
) -> String {
    if change.state == FindingState::New {
        return change
            .finding(after)
            .map_or_else(|| "(withheld)".to_owned(), |f| message(f, after));
    }
    let graph = &before.graph;
    let server = change.server.map(|i| graph.servers[i].name.as_str());
    let connector = change
        .connector
        .map(|i| graph.send_connectors[i].connector.name.as_str());
    let server_after = change.server_after.map(|i| &after.graph.servers[i]);
    let gone = change.connector.is_some() && change.connector_after.is_none();
    match (change.code, server, connector) {
        (Code::ServerIsSourceForSendConnector, Some(s), _) => match server_after {
            Some(_) => format!("{s} is no longer a source: Setup's check passes"),
            None => format!("{s} is no longer a source, nor anywhere in the export"),
        },
        (Code::EdgeServerIsSource, Some(s), _) => {
            format!("{s} is no longer a source of Send connectors through an Edge subscription")
        }
        (Code::LastSourceOfConnector, Some(s), Some(c)) if gone => {
            format!(
                "{s} is no longer the only source of Send connector '{c}': the connector is gone"
            )
        }
        (Code::LastSourceOfConnector, Some(s), Some(c)) => {
            format!("{s} is no longer the only source of Send connector '{c}'")
        }
        (Code::ConnectorWithoutSource, _, Some(c)) if gone => {
            format!("Send connector '{c}', which had no source, is gone")
        }
        (Code::ConnectorWithoutSource, _, Some(c)) => {
            format!("Send connector '{c}' has a source transport server now")
        }
        (Code::UnresolvedSourceReference, _, Some(c)) if gone => {
            format!("Send connector '{c}', which listed a source that names no server, is gone")
        }
        (Code::UnresolvedSourceReference, _, Some(c)) => {
            format!("Send connector '{c}' no longer lists a source that names no server")
        }
        (Code::SourceServerNotInExport, Some(s), _) => match server_after {
            Some(node) if node.in_export() => {
                format!("the server object of {s} is in the export now")
            }
            _ => format!("{s} is no longer a source of Send connectors"),
        },
        _ => match change.finding(before) {
            Some(f) => format!("no longer found: {}", message(f, before)),
            None => "no longer found".to_owned(),
        },
    }
}

impl serde::Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(code_name(*self))
    }
}

impl serde::Serialize for Urgency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(urgency_name(*self))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(code_name(*self))
    }
}

impl std::fmt::Display for Urgency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(urgency_name(*self))
    }
}
