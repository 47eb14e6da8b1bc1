//! What a record is: the object classes and cmdlet type names the model
//! reads (and, for `Select-Object` output, the properties that tell), and
//! the model object each record becomes.

use super::attributes as attr;
use super::connector::{address_spaces, references, send_connector};
use super::fields::{first, flag, has_property, lost_property, texts};
use super::guid::object_guid;
use super::server;
use super::{
    Container, ContainerKind, OtherConnector, OtherConnectorKind, ReceiveConnector,
    RoutingGroupConnector, SendConnector, Server,
};
use crate::diag::Diagnostic;
use crate::dn::{Dn, Mangling};
use crate::record::{Body, Record, Value};

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

/// What one record is, for the model.
pub(super) enum Classified {
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

fn kind_by_type_name(record: &Record) -> Option<Kind> {
    record
        .values(attr::PS_TYPE_NAMES[0])
        .filter_map(Value::as_text)
        .find_map(|type_name| {
            let mut name = type_name.trim();
            // Either prefix may come first (`Selected.Deserialized.…` after
            // a Select-Object of remoted objects), so strip until none is left.
            while let Some(rest) = ["Deserialized.", "Selected."]
                .iter()
                .find_map(|prefix| name.strip_prefix(prefix))
            {
                name = rest;
            }
            CMDLET_TYPES
                .iter()
                .find(|(known, _)| name.eq_ignore_ascii_case(known))
                .map(|(_, kind)| *kind)
        })
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

pub(super) fn classify(record: &Record) -> Classified {
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
        Kind::Server => Classified::Server(server::from_record(record, dn, name)),
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
