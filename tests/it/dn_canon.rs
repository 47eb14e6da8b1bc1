//! The DN module against perl-ldap's canonical-DN cases
//! (`perl-ldap/dn_canon_cases.txt` in the shared corpus) and against the
//! comparison rules of our own key.
//!
//! File format (the `__DATA__` block of perl-ldap t/01canon_dn.t): each case
//! line is an op word, whitespace (a tab, or two spaces on a few lines), and
//! the DN up to the end of the line. The harness matched `^(\w+)\s+(.*)`, so
//! lines that do not start with a word (blank lines, `#` comments, and
//! commented-out cases such as `#bad ...`) are not cases, a bare `ref` is the
//! empty DN, and trailing whitespace belongs to the DN (four `bad` lines end
//! with a tab).
//!
//! - `ref`: must parse; becomes the reference DN.
//! - `same`: must parse with the same key as the reference.
//! - `diff`: must parse with a different key.
//! - `bad`: must fail to parse. The trailing tabs of the "invalid HEX form"
//!   lines are kept as the original harness read them; the form without the
//!   trailing whitespace must fail as well, so those cases test the hex form
//!   and not only the stray tab.
//!
//! Every DN that parses must also survive `Dn::parse(&dn.to_string())` with
//! the same key.

use exconn::dn::{Dn, DnKey};
use std::fs;

/// Splits a case line into (op, dn); `None` for lines that are not cases.
fn split_case(line: &str) -> Option<(&str, &str)> {
    let op_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(line.len());
    if op_end == 0 {
        return None;
    }
    let (op, rest) = line.split_at(op_end);
    if rest.is_empty() {
        // `ref` alone: the empty DN.
        return Some((op, ""));
    }
    let dn = rest.trim_start_matches(|c: char| c.is_whitespace());
    if dn.len() == rest.len() {
        // The op word is not followed by whitespace.
        return None;
    }
    Some((op, dn))
}

/// Parses `dn` and checks the display round trip; the key on success.
fn parse_with_round_trip(dn: &str, mismatches: &mut Vec<String>, at: &str) -> Option<DnKey> {
    let parsed = Dn::parse(dn).ok()?;
    let key = parsed.key();
    let shown = parsed.to_string();
    match Dn::parse(&shown) {
        Ok(again) => {
            if again.key() != key {
                mismatches.push(format!(
                    "{at}: {dn:?} displays as {shown:?}, which parses with a different key \
                     ({:?} instead of {key:?})",
                    again.key()
                ));
            }
        }
        Err(_) => mismatches.push(format!(
            "{at}: {dn:?} displays as {shown:?}, which does not parse"
        )),
    }
    Some(key)
}

