//! Distinguished names (RFC 4514), as Active Directory writes and compares them.
//!
//! This module owns parsing a DN string into RDNs (in `parse`), the
//! comparison key under which DNs that Active Directory treats as equal are
//! equal, walking up the tree, and displaying a DN with minimal escaping. It
//! knows nothing about files or Exchange; `model/` asks it questions such as
//! "which RDN sits directly under `CN=Servers`?".
//!
//! Accepted on input, beyond RFC 4514: RFC 2253's `;` separator, spaces around
//! `,` `;` `+` `=`, quoted values (`CN="Smith, J"`), the `OID.` prefix, and
//! Active Directory's extended form `<GUID=…>;<SID=…>;CN=…`.

mod parse;

use std::fmt;

/// A parsed distinguished name: RDNs from the leaf (index 0) to the root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dn {
    rdns: Vec<Rdn>,
}

/// A relative distinguished name: one or more attribute-value assertions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rdn {
    avas: Vec<Ava>,
}

/// One `type=value` pair of an RDN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ava {
    /// The attribute type as written, without an `OID.` prefix.
    pub attr_type: String,
    /// The value after unescaping.
    pub value: AvaValue,
}

/// An attribute value: text (the usual case) or the raw BER bytes of a `#hex` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AvaValue {
    /// Unescaped text (a DN whose `\XX` octets are not UTF-8 is rejected).
    Text(String),
    /// The octets of a `#hexstring` value, kept undecoded.
    Ber(Vec<u8>),
}

/// Why a DN could not be parsed; `offset` is a byte offset into the DN string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid DN at byte {offset}: {reason}")]
pub struct DnError {
    /// Byte offset in the DN string where the problem was seen.
    pub offset: usize,
    /// What was expected and what was found.
    pub reason: String,
}

/// The comparison key of a DN: equal keys mean Active Directory treats the DNs
/// as the same object name.
///
/// Attribute types compare case-insensitively (well-known OIDs equal their
/// short names), values case-insensitively (per-character Unicode lowercase),
/// runs of interior spaces count as one, unescaped spaces around separators
/// are ignored, `\,` equals `\2C`, and the order of the parts of a
/// multi-valued RDN does not matter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DnKey(String);

impl DnKey {
    /// The canonical string behind the key (stable, escaped, lowercase).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DnKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a mangled RDN says about its object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mangling {
    /// `\0ADEL:<guid>`: the object is deleted (a tombstone).
    Deleted,
    /// `\0ACNF:<guid>`: the object lost a naming conflict.
    Conflict,
}

impl Dn {
    /// Parses a DN string. The empty string is the root DN (no RDNs).
    pub fn parse(input: &str) -> Result<Dn, DnError> {
        parse::parse(input)
    }

    /// The RDNs from the leaf to the root.
    pub fn rdns(&self) -> &[Rdn] {
        &self.rdns
    }

