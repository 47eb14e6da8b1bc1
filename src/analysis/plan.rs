//! Decommission plans: what taking servers out (and putting new ones in)
//! does to every connector, and the commands that get there.
//!
//! For each Send connector one of whose sources is removed, the plan gives
//! the sources before and after. Added servers replace the removed ones on
//! exactly those connectors. A connector left with no source is a blocker:
//! routing ignores it (event 5014) and its address spaces stop working. An
//! Edge server is taken off its connectors by removing its Edge
//! subscription, which removes it from every source list. Routing group
//! connectors with a removed server as source or target bridgehead are
//! listed with both sides before and after; new servers never replace
//! bridgeheads there (only Exchange 2007/2010 and 2003 servers can be), so a
//! side left empty means the connector goes. Exchange 2003 SMTP connectors
//! (in a routing group other than Exchange's own) are read-only to the
//! Exchange 2007+ cmdlets and take only Exchange 2003 bridgeheads: new
//! servers do not replace theirs; left without one, such a connector is
//! re-created as a Send connector on the new servers. Foreign and Delivery
//! Agent connectors are not Send connectors to Setup, but they too stop
//! working without a source: they change like Send connectors, and one
//! left without a source is a blocker too.

use crate::analysis::coverage::MODERN_ROUTING_GROUP;
use crate::analysis::graph::{server_key, Graph};
use crate::model::OtherConnectorKind;

/// What to simulate.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Servers taken out, as given (names or DNs).
    pub remove: Vec<String>,
    /// Servers put in, as given (names).
    pub add: Vec<String>,
}

/// A server named in the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The name as shown (the export's spelling when it knows the server).
    pub name: String,
    /// Index into the graph's servers, when the export knows it.
    pub server: Option<usize>,
    /// Whether it is an Edge Transport server.
    pub edge: bool,
}

/// A server a change names: one of the graph's, or one being added that
/// the export does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanServer {
    /// Index into the graph's servers.
    Graph(usize),
    /// A new server, by its name as given.
    New(String),
}

/// One Send connector the plan changes.
#[derive(Clone, Debug)]
pub struct SendChange {
    /// Index into the graph's Send connectors.
    pub connector: usize,
    /// Source servers before (indices into the graph's servers).
    pub before: Vec<usize>,
    /// Source servers after.
    pub after: Vec<PlanServer>,
    /// Removed servers among its sources (not Edge: those go with their subscription).
    pub remove: Vec<usize>,
    /// Removed Edge servers among its sources.
    pub edge_remove: Vec<usize>,
    /// Servers added to it.
    pub add: Vec<PlanServer>,
    /// An Exchange 2003 connector: changed in Exchange System Manager.
    pub legacy: bool,
}

impl SendChange {
    /// Left with no source: a blocker, unless its only sources were Edge
    /// servers leaving with their subscription (EdgeSync connectors go
    /// with it, and a new subscription brings its own).
    pub fn orphaned(&self) -> bool {
        self.after.is_empty() && !self.goes_with_subscription()
    }

    /// Its only sources are Edge servers whose subscription is removed.
    pub fn goes_with_subscription(&self) -> bool {
        self.after.is_empty() && self.remove.is_empty() && !self.edge_remove.is_empty()
    }
}

/// One foreign or Delivery Agent connector the plan changes.
#[derive(Clone, Debug)]
pub struct OtherChange {
    /// Index into the graph's foreign and Delivery Agent connectors.
    pub connector: usize,
    /// Which kind it is (which cmdlet sets it).
    pub kind: OtherConnectorKind,
    /// Source servers before (indices into the graph's servers).
    pub before: Vec<usize>,
    /// Source servers after.
    pub after: Vec<PlanServer>,
    /// Removed servers among its sources.
    pub remove: Vec<usize>,
    /// Servers added to it.
    pub add: Vec<PlanServer>,
}

impl OtherChange {
    /// Left with no source: a blocker.
    pub fn orphaned(&self) -> bool {
        self.after.is_empty()
    }
}

/// One routing group connector the plan touches.
#[derive(Clone, Debug)]
pub struct RoutingGroupChange {
    /// Index into the graph's routing group connectors.
    pub connector: usize,
    /// Source bridgeheads before and after (indices into the graph's servers).
    pub sources: (Vec<usize>, Vec<usize>),
    /// Target bridgeheads before and after.
    pub targets: (Vec<usize>, Vec<usize>),
}

impl RoutingGroupChange {
    /// A side left without bridgehead: the connector stops working.
    pub fn orphaned(&self) -> bool {
        self.sources.1.is_empty() || self.targets.1.is_empty()
    }
}

