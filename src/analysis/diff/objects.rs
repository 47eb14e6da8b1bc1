//! Comparing the objects themselves: servers, Send connectors (with their
//! sources), routing group connectors (with their bridgeheads) and receive
//! connectors, each paired across the sides, listed as added, removed or
//! changed, and sorted by name.

use super::fields::{server_fields, RoutingGroupField, SendField};
use super::matching::{identity, pair, send_identity, Identity};
use super::{
    Change, Diff, OtherConnectorChange, ReceiveConnectorChange, RoutingGroupConnectorChange,
    SendConnectorChange, ServerChange, Side, Sides,
};
use crate::analysis::graph::{server_key, Graph};

/// The name an entry sorts by: after's, else before's.
fn shown_index(before: Option<usize>, after: Option<usize>) -> (bool, usize) {
    match (after, before) {
        (Some(y), _) => (true, y),
        (None, Some(x)) => (false, x),
        (None, None) => unreachable!("a pair has a side"),
    }
}

pub(super) fn compare_servers(
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
pub(super) fn compare_send_connectors(sides: &Sides, diff: &mut Diff) -> Vec<Option<usize>> {
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
        diff.send_connectors.push(SendConnectorChange {
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

pub(super) fn compare_routing_group_connectors(sides: &Sides, diff: &mut Diff) {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    let identities = |graph: &Graph| -> Vec<Identity> {
        graph
            .routing_group_connectors
            .iter()
            .map(|n| identity(n.connector.guid, &n.connector.dn, &n.connector.name))
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
        diff.routing_group_connectors
            .push(RoutingGroupConnectorChange {
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

/// Foreign and Delivery Agent connectors: paired like Send connectors,
/// changed when their sources or their name differ.
pub(super) fn compare_other_connectors(sides: &Sides, diff: &mut Diff) {
    let (b, a) = (&sides.before.graph, &sides.after.graph);
    let identities = |graph: &Graph| -> Vec<Identity> {
        graph
            .other_connectors
            .iter()
            .map(|n| identity(n.connector.guid, &n.connector.dn, &n.connector.name))
            .collect()
    };
    let sources = |graph: &Graph, side: Option<usize>| -> Vec<usize> {
        side.map(|i| graph.other_connectors[i].sources.clone())
            .unwrap_or_default()
    };
    let mut unchanged = 0;
    for (x, y) in pair(&identities(b), &identities(a)) {
        let (sources_added, sources_removed) = sides.moved(&sources(b, x), &sources(a, y));
        let (change, renamed) = match (x, y) {
            (Some(x), Some(y)) => {
                let renamed =
                    b.other_connectors[x].connector.name != a.other_connectors[y].connector.name;
                if !renamed && sources_added.is_empty() && sources_removed.is_empty() {
                    unchanged += 1;
                    continue;
                }
                (Change::Changed, renamed)
            }
            (None, _) => (Change::Added, false),
            (_, None) => (Change::Removed, false),
        };
        diff.other_connectors.push(OtherConnectorChange {
            change,
            before: x,
            after: y,
            sources_added,
            sources_removed,
            renamed,
        });
    }
    diff.unchanged.other_connectors = Some(unchanged);
    diff.other_connectors.sort_by_cached_key(|c| {
        let node = match shown_index(c.before, c.after) {
            (true, y) => &a.other_connectors[y],
            (false, x) => &b.other_connectors[x],
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
pub(super) fn compare_receive_connectors(sides: &Sides, diff: &mut Diff) {
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
        diff.receive_connectors.push(ReceiveConnectorChange {
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
