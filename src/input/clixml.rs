//! The CLIXML reader: PowerShell `Export-Clixml` files, as records.
//!
//! The PowerShell object graph (`Obj`, `TN`/`TNRef`, `ToString`, `Props`,
//! `MS`, `LST`/`IE`/`STK`/`QUE`, `DCT`/`En`, primitives, `Ref` back-references,
//! `_xHHHH_` string escapes) is decoded first; each top-level object then
//! becomes one record:
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

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use super::expansion::{self, Expansion, AMPLIFICATION};
use super::xml::{self, Element};
use super::{Parsed, Projection, MAX_VALUES};
use crate::diag::Diagnostic;
use crate::record::{Attr, Body, Record, Value};

/// A decoded PowerShell value.
#[derive(Clone, Debug)]
enum PsValue {
    Null,
    Text(String),
    Bytes(Vec<u8>),
    List(Vec<PsValue>),
    Dict(Vec<(PsValue, PsValue)>),
    Object(Rc<PsObject>),
}

/// A decoded `Obj`.
#[derive(Debug, Default)]
struct PsObject {
    types: Rc<Vec<String>>,
    to_string: Option<String>,
    /// Adapted (`Props`) then extended (`MS`) properties, in order.
    props: Vec<(String, PsValue)>,
    /// The object's own content: a collection, or an enum's number.
    content: Option<Box<PsValue>>,
    /// Where its `Obj` element starts.
    offset: usize,
    /// Whether the walk for nested directory objects has been through it
    /// (and so through everything it holds): each object gives one record.
    walked: Cell<bool>,
}

impl PsObject {
    fn is(&self, type_fragment: &str) -> bool {
        self.types.iter().any(|t| t.contains(type_fragment))
    }

    fn most_specific_type(&self) -> &str {
        let first = self.types.first().map(String::as_str).unwrap_or("");
        first.strip_prefix("Deserialized.").unwrap_or(first)
    }

    fn prop(&self, name: &str) -> Option<&PsValue> {
        self.props
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Takes the values the object holds, leaving it empty.
    fn take_values(&mut self) -> impl Iterator<Item = PsValue> {
        let props = std::mem::take(&mut self.props);
        let content = self.content.take().map(|content| *content);
        props.into_iter().map(|(_, value)| value).chain(content)
    }
}

/// Objects are dropped one after the other, not one inside the other: a
/// chain of `Ref`s (each object holding the one before) is as long as the
/// file makes it, far deeper than the stack.
impl Drop for PsObject {
    fn drop(&mut self) {
        let mut pending: Vec<PsValue> = self.take_values().collect();
        while let Some(value) = pending.pop() {
            match value {
                PsValue::Object(object) => {
                    // Only the last holder of an object empties it.
                    if let Ok(mut object) = Rc::try_unwrap(object) {
                        pending.extend(object.take_values());
                    }
                }
                PsValue::List(items) => pending.extend(items),
                PsValue::Dict(entries) => {
                    pending.extend(entries.into_iter().flat_map(|(key, value)| [key, value]));
                }
                PsValue::Null | PsValue::Text(_) | PsValue::Bytes(_) => {}
            }
        }
    }
}

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
    let mut stream = Stream {
        text_read: text.len() as u64,
        ..Stream::default()
    };
    let mut parsed = Parsed {
        diagnostics,
        ..Parsed::default()
    };
    if let Some(root) = root.as_ref().filter(|root| root.name == "Objs") {
        for top in &root.children {
            stream.top_level(top, top.offset as u64, 0, &mut parsed);
        }
    }
    stream.finish_into(root.as_ref(), &mut parsed);
    parsed.diagnostics.sort_by_key(|d| d.offset);
    parsed
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
        let mut parsed = Parsed {
            diagnostics,
            ..Parsed::default()
        };
        self.text_read += skeleton.len() as u64;
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

/// An object held for `Ref`s to it.
struct Held {
    object: Rc<PsObject>,
    /// Where its top-level object starts in the input.
    at: u64,
    /// Something referred to it: kept for good (shared objects).
    shared: bool,
}

/// Decodes elements into values, remembering `RefId`s for `Ref` and `TNRef`.
#[derive(Default)]
struct Decoder {
    objects: HashMap<String, Held>,
    /// RefIds in the order they were held, for forgetting the oldest.
    order: VecDeque<(u64, String)>,
    shared: usize,
    /// Where the top-level object being decoded starts in the input.
    at: u64,
    /// Objects forgotten before being referred to.
    forgotten: HashSet<String>,
    /// References to forgotten objects.
    dangling: usize,
    /// Type-name RefIds (`TN`), numbered apart from object RefIds.
    type_names: HashMap<String, Rc<Vec<String>>>,
    /// RefIds of the objects being decoded, outermost first: PowerShell
    /// assigns an id when an object starts, so a `Ref` may name one of them.
    open: Vec<String>,
    diagnostics: Vec<Diagnostic>,
    /// The properties whose values are decoded (all when `None`).
    reads: Option<fn(&[u8]) -> bool>,
    /// Inside the value of a property that is not read: primitive values
    /// (text, numbers, byte arrays) are left undecoded.
    unread: bool,
}

/// Properties the record of an object is built from, besides the
/// attributes the model reads.
const STRUCTURAL: &[&str] = &["DistinguishedName", "Identity", "Path", "Properties"];

impl Decoder {
    /// Forgets the objects held from before `limit` that nothing referred to.
    fn forget_before(&mut self, limit: u64) {
        while self.order.front().is_some_and(|(at, _)| *at < limit) {
            let Some((at, id)) = self.order.pop_front() else {
                break;
            };
            if self
                .objects
                .get(&id)
                .is_some_and(|held| held.at == at && !held.shared)
            {
                self.objects.remove(&id);
                if self.forgotten.len() < MAX_SHARED {
                    self.forgotten.insert(id);
                }
            }
        }
    }

