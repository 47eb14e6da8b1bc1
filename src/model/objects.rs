//! The objects of an input: what the model keeps of its records, each
//! distinct object once, and the organization they belong to.

use std::collections::HashMap;

use super::{OtherConnector, ReceiveConnector, RoutingGroupConnector, SendConnector, Server};
use crate::dn::{Dn, DnKey};

/// The containers that tell what an export covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    /// `CN=Connections` of a routing group (`msExchConnectors`): every
    /// connector of the routing group sits in it.
    Connections,
    /// A routing group (`msExchRoutingGroup`).
    RoutingGroup,
    /// `CN=Servers` of an administrative group (`msExchServersContainer`).
    Servers,
    /// The head of a naming context (`domainDNS`, `configuration`) or a
    /// container found once in the configuration partition
    /// (`crossRefContainer`, `sitesContainer`): it tells which partition an
    /// input holds when it holds no Exchange object.
    Partition,
}

/// A container object of the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    /// Which container.
    pub kind: ContainerKind,
    /// Its DN.
    pub dn: Dn,
}

/// Everything the model keeps of one input's records.
#[derive(Clone, Debug, Default)]
pub struct Objects {
    /// Exchange servers.
    pub servers: Vec<Server>,
    /// Send connectors.
    pub send_connectors: Vec<SendConnector>,
    /// Routing group connectors.
    pub routing_group_connectors: Vec<RoutingGroupConnector>,
    /// Foreign and Delivery Agent connectors.
    pub other_connectors: Vec<OtherConnector>,
    /// Receive connectors.
    pub receive_connectors: Vec<ReceiveConnector>,
    /// Containers that tell what the export covers.
    pub containers: Vec<Container>,
    /// Deleted objects (tombstones) that were left out.
    pub deleted: usize,
    /// Change records (modify, delete, rename) that describe no object.
    pub change_records: usize,
    /// Records that repeat an object already read in the same input (see
    /// [`DistinctObjects`]), counted once.
    pub copies: usize,
}

/// The Exchange organization objects belong to, and its forest.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrganizationName {
    /// The organization's name (the RDN under `CN=Microsoft Exchange`).
    pub name: String,
    /// The forest root domain, from the DN's `DC=` components (`contoso.com`).
    pub forest: String,
}

impl OrganizationName {
    /// The organization a DN sits in: `…,CN=<org>,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=…`.
    pub fn of(dn: &Dn) -> Option<OrganizationName> {
        let rdns = dn.rdns();
        let exchange = (1..rdns.len().saturating_sub(1)).find(|&i| {
            rdns[i].is("cn", "Microsoft Exchange") && rdns[i + 1].is("cn", "Services")
        })?;
        let name = rdns[exchange - 1].value_text()?.to_owned();
        Some(OrganizationName {
            name,
            forest: dn.dns_domain().to_lowercase(),
        })
    }
}

impl Objects {
    /// The newest `whenChanged` of the servers and Send connectors: as of
    /// when the input speaks.
    pub fn newest_change(&self) -> Option<jiff::Timestamp> {
        self.servers
            .iter()
            .map(|s| s.changed.when)
            .chain(self.send_connectors.iter().map(|c| c.changed.when))
            .max()
            .flatten()
    }

    /// The organization of the first object whose DN names one.
    pub fn organization(&self) -> Option<OrganizationName> {
        let dns = self
            .servers
            .iter()
            .map(|s| &s.dn)
            .chain(self.send_connectors.iter().map(|c| &c.dn))
            .chain(self.routing_group_connectors.iter().map(|c| &c.dn))
            .chain(self.other_connectors.iter().map(|c| &c.dn))
            .chain(self.receive_connectors.iter().map(|c| &c.dn))
            .chain(self.containers.iter().map(|c| &c.dn));
        dns.into_iter().find_map(OrganizationName::of)
    }

    /// Adds the objects of a later batch of the same input.
    pub fn append(&mut self, mut later: Objects) {
        self.servers.append(&mut later.servers);
        self.send_connectors.append(&mut later.send_connectors);
        self.routing_group_connectors
            .append(&mut later.routing_group_connectors);
        self.other_connectors.append(&mut later.other_connectors);
        self.receive_connectors
            .append(&mut later.receive_connectors);
        self.containers.append(&mut later.containers);
        self.deleted += later.deleted;
        self.change_records += later.change_records;
        self.copies += later.copies;
    }
}

/// Objects as they arrive from an input, each kept once: a record that
/// repeats an object already read (same class, DN and everything the model
/// reads) is counted, not kept, so memory follows distinct objects however
/// often an input repeats one.
#[derive(Default)]
pub struct DistinctObjects {
    objects: Objects,
    /// Where each kept object is, by kind and DN.
    seen: HashMap<(u8, DnKey), Vec<usize>>,
}

impl DistinctObjects {
    /// Adds a later batch of the input, leaving out exact copies.
    pub fn append(&mut self, later: Objects) {
        let o = &mut self.objects;
        let mut copies = 0;
        let seen = &mut self.seen;
        copies += keep_distinct(&mut o.servers, later.servers, seen, 0, |s| &s.dn, |_| None);
        copies += keep_distinct(
            &mut o.send_connectors,
            later.send_connectors,
            seen,
            1,
            |c| &c.dn,
            |c| Some(&mut c.offset),
        );
        copies += keep_distinct(
            &mut o.routing_group_connectors,
            later.routing_group_connectors,
            seen,
            2,
            |c| &c.dn,
            |_| None,
        );
        copies += keep_distinct(
            &mut o.receive_connectors,
            later.receive_connectors,
            seen,
            3,
            |c| &c.dn,
            |_| None,
        );
        copies += keep_distinct(
            &mut o.containers,
            later.containers,
            seen,
            4,
            |c| &c.dn,
            |_| None,
        );
        copies += keep_distinct(
            &mut o.other_connectors,
            later.other_connectors,
            seen,
            5,
            |c| &c.dn,
            |_| None,
        );
        o.deleted += later.deleted;
        o.change_records += later.change_records;
        o.copies += later.copies + copies;
    }

    /// The objects kept.
    pub fn into_objects(self) -> Objects {
        self.objects
    }
}

/// Appends the items of `later` that are not copies of an item of the
/// same kind (`tag`) and DN already in `kept`; returns how many were
/// copies. `offset` is where an item's record was, if it says so: copies
/// differ there, so it is left out of the comparison.
fn keep_distinct<T: PartialEq>(
    kept: &mut Vec<T>,
    later: Vec<T>,
    seen: &mut HashMap<(u8, DnKey), Vec<usize>>,
    tag: u8,
    dn: impl Fn(&T) -> &Dn,
    offset: impl Fn(&mut T) -> Option<&mut usize>,
) -> usize {
    let mut copies = 0;
    for mut item in later {
        let at = seen.entry((tag, dn(&item).key())).or_default();
        let own = offset(&mut item).map(|o| *o);
        let copy = at.iter().any(|&i| {
            if let (Some(theirs), Some(mine)) =
                (offset(&mut kept[i]).map(|o| *o), offset(&mut item))
            {
                *mine = theirs;
            }
            kept[i] == item
        });
        if copy {
            copies += 1;
            continue;
        }
        if let (Some(own), Some(mine)) = (own, offset(&mut item)) {
            *mine = own;
        }
        at.push(kept.len());
        kept.push(item);
    }
    copies
}
