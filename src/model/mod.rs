//! The Exchange model: typed servers and connectors built from records.
//!
//! This module knows Exchange's object classes and attribute names
//! (`msExchExchangeServer`, `msExchRoutingSMTPConnector`, …) and nothing
//! about file formats: it reads [`Record`]s, whichever reader made them.
//! Records from Exchange cmdlets (`Get-SendConnector`, `Get-ExchangeServer`
//! in CLIXML) carry property names instead of LDAP names; every lookup names
//! both, LDAP first. Deleted objects (tombstones) are counted and left out.

mod attributes;
pub mod version;

use attributes as attr;
pub use attributes::is_read_attribute;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use std::collections::HashMap;

use crate::dn::{Dn, DnKey, Mangling};
use crate::record::{Body, Record, Value};
pub use version::{Product, Support, Version};

/// Whether an object class is one the model builds objects from.
pub fn is_modelled_class(class: &[u8]) -> bool {
    let class = class.trim_ascii();
    class.eq_ignore_ascii_case(MAIL_GATEWAY.as_bytes())
        || CLASSES
            .iter()
            .any(|(name, _)| class.eq_ignore_ascii_case(name.as_bytes()))
}

/// The class of every connector that has address spaces; one with a drop
/// directory and no more derived class is a foreign connector.
const MAIL_GATEWAY: &str = "mailGateway";

/// The object classes the model reads, and what they become.
const CLASSES: [(&str, Kind); 12] = [
    ("msExchExchangeServer", Kind::Server),
    ("msExchRoutingSMTPConnector", Kind::Send),
    (
        "msExchDeliveryAgentConnector",
        Kind::Other(OtherConnectorKind::DeliveryAgent),
    ),
    ("msExchRoutingGroupConnector", Kind::RoutingGroup),
    ("msExchSmtpReceiveConnector", Kind::Receive),
    (
        "msExchConnectors",
        Kind::Container(ContainerKind::Connections),
    ),
    (
        "msExchRoutingGroup",
        Kind::Container(ContainerKind::RoutingGroup),
    ),
    (
        "msExchServersContainer",
        Kind::Container(ContainerKind::Servers),
    ),
    ("domainDNS", Kind::Container(ContainerKind::Partition)),
    ("configuration", Kind::Container(ContainerKind::Partition)),
    (
        "crossRefContainer",
        Kind::Container(ContainerKind::Partition),
    ),
    ("sitesContainer", Kind::Container(ContainerKind::Partition)),
];

/// The cmdlet object types the model reads (`Get-SendConnector` and the
/// others), after any `Deserialized.` (remoting) and `Selected.`
/// (`Select-Object`) prefix.
const CMDLET_TYPES: [(&str, Kind); 7] = [
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig",
        Kind::Send,
    ),
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.ForeignConnector",
        Kind::Other(OtherConnectorKind::Foreign),
    ),
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.DeliveryAgentConnector",
        Kind::Other(OtherConnectorKind::DeliveryAgent),
    ),
    (
        "Microsoft.Exchange.Data.Directory.Management.ExchangeServer",
        Kind::Server,
    ),
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.Server",
        Kind::Server,
    ),
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.RoutingGroupConnector",
        Kind::RoutingGroup,
    ),
    (
        "Microsoft.Exchange.Data.Directory.SystemConfiguration.ReceiveConnector",
        Kind::Receive,
    ),
];

/// Server roles from `msExchCurrentServerRoles`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roles(pub u32);

impl Roles {
    /// Roles from the cmdlet's `ServerRole` text, e.g. `Mailbox, ClientAccess`,
    /// or its number (`ConvertTo-Json` writes enums as numbers: the same bits).
    fn from_names(text: &str) -> Roles {
        if let Ok(bits) = text.trim().parse() {
            return Roles(bits);
        }
        let bits = text
            .split(',')
            .map(|name| match name.trim().to_ascii_lowercase().as_str() {
                "mailbox" => 2,
                "clientaccess" => 4,
                "unifiedmessaging" => 16,
                "hubtransport" => 32,
                "edge" => 64,
                "frontendtransport" => 16384,
                _ => 0,
            })
            .fold(0, |all, bit| all | bit);
        Roles(bits)
    }

    /// Role bits and names, in the order they are shown.
    pub const NAMES: [(u32, &'static str); 7] = [
        (1, "Client Access"),
        (2, "Mailbox"),
        (4, "Client Access"),
        (16, "Unified Messaging"),
        (32, "Hub Transport"),
        (64, "Edge Transport"),
        (16384, "Front End Transport"),
    ];

    /// The names of the roles set. The Exchange 2013 front-end bit (Cafe, 1)
    /// is Client Access too: it is named only when bit 4 is not set.
    pub fn names(self) -> Vec<&'static str> {
        let cafe_only = self.0 & 4 == 0;
        Self::NAMES
            .iter()
            .filter(|(bit, _)| self.0 & bit != 0 && (*bit != 1 || cafe_only))
            .map(|(_, name)| *name)
            .collect()
    }

    /// Edge Transport (bit 64).
    pub fn is_edge(self) -> bool {
        self.0 & 64 != 0
    }
}

