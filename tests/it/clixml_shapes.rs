//! Every `Export-Clixml` shape a consultant receives from an Exchange
//! organization gives the answer the LDIF sample gives.
//!
//! The CLIXML documents are not fixtures: they are generated here, from
//! the sample organization as exconn's library reads it
//! (`fixtures/contoso.ldif` → `input::ldif::parse` → `model::build` →
//! `graph::Graph::build`), into a temporary directory, one directory per
//! shape, and `exconn sources --format json DIR` is run on each. They show
//! what `Get-ExchangeServer` and `Get-SendConnector` would print for that
//! organization: a source reference the graph could not resolve is left out
//! (the cmdlet shows only servers), a source server that is not exported
//! (GHOST01) appears only as a source, the deleted connector is not there,
//! and the Exchange 2003 SMTP connector is listed like the others.
//!
//! What every generated document has in common (PowerShell's serializer):
//! the root `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`;
//! `<Obj RefId="N">` per object, with `<TN RefId="M">` the first time a
//! type list is written and `<TNRef RefId="M" />` afterwards (TN and object
//! RefIds numbered apart, both from 0); a RefId taken when an object starts,
//! so a nested object's is higher than its parent's; `<ToString>`, `<Props>`
//! (adapted properties), `<MS>` (extended and note properties), `<S>`,
//! `<B>`, `<I32>`, `<G>`, `<Nil>`, collections as an `Obj` holding a `<LST>`,
//! `<Ref RefId="K" />` to an object written before (or still open); text
//! escaped for XML (`&`, `<`, `>`) and with PowerShell's `_xHHHH_` for
//! characters XML does not allow (and `_x005F_` for a `_` that would read
//! as such an escape). Files come with CRLF line ends; Windows PowerShell
//! 5.1 (the Exchange Management Shell) writes `Export-Clixml` in UTF-16LE
//! with a byte-order mark, PowerShell 7 in UTF-8 without one.
//!
//! | shape | what produced it | what the generator writes |
//! |---|---|---|
//! | A | EMS on a server: `Get-ExchangeServer`, `Get-SendConnector \| Export-Clixml` (ExchangeLogCollector's `Send_Connectors.xml` is the same) | `SmtpSendConnectorConfig` (full type chain down to `System.Object`) and `ExchangeServer` objects with `<ToString>` and `<Props>`: Name, DistinguishedName, Guid, Enabled, AddressSpaces (`AddressSpace` objects, ToString `SMTP:*;1`), SmartHosts (`SmartHost` objects), Port, Fqdn, IsScopedConnector, SourceIPAddress (one `IPAddress` object, a `<Ref>` to it in every later connector, as the shared `IPAddress.Any` is), ObjectClass (`MultiValuedProperty` of strings), SourceTransportServers (`ADMultiValuedProperty` of `ADObjectId` objects: ToString = server name, `<Props>` Name, DistinguishedName `CN=<server>,CN=Servers,…`, ObjectGuid, and DomainId = a `<Ref>` to the `ADObjectId` itself); servers with AdminDisplayVersion (`ServerVersion` object, ToString `Version 15.1 (Build 2507.6)` from the LDIF's `serialNumber`, the build less the 30000 Exchange 2007+ store), ServerRole (enum object, ToString `Mailbox, ClientAccess, …`, `Edge`, `None`), IsEdgeServer, Site (`ADObjectId`, DN `CN=<site>,CN=Sites,CN=Configuration,DC=contoso,DC=com`, ToString the canonical name), Fqdn, ObjectClass; UTF-16LE |
//! | B | remote session (`New-PSSession` to Exchange), same cmdlets | every type name prefixed `Deserialized.`; the endpoint's strings for Exchange values: SourceTransportServers items `<S>EX2016A</S>`, no `ADObjectId` anywhere, Site `contoso.com/Configuration/Sites/Paris`, AddressSpaces, SmartHosts, AdminDisplayVersion, ServerRole and SourceIPAddress as strings; UTF-16LE |
//! | C | remote session, `Get-SendConnector \| Select-Object Name,Enabled,AddressSpaces,SourceTransportServers,SmartHosts,Port,Fqdn` and `Get-ExchangeServer \| Select-Object Name,AdminDisplayVersion,ServerRole,Site,Fqdn,IsEdgeServer` | type `Selected.System.Management.Automation.PSCustomObject`, `Deserialized.System.Management.Automation.PSCustomObject`, `Deserialized.System.Object`; only the selected properties, in `<MS>`; no ToString, ObjectClass, DistinguishedName or Guid; values as in B; UTF-8 without BOM (PowerShell 7) |
//! | D | EMS on a server, the same `Select-Object`s | type `Selected.<the cmdlet's type>`, `System.Management.Automation.PSCustomObject`, `System.Object`; the selected properties in `<MS>`, values as in A (`ADObjectId` sources, objects for versions, roles, sites); UTF-16LE |
//! | E | Exchange HealthChecker 2025+, `HealthChecker-<Server>-<yyyyMMddHHmmss>.xml` (`Export-Clixml -Depth 2`) | one file per exported server that is not Edge, each with ONE top-level custom object whose `<MS>` hold `HealthCheckerExchangeServer` (types `HealthCheckerExchangeServer`, `System.Object`), `HtmlServerValues` and `DisplayResults`; `HealthCheckerExchangeServer` holds ServerName, OrganizationInformation (a `PSCustomObject` whose `GetSendConnector` is a list of EVERY Send connector of the organization as a full `Deserialized.…SmtpSendConnectorConfig` with `ADObjectId` sources) and ExchangeInformation (`GetExchangeServer` = that server's `Deserialized.…ExchangeServer`, `GetReceiveConnector` = an empty list). Depth 2 is enough: note properties and collection items cost no depth, and the self `<Ref>` of an `ADObjectId`'s DomainId is written before the depth check; UTF-16LE |
//! | F | an older HealthChecker (2022-03 to 2025-03) | the nesting of E, but `GetSendConnector` holds summaries: `PSCustomObject`s with Name, Enabled and AddressSpaces (strings), no SourceTransportServers: the files cannot show the sources, so `sources` exits 2 with `SendConnectorsNotInExport` first; UTF-16LE |
//!
//! Compared with the LDIF run: exit code 0, no stderr line containing
//! `error`, one JSON document, each server with its Send connectors (servers
//! with at least one), and the `ServerIsSourceForSendConnector` and
//! `EdgeServerIsSource` findings (server, count). Shape C must also show
//! the connectors with no ObjectClass to tell them (coverage shown), shape
//! E must merge the copies of its files into as many connectors as the LDIF
//! has.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

