//! Coverage: what the inputs of one organization could show.
//!
//! A verdict is only as good as the export behind it. "EX01 is a source of
//! no Send connector" is evidence only when the inputs hold the place every
//! Send connector lives: the `CN=Connections` container of each routing
//! group (an empty container is evidence of "no connector", its absence is
//! not), or the connectors themselves with their sources. This module
//! decides that, per organization, and says why; the findings turn a
//! "not shown" into the blocker `SendConnectorsNotInExport` whose remedy is
//! the export command that fills the gap.

use std::collections::BTreeMap;

use crate::diag::Located;
use crate::dn::{Dn, DnKey};
use crate::model::{ContainerKind, Objects};

/// The routing group every Exchange 2007 and later server belongs to.
pub const MODERN_ROUTING_GROUP: &str = "Exchange Routing Group (DWBGZMFD01QNBJR)";
/// The administrative group of every Exchange 2007 and later server.
pub const MODERN_ADMIN_GROUP: &str = "Exchange Administrative Group (FYDIBOHF23SPDLT)";

/// Whether the inputs could show every Send connector with its sources,
/// and what that rests on (the words are `report::findings`').
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Shown: the inputs hold Send connectors, and no routing group.
    Connectors {
        /// Send connector objects read.
        objects: usize,
    },
    /// Shown: the inputs hold the `CN=Connections` container (or a Send
    /// connector) of every routing group they name.
    Containers {
        /// Send connector objects read.
        objects: usize,
        /// Routing groups whose `CN=Connections` container is in the inputs.
        containers: usize,
        /// Routing groups seen.
        routing_groups: usize,
    },
    /// Not shown: some Send connectors' records do not say which servers
    /// are their sources (a summary without `SourceTransportServers`).
    SourcesUnknown {
        /// Send connectors whose sources are unknown.
        unknown: usize,
        /// Send connector objects read.
        objects: usize,
    },
    /// Not shown: no Send connector and no `CN=Connections` container.
    Nothing,
    /// Not shown: the `CN=Connections` container of these routing groups
    /// (indices into [`Coverage::routing_groups`]) is not in the inputs.
    ConnectionsMissing(Vec<usize>),
    /// Not shown: some inputs did not reach their proper end
    /// ([`Coverage::not_whole`]), so what they lack cannot be told.
    NotWhole,
}

impl Evidence {
    /// Whether the inputs could show it.
    pub fn is_shown(&self) -> bool {
        matches!(
            self,
            Evidence::Connectors { .. } | Evidence::Containers { .. }
        )
    }
}

/// A routing group the inputs name (by its object, its `CN=Connections`
/// container or a connector in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingGroupSeen {
    /// Its name (`Exchange Routing Group (DWBGZMFD01QNBJR)` from 2007 on).
    pub name: String,
    /// Its DN.
    pub dn: Dn,
    /// Whether its `CN=Connections` container is in the inputs.
    pub connections_container: bool,
    /// Send connectors in it.
    pub send_connectors: usize,
}

/// What the inputs of one organization cover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage {
    /// Whether the inputs could show every Send connector with its sources.
    pub send_connectors: Evidence,
    /// Routing groups seen, sorted by DN.
    pub routing_groups: Vec<RoutingGroupSeen>,
    /// Send connector objects read (before merging copies).
    pub send_connector_objects: usize,
    /// Send connectors whose record does not say what their sources are.
    pub sources_not_in_export: usize,
    /// Whether a `CN=Servers` container is in the inputs.
    pub servers_container: bool,
    /// Exchange server objects read.
    pub server_objects: usize,
    /// The organization's DN, when a DN in the inputs names it.
    pub organization_dn: Option<Dn>,
    /// The naming contexts the inputs show objects of when those objects
    /// are not Exchange's (a domain partition's head, the configuration
    /// partition's head or its `CN=Sites`), sorted: what an input that
    /// names no organization holds instead.
    pub partitions: Vec<Dn>,
    /// Inputs that are not whole, each as its first sign (its file, where
    /// and why): what they lack cannot be told, so they show no absence.
    pub not_whole: Vec<Located>,
}