    /// True for the root (empty) DN.
    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }

    /// The DNS domain its `DC=` components name (`DC=Contoso,DC=com` →
    /// `Contoso.com`), empty without any.
    pub fn dns_domain(&self) -> String {
        let labels: Vec<&str> = self
            .rdns
            .iter()
            .filter_map(|rdn| rdn.value_text().filter(|value| rdn.is("dc", value)))
            .collect();
        labels.join(".")
    }

    /// The leaf RDN, if any.
    pub fn leaf(&self) -> Option<&Rdn> {
        self.rdns.first()
    }

    /// The parent DN (`None` for the root).
    pub fn parent(&self) -> Option<Dn> {
        self.ancestor(1)
    }

    /// The DN `levels` steps up (`ancestor(0)` is a copy of `self`).
    pub fn ancestor(&self, levels: usize) -> Option<Dn> {
        (levels <= self.rdns.len()).then(|| Dn {
            rdns: self.rdns[levels..].to_vec(),
        })
    }

    /// Every proper ancestor, nearest first, ending with the root.
    pub fn ancestors(&self) -> impl Iterator<Item = Dn> + '_ {
        (1..=self.rdns.len()).filter_map(|levels| self.ancestor(levels))
    }

    /// The position (from the leaf) of the nearest RDN that is exactly
    /// `attr_type=value` (compared as in [`DnKey`]), skipping the leaf itself.
    fn position_of_container(&self, attr_type: &str, value: &str) -> Option<usize> {
        (1..self.rdns.len()).find(|&i| self.rdns[i].is(attr_type, value))
    }

    /// Positions (from the leaf, the leaf excluded) of the RDNs that are
    /// exactly `attr_type=value`, nearest first.
    pub fn positions_of(&self, attr_type: &str, value: &str) -> Vec<usize> {
        (1..self.rdns.len())
            .filter(|&i| self.rdns[i].is(attr_type, value))
            .collect()
    }

    /// Whether the RDN at `position` (from the leaf) is exactly `attr_type=value`.
    pub fn rdn_is(&self, position: usize, attr_type: &str, value: &str) -> bool {
        self.rdns
            .get(position)
            .is_some_and(|rdn| rdn.is(attr_type, value))
    }

    /// The DN of the object directly under the nearest container named
    /// `attr_type=value`: for `CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,…`
    /// and `("cn", "Servers")` this is `CN=EX01,CN=Servers,…`.
    pub fn child_of(&self, attr_type: &str, value: &str) -> Option<Dn> {
        let container = self.position_of_container(attr_type, value)?;
        self.ancestor(container - 1)
    }

    /// True when some RDN is a container named `attr_type=value` (leaf excluded).
    pub fn is_under(&self, attr_type: &str, value: &str) -> bool {
        self.position_of_container(attr_type, value).is_some()
    }

    /// Whether some RDN carries Active Directory's deleted or conflict mangling.
    pub fn mangling(&self) -> Option<Mangling> {
        self.rdns.iter().find_map(Rdn::mangling)
    }

    /// A DN of the same RDNs and attribute types with each value replaced
    /// by `map(position, ava)`, `position` the RDN's index from the leaf:
    /// a value is mapped from what was parsed, never re-parsed.
    pub fn map_values(&self, mut map: impl FnMut(usize, &Ava) -> AvaValue) -> Dn {
        let rdns = self.rdns.iter().enumerate().map(|(position, rdn)| Rdn {
            avas: rdn
                .avas
                .iter()
                .map(|ava| Ava {
                    attr_type: ava.attr_type.clone(),
                    value: map(position, ava),
                })
                .collect(),
        });
        Dn {
            rdns: rdns.collect(),
        }
    }

    /// The comparison key.
    pub fn key(&self) -> DnKey {
        let mut key = String::with_capacity(self.rdns.len() * 16);
        for (i, rdn) in self.rdns.iter().enumerate() {
            if i > 0 {
                key.push(',');
            }
            rdn.push_key(&mut key);
        }
        DnKey(key)
    }
}

impl Rdn {
    /// The text value of a single-valued RDN (`EX01` for `CN=EX01`).
    pub fn value_text(&self) -> Option<&str> {
        match self.avas.as_slice() {
            [Ava {
                value: AvaValue::Text(text),
                ..
            }] => Some(text),
            _ => None,
        }
    }

    /// Whether the value carries `\nDEL:` or `\nCNF:` mangling.
    pub fn mangling(&self) -> Option<Mangling> {
        self.avas.iter().find_map(|ava| match &ava.value {
            AvaValue::Text(text) if text.contains("\nDEL:") => Some(Mangling::Deleted),
            AvaValue::Text(text) if text.contains("\nCNF:") => Some(Mangling::Conflict),
            _ => None,
        })
    }

    /// Whether this is the single-valued RDN `attr_type=value`, compared as
    /// in [`DnKey`] (without building the key).
    pub fn is(&self, attr_type: &str, value: &str) -> bool {
        let [ava] = self.avas.as_slice() else {
            return false;
        };
        let AvaValue::Text(text) = &ava.value else {
            return false;
        };
        same_type(&ava.attr_type, attr_type) && same_folded(text, value)
    }

    /// Appends this RDN's part of the key: its AVAs' keys, sorted, joined by `+`.
    fn push_key(&self, out: &mut String) {
        if let [ava] = self.avas.as_slice() {
            return ava.push_key(out);
        }
        let mut parts: Vec<String> = self
            .avas
            .iter()
            .map(|ava| {
                let mut part = String::new();
                ava.push_key(&mut part);
                part
            })
            .collect();
        parts.sort();
        out.push_str(&parts.join("+"));
    }
}

impl Ava {
    /// Appends `type=value` as the key compares it.
    fn push_key(&self, out: &mut String) {
        push_canonical_type(&self.attr_type, out);
        out.push('=');
        match &self.value {
            AvaValue::Text(text) if text.is_ascii() => push_escaped(folded_ascii(text), out),
            AvaValue::Text(text) => push_escaped(folded(text), out),
            AvaValue::Ber(bytes) => push_hexstring(bytes, out),
        }
    }
}

