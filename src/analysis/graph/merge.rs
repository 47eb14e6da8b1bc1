//! Merging copies: one object found in several inputs (or several files
//! of one capture) is one object, its best copy used and what the others
//! add kept; copies that disagree give conflicts, and a Send connector a
//! newer input no longer holds is deleted since.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use uuid::Uuid;

use super::resolve::{resolve_all, Exported, ServerRef};
use super::{server_key, Conflict, DeletedSince};
use crate::dn::{Dn, DnKey};
use crate::model::{
    ContainerKind, Objects, OtherConnector, ReceiveConnector, RoutingGroupConnector, SendConnector,
};

/// The connectors of every input, each object once (copies merged).
pub(super) struct Connectors {
    /// Send connectors, with the input of the copy used.
    pub(super) send: Vec<(usize, SendConnector)>,
    /// Routing group connectors.
    pub(super) routing: Vec<RoutingGroupConnector>,
    /// Foreign and Delivery Agent connectors.
    pub(super) others: Vec<OtherConnector>,
    /// Receive connectors.
    pub(super) receive: Vec<ReceiveConnector>,
}

/// Where copies of a Send connector disagree, or show it gone.
#[derive(Default)]
pub(super) struct Disagreements {
    /// Settings in which copies of a Send connector differ.
    pub(super) conflicts: Vec<Conflict>,
    /// Servers whose being a source copies of a Send connector disagree on.
    pub(super) undecided: Vec<ServerRef>,
    /// Send connectors deleted since older inputs were taken.
    pub(super) deleted_since: Vec<DeletedSince>,
}

/// Merges the copies of every connector of the inputs.
pub(super) fn merge(objects: &[Objects], exported: &Exported) -> (Connectors, Disagreements) {
    let (send, disagreements) = merge_send(objects, exported);
    let connectors = Connectors {
        send,
        routing: first_copies(
            objects.iter().flat_map(|o| &o.routing_group_connectors),
            |c| Identity::of(c.guid, &c.dn, &c.name),
        ),
        others: first_copies(objects.iter().flat_map(|o| &o.other_connectors), |c| {
            Identity::of(c.guid, &c.dn, &c.name)
        }),
        receive: unique_by_dn(
            objects
                .iter()
                .flat_map(|o| o.receive_connectors.iter().map(|c| (c.dn.key(), c.clone()))),
        ),
    };
    (connectors, disagreements)
}

/// Merges the copies of each Send connector (with the input of the copy
/// used), and says where they disagree and which were deleted since.
fn merge_send(
    objects: &[Objects],
    exported: &Exported,
) -> (Vec<(usize, SendConnector)>, Disagreements) {
    let send_copies = merge_copies(objects.iter().enumerate().flat_map(|(input, o)| {
        o.send_connectors.iter().map(move |c| {
            let identity = Identity::of(c.guid, &c.dn, &c.name);
            // A copy that says what its sources are, then the newer.
            let better = (c.sources_known, c.changed, !c.dn.is_root());
            (identity, better, (input, c))
        })
    }));
    let mut disagreements = Disagreements::default();
    for copies in &send_copies {
        disagreements
            .conflicts
            .extend(send_conflicts(copies, exported));
        disagreements
            .undecided
            .extend(undecided_sources(copies, exported));
    }
    let mut send = Vec::new();
    for copies in &send_copies {
        match newer_without(copies, objects) {
            Some(gone) => disagreements.deleted_since.push(gone),
            None => send.push((copies[0].0, merged_copy(copies))),
        }
    }
    (send, disagreements)
}

/// The best copy of each object among `items`: the first with a DN, else
/// the first.
fn first_copies<'o, T: Clone + 'o>(
    items: impl Iterator<Item = &'o T>,
    identity: impl Fn(&T) -> Identity,
) -> Vec<T> {
    merge_copies(items.map(|c| {
        let identity = identity(c);
        let has_dn = identity.dn.is_some();
        (identity, has_dn, c)
    }))
    .into_iter()
    .map(|copies| copies[0].clone())
    .collect()
}

/// How copies of one object in several inputs (or in several files of one
/// capture, such as HealthChecker's one per server) are recognized: by
/// GUID where both have one, else by DN, else by name.
#[derive(Clone, Debug)]
struct Identity {
    guid: Option<Uuid>,
    dn: Option<DnKey>,
    name: String,
}

impl Identity {
    fn of(guid: Option<Uuid>, dn: &Dn, name: &str) -> Identity {
        Identity {
            guid,
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
    let mut by_guid: HashMap<Uuid, usize> = HashMap::new();
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
            known.guid = identity.guid;
        }
        if known.dn.is_none() {
            known.dn = identity.dn.clone();
        }
        if let Some(guid) = &identity.guid {
            by_guid.entry(*guid).or_insert(group);
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
            && o.containers
                .iter()
                .any(|c| c.kind == ContainerKind::Connections && c.dn.key() == container)
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
        merged.guid = merged.guid.or(other.guid);
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

/// Keeps the first object of each DN, in input order (receive connectors,
/// which only directory exports and DN-bearing cmdlet output hold).
fn unique_by_dn<T>(items: impl Iterator<Item = (DnKey, T)>) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .filter(|(key, _)| seen.insert(key.clone()))
        .map(|(_, item)| item)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(guid: Option<usize>, dn: Option<usize>) -> Identity {
        let dn = dn.map_or(Dn::parse("").unwrap(), |i| {
            Dn::parse(&format!("CN=C{i},CN=Connections,DC=x")).unwrap()
        });
        Identity::of(guid.map(|g| Uuid::from_u128(g as u128)), &dn, "Relay")
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
}
