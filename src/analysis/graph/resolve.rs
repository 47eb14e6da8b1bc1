//! Resolving references: the server a source or bridgehead reference
//! names (by the RDN under `CN=Servers`, by a bare name, or by walking up
//! to an exported server object), or why it names none.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::merge::Connectors;
use super::{server_key, Unresolved};
use crate::dn::{Dn, DnKey, Mangling};
use crate::model::{Objects, Reference, Server};

/// The server a reference names: its key, display name and DN (unknown
/// for a bare name from cmdlet output whose server is not exported).
#[derive(Clone, Debug)]
pub(super) struct ServerRef {
    pub(super) key: String,
    pub(super) name: String,
    /// Shared: one server's DN is named by reference after reference.
    pub(super) dn: Option<Arc<Dn>>,
}

type Resolved = (Vec<ServerRef>, Vec<Unresolved>);

/// Server objects by DN and by name, for resolving references.
pub(super) struct Exported {
    by_dn: HashMap<DnKey, ServerRef>,
    by_name: HashMap<String, ServerRef>,
    /// Every reference of the inputs, resolved once (an export repeats the
    /// same few virtual server DNs on connector after connector).
    resolved: HashMap<String, Result<ServerRef, String>>,
}

impl Exported {
    /// The server objects of the inputs, and every reference of the
    /// inputs' connectors resolved against them.
    pub(super) fn new(servers: &BTreeMap<String, Server>, objects: &[Objects]) -> Exported {
        let mut exported = Exported {
            by_dn: servers
                .values()
                .map(|server| (server.dn.key(), server_ref(server)))
                .collect(),
            by_name: servers
                .iter()
                .map(|(key, server)| (key.clone(), server_ref(server)))
                .collect(),
            resolved: HashMap::new(),
        };
        exported.resolved = exported.resolve_each(objects);
        exported
    }

    /// Resolves every distinct reference of the connectors, in parallel.
    fn resolve_each(&self, objects: &[Objects]) -> HashMap<String, Result<ServerRef, String>> {
        let send = objects.iter().flat_map(|o| &o.send_connectors);
        let routing = objects.iter().flat_map(|o| &o.routing_group_connectors);
        let others = objects.iter().flat_map(|o| &o.other_connectors);
        let references: HashSet<&str> = send
            .flat_map(|c| &c.source_refs)
            .chain(routing.flat_map(|c| c.source_refs.iter().chain(&c.target_refs)))
            .chain(others.flat_map(|c| &c.source_refs))
            .filter_map(|reference| match reference {
                Reference::Dn(dn) => Some(dn.as_str()),
                Reference::Unusable { .. } => None,
            })
            .collect();
        references
            .into_par_iter()
            .map(|reference| (reference.to_owned(), resolve(reference, self)))
            .collect()
    }

    /// The server `reference` names, or why it names none.
    fn resolve(&self, reference: &str) -> Result<ServerRef, String> {
        match self.resolved.get(reference) {
            Some(resolved) => resolved.clone(),
            None => resolve(reference, self),
        }
    }
}

fn server_ref(server: &Server) -> ServerRef {
    ServerRef {
        key: server_key(&server.name),
        name: server.name.clone(),
        dn: (!server.dn.is_root()).then(|| Arc::new(server.dn.clone())),
    }
}

/// The server in `dn`: the RDN under the Exchange `CN=Servers` container.
pub(super) fn owner_of(dn: &Dn) -> Option<ServerRef> {
    let containers = dn.positions_of("cn", "Servers");
    let in_admin_group = containers
        .iter()
        .copied()
        .find(|&i| dn.rdn_is(i + 2, "cn", "Administrative Groups"));
    let container = in_admin_group.or_else(|| {
        let outside_sites = dn.positions_of("cn", "Sites").is_empty();
        containers.last().copied().filter(|_| outside_sites)
    })?;
    let server_dn = dn.ancestor(container - 1)?;
    let name = server_dn.leaf()?.value_text()?.to_owned();
    Some(ServerRef {
        key: server_key(&name),
        name,
        dn: Some(Arc::new(server_dn)),
    })
}

