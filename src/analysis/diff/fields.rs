//! The settings the diff compares, and how: [`Value`], the fields of
//! servers, Send connectors and routing group connectors, and whether two
//! sides' values differ as the analysis reads them (address spaces and smart
//! hosts as sets, case-insensitively; a build without its revision equals
//! the same build with one; roles as the cmdlets name them).

use crate::analysis::graph::{ConnectorNode, Graph, ServerNode};
use crate::model::Roles;

/// A value of a compared setting, as the directory holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Not known on that side.
    Absent,
    /// A flag.
    Flag(bool),
    /// Whether the object is enabled.
    Enabled(bool),
    /// A number.
    Number(u64),
    /// A text.
    Text(String),
    /// An object's name.
    Name(String),
    /// Several values.
    List(Vec<String>),
}

/// A server setting the diff compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ServerField {
    /// Whether the export holds the server object.
    InExport,
    /// The product (from the build).
    Product,
    /// The build.
    Version,
    /// The roles.
    Roles,
    /// The AD site.
    Site,
}

impl ServerField {
    /// The value on one side.
    pub fn value(self, node: &ServerNode) -> Value {
        let object = node.object.as_ref();
        let version = object.and_then(|o| o.version);
        match self {
            ServerField::InExport => Value::Flag(node.in_export()),
            ServerField::Product => version.map_or(Value::Absent, |v| {
                Value::Text(v.product().name().to_owned())
            }),
            ServerField::Version => version.map_or(Value::Absent, |v| Value::Text(v.to_string())),
            ServerField::Roles => match object.and_then(|o| o.roles) {
                Some(roles) => Value::List(roles.names().iter().map(|&r| r.to_owned()).collect()),
                None => Value::Absent,
            },
            ServerField::Site => text(object.and_then(|o| o.site.as_deref())),
        }
    }
}

/// A Send connector setting the diff compares (its sources are compared apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SendField {
    /// The name (a rename keeps the GUID).
    Name,
    /// `msExchSmtpSendEnabled`.
    Enabled,
    /// `routingList`.
    AddressSpaces,
    /// `msExchSmtpSmartHost`.
    SmartHosts,
    /// `msExchSmtpSendPort`.
    Port,
    /// `msExchSMTPSendConnectorFQDN`.
    Fqdn,
}

impl SendField {
    /// Every field, in the order shown.
    pub const ALL: [SendField; 6] = [
        SendField::Name,
        SendField::Enabled,
        SendField::AddressSpaces,
        SendField::SmartHosts,
        SendField::Port,
        SendField::Fqdn,
    ];

    /// The value on one side.
    pub fn value(self, node: &ConnectorNode) -> Value {
        let c = &node.connector;
        match self {
            SendField::Name => Value::Name(c.name.clone()),
            SendField::Enabled => Value::Enabled(c.enabled),
            SendField::AddressSpaces => {
                Value::List(c.address_spaces.iter().map(|a| a.raw.clone()).collect())
            }
            SendField::SmartHosts => Value::List(c.smart_hosts.clone()),
            SendField::Port => c
                .port
                .map_or(Value::Absent, |p| Value::Number(u64::from(p))),
            SendField::Fqdn => text(c.fqdn.as_deref()),
        }
    }

    /// Whether the two sides agree, compared as the analysis reads them.
    pub(super) fn same(self, before: &ConnectorNode, after: &ConnectorNode) -> bool {
        let (b, a) = (&before.connector, &after.connector);
        match self {
            SendField::Name => b.name == a.name,
            SendField::Enabled => b.enabled == a.enabled,
            SendField::AddressSpaces => {
                let spaces = |c: &crate::model::SendConnector| {
                    set(c.address_spaces.iter().map(|s| s.raw.as_str()))
                };
                spaces(b) == spaces(a)
            }
            SendField::SmartHosts => {
                set(b.smart_hosts.iter().map(String::as_str))
                    == set(a.smart_hosts.iter().map(String::as_str))
            }
            SendField::Port => b.port == a.port,
            SendField::Fqdn => same_text(b.fqdn.as_deref(), a.fqdn.as_deref()),
        }
    }
}