impl Coverage {
    /// What the objects of one organization's inputs cover.
    pub fn of(objects: &[Objects]) -> Coverage {
        let mut groups: BTreeMap<DnKey, RoutingGroupSeen> = BTreeMap::new();
        let mut seen = |rg: &Dn, connections: bool, connectors: usize| {
            let name = rg
                .leaf()
                .and_then(|rdn| rdn.value_text())
                .unwrap_or_default()
                .to_owned();
            let entry = groups.entry(rg.key()).or_insert_with(|| RoutingGroupSeen {
                name,
                dn: rg.clone(),
                connections_container: false,
                send_connectors: 0,
            });
            entry.connections_container |= connections;
            entry.send_connectors += connectors;
        };
        for o in objects {
            for container in &o.containers {
                match container.kind {
                    ContainerKind::RoutingGroup => seen(&container.dn, false, 0),
                    ContainerKind::Connections => {
                        if let Some(rg) = container.dn.parent().filter(|rg| !rg.is_root()) {
                            seen(&rg, true, 0);
                        }
                    }
                    ContainerKind::Servers | ContainerKind::Partition => {}
                }
            }
            for connector in &o.send_connectors {
                if let Some(rg) = routing_group_of(&connector.dn) {
                    seen(&rg, false, 1);
                }
            }
            let other_dns = o.routing_group_connectors.iter().map(|c| &c.dn);
            for dn in other_dns.chain(o.other_connectors.iter().map(|c| &c.dn)) {
                if let Some(rg) = routing_group_of(dn) {
                    seen(&rg, false, 0);
                }
            }
        }
        let routing_groups: Vec<RoutingGroupSeen> = groups.into_values().collect();
        let send_connector_objects = objects.iter().map(|o| o.send_connectors.len()).sum();
        let sources_not_in_export = objects
            .iter()
            .flat_map(|o| &o.send_connectors)
            .filter(|c| !c.sources_known)
            .count();
        let send_connectors = send_connector_evidence(
            &routing_groups,
            send_connector_objects,
            sources_not_in_export,
        );
        Coverage {
            send_connectors,
            routing_groups,
            send_connector_objects,
            sources_not_in_export,
            servers_container: objects.iter().any(|o| {
                o.containers
                    .iter()
                    .any(|c| c.kind == ContainerKind::Servers)
            }),
            server_objects: objects.iter().map(|o| o.servers.len()).sum(),
            organization_dn: organization_dn(objects),
            partitions: partitions(objects),
            not_whole: Vec::new(),
        }
    }

    /// Takes into account inputs that are not whole (the first sign of
    /// each): a Send connector or a source they lack cannot be told from
    /// one that does not exist, so they never show the Send connectors,
    /// whatever else the inputs hold.
    pub fn with_not_whole(mut self, inputs: Vec<Located>) -> Coverage {
        self.not_whole = inputs;
        if !self.not_whole.is_empty() {
            self.send_connectors = Evidence::NotWhole;
        }
        self
    }

    /// Whether a routing group of Exchange 2000/2003 is among those seen.
    pub fn has_legacy_routing_group(&self) -> bool {
        self.routing_groups
            .iter()
            .any(|rg| !rg.name.eq_ignore_ascii_case(MODERN_ROUTING_GROUP))
    }

    /// What the inputs hold when they name no Exchange organization: the
    /// partitions read (see [`is_configuration`]), or `None` when they hold
    /// an Exchange object or no partition is known.
    pub fn without_exchange(&self) -> Option<&[Dn]> {
        let exchange_seen = self.organization_dn.is_some()
            || self.send_connector_objects > 0
            || self.server_objects > 0
            || !self.routing_groups.is_empty();
        (!exchange_seen && !self.partitions.is_empty()).then_some(&self.partitions[..])
    }

    /// The forest root domain's DN (`DC=contoso,DC=com`), as the inputs
    /// name it: in the organization's DN or the configuration partition's,
    /// else in a domain partition's (right when that domain is the forest
    /// root, the one domain of most forests).
    pub fn forest_dn(&self) -> Option<String> {
        let configuration = self
            .organization_dn
            .iter()
            .chain(self.partitions.iter().filter(|dn| is_configuration(dn)));
        configuration
            .chain(&self.partitions)
            .find_map(|dn| domain_components(dn).and_then(|at| dn.ancestor(at)))
            .map(|dn| dn.to_string())
    }

    /// Whether the inputs hold a configuration partition, where the
    /// forest's DN is certain.
    pub fn holds_configuration(&self) -> bool {
        self.organization_dn.is_some() || self.partitions.iter().any(is_configuration)
    }

    /// The `ldifde` command that exports what the Send connector verdict
    /// needs: the routing groups' subtree of this organization, or the
    /// Exchange part of the configuration partition when no organization is
    /// named.
    pub fn ldifde_command(&self) -> String {
        if let (None, Some(forest)) = (&self.organization_dn, self.forest_dn()) {
            return exchange_ldifde_command(&forest);
        }
        let organization = self.organization_dn.as_ref().map_or_else(
            || {
                "CN=<organization>,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=<forest>"
                    .to_owned()
            },
            Dn::to_string,
        );
        if self.has_legacy_routing_group() {
            format!(
                "ldifde -f connections.ldf -d \"CN=Administrative Groups,{organization}\" -r \
                 \"(|(objectClass=msExchRoutingGroup)(objectClass=msExchConnectors)\
                 (objectClass=msExchRoutingSMTPConnector)(objectClass=msExchRoutingGroupConnector)\
                 (objectClass=mailGateway)(objectClass=msExchDeliveryAgentConnector))\""
            )
        } else {
            format!(
                "ldifde -f connections.ldf -d \"CN=Routing Groups,CN={MODERN_ADMIN_GROUP},\
                 CN=Administrative Groups,{organization}\""
            )
        }
    }

