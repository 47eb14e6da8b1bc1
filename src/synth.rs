//! Synthetic exports with a known answer, for tests and benchmarks.
//!
//! [`generate`] writes an LDIF export of an imaginary organization and
//! returns the [`Answer`] a correct analysis must find. The export exercises
//! what real ones contain: source references spelled every way Active
//! Directory and tools spell them, servers missing from the export, Edge and
//! Exchange 2003 servers, deleted connectors, routing group connectors,
//! unresolvable references, and bulky objects the analysis must skip.
//! Everything is derived from the seed: the same spec gives the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// How lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// LF, no folding (`ldapsearch -o ldif-wrap=no`, scripts).
    Unwrapped,
    /// CRLF, `changetype: add`, lines folded at 80 columns with long values
    /// moved to the continuation line, as `ldifde` writes.
    Ldifde,
    /// LF, folded at 78 columns, as `ldapsearch` writes.
    Ldapsearch,
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Exchange servers referenced by connectors.
    pub servers: usize,
    /// Send connectors.
    pub connectors: usize,
    /// Keep adding bulky unrelated objects until the output reaches this size.
    pub target_bytes: u64,
    /// Seed of the pseudo-random choices.
    pub seed: u64,
    /// Line style.
    pub style: Style,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            servers: 12,
            connectors: 40,
            target_bytes: 0,
            seed: 1,
            style: Style::Unwrapped,
        }
    }
}

/// What a correct analysis of the generated export finds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// Server name → names of the live Send connectors it is a source of.
    pub sources: BTreeMap<String, BTreeSet<String>>,
    /// Servers whose object is in the export.
    pub in_export: BTreeSet<String>,
    /// Edge servers (exported).
    pub edge: BTreeSet<String>,
    /// Live Send connectors with no resolvable source.
    pub without_source: BTreeSet<String>,
    /// Live Send connectors.
    pub connectors: BTreeSet<String>,
    /// Deleted connectors written (must not count).
    pub deleted: usize,
    /// Records written.
    pub records: usize,
}

const ORG: &str =
    "CN=Fabrikam,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=fabrikam,DC=com";
const AG: &str = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups";
const LEGACY_AG: &str = "CN=First Administrative Group,CN=Administrative Groups";
const RG: &str = "CN=Exchange Routing Group (DWBGZMFD01QNBJR),CN=Routing Groups";

/// A small deterministic generator (xorshift64*), enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Clone)]
struct SynthServer {
    name: String,
    legacy: bool,
    edge: bool,
    exported: bool,
}

impl SynthServer {
    fn admin_group(&self) -> &'static str {
        if self.legacy {
            LEGACY_AG
        } else {
            AG
        }
    }

    fn dn(&self) -> String {
        format!("CN={},CN=Servers,{},{ORG}", self.name, self.admin_group())
    }

    fn vsi(&self) -> String {
        let instance = if self.legacy { 2 } else { 1 };
        format!("CN={instance},CN=SMTP,CN=Protocols,{}", self.dn())
    }

    /// The reference to this server, in one of the spellings seen in exports.
    fn reference(&self, variant: usize) -> String {
        match variant % 7 {
            0 => self.vsi(),
            1 => self.vsi().to_lowercase(),
            2 => self.dn(),
            3 => self.vsi().replace(',', " , "),
            4 => format!("<GUID=3f1e2d4c5b6a79880011223344556677>;{}", self.vsi()),
            5 => {
                let first = self.name.as_bytes()[0];
                self.vsi().replacen(
                    &format!("CN={}", self.name),
                    &format!("CN=\\{first:02X}{}", &self.name[1..]),
                    1,
                )
            }
            _ => self
                .vsi()
                .to_uppercase()
                .replace("DC=FABRIKAM", "DC=fabrikam"),
        }
    }
}

/// Counts what goes through.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

struct Writer<W> {
    out: Counting<W>,
    style: Style,
    records: usize,
}