/// The simulated outcome.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Servers taken out.
    pub removed: Vec<Named>,
    /// Servers put in.
    pub added: Vec<Named>,
    /// Send connectors that change, in the graph's order.
    pub send: Vec<SendChange>,
    /// Edge servers whose subscription must be removed (indices into the
    /// graph's servers).
    pub edge_subscriptions: Vec<usize>,
    /// Routing group connectors that change.
    pub routing_group: Vec<RoutingGroupChange>,
    /// Foreign and Delivery Agent connectors that change, in the graph's order.
    pub other: Vec<OtherChange>,
    /// Set when the inputs cannot show the Send connectors: the plan may
    /// miss connectors, and must say so before anything else.
    pub not_shown: Option<crate::analysis::findings::Finding>,
}

impl Plan {
    /// Connectors left without a source or bridgehead.
    pub fn blockers(&self) -> usize {
        self.send.iter().filter(|c| c.orphaned()).count()
            + self.routing_group.iter().filter(|c| c.orphaned()).count()
            + self.other.iter().filter(|c| c.orphaned()).count()
    }

    /// Names the export does not know.
    pub fn unknown(&self) -> impl Iterator<Item = &Named> {
        self.removed
            .iter()
            .chain(&self.added)
            .filter(|n| n.server.is_none())
    }
}

/// Simulates `request` on `graph`.
pub(crate) fn simulate(graph: &Graph, request: &Request) -> Plan {
    let removed = named(graph, &request.remove);
    let added: Vec<Named> = named(graph, &request.add)
        .into_iter()
        .filter(|a| !removed.iter().any(|r| same(r, a)))
        .collect();
    let is_removed = |server: usize| removed.iter().any(|r| r.server == Some(server));
    let kept_then = |kept: &[usize], add: &[PlanServer]| -> Vec<PlanServer> {
        let kept = kept.iter().map(|&s| PlanServer::Graph(s));
        kept.chain(add.iter().cloned()).collect()
    };
    let mut send = Vec::new();
    for (index, node) in graph.send_connectors.iter().enumerate() {
        let gone: Vec<usize> = node
            .sources
            .iter()
            .copied()
            .filter(|&s| is_removed(s))
            .collect();
        if gone.is_empty() {
            continue;
        }
        let kept: Vec<usize> = node
            .sources
            .iter()
            .copied()
            .filter(|&s| !is_removed(s))
            .collect();
        let (edge, plain): (Vec<usize>, Vec<usize>) =
            gone.into_iter().partition(|&s| graph.servers[s].is_edge());
        // Edge connectors follow their subscription: a new Edge brings its
        // own. Exchange 2003 connectors take only Exchange 2003 bridgeheads:
        // they are re-created as Send connectors instead.
        let legacy = is_legacy(&node.connector.dn);
        let add = if plain.is_empty() || legacy {
            Vec::new()
        } else {
            replacements(&added, &node.sources)
        };
        send.push(SendChange {
            connector: index,
            before: node.sources.clone(),
            after: kept_then(&kept, &add),
            remove: plain,
            edge_remove: edge,
            add,
            legacy,
        });
    }
    let mut edge_subscriptions: Vec<usize> = removed
        .iter()
        .filter(|r| r.edge)
        .filter_map(|r| r.server)
        .collect();
    edge_subscriptions.dedup();
    let mut routing_group = Vec::new();
    for (index, node) in graph.routing_group_connectors.iter().enumerate() {
        if !node
            .sources
            .iter()
            .chain(&node.targets)
            .any(|&s| is_removed(s))
        {
            continue;
        }
        // Only Exchange 2007/2010 and 2003 servers can be bridgeheads of a
        // routing group connector: new servers never replace them there.
        let side = |servers: &[usize]| {
            let kept: Vec<usize> = servers
                .iter()
                .copied()
                .filter(|&s| !is_removed(s))
                .collect();
            (servers.to_vec(), kept)
        };
        routing_group.push(RoutingGroupChange {
            connector: index,
            sources: side(&node.sources),
            targets: side(&node.targets),
        });
    }
    let mut other = Vec::new();
    for (index, node) in graph.other_connectors.iter().enumerate() {
        let (gone, kept): (Vec<usize>, Vec<usize>) =
            node.sources.iter().partition(|&&s| is_removed(s));
        if gone.is_empty() {
            continue;
        }
        let add = replacements(&added, &node.sources);
        other.push(OtherChange {
            connector: index,
            kind: node.connector.kind,
            before: node.sources.clone(),
            after: kept_then(&kept, &add),
            remove: gone,
            add,
        });
    }
    Plan {
        removed,
        added,
        send,
        edge_subscriptions,
        routing_group,
        other,
        not_shown: None,
    }
}

/// The added servers a connector with `sources` gets: those not already among them.
fn replacements(added: &[Named], sources: &[usize]) -> Vec<PlanServer> {
    added
        .iter()
        .filter(|a| a.server.is_none_or(|s| !sources.contains(&s)))
        .map(|a| match a.server {
            Some(server) => PlanServer::Graph(server),
            None => PlanServer::New(a.name.clone()),
        })
        .collect()
}

fn same(a: &Named, b: &Named) -> bool {
    server_key(&a.name) == server_key(&b.name)
}

