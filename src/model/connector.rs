//! Connectors: Send connectors, foreign and Delivery Agent connectors,
//! routing group connectors and receive connectors, with their address
//! spaces and the DN references to their source servers.

use uuid::Uuid;

use super::attributes as attr;
use super::fields::{first, flag, has_property, lost_property, number, texts};
use super::guid::object_guid;
use super::Changed;
use crate::diag::Diagnostic;
use crate::dn::{Dn, Mangling};
use crate::record::{Record, Value};

/// One address space of a connector (`routingList`), e.g. `SMTP:*;1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressSpace {
    /// The value as stored.
    pub raw: String,
    /// `Local:` prefix: usable only within the source servers' AD site.
    pub scoped: bool,
}

impl AddressSpace {
    pub(super) fn parse(raw: &str) -> AddressSpace {
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
    /// `objectGUID` (`Guid` in cmdlet output).
    pub guid: Option<Uuid>,
    /// Its name carries conflict mangling (`\\0ACNF:`): the directory holds
    /// another object made as the same one. Kept apart from the DN, which
    /// redaction rewrites.
    pub conflict: bool,
    /// When it last changed, as the record says.
    pub changed: Changed,
    /// Byte offset of the record, for diagnostics.
    pub offset: usize,
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
    /// `objectGUID` (`Guid` in cmdlet output).
    pub guid: Option<Uuid>,
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
    /// `objectGUID` (`Guid` in cmdlet output).
    pub guid: Option<Uuid>,
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
pub(super) fn references(record: &Record, names: &[&str]) -> Vec<Reference> {
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

/// A warning about each source that is neither a DN nor one server name
/// but names joined with spaces (`EX01 EX02`, as PowerShell writes a list
/// in a string): server names hold no space, so the value names no server,
/// and which separator split it is unsure, so it is kept as it is.
pub(super) fn space_joined_sources(sources: &[Reference], offset: usize) -> Vec<Diagnostic> {
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

/// The address spaces of a connector (`TYPE:address;cost` each). A cost
/// on its own belongs to the address space before it: a list written with
/// `;` between its values (as `csvde` writes one) cuts each in two.
pub(super) fn address_spaces(record: &Record) -> Vec<AddressSpace> {
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

/// Whether a Send connector record says what its sources are: cmdlet
/// output (told by its `AddressSpaces` property, `routingList` in the
/// directory) must carry `SourceTransportServers`, even empty, with the
/// values the export lost not among them.
pub(super) fn sources_known(record: &Record) -> bool {
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

pub(super) fn send_connector(record: &Record, dn: Dn, name: String) -> SendConnector {
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