use exconn::analysis::graph::Graph;
use serde_json::Value;

use crate::support::{exconn, fixture, Run};

// ---------------------------------------------------------------------------
// The sample organization, as the cmdlets show it.

/// An Exchange server as `Get-ExchangeServer` shows it.
struct ServerOut {
    name: String,
    dn: String,
    guid: Option<String>,
    /// `AdminDisplayVersion`'s ToString.
    version: Option<String>,
    /// `msExchCurrentServerRoles`.
    roles: Option<u32>,
    /// The AD site's name.
    site: Option<String>,
    fqdn: Option<String>,
}

impl ServerOut {
    fn is_edge(&self) -> bool {
        self.roles.is_some_and(|roles| roles & 64 != 0)
    }
}

/// One value of `SourceTransportServers`.
struct SourceOut {
    name: String,
    dn: String,
    guid: Option<String>,
}

/// A Send connector as `Get-SendConnector` shows it.
struct ConnectorOut {
    name: String,
    dn: String,
    guid: Option<String>,
    enabled: bool,
    address_spaces: Vec<String>,
    scoped: bool,
    smart_hosts: Vec<String>,
    port: Option<u16>,
    fqdn: Option<String>,
    sources: Vec<SourceOut>,
}

/// The organization the cmdlets would print.
struct Org {
    /// The forest's DNS name (`contoso.com`).
    forest: String,
    /// Exported servers.
    servers: Vec<ServerOut>,
    connectors: Vec<ConnectorOut>,
}