    /// The Exchange Management Shell commands that export the same: the
    /// Send connectors, and the foreign and Delivery Agent connectors,
    /// which have source servers too but which `Get-SendConnector` leaves out.
    pub const CMDLET_COMMAND: &'static str =
        "Get-SendConnector | Export-Clixml -Path SendConnectors.xml; \
         Get-ForeignConnector | Export-Clixml -Path ForeignConnectors.xml; \
         Get-DeliveryAgentConnector | Export-Clixml -Path DeliveryAgentConnectors.xml";

    /// What exconn needs instead of an input that is not an export, with
    /// the commands that make one.
    pub fn exports_read() -> String {
        format!(
            "exconn reads exports of the Exchange configuration: LDIF ({}), DSML, an AD \
             Explorer snapshot, or, from the Exchange Management Shell, {}",
            exchange_ldifde_command("DC=<forest>"),
            Coverage::CMDLET_COMMAND
        )
    }
}

/// The `ldifde` command that exports a forest's Exchange configuration.
fn exchange_ldifde_command(forest: &str) -> String {
    format!(
        "ldifde -f exchange.ldf -d \"CN=Microsoft Exchange,CN=Services,CN=Configuration,{forest}\""
    )
}

/// The verdict on Send connectors from what was seen.
fn send_connector_evidence(
    routing_groups: &[RoutingGroupSeen],
    objects: usize,
    unknown: usize,
) -> Evidence {
    if unknown > 0 {
        return Evidence::SourcesUnknown { unknown, objects };
    }
    if routing_groups.is_empty() {
        return match objects {
            0 => Evidence::Nothing,
            _ => Evidence::Connectors { objects },
        };
    }
    let missing: Vec<usize> = (0..routing_groups.len())
        .filter(|&i| {
            let rg = &routing_groups[i];
            !rg.connections_container && rg.send_connectors == 0
        })
        .collect();
    if !missing.is_empty() {
        return Evidence::ConnectionsMissing(missing);
    }
    Evidence::Containers {
        objects,
        containers: routing_groups
            .iter()
            .filter(|rg| rg.connections_container)
            .count(),
        routing_groups: routing_groups.len(),
    }
}

/// The routing group of a connector: `CN=<connector>,CN=Connections,CN=<RG>,…`.
fn routing_group_of(connector: &Dn) -> Option<Dn> {
    let rdns = connector.rdns();
    (rdns.len() > 2 && rdns[1].is("cn", "Connections"))
        .then(|| connector.ancestor(2))
        .flatten()
}

/// The naming contexts of the partition objects read (see
/// [`ContainerKind::Partition`]), sorted and each once.
fn partitions(objects: &[Objects]) -> Vec<Dn> {
    let mut found: BTreeMap<DnKey, Dn> = BTreeMap::new();
    let heads = objects
        .iter()
        .flat_map(|o| &o.containers)
        .filter(|c| c.kind == ContainerKind::Partition)
        .filter_map(|c| naming_context(&c.dn));
    for head in heads {
        found.entry(head.key()).or_insert(head);
    }
    found.into_values().collect()
}

/// The naming context a DN sits in: `CN=Configuration,DC=…` for the
/// configuration partition, else its `DC=` components (a domain).
fn naming_context(dn: &Dn) -> Option<Dn> {
    let domain = domain_components(dn)?;
    let configuration = domain > 0 && dn.rdn_is(domain - 1, "cn", "Configuration");
    dn.ancestor(if configuration { domain - 1 } else { domain })
}

/// Where the trailing `DC=` components of a DN start (from the leaf).
fn domain_components(dn: &Dn) -> Option<usize> {
    let rdns = dn.rdns();
    let is_dc = |i: &usize| rdns[*i].value_text().is_some_and(|v| rdns[*i].is("dc", v));
    (0..rdns.len()).rev().take_while(is_dc).last()
}

/// Whether a naming context is a configuration partition (else a domain).
pub fn is_configuration(naming_context: &Dn) -> bool {
    naming_context
        .leaf()
        .is_some_and(|rdn| rdn.is("cn", "Configuration"))
}

