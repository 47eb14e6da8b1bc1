//! A small, safe XML element tree for the DSML and CLIXML readers.
//!
//! Built on quick-xml's pull reader over the decoded text. It keeps local
//! names (namespaces are matched by local name, as real DSML files use
//! several namespace spellings), attribute values and concatenated text.
//! Safety rules: a DTD is never processed and only the five predefined
//! entities and character references are resolved; element depth is
//! bounded; a syntax error stops the reading and is a diagnostic at its
//! byte offset, and what was complete before it is kept.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::diag::Diagnostic;

/// The deepest element nesting accepted by default (DSML and CLIXML need a
/// few dozen).
pub const MAX_DEPTH: usize = 256;

/// One element with its attributes, text and children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (prefix dropped).
    pub name: String,
    /// Attributes: local name and unescaped value.
    pub attrs: Vec<(String, String)>,
    /// Child elements, in order.
    pub children: Vec<Element>,
    /// The element's own text (CDATA included), concatenated.
    pub text: String,
    /// Byte offset of the start tag.
    pub offset: usize,
    /// False when the input ended (or broke) before the end tag.
    pub complete: bool,
}

impl Element {
    /// The value of the attribute with this local name (case-sensitive, as XML is).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Children with this local name.
    pub fn children_named<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Why an XML document does not reach its proper end, if it does not:
/// the root element's end tag is missing (the file was cut), or a syntax
/// error or invalid UTF-8 stopped the reading before it. Only depth is
/// tracked: no element is built. The offset is where the document stops
/// being whole.
pub(crate) fn unfinished_document(text: &[u8]) -> Option<(usize, String)> {
    let valid =
        match std::str::from_utf8(text) {
            Ok(valid) => valid,
            Err(error) => return Some((
                error.valid_up_to(),
                "expected UTF-8 text, found invalid bytes: the rest of the document is not read"
                    .to_owned(),
            )),
        };
    let mut reader = Reader::from_str(valid);
    let mut open: Vec<String> = Vec::new();
    let mut root_closed = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) => open.push(local(start.name().as_ref())),
            Ok(Event::Empty(_)) if open.is_empty() => root_closed = true,
            Ok(Event::End(_)) => {
                open.pop();
                root_closed |= open.is_empty();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(error) => {
                return Some((
                    reader.error_position() as usize,
                    format!("expected a whole XML document, found a syntax error ({error}): the rest is not read"),
                ))
            }
        }
    }
    match open.first() {
        Some(root) => Some((
            text.len(),
            format!(
                "expected the document to end with </{root}>, found the end of the file inside \
                 it: the file was cut (a download, copy or capture cut short)"
            ),
        )),
        None if !root_closed => Some((
            0,
            "expected an XML document, found no root element".to_owned(),
        )),
        None => None,
    }
}

/// The local part of a possibly prefixed name.
fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(local_part(name)).into_owned()
}

/// The bytes after the last `:` of a name.
fn local_part(name: &[u8]) -> &[u8] {
    name.rsplit(|&b| b == b':').next().unwrap_or(name)
}

fn element(start: &BytesStart<'_>, offset: usize, diagnostics: &mut Vec<Diagnostic>) -> Element {
    let mut attrs = Vec::new();
    for attribute in start.attributes() {
        match attribute {
            Ok(attribute) => {
                let value = match attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                    Ok(value) => value.into_owned(),
                    Err(error) => {
                        diagnostics.push(Diagnostic::error(
                            offset,
                            format!("expected an attribute value with only predefined entities, found {error}"),
                        ));
                        String::from_utf8_lossy(&attribute.value).into_owned()
                    }
                };
                attrs.push((local(attribute.key.as_ref()), value));
            }
            Err(error) => diagnostics.push(Diagnostic::error(
                offset,
                format!("malformed attribute: {error}"),
            )),
        }
    }
    Element {
        name: local(start.name().as_ref()),
        attrs,
        offset,
        ..Element::default()
    }
}

/// A start tag as read, before an element is built from it: what a skip
/// rule looks at, without allocating.
pub(crate) struct Tag<'t, 'a> {
    start: &'t BytesStart<'a>,
    /// The open element it is in, with the children read so far.
    parent: &'t Element,
}