    fn resolve(&mut self, element: &Element) -> PsValue {
        let id = element.attr("RefId").unwrap_or("");
        if self.open.iter().any(|open| open == id) {
            // The object itself or an enclosing one, still being written
            // (an ADObjectId's DomainId, a capture's back-pointer): a
            // cycle, which a record has no place for.
            return PsValue::Null;
        }
        if let Some(held) = self.objects.get_mut(id) {
            if !held.shared && self.shared < MAX_SHARED {
                held.shared = true;
                self.shared += 1;
            }
            return PsValue::Object(Rc::clone(&held.object));
        }
        if self.forgotten.contains(id) {
            self.dangling += 1;
            return PsValue::Null;
        }
        self.diagnostics.push(Diagnostic::error(
            element.offset,
            format!("expected a reference to an earlier object, found Ref to unknown RefId '{id}'"),
        ));
        PsValue::Null
    }

    fn hold(&mut self, id: &str, object: &Rc<PsObject>) {
        self.order.push_back((self.at, id.to_owned()));
        self.objects.insert(
            id.to_owned(),
            Held {
                object: Rc::clone(object),
                at: self.at,
                shared: false,
            },
        );
    }
}

impl Decoder {
    /// Whether the value of the property `name` is decoded.
    fn reads(&self, name: &str) -> bool {
        self.reads.is_none_or(|reads| reads(name.as_bytes()))
            || STRUCTURAL.iter().any(|s| s.eq_ignore_ascii_case(name))
    }

    fn value(&mut self, element: &Element) -> PsValue {
        if self.unread && is_primitive(&element.name) {
            return PsValue::Null;
        }
        match element.name.as_str() {
            "Nil" => PsValue::Null,
            "S" | "ToString" | "URI" | "XD" | "SBK" | "Version" => {
                PsValue::Text(decode_escapes(&element.text))
            }
            "B" | "I32" | "I64" | "I16" | "By" | "SB" | "U16" | "U32" | "U64" | "Db" | "Sg"
            | "D" | "DT" | "TS" | "G" | "C" => PsValue::Text(element.text.trim().to_owned()),
            "BA" => {
                let data = element.text.as_bytes();
                match super::base64::decode(data) {
                    Ok(bytes) => {
                        if super::base64::is_unpadded(data) {
                            self.diagnostics.push(Diagnostic::warning(
                                element.offset,
                                super::base64::unpadded_warning("<BA>", data),
                            ));
                        }
                        PsValue::Bytes(bytes)
                    }
                    Err(reason) => {
                        self.diagnostics.push(Diagnostic::error(
                            element.offset,
                            format!("expected base64 in <BA>, {reason}: value left out"),
                        ));
                        PsValue::Null
                    }
                }
            }
            "SS" => PsValue::Null,
            "LST" | "IE" | "STK" | "QUE" => PsValue::List(
                element
                    .children
                    .iter()
                    .map(|child| self.value(child))
                    .collect(),
            ),
            "DCT" => PsValue::Dict(
                element
                    .children_named("En")
                    .map(|entry| {
                        let key = entry.children.iter().find(|c| c.attr("N") == Some("Key"));
                        let value = entry.children.iter().find(|c| c.attr("N") == Some("Value"));
                        (
                            key.map(|k| self.value(k)).unwrap_or(PsValue::Null),
                            value.map(|v| self.value(v)).unwrap_or(PsValue::Null),
                        )
                    })
                    .collect(),
            ),
            "Ref" => self.resolve(element),
            "Obj" => PsValue::Object(self.object(element)),
            _ => PsValue::Null,
        }
    }