/// The organization's DN (`CN=<org>,CN=Microsoft Exchange,CN=Services,…`)
/// from the first DN that names it.
fn organization_dn(objects: &[Objects]) -> Option<Dn> {
    let dns = objects.iter().flat_map(|o| {
        o.containers
            .iter()
            .map(|c| &c.dn)
            .chain(o.send_connectors.iter().map(|c| &c.dn))
            .chain(o.servers.iter().map(|s| &s.dn))
            .chain(o.routing_group_connectors.iter().map(|c| &c.dn))
            .chain(o.other_connectors.iter().map(|c| &c.dn))
            .chain(o.receive_connectors.iter().map(|c| &c.dn))
    });
    dns.into_iter().find_map(|dn| {
        let rdns = dn.rdns();
        let exchange = (1..rdns.len().saturating_sub(1)).find(|&i| {
            rdns[i].is("cn", "Microsoft Exchange") && rdns[i + 1].is("cn", "Services")
        })?;
        dn.ancestor(exchange - 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::ldif;
    use crate::model;

    const ORG: &str =
        "CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com";

    fn coverage(text: &str) -> Coverage {
        let text = text.replace("<ORG>", ORG);
        Coverage::of(&[model::build(ldif::parse(text.as_bytes()).records).0])
    }

    const RG: &str = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,<ORG>";

    #[test]
    fn servers_alone_cannot_show_send_connectors() {
        let c = coverage(
            "dn: CN=EX01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,<ORG>\n\
             objectClass: msExchExchangeServer\n\n\
             dn: CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,<ORG>\n\
             objectClass: msExchServersContainer\n",
        );
        assert!(!c.send_connectors.is_shown());
        assert!(c.servers_container);
        assert_eq!(c.server_objects, 1);
        assert_eq!(
            c.ldifde_command(),
            format!("ldifde -f connections.ldf -d \"CN=Routing Groups,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,{ORG}\"")
        );
    }

    #[test]
    fn an_empty_connections_container_is_evidence_of_no_connector() {
        let c = coverage(&format!(
            "dn: {RG}\nobjectClass: msExchRoutingGroup\n\n\
             dn: CN=Connections,{RG}\nobjectClass: msExchConnectors\n"
        ));
        assert!(c.send_connectors.is_shown(), "{:?}", c.send_connectors);
        assert!(c.routing_groups[0].connections_container);
    }

    #[test]
    fn a_routing_group_without_its_container_is_not_evidence() {
        let c = coverage(&format!("dn: {RG}\nobjectClass: msExchRoutingGroup\n"));
        assert!(!c.send_connectors.is_shown());
    }

    #[test]
    fn every_legacy_routing_group_needs_its_connections() {
        let legacy = "CN=First Routing Group,CN=Routing Groups,CN=First Administrative Group,CN=Administrative Groups,<ORG>";
        let c = coverage(&format!(
            "dn: CN=Internet,CN=Connections,{RG}\nobjectClass: msExchRoutingSMTPConnector\n\n\
             dn: {legacy}\nobjectClass: msExchRoutingGroup\n"
        ));
        let Evidence::ConnectionsMissing(missing) = &c.send_connectors else {
            panic!("{:?}", c.send_connectors)
        };
        let names: Vec<&str> = missing
            .iter()
            .map(|&i| c.routing_groups[i].name.as_str())
            .collect();
        assert_eq!(names, ["First Routing Group"]);
        assert!(c
            .ldifde_command()
            .contains("-d \"CN=Administrative Groups,CN=Contoso,"));
        let c = coverage(&format!(
            "dn: CN=Internet,CN=Connections,{RG}\nobjectClass: msExchRoutingSMTPConnector\n\n\
             dn: {legacy}\nobjectClass: msExchRoutingGroup\n\n\
             dn: CN=Connections,{legacy}\nobjectClass: msExchConnectors\n"
        ));
        assert!(c.send_connectors.is_shown());
    }

    #[test]
    fn the_export_commands_keep_foreign_and_delivery_agent_connectors() {
        let legacy = "CN=First Routing Group,CN=Routing Groups,CN=First Administrative Group,CN=Administrative Groups,<ORG>";
        let c = coverage(&format!("dn: {legacy}\nobjectClass: msExchRoutingGroup\n"));
        let command = c.ldifde_command();
        for class in ["mailGateway", "msExchDeliveryAgentConnector"] {
            assert!(
                command.contains(&format!("(objectClass={class})")),
                "{command}"
            );
        }
        for cmdlet in ["Get-ForeignConnector", "Get-DeliveryAgentConnector"] {
            assert!(Coverage::CMDLET_COMMAND.contains(cmdlet));
        }
    }
}
