//! The inventory of an organization's transport: servers with their support
//! status on a given date, connectors, and receive connectors told apart
//! into those Setup creates and those someone made (which must be re-created
//! on the servers that replace theirs).

use jiff::civil::Date;

use crate::analysis::graph::Graph;
use crate::model::{Product, Support};

/// The names Setup gives a server's receive connectors, before the server
/// name: 2007/2010 (`Default`, `Client`), 2013 and later (`Default`,
/// `Client Proxy`, and the front end's `Default Frontend`, `Outbound Proxy
/// Frontend`, `Client Frontend`), and the Edge's internal connector.
const DEFAULT_RECEIVE_PREFIXES: [&str; 7] = [
    "Default",
    "Client",
    "Client Proxy",
    "Default Frontend",
    "Outbound Proxy Frontend",
    "Client Frontend",
    "Default internal receive connector",
];

/// Whether `connector` is one of the receive connectors Setup creates on `server`.
pub(crate) fn is_default_receive_connector(connector: &str, server: &str) -> bool {
    DEFAULT_RECEIVE_PREFIXES.iter().any(|prefix| {
        connector
            .trim()
            .eq_ignore_ascii_case(&format!("{prefix} {server}"))
    })
}

/// One server's line of the inventory.
#[derive(Clone, Debug)]
pub struct ServerLine {
    /// Index into the graph's servers.
    pub server: usize,
    /// The product, when the build is known.
    pub product: Option<Product>,
    /// Support status on the inventory's date.
    pub support: Support,
    /// Receive connectors (indices into the graph's), defaults first.
    pub receive_connectors: Vec<(usize, bool)>,
}

/// The inventory on a date.
#[derive(Clone, Debug)]
pub struct Inventory {
    /// The date support is judged on.
    pub date: Date,
    /// Every server, in the graph's order.
    pub servers: Vec<ServerLine>,
    /// Receive connectors whose server is not known (index into the graph's).
    pub orphan_receive_connectors: Vec<usize>,
    /// Set when the inputs cannot show the Send connectors.
    pub not_shown: Option<crate::analysis::findings::Finding>,
}

impl Inventory {
    /// Builds the inventory of `graph` as of `date`.
    pub fn new(graph: &Graph, date: Date) -> Inventory {
        let mut servers: Vec<ServerLine> = graph
            .servers
            .iter()
            .enumerate()
            .map(|(index, node)| {
                let product = node
                    .object
                    .as_ref()
                    .and_then(|s| s.version)
                    .map(|v| v.product());
                ServerLine {
                    server: index,
                    product,
                    support: product.map_or(Support::Unknown, |p| p.support_on(date)),
                    receive_connectors: Vec::new(),
                }
            })
            .collect();
        let mut orphan_receive_connectors = Vec::new();
        for (index, node) in graph.receive_connectors.iter().enumerate() {
            match node.server {
                Some(server) => {
                    let default = is_default_receive_connector(
                        &node.connector.name,
                        &graph.servers[server].name,
                    );
                    servers[server].receive_connectors.push((index, default));
                }
                None => orphan_receive_connectors.push(index),
            }
        }
        for line in &mut servers {
            line.receive_connectors
                .sort_by_key(|&(_, default)| !default);
        }
        Inventory {
            date,
            servers,
            orphan_receive_connectors,
            not_shown: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setups_receive_connectors_are_told_from_custom_ones() {
        for name in [
            "Default EX01",
            "Client Proxy ex01",
            "Default Frontend EX01",
            "Outbound Proxy Frontend EX01",
            "Client Frontend EX01",
            "Client EX01",
            "Default internal receive connector EX01",
        ] {
            assert!(is_default_receive_connector(name, "EX01"), "{name}");
        }
        for name in [
            "Relay EX01",
            "Default EX02",
            "DefaultEX01",
            "EX01",
            "Anonymous Relay",
        ] {
            assert!(!is_default_receive_connector(name, "EX01"), "{name}");
        }
    }
}
