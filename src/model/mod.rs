//! The Exchange model: typed servers and connectors built from records.
//!
//! This module knows Exchange's object classes and attribute names
//! (`msExchExchangeServer`, `msExchRoutingSMTPConnector`, …) and nothing
//! about file formats: it reads [`Record`]s, whichever reader made them.
//! Records from Exchange cmdlets (`Get-SendConnector`, `Get-ExchangeServer`
//! in CLIXML) carry property names instead of LDAP names; every lookup names
//! both, LDAP first. Deleted objects (tombstones) are counted and left out.
//!
//! `classify` tells what a record is and builds its object (`server`,
//! `connector`, with `roles`, `guid` and `time` for the values they read
//! through `fields`); `objects` holds the objects of an input. This module
//! runs the classification over a batch of records.

mod attributes;
mod classify;
mod connector;
mod fields;
mod guid;
mod objects;
mod roles;
mod server;
mod time;
pub mod version;

pub use attributes::is_read_attribute;

use rayon::prelude::*;

use crate::diag::Diagnostic;
use crate::record::Record;
pub use classify::is_modelled_class;
use classify::{classify, Classified};
use connector::space_joined_sources;
pub use connector::{
    AddressSpace, OtherConnector, OtherConnectorKind, ReceiveConnector, Reference,
    RoutingGroupConnector, SendConnector,
};
pub use objects::{Container, ContainerKind, DistinctObjects, Objects, OrganizationName};
pub use roles::Roles;
pub use server::Server;
pub use time::Changed;
pub use version::{Product, Support, Version};

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

#[cfg(test)]
mod tests {
    use super::connector::address_spaces;
    use super::guid::guid;
    use super::*;
    use crate::dn::Dn;
    use crate::input::ldif;
    use crate::record::{Body, Value};

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
        let text = |bytes: &[u8]| guid(bytes).map(|g| g.to_string());
        let expected = Some("0292c782-9804-4d8b-ae0e-e1c7ab90852b".to_owned());
        assert_eq!(text(&binary), expected);
        assert_eq!(text(b"0292C782-9804-4D8B-AE0E-E1C7AB90852B"), expected);
        assert_eq!(text(b"{0292c782-9804-4d8b-ae0e-e1c7ab90852b}"), expected);
        assert_eq!(text(b"00000000-0000-0000-0000-000000000000"), None);
        assert_eq!(text(b"short"), None);
    }

    #[test]
    fn a_type_name_is_known_under_either_prefix_order() {
        for prefixes in [
            "Selected.Deserialized.",
            "Deserialized.Selected.",
            "Deserialized.",
        ] {
            let connector = record(&[
                (
                    "PSTypeNames",
                    &format!(
                        "{prefixes}Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"
                    ),
                ),
                ("Name", "Internet"),
            ]);
            let (objects, _) = build(vec![connector]);
            assert_eq!(objects.send_connectors.len(), 1, "{prefixes}");
        }
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
