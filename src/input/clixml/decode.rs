//! The PowerShell object decoder: CLIXML elements (`Obj`, `TN`/`TNRef`,
//! `ToString`, `Props`, `MS`, `LST`/`IE`/`STK`/`QUE`, `DCT`/`En`,
//! primitives, `Ref` back-references, `_xHHHH_` string escapes) decoded into
//! values and objects, the objects held for later `Ref`s within a bounded
//! reach.

use std::cell::Cell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use super::super::xml::Element;
use super::MAX_SHARED;
use crate::diag::Diagnostic;

/// A decoded PowerShell value.
#[derive(Clone, Debug)]
pub(super) enum PsValue {
    Null,
    Text(String),
    Bytes(Vec<u8>),
    List(Vec<PsValue>),
    Dict(Vec<(PsValue, PsValue)>),
    Object(Rc<PsObject>),
}

/// A decoded `Obj`.
#[derive(Debug, Default)]
pub(super) struct PsObject {
    pub(super) types: Rc<Vec<String>>,
    pub(super) to_string: Option<String>,
    /// Adapted (`Props`) then extended (`MS`) properties, in order.
    pub(super) props: Vec<(String, PsValue)>,
    /// The object's own content: a collection, or an enum's number.
    pub(super) content: Option<Box<PsValue>>,
    /// Where its `Obj` element starts.
    pub(super) offset: usize,
    /// Whether the walk for nested directory objects has been through it
    /// (and so through everything it holds): each object gives one record.
    pub(super) walked: Cell<bool>,
}

impl PsObject {
    pub(super) fn is(&self, type_fragment: &str) -> bool {
        self.types.iter().any(|t| t.contains(type_fragment))
    }

    pub(super) fn most_specific_type(&self) -> &str {
        let first = self.types.first().map(String::as_str).unwrap_or("");
        first.strip_prefix("Deserialized.").unwrap_or(first)
    }

    pub(super) fn prop(&self, name: &str) -> Option<&PsValue> {
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
pub(super) struct Decoder {
    objects: HashMap<String, Held>,
    /// RefIds in the order they were held, for forgetting the oldest.
    order: VecDeque<(u64, String)>,
    shared: usize,
    /// Where the top-level object being decoded starts in the input.
    pub(super) at: u64,
    /// Objects forgotten before being referred to.
    forgotten: HashSet<String>,
    /// References to forgotten objects.
    pub(super) dangling: usize,
    /// Type-name RefIds (`TN`), numbered apart from object RefIds.
    type_names: HashMap<String, Rc<Vec<String>>>,
    /// RefIds of the objects being decoded, outermost first: PowerShell
    /// assigns an id when an object starts, so a `Ref` may name one of them.
    open: Vec<String>,
    pub(super) diagnostics: Vec<Diagnostic>,
    /// The properties whose values are decoded (all when `None`).
    pub(super) reads: Option<fn(&[u8]) -> bool>,
    /// Inside the value of a property that is not read: primitive values
    /// (text, numbers, byte arrays) are left undecoded.
    unread: bool,
}

/// Properties the record of an object is built from, besides the
/// attributes the model reads.
const STRUCTURAL: &[&str] = &["DistinguishedName", "Identity", "Path", "Properties"];

impl Decoder {
    /// Forgets the objects held from before `limit` that nothing referred to.
    pub(super) fn forget_before(&mut self, limit: u64) {
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
    pub(super) fn reads(&self, name: &str) -> bool {
        self.reads.is_none_or(|reads| reads(name.as_bytes()))
            || STRUCTURAL.iter().any(|s| s.eq_ignore_ascii_case(name))
    }

    pub(super) fn value(&mut self, element: &Element) -> PsValue {
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
                match crate::input::base64::decode(data) {
                    Ok(bytes) => {
                        if crate::input::base64::is_unpadded(data) {
                            self.diagnostics.push(Diagnostic::warning(
                                element.offset,
                                crate::input::base64::unpadded_warning("<BA>", data),
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

    pub(super) fn object(&mut self, element: &Element) -> Rc<PsObject> {
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

    pub(super) fn properties(&mut self, container: &Element, props: &mut Vec<(String, PsValue)>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode() {
        assert_eq!(decode_escapes("Order_x000A_Details"), "Order\nDetails");
        assert_eq!(decode_escapes("a_x005F_x0020_b"), "a_x0020_b");
        assert_eq!(decode_escapes("_xD83D__xDE00_"), "😀");
        assert_eq!(decode_escapes("plain_x"), "plain_x");
    }
}
