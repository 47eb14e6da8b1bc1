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
//!
//! [`Graph::build`] runs the steps in order: `merge` makes one object of
//! the copies in several inputs (and finds where they disagree), `resolve`
//! finds the server each reference names, and `nodes` indexes the servers
//! and links the connectors to them, sorted.

mod merge;
mod nodes;
mod resolve;

use crate::dn::Dn;
use crate::model::{
    Objects, OtherConnector, ReceiveConnector, RoutingGroupConnector, SendConnector, Server,
};
use nodes::ServerIndex;
use resolve::{owner_of, unique_servers, Exported, Resolution};

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
        let exported = Exported::new(&server_objects, objects);
        let (connectors, disagreements) = merge::merge(objects, &exported);
        let resolved = Resolution::of(&connectors, &exported);
        let known = nodes::known_servers(
            server_objects,
            resolved.referenced(),
            disagreements.undecided,
        );
        let index = ServerIndex::of(&known);
        let mut graph = Graph {
            servers: known.into_values().collect(),
            conflicts: disagreements.conflicts,
            deleted_since: disagreements.deleted_since,
            ..Graph::default()
        };
        graph.connect(connectors, resolved, &index);
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
