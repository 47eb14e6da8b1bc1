//! The CLIXML reader: PowerShell `Export-Clixml` files, as records.
//!
//! The PowerShell object graph (`Obj`, `TN`/`TNRef`, `ToString`, `Props`,
//! `MS`, `LST`/`IE`/`STK`/`QUE`, `DCT`/`En`, primitives, `Ref` back-references,
//! `_xHHHH_` string escapes) is decoded first (`decode`); each top-level
//! object then becomes one record (`records`), streamed here in order:
//!
//! - raw directory objects keep their LDAP attribute names: `[ADSI]`
//!   `DirectoryEntry` (`PropertyValueCollection` values), `DirectorySearcher`
//!   `SearchResult` (lower-case keys of `Properties`), and AD module objects
//!   (`ADPropertyValueCollection` values);
//! - every other object (Exchange cmdlet output such as `Get-SendConnector`)
//!   keeps its property names; an `ADObjectId` value becomes its
//!   DistinguishedName, any other object its `ToString`.
//!
//! Values ADSI could not serialize (`System.__ComObject`: large integers,
//! security descriptors) are not in the file; they are counted in a warning.

mod decode;
mod records;

use std::cell::Cell;

use super::expansion::{Expansion, AMPLIFICATION};
use super::xml::{self, Element};
use super::{Parsed, Projection, MAX_VALUES};
use crate::diag::Diagnostic;
use crate::record::Record;
use decode::{Decoder, PsObject, PsValue};
use records::{nested_directory_objects, record_of, Values};

/// How far back (in bytes of decoded text) a `Ref` may point: objects
/// serialized longer ago are forgotten unless something referred to them
/// while they were held, so memory follows the model, not the file.
pub const REF_REACH: u64 = 32 << 20;
/// The most objects kept for good because something referred to them.
const MAX_SHARED: usize = 100_000;
/// What the records may take whatever the size of the text (a small
/// genuine file expands more, in proportion, through its type names).
const MIN_EXPANSION: usize = 64 << 20;

/// One top-level element parsed on its own, with its collections cut at
/// `--max-values` elements.
pub struct Tree {
    element: Option<Element>,
    diagnostics: Vec<Diagnostic>,
    /// Elements left out of collections longer than `--max-values`.
    left_out: usize,
    /// The length of its text.
    len: usize,
}

/// Parses one top-level element (as [`is_record`] picks them): no element
/// is built past the first `max_values` of any one parent.
pub fn tree(text: &[u8], max_depth: usize, max_values: usize) -> Tree {
    let left_out = Cell::new(0usize);
    let (element, diagnostics) = xml::parse_skipping(text, max_depth, |tag| {
        let beyond = tag.earlier_siblings() >= max_values;
        if beyond {
            left_out.set(left_out.get() + 1);
        }
        beyond
    });
    Tree {
        element,
        diagnostics,
        left_out: left_out.get(),
        len: text.len(),
    }
}

/// Which elements are records: every child of the root `Objs`.
pub(crate) fn is_record(open: &[Vec<u8>], _name: &[u8]) -> bool {
    open.len() == 1 && open[0] == b"Objs"
}

/// Reads a whole CLIXML document from decoded text.
pub fn parse(text: &[u8]) -> Parsed {
    let (root, diagnostics) = xml::parse(text);
    let stream = Stream {
        text_read: text.len() as u64,
        ..Stream::default()
    };
    stream.document(root, diagnostics)
}

/// Decodes the top-level objects of one document in order, as they come:
/// references to earlier objects and type names span top-level objects, so
/// this part is sequential (the XML of each object is parsed beforehand, in
/// parallel).
pub struct Stream {
    decoder: Decoder,
    lost_values: usize,
    /// How far back a `Ref` may point ([`REF_REACH`]).
    reach: u64,
    /// The most values a record keeps (`--max-values`).
    max_values: usize,
    /// What the records took so far, against [`Stream::text_read`].
    expansion: Expansion,
    /// Bytes of text read so far.
    text_read: u64,
    /// The records took more than their text allows: reading stopped.
    exhausted: bool,
}

impl Default for Stream {
    fn default() -> Self {
        Stream {
            decoder: Decoder::default(),
            lost_values: 0,
            reach: REF_REACH,
            max_values: MAX_VALUES,
            expansion: Expansion::default(),
            text_read: 0,
            exhausted: false,
        }
    }
}

