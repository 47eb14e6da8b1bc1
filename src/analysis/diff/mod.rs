//! `diff`: what changed between two analyses of one organization (before
//! and after a remediation), whatever the representation of each side.
//!
//! The comparison is of the analyzed graphs, not of text: objects are
//! matched by GUID where both sides have one, else by DN (RFC 4514
//! equality), else by name (case-insensitive, as Setup matches servers),
//! so a connector renamed in place is one changed connector. Settings are
//! compared as the analysis reads them (address spaces and smart hosts as
//! sets, case-insensitively; a build without its revision equals the same
//! build with one), so the same organization exported as LDIF and as DSML
//! compares equal. Findings are compared by (code, server, connector), the
//! connector followed across a rename.
//!
//! A side whose inputs cannot show the Send connectors makes every Send
//! connector (and every finding, which rests on them) incomparable: the
//! diff says which side instead of reporting connectors removed or added.
//!
//! The [`Diff`] holds indices into each side's graph and findings, not
//! names, so that a report can show it on redacted copies of the two
//! sides (see [`redact`]): what changed is decided on the real data.

use std::collections::{BTreeMap, HashMap};

use crate::analysis::Organization;
use crate::dn::{Dn, DnKey};
use crate::findings::{Code, Finding};
use crate::graph::{server_key, ConnectorNode, Graph, ServerNode};
use crate::model::Roles;
use crate::redact::Pseudonyms;

/// One of the two sides compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The export taken before the change.
    Before,
    /// The export taken after it.
    After,
}

impl Side {
    /// `before` or `after`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Before => "before",
            Side::After => "after",
        }
    }
}

/// How an object differs between the sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// Only after.
    Added,
    /// Only before.
    Removed,
    /// On both sides, with a difference.
    Changed,
}

impl Change {
    /// `added`, `removed` or `changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// A value of a compared setting, as the directory holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Not known on that side.
    Absent,
    /// A flag.
    Flag(bool),
    /// A number.
    Number(u64),
    /// A text.
    Text(String),
    /// Several values.
    List(Vec<String>),
}

/// A server setting the diff compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServerField {
    /// Whether the export holds the server object.
    InExport,
    /// The product (from the build).
    Product,
    /// The build.
    Version,
    /// The roles.
    Roles,
    /// The AD site.
    Site,
}

impl ServerField {
    /// The field's name in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            ServerField::InExport => "in_export",
            ServerField::Product => "product",
            ServerField::Version => "version",
            ServerField::Roles => "roles",
            ServerField::Site => "site",
        }
    }

    /// The value on one side.
    pub fn value(self, node: &ServerNode) -> Value {
        let object = node.object.as_ref();
        let version = object.and_then(|o| o.version);
        match self {
            ServerField::InExport => Value::Flag(node.in_export()),
            ServerField::Product => version.map_or(Value::Absent, |v| {
                Value::Text(v.product().name().to_owned())
            }),
            ServerField::Version => version.map_or(Value::Absent, |v| Value::Text(v.to_string())),
            ServerField::Roles => match object.and_then(|o| o.roles) {
                Some(roles) => Value::List(roles.names().iter().map(|&r| r.to_owned()).collect()),
                None => Value::Absent,
            },
            ServerField::Site => text(object.and_then(|o| o.site.as_deref())),
        }
    }
}

/// A Send connector setting the diff compares (its sources are compared apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SendField {
    /// The name (a rename keeps the GUID).
    Name,
    /// `msExchSmtpSendEnabled`.
    Enabled,
    /// `routingList`.
    AddressSpaces,
    /// `msExchSmtpSmartHost`.
    SmartHosts,
    /// `msExchSmtpSendPort`.
    Port,
    /// `msExchSMTPSendConnectorFQDN`.
    Fqdn,
}

impl SendField {
    /// Every field, in the order shown.
    pub const ALL: [SendField; 6] = [
        SendField::Name,
        SendField::Enabled,
        SendField::AddressSpaces,
        SendField::SmartHosts,
        SendField::Port,
        SendField::Fqdn,
    ];

    /// The field's name in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            SendField::Name => "name",
            SendField::Enabled => "enabled",
            SendField::AddressSpaces => "address_spaces",
            SendField::SmartHosts => "smart_hosts",
            SendField::Port => "port",
            SendField::Fqdn => "fqdn",
        }
    }

    /// The value on one side.
    pub fn value(self, node: &ConnectorNode) -> Value {
        let c = &node.connector;
        match self {
            SendField::Name => Value::Text(c.name.clone()),
            SendField::Enabled => Value::Flag(c.enabled),
            SendField::AddressSpaces => {
                Value::List(c.address_spaces.iter().map(|a| a.raw.clone()).collect())
            }
            SendField::SmartHosts => Value::List(c.smart_hosts.clone()),
            SendField::Port => c
                .port
                .map_or(Value::Absent, |p| Value::Number(u64::from(p))),
            SendField::Fqdn => text(c.fqdn.as_deref()),
        }
    }

    /// Whether the two sides agree, compared as the analysis reads them.
    fn same(self, before: &ConnectorNode, after: &ConnectorNode) -> bool {
        let (b, a) = (&before.connector, &after.connector);
        match self {
            SendField::Name => b.name == a.name,
            SendField::Enabled => b.enabled == a.enabled,
            SendField::AddressSpaces => {
                let spaces = |c: &crate::model::SendConnector| {
                    set(c.address_spaces.iter().map(|s| s.raw.as_str()))
                };
                spaces(b) == spaces(a)
            }
            SendField::SmartHosts => {
                set(b.smart_hosts.iter().map(String::as_str))
                    == set(a.smart_hosts.iter().map(String::as_str))
            }
            SendField::Port => b.port == a.port,
            SendField::Fqdn => same_text(b.fqdn.as_deref(), a.fqdn.as_deref()),
        }
    }
}

