//! Benchmark peer: the Send-connector source analysis as a careful user
//! writes it on the `ldif-parser` crate (reads the whole file into a String,
//! parses every entry), with a small RFC 4514 DN parser of its own.
//!
//! For every live SMTP Send connector (objectClass
//! msExchRoutingSMTPConnector, not `isDeleted: TRUE`), each
//! msExchSourceBridgeheadServersDN value is parsed into RDNs; the RDN
//! directly under the `cn=Servers` container is the source server (the value
//! is usually the server's SMTP virtual server, sometimes the server itself).
//! Attribute types and values are compared case-insensitively; Active
//! Directory's extended form (`<GUID=…>;<SID=…>;` before the DN) is
//! stripped first. References to
//! deleted objects (a mangled `\0ADEL:` RDN, or under `cn=Deleted Objects`)
//! and references that are not DNs are skipped and counted on stderr.
//!
//! Prints `{"server": ["connector", ...]}` as JSON for comparison with exconn.

use std::collections::{BTreeMap, BTreeSet};

use ldif_parser::LdifParser;

/// One RDN: its attribute type/value pairs (more than one when joined by `+`).
type Rdn = Vec<(String, String)>;

/// Parses an RFC 4514 string DN (leaf first), unescaping the values: `\,`
/// and the other escaped specials, `\XX` hex pairs (several make one UTF-8
/// character), RFC 2253 quoted values, spaces around separators, and `+`
/// between the values of a multi-valued RDN. `None` if it is not a DN.
fn parse_dn(dn: &str) -> Option<Vec<Rdn>> {
    let bytes = dn.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let skip_spaces = |mut i: usize| {
        while bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    };
    let (mut rdns, mut rdn) = (Vec::new(), Rdn::new());
    let mut i = skip_spaces(0);
    if i == bytes.len() {
        return Some(rdns);
    }
    loop {
        let eq = i + bytes[i..].iter().position(|&b| b == b'=')?;
        let kind = dn[i..eq].trim_end_matches(' ');
        let first = kind.bytes().next()?;
        let is_name = first.is_ascii_alphabetic()
            && kind.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let is_oid =
            first.is_ascii_digit() && kind.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        if !(is_name || is_oid) {
            return None;
        }
        i = skip_spaces(eq + 1);
        let mut value = Vec::new();
        let quoted = bytes.get(i) == Some(&b'"');
        if quoted {
            i += 1;
        }
        let mut kept = 0; // length of `value` without unescaped trailing spaces
        loop {
            match bytes.get(i).copied() {
                None if quoted => return None,
                None => break,
                Some(b'"') if quoted => {
                    i = skip_spaces(i + 1);
                    break;
                }
                Some(b',' | b';' | b'+') if !quoted => break,
                Some(b'\\') => {
                    let (a, b) = (*bytes.get(i + 1)?, bytes.get(i + 2).copied());
                    match (hex(a), b.and_then(hex)) {
                        (Some(high), Some(low)) => {
                            value.push(high << 4 | low);
                            i += 3;
                        }
                        _ if b"\\\"#+,;<=> ".contains(&a) => {
                            value.push(a);
                            i += 2;
                        }
                        _ => return None,
                    }
                    kept = value.len();
                }
                Some(b) => {
                    value.push(b);
                    i += 1;
                    if b != b' ' || quoted {
                        kept = value.len();
                    }
                }
            }
        }
        value.truncate(kept);
        rdn.push((kind.to_owned(), String::from_utf8(value).ok()?));
        match bytes.get(i).copied() {
            None => {
                rdns.push(rdn);
                return Some(rdns);
            }
            Some(b'+') => {}
            Some(b',' | b';') => rdns.push(std::mem::take(&mut rdn)),
            Some(_) => return None,
        }
        i = skip_spaces(i + 1);
    }
}