/// Whether two attribute types name the same attribute.
fn same_type(a: &str, b: &str) -> bool {
    let oid = |t: &str| t.starts_with(|c: char| c.is_ascii_digit());
    a.eq_ignore_ascii_case(b) || ((oid(a) || oid(b)) && canonical_type(a) == canonical_type(b))
}

/// Lowercases the type and maps well-known OIDs to their short names.
fn canonical_type(attr_type: &str) -> String {
    let mut out = String::with_capacity(attr_type.len());
    push_canonical_type(attr_type, &mut out);
    out
}

/// Appends the canonical form of an attribute type (see [`canonical_type`]).
fn push_canonical_type(attr_type: &str, out: &mut String) {
    let start = out.len();
    out.extend(attr_type.chars().map(|c| c.to_ascii_lowercase()));
    let short = match &out[start..] {
        "2.5.4.3" => "cn",
        "2.5.4.6" => "c",
        "2.5.4.7" => "l",
        "2.5.4.8" => "st",
        "2.5.4.9" => "street",
        "2.5.4.10" => "o",
        "2.5.4.11" => "ou",
        "0.9.2342.19200300.100.1.1" => "uid",
        "0.9.2342.19200300.100.1.25" => "dc",
        _ => return,
    };
    out.truncate(start);
    out.push_str(short);
}

/// The characters of a value as the key compares them: lowercased, runs of
/// spaces collapsed.
fn folded(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous_space = false;
    text.chars()
        .filter(move |&c| {
            let repeated = c == ' ' && previous_space;
            previous_space = c == ' ';
            !repeated
        })
        .flat_map(char::to_lowercase)
}

/// [`folded`] for ASCII text, byte by byte.
fn folded_ascii(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous_space = false;
    text.bytes().filter_map(move |b| {
        let repeated = b == b' ' && previous_space;
        previous_space = b == b' ';
        (!repeated).then_some(char::from(b.to_ascii_lowercase()))
    })
}

/// Whether two values are equal as the key compares them (ASCII without
/// runs of spaces, the usual case, is compared without folding).
fn same_folded(a: &str, b: &str) -> bool {
    let plain = |t: &str| t.is_ascii() && !t.contains("  ");
    if plain(a) && plain(b) {
        return a.eq_ignore_ascii_case(b);
    }
    folded(a).eq(folded(b))
}

impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{rdn}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Rdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ava) in self.avas.iter().enumerate() {
            if i > 0 {
                f.write_str("+")?;
            }
            let mut out = ava.attr_type.clone();
            out.push('=');
            match &ava.value {
                AvaValue::Text(text) => escape_value(text, &mut out),
                AvaValue::Ber(bytes) => push_hexstring(bytes, &mut out),
            }
            f.write_str(&out)?;
        }
        Ok(())
    }
}

/// Escapes a value with the minimal escaping RFC 4514 asks for, plus control
/// characters as `\XX` (Active Directory writes a mangling LF as `\0A`).
fn escape_value(text: &str, out: &mut String) {
    push_escaped(text.chars(), out);
}

/// Appends `chars` escaped as [`escape_value_text`] does, in one pass.
fn push_escaped(chars: impl Iterator<Item = char>, out: &mut String) {
    let mut chars = chars.peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let last = chars.peek().is_none();
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if first => out.push_str("\\#"),
            ' ' if first || last => out.push_str("\\ "),
            c if (c as u32) < 0x20 || c == '\u{7f}' => push_hex_escape(c as u8, out),
            c => out.push(c),
        }
        first = false;
    }
}

/// Appends `\XX` for one octet.
fn push_hex_escape(byte: u8, out: &mut String) {
    out.push('\\');
    push_hex(byte, out);
}

/// Appends one octet as two uppercase hex digits.
fn push_hex(byte: u8, out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    out.push(char::from(DIGITS[usize::from(byte >> 4)]));
    out.push(char::from(DIGITS[usize::from(byte & 0xF)]));
}