/// A routing group connector setting the diff compares (bridgeheads apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoutingGroupField {
    /// The name.
    Name,
}

impl RoutingGroupField {
    /// The field's name in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingGroupField::Name => "name",
        }
    }

    /// The value on one side.
    pub fn value(self, graph: &Graph, index: usize) -> Value {
        match self {
            RoutingGroupField::Name => {
                Value::Text(graph.routing_group_connectors[index].connector.name.clone())
            }
        }
    }
}

/// A server added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerChange {
    /// How.
    pub change: Change,
    /// Index into the before graph's servers.
    pub before: Option<usize>,
    /// Index into the after graph's servers.
    pub after: Option<usize>,
    /// The settings that differ (for a changed server).
    pub fields: Vec<ServerField>,
}

/// A Send connector added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendChange {
    /// How.
    pub change: Change,
    /// Index into the before graph's Send connectors.
    pub before: Option<usize>,
    /// Index into the after graph's Send connectors.
    pub after: Option<usize>,
    /// Source servers only after (indices into the after graph's servers;
    /// every source of an added connector).
    pub sources_added: Vec<usize>,
    /// Source servers only before (indices into the before graph's
    /// servers; every source of a removed connector).
    pub sources_removed: Vec<usize>,
    /// The settings that differ (for a changed connector).
    pub fields: Vec<SendField>,
}

/// A routing group connector added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingGroupChange {
    /// How.
    pub change: Change,
    /// Index into the before graph's routing group connectors.
    pub before: Option<usize>,
    /// Index into the after graph's routing group connectors.
    pub after: Option<usize>,
    /// Source bridgeheads only after (after graph's servers).
    pub sources_added: Vec<usize>,
    /// Source bridgeheads only before (before graph's servers).
    pub sources_removed: Vec<usize>,
    /// Target bridgeheads only after.
    pub targets_added: Vec<usize>,
    /// Target bridgeheads only before.
    pub targets_removed: Vec<usize>,
    /// The settings that differ.
    pub fields: Vec<RoutingGroupField>,
}

/// A receive connector added or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiveChange {
    /// `Added` or `Removed`.
    pub change: Change,
    /// The side it is on.
    pub side: Side,
    /// Index into that side's receive connectors.
    pub index: usize,
}

/// Whether a finding appeared or was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingState {
    /// Only after.
    New,
    /// Only before.
    Resolved,
}

impl FindingState {
    /// `new` or `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingState::New => "new",
            FindingState::Resolved => "resolved",
        }
    }
}

/// A finding that appeared or was resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingChange {
    /// New (the finding is the after side's) or resolved (the before side's).
    pub state: FindingState,
    /// Its code.
    pub code: Code,
    /// Its server, on its side.
    pub server: Option<usize>,
    /// Its Send connector, on its side.
    pub connector: Option<usize>,
    /// Which of its side's findings with this code, server and connector
    /// it is (0 for the first).
    pub occurrence: usize,
    /// For a resolved finding: the same server after, if it is still known.
    pub server_after: Option<usize>,
    /// For a resolved finding: the same connector after, if it is still there.
    pub connector_after: Option<usize>,
}

impl FindingChange {
    /// The side whose findings hold it.
    pub fn side(&self) -> Side {
        match self.state {
            FindingState::New => Side::After,
            FindingState::Resolved => Side::Before,
        }
    }

