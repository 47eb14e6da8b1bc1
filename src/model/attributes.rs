//! The one table of the attributes the model reads.
//!
//! Each entry names an attribute as the directory holds it (LDAP name) and,
//! where Exchange cmdlet output carries it under another name, the cmdlet
//! property too; lookups try the names in order. The projection readers
//! apply ([`is_read_attribute`]) is derived from this table, so a name
//! looked up is always a name kept.

use std::sync::OnceLock;

macro_rules! attributes {
    ($($(#[$doc:meta])* $id:ident = [$($name:literal),+];)*) => {
        $( $(#[$doc])* pub(crate) const $id: &[&str] = &[$($name),+]; )*
        /// Every attribute of the table.
        pub(crate) const ALL: &[&[&str]] = &[$($id),*];
    };
}

attributes! {
    /// Object classes (cmdlet output: `ObjectClass`, any case).
    OBJECT_CLASS = ["objectClass"];
    /// The PowerShell type names of a CLIXML object (`Deserialized.`, `Selected.`).
    PS_TYPE_NAMES = ["PSTypeNames"];
    /// Properties a CLIXML object holds as empty collections.
    PS_EMPTY_PROPERTIES = ["PSEmptyProperties"];
    /// Properties whose values the export lost (written as type names,
    /// where `ConvertTo-Json` stopped at its depth): present, value unknown.
    PS_LOST_PROPERTIES = ["PSLostProperties"];
    /// The name.
    NAME = ["cn", "name"];
    /// Tombstones.
    IS_DELETED = ["isDeleted"];
    /// The object's GUID.
    GUID = ["objectGUID", "Guid"];
    /// A server's build (`Version 15.1 (Build 32507.6)`).
    SERIAL_NUMBER = ["serialNumber", "AdminDisplayVersion"];
    /// A server's build as a number (Exchange 2000/2003).
    VERSION_NUMBER = ["versionNumber"];
    /// A server's role bits.
    SERVER_ROLES = ["msExchCurrentServerRoles"];
    /// A server's roles as the cmdlet prints them.
    SERVER_ROLE_NAMES = ["ServerRole"];
    /// An Edge Transport server (cmdlet output).
    IS_EDGE_SERVER = ["IsEdgeServer"];
    /// A server's AD site.
    SERVER_SITE = ["msExchServerSite", "Site"];
    /// A server's network addresses (`ncacn_ip_tcp:` is the FQDN).
    NETWORK_ADDRESS = ["networkAddress"];
    /// A server's FQDN (cmdlet output).
    SERVER_FQDN = ["Fqdn"];
    /// Send connector enabled.
    SEND_ENABLED = ["msExchSmtpSendEnabled", "Enabled"];
    /// Address spaces.
    ADDRESS_SPACES = ["routingList", "AddressSpaces"];
    /// Smart hosts.
    SMART_HOSTS = ["msExchSmtpSmartHost", "SmartHosts"];
    /// Send port.
    SEND_PORT = ["msExchSmtpSendPort", "Port"];
    /// Send connector FQDN.
    SEND_FQDN = ["msExchSMTPSendConnectorFQDN", "Fqdn"];
    /// Maximum message size in KB.
    MAX_MESSAGE_SIZE_KB = ["delivContLength"];
    /// Maximum message size as the cmdlet prints it.
    MAX_MESSAGE_SIZE = ["MaxMessageSize"];
    /// TLS domain.
    TLS_DOMAIN = ["msExchSmtpSendTlsDomain", "TlsDomain"];
    /// Protocol logging level.
    PROTOCOL_LOGGING = ["msExchSmtpSendProtocolLoggingLevel", "ProtocolLoggingLevel"];
    /// Source IP address.
    SOURCE_IP = ["msExchSmtpSendBindingIPAddress", "SourceIPAddress"];
    /// Source transport servers (virtual server or server DNs, or names).
    SOURCES = ["msExchSourceBridgeheadServersDN", "SourceTransportServers"];
    /// A foreign connector's drop directory: with the `mailGateway` class,
    /// what makes a connector a foreign one.
    DROP_DIRECTORY = ["msExchTransportDropDirectoryName", "DropDirectory"];
    /// A Delivery Agent connector's protocol (cmdlet output tells the
    /// connector by it when its type name does not).
    DELIVERY_PROTOCOL = ["msExchTransportDeliveryAgentDeliveryProtocol", "DeliveryProtocol"];
    /// Target bridgeheads of a routing group connector.
    TARGETS = ["msExchTargetBridgeheadServersDN", "TargetTransportServers"];
    /// Receive connector enabled.
    RECEIVE_ENABLED = ["msExchSmtpReceiveEnabled", "Enabled"];
    /// Receive bindings.
    BINDINGS = ["msExchSmtpReceiveBindings", "Bindings"];
    /// Remote IP ranges.
    REMOTE_IP_RANGES = ["msExchSmtpReceiveRemoteIPRanges", "RemoteIPRanges"];
    /// Receive connector FQDN.
    RECEIVE_FQDN = ["msExchSMTPReceiveConnectorFQDN", "Fqdn"];
    /// Receive connector transport role.
    RECEIVE_ROLE = ["msExchSmtpReceiveRole", "TransportRole"];
    /// When the object last changed (GeneralizedTime; the cmdlets' DateTime).
    WHEN_CHANGED = ["whenChanged", "WhenChanged"];
    /// The update sequence number of the object's last change.
    USN_CHANGED = ["uSNChanged"];
}

/// Whether the model reads an attribute of this name (LDAP name or cmdlet
/// property, any case). Readers use it to skip everything else early, on
/// every attribute line of an export: names are bucketed by length once.
pub fn is_read_attribute(name: &[u8]) -> bool {
    static BY_LENGTH: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    let buckets = BY_LENGTH.get_or_init(|| {
        let longest = ALL
            .iter()
            .flat_map(|names| names.iter())
            .map(|n| n.len())
            .max();
        let mut buckets = vec![Vec::new(); longest.unwrap_or(0) + 1];
        for name in ALL.iter().flat_map(|names| names.iter()) {
            if !buckets[name.len()].contains(name) {
                buckets[name.len()].push(*name);
            }
        }
        buckets
    });
    buckets.get(name.len()).is_some_and(|names| {
        names
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_of_the_table_is_projected_in_any_case() {
        for name in ALL.iter().flat_map(|names| names.iter()) {
            assert!(is_read_attribute(name.as_bytes()), "{name}");
            assert!(is_read_attribute(name.to_uppercase().as_bytes()), "{name}");
        }
        assert!(!is_read_attribute(b"nTSecurityDescriptor"));
        assert!(!is_read_attribute(b""));
        assert!(!is_read_attribute(&[b'x'; 200]));
    }
}
