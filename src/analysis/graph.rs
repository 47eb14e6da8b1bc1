//! The server ↔ connector graph: every source reference resolved to its server.
//!
//! A reference in `msExchSourceBridgeheadServersDN` is usually the DN of an
//! SMTP virtual server (`CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,…`),
//! sometimes the server DN itself. Exchange keeps the eight top-most RDNs
//! below the domain (`…,CN=<admin group>,CN=Servers,CN=<server>`); the graph
//! does the same by taking the RDN under the `CN=Servers` that sits in an
//! administrative group (or, without one, the top-most `CN=Servers` outside
//! `CN=Sites`). Only when that structure is absent does it walk up to an
//! exported server object. Reference to deleted or conflict-renamed
//! objects are unresolved. Servers are keyed by
//! name, case-insensitively, as Setup matches them. Resolution runs in
//! parallel; the result is sorted, so it is the same for any thread count.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::Arc;

use rayon::prelude::*;

use crate::dn::{Dn, DnKey, Mangling};
use crate::model::{
    Objects, OtherConnector, ReceiveConnector, Reference, RoutingGroupConnector, SendConnector,
    Server,
};

/// A server known from its object, from references, or both.
#[derive(Clone, Debug)]
pub struct ServerNode {
    /// The display name.
    pub name: String,
    /// The server DN (from the object, else from the first reference).
    pub dn: Option<Dn>,
    /// The exported server object, when the export has it.
    pub object: Option<Server>,
    /// Indices into [`Graph::send_connectors`] of the connectors it is a source of.
    pub send_connectors: Vec<usize>,
    /// Indices into [`Graph::other_connectors`] of the foreign and Delivery
    /// Agent connectors it is a source of (Setup does not count them).
    pub other_connectors: Vec<usize>,
    /// Whether copies of a Send connector, none newer than the other,
    /// disagree on whether this server is one of its sources: whether it
    /// is a source cannot be told.
    pub undecided: bool,
}

impl ServerNode {
    /// Whether the export holds the server object.
    pub fn in_export(&self) -> bool {
        self.object.is_some()
    }

    /// Whether it is an Edge Transport server.
    pub fn is_edge(&self) -> bool {
        self.object.as_ref().is_some_and(Server::is_edge)
    }
}

/// A reference that names no server, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    /// The reference as written.
    pub reference: String,
    /// The reference as a parsed DN, when it is one (redaction maps it).
    pub dn: Option<Dn>,
    /// Why it names no server.
    pub reason: String,
}

/// A Send connector with its resolved sources.
#[derive(Clone, Debug)]
pub struct ConnectorNode {
    /// The connector.
    pub connector: SendConnector,
    /// Which input it came from (index into the run's inputs).
    pub input: usize,
    /// Indices into [`Graph::servers`], sorted, without duplicates.
    pub sources: Vec<usize>,
    /// Reference that name no server.
    pub unresolved: Vec<Unresolved>,
}

/// A routing group connector with its resolved bridgeheads.
#[derive(Clone, Debug)]
pub struct RoutingGroupNode {
    /// The connector.
    pub connector: RoutingGroupConnector,
    /// Source bridgeheads (indices into [`Graph::servers`]).
    pub sources: Vec<usize>,
    /// Target bridgeheads.
    pub targets: Vec<usize>,
    /// Reference that name no server.
    pub unresolved: Vec<Unresolved>,
}

/// A foreign or Delivery Agent connector with its resolved sources.
#[derive(Clone, Debug)]
pub struct OtherConnectorNode {
    /// The connector.
    pub connector: OtherConnector,
    /// Indices into [`Graph::servers`], sorted, without duplicates.
    pub sources: Vec<usize>,
    /// Reference that name no server.
    pub unresolved: Vec<Unresolved>,
}

/// A receive connector with its owning server.
#[derive(Clone, Debug)]
pub struct ReceiveNode {
    /// The connector.
    pub connector: ReceiveConnector,
    /// The owning server, when the DN names one.
    pub server: Option<usize>,
}