    /// The finding in its side's analysis (`None` when that analysis no
    /// longer has it, e.g. after redaction).
    pub fn finding<'o>(&self, organization: &'o Organization) -> Option<&'o Finding> {
        organization
            .findings
            .iter()
            .filter(|f| (f.code, f.server, f.connector) == (self.code, self.server, self.connector))
            .nth(self.occurrence)
    }

    /// What a resolved finding's absence means, in a sentence (names from
    /// the two sides' graphs, so redacted sides give redacted names); for a
    /// new finding, its own message.
    pub fn message(&self, before: &Organization, after: &Organization) -> String {
        if self.state == FindingState::New {
            return self
                .finding(after)
                .map_or_else(|| "(withheld)".to_owned(), |f| f.message.clone());
        }
        let graph = &before.graph;
        let server = self.server.map(|i| graph.servers[i].name.as_str());
        let connector = self
            .connector
            .map(|i| graph.send_connectors[i].connector.name.as_str());
        let server_after = self.server_after.map(|i| &after.graph.servers[i]);
        let gone = self.connector.is_some() && self.connector_after.is_none();
        match (self.code, server, connector) {
            (Code::ServerIsSourceForSendConnector, Some(s), _) => match server_after {
                Some(_) => format!("{s} is no longer a source: Setup's check passes"),
                None => format!("{s} is no longer a source, nor anywhere in the export"),
            },
            (Code::EdgeServerIsSource, Some(s), _) => {
                format!("{s} is no longer a source of Send connectors through an Edge subscription")
            }
            (Code::LastSourceOfConnector, Some(s), Some(c)) if gone => {
                format!("{s} is no longer the only source of Send connector '{c}': the connector is gone")
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
            _ => match self.finding(before) {
                Some(f) => format!("no longer found: {}", f.message),
                None => "no longer found".to_owned(),
            },
        }
    }
}

/// How many objects of each kind are on both sides, unchanged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unchanged {
    /// Servers.
    pub servers: usize,
    /// Send connectors (`None`: not compared).
    pub send_connectors: Option<usize>,
    /// Routing group connectors (`None`: not compared).
    pub routing_group_connectors: Option<usize>,
    /// Receive connectors.
    pub receive_connectors: usize,
    /// Findings (`None`: not compared).
    pub findings: Option<usize>,
}

/// What changed between two analyses of one organization.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diff {
    /// The sides whose inputs cannot show the Send connectors. When any,
    /// what lives with them or rests on them is not compared: Send and
    /// routing group connectors (both in the routing groups'
    /// `CN=Connections`), servers known only from their references, and
    /// findings.
    pub not_shown: Vec<Side>,
    /// Servers added, removed or changed, by name.
    pub servers: Vec<ServerChange>,
    /// Send connectors added, removed or changed, by name.
    pub send_connectors: Vec<SendChange>,
    /// Routing group connectors added, removed or changed, by name.
    pub routing_group_connectors: Vec<RoutingGroupChange>,
    /// Receive connectors added or removed, by server and name.
    pub receive_connectors: Vec<ReceiveChange>,
    /// Findings that appeared (first) or were resolved.
    pub findings: Vec<FindingChange>,
    /// What is the same on both sides.
    pub unchanged: Unchanged,
}

impl Diff {
    /// Whether the connectors and findings were compared (both sides can
    /// show the Send connectors).
    pub fn send_connectors_compared(&self) -> bool {
        self.not_shown.is_empty()
    }

    /// Every change listed.
    pub fn changes(&self) -> usize {
        self.servers.len()
            + self.send_connectors.len()
            + self.routing_group_connectors.len()
            + self.receive_connectors.len()
            + self.findings.len()
    }
}

/// The two sides, and how their servers pair up.
struct Sides<'o> {
    before: &'o Organization,
    after: &'o Organization,
    /// For each server before, the same server after.
    server_after: Vec<Option<usize>>,
    /// For each server after, the same server before.
    server_before: Vec<Option<usize>>,
}

impl Sides<'_> {
    /// The servers of two lists only after and only before: (added, removed).
    fn moved(&self, before: &[usize], after: &[usize]) -> (Vec<usize>, Vec<usize>) {
        let added = after
            .iter()
            .copied()
            .filter(|&y| self.server_before[y].is_none_or(|x| !before.contains(&x)))
            .collect();
        let removed = before
            .iter()
            .copied()
            .filter(|&x| self.server_after[x].is_none_or(|y| !after.contains(&y)))
            .collect();
        (added, removed)
    }
}

/// The name an entry sorts by: after's, else before's.
fn shown_index(before: Option<usize>, after: Option<usize>) -> (bool, usize) {
    match (after, before) {
        (Some(y), _) => (true, y),
        (None, Some(x)) => (false, x),
        (None, None) => unreachable!("a pair has a side"),
    }
}

/// What changed from `before` to `after` (two analyses of one organization).
pub fn diff(before: &Organization, after: &Organization) -> Diff {
    let (b, a) = (&before.graph, &after.graph);
    let not_shown: Vec<Side> = [(Side::Before, before), (Side::After, after)]
        .into_iter()
        .filter(|(_, o)| !o.coverage.send_connectors.is_shown())
        .map(|(side, _)| side)
        .collect();
    let server_pairs = pair(
        &b.servers.iter().map(server_identity).collect::<Vec<_>>(),
        &a.servers.iter().map(server_identity).collect::<Vec<_>>(),
    );
    let mut sides = Sides {
        before,
        after,
        server_after: vec![None; b.servers.len()],
        server_before: vec![None; a.servers.len()],
    };
    for &(x, y) in &server_pairs {
        if let (Some(x), Some(y)) = (x, y) {
            sides.server_after[x] = Some(y);
            sides.server_before[y] = Some(x);
        }
    }
    let mut diff = Diff {
        not_shown,
        ..Diff::default()
    };
    let compared = diff.send_connectors_compared();
    compare_servers(&sides, &server_pairs, compared, &mut diff);
    if compared {
        let connector_after = compare_send_connectors(&sides, &mut diff);
        compare_routing_group_connectors(&sides, &mut diff);
        compare_findings(&sides, &connector_after, &mut diff);
    }
    compare_receive_connectors(&sides, &mut diff);
    diff
}