/// A routing group connector setting the diff compares (bridgeheads apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoutingGroupField {
    /// The name.
    Name,
}

impl RoutingGroupField {
    /// The value on one side.
    pub fn value(self, graph: &Graph, index: usize) -> Value {
        match self {
            RoutingGroupField::Name => {
                Value::Name(graph.routing_group_connectors[index].connector.name.clone())
            }
        }
    }
}

/// The server settings that differ. Settings of the object are compared
/// only where both sides have it (a server known only by reference on one
/// side differs in `in_export` alone).
pub(super) fn server_fields(before: &ServerNode, after: &ServerNode) -> Vec<ServerField> {
    let mut fields = Vec::new();
    if before.in_export() != after.in_export() {
        fields.push(ServerField::InExport);
    }
    let (Some(b), Some(a)) = (&before.object, &after.object) else {
        return fields;
    };
    match (b.version, a.version) {
        (Some(x), Some(y)) => {
            if x.product() != y.product() {
                fields.push(ServerField::Product);
            }
            let same_build = (x.major, x.minor, x.build) == (y.major, y.minor, y.build)
                && (x.revision == y.revision || x.revision.is_none() || y.revision.is_none());
            if !same_build {
                fields.push(ServerField::Version);
            }
        }
        (None, None) => {}
        _ => {
            fields.push(ServerField::Product);
            fields.push(ServerField::Version);
        }
    }
    // No roles attribute (Exchange 2003) and the cmdlets' `None` are alike.
    let roles = |server: &crate::model::Server| {
        server
            .roles
            .map(|r| comparable_roles(r, server.version.map(|v| (v.major, v.minor))))
            .unwrap_or_default()
    };
    if roles(b) != roles(a) {
        fields.push(ServerField::Roles);
    }
    if !same_text(b.site.as_deref(), a.site.as_deref()) {
        fields.push(ServerField::Site);
    }
    fields
}

/// Roles as they compare. From Exchange 2016 on, the Mailbox role holds
/// Client Access, Unified Messaging, Hub Transport and Front End Transport:
/// the directory sets their bits (`msExchCurrentServerRoles: 16439`) while
/// the cmdlets say `Mailbox`; both are the Mailbox role.
fn comparable_roles(roles: Roles, version: Option<(u32, u32)>) -> Vec<&'static str> {
    let modern = version.is_some_and(|v| v >= (15, 1));
    if modern && roles.0 & 2 != 0 {
        let mut names = vec!["Mailbox"];
        if roles.is_edge() {
            names.push("Edge Transport");
        }
        return names;
    }
    roles.names()
}

fn text(value: Option<&str>) -> Value {
    value.map_or(Value::Absent, |v| Value::Text(v.to_owned()))
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    a.map(str::to_lowercase) == b.map(str::to_lowercase)
}

/// Values as a set, case-insensitively.
fn set<'v>(values: impl Iterator<Item = &'v str>) -> Vec<String> {
    let mut set: Vec<String> = values.map(|v| v.trim().to_lowercase()).collect();
    set.sort();
    set.dedup();
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::diff::diff;
    use crate::analysis::diff::tests::{organization, server, S1};

    #[test]
    fn builds_compare_without_an_unknown_revision_and_roles_as_the_cmdlets_name_them() {
        let before = organization(&server("EX01", S1, "30845.34"));
        let after = organization(&server("EX01", S1, "30845").replace("16439", "2").replace(
            "cn: EX01\n",
            "cn: EX01\nmsExchServerSite: CN=Lyon,CN=Sites,DC=x\n",
        ));
        let d = diff(&before, &after);
        assert_eq!(d.servers.len(), 1);
        assert_eq!(d.servers[0].fields, [ServerField::Site]);
    }
}
