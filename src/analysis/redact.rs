//! `--redact`: the same analysis with the customer's names replaced, so that
//! a report can be shared outside the customer.
//!
//! Pseudonyms are stable for a given export: servers, Send, routing group,
//! foreign and Delivery Agent, and receive connectors, sites and DNS
//! domains are numbered in sorted order (`SERVER-01`, `CONNECTOR-01`,
//! `RGC-01`, `OTHER-01`, `RECEIVE-01`, `SITE-01`, `domain01.example`), the organization becomes `ORGANIZATION`. Every DN is
//! mapped value by value from its parse ([`Pseudonyms::dn`], never
//! re-parsed): Exchange's own container names stay, the `DC=` values spell
//! the forest's pseudonym, any other value without a pseudonym is withheld;
//! addresses are withheld; input paths become `input-1`… (their SHA-256
//! stays, which reveals nothing); diagnostic messages and why an input is
//! not whole, which quote the files, are withheld (their positions stay).
//! Whatever cannot be taken apart is withheld whole: redaction fails
//! closed. The graph is redacted before any report is built, so every
//! format shows the same pseudonyms; findings and plans hold indices into
//! it, so they show them too.

use std::collections::BTreeMap;

use crate::analysis::graph::{Graph, Unresolved};
use crate::diag::Located;
use crate::dn::{AvaValue, Dn};
use crate::input::InputInfo;
use crate::model::{AddressSpace, OrganizationName};

/// Names and their pseudonyms, case-insensitively.
#[derive(Default)]
pub struct Pseudonyms {
    names: BTreeMap<String, String>,
    domains: BTreeMap<String, String>,
}

const WITHHELD: &str = "(withheld)";

impl Pseudonyms {
    /// The pseudonyms of everything named in `graph` (and its organization).
    pub fn of(graph: &Graph, organization: Option<&OrganizationName>) -> Pseudonyms {
        let mut pseudonyms = Pseudonyms::default();
        let number = |names: Vec<&str>, prefix: &str, pseudonyms: &mut Pseudonyms| {
            let mut names: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
            names.sort();
            names.dedup();
            for (i, name) in names.into_iter().enumerate() {
                pseudonyms
                    .names
                    .entry(name)
                    .or_insert_with(|| format!("{prefix}-{:02}", i + 1));
            }
        };
        number(
            graph.servers.iter().map(|s| s.name.as_str()).collect(),
            "SERVER",
            &mut pseudonyms,
        );
        number(
            graph
                .send_connectors
                .iter()
                .map(|c| c.connector.name.as_str())
                .collect(),
            "CONNECTOR",
            &mut pseudonyms,
        );
        number(
            graph
                .routing_group_connectors
                .iter()
                .map(|c| c.connector.name.as_str())
                .collect(),
            "RGC",
            &mut pseudonyms,
        );
        number(
            graph
                .other_connectors
                .iter()
                .map(|c| c.connector.name.as_str())
                .collect(),
            "OTHER",
            &mut pseudonyms,
        );
        number(
            graph
                .receive_connectors
                .iter()
                .map(|c| c.connector.name.as_str())
                .collect(),
            "RECEIVE",
            &mut pseudonyms,
        );
        number(
            graph
                .servers
                .iter()
                .filter_map(|s| s.object.as_ref()?.site.as_deref())
                .collect(),
            "SITE",
            &mut pseudonyms,
        );
        if let Some(organization) = organization {
            pseudonyms
                .names
                .insert(organization.name.to_lowercase(), "ORGANIZATION".to_owned());
        }
        let mut domains: Vec<String> = Vec::new();
        if let Some(organization) = organization {
            domains.push(organization.forest.clone());
        }
        for node in &graph.send_connectors {
            let c = &node.connector;
            domains.extend(
                c.address_spaces
                    .iter()
                    .filter_map(|a| address_domain(&a.raw)),
            );
            domains.extend(c.smart_hosts.iter().filter_map(|h| domain_of_host(h)));
            domains.extend(c.fqdn.iter().filter_map(|f| domain_of_host(f)));
            domains.extend(c.tls_domain.iter().map(|d| d.to_lowercase()));
        }
        for node in &graph.other_connectors {
            let spaces = &node.connector.address_spaces;
            domains.extend(spaces.iter().filter_map(|a| address_domain(&a.raw)));
        }
        for server in &graph.servers {
            if let Some(fqdn) = server.object.as_ref().and_then(|o| o.fqdn.as_deref()) {
                domains.extend(domain_of_host(fqdn));
            }
        }
        domains.sort();
        domains.dedup();
        for (i, domain) in domains.into_iter().filter(|d| d != "*").enumerate() {
            pseudonyms
                .domains
                .insert(domain, format!("domain{:02}.example", i + 1));
        }
        pseudonyms
    }