fn compare_servers(
    sides: &Sides,
    pairs: &[(Option<usize>, Option<usize>)],
    compared: bool,
    diff: &mut Diff,
) {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    for &(x, y) in pairs {
        let (change, fields) = match (x, y) {
            (Some(x), Some(y)) => {
                let fields = server_fields(&b.servers[x], &a.servers[y]);
                if fields.is_empty() {
                    diff.unchanged.servers += 1;
                    continue;
                }
                (Change::Changed, fields)
            }
            // Known only from references: with the connectors not compared,
            // its absence on the other side says nothing.
            (None, Some(y)) if !compared && !a.servers[y].in_export() => continue,
            (Some(x), None) if !compared && !b.servers[x].in_export() => continue,
            (None, _) => (Change::Added, Vec::new()),
            (_, None) => (Change::Removed, Vec::new()),
        };
        diff.servers.push(ServerChange {
            change,
            before: x,
            after: y,
            fields,
        });
    }
    diff.servers.sort_by_cached_key(|c| {
        let node = match shown_index(c.before, c.after) {
            (true, y) => &a.servers[y],
            (false, x) => &b.servers[x],
        };
        (server_key(&node.name), c.change)
    });
}

/// Compares the Send connectors; returns, for each connector before, the
/// same connector after.
fn compare_send_connectors(sides: &Sides, diff: &mut Diff) -> Vec<Option<usize>> {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    let mut connector_after = vec![None; b.send_connectors.len()];
    let pairs = pair(
        &b.send_connectors
            .iter()
            .map(send_identity)
            .collect::<Vec<_>>(),
        &a.send_connectors
            .iter()
            .map(send_identity)
            .collect::<Vec<_>>(),
    );
    let mut unchanged = 0;
    for (x, y) in pairs {
        let before_sources = x.map_or(&[][..], |x| &b.send_connectors[x].sources);
        let after_sources = y.map_or(&[][..], |y| &a.send_connectors[y].sources);
        let (sources_added, sources_removed) = sides.moved(before_sources, after_sources);
        let (change, fields) = match (x, y) {
            (Some(x), Some(y)) => {
                connector_after[x] = Some(y);
                let (bn, an) = (&b.send_connectors[x], &a.send_connectors[y]);
                let fields: Vec<SendField> = SendField::ALL
                    .into_iter()
                    .filter(|f| !f.same(bn, an))
                    .collect();
                if fields.is_empty() && sources_added.is_empty() && sources_removed.is_empty() {
                    unchanged += 1;
                    continue;
                }
                (Change::Changed, fields)
            }
            (None, _) => (Change::Added, Vec::new()),
            (_, None) => (Change::Removed, Vec::new()),
        };
        diff.send_connectors.push(SendChange {
            change,
            before: x,
            after: y,
            sources_added,
            sources_removed,
            fields,
        });
    }
    diff.unchanged.send_connectors = Some(unchanged);
    diff.send_connectors.sort_by_cached_key(|c| {
        let node = match shown_index(c.before, c.after) {
            (true, y) => &a.send_connectors[y],
            (false, x) => &b.send_connectors[x],
        };
        (
            server_key(&node.connector.name),
            node.connector.dn.key(),
            c.change,
        )
    });
    connector_after
}

fn compare_routing_group_connectors(sides: &Sides, diff: &mut Diff) {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    let identities = |graph: &Graph| -> Vec<Identity> {
        graph
            .routing_group_connectors
            .iter()
            .map(|n| {
                identity(
                    n.connector.guid.as_deref(),
                    &n.connector.dn,
                    &n.connector.name,
                )
            })
            .collect()
    };
    let bridgeheads = |graph: &Graph, side: Option<usize>, targets: bool| -> Vec<usize> {
        side.map(|i| {
            let node = &graph.routing_group_connectors[i];
            if targets {
                node.targets.clone()
            } else {
                node.sources.clone()
            }
        })
        .unwrap_or_default()
    };
    let mut unchanged = 0;
    for (x, y) in pair(&identities(b), &identities(a)) {
        let (sources_added, sources_removed) =
            sides.moved(&bridgeheads(b, x, false), &bridgeheads(a, y, false));
        let (targets_added, targets_removed) =
            sides.moved(&bridgeheads(b, x, true), &bridgeheads(a, y, true));
        let (change, fields) = match (x, y) {
            (Some(x), Some(y)) => {
                let fields: Vec<RoutingGroupField> = [RoutingGroupField::Name]
                    .into_iter()
                    .filter(|f| f.value(b, x) != f.value(a, y))
                    .collect();
                let same_bridgeheads = sources_added.is_empty()
                    && sources_removed.is_empty()
                    && targets_added.is_empty()
                    && targets_removed.is_empty();
                if fields.is_empty() && same_bridgeheads {
                    unchanged += 1;
                    continue;
                }
                (Change::Changed, fields)
            }
            (None, _) => (Change::Added, Vec::new()),
            (_, None) => (Change::Removed, Vec::new()),
        };
        diff.routing_group_connectors.push(RoutingGroupChange {
            change,
            before: x,
            after: y,
            sources_added,
            sources_removed,
            targets_added,
            targets_removed,
            fields,
        });
    }
    diff.unchanged.routing_group_connectors = Some(unchanged);
    diff.routing_group_connectors.sort_by_cached_key(|c| {
        let node = match shown_index(c.before, c.after) {
            (true, y) => &a.routing_group_connectors[y],
            (false, x) => &b.routing_group_connectors[x],
        };
        (
            server_key(&node.connector.name),
            node.connector.dn.key(),
            c.change,
        )
    });
}