/// The name of the server a reference points at or under, or why there is none.
fn server_of(mut reference: &str) -> Result<String, &'static str> {
    while let Some((_, rest)) = reference.strip_prefix('<').and_then(|r| r.split_once(">;")) {
        reference = rest;
    }
    let rdns = parse_dn(reference).ok_or("not a DN")?;
    let folded: Vec<Vec<(String, String)>> = rdns
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|(t, v)| (t.to_lowercase(), v.to_lowercase()))
                .collect()
        })
        .collect();
    let is = |rdn: &[(String, String)], value: &str| {
        rdn.len() == 1 && rdn[0].0 == "cn" && rdn[0].1 == value
    };
    if folded.iter().flatten().any(|(_, v)| v.contains("\ndel:"))
        || folded.iter().any(|rdn| is(rdn, "deleted objects"))
    {
        return Err("deleted object");
    }
    // The Servers container nearest the root: a server could be named Servers.
    let at = (1..folded.len())
        .rev()
        .find(|&at| is(&folded[at], "servers"))
        .ok_or("not under cn=Servers")?;
    rdns[at - 1]
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case("cn"))
        .map(|(_, v)| v.clone())
        .ok_or("not under cn=Servers")
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: ldif-parser-peer FILE");
    let text = std::fs::read_to_string(&path).expect("the export is UTF-8 text");
    let parsed = match LdifParser::parse_with_warnings(&text) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("ldif-parser: {error}");
            std::process::exit(2);
        }
    };
    // Lowercased server name -> (name as first seen, connectors).
    let mut sources: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for entry in &parsed.entries {
        if !entry.has_object_class("msExchRoutingSMTPConnector") {
            continue;
        }
        if entry
            .get_attr("isDeleted")
            .is_some_and(|v| v.iter().any(|v| v.eq_ignore_ascii_case("TRUE")))
        {
            continue;
        }
        let name = match entry.get_attr("cn").and_then(|v| v.first()) {
            Some(cn) => cn.clone(),
            None => parse_dn(&entry.dn)
                .and_then(|rdns| rdns.into_iter().next())
                .and_then(|rdn| rdn.into_iter().next())
                .map_or_else(|| entry.dn.clone(), |(_, value)| value),
        };
        for reference in entry
            .get_attr("msExchSourceBridgeheadServersDN")
            .into_iter()
            .flatten()
        {
            match server_of(reference) {
                Ok(server) => {
                    let (_, connectors) = sources
                        .entry(server.to_lowercase())
                        .or_insert_with(|| (server, BTreeSet::new()));
                    connectors.insert(name.clone());
                }
                Err(reason) => {
                    let count = skipped.entry(reason).or_default();
                    *count += 1;
                    if reason == "not a DN" && *count <= 3 {
                        eprintln!("not a DN: {reference:?}");
                    }
                }
            }
        }
    }
    for (reason, count) in skipped {
        eprintln!("{count} source references skipped: {reason}");
    }
    let sources: BTreeMap<&String, &BTreeSet<String>> = sources
        .values()
        .map(|(name, connectors)| (name, connectors))
        .collect();
    println!("{}", serde_json::to_string(&sources).expect("JSON"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RDNs of a DN as `type=value` (`+` between the pairs of one RDN), unescaped.
    fn dn(text: &str) -> Vec<String> {
        let rdns = parse_dn(text).unwrap_or_else(|| panic!("{text:?} should parse"));
        rdns.iter()
            .map(|rdn| {
                rdn.iter()
                    .map(|(t, v)| format!("{t}={v}"))
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .collect()
    }

    #[test]
    fn parses_the_spellings_of_rfc_4514() {
        assert_eq!(dn("CN=a\\,b,DC=x"), ["CN=a,b", "DC=x"]);
        assert_eq!(dn("cn = a , dc=x "), ["cn=a", "dc=x"]);
        assert_eq!(dn("CN=\\45X1\\2C\\E6\\9D\\B1;DC=x"), ["CN=EX1,東", "DC=x"]);
        assert_eq!(
            dn("CN=\"a, b+c\" +OU=d\\ ,DC=x"),
            ["CN=a, b+c+OU=d ", "DC=x"]
        );
        assert_eq!(
            dn("CN=a\\0ADEL:1,2.5.4.3=\\#b"),
            ["CN=a\nDEL:1", "2.5.4.3=#b"]
        );
        assert!(dn("").is_empty());
        for bad in [
            "<GUID=1>;CN=a",
            "CN=a,b",
            "CN=\"a",
            "CN=a\\",
            "CN=a\\x",
            "=a",
            "CN=\\FF",
        ] {
            assert_eq!(parse_dn(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn finds_the_server_under_the_servers_container() {
        let vsi =
            "CN=1,CN=SMTP,CN=Protocols,CN=\\45X1,CN=SERVERS,CN=AG,CN=Administrative Groups,DC=x";
        assert_eq!(server_of(vsi), Ok("EX1".to_owned()));
        assert_eq!(
            server_of("cn=ex1 , cn=servers , dc=x"),
            Ok("ex1".to_owned())
        );
        assert_eq!(
            server_of("CN=Servers,CN=Servers,DC=x"),
            Ok("Servers".to_owned())
        );
        assert_eq!(
            server_of("CN=EX1\\0ADEL:1,CN=Servers,DC=x"),
            Err("deleted object")
        );
        assert_eq!(
            server_of("CN=EX1,CN=Servers,CN=Deleted Objects,DC=x"),
            Err("deleted object")
        );
        assert_eq!(
            server_of("CN=Retired,OU=Old,DC=x"),
            Err("not under cn=Servers")
        );
    }
}