    /// The pseudonym of a name (unknown names are withheld).
    pub fn name(&self, name: &str) -> String {
        self.names
            .get(&name.to_lowercase())
            .cloned()
            .unwrap_or_else(|| WITHHELD.to_owned())
    }

    fn domain(&self, domain: &str) -> String {
        let lower = domain.to_lowercase();
        // `*` (everything) and `--` (EdgeSync's placeholder) name nobody.
        if lower == "*" || lower == "--" || lower.is_empty() {
            return lower;
        }
        // A subdomain of a known domain keeps the known part's pseudonym.
        for (known, pseudonym) in &self.domains {
            if lower == *known {
                return pseudonym.clone();
            }
            if lower.ends_with(&format!(".{known}")) {
                return format!("sub.{pseudonym}");
            }
        }
        "domain.example".to_owned()
    }

    /// A host name: a known server's name keeps its pseudonym.
    fn host(&self, host: &str) -> String {
        let host = host.trim();
        if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
            return "(address)".to_owned();
        }
        match host.split_once('.') {
            Some((first, rest)) => {
                let first = match self.names.get(&first.to_lowercase()) {
                    Some(pseudonym) => pseudonym.to_lowercase(),
                    None => "host".to_owned(),
                };
                format!("{first}.{}", self.domain(rest))
            }
            None => match self.names.get(&host.to_lowercase()) {
                Some(pseudonym) => pseudonym.clone(),
                None if host == "--" => host.to_owned(),
                None => "host".to_owned(),
            },
        }
    }

    /// A DN with every value that is a name replaced by its pseudonym,
    /// mapped value by value from the parsed DN (the RDNs and attribute
    /// types stay): the trailing `DC=` components spell the forest's
    /// pseudonym (`sub` for each label more than it has), Exchange's own
    /// container names stay, and every other value — unknown, binary — is
    /// withheld. No value of `dn` is kept unless it is one of Exchange's.
    pub fn dn(&self, dn: &Dn) -> Dn {
        let forest = self.domain(&dn.dns_domain());
        let labels: Vec<&str> = forest.split('.').collect();
        let rdns = dn.rdns();
        let first_dc = rdns
            .iter()
            .rposition(|rdn| !rdn.value_text().is_some_and(|v| rdn.is("dc", v)))
            .map_or(0, |last_other| last_other + 1);
        dn.map_values(|position, ava| {
            let AvaValue::Text(value) = &ava.value else {
                return AvaValue::Text(WITHHELD.to_owned());
            };
            if position >= first_dc {
                let from_root = rdns.len() - 1 - position;
                let label = labels.len().checked_sub(from_root + 1);
                return AvaValue::Text(label.map_or("sub", |i| labels[i]).to_owned());
            }
            AvaValue::Text(match self.names.get(&value.to_lowercase()) {
                Some(pseudonym) => pseudonym.clone(),
                None if is_structural(value) => value.clone(),
                None => WITHHELD.to_owned(),
            })
        })
    }

    /// [`Pseudonyms::address_space`] of each.
    fn address_spaces(&self, spaces: &[AddressSpace]) -> Vec<AddressSpace> {
        spaces.iter().map(|a| self.address_space(a)).collect()
    }

    /// An address space with its domain replaced; its type (`SMTP`,
    /// `Local:SMTP`) and cost stay. One that does not read as
    /// `[Local:]TYPE:address[;cost]` is withheld whole.
    fn address_space(&self, space: &AddressSpace) -> AddressSpace {
        let withheld = AddressSpace {
            raw: WITHHELD.to_owned(),
            scoped: space.scoped,
        };
        let raw = &space.raw;
        let (head, rest) = match raw.rsplit_once(';') {
            Some((head, cost)) if cost.trim().chars().all(|c| c.is_ascii_digit()) => {
                (head, format!(";{cost}"))
            }
            Some(_) => return withheld,
            None => (raw.as_str(), String::new()),
        };
        let (prefix, domain) = match head.rsplit_once(':') {
            Some((prefix, domain)) if is_address_type(prefix) => (format!("{prefix}:"), domain),
            Some(_) => return withheld,
            None => (String::new(), head),
        };
        let domain = match domain.strip_prefix("*.") {
            Some(parent) => format!("*.{}", self.domain(parent)),
            None => self.domain(domain),
        };
        AddressSpace {
            raw: format!("{prefix}{domain}{rest}"),
            scoped: space.scoped,
        }
    }

    /// Redacts the graph in place.
    pub fn redact_graph(&self, graph: &mut Graph) {
        for server in &mut graph.servers {
            server.name = self.name(&server.name);
            if let Some(dn) = &server.dn {
                server.dn = Some(self.dn(dn));
            }
            if let Some(object) = &mut server.object {
                object.name = self.name(&object.name);
                object.dn = self.dn(&object.dn);
                object.site = object.site.as_deref().map(|s| self.name(s));
                object.fqdn = object.fqdn.as_deref().map(|f| self.host(f));
            }
        }
        for node in &mut graph.send_connectors {
            let c = &mut node.connector;
            c.name = self.name(&c.name);
            c.dn = self.dn(&c.dn);
            c.address_spaces = self.address_spaces(&c.address_spaces);
            c.smart_hosts = c.smart_hosts.iter().map(|h| self.host(h)).collect();
            c.fqdn = c.fqdn.as_deref().map(|f| self.host(f));
            c.tls_domain = c.tls_domain.as_deref().map(|d| self.domain(d));
            c.source_ip = c.source_ip.as_ref().map(|_| "(address)".to_owned());
            c.source_refs.clear();
            self.redact_unresolved(&mut node.unresolved);
        }
        for node in &mut graph.routing_group_connectors {
            let c = &mut node.connector;
            c.name = self.name(&c.name);
            c.dn = self.dn(&c.dn);
            c.source_refs.clear();
            c.target_refs.clear();
            self.redact_unresolved(&mut node.unresolved);
        }
        for node in &mut graph.other_connectors {
            let c = &mut node.connector;
            c.name = self.name(&c.name);
            c.dn = self.dn(&c.dn);
            c.address_spaces = self.address_spaces(&c.address_spaces);
            c.source_refs.clear();
            self.redact_unresolved(&mut node.unresolved);
        }
        for node in &mut graph.receive_connectors {
            let c = &mut node.connector;
            c.name = self.name(&c.name);
            c.dn = self.dn(&c.dn);
            c.bindings = c.bindings.iter().map(|b| redact_binding(b)).collect();
            c.remote_ip_ranges = c
                .remote_ip_ranges
                .iter()
                .map(|_| "(address)".to_owned())
                .collect();
            c.fqdn = c.fqdn.as_deref().map(|f| self.host(f));
        }
    }

    /// An unresolved reference: its DN redacted, or withheld when it is
    /// not a DN.
    fn redact_unresolved(&self, unresolved: &mut [Unresolved]) {
        for u in unresolved {
            u.dn = u.dn.as_ref().map(|dn| self.dn(dn));
            u.reference =
                u.dn.as_ref()
                    .map_or_else(|| WITHHELD.to_owned(), Dn::to_string);
        }
    }
}