/// Receive connectors are matched by DN, else by server and name (the
/// model keeps no GUID for them); only additions and removals are listed.
fn compare_receive_connectors(sides: &Sides, diff: &mut Diff) {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    let identities = |graph: &Graph| -> Vec<Identity> {
        graph
            .receive_connectors
            .iter()
            .map(|r| {
                let owner = r.server.map_or("", |s| graph.servers[s].name.as_str());
                let mut id = identity(None, &r.connector.dn, &r.connector.name);
                id.name = format!("{}\u{0}{}", server_key(owner), id.name);
                id
            })
            .collect()
    };
    for (x, y) in pair(&identities(b), &identities(a)) {
        let (change, side, index) = match (x, y) {
            (Some(_), Some(_)) => {
                diff.unchanged.receive_connectors += 1;
                continue;
            }
            (None, Some(y)) => (Change::Added, Side::After, y),
            (Some(x), None) => (Change::Removed, Side::Before, x),
            (None, None) => unreachable!("a pair has a side"),
        };
        diff.receive_connectors.push(ReceiveChange {
            change,
            side,
            index,
        });
    }
    diff.receive_connectors.sort_by_cached_key(|r| {
        let graph = if r.side == Side::Before { b } else { a };
        let node = &graph.receive_connectors[r.index];
        let owner = node.server.map_or("", |s| graph.servers[s].name.as_str());
        (
            server_key(owner),
            server_key(&node.connector.name),
            node.connector.dn.key(),
            r.change,
        )
    });
}

/// Findings by (code, server, connector), the connector followed across a
/// rename; several alike (unresolved references of one connector) are told
/// apart by what they name.
fn compare_findings(sides: &Sides, connector_after: &[Option<usize>], diff: &mut Diff) {
    let (before, after) = (sides.before, sides.after);
    let before_keys = finding_keys(before, |c| match connector_after[c] {
        Some(y) => ConnectorId::After(y),
        None => ConnectorId::BeforeOnly(c),
    });
    let after_keys = finding_keys(after, ConnectorId::After);
    let mut unmatched_after: BTreeMap<&FindingKey, Vec<usize>> = BTreeMap::new();
    for (i, key) in after_keys.iter().enumerate() {
        unmatched_after.entry(key).or_default().push(i);
    }
    let mut resolved = Vec::new();
    let mut same = 0;
    for (i, key) in before_keys.iter().enumerate() {
        match unmatched_after.get_mut(key).filter(|left| !left.is_empty()) {
            Some(left) => {
                left.remove(0);
                same += 1;
            }
            None => resolved.push(i),
        }
    }
    let mut new: Vec<usize> = unmatched_after.into_values().flatten().collect();
    new.sort_unstable();
    let change = |state: FindingState, organization: &Organization, i: usize| {
        let f = &organization.findings[i];
        let occurrence = organization.findings[..i]
            .iter()
            .filter(|g| (g.code, g.server, g.connector) == (f.code, f.server, f.connector))
            .count();
        let resolved = state == FindingState::Resolved;
        FindingChange {
            state,
            code: f.code,
            server: f.server,
            connector: f.connector,
            occurrence,
            server_after: f
                .server
                .and_then(|s| sides.server_after[s])
                .filter(|_| resolved),
            connector_after: f
                .connector
                .and_then(|c| connector_after[c])
                .filter(|_| resolved),
        }
    };
    diff.findings = new
        .into_iter()
        .map(|i| change(FindingState::New, after, i))
        .chain(
            resolved
                .into_iter()
                .map(|i| change(FindingState::Resolved, before, i)),
        )
        .collect();
    diff.unchanged.findings = Some(same);
}