impl Tag<'_, '_> {
    /// The local name (prefix dropped, as [`Element::name`]).
    pub(crate) fn local_name(&self) -> &[u8] {
        local_part(self.start.name().into_inner())
    }

    /// The local name of the element it is in.
    pub(crate) fn parent_name(&self) -> &str {
        &self.parent.name
    }

    /// How many elements its parent holds before it (skipped ones left out).
    pub(crate) fn earlier_siblings(&self) -> usize {
        self.parent.children.len()
    }

    /// The value of the attribute with this local name as written, when
    /// every attribute of the tag is well formed and this value needs no
    /// unescaping (else `None`, and the element is built and checked).
    pub(crate) fn plain_attr(&self, name: &[u8]) -> Option<&[u8]> {
        let mut found = None;
        for attribute in self.start.attributes() {
            let attribute = attribute.ok()?;
            if local_part(attribute.key.into_inner()) == name {
                found = Some(attribute.value);
            }
        }
        match found? {
            std::borrow::Cow::Borrowed(value) if !value.contains(&b'&') => Some(value),
            _ => None,
        }
    }
}

/// Parses decoded text into its root element (None when there is none).
pub fn parse(text: &[u8]) -> (Option<Element>, Vec<Diagnostic>) {
    parse_skipping(text, MAX_DEPTH, |_| false)
}

/// [`parse`] with elements nested at most `max_depth` deep, leaving out the
/// elements (below the root) for which `skip` is true once their start tag
/// is read: no element is built for them, and their content is passed over
/// without being decoded or copied.
pub(crate) fn parse_skipping(
    text: &[u8],
    max_depth: usize,
    skip: impl Fn(&Tag<'_, '_>) -> bool,
) -> (Option<Element>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let text = match std::str::from_utf8(text) {
        Ok(text) => text,
        Err(error) => {
            diagnostics.push(Diagnostic::error(
                error.valid_up_to(),
                "expected UTF-8 text, found invalid bytes: the rest of the file is not read",
            ));
            std::str::from_utf8(&text[..error.valid_up_to()]).unwrap_or_default()
        }
    };
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(error) => {
                diagnostics.push(Diagnostic::error(
                    reader.error_position() as usize,
                    format!("XML syntax error: {error}; reading stopped here"),
                ));
                break;
            }
        };
        match event {
            Event::Start(start) => {
                if stack.len() >= max_depth {
                    diagnostics.push(Diagnostic::error(
                        before,
                        format!(
                            "elements nested deeper than {max_depth} levels (--max-depth); reading stopped here"
                        ),
                    ));
                    break;
                }
                if skipped(&stack, &start, &skip) {
                    if let Err(error) = reader.read_to_end(start.name()) {
                        diagnostics.push(Diagnostic::error(
                            reader.error_position() as usize,
                            format!("XML syntax error: {error}; reading stopped here"),
                        ));
                        break;
                    }
                    continue;
                }
                stack.push(element(&start, before, &mut diagnostics));
            }
            Event::Empty(start) => {
                if skipped(&stack, &start, &skip) {
                    continue;
                }
                let mut empty = element(&start, before, &mut diagnostics);
                empty.complete = true;
                attach(&mut stack, &mut root, empty, &mut diagnostics);
            }
            Event::End(_) => {
                if let Some(mut done) = stack.pop() {
                    done.complete = true;
                    attach(&mut stack, &mut root, done, &mut diagnostics);
                }
            }
            Event::Text(content) => {
                if let (Some(open), Ok(content)) = (stack.last_mut(), content.xml10_content()) {
                    open.text.push_str(&content);
                }
            }
            Event::CData(content) => {
                if let Some(open) = stack.last_mut() {
                    open.text.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference);
                match resolved {
                    Some(resolved) => {
                        if let Some(open) = stack.last_mut() {
                            open.text.push_str(&resolved);
                        }
                    }
                    None => diagnostics.push(Diagnostic::error(
                        before,
                        format!(
                            "expected a predefined entity or character reference, found '&{};' \
                             (DTD entities are never expanded): left out",
                            String::from_utf8_lossy(&reference)
                        ),
                    )),
                }
            }
            Event::DocType(_) => diagnostics.push(Diagnostic::warning(
                before,
                "document type declaration ignored: DTDs and their entities are never processed",
            )),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !stack.is_empty() {
        let innermost = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        if diagnostics
            .iter()
            .all(|d| d.severity != crate::diag::Severity::Error)
        {
            diagnostics.push(Diagnostic::error(
                text.len(),
                format!("expected </{innermost}>, found the end of the file (truncated?)"),
            ));
        }
        while let Some(open) = stack.pop() {
            attach(&mut stack, &mut root, open, &mut diagnostics);
        }
    }
    (root, diagnostics)
}

