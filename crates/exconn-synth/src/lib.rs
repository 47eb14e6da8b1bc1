//! Synthetic exports with a known answer, for exconn's tests, benchmarks and
//! the `gen_export` example. A workspace member that is never published: the
//! generator is not part of the shipped `exconn` library.
//!
//! [`generate`] writes an LDIF export of an imaginary organization and
//! returns the [`Answer`] a correct analysis must find. The export exercises
//! what real ones contain: source references spelled every way Active
//! Directory and tools spell them, servers missing from the export, Edge and
//! Exchange 2003 servers, deleted connectors, routing group connectors,
//! unresolvable references, and bulky objects the analysis must skip.
//! Everything is derived from the seed: the same spec gives the same bytes.
//! [`XmlWriter`] writes the same records as DSML or CLIXML, [`csvde`] as
//! `csvde` writes them, [`cmdlet`] cmdlet objects as `ConvertTo-Json` and
//! `Export-Csv` write them, [`Utf16Writer`] as UTF-16, and [`snapshot`] as
//! a Sysinternals AD Explorer snapshot.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod cmdlet;
pub mod csvde;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// How lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// LF, no folding (`ldapsearch -o ldif-wrap=no`, scripts).
    Unwrapped,
    /// CRLF and `changetype: add` as `ldifde` writes them, but no folding
    /// (what scripts that post-process `ldifde` output produce).
    UnwrappedCrlf,
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
        if matches!(self.style, Style::Ldifde | Style::UnwrappedCrlf) {
            b"\r\n"
        } else {
            b"\n"
        }
    }

    fn width(&self) -> usize {
        match self.style {
            Style::Unwrapped | Style::UnwrappedCrlf => usize::MAX,
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
        if matches!(self.style, Style::Ldifde | Style::UnwrappedCrlf) {
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

/// The XML formats the generator can write the same export in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XmlFormat {
    /// DSML v2 `batchResponse`.
    Dsml,
    /// CLIXML of `Get-ADObject` (AD module objects).
    Clixml,
}

/// Writes records as DSML v2 or CLIXML, batch by batch, so that an export
/// of any size can be converted in bounded memory.
pub struct XmlWriter<W: Write> {
    out: W,
    format: XmlFormat,
    ref_id: u64,
}

impl<W: Write> XmlWriter<W> {
    /// Starts the document.
    pub fn new(mut out: W, format: XmlFormat) -> io::Result<Self> {
        match format {
            XmlFormat::Dsml => out.write_all(
                b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<batchResponse xmlns=\"urn:oasis:names:tc:DSML:2:0:core\" \
                  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\r\n<searchResponse>\r\n",
            )?,
            XmlFormat::Clixml => {
                out.write_all(b"<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\r\n")?
            }
        }
        Ok(XmlWriter {
            out,
            format,
            ref_id: 0,
        })
    }

    /// Writes one batch of entries (change records are left out).
    pub fn records(&mut self, records: &[exconn::record::Record]) -> io::Result<()> {
        for record in records {
            match self.format {
                XmlFormat::Dsml => self.dsml_entry(record)?,
                XmlFormat::Clixml => self.clixml_object(record)?,
            }
        }
        Ok(())
    }

    fn dsml_entry(&mut self, record: &exconn::record::Record) -> io::Result<()> {
        writeln!(
            self.out,
            "<searchResultEntry dn=\"{}\">\r",
            escape_xml(&record.dn)
        )?;
        for (name, values) in grouped(record.attrs()) {
            writeln!(self.out, "<attr name=\"{}\">\r", escape_xml(name))?;
            for value in values {
                match std::str::from_utf8(value) {
                    Ok(text) if !text.chars().any(|c| c.is_control() && c != '\t') => {
                        writeln!(self.out, "<value>{}</value>\r", escape_xml(text))?
                    }
                    _ => writeln!(
                        self.out,
                        "<value xsi:type=\"xsd:base64Binary\">{}</value>\r",
                        BASE64.encode(value)
                    )?,
                }
            }
            writeln!(self.out, "</attr>\r")?;
        }
        writeln!(self.out, "</searchResultEntry>\r")
    }

    fn next_ref(&mut self) -> u64 {
        self.ref_id += 1;
        self.ref_id
    }

    fn clixml_object(&mut self, record: &exconn::record::Record) -> io::Result<()> {
        let id = self.next_ref();
        let type_names = if id == 1 {
            "<TN RefId=\"0\"><T>Microsoft.ActiveDirectory.Management.ADObject</T><T>Microsoft.ActiveDirectory.Management.ADEntity</T><T>System.Object</T></TN>".to_owned()
        } else {
            "<TNRef RefId=\"0\" />".to_owned()
        };
        writeln!(
            self.out,
            "<Obj RefId=\"{id}\">{type_names}<ToString>{}</ToString><Props>\r",
            escape_xml(&record.dn)
        )?;
        writeln!(
            self.out,
            "<S N=\"DistinguishedName\">{}</S>\r",
            escape_xml(&record.dn)
        )?;
        for (name, values) in grouped(record.attrs()) {
            let items: Vec<String> = values
                .iter()
                .map(|value| match std::str::from_utf8(value) {
                    Ok(text) if !text.chars().any(|c| c.is_control() && c != '\t') => {
                        format!("<S>{}</S>", escape_xml(text))
                    }
                    _ => format!("<BA>{}</BA>", BASE64.encode(value)),
                })
                .collect();
            let list_id = self.next_ref();
            let collection = if list_id == 2 {
                "<TN RefId=\"1\"><T>Microsoft.ActiveDirectory.Management.ADPropertyValueCollection</T><T>System.Collections.CollectionBase</T><T>System.Object</T></TN>"
            } else {
                "<TNRef RefId=\"1\" />"
            };
            writeln!(
                self.out,
                "<Obj N=\"{}\" RefId=\"{list_id}\">{collection}<LST>{}</LST></Obj>\r",
                escape_xml(name),
                items.concat()
            )?;
        }
        writeln!(self.out, "</Props></Obj>\r")
    }

    /// Ends the document.
    pub fn finish(mut self) -> io::Result<W> {
        match self.format {
            XmlFormat::Dsml => self.out.write_all(
                b"<searchResultDone><resultCode code=\"0\" descr=\"success\"/></searchResultDone>\r\n</searchResponse>\r\n</batchResponse>\r\n",
            )?,
            XmlFormat::Clixml => self.out.write_all(b"</Objs>\r\n")?,
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Attribute values grouped by name, in first-seen order.
fn grouped(attrs: &[exconn::record::Attr]) -> Vec<(&str, Vec<&[u8]>)> {
    let mut groups: Vec<(&str, Vec<&[u8]>)> = Vec::new();
    for attr in attrs {
        let exconn::record::Value::Bytes(bytes) = &attr.value else {
            continue;
        };
        match groups.iter_mut().find(|(name, _)| *name == attr.name) {
            Some((_, values)) => values.push(bytes),
            None => groups.push((&attr.name, vec![bytes])),
        }
    }
    groups
}

fn escape_xml(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Writes UTF-8 text as UTF-16LE with a byte-order mark (what `ldifde -u`
/// and Windows PowerShell's `Export-Clixml` write).
pub struct Utf16Writer<W: Write> {
    out: W,
    started: bool,
    pending: Vec<u8>,
}

impl<W: Write> Utf16Writer<W> {
    /// Wraps `out`.
    pub fn new(out: W) -> Self {
        Utf16Writer {
            out,
            started: false,
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Utf16Writer<W> {
    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.out
    }
}

impl<W: Write> Write for Utf16Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.started {
            self.out.write_all(&[0xFF, 0xFE])?;
            self.started = true;
        }
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(error) => error.valid_up_to(),
        };
        let text = std::str::from_utf8(&self.pending[..valid]).unwrap_or_default();
        let encoded: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        self.out.write_all(&encoded)?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_conversions_read_back_to_the_same_model() {
        let mut ldif = Vec::new();
        generate(&Spec::default(), &mut ldif).unwrap();
        let records = exconn::input::ldif::parse(&ldif).records;
        let expected = format!(
            "{:?}",
            exconn::model::build(records.clone())
                .0
                .send_connectors
                .len()
        );
        for format in [XmlFormat::Dsml, XmlFormat::Clixml] {
            let mut writer = XmlWriter::new(Vec::new(), format).unwrap();
            writer.records(&records).unwrap();
            let xml = writer.finish().unwrap();
            let parsed = match format {
                XmlFormat::Dsml => exconn::input::dsml::parse(&xml),
                XmlFormat::Clixml => exconn::input::clixml::parse(&xml),
            };
            assert!(
                parsed.diagnostics.is_empty(),
                "{format:?}: {:?}",
                parsed.diagnostics
            );
            assert_eq!(parsed.records.len(), records.len());
            let got = format!(
                "{:?}",
                exconn::model::build(parsed.records).0.send_connectors.len()
            );
            assert_eq!(got, expected, "{format:?}");
        }
    }

    #[test]
    fn utf16_writer_keeps_characters_split_across_writes() {
        let mut writer = Utf16Writer::new(Vec::new());
        let text = "é東".as_bytes();
        writer.write_all(&text[..1]).unwrap();
        writer.write_all(&text[1..]).unwrap();
        let bytes = writer.out;
        assert_eq!(bytes, [0xFF, 0xFE, 0xE9, 0x00, 0x71, 0x67]);
    }

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
        let expected = exconn::dn::Dn::parse(&server.dn()).unwrap().key();
        for variant in 0..7 {
            let dn = exconn::dn::Dn::parse(&server.reference(variant)).unwrap();
            assert_eq!(
                dn.child_of("cn", "servers").unwrap().key(),
                expected,
                "variant {variant}"
            );
        }
    }
}