/// `--redact`: both sides with the same pseudonyms (numbered over the
/// names of both), so that an object keeps its pseudonym across the diff.
/// Compute the [`Diff`] first, on the real names.
pub fn redact(before: &mut Organization, after: &mut Organization) {
    let (b, a) = (&before.graph, &after.graph);
    let union = Graph {
        servers: [b.servers.clone(), a.servers.clone()].concat(),
        send_connectors: [b.send_connectors.clone(), a.send_connectors.clone()].concat(),
        routing_group_connectors: [
            b.routing_group_connectors.clone(),
            a.routing_group_connectors.clone(),
        ]
        .concat(),
        receive_connectors: [b.receive_connectors.clone(), a.receive_connectors.clone()].concat(),
        conflicts: Vec::new(),
    };
    let name = before.name.as_ref().or(after.name.as_ref());
    let pseudonyms = Pseudonyms::of(&union, name);
    before.redact_with(&pseudonyms);
    after.redact_with(&pseudonyms);
}

/// What an object is known by, to find it on the other side.
#[derive(Clone, Debug)]
struct Identity {
    guid: Option<String>,
    dn: Option<DnKey>,
    name: String,
}

fn identity(guid: Option<&str>, dn: &Dn, name: &str) -> Identity {
    Identity {
        guid: guid.map(str::to_ascii_lowercase),
        dn: (!dn.is_root()).then(|| dn.key()),
        name: server_key(name),
    }
}

fn server_identity(node: &ServerNode) -> Identity {
    Identity {
        guid: node
            .object
            .as_ref()
            .and_then(|o| o.guid.as_deref())
            .map(str::to_ascii_lowercase),
        dn: node.dn.as_ref().map(Dn::key),
        name: server_key(&node.name),
    }
}

fn send_identity(node: &ConnectorNode) -> Identity {
    let c = &node.connector;
    identity(c.guid.as_deref(), &c.dn, &c.name)
}

/// Pairs the objects of the two sides, one to one: by GUID where both have
/// one; else by DN (two different GUIDs are two objects, whatever their
/// DNs); else by name, where neither GUID nor DN can decide. Every object
/// is in exactly one pair: (before, after), (before, None) or (None, after),
/// in before order, then the added ones in after order.
fn pair(before: &[Identity], after: &[Identity]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut by_guid: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_dn: HashMap<&DnKey, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, id) in after.iter().enumerate() {
        if let Some(guid) = &id.guid {
            by_guid.entry(guid).or_default().push(i);
        }
        if let Some(dn) = &id.dn {
            by_dn.entry(dn).or_default().push(i);
        }
        by_name.entry(&id.name).or_default().push(i);
    }
    let mut taken = vec![false; after.len()];
    let mut matched: Vec<Option<usize>> = vec![None; before.len()];
    let take = |candidates: Option<&Vec<usize>>,
                fits: &dyn Fn(&Identity) -> bool,
                taken: &mut Vec<bool>|
     -> Option<usize> {
        let found = candidates?
            .iter()
            .copied()
            .find(|&i| !taken[i] && fits(&after[i]))?;
        taken[found] = true;
        Some(found)
    };
    for (i, id) in before.iter().enumerate() {
        if let Some(guid) = &id.guid {
            matched[i] = take(by_guid.get(guid.as_str()), &|_| true, &mut taken);
        }
    }
    for (i, id) in before.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        if let Some(dn) = &id.dn {
            let fits = |other: &Identity| id.guid.is_none() || other.guid.is_none();
            matched[i] = take(by_dn.get(dn), &fits, &mut taken);
        }
    }
    for (i, id) in before.iter().enumerate() {
        if matched[i].is_some() {
            continue;
        }
        let fits = |other: &Identity| {
            (id.dn.is_none() || other.dn.is_none()) && (id.guid.is_none() || other.guid.is_none())
        };
        matched[i] = take(by_name.get(id.name.as_str()), &fits, &mut taken);
    }
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = matched
        .into_iter()
        .enumerate()
        .map(|(i, m)| (Some(i), m))
        .collect();
    pairs.extend(
        taken
            .iter()
            .enumerate()
            .filter(|(_, t)| !**t)
            .map(|(i, _)| (None, Some(i))),
    );
    pairs
}

/// The server settings that differ. Settings of the object are compared
/// only where both sides have it (a server known only by reference on one
/// side differs in `in_export` alone).
fn server_fields(before: &ServerNode, after: &ServerNode) -> Vec<ServerField> {
    let mut fields = Vec::new();
    if before.in_export() != after.in_export() {
        fields.push(ServerField::InExport);
    }
    let (Some(b), Some(a)) = (&before.object, &after.object) else {
        return fields;
    };
    match (b.version, a.version) {
        (Some(x), Some(y)) => {
            if x.product() != y.product() {
                fields.push(ServerField::Product);
            }
            let same_build = (x.major, x.minor, x.build) == (y.major, y.minor, y.build)
                && (x.revision == y.revision || x.revision.is_none() || y.revision.is_none());
            if !same_build {
                fields.push(ServerField::Version);
            }
        }
        (None, None) => {}
        _ => {
            fields.push(ServerField::Product);
            fields.push(ServerField::Version);
        }
    }
    // No roles attribute (Exchange 2003) and the cmdlets' `None` are alike.
    let roles = |server: &crate::model::Server| {
        server
            .roles
            .map(|r| comparable_roles(r, server.version.map(|v| (v.major, v.minor))))
            .unwrap_or_default()
    };
    if roles(b) != roles(a) {
        fields.push(ServerField::Roles);
    }
    if !same_text(b.site.as_deref(), a.site.as_deref()) {
        fields.push(ServerField::Site);
    }
    fields
}

