//! Records: what every reader produces and every consumer reads.
//!
//! A record is one LDIF record (or, later, one DSML/CLIXML entry) with its DN
//! as written, its attribute-value pairs in input order and, for change
//! records, the change. Values are bytes: text where the bytes are UTF-8,
//! binary values (objectGUID, nTSecurityDescriptor) kept as they are. This
//! module knows no file format and no output format.

use std::borrow::Cow;

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// The value's octets (UTF-8 text in the usual case).
    Bytes(Vec<u8>),
    /// A `:<` URL that was deliberately not dereferenced.
    Url(String),
}

impl Value {
    /// A `:<` URL as read: every byte that is not printable ASCII (a
    /// control, a space, UTF-8), which no URL holds raw, percent-encoded as
    /// RFC 3986 writes it, so that it can never act where it is shown.
    pub fn url(raw: &[u8]) -> Value {
        Value::Url(percent_encoded(raw).into_owned())
    }

    /// The value as UTF-8 text, when it is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            Value::Url(_) => None,
        }
    }
}

/// `raw` with every byte that is not printable ASCII percent-encoded
/// (`%1B`); printable ASCII as it is.
pub fn percent_encoded(raw: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(text) if raw.iter().all(u8::is_ascii_graphic) => Cow::Borrowed(text),
        _ => Cow::Owned(raw.iter().map(|&b| percent_encoded_byte(b)).collect()),
    }
}

fn percent_encoded_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        char::from(b).to_string()
    } else {
        format!("%{b:02X}")
    }
}

/// One `name: value` pair of a record, name as written (ranged options merged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attr {
    /// The attribute description as written, e.g. `cn` or `description;lang-fr`.
    pub name: String,
    /// The value.
    pub value: Value,
}

impl Attr {
    /// The attribute type without options (`member` for `member;range=0-1499`).
    pub fn base_name(&self) -> &str {
        match memchr::memchr(b';', self.name.as_bytes()) {
            Some(at) => &self.name[..at],
            None => &self.name,
        }
    }
}

/// An LDAP control attached to a change record (`control:` line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    /// The control's OID.
    pub oid: String,
    /// The criticality flag (`false` when absent).
    pub critical: bool,
    /// The control value, when one was given.
    pub value: Option<Value>,
}

/// The operation of one block of a `changetype: modify` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModOp {
    /// `add:`
    Add,
    /// `delete:`
    Delete,
    /// `replace:`
    Replace,
    /// `increment:` (RFC 4525)
    Increment,
}

impl ModOp {
    /// The LDIF keyword of the operation.
    pub fn keyword(self) -> &'static str {
        match self {
            ModOp::Add => "add",
            ModOp::Delete => "delete",
            ModOp::Replace => "replace",
            ModOp::Increment => "increment",
        }
    }
}

/// One block of a modify record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modification {
    /// What to do.
    pub op: ModOp,
    /// The attribute description it applies to.
    pub attr: String,
    /// The values listed (none: the whole attribute).
    pub values: Vec<Value>,
}

/// `modrdn` or `moddn`: the same operation under two keywords.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenameKeyword {
    /// `changetype: modrdn`
    ModRdn,
    /// `changetype: moddn`
    ModDn,
}

impl RenameKeyword {
    /// The LDIF `changetype:` keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            RenameKeyword::ModRdn => "modrdn",
            RenameKeyword::ModDn => "moddn",
        }
    }
}

/// What a record says about its DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// An entry: a content record, or an `ldifde`-style `changetype: add`.
    Entry {
        /// Attribute-value pairs in input order.
        attrs: Vec<Attr>,
        /// Whether the record was written as `changetype: add`.
        changetype_add: bool,
    },
    /// `changetype: delete`
    Delete,
    /// `changetype: modify`
    Modify(Vec<Modification>),
    /// `changetype: modrdn` / `moddn`
    Rename {
        /// Which keyword was used.
        keyword: RenameKeyword,
        /// The new RDN.
        new_rdn: String,
        /// Whether the old RDN values are deleted.
        delete_old_rdn: bool,
        /// The new parent, if moved.
        new_superior: Option<String>,
    },
}

/// One record of an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The DN exactly as written (after base64 decoding).
    pub dn: String,
    /// Byte offset of the record's first line in the (decoded) input.
    pub offset: usize,
    /// Controls, for change records.
    pub controls: Vec<Control>,
    /// The entry or the change.
    pub body: Body,
}

impl Record {
    /// The attributes of an entry (empty for change records other than add).
    pub fn attrs(&self) -> &[Attr] {
        match &self.body {
            Body::Entry { attrs, .. } => attrs,
            _ => &[],
        }
    }

    /// Every value of the attribute `name` (case-insensitive, options ignored).
    pub fn values<'r>(&'r self, name: &'r str) -> impl Iterator<Item = &'r Value> + 'r {
        self.attrs()
            .iter()
            .filter(move |attr| {
                // Most names differ in length: that test comes first.
                attr.name.len() >= name.len() && attr.base_name().eq_ignore_ascii_case(name)
            })
            .map(|attr| &attr.value)
    }

    /// The first text value of the attribute `name`.
    pub fn first_text<'r>(&'r self, name: &'r str) -> Option<&'r str> {
        self.values(name).find_map(Value::as_text)
    }
}

/// The text values of the attribute `name`, for tests of the readers.
#[cfg(test)]
pub(crate) fn texts(record: &Record, name: &str) -> Vec<String> {
    record
        .values(name)
        .filter_map(Value::as_text)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_hold_only_printable_ascii() {
        assert_eq!(
            Value::url(b"file:///x\x1b[2J \xe2\x80\xae%41"),
            Value::Url("file:///x%1B[2J%20%E2%80%AE%41".to_owned())
        );
        assert_eq!(percent_encoded(b"file:///etc/passwd"), "file:///etc/passwd");
    }
}