impl<W: Write> Writer<W> {
    fn eol(&self) -> &'static [u8] {
        if self.style == Style::Ldifde {
            b"\r\n"
        } else {
            b"\n"
        }
    }

    fn width(&self) -> usize {
        match self.style {
            Style::Unwrapped => usize::MAX,
            Style::Ldifde => 80,
            Style::Ldapsearch => 78,
        }
    }

    fn line(&mut self, name: &str, value: &str) -> io::Result<()> {
        let plain = value.bytes().all(|b| (0x20..0x7F).contains(&b))
            && !value.starts_with([' ', ':', '<'])
            && !value.ends_with(' ');
        if plain {
            self.folded(name, ": ", value.as_bytes())
        } else {
            self.folded(name, ":: ", BASE64.encode(value).as_bytes())
        }
    }

    fn binary(&mut self, name: &str, value: &[u8]) -> io::Result<()> {
        self.folded(name, ":: ", BASE64.encode(value).as_bytes())
    }

    fn folded(&mut self, name: &str, separator: &str, value: &[u8]) -> io::Result<()> {
        let width = self.width();
        let eol = self.eol();
        let head = name.len() + separator.len();
        if head + value.len() <= width {
            self.out.write_all(name.as_bytes())?;
            self.out.write_all(separator.as_bytes())?;
            self.out.write_all(value)?;
            return self.out.write_all(eol);
        }
        self.out.write_all(name.as_bytes())?;
        self.out.write_all(separator.as_bytes())?;
        let mut rest = value;
        if self.style == Style::Ldapsearch {
            let first = (width - head).min(rest.len());
            self.out.write_all(&rest[..first])?;
            rest = &rest[first..];
        }
        // ldifde moves a long value to the continuation line.
        for chunk in rest.chunks(width - 1) {
            self.out.write_all(eol)?;
            self.out.write_all(b" ")?;
            self.out.write_all(chunk)?;
        }
        self.out.write_all(eol)
    }

    fn start(&mut self, dn: &str, classes: &[&str]) -> io::Result<()> {
        self.line("dn", dn)?;
        if self.style == Style::Ldifde {
            self.line("changetype", "add")?;
        }
        for class in classes {
            self.line("objectClass", class)?;
        }
        Ok(())
    }

    fn end(&mut self) -> io::Result<()> {
        self.records += 1;
        let eol = self.eol();
        self.out.write_all(eol)
    }
}