/// Roles as they compare. From Exchange 2016 on, the Mailbox role holds
/// Client Access, Unified Messaging, Hub Transport and Front End Transport:
/// the directory sets their bits (`msExchCurrentServerRoles: 16439`) while
/// the cmdlets say `Mailbox`; both are the Mailbox role.
fn comparable_roles(roles: Roles, version: Option<(u32, u32)>) -> Vec<&'static str> {
    let modern = version.is_some_and(|v| v >= (15, 1));
    if modern && roles.0 & 2 != 0 {
        let mut names = vec!["Mailbox"];
        if roles.is_edge() {
            names.push("Edge Transport");
        }
        return names;
    }
    roles.names()
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Absent, |v| Value::Text(v.to_owned()))
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(str::to_lowercase) == b.map(str::to_lowercase)
}

/// Values as a set, case-insensitively.
fn set<'v>(values: impl Iterator<Item = &'v str>) -> Vec<String> {
    let mut set: Vec<String> = values.map(|v| v.trim().to_lowercase()).collect();
    set.sort();
    set.dedup();
    set
}

/// A Send connector as findings are compared: the connector after (so a
/// rename does not resolve and raise its findings), or one only before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum ConnectorId {
    After(usize),
    BeforeOnly(usize),
}

/// (code, server, connector, detail): the detail tells apart findings
/// that share the rest (the reference of an `UnresolvedSourceReference`,
/// the object of a `ConflictMangledObject` about no Send connector).
type FindingKey = (Code, Option<String>, Option<ConnectorId>, String);

fn finding_keys(
    organization: &Organization,
    connector_id: impl Fn(usize) -> ConnectorId,
) -> Vec<FindingKey> {
    let graph = &organization.graph;
    let mut unresolved_seen: HashMap<usize, usize> = HashMap::new();
    organization
        .findings
        .iter()
        .map(|f| {
            let detail = match (f.code, f.connector) {
                // findings::analyze lists a connector's unresolved
                // references in order, and sorts stably.
                (Code::UnresolvedSourceReference, Some(c)) => {
                    let k = unresolved_seen.entry(c).or_default();
                    let reference = graph.send_connectors[c]
                        .unresolved
                        .get(*k)
                        .map_or_else(|| f.message.clone(), |u| reference_key(&u.reference));
                    *k += 1;
                    reference
                }
                (Code::ConflictMangledObject, None) => f.message.clone(),
                _ => String::new(),
            };
            (
                f.code,
                f.server.map(|s| server_key(&graph.servers[s].name)),
                f.connector.map(&connector_id),
                detail,
            )
        })
        .collect()
}

