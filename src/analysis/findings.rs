//! Findings: what a consultant must act on before removing servers, as data.
//!
//! A finding is a [`Code`], an [`Urgency`], the objects it is about
//! (indices into the [`Graph`]) and its [`Facts`]; what it says and the
//! commands that fix it are written by `report::findings`. The central one
//! is `ServerIsSourceForSendConnector`, Setup's own readiness check: every
//! `msExchRoutingSMTPConnector` whose sources name the server counts,
//! disabled ones included; routing group connectors never count.

use crate::analysis::coverage::Coverage;
use crate::analysis::graph::{Graph, ServerNode};

/// How much a finding matters (a reader's diagnostic has a
/// [`crate::diag::Severity`] instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// Setup will stop on it.
    Blocker,
    /// Mail flow or the analysis is at risk.
    Warning,
    /// Worth knowing.
    Info,
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

/// An object whose name carries conflict mangling (an index into the
/// graph's list of its kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conflicted {
    /// A Send connector.
    SendConnector(usize),
    /// A routing group connector.
    RoutingGroupConnector(usize),
    /// An Exchange server.
    Server(usize),
}

/// What a finding rests on, beyond the objects it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Facts {
    /// Nothing more (the objects, or the coverage, say it all).
    None,
    /// A server's Send connectors: how many, and whether one of them is an
    /// Exchange 2003 connector (changed in Exchange System Manager).
    SourceOf {
        /// Send connectors it is a source of.
        connectors: usize,
        /// Whether one of them is an Exchange 2003 connector.
        legacy: bool,
    },
    /// Which of the Send connector's unresolved references (index into
    /// its node's `unresolved`).
    Unresolved {
        /// The reference's index.
        reference: usize,
    },
    /// The object that lost a naming conflict.
    Conflict(Conflicted),
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What it is.
    pub code: Code,
    /// How much it matters.
    pub urgency: Urgency,
    /// The server concerned (index into [`Graph::servers`]).
    pub server: Option<usize>,
    /// The Send connector concerned (index into [`Graph::send_connectors`]).
    pub connector: Option<usize>,
    /// The foreign or Delivery Agent connector concerned (index into
    /// [`Graph::other_connectors`]).
    pub other_connector: Option<usize>,
    /// What it rests on.
    pub facts: Facts,
}

impl Finding {
    /// A finding of `code` about nothing yet, with no facts.
    fn new(code: Code, urgency: Urgency) -> Finding {
        Finding {
            code,
            urgency,
            server: None,
            connector: None,
            other_connector: None,
            facts: Facts::None,
        }
    }

    fn server(self, server: usize) -> Finding {
        Finding {
            server: Some(server),
            ..self
        }
    }

    fn connector(self, connector: usize) -> Finding {
        Finding {
            connector: Some(connector),
            ..self
        }
    }

    fn facts(self, facts: Facts) -> Finding {
        Finding { facts, ..self }
    }
}

/// Whether `server` is the only source of `connector` (and not an Edge,
/// whose connectors follow its subscription).
pub(crate) fn is_last_source(graph: &Graph, server: usize, connector: usize) -> bool {
    graph.send_connectors[connector].sources == [server] && !graph.servers[server].is_edge()
}

/// Every finding of the graph, in a stable order (urgency, code, server, connector).
pub fn analyze(graph: &Graph, coverage: &Coverage) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !coverage.send_connectors.is_shown() {
        findings.push(Finding::new(
            Code::SendConnectorsNotInExport,
            Urgency::Blocker,
        ));
    }
    findings.extend(conflicts(graph));
    for (index, server) in graph.servers.iter().enumerate() {
        server_findings(graph, index, server, &mut findings);
    }
    for (index, node) in graph.send_connectors.iter().enumerate() {
        // A connector whose sources the export lost has unknown sources, not
        // none: the coverage finding says so once, for all of them.
        if node.sources.is_empty() && node.connector.sources_known {
            findings.push(
                Finding::new(Code::ConnectorWithoutSource, Urgency::Warning).connector(index),
            );
        }
        for reference in 0..node.unresolved.len() {
            findings.push(
                Finding::new(Code::UnresolvedSourceReference, Urgency::Warning)
                    .connector(index)
                    .facts(Facts::Unresolved { reference }),
            );
        }
    }
    findings.extend(last_sources_of_other_connectors(graph));
    findings.sort_by_key(|f| (f.urgency, f.code, f.server, f.connector, f.other_connector));
    findings
}

/// `ConflictMangledObject` for each Send connector, routing group connector
/// and server whose name carries conflict mangling.
fn conflicts(graph: &Graph) -> impl Iterator<Item = Finding> + '_ {
    let send = graph.send_connectors.iter().enumerate();
    let send = send
        .filter(|(_, n)| n.connector.conflict)
        .map(|(i, _)| (Conflicted::SendConnector(i), Some(i)));
    let rgc = graph.routing_group_connectors.iter().enumerate();
    let rgc = rgc
        .filter(|(_, n)| n.connector.conflict)
        .map(|(i, _)| (Conflicted::RoutingGroupConnector(i), None));
    let servers = graph.servers.iter().enumerate();
    let servers = servers
        .filter(|(_, s)| s.object.as_ref().is_some_and(|o| o.conflict))
        .map(|(i, _)| (Conflicted::Server(i), None));
    send.chain(rgc)
        .chain(servers)
        .map(|(object, connector)| Finding {
            connector,
            ..Finding::new(Code::ConflictMangledObject, Urgency::Warning)
                .facts(Facts::Conflict(object))
        })
}

/// `LastSourceOfConnector` for the foreign and Delivery Agent connectors
/// that have one source: Setup does not count them, but removing that
/// server leaves them without a source.
fn last_sources_of_other_connectors(graph: &Graph) -> impl Iterator<Item = Finding> + '_ {
    let others = graph.other_connectors.iter().enumerate();
    others.filter_map(|(index, node)| match node.sources[..] {
        [server] => Some(Finding {
            other_connector: Some(index),
            ..Finding::new(Code::LastSourceOfConnector, Urgency::Warning).server(server)
        }),
        _ => None,
    })
}

fn server_findings(graph: &Graph, index: usize, server: &ServerNode, findings: &mut Vec<Finding>) {
    let count = server.send_connectors.len();
    if count == 0 && !server.is_edge() {
        return;
    }
    let legacy = server
        .send_connectors
        .iter()
        .any(|&c| crate::analysis::plan::is_legacy(&graph.send_connectors[c].connector.dn));
    let source_of = Facts::SourceOf {
        connectors: count,
        legacy,
    };
    // Setup's Bridgehead check does not run on an Edge; its own check,
    // EdgeSubscriptionExists, is what blocks, and the fix differs.
    let code = match server.is_edge() {
        true => Code::EdgeServerIsSource,
        false => Code::ServerIsSourceForSendConnector,
    };
    findings.push(
        Finding::new(code, Urgency::Blocker)
            .server(index)
            .facts(source_of),
    );
    for &connector in &server.send_connectors {
        if is_last_source(graph, index, connector) {
            findings.push(
                Finding::new(Code::LastSourceOfConnector, Urgency::Warning)
                    .server(index)
                    .connector(connector),
            );
        }
    }
    if !server.in_export() {
        findings.push(
            Finding::new(Code::SourceServerNotInExport, Urgency::Info)
                .server(index)
                .facts(source_of),
        );
    }
}