impl Stream {
    /// A stream that keeps what `projection` asks for: the values of other
    /// properties are not decoded (their objects still are, for the
    /// references to them and the properties inside them); and at most
    /// `max_values` values per record.
    pub fn new(projection: Projection, max_values: usize) -> Stream {
        let mut stream = Stream {
            max_values,
            ..Stream::default()
        };
        if let Projection::Only { attribute, .. } = projection {
            stream.decoder.reads = Some(attribute);
        }
        stream
    }

    /// Decodes one top-level element parsed on its own (offsets relative to
    /// its text), which starts at `at` in the input; its record and
    /// diagnostics go to `parsed` with offsets shifted by `shift`.
    pub fn record(&mut self, tree: Tree, at: u64, shift: usize, parsed: &mut Parsed) {
        let mut own = Parsed {
            diagnostics: tree.diagnostics,
            ..Parsed::default()
        };
        self.text_read = self.text_read.max(at + tree.len as u64);
        if let Some(element) = tree.element {
            self.top_level(&element, at, tree.left_out, &mut own);
        }
        for mut record in own.records {
            record.offset += shift;
            parsed.records.push(record);
        }
        parsed
            .diagnostics
            .extend(own.diagnostics.into_iter().map(|mut d| {
                d.offset += shift;
                d
            }));
        parsed.skipped += own.skipped;
    }

    /// Decodes a top-level element into its records: its own, then those
    /// of the directory objects nested in it. `left_out` elements of its
    /// collections were not built (`--max-values`).
    fn top_level(&mut self, top: &Element, at: u64, left_out: usize, parsed: &mut Parsed) {
        if !top.complete || self.exhausted {
            parsed.skipped += 1;
            return;
        }
        self.decoder.forget_before(at.saturating_sub(self.reach));
        self.decoder.at = at;
        let value = self.decoder.value(top);
        parsed.diagnostics.append(&mut self.decoder.diagnostics);
        match value {
            // A top-level `Ref` names an object already recorded.
            PsValue::Object(object) if object.walked.get() => {}
            PsValue::Object(object) => {
                let Some(record) = self.record_of(&object, left_out, parsed) else {
                    return;
                };
                // Cmdlet output may carry no DN (Select-Object, a capture's
                // own container objects); a directory object must.
                let raw_directory = object.is("System.DirectoryServices.")
                    || object.is("Microsoft.ActiveDirectory.Management.");
                if record.dn.is_empty() && raw_directory {
                    parsed.diagnostics.push(Diagnostic::warning(
                        top.offset,
                        format!(
                            "object of type {} has no DistinguishedName: kept with an empty DN",
                            object.most_specific_type()
                        ),
                    ));
                }
                parsed.records.push(record);
                for nested in nested_directory_objects(&object) {
                    let Some(record) = self.record_of(&nested, 0, parsed) else {
                        return;
                    };
                    parsed.records.push(record);
                }
            }
            PsValue::Null => {}
            _ => parsed.diagnostics.push(Diagnostic::warning(
                top.offset,
                format!("top-level <{}> is not an object: ignored", top.name),
            )),
        }
    }

    /// The record of `object`, within `--max-values` (its collections had
    /// `left_out` more elements) and the expansion the text allows: past
    /// it, an error, no record, and reading stops.
    fn record_of(
        &mut self,
        object: &PsObject,
        left_out: usize,
        parsed: &mut Parsed,
    ) -> Option<Record> {
        let mut values = Values {
            attrs: Vec::new(),
            max: self.max_values,
            found: left_out,
            lost: 0,
            expansion: &mut self.expansion,
            text_read: self.text_read,
            exhausted: false,
            diagnostics: &mut parsed.diagnostics,
        };
        let record = record_of(object, &mut values);
        let (found, exhausted) = (values.found, values.exhausted);
        self.lost_values += values.lost;
        if exhausted {
            self.exhausted = true;
            parsed.skipped += 1;
            parsed.diagnostics.push(Diagnostic::error(
                object.offset,
                format!(
                    "expected the records of the file to take at most {AMPLIFICATION} times its text \
                     (each value with its name, references expanded), found more by this object: \
                     the file is damaged or made to exhaust memory; reading stopped, the objects \
                     from here on are not read"
                ),
            ));
            return None;
        }
        if found > self.max_values {
            parsed.diagnostics.push(super::too_many_values(
                object.offset,
                self.max_values,
                found,
            ));
        }
        Some(record)
    }