/// An Exchange server (`msExchExchangeServer`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The server's name (its `cn`).
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// Build, from `serialNumber` or else `versionNumber`.
    pub version: Option<Version>,
    /// Roles, when `msExchCurrentServerRoles` is present (Exchange 2007+).
    pub roles: Option<Roles>,
    /// AD site name, from `msExchServerSite`.
    pub site: Option<String>,
    /// FQDN, from the `ncacn_ip_tcp:` value of `networkAddress`.
    pub fqdn: Option<String>,
    /// `objectGUID` (`Guid` in cmdlet output), in its usual text form.
    pub guid: Option<String>,
    /// Its name carries conflict mangling (`\\0ACNF:`): the directory holds
    /// another object made as the same one. Kept apart from the DN, which
    /// redaction rewrites.
    pub conflict: bool,
    /// When it last changed, as the record says.
    pub changed: Changed,
}

impl Server {
    /// An Edge Transport server.
    pub fn is_edge(&self) -> bool {
        self.roles.is_some_and(Roles::is_edge)
    }
}

/// One address space of a connector (`routingList`), e.g. `SMTP:*;1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    /// The value as stored.
    pub raw: String,
    /// `Local:` prefix: usable only within the source servers' AD site.
    pub scoped: bool,
}

impl AddressSpace {
    fn parse(raw: &str) -> AddressSpace {
        let scoped = raw
            .as_bytes()
            .get(..6)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(b"local:"));
        AddressSpace {
            raw: raw.to_owned(),
            scoped,
        }
    }
}

/// A Send connector (`msExchRoutingSMTPConnector`, Exchange 2003 SMTP connectors included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendConnector {
    /// Its name (`cn`).
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// `msExchSmtpSendEnabled` (absent means enabled).
    pub enabled: bool,
    /// `routingList`.
    pub address_spaces: Vec<AddressSpace>,
    /// `msExchSmtpSmartHost`, split at `,` and `;`.
    pub smart_hosts: Vec<String>,
    /// `msExchSmtpSendPort`.
    pub port: Option<u16>,
    /// `msExchSMTPSendConnectorFQDN`.
    pub fqdn: Option<String>,
    /// Maximum message size: `delivContLength` (KB), or the cmdlet's `MaxMessageSize` text.
    pub max_message_size: Option<String>,
    /// `msExchSmtpSendTlsDomain` (`TlsDomain`).
    pub tls_domain: Option<String>,
    /// `msExchSmtpSendProtocolLoggingLevel` (`ProtocolLoggingLevel`), as stored.
    pub protocol_logging: Option<String>,
    /// `msExchSmtpSendBindingIPAddress` (`SourceIPAddress`).
    pub source_ip: Option<String>,
    /// `msExchSourceBridgeheadServersDN`, as written.
    pub source_refs: Vec<Reference>,
    /// Whether the record says what its sources are. A directory entry
    /// always does (no value means none); cmdlet output does when it has
    /// the `SourceTransportServers` property, even empty; a summary
    /// without it does not.
    pub sources_known: bool,
    /// `objectGUID` (`Guid` in cmdlet output), in its usual text form.
    pub guid: Option<String>,
    /// Its name carries conflict mangling (`\\0ACNF:`): the directory holds
    /// another object made as the same one. Kept apart from the DN, which
    /// redaction rewrites.
    pub conflict: bool,
    /// When it last changed, as the record says.
    pub changed: Changed,
    /// Byte offset of the record, for diagnostics.
    pub offset: usize,
}

/// When an object last changed, as its record says: `whenChanged` (the
/// cmdlets' `WhenChanged`) and `uSNChanged`. Of two copies of one object,
/// the one that changed later is the newer; their order is the order of
/// this type (a copy that says nothing is the oldest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Changed {
    /// `whenChanged`, in UTC.
    pub when: Option<jiff::Timestamp>,
    /// `uSNChanged` (comparable only between copies from one domain controller).
    pub usn: Option<u64>,
}

impl Changed {
    fn of(record: &Record) -> Changed {
        Changed {
            when: first(record, attr::WHEN_CHANGED).and_then(|text| parse_time(&text)),
            usn: first(record, attr::USN_CHANGED).and_then(|text| text.trim().parse().ok()),
        }
    }
}

/// The connectors that have source transport servers without being Send
/// connectors to Setup (`Get-SendConnector` does not list them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OtherConnectorKind {
    /// A foreign connector (`mailGateway` with a drop directory,
    /// `Get-ForeignConnector`), such as a fax gateway's.
    Foreign,
    /// A Delivery Agent connector (`msExchDeliveryAgentConnector`,
    /// `Get-DeliveryAgentConnector`, Exchange 2010 and later).
    DeliveryAgent,
}

impl OtherConnectorKind {
    /// What the connector is called in a sentence.
    pub fn label(self) -> &'static str {
        match self {
            OtherConnectorKind::Foreign => "foreign connector",
            OtherConnectorKind::DeliveryAgent => "Delivery Agent connector",
        }
    }

    /// The noun of its cmdlets (`Set-ForeignConnector`).
    pub fn cmdlet_noun(self) -> &'static str {
        match self {
            OtherConnectorKind::Foreign => "ForeignConnector",
            OtherConnectorKind::DeliveryAgent => "DeliveryAgentConnector",
        }
    }
}

