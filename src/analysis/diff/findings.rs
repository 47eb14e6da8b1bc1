//! Findings that appeared or were resolved: [`FindingChange`], findings
//! compared by (code, server, connector) with the connector followed across
//! a rename (what a resolved finding's absence means is said by
//! `report::findings`).

use std::collections::BTreeMap;

use super::{Diff, Side, Sides};
use crate::analysis::findings::{Code, Conflicted, Facts, Finding};
use crate::analysis::graph::server_key;
use crate::analysis::Organization;
use crate::dn::Dn;

/// Whether a finding appeared or was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FindingState {
    /// Only after.
    New,
    /// Only before.
    Resolved,
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
}

/// Findings by (code, server, connector), the connector followed across a
/// rename; several alike (unresolved references of one connector) are told
/// apart by what they name.
pub(super) fn compare_findings(sides: &Sides, connector_after: &[Option<usize>], diff: &mut Diff) {
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
    organization
        .findings
        .iter()
        .map(|f| {
            let detail = match (f.code, f.connector, f.facts) {
                (Code::UnresolvedSourceReference, Some(c), Facts::Unresolved { reference }) => {
                    let unresolved = &graph.send_connectors[c].unresolved;
                    unresolved
                        .get(reference)
                        .map_or_else(String::new, |u| reference_key(&u.reference))
                }
                (Code::ConflictMangledObject, None, Facts::Conflict(object)) => match object {
                    Conflicted::RoutingGroupConnector(i) => {
                        format!(
                            "rgc\u{0}{}",
                            graph.routing_group_connectors[i].connector.name
                        )
                    }
                    Conflicted::Server(i) => {
                        let server = &graph.servers[i];
                        let name = server.object.as_ref().map_or(&server.name, |o| &o.name);
                        format!("server\u{0}{name}")
                    }
                    Conflicted::SendConnector(i) => format!("send\u{0}{i}"),
                },
                // A foreign or Delivery Agent connector's: by its kind and name.
                (Code::LastSourceOfConnector, None, _) => f
                    .other_connector
                    .map(|c| {
                        let c = &graph.other_connectors[c].connector;
                        format!("{}\u{0}{}", c.kind.cmdlet_noun(), server_key(&c.name))
                    })
                    .unwrap_or_default(),
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