/// Whether the skip rule leaves out the element `start` opens (never the root).
fn skipped(
    stack: &[Element],
    start: &BytesStart<'_>,
    skip: &impl Fn(&Tag<'_, '_>) -> bool,
) -> bool {
    stack
        .last()
        .is_some_and(|parent| skip(&Tag { start, parent }))
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Option<String> {
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .map(String::from);
    }
    let name = reference.decode().ok()?;
    quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned)
}

fn attach(
    stack: &mut [Element],
    root: &mut Option<Element>,
    done: Element,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(done),
        None if root.is_none() => *root = Some(done),
        None => diagnostics.push(Diagnostic::error(
            done.offset,
            "expected one root element, found a second one",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_whole_when_its_root_closes() {
        assert_eq!(unfinished_document(b"<Objs><Obj/></Objs>"), None);
        assert_eq!(
            unfinished_document(b"<?xml version=\"1.0\"?>\n<Objs/>\n"),
            None
        );
        let (at, why) = unfinished_document(b"<Objs><Obj><S>x</S></Obj>").unwrap();
        assert_eq!(at, 25);
        assert!(why.contains("</Objs>"), "{why}");
        assert!(unfinished_document(b"<a><b></a>").is_some());
    }

    #[test]
    fn elements_attributes_and_text_are_kept() {
        let (root, diagnostics) =
            parse(b"<a:r xmlns:a='u'><x n='1 &amp; 2'>t&lt;&#x41;<![CDATA[<c>]]></x><y/></a:r>");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let root = root.unwrap();
        assert_eq!(root.name, "r");
        assert_eq!(root.children[0].attr("n"), Some("1 & 2"));
        assert_eq!(root.children[0].text, "t<A<c>");
        assert!(root.children[1].complete);
    }

    #[test]
    fn entities_from_a_dtd_are_never_expanded() {
        let text = b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;'>]><r>&b;</r>";
        let (root, diagnostics) = parse(text);
        assert_eq!(root.unwrap().text, "");
        assert_eq!(diagnostics.len(), 2);
    }

    #[test]
    fn skipped_elements_are_left_out_whole() {
        let (root, diagnostics) = parse_skipping(
            b"<r><a n='x'><b>1</b><a n='y'/></a><a n='y'><b>2</b></a><a n='x'/></r>",
            MAX_DEPTH,
            |tag| tag.plain_attr(b"n") == Some(b"x"),
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let root = root.unwrap();
        assert_eq!(root.children.len(), 1);
        assert_eq!(root.children[0].children[0].text, "2");
    }

    #[test]
    fn a_tag_that_is_not_plain_is_built_and_checked_rather_than_skipped() {
        // A malformed attribute, and a value with an entity: the element is
        // built (so the damage is reported), not skipped on a guess.
        let (root, diagnostics) = parse_skipping(
            b"<r><p:a p:n='x' m=><b/></p:a><a n='&#120;'/><a n='x'/></r>",
            MAX_DEPTH,
            |tag| tag.local_name() == b"a" && tag.plain_attr(b"n") == Some(b"x"),
        );
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].message.contains("malformed attribute"));
        let root = root.unwrap();
        assert_eq!(root.children.len(), 2);
        assert_eq!(root.children[1].attr("n"), Some("x"));
    }

    #[test]
    fn deep_nesting_stops_with_a_diagnostic() {
        let text = "<a>".repeat(100_000);
        let (_, diagnostics) = parse(text.as_bytes());
        assert!(diagnostics[0].message.contains("nested deeper"));
    }

    #[test]
    fn truncation_keeps_what_was_complete() {
        let (root, diagnostics) = parse(b"<r><e>1</e><e>2");
        let root = root.unwrap();
        assert!(root.children[0].complete && !root.children[1].complete);
        assert_eq!(diagnostics.len(), 1);
    }
}
