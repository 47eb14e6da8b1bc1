//! From merged, resolved connectors to the graph's nodes: every server
//! known (objects first, then what references name), connectors pointing
//! at servers by index, each list sorted so that the graph is the same for
//! any input order and thread count.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::merge::Connectors;
use super::resolve::{Resolution, ServerRef};
use super::{
    server_key, ConnectorNode, Graph, OtherConnectorNode, ReceiveNode, RoutingGroupNode, ServerNode,
};
use crate::dn::Dn;
use crate::model::Server;

impl ServerNode {
    /// A server not yet the source of any connector.
    fn new(name: String, dn: Option<Dn>, object: Option<Server>) -> ServerNode {
        ServerNode {
            name,
            dn,
            object,
            send_connectors: Vec::new(),
            other_connectors: Vec::new(),
            undecided: false,
        }
    }
}

/// Every server known, by key: the exported objects, then the servers
/// references name (spelled as most of them spell it), with those whose
/// being a source is undecided marked.
pub(super) fn known_servers<'r>(
    objects: BTreeMap<String, Server>,
    referenced: impl Iterator<Item = &'r ServerRef>,
    undecided: Vec<ServerRef>,
) -> BTreeMap<String, ServerNode> {
    let mut known: BTreeMap<String, ServerNode> = objects
        .into_iter()
        .map(|(key, server)| {
            let dn = (!server.dn.is_root()).then(|| server.dn.clone());
            (key, ServerNode::new(server.name.clone(), dn, Some(server)))
        })
        .collect();
    for (key, (name, dn)) in spelling_by_frequency(referenced) {
        known
            .entry(key)
            .or_insert_with(|| ServerNode::new(name, dn.map(Arc::unwrap_or_clone), None));
    }
    for server in undecided {
        let dn = server.dn.map(Arc::unwrap_or_clone);
        known
            .entry(server.key)
            .or_insert_with(|| ServerNode::new(server.name, dn, None))
            .undecided = true;
    }
    known
}

/// Where each server key is in [`Graph::servers`].
pub(super) struct ServerIndex(HashMap<String, usize>);

impl ServerIndex {
    /// The index of the servers of `known`, in its order.
    pub(super) fn of(known: &BTreeMap<String, ServerNode>) -> ServerIndex {
        ServerIndex(
            known
                .keys()
                .cloned()
                .enumerate()
                .map(|(i, k)| (k, i))
                .collect(),
        )
    }

    /// The index of one server.
    fn of_server(&self, server: &ServerRef) -> usize {
        self.0[&server.key]
    }

    /// The indices of `found`, sorted, without duplicates.
    fn all(&self, found: &[ServerRef]) -> Vec<usize> {
        let mut found: Vec<usize> = found.iter().map(|s| self.of_server(s)).collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

impl Graph {
    /// Adds the connectors, pointing at servers through `index`, each
    /// list sorted, and the servers' links back to the connectors.
    pub(super) fn connect(
        &mut self,
        connectors: Connectors,
        resolved: Resolution,
        index: &ServerIndex,
    ) {
        self.send_connectors = connectors
            .send
            .into_iter()
            .zip(resolved.send)
            .map(|((input, connector), (found, unresolved))| ConnectorNode {
                connector,
                input,
                sources: index.all(&found),
                unresolved,
            })
            .collect();
        sort_by_name(&mut self.send_connectors, |c| {
            (&c.connector.name, &c.connector.dn)
        });
        self.routing_group_connectors = connectors
            .routing
            .into_iter()
            .zip(resolved.routing)
            .map(
                |(connector, ((sources, mut unresolved), (targets, more)))| {
                    unresolved.extend(more);
                    RoutingGroupNode {
                        connector,
                        sources: index.all(&sources),
                        targets: index.all(&targets),
                        unresolved,
                    }
                },
            )
            .collect();
        sort_by_name(&mut self.routing_group_connectors, |c| {
            (&c.connector.name, &c.connector.dn)
        });
        self.other_connectors = connectors
            .others
            .into_iter()
            .zip(resolved.others)
            .map(|(connector, (found, unresolved))| OtherConnectorNode {
                connector,
                sources: index.all(&found),
                unresolved,
            })
            .collect();
        sort_by_name(&mut self.other_connectors, |c| {
            (&c.connector.name, &c.connector.dn)
        });
        self.receive_connectors = connectors
            .receive
            .into_iter()
            .zip(resolved.receive_owners)
            .map(|(connector, owner)| ReceiveNode {
                connector,
                server: owner.map(|o| index.of_server(&o)),
            })
            .collect();
        self.receive_connectors.sort_by_cached_key(|r| {
            (
                r.server,
                server_key(&r.connector.name),
                r.connector.dn.key(),
            )
        });
        self.link_sources();
    }

    /// Notes on each server the connectors it is a source of.
    fn link_sources(&mut self) {
        for (index, connector) in self.send_connectors.iter().enumerate() {
            for &server in &connector.sources {
                self.servers[server].send_connectors.push(index);
            }
        }
        for (index, connector) in self.other_connectors.iter().enumerate() {
            for &server in &connector.sources {
                self.servers[server].other_connectors.push(index);
            }
        }
    }
}

/// Sorts connectors by name (as servers are matched), then by DN.
fn sort_by_name<T>(nodes: &mut [T], name_and_dn: impl Fn(&T) -> (&String, &Dn)) {
    nodes.sort_by_cached_key(|node| {
        let (name, dn) = name_and_dn(node);
        (server_key(name), dn.key())
    });
}

/// For servers known only from references: the most frequent spelling of
/// each name (ties: the first in byte order), so the shown name does not
/// depend on which reference came first.
fn spelling_by_frequency<'r>(
    references: impl Iterator<Item = &'r ServerRef>,
) -> BTreeMap<String, (String, Option<Arc<Dn>>)> {
    /// For each spelling of a name: how often it was seen, and a DN.
    type Spellings = BTreeMap<String, (usize, Option<Arc<Dn>>)>;
    let mut counts: BTreeMap<String, Spellings> = BTreeMap::new();
    for server in references {
        let spellings = counts.entry(server.key.clone()).or_default();
        spellings
            .entry(server.name.clone())
            .or_insert_with(|| (0, server.dn.clone()))
            .0 += 1;
        let entry = spellings.get_mut(&server.name).expect("just inserted");
        if entry.1.is_none() {
            entry.1 = server.dn.clone();
        }
    }
    counts
        .into_iter()
        .filter_map(|(key, spellings)| {
            let mut best: Option<(String, usize, Option<Arc<Dn>>)> = None;
            for (name, (count, dn)) in spellings {
                if best.as_ref().is_none_or(|(_, most, _)| count > *most) {
                    best = Some((name, count, dn));
                }
            }
            best.map(|(name, _, dn)| (key, (name, dn)))
        })
        .collect()
}