/// The whole picture, merged over all inputs.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Every server known, sorted by name.
    pub servers: Vec<ServerNode>,
    /// Send connectors, sorted by name then DN.
    pub send_connectors: Vec<ConnectorNode>,
    /// Routing group connectors, sorted by name then DN.
    pub routing_group_connectors: Vec<RoutingGroupNode>,
    /// Foreign and Delivery Agent connectors, sorted by name then DN.
    pub other_connectors: Vec<OtherConnectorNode>,
    /// Receive connectors, sorted by server, name, DN.
    pub receive_connectors: Vec<ReceiveNode>,
    /// Objects found in several inputs whose copies disagree.
    pub conflicts: Vec<Conflict>,
    /// Send connectors only older inputs hold, in a `CN=Connections`
    /// container a newer input holds: deleted since, left out.
    pub deleted_since: Vec<DeletedSince>,
}

/// A Send connector deleted since an older input was taken: the newer
/// input holds its container, and not it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletedSince {
    /// The connector's name.
    pub name: String,
    /// The newest input that holds it, and the newer one that does not.
    pub inputs: (usize, usize),
}

/// One object in two inputs, with a setting that differs between them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The object's name.
    pub name: String,
    /// The input of the copy the analysis uses, and the other one.
    pub inputs: (usize, usize),
    /// The setting that differs (the model's name, then the LDAP name).
    pub field: &'static str,
    /// Its value in each copy, as shown.
    pub values: (String, String),
}

/// The server a reference names: its key, display name and DN (unknown
/// for a bare name from cmdlet output whose server is not exported).
#[derive(Clone, Debug)]
struct ServerRef {
    key: String,
    name: String,
    /// Shared: one server's DN is named by reference after reference.
    dn: Option<Arc<Dn>>,
}

type Resolved = (Vec<ServerRef>, Vec<Unresolved>);