    fn object(&mut self, element: &Element) -> Rc<PsObject> {
        let mut object = PsObject::default();
        object.offset = element.offset;
        let id = element.attr("RefId");
        if let Some(id) = id {
            self.open.push(id.to_owned());
        }
        for child in &element.children {
            match child.name.as_str() {
                "TN" => {
                    let types = Rc::new(
                        child
                            .children_named("T")
                            .map(|t| decode_escapes(&t.text))
                            .collect(),
                    );
                    if let Some(id) = child.attr("RefId") {
                        self.type_names.insert(id.to_owned(), Rc::clone(&types));
                    }
                    object.types = types;
                }
                "TNRef" => {
                    if let Some(types) = child.attr("RefId").and_then(|id| self.type_names.get(id))
                    {
                        object.types = Rc::clone(types);
                    }
                }
                "ToString" => object.to_string = Some(decode_escapes(&child.text)),
                "Props" | "MS" => self.properties(child, &mut object.props),
                _ => {
                    let content = self.value(child);
                    if !matches!(content, PsValue::Null) {
                        object.content = Some(Box::new(content));
                    }
                }
            }
        }
        if id.is_some() {
            self.open.pop();
        }
        let object = Rc::new(object);
        if let Some(id) = id {
            self.hold(id, &object);
        }
        object
    }

    fn properties(&mut self, container: &Element, props: &mut Vec<(String, PsValue)>) {
        for property in &container.children {
            if property.name == "MS" {
                // A nested property set: its members are properties too.
                self.properties(property, props);
                continue;
            }
            let name = decode_escapes(property.attr("N").unwrap_or(""));
            let outer = self.unread;
            self.unread = !self.reads(&name);
            let value = self.value(property);
            self.unread = outer;
            props.push((name, value));
        }
    }
}

/// Elements whose value is text (the primitive types of CLIXML).
fn is_primitive(name: &str) -> bool {
    matches!(
        name,
        "S" | "URI"
            | "XD"
            | "SBK"
            | "Version"
            | "B"
            | "I32"
            | "I64"
            | "I16"
            | "By"
            | "SB"
            | "U16"
            | "U32"
            | "U64"
            | "Db"
            | "Sg"
            | "D"
            | "DT"
            | "TS"
            | "G"
            | "C"
            | "BA"
    )
}

/// Undoes PowerShell's `_xHHHH_` escapes (UTF-16 code units, surrogate pairs allowed).
fn decode_escapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let escaped = memchr::memchr_iter(b'_', bytes).any(|at| bytes.get(at + 1) == Some(&b'x'));
    if !escaped {
        return text.to_owned();
    }
    let mut units: Vec<u16> = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'_' && bytes.get(i + 1) == Some(&b'x') && bytes.get(i + 6) == Some(&b'_') {
            if let Some(unit) = text
                .get(i + 2..i + 6)
                .and_then(|hex| u16::from_str_radix(hex, 16).ok())
            {
                units.push(unit);
                i += 7;
                continue;
            }
        }
        let c = text[i..].chars().next().unwrap_or('\u{FFFD}');
        let mut buffer = [0u16; 2];
        units.extend_from_slice(c.encode_utf16(&mut buffer));
        i += c.len_utf8();
    }
    String::from_utf16_lossy(&units)
}

/// The directory objects held anywhere inside `top` (a HealthChecker
/// capture holds the Send connectors at
/// `OrganizationInformation.GetSendConnector[i]`), outermost first:
/// objects with a DistinguishedName that are not mere references
/// (`ADObjectId`). Each object is walked through once in the whole
/// stream, so an object reached again through a `Ref` (from this object
/// or a later one) gives no second record and costs no second walk.
fn nested_directory_objects(top: &Rc<PsObject>) -> Vec<Rc<PsObject>> {
    let mut found = Vec::new();
    if top.walked.replace(true) {
        return found;
    }
    let mut pending: VecDeque<&PsValue> = top
        .props
        .iter()
        .map(|(_, value)| value)
        .chain(top.content.as_deref())
        .collect();
    while let Some(value) = pending.pop_front() {
        match value {
            PsValue::List(items) => pending.extend(items),
            PsValue::Dict(entries) => pending.extend(entries.iter().map(|(_, v)| v)),
            PsValue::Object(object) => {
                if object.walked.replace(true) || object.is("ADObjectId") {
                    continue;
                }
                if object_dn(object).is_some() {
                    found.push(Rc::clone(object));
                }
                pending.extend(object.props.iter().map(|(_, value)| value));
                pending.extend(object.content.as_deref());
            }
            PsValue::Null | PsValue::Text(_) | PsValue::Bytes(_) => {}
        }
    }
    found
}

