//! Finding an object on the other side: what an object is known by (GUID,
//! DN, name, as keys) and `pair`, which pairs the two sides' objects one to
//! one by GUID, else by DN, else by name.

use std::collections::HashMap;

use uuid::Uuid;

use crate::analysis::graph::{server_key, ConnectorNode, ServerNode};
use crate::dn::{Dn, DnKey};

/// What an object is known by, to find it on the other side.
#[derive(Clone, Debug)]
pub(super) struct Identity {
    guid: Option<Uuid>,
    dn: Option<DnKey>,
    pub(super) name: String,
}

pub(super) fn identity(guid: Option<Uuid>, dn: &Dn, name: &str) -> Identity {
    Identity {
        guid,
        dn: (!dn.is_root()).then(|| dn.key()),
        name: server_key(name),
    }
}

pub(super) fn server_identity(node: &ServerNode) -> Identity {
    Identity {
        guid: node.object.as_ref().and_then(|o| o.guid),
        dn: node.dn.as_ref().map(Dn::key),
        name: server_key(&node.name),
    }
}

pub(super) fn send_identity(node: &ConnectorNode) -> Identity {
    let c = &node.connector;
    identity(c.guid, &c.dn, &c.name)
}

/// Pairs the objects of the two sides, one to one: by GUID where both have
/// one; else by DN (two different GUIDs are two objects, whatever their
/// DNs); else by name, where neither GUID nor DN can decide. Every object
/// is in exactly one pair: (before, after), (before, None) or (None, after),
/// in before order, then the added ones in after order.
pub(super) fn pair(before: &[Identity], after: &[Identity]) -> Vec<(Option<usize>, Option<usize>)> {
    let mut by_guid: HashMap<Uuid, Vec<usize>> = HashMap::new();
    let mut by_dn: HashMap<&DnKey, Vec<usize>> = HashMap::new();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, id) in after.iter().enumerate() {
        if let Some(guid) = id.guid {
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
            matched[i] = take(by_guid.get(guid), &|_| true, &mut taken);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_follow_guid_then_dn_then_name() {
        let id = |guid: Option<u128>, dn: Option<&str>, name: &str| Identity {
            guid: guid.map(Uuid::from_u128),
            dn: dn.map(|d| Dn::parse(d).unwrap().key()),
            name: name.to_owned(),
        };
        let before = [
            id(Some(1), Some("CN=A,DC=x"), "a"),
            id(Some(2), Some("CN=B,DC=x"), "b"),
            id(None, Some("CN=C,DC=x"), "c"),
            id(None, None, "d"),
        ];
        let after = [
            id(Some(3), Some("CN=B,DC=x"), "b"),
            id(None, None, "d"),
            id(Some(1), Some("CN=A2,DC=x"), "a2"),
            id(Some(4), Some("cn=c, dc=X"), "c"),
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