impl Pseudonyms {
    /// Redacts what the inputs covered: the organization's DN, the
    /// partitions' and the routing groups' DNs, and the routing groups'
    /// names (their DN's redacted leaf). The inputs' names are redacted
    /// with the inputs (`redact_inputs`).
    pub fn redact_coverage(&self, coverage: &mut crate::analysis::coverage::Coverage) {
        coverage.organization_dn = coverage.organization_dn.as_ref().map(|dn| self.dn(dn));
        for partition in &mut coverage.partitions {
            *partition = self.dn(partition);
        }
        for rg in &mut coverage.routing_groups {
            rg.dn = self.dn(&rg.dn);
            rg.name = rg
                .dn
                .leaf()
                .and_then(|rdn| rdn.value_text())
                .unwrap_or(WITHHELD)
                .to_owned();
        }
    }

    /// The organization's pseudonym.
    pub fn organization(&self, organization: &OrganizationName) -> OrganizationName {
        OrganizationName {
            name: self.name(&organization.name),
            forest: self.domain(&organization.forest),
        }
    }
}

/// Redacts what a run read: paths become `input-N`, diagnostic messages are
/// withheld (they quote the files); sizes, counts and SHA-256 stay.
pub(crate) fn redact_inputs(inputs: &mut [InputInfo], unreadable: &mut [crate::input::Unreadable]) {
    for (i, input) in inputs.iter_mut().enumerate() {
        input.name = format!("input-{}", i + 1);
        for diagnostic in &mut input.diagnostics {
            redact_diagnostic(diagnostic, &input.name);
        }
    }
    for (i, unreadable) in unreadable.iter_mut().enumerate() {
        unreadable.path = format!("unreadable-{}", i + 1);
        unreadable.reason = WITHHELD.to_owned();
    }
}

/// Withholds a diagnostic's message and names its file `name`.
pub(crate) fn redact_diagnostic(diagnostic: &mut Located, name: &str) {
    diagnostic.file = name.to_owned();
    diagnostic.message = format!("{WITHHELD} (--redact)");
}

fn redact_binding(binding: &str) -> String {
    match binding.rsplit_once(':') {
        Some((_, port)) if port.chars().all(|c| c.is_ascii_digit()) => format!("(address):{port}"),
        _ => "(address)".to_owned(),
    }
}