/// Writes the export described by `spec` and returns its answer.
pub fn generate(spec: &Spec, out: impl Write) -> io::Result<Answer> {
    let mut rng = Rng(spec.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut w = Writer {
        out: Counting {
            inner: out,
            written: 0,
        },
        style: spec.style,
        records: 0,
    };
    let mut answer = Answer::default();
    let servers: Vec<SynthServer> = (0..spec.servers)
        .map(|i| SynthServer {
            name: format!("EX{i:04}"),
            legacy: i % 13 == 5,
            edge: i % 11 == 3,
            exported: i % 7 != 6,
        })
        .collect();
    if spec.style == Style::Ldapsearch {
        w.out.write_all(b"# extended LDIF\n#\n# LDAPv3\n# base <CN=Configuration,DC=fabrikam,DC=com> with scope subtree\n\n")?;
    }
    for server in servers.iter().filter(|s| s.exported) {
        write_server(&mut w, server)?;
        answer.in_export.insert(server.name.clone());
        if server.edge {
            answer.edge.insert(server.name.clone());
        }
    }
    for index in 0..spec.connectors {
        write_connector(&mut w, &mut rng, &servers, index, &mut answer)?;
        if index % 23 == 11 && servers.len() > 1 {
            write_routing_group_connector(&mut w, &mut rng, &servers, index)?;
        }
    }
    let mut filler = 0;
    while w.out.written < spec.target_bytes {
        write_filler(&mut w, &mut rng, filler)?;
        filler += 1;
    }
    if spec.style == Style::Ldapsearch {
        w.out
            .write_all(b"# search result\nsearch: 2\nresult: 0 Success\n\n")?;
    }
    w.out.flush()?;
    answer.records = w.records;
    Ok(answer)
}

fn write_server<W: Write>(w: &mut Writer<W>, server: &SynthServer) -> io::Result<()> {
    w.start(&server.dn(), &["top", "server", "msExchExchangeServer"])?;
    w.line("cn", &server.name)?;
    let (serial, roles) = if server.legacy {
        ("Version 6.5 (Build 7638.2: Service Pack 2)", None)
    } else if server.edge {
        ("Version 15.1 (Build 32507.6)", Some("64"))
    } else {
        ("Version 15.2 (Build 31544.4)", Some("16439"))
    };
    w.line("serialNumber", serial)?;
    if let Some(roles) = roles {
        w.line("msExchCurrentServerRoles", roles)?;
    }
    w.line(
        "msExchServerSite",
        "CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=fabrikam,DC=com",
    )?;
    w.line(
        "networkAddress",
        &format!("ncacn_ip_tcp:{}.fabrikam.com", server.name.to_lowercase()),
    )?;
    let mut guid = [0xA5u8; 16];
    let name = server.name.as_bytes();
    guid[..name.len().min(16)].copy_from_slice(&name[..name.len().min(16)]);
    w.binary("objectGUID", &guid)?;
    w.end()?;
    w.start(
        &server.vsi(),
        &[
            "top",
            "protocolCfg",
            "protocolCfgSMTP",
            "protocolCfgSMTPServer",
        ],
    )?;
    w.end()
}

fn write_connector<W: Write>(
    w: &mut Writer<W>,
    rng: &mut Rng,
    servers: &[SynthServer],
    index: usize,
    answer: &mut Answer,
) -> io::Result<()> {
    let name = match index % 5 {
        0 => format!("Internet {index}"),
        1 => format!("Partner, Relay {index}"),
        2 => format!("Envoi vers l'Été {index}"),
        3 => format!("東京 送信 {index}"),
        _ => format!("Smart host #{index}"),
    };
    let deleted = index % 19 == 7;
    let escaped = name.replace(',', "\\,").replace('#', "\\#");
    let dn = if deleted {
        format!("CN={escaped}\\0ADEL:{index:08x}-0000-4000-8000-000000000000,CN=Deleted Objects,CN=Configuration,DC=fabrikam,DC=com")
    } else {
        format!("CN={escaped},CN=Connections,{RG},{AG},{ORG}")
    };
    w.start(
        &dn,
        &[
            "top",
            "msExchConnector",
            "mailGateway",
            "msExchRoutingSMTPConnector",
        ],
    )?;
    w.line("cn", &name)?;
    w.line(
        "routingList",
        if index % 3 == 0 {
            "SMTP:*;1"
        } else {
            "Local:SMTP:fabrikam.net;10"
        },
    )?;
    let source_count = if index % 17 == 9 || servers.is_empty() {
        0
    } else {
        1 + rng.below(3)
    };
    let mut chosen = BTreeSet::new();
    for _ in 0..source_count {
        let server = &servers[rng.below(servers.len())];
        let variant = rng.below(7);
        w.line(
            "msExchSourceBridgeheadServersDN",
            &server.reference(variant),
        )?;
        chosen.insert(server.name.clone());
    }
    if index % 17 == 9 {
        w.line(
            "msExchSourceBridgeheadServersDN",
            "CN=Retired Bridgehead,OU=Old,DC=fabrikam,DC=com",
        )?;
    }
    w.line(
        "msExchSmtpSendEnabled",
        if index % 4 == 2 { "FALSE" } else { "TRUE" },
    )?;
    if deleted {
        w.line("isDeleted", "TRUE")?;
        answer.deleted += 1;
    }
    w.end()?;
    if !deleted {
        answer.connectors.insert(name.clone());
        if chosen.is_empty() {
            answer.without_source.insert(name.clone());
        }
        for server in chosen {
            answer
                .sources
                .entry(server)
                .or_default()
                .insert(name.clone());
        }
    }
    Ok(())
}

fn write_routing_group_connector<W: Write>(
    w: &mut Writer<W>,
    rng: &mut Rng,
    servers: &[SynthServer],
    index: usize,
) -> io::Result<()> {
    let dn = format!("CN=RGC {index},CN=Connections,{RG},{AG},{ORG}");
    w.start(
        &dn,
        &["top", "msExchConnector", "msExchRoutingGroupConnector"],
    )?;
    w.line("cn", &format!("RGC {index}"))?;
    w.line(
        "msExchSourceBridgeheadServersDN",
        &servers[rng.below(servers.len())].vsi(),
    )?;
    w.line(
        "msExchTargetBridgeheadServersDN",
        &servers[rng.below(servers.len())].vsi(),
    )?;
    w.end()
}

/// A bulky object of no interest (a mailbox database with a security descriptor).
fn write_filler<W: Write>(w: &mut Writer<W>, rng: &mut Rng, index: usize) -> io::Result<()> {
    let dn = format!("CN=Mailbox Database {index:08},CN=Databases,{AG},{ORG}");
    w.start(&dn, &["top", "msExchMDB", "msExchPrivateMDB"])?;
    w.line("cn", &format!("Mailbox Database {index:08}"))?;
    w.line("distinguishedName", &dn)?;
    let descriptor: Vec<u8> = (0..600).map(|_| rng.next() as u8).collect();
    w.binary("nTSecurityDescriptor", &descriptor)?;
    w.line(
        "msExchEDBFile",
        &format!("D:\\Databases\\DB{index:08}\\DB{index:08}.edb"),
    )?;
    w.line("whenCreated", "20240101120000.0Z")?;
    w.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_spec_gives_the_same_bytes() {
        let spec = Spec::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        assert_eq!(
            generate(&spec, &mut a).unwrap(),
            generate(&spec, &mut b).unwrap()
        );
        assert_eq!(a, b);
    }

    #[test]
    fn target_size_is_reached() {
        let spec = Spec {
            target_bytes: 100_000,
            ..Spec::default()
        };
        let mut out = Vec::new();
        generate(&spec, &mut out).unwrap();
        assert!(out.len() >= 100_000);
    }

    #[test]
    fn every_reference_spelling_parses_to_the_same_server() {
        let server = SynthServer {
            name: "EX0001".into(),
            legacy: false,
            edge: false,
            exported: true,
        };
        let expected = crate::dn::Dn::parse(&server.dn()).unwrap().key();
        for variant in 0..7 {
            let dn = crate::dn::Dn::parse(&server.reference(variant)).unwrap();
            assert_eq!(
                dn.child_of("cn", "servers").unwrap().key(),
                expected,
                "variant {variant}"
            );
        }
    }
}