    /// Reads what is left once the records are out: the document around
    /// them (`<Objs>`, and any top-level element not read as a record).
    pub fn finish(mut self, skeleton: &[u8], max_depth: usize) -> Parsed {
        let (root, diagnostics) = xml::parse_skipping(skeleton, max_depth, |_| false);
        self.text_read += skeleton.len() as u64;
        self.document(root, diagnostics)
    }

    /// Decodes the top-level elements of a parsed document (what is left
    /// of it once its records were streamed, or all of it), and says what
    /// is wrong with the document itself.
    fn document(mut self, root: Option<Element>, diagnostics: Vec<Diagnostic>) -> Parsed {
        let mut parsed = Parsed {
            diagnostics,
            ..Parsed::default()
        };
        if let Some(root) = root.as_ref().filter(|root| root.name == "Objs") {
            for top in &root.children {
                self.top_level(top, top.offset as u64, 0, &mut parsed);
            }
        }
        self.finish_into(root.as_ref(), &mut parsed);
        parsed.diagnostics.sort_by_key(|d| d.offset);
        parsed
    }

    fn finish_into(&mut self, root: Option<&Element>, parsed: &mut Parsed) {
        match root {
            None => parsed.diagnostics.push(Diagnostic::error(
                0,
                "expected a CLIXML document, found no root element",
            )),
            Some(root) if root.name != "Objs" => parsed.diagnostics.push(Diagnostic::error(
                root.offset,
                format!("expected the CLIXML root <Objs>, found <{}>", root.name),
            )),
            Some(_) => {}
        }
        let at = root.map_or(0, |root| root.offset);
        if self.lost_values > 0 {
            parsed.diagnostics.push(Diagnostic::warning(
                at,
                format!(
                    "{} value(s) were serialized as System.__ComObject (large integers, security \
                     descriptors): their content is not in the export",
                    self.lost_values
                ),
            ));
        }
        if self.decoder.dangling > 0 {
            parsed.diagnostics.push(Diagnostic::error(
                at,
                format!(
                    "{} reference(s) pointed to objects serialized more than {} MiB earlier, which are \
                     not kept: those values were left out",
                    self.decoder.dangling,
                    self.reach >> 20
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMDLET: &str = r#"<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
  <Obj RefId="0"><TN RefId="0"><T>Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig</T><T>System.Object</T></TN>
    <ToString>Internet</ToString>
    <Props>
      <S N="Name">Internet_x005F_x0020_ok</S>
      <B N="Enabled">true</B>
      <Obj N="SourceTransportServers" RefId="1"><TN RefId="1"><T>Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1</T></TN>
        <LST><Obj RefId="2"><TN RefId="2"><T>Microsoft.Exchange.Data.Directory.ADObjectId</T><T>System.Object</T></TN>
          <ToString>EX01</ToString><Props><S N="DistinguishedName">CN=EX01,CN=Servers,DC=x</S></Props></Obj></LST></Obj>
      <Obj N="AddressSpaces" RefId="3"><TNRef RefId="1" /><LST><Obj RefId="4"><TN RefId="3"><T>Microsoft.Exchange.Data.AddressSpace</T></TN><ToString>SMTP:*;1</ToString></Obj></LST></Obj>
      <Obj N="Again" RefId="5"><TNRef RefId="1" /><LST><Ref RefId="2" /></LST></Obj>
      <S N="DistinguishedName">CN=Internet,CN=Connections,DC=x</S>
    </Props>
    <MS><S N="PSComputerName">ex01</S></MS>
  </Obj>
</Objs>"#;

    #[test]
    fn cmdlet_objects_keep_property_names_and_resolve_references() {
        let parsed = parse(CMDLET.as_bytes());
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let record = &parsed.records[0];
        assert_eq!(record.dn, "CN=Internet,CN=Connections,DC=x");
        assert_eq!(record.first_text("Name"), Some("Internet_x0020_ok"));
        assert_eq!(
            record.first_text("SourceTransportServers"),
            Some("CN=EX01,CN=Servers,DC=x")
        );
        assert_eq!(record.first_text("Again"), Some("CN=EX01,CN=Servers,DC=x"));
        assert_eq!(record.first_text("AddressSpaces"), Some("SMTP:*;1"));
        assert!(record.first_text("PSComputerName").is_none());
    }

    #[test]
    fn unread_values_are_not_decoded_but_references_into_them_resolve() {
        // The server's ADObjectId is written first under a property the
        // analysis does not read, then referred to from one it reads.
        let text = r#"<Objs><Obj RefId="0"><TN RefId="0"><T>Deserialized.X.SmtpSendConnectorConfig</T></TN>
            <Props>
              <BA N="Blob">////</BA>
              <Obj N="HomeMtaServerId" RefId="1"><TN RefId="1"><T>Microsoft.Exchange.Data.Directory.ADObjectId</T></TN>
                <ToString>EX01</ToString><Props><S N="DistinguishedName">CN=EX01,CN=Servers,DC=x</S><S N="Rdn">CN=EX01</S></Props></Obj>
              <Obj N="SourceTransportServers" RefId="2"><TN RefId="2"><T>ADMultiValuedProperty</T></TN><LST><Ref RefId="1" /></LST></Obj>
              <S N="Comment">not read</S>
              <S N="DistinguishedName">CN=C,CN=Connections,DC=x</S>
            </Props></Obj></Objs>"#;
        let mut stream = Stream::new(crate::analysis::PROJECTION, MAX_VALUES);
        let mut parsed = Parsed::default();
        let (root, diagnostics) = xml::parse(text.as_bytes());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let top = &root.unwrap().children[0];
        stream.top_level(top, 0, 0, &mut parsed);
        let record = &parsed.records[0];
        assert_eq!(record.dn, "CN=C,CN=Connections,DC=x");
        assert_eq!(
            record.first_text("SourceTransportServers"),
            Some("CN=EX01,CN=Servers,DC=x")
        );
        assert_eq!(record.first_text("Comment"), None);
        assert_eq!(record.first_text("Blob"), None);
        // Read whole, the same file keeps everything.
        let all = parse(text.as_bytes());
        assert_eq!(all.records[0].first_text("Comment"), Some("not read"));
        assert!(all.records[0].values("Blob").next().is_some());
    }

    /// A top-level ADSI-like object with a DN and one property, as its own text.
    fn object(id: usize, props: &str) -> String {
        format!(
            "<Obj RefId=\"{id}\"><TN RefId=\"t{id}\"><T>X</T></TN><Props>\
             <S N=\"distinguishedName\">CN=o{id},DC=x</S>{props}</Props></Obj>"
        )
    }

    fn decode_at(stream: &mut Stream, text: &str, at: u64, parsed: &mut Parsed) {
        stream.record(
            tree(text.as_bytes(), xml::MAX_DEPTH, MAX_VALUES),
            at,
            0,
            parsed,
        );
    }

    #[test]
    fn references_reach_back_a_bounded_distance_unless_shared() {
        let mut stream = Stream {
            reach: 1000,
            ..Stream::default()
        };
        let mut parsed = Parsed::default();
        let inner = "<Obj N=\"Owner\" RefId=\"100\"><ToString>CN=owner,DC=x</ToString></Obj>";
        decode_at(&mut stream, &object(1, inner), 0, &mut parsed);
        // Referred to while held: kept for good.
        let shared = "<Ref N=\"Owner\" RefId=\"100\" />";
        decode_at(&mut stream, &object(2, shared), 500, &mut parsed);
        decode_at(&mut stream, &object(3, shared), 5000, &mut parsed);
        // Object 2 was never referred to and is now too far back.
        let gone = "<Ref N=\"Peer\" RefId=\"2\" />";
        decode_at(&mut stream, &object(4, gone), 6000, &mut parsed);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.records[2].first_text("Owner"), Some("CN=owner,DC=x"));
        assert_eq!(parsed.records[3].first_text("Peer"), None);
        let end = stream.finish(b"<Objs></Objs>", xml::MAX_DEPTH);
        assert_eq!(end.diagnostics.len(), 1, "{:?}", end.diagnostics);
        assert!(end.diagnostics[0]
            .message
            .starts_with("1 reference(s) pointed to objects serialized more than"));
    }
}