/// A time as the directory (`20240311120000.0Z`, GeneralizedTime) or a
/// cmdlet (`2024-03-11T12:00:00.1234567+01:00`, ISO 8601) writes it, in UTC;
/// a cmdlet time without an offset is taken as UTC.
pub(crate) fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Some(timestamp);
    }
    if let Ok(civil) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::Offset::UTC.to_timestamp(civil).ok();
    }
    generalized_time(text)
}

/// GeneralizedTime `YYYYMMDDHHMMSS[.f]Z` (or with a `+HHMM` offset), in UTC.
fn generalized_time(text: &str) -> Option<jiff::Timestamp> {
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let civil = jiff::civil::DateTime::new(
        i16::try_from(digits(0..4)?).ok()?,
        i8::try_from(digits(4..6)?).ok()?,
        i8::try_from(digits(6..8)?).ok()?,
        i8::try_from(digits(8..10)?).ok()?,
        i8::try_from(digits(10..12)?).ok()?,
        i8::try_from(digits(12..14).unwrap_or(0)).ok()?,
        0,
    )
    .ok()?;
    let rest = text.get(14..).unwrap_or("");
    let rest = rest.trim_start_matches(|c: char| c == '.' || c == ',' || c.is_ascii_digit());
    let offset_minutes = match rest.as_bytes() {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if rest.len() >= 5 => {
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(3..5)?.parse().ok()?;
            let total = hours * 60 + minutes;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let utc = jiff::tz::Offset::UTC.to_timestamp(civil).ok()?;
    utc.checked_sub(jiff::SignedDuration::from_mins(offset_minutes))
        .ok()
}

/// A foreign or Delivery Agent connector: its sources are set like a Send
/// connector's (`msExchSourceBridgeheadServersDN`, `SourceTransportServers`)
/// and it stops working without one, but Setup does not count it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OtherConnector {
    /// Which kind.
    pub kind: OtherConnectorKind,
    /// Its name (`cn`).
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// `routingList`.
    pub address_spaces: Vec<AddressSpace>,
    /// `msExchSourceBridgeheadServersDN`, as written.
    pub source_refs: Vec<Reference>,
    /// `objectGUID` (`Guid` in cmdlet output), in its usual text form.
    pub guid: Option<String>,
    /// Its name carries conflict mangling (`\\0ACNF:`).
    pub conflict: bool,
}

/// A routing group connector (`msExchRoutingGroupConnector`): never a Send connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingGroupConnector {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// `msExchSourceBridgeheadServersDN`.
    pub source_refs: Vec<Reference>,
    /// `msExchTargetBridgeheadServersDN`.
    pub target_refs: Vec<Reference>,
    /// `objectGUID` (`Guid` in cmdlet output), in its usual text form.
    pub guid: Option<String>,
    /// Its name carries conflict mangling (`\\0ACNF:`): the directory holds
    /// another object made as the same one. Kept apart from the DN, which
    /// redaction rewrites.
    pub conflict: bool,
}

/// A receive connector (`msExchSmtpReceiveConnector`), owned by the server it sits under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiveConnector {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// `msExchSmtpReceiveEnabled` (absent means enabled).
    pub enabled: bool,
    /// `msExchSmtpReceiveBindings`.
    pub bindings: Vec<String>,
    /// `msExchSmtpReceiveRemoteIPRanges`.
    pub remote_ip_ranges: Vec<String>,
    /// `msExchSMTPReceiveConnectorFQDN` (`Fqdn`).
    pub fqdn: Option<String>,
    /// `msExchSmtpReceiveRole` (`TransportRole`), as stored.
    pub role: Option<String>,
}

/// One DN-valued reference as found in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reference {
    /// A text value, to be resolved.
    Dn(String),
    /// A value that cannot be a DN (not UTF-8, or a URL), shown as well as possible.
    Unusable {
        /// The value, lossily shown.
        shown: String,
        /// Why it cannot be used.
        reason: &'static str,
    },
}

/// Every value of the first of `names` present, as references.
fn references(record: &Record, names: &[&str]) -> Vec<Reference> {
    names
        .iter()
        .map(|name| {
            record
                .values(name)
                .map(|value| match value {
                    Value::Bytes(bytes) => match std::str::from_utf8(bytes) {
                        Ok(text) => Reference::Dn(text.trim().to_owned()),
                        Err(_) => Reference::Unusable {
                            shown: String::from_utf8_lossy(bytes).into_owned(),
                            reason: "is not UTF-8 text, so it cannot be a DN",
                        },
                    },
                    Value::Url(url) => Reference::Unusable {
                        shown: url.clone(),
                        reason: "is a URL value, not a DN",
                    },
                })
                .collect::<Vec<_>>()
        })
        .find(|values| !values.is_empty())
        .unwrap_or_default()
}

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

/// What one record is, for the model.
enum Classified {
    Server(Server),
    Send(SendConnector),
    RoutingGroup(RoutingGroupConnector),
    OtherConnector(OtherConnector),
    Receive(ReceiveConnector),
    Container(Container),
    Deleted,
    Change,
    Other,
    Invalid(Diagnostic),
}

