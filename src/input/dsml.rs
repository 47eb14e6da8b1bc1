//! The DSML reader: DSML v2 search responses and DSML v1 directory entries.
//!
//! DSML v2 (`batchResponse`/`searchResponse`/`searchResultEntry`, also inside
//! a SOAP envelope) and DSML v1 (`dsml`/`directory-entries`/`entry`) become
//! the same records as LDIF. Elements are matched by local name, so both
//! namespace spellings seen in the wild (`DSML:2:0:core`, `DSML:2.0:core`)
//! and none at all are accepted. A search that ended with an error, or a
//! response without its `searchResultDone`, means the export is incomplete:
//! that is an error diagnostic. Protocol-validation problems (negative
//! request IDs, unknown result descriptions, malformed DNs or URLs) are
//! warnings: the data is still usable.

use std::cell::Cell;

use super::expansion::{self, Expansion, AMPLIFICATION};
use super::xml::{self, Element};
use super::{Parsed, Projection, ReadOptions};
use crate::diag::Diagnostic;
use crate::dn::Dn;
use crate::record::{Attr, Body, Record, Value};

/// Reads DSML (v1 or v2) from decoded text.
pub fn parse(text: &[u8]) -> Parsed {
    document(text, xml::MAX_DEPTH)
}

/// [`parse`] with elements nested at most `max_depth` deep.
pub fn document(text: &[u8], max_depth: usize) -> Parsed {
    let (root, diagnostics) = xml::parse_skipping(text, max_depth, |_| false);
    let mut reader = Reader::new(diagnostics, text, true);
    match root {
        Some(root) => reader.document(&root),
        None => reader.parsed.diagnostics.push(Diagnostic::error(
            0,
            "expected a DSML document, found no root element",
        )),
    }
    reader.parsed.diagnostics.sort_by_key(|d| d.offset);
    reader.parsed
}

/// Reads one record element on its own: a DSML v2 `searchResultEntry` or
/// a DSML v1 `entry`, as [`is_record`] picks them, keeping what the
/// projection of `options` wants and at most `options.max_values` values:
/// no element is built for the others. Offsets are relative to `text`.
pub fn entry(text: &[u8], options: &ReadOptions) -> Parsed {
    let projection = options.projection;
    let values = Cell::new(0usize);
    let (element, diagnostics) = xml::parse_skipping(text, options.max_depth, |tag| {
        if is_value(tag) {
            values.set(values.get() + 1);
            return values.get() > options.max_values;
        }
        tag.local_name() == b"attr"
            && tag
                .plain_attr(b"name")
                .is_some_and(|name| !projection.keeps(name))
    });
    let mut reader = Reader::new(diagnostics, text, matches!(projection, Projection::All));
    if let Some(element) = element {
        match element.name.as_str() {
            "searchResultEntry" => reader.entry_v2(&element),
            _ => reader.entry_v1(&element),
        }
    }
    if let Projection::Only { class, .. } = projection {
        project(&mut reader.parsed, projection, class);
    }
    if values.get() > options.max_values && !reader.parsed.records.is_empty() {
        reader
            .parsed
            .diagnostics
            .push(super::too_many_values(0, options.max_values, values.get()));
    }
    reader.parsed
}

/// Whether a start tag is one of an entry's values (DSML v2 and v1).
fn is_value(tag: &xml::Tag<'_, '_>) -> bool {
    matches!(tag.local_name(), b"value" | b"oc-value")
        && matches!(tag.parent_name(), "attr" | "objectclass")
}

/// Drops the attributes `projection` does not keep, and the entries none of
/// whose classes pass `class` (still counted as read).
fn project(parsed: &mut Parsed, projection: Projection, class: fn(&[u8]) -> bool) {
    let before = parsed.records.len();
    parsed.records.retain(|record| match &record.body {
        Body::Entry { attrs, .. } => attrs.iter().any(|attr| {
            attr.base_name().eq_ignore_ascii_case("objectClass")
                && matches!(&attr.value, Value::Bytes(value) if class(value))
        }),
        _ => true,
    });
    parsed.read += before;
    for record in &mut parsed.records {
        if let Body::Entry { attrs, .. } = &mut record.body {
            attrs.retain(|attr| projection.keeps(attr.name.as_bytes()));
        }
    }
}

/// Which elements are records: every `searchResultEntry`, and DSML v1
/// `entry` elements in `directory-entries`.
pub(crate) fn is_record(open: &[Vec<u8>], name: &[u8]) -> bool {
    name == b"searchResultEntry"
        || (name == b"entry"
            && open
                .last()
                .is_some_and(|parent| parent == b"directory-entries"))
}