/// Levenshtein distance between two names, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The case-insensitive key servers are matched on (Setup matches names this way).
pub(crate) fn server_key(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

impl Graph {
    /// Builds the graph from the objects of every input (`objects[i]` came from input `i`).
    pub fn build(objects: &[Objects]) -> Graph {
        let server_objects = unique_servers(objects);
        let mut exported = Exported {
            by_dn: server_objects
                .values()
                .map(|server| (server.dn.key(), server_ref(server)))
                .collect(),
            by_name: server_objects
                .iter()
                .map(|(key, server)| (key.clone(), server_ref(server)))
                .collect(),
            resolved: HashMap::new(),
        };
        exported.resolved = exported.resolve_each(objects);
        let exported_dns = &exported;

        let send_copies = merge_copies(objects.iter().enumerate().flat_map(|(input, o)| {
            o.send_connectors.iter().map(move |c| {
                let identity = Identity::of(c.guid.as_deref(), &c.dn, &c.name);
                // A copy that says what its sources are, then the newer.
                let better = (c.sources_known, c.changed, !c.dn.is_root());
                (identity, better, (input, c))
            })
        }));
        let mut conflicts = Vec::new();
        let mut undecided: Vec<ServerRef> = Vec::new();
        for copies in &send_copies {
            conflicts.extend(send_conflicts(copies, exported_dns));
            undecided.extend(undecided_sources(copies, exported_dns));
        }
        let mut deleted_since = Vec::new();
        let send: Vec<(usize, SendConnector)> = send_copies
            .iter()
            .filter(|copies| match newer_without(copies, objects) {
                Some(gone) => {
                    deleted_since.push(gone);
                    false
                }
                None => true,
            })
            .map(|copies| (copies[0].0, merged_copy(copies)))
            .collect();
        let send_resolved: Vec<Resolved> = send
            .par_iter()
            .map(|(_, connector)| resolve_all(&connector.source_refs, exported_dns))
            .collect();

        let rgcs: Vec<RoutingGroupConnector> = merge_copies(objects.iter().flat_map(|o| {
            o.routing_group_connectors.iter().map(|c| {
                let identity = Identity::of(c.guid.as_deref(), &c.dn, &c.name);
                (identity, !c.dn.is_root(), c)
            })
        }))
        .into_iter()
        .map(|copies| copies[0].clone())
        .collect();
        let rgc_resolved: Vec<(Resolved, Resolved)> = rgcs
            .par_iter()
            .map(|c| {
                (
                    resolve_all(&c.source_refs, exported_dns),
                    resolve_all(&c.target_refs, exported_dns),
                )
            })
            .collect();

        let others: Vec<OtherConnector> = merge_copies(objects.iter().flat_map(|o| {
            o.other_connectors.iter().map(|c| {
                let identity = Identity::of(c.guid.as_deref(), &c.dn, &c.name);
                (identity, !c.dn.is_root(), c)
            })
        }))
        .into_iter()
        .map(|copies| copies[0].clone())
        .collect();
        let other_resolved: Vec<Resolved> = others
            .par_iter()
            .map(|c| resolve_all(&c.source_refs, exported_dns))
            .collect();

        let receive = unique_by_dn(
            objects
                .iter()
                .flat_map(|o| o.receive_connectors.iter().map(|c| (c.dn.key(), c.clone()))),
        );
        let receive_owner: Vec<Option<ServerRef>> =
            receive.iter().map(|c| owner_of(&c.dn)).collect();

        // Every server known: objects first, then what references name.
        let mut known: BTreeMap<String, ServerNode> = server_objects
            .into_iter()
            .map(|(key, server)| {
                let node = ServerNode {
                    name: server.name.clone(),
                    dn: (!server.dn.is_root()).then(|| server.dn.clone()),
                    object: Some(server),
                    send_connectors: Vec::new(),
                    other_connectors: Vec::new(),
                    undecided: false,
                };
                (key, node)
            })
            .collect();
        let referenced = send_resolved
            .iter()
            .flat_map(|(found, _)| found)
            .chain(
                rgc_resolved
                    .iter()
                    .flat_map(|(s, t)| s.0.iter().chain(&t.0)),
            )
            .chain(other_resolved.iter().flat_map(|(found, _)| found))
            .chain(receive_owner.iter().flatten());
        for (key, (name, dn)) in spelling_by_frequency(referenced) {
            known.entry(key).or_insert_with(|| ServerNode {
                name,
                dn: dn.map(Arc::unwrap_or_clone),
                object: None,
                send_connectors: Vec::new(),
                other_connectors: Vec::new(),
                undecided: false,
            });
        }
        for server in undecided {
            known
                .entry(server.key)
                .or_insert_with(|| ServerNode {
                    name: server.name,
                    dn: server.dn.map(Arc::unwrap_or_clone),
                    object: None,
                    send_connectors: Vec::new(),
                    other_connectors: Vec::new(),
                    undecided: false,
                })
                .undecided = true;
        }
        let index: HashMap<String, usize> = known
            .keys()
            .cloned()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let indices = |found: &[ServerRef]| -> Vec<usize> {
            let mut found: Vec<usize> = found.iter().map(|s| index[&s.key]).collect();
            found.sort_unstable();
            found.dedup();
            found
        };

        let mut graph = Graph {
            servers: known.into_values().collect(),
            conflicts,
            deleted_since,
            ..Graph::default()
        };
        graph.send_connectors = send
            .into_iter()
            .zip(send_resolved)
            .map(|((input, connector), (found, unresolved))| ConnectorNode {
                connector,
                input,
                sources: indices(&found),
                unresolved,
            })
            .collect();
        graph
            .send_connectors
            .sort_by_cached_key(|c| (server_key(&c.connector.name), c.connector.dn.key()));
        for (connector_index, connector) in graph.send_connectors.iter().enumerate() {
            for &server in &connector.sources {
                graph.servers[server].send_connectors.push(connector_index);
            }
        }
        graph.routing_group_connectors = rgcs
            .into_iter()
            .zip(rgc_resolved)
            .map(
                |(connector, ((sources, mut unresolved), (targets, target_unresolved)))| {
                    unresolved.extend(target_unresolved);
                    RoutingGroupNode {
                        connector,
                        sources: indices(&sources),
                        targets: indices(&targets),
                        unresolved,
                    }
                },
            )
            .collect();
        graph
            .routing_group_connectors
            .sort_by_cached_key(|c| (server_key(&c.connector.name), c.connector.dn.key()));
        graph.other_connectors = others
            .into_iter()
            .zip(other_resolved)
            .map(|(connector, (found, unresolved))| OtherConnectorNode {
                connector,
                sources: indices(&found),
                unresolved,
            })
            .collect();
        graph
            .other_connectors
            .sort_by_cached_key(|c| (server_key(&c.connector.name), c.connector.dn.key()));
        for (connector_index, connector) in graph.other_connectors.iter().enumerate() {
            for &server in &connector.sources {
                graph.servers[server].other_connectors.push(connector_index);
            }
        }
        graph.receive_connectors = receive
            .into_iter()
            .zip(receive_owner)
            .map(|(connector, owner)| ReceiveNode {
                connector,
                server: owner.map(|o| index[&o.key]),
            })
            .collect();
        graph.receive_connectors.sort_by_cached_key(|r| {
            (
                r.server,
                server_key(&r.connector.name),
                r.connector.dn.key(),
            )
        });
        graph
    }

    /// The names of the servers nearest to `name` (a misspelling of one of
    /// them, say), nearest first: at most `count`, within a third of its
    /// length in edits (two at least).
    pub fn closest_servers(&self, name: &str, count: usize) -> Vec<&str> {
        let wanted = server_key(name.trim());
        let within = (wanted.chars().count() / 3).max(2);
        let mut near: Vec<(usize, &str)> = self
            .servers
            .iter()
            .map(|s| {
                (
                    edit_distance(&wanted, &server_key(&s.name)),
                    s.name.as_str(),
                )
            })
            .filter(|&(distance, _)| distance <= within)
            .collect();
        near.sort();
        near.into_iter().take(count).map(|(_, name)| name).collect()
    }

    /// The server named `name` (case-insensitive), or whose DN is `name`.
    pub fn find_server(&self, name: &str) -> Option<usize> {
        let by_name = server_key(name.trim());
        if let Some(found) = self
            .servers
            .iter()
            .position(|s| server_key(&s.name) == by_name)
        {
            return Some(found);
        }
        let dn = Dn::parse(name).ok().filter(|dn| dn.rdns().len() > 1)?;
        let named = owner_of(&dn)?;
        self.servers
            .iter()
            .position(|s| server_key(&s.name) == named.key)
    }
}

/// Server objects by DN and by name, for resolving references.
struct Exported {
    by_dn: HashMap<DnKey, ServerRef>,
    by_name: HashMap<String, ServerRef>,
    /// Every reference of the inputs, resolved once (an export repeats the
    /// same few virtual server DNs on connector after connector).
    resolved: HashMap<String, Result<ServerRef, String>>,
}

impl Exported {
    /// Resolves every distinct reference of the connectors, in parallel.
    fn resolve_each(&self, objects: &[Objects]) -> HashMap<String, Result<ServerRef, String>> {
        let send = objects.iter().flat_map(|o| &o.send_connectors);
        let routing = objects.iter().flat_map(|o| &o.routing_group_connectors);
        let others = objects.iter().flat_map(|o| &o.other_connectors);
        let references: std::collections::HashSet<&str> = send
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

/// How copies of one object in several inputs (or in several files of one
/// capture, such as HealthChecker's one per server) are recognized: by
/// GUID where both have one, else by DN, else by name.
#[derive(Clone, Debug)]
struct Identity {
    guid: Option<String>,
    dn: Option<DnKey>,
    name: String,
}

impl Identity {
    fn of(guid: Option<&str>, dn: &Dn, name: &str) -> Identity {
        Identity {
            guid: guid.map(str::to_owned),
            dn: (!dn.is_root()).then(|| dn.key()),
            name: server_key(name),
        }
    }
}

/// The groups known by one name, in the order they took it, with the
/// queues of those a name alone may still match: a group that has no DN
/// (no GUID, neither) yet. A group only ever gains a DN or a GUID, so a
/// group that fails a queue's test fails it for good and is dropped from
/// its front: each lookup costs what it drops, and one step.
#[derive(Default)]
struct NameIndex {
    any: Vec<usize>,
    without_dn: VecDeque<usize>,
    without_guid: VecDeque<usize>,
    without_either: VecDeque<usize>,
}

impl NameIndex {
    /// Notes that `group` (now known as `identity`) goes by this name
    /// (once per group and name: the caller keeps count).
    fn add(&mut self, group: usize, identity: &Identity) {
        self.any.push(group);
        if identity.dn.is_none() {
            self.without_dn.push_back(group);
        }
        if identity.guid.is_none() {
            self.without_guid.push_back(group);
        }
        if identity.dn.is_none() && identity.guid.is_none() {
            self.without_either.push_back(group);
        }
    }

    /// The first group a copy known as `identity` matches by name: only
    /// where a GUID or a DN cannot decide (one side lacks it).
    fn matching(&mut self, identity: &Identity, identities: &[Identity]) -> Option<usize> {
        let lacks_dn = |g: &usize| identities[*g].dn.is_none();
        let lacks_guid = |g: &usize| identities[*g].guid.is_none();
        match (identity.dn.is_some(), identity.guid.is_some()) {
            (false, false) => self.any.first().copied(),
            (true, false) => first_still(&mut self.without_dn, lacks_dn),
            (false, true) => first_still(&mut self.without_guid, lacks_guid),
            (true, true) => first_still(&mut self.without_either, |g| lacks_dn(g) && lacks_guid(g)),
        }
    }
}

/// The first group of `queue` that still passes `test`, dropping those
/// before it (which never will again).
fn first_still(queue: &mut VecDeque<usize>, test: impl Fn(&usize) -> bool) -> Option<usize> {
    while let Some(front) = queue.front() {
        if test(front) {
            return Some(*front);
        }
        queue.pop_front();
    }
    None
}

/// Groups items that are copies of one object, in input order; in each
/// group the best copy (by `better`, then the first) comes first.
fn merge_copies<B: Ord + Copy, T>(items: impl Iterator<Item = (Identity, B, T)>) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<(B, T)>> = Vec::new();
    let mut by_guid: HashMap<String, usize> = HashMap::new();
    let mut by_dn: HashMap<DnKey, usize> = HashMap::new();
    let mut by_name: HashMap<String, NameIndex> = HashMap::new();
    let mut names_of_groups: HashSet<(usize, String)> = HashSet::new();
    let mut identities: Vec<Identity> = Vec::new();
    for (identity, better, item) in items {
        let same_guid = identity.guid.as_ref().and_then(|g| by_guid.get(g)).copied();
        let same_dn = identity.dn.as_ref().and_then(|d| by_dn.get(d)).copied();
        let group = same_guid
            .or_else(|| {
                // Two different GUIDs are two objects, whatever their DNs.
                same_dn.filter(|&g| {
                    identity.guid.is_none()
                        || identities[g].guid.is_none()
                        || identities[g].guid == identity.guid
                })
            })
            .or_else(|| {
                by_name
                    .get_mut(&identity.name)
                    .and_then(|index| index.matching(&identity, &identities))
            });
        let group = match group {
            Some(group) => group,
            None => {
                groups.push(Vec::new());
                identities.push(identity.clone());
                groups.len() - 1
            }
        };
        let known = &mut identities[group];
        if known.guid.is_none() {
            known.guid = identity.guid.clone();
        }
        if known.dn.is_none() {
            known.dn = identity.dn.clone();
        }
        if let Some(guid) = &identity.guid {
            by_guid.entry(guid.clone()).or_insert(group);
        }
        if let Some(dn) = &identity.dn {
            by_dn.entry(dn.clone()).or_insert(group);
        }
        if names_of_groups.insert((group, identity.name.clone())) {
            by_name
                .entry(identity.name)
                .or_default()
                .add(group, &identities[group]);
        }
        groups[group].push((better, item));
    }
    groups
        .into_iter()
        .map(|mut copies| {
            let best = (0..copies.len())
                .max_by(|&a, &b| copies[a].0.cmp(&copies[b].0).then(b.cmp(&a)))
                .unwrap_or(0);
            let first = copies.remove(best);
            std::iter::once(first.1)
                .chain(copies.into_iter().map(|(_, item)| item))
                .collect()
        })
        .collect()
}

/// Whether a Send connector was deleted since the inputs that hold it were
/// taken: another input, newer (by its newest `whenChanged`) than every
/// input that holds a copy, holds the connector's `CN=Connections`
/// container and not the connector.
fn newer_without(copies: &[(usize, &SendConnector)], objects: &[Objects]) -> Option<DeletedSince> {
    let (_, connector) = copies.first()?;
    let container = connector.dn.parent().filter(|p| !p.is_root())?.key();
    let holding: Vec<usize> = copies.iter().map(|(input, _)| *input).collect();
    let (newest_holding, held_as_of) = holding
        .iter()
        .map(|&i| (i, objects[i].newest_change()))
        .max_by_key(|(_, when)| *when)?;
    let held_as_of = held_as_of?;
    let newer = objects.iter().enumerate().find(|(i, o)| {
        !holding.contains(i)
            && o.newest_change().is_some_and(|when| when > held_as_of)
            && o.containers.iter().any(|c| {
                c.kind == crate::model::ContainerKind::Connections && c.dn.key() == container
            })
    })?;
    Some(DeletedSince {
        name: connector.name.clone(),
        inputs: (newest_holding, newer.0),
    })
}

/// The copy of a Send connector the analysis uses (the first of
/// `copies`), with what it lacks taken from the others, best first: a
/// value that only one copy has is never lost (the smart hosts an LDIF
/// export holds and a cmdlet summary does not, say).
fn merged_copy(copies: &[(usize, &SendConnector)]) -> SendConnector {
    let mut merged = copies[0].1.clone();
    for (_, other) in &copies[1..] {
        let fill = |mine: &mut Option<String>, theirs: &Option<String>| {
            if mine.is_none() {
                mine.clone_from(theirs);
            }
        };
        if merged.smart_hosts.is_empty() {
            merged.smart_hosts.clone_from(&other.smart_hosts);
        }
        if merged.address_spaces.is_empty() {
            merged.address_spaces.clone_from(&other.address_spaces);
        }
        merged.port = merged.port.or(other.port);
        fill(&mut merged.fqdn, &other.fqdn);
        fill(&mut merged.max_message_size, &other.max_message_size);
        fill(&mut merged.tls_domain, &other.tls_domain);
        fill(&mut merged.protocol_logging, &other.protocol_logging);
        fill(&mut merged.source_ip, &other.source_ip);
        fill(&mut merged.guid, &other.guid);
    }
    merged
}

/// The servers whose being a source cannot be told: where another copy,
/// no newer and no older than the one used (and as sure of its sources),
/// names other sources, the servers that only one of them names.
fn undecided_sources(copies: &[(usize, &SendConnector)], exported: &Exported) -> Vec<ServerRef> {
    let Some(((_, used), others)) = copies.split_first() else {
        return Vec::new();
    };
    let rank = |c: &SendConnector| (c.sources_known, c.changed);
    let keys = |c: &SendConnector| -> BTreeMap<String, ServerRef> {
        resolve_all(&c.source_refs, exported)
            .0
            .into_iter()
            .map(|s| (s.key.clone(), s))
            .collect()
    };
    let mine = keys(used);
    let mut undecided = BTreeMap::new();
    for (_, other) in others.iter().filter(|(_, o)| rank(o) == rank(used)) {
        if !used.sources_known {
            continue;
        }
        let mut theirs = keys(other);
        for (key, server) in &mine {
            if !theirs.contains_key(key) {
                undecided.insert(key.clone(), server.clone());
            }
        }
        theirs.retain(|key, _| !mine.contains_key(key));
        undecided.append(&mut theirs);
    }
    undecided.into_values().collect()
}

/// The settings in which later copies of a Send connector differ from the
/// copy used, compared as the analysis reads them (so that the same
/// connector in LDIF and in cmdlet output agrees).
fn send_conflicts(copies: &[(usize, &SendConnector)], exported: &Exported) -> Vec<Conflict> {
    let Some(((used_input, used), others)) = copies.split_first() else {
        return Vec::new();
    };
    if others.is_empty() {
        return Vec::new();
    }
    let settings = |c: &SendConnector| -> Vec<(&'static str, String)> {
        let mut sources: Vec<String> = resolve_all(&c.source_refs, exported)
            .0
            .into_iter()
            .map(|s| s.key)
            .collect();
        sources.sort();
        sources.dedup();
        let mut spaces: Vec<String> = c
            .address_spaces
            .iter()
            .map(|a| a.raw.to_lowercase())
            .collect();
        spaces.sort();
        vec![
            ("enabled (msExchSmtpSendEnabled)", c.enabled.to_string()),
            ("address spaces (routingList)", spaces.join(" ")),
            (
                "smart hosts (msExchSmtpSmartHost)",
                c.smart_hosts.join(" ").to_lowercase(),
            ),
            (
                "port (msExchSmtpSendPort)",
                c.port.map(|p| p.to_string()).unwrap_or_default(),
            ),
            (
                "FQDN (msExchSMTPSendConnectorFQDN)",
                c.fqdn.clone().unwrap_or_default().to_lowercase(),
            ),
            (
                "source servers (msExchSourceBridgeheadServersDN)",
                if c.sources_known {
                    sources.join(", ")
                } else {
                    String::from("?")
                },
            ),
        ]
    };
    let used_settings = settings(used);
    let mut conflicts = Vec::new();
    for (input, other) in others {
        for ((field, a), (_, b)) in used_settings.iter().zip(settings(other)) {
            if *a != b && a != "?" && b != "?" {
                conflicts.push(Conflict {
                    name: used.name.clone(),
                    inputs: (*used_input, *input),
                    field,
                    values: (a.clone(), b),
                });
            }
        }
    }
    conflicts
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

/// Server objects of all inputs, first one of each name wins.
fn unique_servers(objects: &[Objects]) -> BTreeMap<String, Server> {
    let mut servers = BTreeMap::new();
    for server in objects.iter().flat_map(|o| &o.servers) {
        servers
            .entry(server_key(&server.name))
            .or_insert_with(|| server.clone());
    }
    servers
}

/// Keeps the first object of each DN, in input order (receive connectors,
/// which only directory exports and DN-bearing cmdlet output hold).
fn unique_by_dn<T>(items: impl Iterator<Item = (DnKey, T)>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items
        .filter(|(key, _)| seen.insert(key.clone()))
        .map(|(_, item)| item)
        .collect()
}

fn server_ref(server: &Server) -> ServerRef {
    ServerRef {
        key: server_key(&server.name),
        name: server.name.clone(),
        dn: (!server.dn.is_root()).then(|| Arc::new(server.dn.clone())),
    }
}

/// The server in `dn`: the RDN under the Exchange `CN=Servers` container.
fn owner_of(dn: &Dn) -> Option<ServerRef> {
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

fn resolve_all(references: &[Reference], exported: &Exported) -> Resolved {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ldif;
    use crate::model;

    fn graph(texts: &[&str]) -> Graph {
        let objects: Vec<Objects> = texts
            .iter()
            .map(|t| model::build(ldif::parse(t.as_bytes()).records).0)
            .collect();
        Graph::build(&objects)
    }

    const SERVERS: &str =
        "dn: CN=EX01,CN=Servers,CN=AG,DC=x\nobjectClass: msExchExchangeServer\ncn: EX01\n\n";

    fn identity(guid: Option<usize>, dn: Option<usize>) -> Identity {
        let dn = dn.map_or(Dn::parse("").unwrap(), |i| {
            Dn::parse(&format!("CN=C{i},CN=Connections,DC=x")).unwrap()
        });
        Identity::of(guid.map(|g| format!("{g:032x}")).as_deref(), &dn, "Relay")
    }

    #[test]
    fn copies_that_share_only_a_name_are_merged_in_one_pass() {
        // Objects with a DN and a GUID never match by name: no group is
        // kept where a name lookup would have to look at it again.
        let many = (0..20_000).map(|i| (identity(Some(i), Some(i)), 0, i));
        assert_eq!(merge_copies(many).len(), 20_000);
        let mut index = NameIndex::default();
        let identities: Vec<Identity> = (0..1000).map(|i| identity(Some(i), Some(i))).collect();
        for (group, identity) in identities.iter().enumerate() {
            index.add(group, identity);
        }
        assert_eq!(index.any.len(), 1000);
        assert!(index.without_dn.is_empty() && index.without_guid.is_empty());
        assert!(index.without_either.is_empty());

        // Groups that gain a DN leave the queue once, at the next lookup.
        let mut identities: Vec<Identity> = (0..1000).map(|_| identity(None, None)).collect();
        let mut index = NameIndex::default();
        for (group, identity) in identities.iter().enumerate() {
            index.add(group, identity);
        }
        for known in &mut identities[..999] {
            known.dn = identity(None, Some(1)).dn;
        }
        let lookup = identity(None, Some(2));
        assert_eq!(index.matching(&lookup, &identities), Some(999));
        assert_eq!(index.without_dn.len(), 1);
        // A copy with neither a DN nor a GUID matches the first group of its name.
        assert_eq!(index.matching(&identity(None, None), &identities), Some(0));
    }

    #[test]
    fn vsi_and_server_dns_in_any_spelling_name_one_server() {
        let g = graph(&[&format!(
            "{SERVERS}dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,CN=AG,DC=x\n\
             msExchSourceBridgeheadServersDN: cn=2, cn=smtp,cn=protocols,cn=ex01 ,cn=servers,cn=ag,dc=X\n\n\
             dn: CN=B,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: <GUID=00>;CN=ex01,CN=Servers,CN=AG,DC=x\n"
        )]);
        assert_eq!(g.servers.len(), 1);
        assert_eq!(g.servers[0].send_connectors, [0, 1]);
        assert_eq!(g.send_connectors[0].sources, [0]);
        assert!(g.servers[0].in_export());
    }

    #[test]
    fn partial_exports_still_name_the_server() {
        let g = graph(&["dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX02,CN=Servers,CN=AG,DC=x\n"]);
        assert_eq!(g.servers[0].name, "EX02");
        assert!(!g.servers[0].in_export());
    }

    #[test]
    fn references_without_servers_are_unresolved() {
        let g = graph(&[
            "dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: CN=Somewhere,DC=x\n\
             msExchSourceBridgeheadServersDN: CN=EX9\\0ADEL:12,CN=Deleted Objects,DC=x\n",
        ]);
        assert!(g.servers.is_empty());
        assert_eq!(g.send_connectors[0].unresolved.len(), 2);
    }

    #[test]
    fn walking_up_finds_an_exported_server_outside_cn_servers() {
        let g = graph(&[
            "dn: CN=EDGE,OU=Odd,DC=x\nobjectClass: msExchExchangeServer\ncn: EDGE\n\n\
             dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EDGE,OU=Odd,DC=x\n",
        ]);
        assert_eq!(g.send_connectors[0].sources, [0]);
    }

    #[test]
    fn foreign_connector_sources_resolve_like_send_connectors() {
        let g = graph(&[&format!(
            "{SERVERS}dn: CN=Fax,CN=Connections,DC=x\nobjectClass: mailGateway\n\
             msExchTransportDropDirectoryName: D:\\Fax\n\
             msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=ex01,CN=Servers,CN=AG,DC=x\n\
             msExchSourceBridgeheadServersDN: CN=EX02,CN=Servers,CN=AG,DC=x\n"
        )]);
        assert_eq!(g.other_connectors[0].sources, [0, 1]);
        assert_eq!(g.servers[0].other_connectors, [0]);
        assert!(g.servers[0].send_connectors.is_empty());
        assert_eq!(g.servers[1].name, "EX02");
        assert!(!g.servers[1].in_export());
    }

    #[test]
    fn inputs_merge_into_one_view() {
        let g = graph(&[
            "dn: CN=A,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\n\
             msExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,CN=AG,DC=x\n",
            SERVERS,
        ]);
        assert_eq!(g.servers.len(), 1);
        assert!(g.servers[0].in_export());
        assert_eq!(g.servers[0].send_connectors, [0]);
    }
}