/// An object's own DistinguishedName property.
fn object_dn(object: &PsObject) -> Option<String> {
    text_of(object.prop("DistinguishedName")).filter(|dn| dn.contains('='))
}

/// Properties that describe the serialization, not the object.
const NOISE: &[&str] = &[
    "SerializationData",
    "PSComputerName",
    "RunspaceId",
    "PSShowComputerName",
    "PropertyNames",
    "AddedProperties",
    "ModifiedProperties",
    "RemovedProperties",
    "PropertyCount",
];

/// Builds the record of an object, its values through `values`.
fn record_of(object: &PsObject, values: &mut Values<'_>) -> Record {
    let mut empty = Vec::new();
    let dn = if object.is("System.DirectoryServices.SearchResult") {
        for (key, value) in dict_entries(object.prop("Properties")) {
            values.push_all(&key, &value, object.offset);
        }
        values
            .text("distinguishedname")
            .or_else(|| text_of(object.prop("Path")).map(|p| strip_ldap_path(&p)))
            .unwrap_or_default()
    } else {
        let raw_directory = object.is("System.DirectoryServices.DirectoryEntry")
            || object.is("Microsoft.ActiveDirectory.Management.");
        for (name, value) in &object.props {
            if NOISE.iter().any(|noise| noise.eq_ignore_ascii_case(name)) {
                continue;
            }
            if raw_directory && name.eq_ignore_ascii_case("Path") {
                continue;
            }
            if !values.push_all(name, value, object.offset)
                && !raw_directory
                && is_empty_collection(value)
            {
                empty.push(name.clone());
            }
        }
        values
            .text("distinguishedName")
            .or_else(|| object.prop("Identity").and_then(object_id_dn))
            .unwrap_or_default()
    };
    // What the file says of a cmdlet object besides its properties: its
    // type names, and the properties it holds as empty collections
    // (present, no value). Raw directory objects keep LDAP's shape.
    let raw_directory = object.is("System.DirectoryServices.")
        || object.is("Microsoft.ActiveDirectory.Management.");
    let types: &[String] = if raw_directory { &[] } else { &object.types };
    for name in types {
        values.push("PSTypeNames", || Value::Bytes(name.clone().into_bytes()));
    }
    for name in empty {
        values.push("PSEmptyProperties", || Value::Bytes(name.into_bytes()));
    }
    Record {
        dn,
        offset: object.offset,
        controls: Vec::new(),
        body: Body::Entry {
            attrs: std::mem::take(&mut values.attrs),
            changetype_add: false,
        },
    }
}