/// The servers `names` designate, each once, in the order given.
fn named(graph: &Graph, names: &[String]) -> Vec<Named> {
    let mut out: Vec<Named> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let server = graph.find_server(name);
        let named = match server {
            Some(index) => Named {
                name: graph.servers[index].name.clone(),
                server,
                edge: graph.servers[index].is_edge(),
            },
            None => Named {
                name: name.to_owned(),
                server: None,
                edge: false,
            },
        };
        if !out.iter().any(|o| same(o, &named)) {
            out.push(named);
        }
    }
    out
}

/// Why an added server may not be a Send connector's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unfit {
    /// Refused: an Edge Transport server takes its Send connectors from its
    /// Edge subscription.
    Edge,
    /// Refused: Exchange 2000/2003 cannot be a source of a Send connector.
    Legacy,
    /// Refused: no transport role (Mailbox from 2013 on, Hub Transport in
    /// 2007/2010).
    NoTransportRole,
    /// To check: the inputs hold no server object for it.
    NotInExport,
    /// To check: the inputs do not show its roles.
    RolesUnknown,
}

impl Unfit {
    /// Whether the server is refused (else the user is warned).
    pub fn refused(self) -> bool {
        matches!(self, Unfit::Edge | Unfit::Legacy | Unfit::NoTransportRole)
    }
}

/// Why each added server cannot be a Send connector's source, or what the
/// inputs do not show about it: (index into `added`, why), in order.
pub fn unfit_sources(graph: &Graph, added: &[Named]) -> Vec<(usize, Unfit)> {
    let unfit = |named: &Named| {
        let object = named.server.and_then(|s| graph.servers[s].object.as_ref());
        let Some(server) = object else {
            return Some(Unfit::NotInExport);
        };
        if server.is_edge() {
            Some(Unfit::Edge)
        } else if server.version.is_some_and(|v| v.major < 8) {
            Some(Unfit::Legacy)
        } else if server
            .roles
            .is_some_and(|r| r.0 & (2 | 32) == 0 && r.0 != 0)
        {
            Some(Unfit::NoTransportRole)
        } else if server.roles.is_none() {
            Some(Unfit::RolesUnknown)
        } else {
            None
        }
    };
    let each = added.iter().enumerate();
    each.filter_map(|(i, named)| unfit(named).map(|why| (i, why)))
        .collect()
}

/// A scoped Send connector (a `Local:` address space serves only its own
/// AD site) whose sources the plan moves to a server in another site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedMove {
    /// Index into the graph's Send connectors.
    pub connector: usize,
    /// The sites of its sources before.
    pub sites_before: Vec<String>,
    /// The added server (index into the graph's servers).
    pub server: usize,
    /// Its site.
    pub site: String,
}

/// Every scoped connector whose sources the plan moves to another site.
pub fn scoped_moves(graph: &Graph, plan: &Plan) -> Vec<ScopedMove> {
    let site = |server: usize| graph.servers[server].object.as_ref()?.site.clone();
    let mut moves = Vec::new();
    for change in plan.send.iter().filter(|c| !c.add.is_empty()) {
        let connector = &graph.send_connectors[change.connector].connector;
        if !connector.address_spaces.iter().any(|a| a.scoped) {
            continue;
        }
        let before: Vec<String> = change.before.iter().filter_map(|&s| site(s)).collect();
        for &added in change.add.iter().filter_map(|a| match a {
            PlanServer::Graph(server) => Some(server),
            PlanServer::New(_) => None,
        }) {
            if let Some(new_site) =
                site(added).filter(|s| !before.is_empty() && !before.contains(s))
            {
                moves.push(ScopedMove {
                    connector: change.connector,
                    sites_before: before.clone(),
                    server: added,
                    site: new_site,
                });
            }
        }
    }
    moves
}

/// Whether a connector sits in a routing group other than Exchange's own
/// (an Exchange 2000/2003 connector).
pub(crate) fn is_legacy(dn: &crate::dn::Dn) -> bool {
    let rdns = dn.rdns();
    // CN=<connector>,CN=Connections,CN=<routing group>,CN=Routing Groups,…
    let in_connections = rdns.get(1).is_some_and(|r| r.is("cn", "Connections"));
    let group = rdns.get(2).and_then(|r| r.value_text());
    in_connections && group.is_some_and(|g| !g.eq_ignore_ascii_case(MODERN_ROUTING_GROUP))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dn::Dn;

    #[test]
    fn only_connectors_outside_exchanges_routing_group_are_legacy() {
        let modern = Dn::parse("CN=Internet,CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=AG,DC=x").unwrap();
        let legacy = Dn::parse("CN=Old,CN=Connections,CN=First Routing Group,CN=Routing Groups,CN=First Administrative Group,DC=x").unwrap();
        assert!(!is_legacy(&modern));
        assert!(is_legacy(&legacy));
    }
}