fn reference_key(reference: &str) -> String {
    Dn::parse(reference).map_or_else(|_| reference.to_owned(), |dn| dn.key().as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{analyze, read};
    use crate::input::{ReadOptions, Source};

    fn organization(text: &str) -> Organization {
        let source = Source::from_reader(
            "x.ldif",
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            None,
        )
        .unwrap();
        let input = read(source, &ReadOptions::default()).unwrap();
        analyze(vec![input], Vec::new()).organizations.remove(0)
    }

    const BASE: &str = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn server(name: &str, guid: &str, build: &str) -> String {
        format!(
            "dn: CN={name},CN=Servers,{BASE}\nobjectClass: msExchExchangeServer\ncn: {name}\n\
             objectGUID: {guid}\nserialNumber: Version 15.1 (Build {build})\n\
             msExchCurrentServerRoles: 16439\n\n"
        )
    }

    fn connections() -> String {
        format!(
            "dn: CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,{BASE}\n\
             objectClass: msExchConnectors\n\n"
        )
    }

    fn connector(name: &str, guid: &str, sources: &[&str], spaces: &[&str]) -> String {
        let mut text = format!(
            "dn: CN={name},CN=Connections,CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,{BASE}\n\
             objectClass: msExchRoutingSMTPConnector\ncn: {name}\nobjectGUID: {guid}\n"
        );
        for source in sources {
            text.push_str(&format!(
                "msExchSourceBridgeheadServersDN: CN={source},CN=Servers,{BASE}\n"
            ));
        }
        for space in spaces {
            text.push_str(&format!("routingList: {space}\n"));
        }
        text.push('\n');
        text
    }

    const G1: &str = "11111111-1111-1111-1111-111111111111";
    const G2: &str = "22222222-2222-2222-2222-222222222222";
    const G3: &str = "33333333-3333-3333-3333-333333333333";
    const S1: &str = "aaaaaaaa-1111-1111-1111-111111111111";
    const S2: &str = "bbbbbbbb-1111-1111-1111-111111111111";

    #[test]
    fn the_same_organization_has_no_change() {
        let text = format!(
            "{}{}{}{}",
            server("EX01", S1, "30845.34"),
            server("EX02", S2, "30845.34"),
            connections(),
            connector("Internet", G1, &["EX01", "EX02"], &["SMTP:*;1"])
        );
        let d = diff(&organization(&text), &organization(&text));
        assert_eq!(d.changes(), 0, "{d:?}");
        assert_eq!(d.unchanged.servers, 2);
        assert_eq!(d.unchanged.send_connectors, Some(1));
        assert_eq!(d.unchanged.findings, Some(2));
    }

    #[test]
    fn a_rename_is_one_changed_connector_and_sources_move() {
        let servers = format!(
            "{}{}",
            server("EX01", S1, "30845.34"),
            server("EX02", S2, "30845.34")
        );
        let before = organization(&format!(
            "{servers}{}{}{}",
            connections(),
            connector("Internet", G1, &["EX01"], &["SMTP:*;1"]),
            connector("Partner", G2, &["EX01"], &["SMTP:a.com;1"])
        ));
        let after = organization(&format!(
            "{servers}{}{}{}",
            connections(),
            connector("Outbound", G1, &["EX02"], &["smtp:*;1"]),
            connector("Partner", G3, &["EX02"], &["SMTP:a.com;1"])
        ));
        let d = diff(&before, &after);
        type Shown = (Change, String, Vec<SendField>, Vec<usize>, Vec<usize>);
        let shown: Vec<Shown> = d
            .send_connectors
            .iter()
            .map(|c| {
                let node = c
                    .after
                    .map(|y| &after.graph.send_connectors[y])
                    .or(c.before.map(|x| &before.graph.send_connectors[x]))
                    .unwrap();
                (
                    c.change,
                    node.connector.name.clone(),
                    c.fields.clone(),
                    c.sources_added.clone(),
                    c.sources_removed.clone(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Change::Changed,
                    "Outbound".to_owned(),
                    vec![SendField::Name],
                    vec![1],
                    vec![0]
                ),
                (Change::Added, "Partner".to_owned(), vec![], vec![1], vec![]),
                (
                    Change::Removed,
                    "Partner".to_owned(),
                    vec![],
                    vec![],
                    vec![0]
                ),
            ]
        );
        // EX01's blocker is resolved; EX02 became a source.
        let findings: Vec<(FindingState, Code, String)> = d
            .findings
            .iter()
            .map(|f| (f.state, f.code, f.message(&before, &after)))
            .collect();
        assert!(findings.contains(&(
            FindingState::Resolved,
            Code::ServerIsSourceForSendConnector,
            "EX01 is no longer a source: Setup's check passes".to_owned()
        )));
        assert!(findings
            .iter()
            .any(|f| f.0 == FindingState::New && f.1 == Code::ServerIsSourceForSendConnector));
    }

    #[test]
    fn a_side_that_cannot_show_the_connectors_is_not_compared() {
        let servers = server("EX01", S1, "30845.34");
        let before = organization(&format!(
            "{servers}{}{}",
            connections(),
            connector("Internet", G1, &["EX01"], &["SMTP:*;1"])
        ));
        let after = organization(&servers);
        let d = diff(&before, &after);
        assert_eq!(d.not_shown, [Side::After]);
        assert!(d.send_connectors.is_empty() && d.findings.is_empty());
        assert_eq!(d.unchanged.send_connectors, None);
        assert_eq!(d.unchanged.servers, 1);
        assert_eq!(d.unchanged.routing_group_connectors, None);
    }

    #[test]
    fn builds_compare_without_an_unknown_revision_and_roles_as_the_cmdlets_name_them() {
        let before = organization(&server("EX01", S1, "30845.34"));
        let after = organization(&server("EX01", S1, "30845").replace("16439", "2").replace(
            "cn: EX01\n",
            "cn: EX01\nmsExchServerSite: CN=Lyon,CN=Sites,DC=x\n",
        ));
        let d = diff(&before, &after);
        assert_eq!(d.servers.len(), 1);
        assert_eq!(d.servers[0].fields, [ServerField::Site]);
    }

    #[test]
    fn pairs_follow_guid_then_dn_then_name() {
        let id = |guid: Option<&str>, dn: Option<&str>, name: &str| Identity {
            guid: guid.map(str::to_owned),
            dn: dn.map(|d| Dn::parse(d).unwrap().key()),
            name: name.to_owned(),
        };
        let before = [
            id(Some("g1"), Some("CN=A,DC=x"), "a"),
            id(Some("g2"), Some("CN=B,DC=x"), "b"),
            id(None, Some("CN=C,DC=x"), "c"),
            id(None, None, "d"),
        ];
        let after = [
            id(Some("g3"), Some("CN=B,DC=x"), "b"),
            id(None, None, "d"),
            id(Some("g1"), Some("CN=A2,DC=x"), "a2"),
            id(Some("g4"), Some("cn=c, dc=X"), "c"),
        ];
        assert_eq!(
            pair(&before, &after),
            [
                (Some(0), Some(2)),
                (Some(1), None),
                (Some(2), Some(3)),
                (Some(3), Some(1)),
                (None, Some(0)),
            ]
        );
    }
}