fn dict_entries(value: Option<&PsValue>) -> Vec<(String, PsValue)> {
    let dict = match value {
        Some(PsValue::Object(object)) => object.content.as_deref(),
        Some(other) => Some(other),
        None => None,
    };
    match dict {
        Some(PsValue::Dict(entries)) => entries
            .iter()
            .filter_map(|(key, value)| text_of(Some(key)).map(|key| (key, value.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

/// `LDAP://server/CN=…` or `LDAP://CN=…` → `CN=…`.
fn strip_ldap_path(path: &str) -> String {
    let rest = path
        .strip_prefix("LDAP://")
        .or_else(|| path.strip_prefix("GC://"))
        .unwrap_or(path);
    match rest.split_once('/') {
        Some((server, dn)) if !server.contains('=') => dn.to_owned(),
        _ => rest.to_owned(),
    }
}

fn text_of(value: Option<&PsValue>) -> Option<String> {
    match value? {
        PsValue::Text(text) => Some(text.clone()),
        PsValue::Object(object) => object.to_string.clone(),
        _ => None,
    }
}

/// An empty list (or an object holding one), or `Nil`.
fn is_empty_collection(value: &PsValue) -> bool {
    let collection = match value {
        PsValue::Object(object) => object.content.as_deref(),
        other => Some(other),
    };
    match collection {
        Some(PsValue::List(items)) => items.is_empty(),
        Some(PsValue::Dict(entries)) => entries.is_empty(),
        Some(PsValue::Null) => true,
        None => matches!(value, PsValue::Object(o) if o.props.is_empty() && o.to_string.is_none()),
        _ => false,
    }
}

/// The DistinguishedName of an `ADObjectId`.
fn object_id_dn(value: &PsValue) -> Option<String> {
    match value {
        PsValue::Object(object) if object.is("ADObjectId") => {
            text_of(object.prop("DistinguishedName")).filter(|dn| !dn.is_empty())
        }
        _ => None,
    }
}

/// The values of one record as they are found: at most `max` are kept,
/// and each costs its bytes and its name against the stream's expansion.
struct Values<'s> {
    attrs: Vec<Attr>,
    max: usize,
    /// Values found, kept or not.
    found: usize,
    /// Values serialized as `System.__ComObject`, whose content is lost.
    lost: usize,
    expansion: &'s mut Expansion,
    text_read: u64,
    /// The expansion is spent: nothing more is kept.
    exhausted: bool,
    diagnostics: &'s mut Vec<Diagnostic>,
}

impl Values<'_> {
    /// Adds one attribute pair per value of `value` (a property of the
    /// object at `at`); false when it has none. A name longer than
    /// [`super::MAX_DESCRIPTION`] is an error, and its values are left out.
    fn push_all(&mut self, name: &str, value: &PsValue, at: usize) -> bool {
        if let Some(overlong) = super::overlong_description(at, name) {
            self.diagnostics.push(overlong);
            return true;
        }
        let before = self.found;
        let collection = match value {
            PsValue::Object(object) => object.content.as_deref().unwrap_or(value),
            other => other,
        };
        match collection {
            PsValue::List(items) => items.iter().for_each(|item| self.scalar(name, item)),
            PsValue::Dict(entries) => entries.iter().for_each(|(_, v)| self.scalar(name, v)),
            _ => self.scalar(name, value),
        }
        self.found > before
    }

    /// One item as one value: text, bytes, an ADObjectId's DN, an object's
    /// ToString or its primitive content. Nested collections are not spread
    /// (a property is one level of values), which also keeps a chain of
    /// `Ref`s from multiplying into an exponential number of values.
    fn scalar(&mut self, name: &str, value: &PsValue) {
        match value {
            PsValue::Null | PsValue::List(_) | PsValue::Dict(_) => {}
            PsValue::Text(text) => self.push(name, || Value::Bytes(text.clone().into_bytes())),
            PsValue::Bytes(bytes) => self.push(name, || Value::Bytes(bytes.clone())),
            PsValue::Object(object) => {
                if object.is("System.__ComObject") {
                    self.lost += 1;
                } else if let Some(dn) = object_id_dn(value) {
                    self.push(name, || Value::Bytes(dn.into_bytes()));
                } else if let Some(text) = &object.to_string {
                    self.push(name, || Value::Bytes(text.clone().into_bytes()));
                } else if let Some(PsValue::Text(text)) = object.content.as_deref() {
                    self.push(name, || Value::Bytes(text.clone().into_bytes()));
                }
            }
        }
    }

    /// Counts a value of `name`, and keeps it while there is room.
    fn push(&mut self, name: &str, value: impl FnOnce() -> Value) {
        self.found += 1;
        if self.exhausted || self.attrs.len() >= self.max {
            return;
        }
        let value = value();
        let cost = expansion::cost(name, &value);
        if !self.expansion.spend(cost, self.text_read, MIN_EXPANSION) {
            self.exhausted = true;
            return;
        }
        self.attrs.push(Attr {
            name: name.to_owned(),
            value,
        });
    }

    /// The first value of `name` (any case) kept so far, as text.
    fn text(&self, name: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
            .and_then(|a| a.value.as_text())
            .map(str::to_owned)
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

    #[test]
    fn escapes_decode() {
        assert_eq!(decode_escapes("Order_x000A_Details"), "Order\nDetails");
        assert_eq!(decode_escapes("a_x005F_x0020_b"), "a_x0020_b");
        assert_eq!(decode_escapes("_xD83D__xDE00_"), "😀");
        assert_eq!(decode_escapes("plain_x"), "plain_x");
    }

    #[test]
    fn ldap_paths_lose_scheme_and_server() {
        assert_eq!(strip_ldap_path("LDAP://dc01/CN=a,DC=x"), "CN=a,DC=x");
        assert_eq!(strip_ldap_path("LDAP://CN=a,DC=x"), "CN=a,DC=x");
    }
}
