//! How a [`SourcesReport`] is built from one organization's analysis: the
//! graph, the findings (their text from `report/findings`), the coverage,
//! the inputs and the diagnostics.

use super::{
    ConnectorView, CoverageView, DiagnosticView, FindingView, InputView, NotWholeView,
    OtherConnectorView, RoutingGroupCoverageView, RoutingGroupView, ServerView, SourcesReport,
    SummaryView, UnreadableView, SCHEMA_VERSION,
};
use crate::analysis::findings::{Code, Facts, Urgency};
use crate::analysis::Organization;
use crate::report::findings;

impl SourcesReport {
    /// The view of one organization's analysis.
    pub fn new(analysis: &Organization) -> SourcesReport {
        let graph = &analysis.graph;
        let server_names = |indices: &[usize]| {
            indices
                .iter()
                .map(|&i| graph.servers[i].name.clone())
                .collect()
        };
        let inputs = InputView::all(analysis);
        let servers: Vec<ServerView> = graph
            .servers
            .iter()
            .map(|node| {
                let object = node.object.as_ref();
                let version = object.and_then(|s| s.version);
                ServerView {
                    name: node.name.clone(),
                    dn: node.dn.as_ref().map(ToString::to_string),
                    in_export: node.in_export(),
                    product: version.map(|v| v.product().name()),
                    version: version.map(|v| v.to_string()),
                    roles: object
                        .and_then(|s| s.roles)
                        .map(|r| r.names())
                        .unwrap_or_default(),
                    site: object.and_then(|s| s.site.clone()),
                    edge: node.is_edge(),
                    fqdn: object.and_then(|s| s.fqdn.clone()),
                    send_connectors: node
                        .send_connectors
                        .iter()
                        .map(|&c| graph.send_connectors[c].connector.name.clone())
                        .collect(),
                    other_connectors: node
                        .other_connectors
                        .iter()
                        .map(|&c| graph.other_connectors[c].connector.name.clone())
                        .collect(),
                    connectors: node.send_connectors.clone(),
                }
            })
            .collect();
        let send_connectors: Vec<ConnectorView> = graph
            .send_connectors
            .iter()
            .map(|node| {
                let c = &node.connector;
                ConnectorView {
                    name: c.name.clone(),
                    dn: c.dn.to_string(),
                    enabled: c.enabled,
                    address_spaces: c.address_spaces.iter().map(|a| a.raw.clone()).collect(),
                    scoped: c.address_spaces.first().is_some_and(|a| a.scoped),
                    smart_hosts: c.smart_hosts.clone(),
                    port: c.port,
                    fqdn: c.fqdn.clone(),
                    source_servers: server_names(&node.sources),
                    unresolved_sources: node
                        .unresolved
                        .iter()
                        .map(|u| u.reference.clone())
                        .collect(),
                    sources: node.sources.clone(),
                }
            })
            .collect();
        let routing_group_connectors = graph
            .routing_group_connectors
            .iter()
            .map(|node| RoutingGroupView {
                name: node.connector.name.clone(),
                dn: node.connector.dn.to_string(),
                source_servers: server_names(&node.sources),
                target_servers: server_names(&node.targets),
                unresolved_servers: node
                    .unresolved
                    .iter()
                    .map(|u| u.reference.clone())
                    .collect(),
                sources: node.sources.clone(),
                targets: node.targets.clone(),
            })
            .collect();
        let findings: Vec<FindingView> = analysis
            .findings
            .iter()
            .map(|f| FindingView {
                code: f.code,
                severity: f.urgency,
                server: f.server.map(|i| graph.servers[i].name.clone()),
                connector: f
                    .connector
                    .map(|i| graph.send_connectors[i].connector.name.clone())
                    .or_else(|| {
                        f.other_connector
                            .map(|i| graph.other_connectors[i].connector.name.clone())
                    }),
                count: match (f.code, f.facts) {
                    (
                        Code::ServerIsSourceForSendConnector | Code::EdgeServerIsSource,
                        Facts::SourceOf { connectors, .. },
                    ) => Some(connectors),
                    _ => None,
                },
                message: findings::message(f, analysis),
                remedy: findings::remedy(f, analysis),
            })
            .collect();
        let diagnostics: Vec<DiagnosticView> = analysis
            .diagnostics
            .iter()
            .map(|d| DiagnosticView {
                severity: d.severity.as_str(),
                file: d.file.clone(),
                position: d.position.into(),
                message: d.message.clone(),
            })
            .collect();
        let summary = SummaryView {
            entries: inputs.iter().map(|i| i.entries).sum(),
            skipped: inputs.iter().map(|i| i.skipped).sum(),
            deleted: inputs.iter().map(|i| i.deleted).sum(),
            servers: servers.len(),
            source_servers: servers
                .iter()
                .filter(|s| !s.send_connectors.is_empty())
                .count(),
            send_connectors: send_connectors.len(),
            blockers: findings
                .iter()
                .filter(|f| f.severity == Urgency::Blocker)
                .count(),
            diagnostics: diagnostics.len(),
            unreadable: analysis.unreadable.len(),
        };
        let c = &analysis.coverage;
        let coverage = CoverageView {
            send_connectors_shown: c.send_connectors.is_shown(),
            send_connectors_reason: findings::reason(c),
            routing_groups: c
                .routing_groups
                .iter()
                .map(|rg| RoutingGroupCoverageView {
                    name: rg.name.clone(),
                    dn: rg.dn.to_string(),
                    connections_container: rg.connections_container,
                    send_connectors: rg.send_connectors,
                })
                .collect(),
            send_connector_objects: c.send_connector_objects,
            sources_not_in_export: c.sources_not_in_export,
            servers_container: c.servers_container,
            server_objects: c.server_objects,
            servers_known_by_reference_only: servers.iter().filter(|s| !s.in_export).count(),
            inputs_not_whole: c
                .not_whole
                .iter()
                .map(|sign| NotWholeView {
                    path: sign.file.clone(),
                    reason: findings::not_whole_reason(sign),
                })
                .collect(),
        };
        SourcesReport {
            coverage,
            organization: analysis.name.as_ref().map(|o| o.name.clone()),
            forest: analysis.name.as_ref().map(|o| o.forest.clone()),
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            inputs,
            unreadable: UnreadableView::all(analysis),
            servers,
            send_connectors,
            routing_group_connectors,
            other_connectors: OtherConnectorView::all(graph),
            findings,
            diagnostics,
            summary,
        }
    }
}
