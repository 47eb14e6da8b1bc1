//! Parsing a DN string (RFC 4514, with what Active Directory and older
//! writers add: `;` separators, spaces around separators, quoted values,
//! the `OID.` prefix and the extended form `<GUID=…>;CN=…`) into RDNs.

use super::{Ava, AvaValue, Dn, DnError, Rdn};

/// Parses a DN string, its extended-DN prefix left out. The empty string
/// is the root DN (no RDNs).
pub(super) fn parse(input: &str) -> Result<Dn, DnError> {
    Parser {
        s: input.as_bytes(),
        pos: extended_prefix_len(input),
    }
    .parse_dn()
}

/// Length of Active Directory's extended-DN prefix (`<GUID=…>;<SID=…>;`), if any.
fn extended_prefix_len(input: &str) -> usize {
    let bytes = input.as_bytes();
    let mut pos = 0;
    while bytes.get(pos) == Some(&b'<') {
        let Some(close) = memchr::memchr(b'>', &bytes[pos..]) else {
            return 0;
        };
        let inner = &bytes[pos + 1..pos + close];
        let known = ["GUID=", "SID=", "WKGUID="].iter().any(|prefix| {
            inner
                .get(..prefix.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
        });
        if !known {
            return 0;
        }
        pos += close + 1;
        if bytes.get(pos) == Some(&b';') {
            pos += 1;
        } else {
            break;
        }
    }
    pos
}

struct Parser<'s> {
    s: &'s [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error<T>(&self, reason: impl Into<String>) -> Result<T, DnError> {
        Err(DnError {
            offset: self.pos,
            reason: reason.into(),
        })
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn parse_dn(mut self) -> Result<Dn, DnError> {
        let mut rdns = Vec::new();
        self.skip_spaces();
        if self.peek().is_none() {
            return Ok(Dn { rdns });
        }
        loop {
            rdns.push(self.parse_rdn()?);
            match self.peek() {
                None => break,
                Some(b',' | b';') => {
                    self.pos += 1;
                    self.skip_spaces();
                    if self.peek().is_none() {
                        return self.error("expected an RDN after the separator, found the end");
                    }
                }
                Some(other) => {
                    return self.error(format!(
                        "expected ',' or the end after a value, found '{}'",
                        other as char
                    ))
                }
            }
        }
        Ok(Dn { rdns })
    }

    fn parse_rdn(&mut self) -> Result<Rdn, DnError> {
        let mut avas = vec![self.parse_ava()?];
        while self.peek() == Some(b'+') {
            self.pos += 1;
            self.skip_spaces();
            avas.push(self.parse_ava()?);
        }
        Ok(Rdn { avas })
    }

    fn parse_ava(&mut self) -> Result<Ava, DnError> {
        self.skip_spaces();
        let attr_type = self.parse_type()?;
        self.skip_spaces();
        if self.peek() != Some(b'=') {
            return match self.peek() {
                Some(c) => self.error(format!(
                    "expected '=' after the attribute type, found '{}'",
                    c as char
                )),
                None => self.error("expected '=' after the attribute type, found the end"),
            };
        }
        self.pos += 1;
        self.skip_spaces();
        let value = match self.peek() {
            Some(b'#') => AvaValue::Ber(self.parse_hexstring()?),
            Some(b'"') => AvaValue::Text(self.parse_quoted()?),
            _ => AvaValue::Text(self.parse_string()?),
        };
        self.skip_spaces();
        Ok(Ava { attr_type, value })
    }

    fn parse_type(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        let rest = &self.s[start..];
        if rest.len() >= 4
            && rest[..4].eq_ignore_ascii_case(b"oid.")
            && rest.get(4).is_some_and(u8::is_ascii_digit)
        {
            self.pos += 4;
            return self.parse_numeric_oid();
        }
        match self.peek() {
            Some(c) if c.is_ascii_digit() => self.parse_numeric_oid(),
            Some(c) if c.is_ascii_alphabetic() => {
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'-')
                {
                    self.pos += 1;
                }
                Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
            }
            Some(c) => self.error(format!("expected an attribute type, found '{}'", c as char)),
            None => self.error("expected an attribute type, found the end"),
        }
    }

    fn parse_numeric_oid(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        loop {
            let digits_start = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == digits_start {
                return self.error("expected a digit in the numeric OID");
            }
            if self.peek() == Some(b'.') {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            return self.error("expected a digit or '.' in the numeric OID");
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    fn parse_hexstring(&mut self) -> Result<Vec<u8>, DnError> {
        self.pos += 1;
        let mut bytes = Vec::new();
        while let Some(c) = self.peek() {
            if !c.is_ascii_hexdigit() {
                break;
            }
            let Some(low) = self
                .s
                .get(self.pos + 1)
                .copied()
                .filter(u8::is_ascii_hexdigit)
            else {
                return self.error("expected a pair of hex digits after '#'");
            };
            bytes.push(hex_value(c) << 4 | hex_value(low));
            self.pos += 2;
        }
        if bytes.is_empty() {
            return self.error("expected hex digits after '#'");
        }
        match self.peek() {
            None | Some(b',' | b';' | b'+' | b' ') => Ok(bytes),
            Some(c) => self.error(format!("expected a hex digit, found '{}'", c as char)),
        }
    }

    fn parse_quoted(&mut self) -> Result<String, DnError> {
        self.pos += 1;
        let mut octets = Vec::new();
        loop {
            match self.peek() {
                None => return self.error("expected a closing '\"', found the end"),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => octets.push(self.parse_escape()?),
                Some(c) => {
                    octets.push(c);
                    self.pos += 1;
                }
            }
        }
        self.octets_to_text(octets)
    }

    /// An unquoted value: runs until an unescaped separator; unescaped
    /// trailing spaces are insignificant, escaped ones are kept.
    fn parse_string(&mut self) -> Result<String, DnError> {
        let mut octets = Vec::new();
        let mut significant_len = 0;
        loop {
            match self.peek() {
                None | Some(b',' | b';' | b'+') => break,
                Some(b'\\') => {
                    octets.push(self.parse_escape()?);
                    significant_len = octets.len();
                }
                Some(b'"') => return self.error("unescaped '\"' in a value"),
                Some(b'<' | b'>') => return self.error("unescaped '<' or '>' in a value"),
                Some(c) => {
                    octets.push(c);
                    self.pos += 1;
                    if c != b' ' {
                        significant_len = octets.len();
                    }
                }
            }
        }
        octets.truncate(significant_len);
        self.octets_to_text(octets)
    }

    fn parse_escape(&mut self) -> Result<u8, DnError> {
        let escaped = self.s.get(self.pos + 1).copied();
        match escaped {
            Some(c) if c.is_ascii_hexdigit() => {
                let Some(low) = self
                    .s
                    .get(self.pos + 2)
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                else {
                    return self.error("expected two hex digits after '\\'");
                };
                self.pos += 3;
                Ok(hex_value(c) << 4 | hex_value(low))
            }
            Some(c @ (b' ' | b'"' | b'#' | b'+' | b',' | b';' | b'<' | b'=' | b'>' | b'\\')) => {
                self.pos += 2;
                Ok(c)
            }
            Some(c) => self.error(format!(
                "expected a special character or two hex digits after '\\', found '{}'",
                c as char
            )),
            None => self.error("expected a character after '\\', found the end"),
        }
    }

    fn octets_to_text(&self, octets: Vec<u8>) -> Result<String, DnError> {
        String::from_utf8(octets).or_else(|_| self.error("escaped octets are not valid UTF-8"))
    }
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}