/// Builds the model objects of a batch of records (in parallel), with the
/// diagnostics about records it could not use (offsets as in the records).
pub fn build(records: Vec<Record>) -> (Objects, Vec<Diagnostic>) {
    let classified: Vec<Classified> = records.par_iter().map(classify).collect();
    let mut objects = Objects::default();
    let mut diagnostics = Vec::new();
    for item in classified {
        match item {
            Classified::Server(server) => objects.servers.push(server),
            Classified::Send(connector) => {
                diagnostics.extend(space_joined_sources(
                    &connector.source_refs,
                    connector.offset,
                ));
                objects.send_connectors.push(connector);
            }
            Classified::RoutingGroup(connector) => objects.routing_group_connectors.push(connector),
            Classified::OtherConnector(connector) => objects.other_connectors.push(connector),
            Classified::Receive(connector) => objects.receive_connectors.push(connector),
            Classified::Container(container) => objects.containers.push(container),
            Classified::Deleted => objects.deleted += 1,
            Classified::Change => objects.change_records += 1,
            Classified::Other => {}
            Classified::Invalid(diagnostic) => diagnostics.push(diagnostic),
        }
    }
    (objects, diagnostics)
}

/// A warning about each source that is neither a DN nor one server name
/// but names joined with spaces (`EX01 EX02`, as PowerShell writes a list
/// in a string): server names hold no space, so the value names no server,
/// and which separator split it is unsure, so it is kept as it is.
fn space_joined_sources(sources: &[Reference], offset: usize) -> Vec<Diagnostic> {
    sources
        .iter()
        .filter_map(|source| match source {
            Reference::Dn(text) if !text.contains('=') && text.contains(char::is_whitespace) => {
                Some(Diagnostic::warning(
                    offset,
                    format!(
                        "expected one server name per source, found '{}': names joined with \
                         spaces? the separator is unsure, so it is kept as one value, which \
                         names no server; export with Export-Clixml, or join with ';'",
                        text.escape_debug()
                    ),
                ))
            }
            _ => None,
        })
        .collect()
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Server,
    Send,
    RoutingGroup,
    Other(OtherConnectorKind),
    Receive,
    Container(ContainerKind),
}

/// What a record is: by its `objectClass` (directory exports), else by its
/// PowerShell type name, else (for `Select-Object` output, whose type says
/// nothing) by the properties only that kind of cmdlet object has.
fn kind_of(record: &Record) -> Option<Kind> {
    kind_by_class(record)
        .or_else(|| kind_by_type_name(record))
        .or_else(|| kind_by_properties(record))
}

/// The kind of the first class of [`CLASSES`] the record has; else a
/// foreign connector for a `mailGateway` with a drop directory (Exchange's
/// own test: the class has no subclass of its own).
fn kind_by_class(record: &Record) -> Option<Kind> {
    let classes = || {
        record
            .values(attr::OBJECT_CLASS[0])
            .filter_map(|v| v.as_text())
            .map(str::trim)
    };
    classes()
        .find_map(|class| {
            CLASSES
                .iter()
                .find(|(name, _)| class.eq_ignore_ascii_case(name))
                .map(|(_, kind)| *kind)
        })
        .or_else(|| {
            let gateway = classes().any(|class| class.eq_ignore_ascii_case(MAIL_GATEWAY));
            (gateway && has_property(record, attr::DROP_DIRECTORY))
                .then_some(Kind::Other(OtherConnectorKind::Foreign))
        })
}

/// Whether the record holds any of `names` (LDAP name or cmdlet property),
/// empty collections included.
fn has_property(record: &Record, names: &[&str]) -> bool {
    names.iter().any(|name| {
        record.values(name).next().is_some()
            || record
                .values(attr::PS_EMPTY_PROPERTIES[0])
                .filter_map(Value::as_text)
                .any(|empty| empty.eq_ignore_ascii_case(name))
    })
}

fn kind_by_type_name(record: &Record) -> Option<Kind> {
    record
        .values(attr::PS_TYPE_NAMES[0])
        .filter_map(Value::as_text)
        .find_map(|type_name| {
            let mut name = type_name.trim();
            for prefix in ["Deserialized.", "Selected."] {
                while let Some(rest) = name.strip_prefix(prefix) {
                    name = rest;
                }
            }
            CMDLET_TYPES
                .iter()
                .find(|(known, _)| name.eq_ignore_ascii_case(known))
                .map(|(_, kind)| *kind)
        })
}

/// Whether the record names the property `name` among those whose values
/// the export lost.
fn lost_property(record: &Record, name: &str) -> bool {
    record
        .values(attr::PS_LOST_PROPERTIES[0])
        .filter_map(Value::as_text)
        .any(|lost| lost.eq_ignore_ascii_case(name))
}