pub(super) fn resolve_all(references: &[Reference], exported: &Exported) -> Resolved {
    let mut found = Vec::new();
    let mut unresolved = Vec::new();
    for reference in references {
        match reference {
            Reference::Dn(dn) => match exported.resolve(dn) {
                Ok(server) => found.push(server),
                Err(reason) => unresolved.push(Unresolved {
                    reference: dn.clone(),
                    dn: Dn::parse(dn).ok(),
                    reason,
                }),
            },
            Reference::Unusable { shown, reason } => unresolved.push(Unresolved {
                reference: shown.clone(),
                dn: None,
                reason: (*reason).to_owned(),
            }),
        }
    }
    (found, unresolved)
}

fn resolve(reference: &str, exported: &Exported) -> Result<ServerRef, String> {
    if is_server_name(reference) {
        // Cmdlet output from a remote session lists servers by name.
        let key = server_key(reference);
        return Ok(exported.by_name.get(&key).cloned().unwrap_or(ServerRef {
            key,
            name: reference.to_owned(),
            dn: None,
        }));
    }
    let dn = Dn::parse(reference).map_err(|e| format!("not a valid DN: {}", e.reason))?;
    if dn.mangling() == Some(Mangling::Deleted) || dn.is_under("cn", "Deleted Objects") {
        return Err("refers to a deleted object".to_owned());
    }
    if dn.mangling() == Some(Mangling::Conflict) {
        return Err(
            "refers to a conflict-renamed object (\\0ACNF:), not to a live server".to_owned(),
        );
    }
    if let Some(server) = owner_of(&dn) {
        return Ok(server);
    }
    let found = std::iter::once(dn.clone())
        .chain(dn.ancestors())
        .find_map(|candidate| exported.by_dn.get(&candidate.key()).cloned());
    found.ok_or_else(|| {
        "names no server: no CN=Servers container in the DN and no exported server above it"
            .to_owned()
    })
}

/// A bare server name: a NetBIOS-like name with no `=` (so not a DN).
fn is_server_name(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 63
        && reference
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
}

/// Server objects of all inputs, first one of each name wins.
pub(super) fn unique_servers(objects: &[Objects]) -> BTreeMap<String, Server> {
    let mut servers = BTreeMap::new();
    for server in objects.iter().flat_map(|o| &o.servers) {
        servers
            .entry(server_key(&server.name))
            .or_insert_with(|| server.clone());
    }
    servers
}

/// The servers the connectors of the graph name, in the connectors' order.
pub(super) struct Resolution {
    /// The sources of each Send connector.
    pub(super) send: Vec<Resolved>,
    /// The source and target bridgeheads of each routing group connector.
    pub(super) routing: Vec<(Resolved, Resolved)>,
    /// The sources of each foreign or Delivery Agent connector.
    pub(super) others: Vec<Resolved>,
    /// The server each receive connector sits under.
    pub(super) receive_owners: Vec<Option<ServerRef>>,
}

impl Resolution {
    /// Resolves the references of every connector, in parallel.
    pub(super) fn of(connectors: &Connectors, exported: &Exported) -> Resolution {
        Resolution {
            send: connectors
                .send
                .par_iter()
                .map(|(_, c)| resolve_all(&c.source_refs, exported))
                .collect(),
            routing: connectors
                .routing
                .par_iter()
                .map(|c| {
                    (
                        resolve_all(&c.source_refs, exported),
                        resolve_all(&c.target_refs, exported),
                    )
                })
                .collect(),
            others: connectors
                .others
                .par_iter()
                .map(|c| resolve_all(&c.source_refs, exported))
                .collect(),
            receive_owners: connectors.receive.iter().map(|c| owner_of(&c.dn)).collect(),
        }
    }

    /// Every server named, as often as it is named.
    pub(super) fn referenced(&self) -> impl Iterator<Item = &ServerRef> {
        self.send
            .iter()
            .flat_map(|(found, _)| found)
            .chain(
                self.routing
                    .iter()
                    .flat_map(|(s, t)| s.0.iter().chain(&t.0)),
            )
            .chain(self.others.iter().flat_map(|(found, _)| found))
            .chain(self.receive_owners.iter().flatten())
    }
}
