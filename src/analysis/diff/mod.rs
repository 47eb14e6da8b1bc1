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
//!
//! This file owns the [`Diff`] and its entries, `diff()` and [`redact`]; the
//! parts live beside it: `matching` pairs objects across the sides,
//! `fields` says which settings differ, `objects` compares servers and
//! connectors, `findings` the findings.

mod fields;
mod findings;
mod matching;
mod objects;

pub use fields::{RoutingGroupField, SendField, ServerField, Value};
pub use findings::{FindingChange, FindingState};

use crate::analysis::graph::Graph;
use crate::analysis::redact::Pseudonyms;
use crate::analysis::Organization;
use findings::compare_findings;
use matching::{pair, server_identity};
use objects::{
    compare_other_connectors, compare_receive_connectors, compare_routing_group_connectors,
    compare_send_connectors, compare_servers,
};

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
pub struct SendConnectorChange {
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
pub struct RoutingGroupConnectorChange {
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

/// A foreign or Delivery Agent connector added, removed or changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherConnectorChange {
    /// How.
    pub change: Change,
    /// Index into the before graph's foreign and Delivery Agent connectors.
    pub before: Option<usize>,
    /// Index into the after graph's foreign and Delivery Agent connectors.
    pub after: Option<usize>,
    /// Source servers only after (after graph's servers).
    pub sources_added: Vec<usize>,
    /// Source servers only before (before graph's servers).
    pub sources_removed: Vec<usize>,
    /// Its name changed (same GUID or DN).
    pub renamed: bool,
}

/// A receive connector added or removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiveConnectorChange {
    /// `Added` or `Removed`.
    pub change: Change,
    /// The side it is on.
    pub side: Side,
    /// Index into that side's receive connectors.
    pub index: usize,
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
    /// Foreign and Delivery Agent connectors (`None`: not compared).
    pub other_connectors: Option<usize>,
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
    pub send_connectors: Vec<SendConnectorChange>,
    /// Routing group connectors added, removed or changed, by name.
    pub routing_group_connectors: Vec<RoutingGroupConnectorChange>,
    /// Foreign and Delivery Agent connectors added, removed or changed, by name.
    pub other_connectors: Vec<OtherConnectorChange>,
    /// Receive connectors added or removed, by server and name.
    pub receive_connectors: Vec<ReceiveConnectorChange>,
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
            + self.other_connectors.len()
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
        compare_other_connectors(&sides, &mut diff);
        compare_findings(&sides, &connector_after, &mut diff);
    }
    compare_receive_connectors(&sides, &mut diff);
    diff
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
        other_connectors: [b.other_connectors.clone(), a.other_connectors.clone()].concat(),
        receive_connectors: [b.receive_connectors.clone(), a.receive_connectors.clone()].concat(),
        conflicts: Vec::new(),
        deleted_since: Vec::new(),
    };
    let name = before.name.as_ref().or(after.name.as_ref());
    let pseudonyms = Pseudonyms::of(&union, name);
    before.redact_with(&pseudonyms);
    after.redact_with(&pseudonyms);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::findings::Code;
    use crate::analysis::{analyze, read};
    use crate::input::{ReadOptions, Source};

    pub(super) fn organization(text: &str) -> Organization {
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

    pub(super) fn server(name: &str, guid: &str, build: &str) -> String {
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
    pub(super) const S1: &str = "aaaaaaaa-1111-1111-1111-111111111111";
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
        let findings: Vec<(FindingState, Code, Option<usize>)> = d
            .findings
            .iter()
            .map(|f| (f.state, f.code, f.server_after))
            .collect();
        assert!(findings.contains(&(
            FindingState::Resolved,
            Code::ServerIsSourceForSendConnector,
            Some(0)
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
}