#[test]
fn perl_ldap_dn_canon_cases() {
    let Some(root) = crate::corpus::corpus_root() else {
        return;
    };
    let path = root.join("perl-ldap/dn_canon_cases.txt");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));

    let mut mismatches = Vec::new();
    let mut checked = 0usize;
    // The last `ref` line: its DN and, when it parsed, its key.
    let mut reference: Option<(String, Option<DnKey>)> = None;

    for (index, line) in text.lines().enumerate() {
        let Some((op, dn)) = split_case(line) else {
            continue;
        };
        checked += 1;
        let at = format!("line {}", index + 1);
        match op {
            "ref" => {
                let key = parse_with_round_trip(dn, &mut mismatches, &at);
                if key.is_none() {
                    mismatches.push(format!("{at}: ref {dn:?} must parse, but failed"));
                }
                reference = Some((dn.to_string(), key));
            }
            "same" | "diff" => {
                let Some(key) = parse_with_round_trip(dn, &mut mismatches, &at) else {
                    mismatches.push(format!("{at}: {op} {dn:?} must parse, but failed"));
                    continue;
                };
                let Some((ref_dn, ref_key)) = &reference else {
                    mismatches.push(format!("{at}: {op} line before any ref line"));
                    continue;
                };
                let Some(ref_key) = ref_key else {
                    mismatches.push(format!(
                        "{at}: {op} {dn:?} not compared: its ref {ref_dn:?} did not parse"
                    ));
                    continue;
                };
                let equal = &key == ref_key;
                if op == "same" && !equal {
                    mismatches.push(format!(
                        "{at}: same {dn:?} must have the key of {ref_dn:?}: got {key:?}, \
                         ref has {ref_key:?}"
                    ));
                } else if op == "diff" && equal {
                    mismatches.push(format!(
                        "{at}: diff {dn:?} must have a key different from {ref_dn:?}, \
                         both are {key:?}"
                    ));
                }
            }
            "bad" => {
                let trimmed = dn.trim_end();
                let forms: &[&str] = if trimmed == dn { &[dn] } else { &[dn, trimmed] };
                for form in forms {
                    if let Ok(parsed) = Dn::parse(form) {
                        mismatches.push(format!(
                            "{at}: bad {form:?} must fail to parse, but parsed as {:?} \
                             (key {:?})",
                            parsed.to_string(),
                            parsed.key()
                        ));
                    }
                }
            }
            other => mismatches.push(format!("{at}: unknown op {other:?}")),
        }
    }

    eprintln!("dn_canon_cases.txt: {checked} case(s) checked");
    assert!(checked > 0, "no cases found in {}", path.display());
    if !mismatches.is_empty() {
        panic!(
            "{} mismatch(es) in {} ({checked} case(s) checked):\n  - {}",
            mismatches.len(),
            path.display(),
            mismatches.join("\n  - ")
        );
    }
}

/// The rules of our key beyond the perl-ldap data, which never differs only
/// in value case: values compare case-insensitively, runs of interior spaces
/// collapse, escaped leading/trailing spaces stay significant, and `#hex`
/// values are distinct from string values.
#[test]
fn dn_key_rules() {
    const CASES: &[(&str, &str, bool)] = &[
        // (a, b, same key?)
        (
            "CN=Send Connector,CN=Routing Groups,DC=Example,DC=COM",
            "cn=send connector,cn=routing groups,dc=example,dc=com",
            true,
        ),
        (
            "CN=EXCH01,CN=Servers,DC=contoso,DC=com",
            "CN=exch01,CN=servers,DC=Contoso,DC=Com",
            true,
        ),
        ("CN=Lučić,DC=x", "CN=LUČIĆ,DC=x", true),
        ("CN=Foo   Bar,DC=x", "CN=Foo Bar,DC=x", true),
        ("CN=Foo\\20\\20Bar,DC=x", "CN=Foo Bar,DC=x", true),
        ("CN=\\20Foo,DC=x", "CN=Foo,DC=x", false),
        ("CN=Foo\\20,DC=x", "CN=Foo,DC=x", false),
        ("CN=#464F4F,DC=x", "CN=FOO,DC=x", false),
        ("CN=#464F4F,DC=x", "CN=\\23464F4F,DC=x", false),
        ("CN=a,DC=x", "CN=a,DC=y", false),
        ("CN=a,DC=x", "CN=a,DC=x,DC=y", false),
        ("CN=a+SN=b,DC=x", "SN=b+CN=a,DC=x", true),
        ("CN=a\\,b,DC=x", "CN=a\\2Cb,DC=x", true),
        ("CN=a\\,b,DC=x", "CN=a,CN=b,DC=x", false),
    ];
    let mut mismatches = Vec::new();
    for (a, b, same) in CASES {
        let mut keys = Vec::new();
        for dn in [a, b] {
            match parse_with_round_trip(dn, &mut mismatches, "dn_key_rules") {
                Some(k) => keys.push(k),
                None => mismatches.push(format!("{dn:?} must parse, but failed")),
            }
        }
        if let [ka, kb] = keys.as_slice() {
            if (ka == kb) != *same {
                mismatches.push(format!(
                    "{a:?} vs {b:?}: expected {} keys, got {ka:?} and {kb:?}",
                    if *same { "equal" } else { "different" }
                ));
            }
        }
    }
    if !mismatches.is_empty() {
        panic!(
            "{} mismatch(es):\n  - {}",
            mismatches.len(),
            mismatches.join("\n  - ")
        );
    }
}