struct Reader {
    parsed: Parsed,
    /// Whether DNs are checked here: when everything is kept. Under a
    /// projection the model checks the DNs of the objects it reads, as for
    /// LDIF.
    check_dns: bool,
    /// What the values kept cost, against the text read.
    expansion: Expansion,
    /// Bytes of text read.
    text: u64,
}

impl Reader {
    fn new(diagnostics: Vec<Diagnostic>, text: &[u8], check_dns: bool) -> Reader {
        Reader {
            parsed: Parsed {
                diagnostics,
                ..Parsed::default()
            },
            check_dns,
            expansion: Expansion::default(),
            text: text.len() as u64,
        }
    }

    fn error(&mut self, at: &Element, message: impl Into<String>) {
        self.parsed
            .diagnostics
            .push(Diagnostic::error(at.offset, message));
    }

    /// An error that means the export is not whole.
    fn stopped(&mut self, at: &Element, message: impl Into<String>) {
        self.parsed.stopped(Diagnostic::error(at.offset, message));
    }

    fn warning(&mut self, at: &Element, message: impl Into<String>) {
        self.parsed
            .diagnostics
            .push(Diagnostic::warning(at.offset, message));
    }

    fn document(&mut self, root: &Element) {
        match root.name.as_str() {
            "Envelope" => match root.child("Body") {
                Some(body) => body.children.iter().for_each(|child| self.document(child)),
                None => self.error(root, "expected a SOAP Body in the Envelope"),
            },
            "batchResponse" => {
                self.check_request_id(root);
                for child in &root.children {
                    match child.name.as_str() {
                        "searchResponse" => self.search_response(child),
                        "errorResponse" => self.error_response(child),
                        _ => {}
                    }
                }
            }
            "searchResponse" => self.search_response(root),
            "errorResponse" => self.error_response(root),
            "dsml" => self.v1(root),
            other => self.error(
                root,
                format!(
                    "expected a DSML root (batchResponse, searchResponse or dsml), found <{other}>"
                ),
            ),
        }
    }

    fn check_request_id(&mut self, element: &Element) {
        if let Some(id) = element.attr("requestID") {
            if id.trim().parse::<u32>().is_err() {
                self.warning(
                    element,
                    format!("expected a requestID of 0 or more, found '{id}'"),
                );
            }
        }
    }

    fn error_response(&mut self, element: &Element) {
        let kind = element.attr("type").unwrap_or("unknown");
        let message = element
            .child("message")
            .map(|m| m.text.trim())
            .unwrap_or("");
        self.stopped(
            element,
            format!("the DSML server answered with an errorResponse ({kind}) {message}: the export is incomplete"),
        );
    }

    fn search_response(&mut self, response: &Element) {
        self.check_request_id(response);
        let mut done = false;
        for child in &response.children {
            match child.name.as_str() {
                "searchResultEntry" => self.entry_v2(child),
                "searchResultReference" => self.reference(child),
                "searchResultDone" => {
                    done = true;
                    self.search_done(child);
                }
                _ => {}
            }
        }
        if !done && response.complete {
            self.stopped(
                response,
                "expected a searchResultDone at the end of the searchResponse, found none: the export may be incomplete",
            );
        }
    }

    fn reference(&mut self, reference: &Element) {
        self.check_request_id(reference);
        let refs: Vec<&Element> = reference.children_named("ref").collect();
        if refs.is_empty() {
            self.error(
                reference,
                "expected at least one <ref> in searchResultReference, found none",
            );
        }
        for r in refs {
            let url = r.text.trim();
            if !(url.is_empty() || url.starts_with("ldap://") || url.starts_with("ldaps://")) {
                self.warning(r, format!("expected an LDAP URL in <ref>, found '{url}'"));
            }
        }
    }

    fn search_done(&mut self, done: &Element) {
        self.check_request_id(done);
        if let Some(matched) = done.attr("matchedDN") {
            if Dn::parse(matched).is_err() {
                self.warning(
                    done,
                    format!("expected a DN in matchedDN, found '{matched}'"),
                );
            }
        }
        let Some(result) = done.child("resultCode") else {
            self.error(
                done,
                "expected a <resultCode> in searchResultDone, found none",
            );
            return;
        };
        let code = result.attr("code").unwrap_or("");
        let descr = result.attr("descr").unwrap_or("");
        match code.trim().parse::<u32>() {
            Ok(0) => {}
            Ok(code) => {
                let message = done
                    .child("errorMessage")
                    .map(|m| m.text.trim())
                    .unwrap_or("");
                self.stopped(
                    done,
                    format!("the search ended with result code {code} ({descr}) {message}: the export is incomplete"),
                );
            }
            Err(_) => self.warning(
                result,
                format!("expected a numeric result code, found '{code}'"),
            ),
        }
        if !descr.is_empty() && !RESULT_DESCRIPTIONS.contains(&descr) {
            self.warning(
                result,
                format!("expected an LDAP result description, found '{descr}'"),
            );
        }
    }