fn kind_by_properties(record: &Record) -> Option<Kind> {
    let has = |name: &str| has_property(record, &[name]) || lost_property(record, name);
    let (sources, targets) = (attr::SOURCES[1], attr::TARGETS[1]);
    if has(targets) && has(sources) {
        Some(Kind::RoutingGroup)
    } else if has(sources) && has(attr::DROP_DIRECTORY[1]) {
        Some(Kind::Other(OtherConnectorKind::Foreign))
    } else if has(sources) && has(attr::DELIVERY_PROTOCOL[1]) {
        Some(Kind::Other(OtherConnectorKind::DeliveryAgent))
    } else if has(sources) && has(attr::ADDRESS_SPACES[1]) {
        Some(Kind::Send)
    } else if has(attr::SERIAL_NUMBER[1]) && has(attr::SERVER_ROLE_NAMES[0]) {
        Some(Kind::Server)
    } else if has(attr::BINDINGS[1]) && has(attr::REMOTE_IP_RANGES[1]) {
        Some(Kind::Receive)
    } else {
        None
    }
}

fn classify(record: &Record) -> Classified {
    if !matches!(record.body, Body::Entry { .. }) {
        return Classified::Change;
    }
    let Some(kind) = kind_of(record) else {
        return Classified::Other;
    };
    let dn = match Dn::parse(&record.dn) {
        Ok(dn) => dn,
        Err(error) => {
            return Classified::Invalid(Diagnostic::error(
                record.offset,
                format!(
                    "object '{}' skipped: its DN is not valid: {}",
                    record.dn, error.reason
                ),
            ))
        }
    };
    if is_deleted(record, &dn) {
        return Classified::Deleted;
    }
    let name = display_name(record, &dn);
    match kind {
        Kind::Container(kind) => Classified::Container(Container { kind, dn }),
        Kind::Server => Classified::Server(server(record, dn, name)),
        Kind::Send => Classified::Send(send_connector(record, dn, name)),
        Kind::RoutingGroup => Classified::RoutingGroup(RoutingGroupConnector {
            conflict: dn.mangling() == Some(Mangling::Conflict),
            name,
            dn,
            source_refs: references(record, attr::SOURCES),
            target_refs: references(record, attr::TARGETS),
            guid: object_guid(record),
        }),
        Kind::Other(kind) => Classified::OtherConnector(OtherConnector {
            kind,
            conflict: dn.mangling() == Some(Mangling::Conflict),
            name,
            dn,
            address_spaces: address_spaces(record),
            source_refs: references(record, attr::SOURCES),
            guid: object_guid(record),
        }),
        Kind::Receive => Classified::Receive(ReceiveConnector {
            name,
            dn,
            enabled: flag(record, attr::RECEIVE_ENABLED).unwrap_or(true),
            bindings: texts(record, attr::BINDINGS),
            remote_ip_ranges: texts(record, attr::REMOTE_IP_RANGES),
            fqdn: first(record, attr::RECEIVE_FQDN),
            role: first(record, attr::RECEIVE_ROLE),
        }),
    }
}

/// `isDeleted: TRUE`, a `\0ADEL:` name, or a place under `CN=Deleted Objects`.
fn is_deleted(record: &Record, dn: &Dn) -> bool {
    flag(record, attr::IS_DELETED) == Some(true)
        || dn.mangling() == Some(Mangling::Deleted)
        || dn.is_under("cn", "Deleted Objects")
}

/// The `cn`, else `name`, else the leaf RDN's value, exactly as stored
/// (leading and trailing spaces are part of a name).
fn display_name(record: &Record, dn: &Dn) -> String {
    attr::NAME
        .iter()
        .find_map(|name| {
            record
                .values(name)
                .filter_map(Value::as_text)
                .find(|text| !text.trim().is_empty())
                .map(str::to_owned)
        })
        .or_else(|| {
            dn.leaf()
                .and_then(|rdn| rdn.value_text())
                .map(str::to_owned)
        })
        .unwrap_or_default()
}