/// Exchange's and Active Directory's own container names, kept as they are.
fn is_structural(value: &str) -> bool {
    const STRUCTURAL: [&str; 14] = [
        "Servers",
        "Connections",
        "Routing Groups",
        "Administrative Groups",
        "Microsoft Exchange",
        "Services",
        "Configuration",
        "Protocols",
        "SMTP",
        "SMTP Receive Connectors",
        "Sites",
        "Exchange Administrative Group (FYDIBOHF23SPDLT)",
        "Exchange Routing Group (DWBGZMFD01QNBJR)",
        "Deleted Objects",
    ];
    STRUCTURAL.iter().any(|s| s.eq_ignore_ascii_case(value))
        || value.chars().all(|c| c.is_ascii_digit())
}

/// Whether the part of an address space before its address is a type
/// (`SMTP`, `X400`), optionally scoped (`Local:SMTP`), and nothing else.
fn is_address_type(prefix: &str) -> bool {
    let kind = match prefix.split_once(':') {
        Some((local, kind)) if local.eq_ignore_ascii_case("Local") => kind,
        Some(_) => return false,
        None => prefix,
    };
    !kind.is_empty() && kind.len() <= 16 && kind.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The domain of an address space (`SMTP:contoso.com;1` → `contoso.com`).
fn address_domain(raw: &str) -> Option<String> {
    let head = raw.rsplit_once(';').map_or(raw, |(head, _)| head);
    let domain = head.rsplit_once(':').map_or(head, |(_, d)| d);
    let domain = domain.trim_start_matches("*.");
    (domain != "*" && !domain.is_empty() && domain != "--").then(|| domain.to_lowercase())
}

/// The domain of a host name (`ex01.contoso.com` → `contoso.com`).
fn domain_of_host(host: &str) -> Option<String> {
    let host = host.trim();
    if host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    host.split_once('.')
        .map(|(_, domain)| domain.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_keep_their_structure_and_lose_their_names() {
        let mut pseudonyms = Pseudonyms::default();
        pseudonyms.names.insert("ex01".into(), "SERVER-01".into());
        pseudonyms
            .names
            .insert("contoso".into(), "ORGANIZATION".into());
        pseudonyms
            .domains
            .insert("contoso.com".into(), "domain01.example".into());
        let dn = Dn::parse("CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,CN=Secret AG,CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=com").unwrap();
        assert_eq!(
            pseudonyms.dn(&dn).to_string(),
            "CN=1,CN=SMTP,CN=Protocols,CN=SERVER-01,CN=Servers,CN=(withheld),CN=Administrative Groups,\
             CN=ORGANIZATION,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=domain01,DC=example"
        );
        assert_eq!(
            pseudonyms.host("ex01.contoso.com"),
            "server-01.domain01.example"
        );
        assert_eq!(pseudonyms.host("[192.0.2.1]"), "(address)");
        let space = pseudonyms.address_space(&AddressSpace {
            raw: "SMTP:*.contoso.com;5".into(),
            scoped: false,
        });
        assert_eq!(space.raw, "SMTP:*.domain01.example;5");
        for hostile in [
            "SMTP:secret.example:25;1",
            "X400:c=US;p=Secret",
            "Secret:SMTP:a.example;1",
        ] {
            let space = pseudonyms.address_space(&AddressSpace {
                raw: hostile.into(),
                scoped: false,
            });
            assert_eq!(space.raw, "(withheld)", "{hostile}");
        }
    }

    #[test]
    fn a_redacted_dn_holds_no_real_value() {
        let pseudonyms = Pseudonyms::default();
        // An escaped comma in a DC= value.
        let dn = Dn::parse("CN=Secret,DC=a\\,b,DC=com").unwrap();
        let redacted = pseudonyms.dn(&dn).to_string();
        assert!(
            !redacted.contains("Secret") && !redacted.contains("a\\,b"),
            "{redacted}"
        );
        let dn = Dn::parse("CN=Secret,DC=contoso,DC=com").unwrap();
        assert!(!pseudonyms.dn(&dn).to_string().contains("Secret"));
        // Types stay, every value without a pseudonym goes: a multi-valued
        // RDN, a binary value, an OU, a forest of more labels than its
        // pseudonym.
        let dn = Dn::parse("CN=Secret+OU=Hidden,OU=Sales,CN=#04024142,DC=a,DC=b,DC=c").unwrap();
        assert_eq!(
            pseudonyms.dn(&dn).to_string(),
            "CN=(withheld)+OU=(withheld),OU=(withheld),CN=(withheld),DC=sub,DC=domain,DC=example"
        );
    }
}