    fn entry_v2(&mut self, entry: &Element) {
        self.check_request_id(entry);
        let Some(dn) = self.entry_dn(entry) else {
            return;
        };
        let mut attrs = Vec::new();
        for attr in entry.children_named("attr") {
            let Some(name) = attr.attr("name") else {
                self.error(attr, "expected a name on <attr>, found none: entry skipped");
                self.parsed.skipped += 1;
                return;
            };
            if let Some(overlong) = super::overlong_description(attr.offset, name) {
                self.parsed.diagnostics.push(overlong);
                continue;
            }
            for value in attr.children_named("value") {
                if !self.keep_value(&mut attrs, name, value, decode_v2_value(value)) {
                    return;
                }
            }
        }
        self.push(entry, dn, attrs);
    }

    /// Adds a decoded value; a value that did not decode skips the entry
    /// (after a diagnostic) and returns false.
    fn keep_value(
        &mut self,
        attrs: &mut Vec<Attr>,
        name: &str,
        at: &Element,
        decoded: Result<Value, String>,
    ) -> bool {
        if decoded.is_ok() && is_base64(at) && super::base64::is_unpadded(at.text.as_bytes()) {
            let message = super::base64::unpadded_warning(&format!("'{name}'"), at.text.as_bytes());
            self.warning(at, message);
        }
        match decoded {
            Ok(value) => {
                let cost = expansion::cost(name, &value);
                if !self.expansion.spend(cost, self.text, 0) {
                    self.error(
                        at,
                        format!(
                            "expected the values of entries to take at most {AMPLIFICATION} times \
                             their text (each with its attribute's name), found more in '{}': \
                             entry skipped",
                            name.chars().take(40).collect::<String>().escape_debug()
                        ),
                    );
                    self.parsed.skipped += 1;
                    return false;
                }
                attrs.push(Attr {
                    name: name.to_owned(),
                    value,
                });
                true
            }
            Err(reason) => {
                self.error(
                    at,
                    format!("expected base64 in the value of '{name}', {reason}: entry skipped"),
                );
                self.parsed.skipped += 1;
                false
            }
        }
    }

    /// The entry's DN, or `None` (after a diagnostic) when the entry is unusable.
    fn entry_dn(&mut self, entry: &Element) -> Option<String> {
        if !entry.complete {
            self.parsed.skipped += 1;
            return None;
        }
        let Some(dn) = entry.attr("dn") else {
            self.error(
                entry,
                format!(
                    "expected a dn attribute on <{}>, found none: entry skipped",
                    entry.name
                ),
            );
            self.parsed.skipped += 1;
            return None;
        };
        if let Some(error) = self.check_dns.then(|| Dn::parse(dn).err()).flatten() {
            self.warning(
                entry,
                format!("DN '{dn}' is not a valid RFC 4514 name: {}", error.reason),
            );
        }
        Some(dn.to_owned())
    }

    fn push(&mut self, entry: &Element, dn: String, attrs: Vec<Attr>) {
        self.parsed.records.push(Record {
            dn,
            offset: entry.offset,
            controls: Vec::new(),
            body: Body::Entry {
                attrs,
                changetype_add: false,
            },
        });
    }

    fn v1(&mut self, root: &Element) {
        for entries in root.children_named("directory-entries") {
            for entry in entries.children_named("entry") {
                self.entry_v1(entry);
            }
        }
    }

    fn entry_v1(&mut self, entry: &Element) {
        let Some(dn) = self.entry_dn(entry) else {
            return;
        };
        let mut attrs = Vec::new();
        for child in &entry.children {
            let (name, values): (&str, Vec<&Element>) = match child.name.as_str() {
                "objectclass" => ("objectclass", child.children_named("oc-value").collect()),
                "attr" => match child.attr("name") {
                    Some(name) => {
                        if let Some(overlong) = super::overlong_description(child.offset, name) {
                            self.parsed.diagnostics.push(overlong);
                            continue;
                        }
                        (name, child.children_named("value").collect())
                    }
                    None => {
                        self.error(
                            child,
                            "expected a name on <dsml:attr>, found none: entry skipped",
                        );
                        self.parsed.skipped += 1;
                        return;
                    }
                },
                _ => continue,
            };
            for value in values {
                let decoded = if value.attr("encoding") == Some("base64") {
                    decode_base64_text(&value.text).map(Value::Bytes)
                } else {
                    Ok(Value::Bytes(value.text.trim().as_bytes().to_vec()))
                };
                if !self.keep_value(&mut attrs, name, value, decoded) {
                    return;
                }
            }
        }
        self.push(entry, dn, attrs);
    }
}