fn push_hexstring(bytes: &[u8], out: &mut String) {
    out.push('#');
    for &byte in bytes {
        push_hex(byte, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> DnKey {
        Dn::parse(s).unwrap().key()
    }

    #[test]
    fn escaped_comma_forms_are_equal() {
        assert_eq!(key(r"CN=Smith\, J,DC=x"), key(r"cn=smith\2C j, dc=X"));
    }

    #[test]
    fn spaces_around_separators_are_ignored() {
        assert_eq!(
            key("CN=EX01 , CN=Servers ,DC=a"),
            key("cn=ex01,cn=servers,dc=a")
        );
    }

    #[test]
    fn escaped_trailing_space_is_significant() {
        assert_ne!(key(r"CN=a\ ,DC=x"), key("CN=a,DC=x"));
    }

    #[test]
    fn hex_escapes_decode_utf8() {
        let dn = Dn::parse(r"CN=Lu\C4\8Di\C4\87").unwrap();
        assert_eq!(dn.leaf().unwrap().value_text(), Some("Lučić"));
        assert_eq!(dn.to_string(), "CN=Lučić");
    }

    #[test]
    fn multi_valued_rdn_order_is_irrelevant() {
        assert_eq!(key("OU=Sales+CN=J,DC=x"), key("CN=J+OU=Sales,DC=x"));
    }

    #[test]
    fn unicode_values_compare_case_insensitively() {
        assert_eq!(key("CN=ÉCOLE"), key("cn=école"));
    }

    #[test]
    fn extended_form_is_stripped() {
        let dn = Dn::parse("<GUID=1234>;<SID=S-1-5>;CN=EX01,DC=x").unwrap();
        assert_eq!(dn.to_string(), "CN=EX01,DC=x");
    }

    #[test]
    fn child_of_servers_finds_the_server() {
        let dn = Dn::parse("CN=1,CN=SMTP,CN=Protocols,CN=EX01,CN=Servers,CN=AG,DC=x").unwrap();
        let server = dn.child_of("cn", "servers").unwrap();
        assert_eq!(server.to_string(), "CN=EX01,CN=Servers,CN=AG,DC=x");
        let bare = Dn::parse("CN=EX01,CN=Servers,CN=AG").unwrap();
        assert_eq!(bare.child_of("CN", "Servers").unwrap(), bare);
        assert!(Dn::parse("CN=Servers,CN=AG")
            .unwrap()
            .child_of("cn", "servers")
            .is_none());
    }

    #[test]
    fn deleted_and_conflict_names_are_recognized() {
        let deleted = Dn::parse(r"CN=Old\0ADEL:1f2e,CN=Deleted Objects,DC=x").unwrap();
        assert_eq!(deleted.mangling(), Some(Mangling::Deleted));
        assert_eq!(
            deleted.to_string(),
            r"CN=Old\0ADEL:1f2e,CN=Deleted Objects,DC=x"
        );
        let conflict = Dn::parse(r"CN=EX\0ACNF:99,DC=x").unwrap();
        assert_eq!(conflict.mangling(), Some(Mangling::Conflict));
    }

    #[test]
    fn invalid_dns_are_errors() {
        for bad in [
            "CN=a,,DC=x",
            "CN=a,",
            "a",
            "CN=a\\",
            r"CN=a\G1",
            "CN=#0",
            "=a",
            "CN=a\"b",
        ] {
            assert!(Dn::parse(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn angle_brackets_before_multibyte_text_are_not_an_extended_prefix() {
        // Found by the LDIF round-trip property test: a byte slice in the
        // middle of a multi-byte character used to panic.
        assert!(Dn::parse("<A 00  \u{ab70}>").is_err());
        assert!(Dn::parse("<GUI\u{e9}>;CN=a").is_err());
    }

    #[test]
    fn ancestors_walk_to_the_root() {
        let dn = Dn::parse("CN=a,CN=b,DC=c").unwrap();
        let walked: Vec<String> = dn.ancestors().map(|d| d.to_string()).collect();
        assert_eq!(walked, ["CN=b,DC=c", "DC=c", ""]);
    }

    #[test]
    fn values_map_without_reparsing_and_keep_their_types() {
        let dn = Dn::parse("CN=a\\,b+OU=c,dc=x,DC=#0401").unwrap();
        let mapped = dn.map_values(|position, ava| match &ava.value {
            AvaValue::Text(text) => AvaValue::Text(format!("{position}{}", text.len())),
            AvaValue::Ber(_) => AvaValue::Text(",".to_owned()),
        });
        assert_eq!(mapped.to_string(), "CN=03+OU=01,dc=11,DC=\\,");
        assert_eq!(mapped.rdns().len(), dn.rdns().len());
    }
}