impl Org {
    /// `DC=contoso,DC=com`.
    fn forest_dn(&self) -> String {
        self.forest
            .split('.')
            .map(|label| format!("DC={label}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn site_dn(&self, site: &str) -> String {
        format!("CN={site},CN=Sites,CN=Configuration,{}", self.forest_dn())
    }

    /// The canonical name an `ADObjectId` outside the Exchange container shows.
    fn site_canonical(&self, site: &str) -> String {
        format!("{}/Configuration/Sites/{site}", self.forest)
    }
}

/// The build as `AdminDisplayVersion` prints it, from the `serialNumber`
/// text: Exchange 2007 and later store the build with 30000 added
/// (`Version 15.1 (Build 32507.6)` prints as `Version 15.1 (Build 2507.6)`);
/// older builds and any `: <patch>` text are kept.
fn admin_display_version(serial: &str) -> String {
    let Some((head, build)) = serial.split_once("(Build ") else {
        return serial.to_owned();
    };
    let major: u32 = head
        .trim()
        .trim_start_matches("Version")
        .trim()
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let end = build
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(build.len());
    let (number, rest) = build.split_at(end);
    let number: u32 = number.parse().expect("a build number");
    let number = if major >= 8 && number >= 30000 {
        number - 30000
    } else {
        number
    };
    format!("{head}(Build {number}{rest}")
}

/// Reads the sample with the library and keeps what the cmdlets would show.
fn sample() -> Org {
    let bytes = std::fs::read(fixture("contoso.ldif")).unwrap();
    let records = exconn::input::ldif::parse(&bytes).records;
    let serials: HashMap<String, String> = records
        .iter()
        .filter_map(|r| {
            Some((
                r.first_text("cn")?.to_lowercase(),
                r.first_text("serialNumber")?.to_owned(),
            ))
        })
        .collect();
    let objects = exconn::model::build(records).0;
    let forest = objects
        .organization()
        .expect("the sample names its organization")
        .forest;
    let graph = Graph::build(&[objects]);
    let servers = graph
        .servers
        .iter()
        .filter_map(|node| node.object.as_ref())
        .map(|server| ServerOut {
            name: server.name.clone(),
            dn: server.dn.to_string(),
            guid: server.guid.map(|g| g.to_string()),
            version: serials
                .get(&server.name.to_lowercase())
                .map(|serial| admin_display_version(serial)),
            roles: server.roles.map(|roles| roles.0),
            site: server.site.clone(),
            fqdn: server.fqdn.clone(),
        })
        .collect();
    let connectors = graph
        .send_connectors
        .iter()
        .map(|node| {
            let c = &node.connector;
            ConnectorOut {
                name: c.name.clone(),
                dn: c.dn.to_string(),
                guid: c.guid.map(|g| g.to_string()),
                enabled: c.enabled,
                address_spaces: c.address_spaces.iter().map(|a| a.raw.clone()).collect(),
                scoped: c.address_spaces.first().is_some_and(|a| a.scoped),
                smart_hosts: c.smart_hosts.clone(),
                port: c.port,
                fqdn: c.fqdn.clone(),
                // Only what resolved: Get-SendConnector shows servers, and
                // an unresolvable value is no server.
                sources: node
                    .sources
                    .iter()
                    .map(|&i| {
                        let server = &graph.servers[i];
                        SourceOut {
                            name: server.name.clone(),
                            dn: server
                                .dn
                                .as_ref()
                                .expect("a source resolved from a DN has a DN")
                                .to_string(),
                            guid: server
                                .object
                                .as_ref()
                                .and_then(|o| o.guid.map(|g| g.to_string())),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    Org {
        forest,
        servers,
        connectors,
    }
}

// ---------------------------------------------------------------------------
// A minimal Export-Clixml writer.

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// Text for a CLIXML element or attribute: PowerShell's `_xHHHH_` for
/// characters XML does not allow (and for a `_` that would read as such an
/// escape), XML's entities for `&`, `<`, `>` and `"`.
fn escape(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '_' if matches!(chars.get(i + 1), Some('x' | 'X')) => out.push_str("_x005F_"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                write!(out, "_x{:04X}_", c as u32).unwrap();
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes one `Export-Clixml` document: object and type-list RefIds
/// numbered apart from 0, an object's RefId taken when it starts. Other
/// test modules write their cmdlet output with it too.
pub(crate) struct Clixml {
    out: String,
    depth: usize,
    next_object: usize,
    type_lists: HashMap<Vec<String>, usize>,
    /// Objects shared between properties (written once, then `<Ref>`ed).
    shared: HashMap<&'static str, usize>,
}

impl Clixml {
    pub(crate) fn new() -> Clixml {
        let mut w = Clixml {
            out: String::new(),
            depth: 0,
            next_object: 0,
            type_lists: HashMap::new(),
            shared: HashMap::new(),
        };
        w.line(
            "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">",
        );
        w.depth = 1;
        w
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push_str("\r\n");
    }

    fn name_attr(name: Option<&str>) -> String {
        name.map(|n| format!(" N=\"{}\"", escape(n)))
            .unwrap_or_default()
    }

    /// An `Obj`: its RefId (passed to `body`, for a `<Ref>` to itself),
    /// its type list or a `TNRef`, then what `body` writes.
    pub(crate) fn object(
        &mut self,
        name: Option<&str>,
        types: &[String],
        body: impl FnOnce(&mut Clixml, usize),
    ) {
        let id = self.next_object;
        self.next_object += 1;
        self.line(&format!("<Obj{} RefId=\"{id}\">", Self::name_attr(name)));
        self.depth += 1;
        match self.type_lists.get(types) {
            Some(tn) => {
                let tn = *tn;
                self.line(&format!("<TNRef RefId=\"{tn}\" />"));
            }
            None => {
                let tn = self.type_lists.len();
                self.type_lists.insert(types.to_vec(), tn);
                self.line(&format!("<TN RefId=\"{tn}\">"));
                self.depth += 1;
                for t in types {
                    self.line(&format!("<T>{}</T>", escape(t)));
                }
                self.depth -= 1;
                self.line("</TN>");
            }
        }
        body(self, id);
        self.depth -= 1;
        self.line("</Obj>");
    }

    /// A property set (`Props` or `MS`) or a list (`LST`).
    pub(crate) fn block(&mut self, tag: &str, body: impl FnOnce(&mut Clixml)) {
        self.line(&format!("<{tag}>"));
        self.depth += 1;
        body(self);
        self.depth -= 1;
        self.line(&format!("</{tag}>"));
    }

    /// A collection property: an `Obj` of `types` holding a `LST` of `count` items.
    pub(crate) fn list(
        &mut self,
        name: Option<&str>,
        types: &[String],
        count: usize,
        mut item: impl FnMut(&mut Clixml, usize),
    ) {
        self.object(name, types, |w, _| {
            if count == 0 {
                w.line("<LST />");
            } else {
                w.block("LST", |w| (0..count).for_each(|i| item(w, i)));
            }
        });
    }

    /// `<ToString>`: what the object shows as.
    fn shown_as(&mut self, text: &str) {
        self.line(&format!("<ToString>{}</ToString>", escape(text)));
    }

    pub(crate) fn string(&mut self, name: Option<&str>, text: &str) {
        self.line(&format!("<S{}>{}</S>", Self::name_attr(name), escape(text)));
    }

    fn string_or_nil(&mut self, name: &str, text: Option<&str>) {
        match text {
            Some(text) => self.string(Some(name), text),
            None => self.nil(name),
        }
    }

    fn boolean(&mut self, name: &str, value: bool) {
        self.line(&format!("<B N=\"{name}\">{value}</B>"));
    }

    fn int32(&mut self, name: Option<&str>, value: u32) {
        self.line(&format!("<I32{}>{value}</I32>", Self::name_attr(name)));
    }

    fn guid(&mut self, name: &str, guid: &str) {
        self.line(&format!("<G N=\"{name}\">{guid}</G>"));
    }

    fn nil(&mut self, name: &str) {
        self.line(&format!("<Nil N=\"{name}\" />"));
    }

    fn reference(&mut self, name: &str, id: usize) {
        self.line(&format!("<Ref N=\"{name}\" RefId=\"{id}\" />"));
    }

    pub(crate) fn finish(mut self) -> String {
        self.depth = 0;
        self.line("</Objs>");
        self.out
    }
}

/// UTF-16LE with a byte-order mark, as Windows PowerShell 5.1 writes it.
pub(crate) fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

// ---------------------------------------------------------------------------
// The shapes.

/// How one shape writes the cmdlet objects.
#[derive(Clone, Copy)]
struct Style {
    /// Received over remoting: every type name prefixed `Deserialized.`.
    deserialized: bool,
    /// The remote Exchange endpoint's strings for Exchange values
    /// (`ADObjectId`, `AddressSpace`, `ServerVersion`, …).
    remote_values: bool,
    /// `Select-Object` output: the selected properties in `<MS>`, no
    /// ToString, DistinguishedName, Guid or ObjectClass.
    selected: bool,
}

const SHAPE_A: Style = Style {
    deserialized: false,
    remote_values: false,
    selected: false,
};
const SHAPE_B: Style = Style {
    deserialized: true,
    remote_values: true,
    selected: false,
};
const SHAPE_C: Style = Style {
    deserialized: true,
    remote_values: true,
    selected: true,
};
const SHAPE_D: Style = Style {
    deserialized: false,
    remote_values: false,
    selected: true,
};
/// HealthChecker's connectors and servers: full objects, received from
/// the collection job (`Deserialized.`), `ADObjectId`s kept as objects.
const SHAPE_E: Style = Style {
    deserialized: true,
    remote_values: false,
    selected: false,
};

const SEND_CONNECTOR_TYPES: [&str; 9] = [
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig",
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.MailGateway",
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.SendConnector",
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.ADLegacyVersionableObject",
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.ADConfigurationObject",
    "Microsoft.Exchange.Data.Directory.ADObject",
    "Microsoft.Exchange.Data.Directory.ADRawEntry",
    "Microsoft.Exchange.Data.ConfigurableObject",
    "System.Object",
];
const EXCHANGE_SERVER_TYPES: [&str; 6] = [
    "Microsoft.Exchange.Data.Directory.Management.ExchangeServer",
    "Microsoft.Exchange.Data.Directory.Management.ADPresentationObject",
    "Microsoft.Exchange.Data.Directory.ADObject",
    "Microsoft.Exchange.Data.Directory.ADRawEntry",
    "Microsoft.Exchange.Data.ConfigurableObject",
    "System.Object",
];
const AD_OBJECT_ID_TYPES: [&str; 3] = [
    "Microsoft.Exchange.Data.Directory.ADObjectId",
    "Microsoft.Exchange.Data.ObjectId",
    "System.Object",
];
const STRING_MVP: &str = "Microsoft.Exchange.Data.MultiValuedProperty`1[[System.String, mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089]]";
const ADDRESS_SPACE_MVP: &str = "Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.AddressSpace, Microsoft.Exchange.Data, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]";
const SMART_HOST_MVP: &str = "Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.SmartHost, Microsoft.Exchange.Data, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]";
const AD_OBJECT_ID_AD_MVP: &str = "Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[[Microsoft.Exchange.Data.Directory.ADObjectId, Microsoft.Exchange.Data.Directory, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]";
const AD_OBJECT_ID_MVP: &str = "Microsoft.Exchange.Data.MultiValuedProperty`1[[Microsoft.Exchange.Data.Directory.ADObjectId, Microsoft.Exchange.Data.Directory, Version=15.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]";
const MVP_BASE: &str = "Microsoft.Exchange.Data.MultiValuedPropertyBase";
const PS_CUSTOM_OBJECT: &str = "System.Management.Automation.PSCustomObject";

impl Style {
    /// A type list as this shape writes it.
    fn types(self, types: &[&str]) -> Vec<String> {
        types
            .iter()
            .map(|t| {
                if self.deserialized {
                    format!("Deserialized.{t}")
                } else {
                    (*t).to_owned()
                }
            })
            .collect()
    }

    /// The type list of `Select-Object` output for objects of `types`.
    fn selected_types(self, types: &[&str]) -> Vec<String> {
        if self.deserialized {
            // From a remote session the Exchange type chain is lost.
            vec![
                format!("Selected.{PS_CUSTOM_OBJECT}"),
                format!("Deserialized.{PS_CUSTOM_OBJECT}"),
                "Deserialized.System.Object".to_owned(),
            ]
        } else {
            vec![
                format!("Selected.{}", types[0]),
                PS_CUSTOM_OBJECT.to_owned(),
                "System.Object".to_owned(),
            ]
        }
    }

    fn property_set(self) -> &'static str {
        if self.selected {
            "MS"
        } else {
            "Props"
        }
    }

    /// An `ADObjectId`: ToString, then Name, DistinguishedName, ObjectGuid
    /// and a DomainId that refers to the object itself.
    fn ad_object_id(
        self,
        w: &mut Clixml,
        name: Option<&str>,
        shown: &str,
        leaf: &str,
        dn: &str,
        guid: Option<&str>,
    ) {
        w.object(name, &self.types(&AD_OBJECT_ID_TYPES), |w, own| {
            w.shown_as(shown);
            w.block("Props", |w| {
                w.string(Some("Name"), leaf);
                w.string(Some("DistinguishedName"), dn);
                w.guid("ObjectGuid", guid.unwrap_or(ZERO_GUID));
                w.reference("DomainId", own);
            });
        });
    }

    /// A multi-valued property of strings.
    fn strings(self, w: &mut Clixml, name: &str, items: &[String]) {
        w.list(
            Some(name),
            &self.types(&[STRING_MVP, MVP_BASE, "System.Object"]),
            items.len(),
            |w, i| w.string(None, &items[i]),
        );
    }

    /// A multi-valued property of Exchange values (objects with a
    /// ToString and `props`), or of their strings from a remote session.
    fn values(
        self,
        w: &mut Clixml,
        name: &str,
        mvp: &str,
        item_type: &str,
        items: &[String],
        props: impl Fn(&mut Clixml, &str),
    ) {
        w.list(
            Some(name),
            &self.types(&[mvp, MVP_BASE, "System.Object"]),
            items.len(),
            |w, i| {
                if self.remote_values {
                    w.string(None, &items[i]);
                } else {
                    w.object(None, &self.types(&[item_type, "System.Object"]), |w, _| {
                        w.shown_as(&items[i]);
                        w.block("Props", |w| props(w, &items[i]));
                    });
                }
            },
        );
    }

    fn send_connector(self, w: &mut Clixml, c: &ConnectorOut) {
        let types = if self.selected {
            self.selected_types(&SEND_CONNECTOR_TYPES)
        } else {
            self.types(&SEND_CONNECTOR_TYPES)
        };
        w.object(None, &types, |w, _| {
            if !self.selected {
                w.shown_as(&c.name);
            }
            w.block(self.property_set(), |w| {
                w.string(Some("Name"), &c.name);
                if !self.selected {
                    w.string(Some("DistinguishedName"), &c.dn);
                    w.guid("Guid", c.guid.as_deref().unwrap_or(ZERO_GUID));
                }
                w.boolean("Enabled", c.enabled);
                self.values(
                    w,
                    "AddressSpaces",
                    ADDRESS_SPACE_MVP,
                    "Microsoft.Exchange.Data.AddressSpace",
                    &c.address_spaces,
                    |w, raw| {
                        let unscoped = raw
                            .strip_prefix("Local:")
                            .or_else(|| raw.strip_prefix("local:"))
                            .unwrap_or(raw);
                        let (kind, rest) = unscoped.split_once(':').unwrap_or(("SMTP", unscoped));
                        let (address, cost) = rest.rsplit_once(';').unwrap_or((rest, "1"));
                        w.string(Some("Address"), address);
                        w.string(Some("Type"), kind);
                        w.int32(Some("Cost"), cost.parse().unwrap_or(1));
                    },
                );
                self.source_transport_servers(w, &c.sources);
                self.values(
                    w,
                    "SmartHosts",
                    SMART_HOST_MVP,
                    "Microsoft.Exchange.Data.SmartHost",
                    &c.smart_hosts,
                    |w, host| {
                        let ip = host.starts_with('[');
                        w.boolean("IsIPAddress", ip);
                        w.string(Some("Domain"), if ip { "" } else { host });
                    },
                );
                match c.port {
                    Some(port) => w.int32(Some("Port"), u32::from(port)),
                    None => w.nil("Port"),
                }
                w.string_or_nil("Fqdn", c.fqdn.as_deref());
                if !self.selected {
                    w.boolean("IsScopedConnector", c.scoped);
                    self.source_ip_address(w);
                    let classes = [
                        "top",
                        "msExchConnector",
                        "mailGateway",
                        "msExchRoutingSMTPConnector",
                    ];
                    self.strings(w, "ObjectClass", &classes.map(str::to_owned));
                }
            });
        });
    }

    fn source_transport_servers(self, w: &mut Clixml, sources: &[SourceOut]) {
        w.list(
            Some("SourceTransportServers"),
            &self.types(&[
                AD_OBJECT_ID_AD_MVP,
                AD_OBJECT_ID_MVP,
                MVP_BASE,
                "System.Object",
            ]),
            sources.len(),
            |w, i| {
                let source = &sources[i];
                if self.remote_values {
                    w.string(None, &source.name);
                } else {
                    self.ad_object_id(
                        w,
                        None,
                        &source.name,
                        &source.name,
                        &source.dn,
                        source.guid.as_deref(),
                    );
                }
            },
        );
    }

    /// `SourceIPAddress`: `IPAddress.Any`, one shared object that the
    /// serializer writes once and refers to afterwards.
    fn source_ip_address(self, w: &mut Clixml) {
        if self.remote_values {
            w.string(Some("SourceIPAddress"), "0.0.0.0");
        } else if let Some(&id) = w.shared.get("SourceIPAddress") {
            w.reference("SourceIPAddress", id);
        } else {
            w.object(
                Some("SourceIPAddress"),
                &self.types(&["System.Net.IPAddress", "System.Object"]),
                |w, id| {
                    w.shared.insert("SourceIPAddress", id);
                    w.shown_as("0.0.0.0");
                    w.block("Props", |w| w.string(Some("AddressFamily"), "InterNetwork"));
                },
            );
        }
    }

    fn exchange_server(self, w: &mut Clixml, org: &Org, s: &ServerOut, name: Option<&str>) {
        let types = if self.selected {
            self.selected_types(&EXCHANGE_SERVER_TYPES)
        } else {
            self.types(&EXCHANGE_SERVER_TYPES)
        };
        w.object(name, &types, |w, _| {
            if !self.selected {
                w.shown_as(&s.name);
            }
            w.block(self.property_set(), |w| {
                w.string(Some("Name"), &s.name);
                if !self.selected {
                    w.string(Some("DistinguishedName"), &s.dn);
                    w.guid("Guid", s.guid.as_deref().unwrap_or(ZERO_GUID));
                }
                match (&s.version, self.remote_values) {
                    (None, _) => w.nil("AdminDisplayVersion"),
                    (Some(version), true) => w.string(Some("AdminDisplayVersion"), version),
                    (Some(version), false) => w.object(
                        Some("AdminDisplayVersion"),
                        &self.types(&["Microsoft.Exchange.Data.ServerVersion", "System.Object"]),
                        |w, _| w.shown_as(version),
                    ),
                }
                let (role_text, role_value) = server_role(s.roles);
                if self.remote_values {
                    w.string(Some("ServerRole"), &role_text);
                } else {
                    w.object(
                        Some("ServerRole"),
                        &self.types(&[
                            "Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole",
                            "System.Enum",
                            "System.ValueType",
                            "System.Object",
                        ]),
                        |w, _| {
                            w.shown_as(&role_text);
                            w.int32(None, role_value);
                        },
                    );
                }
                w.boolean("IsEdgeServer", s.is_edge());
                match (&s.site, self.remote_values) {
                    (None, _) => w.nil("Site"),
                    (Some(site), true) => w.string(Some("Site"), &org.site_canonical(site)),
                    (Some(site), false) => self.ad_object_id(
                        w,
                        Some("Site"),
                        &org.site_canonical(site),
                        site,
                        &org.site_dn(site),
                        None,
                    ),
                }
                w.string_or_nil("Fqdn", s.fqdn.as_deref());
                if !self.selected {
                    let classes = ["top", "server", "msExchExchangeServer"];
                    self.strings(w, "ObjectClass", &classes.map(str::to_owned));
                }
            });
        });
    }

    /// `Get-SendConnector | Export-Clixml` (possibly through `Select-Object`).
    fn connectors_file(self, org: &Org) -> String {
        let mut w = Clixml::new();
        for c in &org.connectors {
            self.send_connector(&mut w, c);
        }
        w.finish()
    }

    /// `Get-ExchangeServer | Export-Clixml` (possibly through `Select-Object`).
    fn servers_file(self, org: &Org) -> String {
        let mut w = Clixml::new();
        for s in &org.servers {
            self.exchange_server(&mut w, org, s, None);
        }
        w.finish()
    }
}

/// `ServerRole` as the enum prints it (flag names joined by `, `), and its value.
fn server_role(roles: Option<u32>) -> (String, u32) {
    const FLAGS: [(u32, &str); 6] = [
        (2, "Mailbox"),
        (4, "ClientAccess"),
        (16, "UnifiedMessaging"),
        (32, "HubTransport"),
        (64, "Edge"),
        (16384, "FrontendTransport"),
    ];
    let bits = roles.unwrap_or(0);
    let set: Vec<(u32, &str)> = FLAGS.into_iter().filter(|(b, _)| bits & b != 0).collect();
    if set.is_empty() {
        return ("None".to_owned(), 0);
    }
    let names: Vec<&str> = set.iter().map(|(_, n)| *n).collect();
    (names.join(", "), set.iter().map(|(b, _)| b).sum())
}

/// How HealthChecker holds the Send connectors.
#[derive(Clone, Copy, PartialEq)]
enum HealthChecker {
    /// 2025 and later: full `Get-SendConnector` objects.
    Full,
    /// 2022-03 to 2025-03: summaries without sources.
    Summaries,
}

/// One `HealthChecker-<Server>-<yyyyMMddHHmmss>.xml`.
fn health_checker_file(org: &Org, server: &ServerOut, kind: HealthChecker) -> String {
    let style = SHAPE_E;
    let custom = [PS_CUSTOM_OBJECT.to_owned(), "System.Object".to_owned()];
    let array = ["System.Object[]", "System.Array", "System.Object"].map(str::to_owned);
    let mut w = Clixml::new();
    let top = [
        "HealthCheckerExchangeServer".to_owned(),
        "System.Object".to_owned(),
    ];
    // The file's one top-level object is a custom object holding the
    // server's data, the HTML values and the display results
    // (exchange-model.md §8); the connectors sit three objects deep.
    w.object(None, &custom, |w, _| {
        w.block("MS", |w| {
            w.object(Some("HealthCheckerExchangeServer"), &top, |w, _| {
                w.block("MS", |w| {
                    w.string(Some("ServerName"), &server.name);
                    w.object(Some("OrganizationInformation"), &custom, |w, _| {
                        w.block("MS", |w| {
                            w.list(
                                Some("GetSendConnector"),
                                &array,
                                org.connectors.len(),
                                |w, i| {
                                    let c = &org.connectors[i];
                                    match kind {
                                        HealthChecker::Full => style.send_connector(w, c),
                                        HealthChecker::Summaries => {
                                            w.object(None, &custom, |w, _| {
                                                w.block("MS", |w| {
                                                    w.string(Some("Name"), &c.name);
                                                    w.boolean("Enabled", c.enabled);
                                                    w.list(
                                                        Some("AddressSpaces"),
                                                        &array,
                                                        c.address_spaces.len(),
                                                        |w, j| w.string(None, &c.address_spaces[j]),
                                                    );
                                                });
                                            })
                                        }
                                    }
                                },
                            );
                        });
                    });
                    w.object(Some("ExchangeInformation"), &custom, |w, _| {
                        w.block("MS", |w| {
                            style.exchange_server(w, org, server, Some("GetExchangeServer"));
                            w.list(Some("GetReceiveConnector"), &array, 0, |_, _| {});
                        });
                    });
                });
            });
            w.list(Some("HtmlServerValues"), &array, 0, |_, _| {});
            w.list(Some("DisplayResults"), &array, 0, |_, _| {});
        });
    });
    w.finish()
}

/// Writes the files of one shape into `dir/<shape>` and returns that directory.
fn write_shape(dir: &Path, shape: &str, files: &[(String, Vec<u8>)]) -> String {
    let path = dir.join(shape);
    std::fs::create_dir(&path).unwrap();
    for (name, bytes) in files {
        std::fs::write(path.join(name), bytes).unwrap();
    }
    path.to_string_lossy().into_owned()
}

/// The HealthChecker files of every exported server that is not Edge.
fn health_checker_files(org: &Org, kind: HealthChecker) -> Vec<(String, Vec<u8>)> {
    org.servers
        .iter()
        .filter(|s| !s.is_edge())
        .enumerate()
        .map(|(i, s)| {
            (
                format!("HealthChecker-{}-202512010930{i:02}.xml", s.name),
                utf16le(&health_checker_file(org, s, kind)),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Running exconn and comparing answers.

/// `exconn sources --format json PATH`: the run and its one JSON document.
fn sources(path: &str) -> (Run, Value) {
    let run = exconn(&["sources", "--format", "json", path]);
    let documents: Vec<Value> = serde_json::Deserializer::from_str(&run.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{path}: stdout is not JSON ({e}): {}", run.stdout));
    assert_eq!(
        documents.len(),
        1,
        "{path}: one organization, one report; stderr: {}",
        run.stderr
    );
    let document = documents.into_iter().next().unwrap();
    (run, document)
}

/// A run that must succeed: exit 0 and no diagnostic on stderr.
fn sources_ok(path: &str) -> Value {
    let (run, document) = sources(path);
    assert_eq!(run.code, 0, "{path}: exit code; stderr:\n{}", run.stderr);
    let errors: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| {
            let line = line.to_lowercase();
            line.contains("error") || line.contains("warning")
        })
        .collect();
    // Valid output of the cmdlets is read without a diagnostic, so that
    // `--strict` accepts it too.
    assert!(
        errors.is_empty(),
        "{path}: diagnostics on stderr: {errors:#?}"
    );
    document
}

/// What must agree between the LDIF and each shape.
#[derive(Debug, PartialEq)]
struct Answer {
    /// (server, its Send connectors sorted), for servers with at least one.
    sources: Vec<(String, Vec<String>)>,
    /// server → (code, count) of `ServerIsSourceForSendConnector` and
    /// `EdgeServerIsSource`.
    blockers: BTreeMap<String, (String, u64)>,
}

fn answer(report: &Value) -> Answer {
    let mut sources: Vec<(String, Vec<String>)> = report["servers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            let mut connectors: Vec<String> = s["send_connectors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            connectors.sort();
            (!connectors.is_empty()).then(|| (s["name"].as_str().unwrap().to_owned(), connectors))
        })
        .collect();
    sources.sort();
    let mut blockers = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let code = f["code"].as_str().unwrap();
        if code == "ServerIsSourceForSendConnector" || code == "EdgeServerIsSource" {
            let server = f["server"].as_str().unwrap().to_owned();
            let count = f["count"].as_u64().unwrap();
            let previous = blockers.insert(server.clone(), (code.to_owned(), count));
            assert!(
                previous.is_none(),
                "two blocker findings for {server}: {previous:?} and {code}"
            );
        }
    }
    Answer { sources, blockers }
}

fn reference() -> (Value, Answer) {
    let report = sources_ok(&fixture("contoso.ldif"));
    let expected = answer(&report);
    // The comparison is worth something only if the sample has its sources.
    assert_eq!(expected.sources.len(), 6, "{expected:#?}");
    assert_eq!(
        expected.blockers.get("EDGE01"),
        Some(&("EdgeServerIsSource".to_owned(), 2))
    );
    (report, expected)
}

fn send_connector_count(report: &Value) -> usize {
    report["send_connectors"].as_array().unwrap().len()
}

/// The generated documents carry the marks of their shape, so that a
/// passing comparison is about that shape.
fn assert_marks(shape: &str, text: &str, present: &[&str], absent: &[&str]) {
    assert!(text.starts_with(
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">"
    ));
    for mark in present {
        assert!(text.contains(mark), "shape {shape} must contain {mark}");
    }
    for mark in absent {
        assert!(
            !text.contains(mark),
            "shape {shape} must not contain {mark}"
        );
    }
}

/// Generates one shape of two files (servers, connectors), checks that it
/// has `present` and not `absent`, and compares its answer with the LDIF's.
fn check_two_files(
    shape: &str,
    style: Style,
    utf16: bool,
    present: &[&str],
    absent: &[&str],
) -> Value {
    let org = sample();
    let servers = style.servers_file(&org);
    let connectors = style.connectors_file(&org);
    assert_marks(shape, &(servers.clone() + &connectors), present, absent);
    let encode = |text: String| {
        if utf16 {
            utf16le(&text)
        } else {
            text.into_bytes()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let path = write_shape(
        dir.path(),
        shape,
        &[
            ("ExchangeServer.xml".to_owned(), encode(servers)),
            ("Send_Connectors.xml".to_owned(), encode(connectors)),
        ],
    );
    let (_, expected) = reference();
    let report = sources_ok(&path);
    assert_eq!(answer(&report), expected, "shape {shape}: {path}");
    report
}

const AD_OBJECT_ID: &str = "<T>Microsoft.Exchange.Data.Directory.ADObjectId</T>";
const DESERIALIZED_AD_OBJECT_ID: &str =
    "<T>Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId</T>";
const SELF_REFERENCE: &str = "<Ref N=\"DomainId\"";

#[test]
fn shape_a_ems_get_send_connector() {
    check_two_files(
        "A",
        SHAPE_A,
        true,
        &[
            AD_OBJECT_ID,
            SELF_REFERENCE,
            "<Ref N=\"SourceIPAddress\"",
            "<ToString>SMTP:*;1</ToString>",
            "<ToString>Version 15.1 (Build 2507.6)</ToString>",
            "<S>msExchRoutingSMTPConnector</S>",
            "<TNRef RefId=",
        ],
        &["Deserialized.", "<MS>"],
    );
}

#[test]
fn shape_b_remote_session() {
    let report = check_two_files(
        "B",
        SHAPE_B,
        true,
        &[
            "<T>Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig</T>",
            "<S>EX2016A</S>",
            "<S N=\"Site\">contoso.com/Configuration/Sites/Paris</S>",
            "<S>msExchRoutingSMTPConnector</S>",
        ],
        &[AD_OBJECT_ID, DESERIALIZED_AD_OBJECT_ID, "<T>Microsoft.", "<T>System."],
    );
    assert_eq!(
        report["coverage"]["send_connectors_shown"],
        Value::Bool(true)
    );
}

#[test]
fn shape_c_remote_select_object() {
    let report = check_two_files(
        "C",
        SHAPE_C,
        false,
        &[
            "<T>Selected.System.Management.Automation.PSCustomObject</T>",
            "<T>Deserialized.System.Management.Automation.PSCustomObject</T>",
            "<S>EX2016A</S>",
        ],
        &[
            "ObjectClass",
            "DistinguishedName",
            "N=\"Guid\"",
            "<ToString>",
            "<Props>",
            "ADObjectId</T>",
            "SmtpSendConnectorConfig",
        ],
    );
    // Nothing names the class of these objects: the properties must.
    assert_eq!(
        report["coverage"]["send_connectors_shown"],
        Value::Bool(true),
        "{}",
        report["coverage"]
    );
    let (ldif, _) = reference();
    assert_eq!(send_connector_count(&report), send_connector_count(&ldif));
}

#[test]
fn shape_d_ems_select_object() {
    check_two_files(
        "D",
        SHAPE_D,
        true,
        &[
            "<T>Selected.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig</T>",
            "<T>Selected.Microsoft.Exchange.Data.Directory.Management.ExchangeServer</T>",
            AD_OBJECT_ID,
            SELF_REFERENCE,
        ],
        &["ObjectClass", "N=\"Guid\"", "Deserialized."],
    );
}

#[test]
fn shape_e_health_checker_files_merge() {
    let org = sample();
    let dir = tempfile::tempdir().unwrap();
    let one = org.servers.iter().find(|s| !s.is_edge()).unwrap();
    let text = health_checker_file(&org, one, HealthChecker::Full);
    assert_marks(
        "E",
        &text,
        &[
            "<T>HealthCheckerExchangeServer</T>",
            "N=\"OrganizationInformation\"",
            "N=\"GetSendConnector\"",
            "N=\"ExchangeInformation\"",
            "N=\"GetExchangeServer\"",
            "N=\"GetReceiveConnector\"",
            "<T>Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig</T>",
            DESERIALIZED_AD_OBJECT_ID,
            SELF_REFERENCE,
        ],
        &[],
    );
    let top_level = text.lines().filter(|l| l.starts_with("  <Obj ")).count();
    assert_eq!(top_level, 1, "one top-level object per file");
    let files = health_checker_files(&org, HealthChecker::Full);
    assert!(files.len() > 1, "several files repeat the organization");
    let path = write_shape(dir.path(), "E", &files);
    let (ldif, mut expected) = reference();
    let report = sources_ok(&path);
    // HealthChecker runs on the servers it reports on, never on the Edge
    // server here: EDGE01 is known only as a source of the EdgeSync
    // connectors (an ADObjectId), so nothing in the files says it is an
    // Edge server, and Setup's source check is what can be reported.
    let edge: Vec<&ServerOut> = org.servers.iter().filter(|s| s.is_edge()).collect();
    for server in edge {
        let (code, count) = expected.blockers[&server.name].clone();
        assert_eq!(code, "EdgeServerIsSource");
        expected.blockers.insert(
            server.name.clone(),
            ("ServerIsSourceForSendConnector".to_owned(), count),
        );
    }
    assert_eq!(answer(&report), expected, "shape E: {path}");
    assert_eq!(
        send_connector_count(&report),
        send_connector_count(&ldif),
        "one connector per GUID, however many files repeat it"
    );
    assert_eq!(
        report["summary"]["send_connectors"],
        ldif["summary"]["send_connectors"]
    );
}

#[test]
fn shape_f_older_health_checker_cannot_show_sources() {
    let org = sample();
    let dir = tempfile::tempdir().unwrap();
    let one = org.servers.iter().find(|s| !s.is_edge()).unwrap();
    assert_marks(
        "F",
        &health_checker_file(&org, one, HealthChecker::Summaries),
        &[
            "N=\"GetSendConnector\"",
            "<S>SMTP:*;1</S>",
            "<S N=\"Name\">Internet</S>",
        ],
        &["SourceTransportServers", "DistinguishedName\">CN=Internet"],
    );
    let path = write_shape(
        dir.path(),
        "F",
        &health_checker_files(&org, HealthChecker::Summaries),
    );
    let (run, report) = sources(&path);
    assert_eq!(run.code, 2, "{path}: stderr:\n{}", run.stderr);
    assert_eq!(
        report["findings"][0]["code"], "SendConnectorsNotInExport",
        "{}",
        report["findings"]
    );
    assert_eq!(
        report["coverage"]["send_connectors_shown"],
        Value::Bool(false)
    );
}

#[test]
fn the_writer_escapes_as_powershell_does() {
    assert_eq!(escape("a&b<c>"), "a&amp;b&lt;c&gt;");
    assert_eq!(escape("line\r\nnext\u{1}"), "line_x000D__x000A_next_x0001_");
    assert_eq!(escape("_x0020_ and _y"), "_x005F_x0020_ and _y");
    assert_eq!(escape("Envoi vers l'Été"), "Envoi vers l'Été");
    assert_eq!(
        admin_display_version("Version 15.1 (Build 32507.6)"),
        "Version 15.1 (Build 2507.6)"
    );
    assert_eq!(
        admin_display_version("Version 6.5 (Build 7638.2: Service Pack 2)"),
        "Version 6.5 (Build 7638.2: Service Pack 2)"
    );
    // RefIds: objects and type lists apart, a nested object after its parent.
    let mut w = Clixml::new();
    SHAPE_A.ad_object_id(
        &mut w,
        None,
        "EX01",
        "EX01",
        "CN=EX01,CN=Servers,DC=x",
        None,
    );
    SHAPE_A.ad_object_id(
        &mut w,
        None,
        "EX02",
        "EX02",
        "CN=EX02,CN=Servers,DC=x",
        None,
    );
    let text = w.finish();
    assert!(
        text.contains("<Obj RefId=\"1\">\r\n    <TNRef RefId=\"0\" />"),
        "{text}"
    );
    assert!(
        text.contains("<Ref N=\"DomainId\" RefId=\"1\" />"),
        "{text}"
    );
}