/// A DSML v2 value: text, base64 (`xsi:type` ending in `base64Binary`, any
/// prefix) or a URL (`anyURI`, never dereferenced).
fn decode_v2_value(value: &Element) -> Result<Value, String> {
    let kind = value
        .attr("type")
        .map(|t| t.rsplit(':').next().unwrap_or(t));
    match kind {
        Some("base64Binary") => decode_base64_text(&value.text).map(Value::Bytes),
        Some("anyURI") => Ok(Value::Url(value.text.trim().to_owned())),
        _ => Ok(Value::Bytes(value.text.as_bytes().to_vec())),
    }
}

/// Base64 with any whitespace inside (writers wrap it at 76 columns).
fn decode_base64_text(text: &str) -> Result<Vec<u8>, String> {
    super::base64::decode(text.as_bytes())
}

/// Whether a value element holds base64 (DSML v1 `encoding`, v2 `xsi:type`).
fn is_base64(value: &Element) -> bool {
    value.attr("encoding") == Some("base64")
        || value
            .attr("type")
            .is_some_and(|t| t.rsplit(':').next() == Some("base64Binary"))
}

/// LDAP result descriptions (RFC 4511) as DSML v2 names them.
const RESULT_DESCRIPTIONS: &[&str] = &[
    "success",
    "operationsError",
    "protocolError",
    "timeLimitExceeded",
    "sizeLimitExceeded",
    "compareFalse",
    "compareTrue",
    "authMethodNotSupported",
    "strongAuthRequired",
    "referral",
    "adminLimitExceeded",
    "unavailableCriticalExtension",
    "confidentialityRequired",
    "saslBindInProgress",
    "noSuchAttribute",
    "undefinedAttributeType",
    "inappropriateMatching",
    "constraintViolation",
    "attributeOrValueExists",
    "invalidAttributeSyntax",
    "noSuchObject",
    "aliasProblem",
    "invalidDNSyntax",
    "aliasDereferencingProblem",
    "inappropriateAuthentication",
    "invalidCredentials",
    "insufficientAccessRights",
    "busy",
    "unavailable",
    "unwillingToPerform",
    "loopDetect",
    "namingViolation",
    "objectClassViolation",
    "notAllowedOnNonLeaf",
    "notAllowedOnRDN",
    "entryAlreadyExists",
    "objectClassModsProhibited",
    "affectsMultipleDSAs",
    "other",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_entries_with_base64_values() {
        let parsed = parse(
            br#"<batchResponse xmlns="urn:oasis:names:tc:DSML:2:0:core" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
<searchResponse><searchResultEntry dn="CN=EX01,CN=Servers,DC=x"><attr name="cn"><value>EX01</value></attr>
<attr name="objectGUID"><value xsi:type="xsd:base64Binary">AAEC</value></attr></searchResultEntry>
<searchResultDone><resultCode code="0" descr="success"/></searchResultDone></searchResponse></batchResponse>"#,
        );
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        let record = &parsed.records[0];
        assert_eq!(record.first_text("cn"), Some("EX01"));
        assert_eq!(record.attrs()[1].value, Value::Bytes(vec![0, 1, 2]));
    }

    #[test]
    fn a_failed_search_is_an_error() {
        let parsed = parse(
            b"<searchResponse><searchResultDone><resultCode code=\"4\" descr=\"sizeLimitExceeded\"/></searchResultDone></searchResponse>",
        );
        assert_eq!(parsed.diagnostics.len(), 1);
        assert!(parsed.diagnostics[0].message.contains("incomplete"));
    }

    #[test]
    fn v1_object_classes_become_an_attribute() {
        let parsed = parse(
            b"<dsml:dsml xmlns:dsml='http://www.dsml.org/DSML'><dsml:directory-entries><dsml:entry dn='cn=a'>\
              <dsml:objectclass><dsml:oc-value>top</dsml:oc-value></dsml:objectclass>\
              <dsml:attr name='cn'><dsml:value encoding='base64'>YQ==</dsml:value></dsml:attr></dsml:entry>\
              </dsml:directory-entries></dsml:dsml>",
        );
        assert!(parsed.diagnostics.is_empty());
        assert_eq!(parsed.records[0].first_text("objectclass"), Some("top"));
        assert_eq!(parsed.records[0].first_text("cn"), Some("a"));
    }
}