/// The text values of the first of `names` (LDAP name, then cmdlet property) present.
fn texts(record: &Record, names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|name| {
            record
                .values(name)
                .filter_map(|v| v.as_text())
                .map(|t| t.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .find(|values| !values.is_empty())
        .unwrap_or_default()
}

/// The address spaces of a connector (`TYPE:address;cost` each). A cost
/// on its own belongs to the address space before it: a list written with
/// `;` between its values (as `csvde` writes one) cuts each in two.
fn address_spaces(record: &Record) -> Vec<AddressSpace> {
    let mut joined: Vec<String> = Vec::new();
    for value in texts(record, attr::ADDRESS_SPACES) {
        match joined.last_mut() {
            Some(before) if is_cost(&value) && !before.contains(';') => {
                before.push(';');
                before.push_str(&value);
            }
            _ => joined.push(value),
        }
    }
    joined.iter().map(|raw| AddressSpace::parse(raw)).collect()
}

/// Whether `text` is an address space's cost alone (digits).
fn is_cost(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The first non-empty text value among `names`.
fn first(record: &Record, names: &[&str]) -> Option<String> {
    texts(record, names).into_iter().find(|t| !t.is_empty())
}

/// Whether a Send connector record says what its sources are: cmdlet
/// output (told by its `AddressSpaces` property, `routingList` in the
/// directory) must carry `SourceTransportServers`, even empty, with the
/// values the export lost not among them.
fn sources_known(record: &Record) -> bool {
    let present = |name: &str| has_property(record, &[name]);
    let &[routing_list, address_spaces] = attr::ADDRESS_SPACES else {
        return true;
    };
    let &[ldap_sources, cmdlet_sources] = attr::SOURCES else {
        return true;
    };
    if lost_property(record, cmdlet_sources) {
        return false;
    }
    let cmdlet_shaped = !present(routing_list)
        && !present(ldap_sources)
        && (present(address_spaces) || present(attr::PS_TYPE_NAMES[0]));
    !cmdlet_shaped || present(cmdlet_sources)
}

/// The object's GUID from `objectGUID` (16 bytes, or text) or the cmdlet's
/// `Guid`/`ObjectGuid`, as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`
/// (lower case; the first three fields little-endian in the binary form,
/// as Active Directory shows them). The all-zero GUID is no GUID.
fn object_guid(record: &Record) -> Option<String> {
    attr::GUID
        .iter()
        .flat_map(|name| record.values(name))
        .find_map(|value| match value {
            Value::Bytes(bytes) => guid_text(bytes),
            Value::Url(_) => None,
        })
}

fn guid_text(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .map(|t| t.trim().trim_start_matches('{').trim_end_matches('}'));
    let guid: [u8; 16] = match text {
        Some(text) if text.len() == 36 => {
            let hex: String = text.chars().filter(|c| *c != '-').collect();
            let mut out = [0u8; 16];
            for (i, byte) in out.iter_mut().enumerate() {
                *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
            }
            out
        }
        _ => {
            let raw: [u8; 16] = bytes.try_into().ok()?;
            let mut out = raw;
            out[..4].reverse();
            out[4..6].reverse();
            out[6..8].reverse();
            out
        }
    };
    if guid == [0; 16] {
        return None;
    }
    let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

fn flag(record: &Record, names: &[&str]) -> Option<bool> {
    let text = first(record, names)?;
    if text.eq_ignore_ascii_case("true") || text == "1" {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") || text == "0" {
        Some(false)
    } else {
        None
    }
}

fn number(record: &Record, names: &[&str]) -> Option<i64> {
    first(record, names)?.parse().ok()
}

fn server(record: &Record, dn: Dn, name: String) -> Server {
    let conflict = dn.mangling() == Some(Mangling::Conflict);
    let version = first(record, attr::SERIAL_NUMBER)
        .and_then(|text| Version::from_serial_number(&text))
        .or_else(|| number(record, attr::VERSION_NUMBER).and_then(Version::from_version_number));
    let mut roles = number(record, attr::SERVER_ROLES)
        .and_then(|v| u32::try_from(v).ok())
        .map(Roles)
        .or_else(|| first(record, attr::SERVER_ROLE_NAMES).map(|text| Roles::from_names(&text)));
    if flag(record, attr::IS_EDGE_SERVER) == Some(true) {
        roles = Some(Roles(roles.unwrap_or_default().0 | 64));
    }
    let site = first(record, attr::SERVER_SITE).map(|site| match Dn::parse(&site) {
        Ok(dn) if !dn.is_root() => dn
            .leaf()
            .and_then(|rdn| rdn.value_text())
            .unwrap_or(&site)
            .to_owned(),
        // The cmdlet's canonical form: contoso.com/Configuration/Sites/Paris.
        _ => site.rsplit('/').next().unwrap_or(&site).to_owned(),
    });
    let fqdn = texts(record, attr::NETWORK_ADDRESS)
        .iter()
        .find_map(|address| {
            let (protocol, host) = address.split_once(':')?;
            protocol
                .eq_ignore_ascii_case("ncacn_ip_tcp")
                .then(|| host.trim().to_owned())
        })
        .or_else(|| first(record, attr::SERVER_FQDN));
    Server {
        name,
        dn,
        version,
        roles,
        site,
        fqdn,
        guid: object_guid(record),
        conflict,
        changed: Changed::of(record),
    }
}

fn send_connector(record: &Record, dn: Dn, name: String) -> SendConnector {
    let conflict = dn.mangling() == Some(Mangling::Conflict);
    let smart_hosts = texts(record, attr::SMART_HOSTS)
        .iter()
        .flat_map(|hosts| hosts.split([',', ';']))
        .map(str::trim)
        .filter(|host| !host.is_empty())
        .map(str::to_owned)
        .collect();
    SendConnector {
        name,
        dn,
        enabled: flag(record, attr::SEND_ENABLED).unwrap_or(true),
        address_spaces: address_spaces(record),
        smart_hosts,
        port: number(record, attr::SEND_PORT).and_then(|p| u16::try_from(p).ok()),
        fqdn: first(record, attr::SEND_FQDN),
        max_message_size: first(record, attr::MAX_MESSAGE_SIZE_KB)
            .map(|kb| format!("{kb} KB"))
            .or_else(|| first(record, attr::MAX_MESSAGE_SIZE)),
        tls_domain: first(record, attr::TLS_DOMAIN),
        protocol_logging: first(record, attr::PROTOCOL_LOGGING),
        source_ip: first(record, attr::SOURCE_IP),
        source_refs: references(record, attr::SOURCES),
        sources_known: sources_known(record),
        guid: object_guid(record),
        conflict,
        changed: Changed::of(record),
        offset: record.offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ldif;

    fn objects(text: &str) -> Objects {
        build(ldif::parse(text.as_bytes()).records).0
    }

    /// A record as cmdlet output gives it: properties, no DN.
    fn record(attrs: &[(&str, &str)]) -> Record {
        Record {
            dn: String::new(),
            offset: 0,
            controls: Vec::new(),
            body: Body::Entry {
                attrs: attrs
                    .iter()
                    .map(|(name, value)| crate::record::Attr {
                        name: (*name).to_owned(),
                        value: Value::Bytes(value.as_bytes().to_vec()),
                    })
                    .collect(),
                changetype_add: false,
            },
        }
    }

    #[test]
    fn the_organization_and_forest_come_from_the_dn() {
        let dn = Dn::parse("CN=EX01,CN=Servers,CN=AG,CN=Administrative Groups,CN=Contoso Ltd,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=Contoso,DC=com").unwrap();
        assert_eq!(
            OrganizationName::of(&dn),
            Some(OrganizationName {
                name: "Contoso Ltd".into(),
                forest: "contoso.com".into()
            })
        );
        assert_eq!(OrganizationName::of(&Dn::parse("CN=x,DC=y").unwrap()), None);
    }

    #[test]
    fn a_cost_on_its_own_joins_the_address_space_before_it() {
        let cut = record(&[
            ("routingList", "SMTP:*"),
            ("routingList", "1"),
            ("routingList", "SMTP:a.example;5"),
            ("routingList", "X400:c=US"),
        ]);
        let raw: Vec<String> = address_spaces(&cut)
            .iter()
            .map(|space| space.raw.clone())
            .collect();
        assert_eq!(raw, ["SMTP:*;1", "SMTP:a.example;5", "X400:c=US"]);
    }

    #[test]
    fn guids_read_the_same_from_bytes_and_text() {
        let binary = [
            0x82, 0xc7, 0x92, 0x02, 0x04, 0x98, 0x8b, 0x4d, 0xae, 0x0e, 0xe1, 0xc7, 0xab, 0x90,
            0x85, 0x2b,
        ];
        let expected = Some("0292c782-9804-4d8b-ae0e-e1c7ab90852b".to_owned());
        assert_eq!(guid_text(&binary), expected);
        assert_eq!(guid_text(b"0292C782-9804-4D8B-AE0E-E1C7AB90852B"), expected);
        assert_eq!(
            guid_text(b"{0292c782-9804-4d8b-ae0e-e1c7ab90852b}"),
            expected
        );
        assert_eq!(guid_text(b"00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(guid_text(b"short"), None);
    }

    #[test]
    fn cmdlet_objects_are_known_by_type_name_or_properties() {
        let selected = record(&[
            (
                "PSTypeNames",
                "Selected.System.Management.Automation.PSCustomObject",
            ),
            ("Name", "Internet"),
            ("SourceTransportServers", "EX01"),
            ("AddressSpaces", "SMTP:*;1"),
        ]);
        let deserialized = record(&[
            (
                "PSTypeNames",
                "Deserialized.Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig",
            ),
            ("Name", "Internet"),
            ("PSEmptyProperties", "SourceTransportServers"),
        ]);
        let summary = record(&[
            ("PSTypeNames", "Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"),
            ("Name", "Internet"),
            ("AddressSpaces", "SMTP:*;1"),
        ]);
        let (objects, _) = build(vec![selected, deserialized, summary]);
        assert_eq!(objects.send_connectors.len(), 3);
        let known: Vec<bool> = objects
            .send_connectors
            .iter()
            .map(|c| c.sources_known)
            .collect();
        assert_eq!(known, [true, true, false]);
        assert_eq!(
            objects.send_connectors[0].source_refs,
            [Reference::Dn("EX01".into())]
        );
    }

    #[test]
    fn foreign_and_delivery_agent_connectors_are_told_apart_from_send_connectors() {
        let o = objects(
            "dn: CN=Fax,CN=Connections,DC=x\nobjectClass: top\nobjectClass: msExchConnector\n\
             objectClass: mailGateway\ncn: Fax\nmsExchTransportDropDirectoryName: D:\\Fax\n\
             routingList: FAX:*;1\nmsExchSourceBridgeheadServersDN: CN=EX01,CN=Servers,CN=AG,DC=x\n\n\
             dn: CN=Agent,CN=Connections,DC=x\nobjectClass: top\nobjectClass: mailGateway\n\
             objectClass: msExchDeliveryAgentConnector\ncn: Agent\n\n\
             dn: CN=Internet,CN=Connections,DC=x\nobjectClass: mailGateway\n\
             objectClass: msExchRoutingSMTPConnector\ncn: Internet\n\n\
             dn: CN=Gateway,CN=Connections,DC=x\nobjectClass: mailGateway\ncn: Gateway\n",
        );
        let kinds: Vec<(&str, OtherConnectorKind)> = o
            .other_connectors
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Fax", OtherConnectorKind::Foreign),
                ("Agent", OtherConnectorKind::DeliveryAgent)
            ]
        );
        assert_eq!(o.other_connectors[0].source_refs.len(), 1);
        assert_eq!(o.send_connectors.len(), 1);
        assert!(is_modelled_class(b"mailGateway"));
    }

    #[test]
    fn cmdlet_foreign_and_delivery_agent_connectors_are_not_send_connectors() {
        let typed = |type_name: &str| {
            record(&[
                ("PSTypeNames", type_name),
                ("Name", "Fax"),
                ("SourceTransportServers", "EX01"),
                ("AddressSpaces", "FAX:*;1"),
            ])
        };
        let selected = |property: &str| {
            record(&[
                (
                    "PSTypeNames",
                    "Selected.System.Management.Automation.PSCustomObject",
                ),
                ("Name", "Fax"),
                ("SourceTransportServers", "EX01"),
                ("AddressSpaces", "FAX:*;1"),
                (property, "x"),
            ])
        };
        let (objects, _) = build(vec![
            typed("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ForeignConnector"),
            typed("Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.DeliveryAgentConnector"),
            selected("DropDirectory"),
            selected("DeliveryProtocol"),
        ]);
        assert!(objects.send_connectors.is_empty());
        let kinds: Vec<OtherConnectorKind> =
            objects.other_connectors.iter().map(|c| c.kind).collect();
        use OtherConnectorKind::{DeliveryAgent, Foreign};
        assert_eq!(kinds, [Foreign, DeliveryAgent, Foreign, DeliveryAgent]);
    }

    #[test]
    fn sources_the_export_lost_are_not_known() {
        let cut = record(&[
            ("Name", "Internet"),
            ("PSLostProperties", "SourceTransportServers"),
            ("PSLostProperties", "AddressSpaces"),
        ]);
        let (objects, _) = build(vec![cut]);
        assert_eq!(objects.send_connectors.len(), 1);
        assert!(!objects.send_connectors[0].sources_known);
        assert!(objects.send_connectors[0].source_refs.is_empty());
    }

    #[test]
    fn sources_joined_with_spaces_are_warned_about() {
        let joined = record(&[
            ("Name", "Internet"),
            ("AddressSpaces", "SMTP:*;1"),
            ("SourceTransportServers", "EX01 EX02"),
            ("SourceTransportServers", "EX03"),
        ]);
        let (objects, diagnostics) = build(vec![joined]);
        assert_eq!(objects.send_connectors[0].source_refs.len(), 2);
        assert_eq!(diagnostics.len(), 1);
        assert!(diagnostics[0].message.contains("'EX01 EX02'"));
    }

    #[test]
    fn server_roles_read_as_names_or_as_their_number() {
        assert_eq!(Roles::from_names("Mailbox, HubTransport"), Roles(34));
        assert_eq!(Roles::from_names("34"), Roles(34));
        assert!(Roles::from_names(" 64 ").is_edge());
    }

    #[test]
    fn servers_are_typed() {
        let o = objects(
            "dn: CN=EX01,CN=Servers,CN=AG,DC=x\nobjectClass: top\nobjectClass: msExchExchangeServer\ncn: EX01\n\
             serialNumber: Version 15.1 (Build 30845.34)\nmsExchCurrentServerRoles: 16439\n\
             msExchServerSite: CN=Paris,CN=Sites,CN=Configuration,DC=x\nnetworkAddress: netbios:EX01\n\
             networkAddress: ncacn_ip_tcp:ex01.contoso.com\n",
        );
        let server = &o.servers[0];
        assert_eq!(server.name, "EX01");
        assert_eq!(server.version.unwrap().to_string(), "15.1.845.34");
        assert_eq!(server.site.as_deref(), Some("Paris"));
        assert_eq!(server.fqdn.as_deref(), Some("ex01.contoso.com"));
        assert!(server.roles.unwrap().names().contains(&"Hub Transport"));
        assert!(!server.is_edge());
    }

    #[test]
    fn send_connectors_are_typed_and_deleted_ones_left_out() {
        let o = objects(
            "dn: CN=Internet,CN=Connections,DC=x\nobjectClass: msExchRoutingSMTPConnector\ncn: Internet\n\
             routingList: SMTP:*;1\nroutingList: Local:SMTP:contoso.com;1\nmsExchSmtpSendEnabled: FALSE\n\
             msExchSmtpSmartHost: a.example;[10.0.0.1], b.example\nmsExchSourceBridgeheadServersDN: CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,DC=x\n\n\
             dn: CN=Old\\0ADEL:1234,CN=Deleted Objects,DC=x\nobjectClass: msExchRoutingSMTPConnector\nisDeleted: TRUE\n",
        );
        assert_eq!(o.send_connectors.len(), 1);
        assert_eq!(o.deleted, 1);
        let c = &o.send_connectors[0];
        assert!(!c.enabled);
        assert_eq!(c.smart_hosts, ["a.example", "[10.0.0.1]", "b.example"]);
        assert!(!c.address_spaces[0].scoped && c.address_spaces[1].scoped);
        assert_eq!(c.source_refs.len(), 1);
    }
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn directory_and_cmdlet_times_read_as_one_instant() {
        let expected: jiff::Timestamp = "2025-11-03T09:12:00Z".parse().unwrap();
        for text in [
            "20251103091200.0Z",
            "20251103091200Z",
            "20251103101200.0+0100",
            "2025-11-03T10:12:00+01:00",
            "2025-11-03T09:12:00.0000000Z",
            "2025-11-03T09:12:00",
        ] {
            assert_eq!(parse_time(text), Some(expected), "{text}");
        }
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("20251399000000.0Z"), None);
    }
}
