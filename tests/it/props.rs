//! Property tests: DN parse → display → parse is stable, and LDIF written by
//! `dump --format ldif` reads back to the same records.

use exconn::dn::Dn;
use exconn::input::ldif;
use exconn::record::{Attr, Body, Control, ModOp, Modification, Record, RenameKeyword, Value};
use exconn::report::dump;
use proptest::prelude::*;

/// Escapes a value for a DN string the long way: every special character
/// with a backslash, control characters as hex pairs.
fn escape_for_dn(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '#' | ' ' | '=' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn attr_type() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "CN",
        "cn",
        "OU",
        "DC",
        "O",
        "uid",
        "1.2.840.113556.1.4.1",
    ])
    .prop_map(str::to_owned)
}

fn dn_string() -> impl Strategy<Value = String> {
    let ava = (attr_type(), "\\PC{0,12}|[ ,+#=\\\\\"<>;a-zé東]{0,8}")
        .prop_map(|(t, v)| format!("{t}={}", escape_for_dn(&v)));
    let rdn = prop::collection::vec(ava, 1..3).prop_map(|avas| avas.join("+"));
    prop::collection::vec(rdn, 0..5).prop_map(|rdns| rdns.join(","))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn dn_display_then_parse_is_stable(text in dn_string()) {
        let parsed = Dn::parse(&text).expect("generated DNs are valid");
        let shown = parsed.to_string();
        let again = Dn::parse(&shown).expect("displayed DNs parse");
        prop_assert_eq!(&again, &parsed, "{} -> {}", text, shown);
        prop_assert_eq!(again.key(), parsed.key());
        prop_assert_eq!(again.to_string(), shown);
    }
}

fn attr_name() -> impl Strategy<Value = String> {
    (
        "[a-z][a-zA-Z0-9-]{0,8}",
        prop::option::of("lang-[a-z]{2}|binary"),
    )
        .prop_filter("reserved LDIF keywords", |(name, _)| {
            ![
                "dn",
                "changetype",
                "control",
                "version",
                "search",
                "result",
                "ref",
            ]
            .contains(&name.to_ascii_lowercase().as_str())
        })
        .prop_map(|(name, option)| match option {
            Some(option) => format!("{name};{option}"),
            None => name,
        })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 0..24).prop_map(Value::Bytes),
        3 => "\\PC{0,20}".prop_map(|s| Value::Bytes(s.into_bytes())),
        1 => "(file|http)://[a-z/.]{1,16}".prop_map(Value::Url),
    ]
}

fn attrs(min: usize) -> impl Strategy<Value = Vec<Attr>> {
    prop::collection::vec(
        (attr_name(), value()).prop_map(|(name, value)| Attr { name, value }),
        min..6,
    )
}

fn controls() -> impl Strategy<Value = Vec<Control>> {
    prop::collection::vec(
        (
            "[1-9][0-9]{0,3}(\\.[0-9]{1,4}){1,4}",
            any::<bool>(),
            prop::option::of(value()),
        )
            .prop_map(|(oid, critical, value)| Control {
                oid,
                critical,
                value,
            }),
        0..2,
    )
}

fn modification() -> impl Strategy<Value = Modification> {
    (
        prop::sample::select(vec![
            ModOp::Add,
            ModOp::Delete,
            ModOp::Replace,
            ModOp::Increment,
        ]),
        attr_name(),
        prop::collection::vec(value(), 0..3),
    )
        .prop_map(|(op, attr, values)| Modification { op, attr, values })
}

fn record() -> impl Strategy<Value = Record> {
    let dn = "\\PC{0,30}";
    prop_oneof![
        (dn, attrs(1)).prop_map(|(dn, attrs)| Record {
            dn,
            offset: 0,
            controls: Vec::new(),
            body: Body::Entry {
                attrs,
                changetype_add: false
            },
        }),
        (dn, controls(), attrs(1)).prop_map(|(dn, controls, attrs)| Record {
            dn,
            offset: 0,
            controls,
            body: Body::Entry {
                attrs,
                changetype_add: true
            },
        }),
        (dn, controls()).prop_map(|(dn, controls)| Record {
            dn,
            offset: 0,
            controls,
            body: Body::Delete
        }),
        (dn, controls(), prop::collection::vec(modification(), 0..3)).prop_map(
            |(dn, controls, changes)| Record {
                dn,
                offset: 0,
                controls,
                body: Body::Modify(changes),
            }
        ),
        (
            dn,
            controls(),
            "\\PC{0,12}",
            any::<bool>(),
            prop::option::of("\\PC{0,12}"),
            any::<bool>()
        )
            .prop_map(
                |(dn, controls, new_rdn, delete_old_rdn, new_superior, moddn)| Record {
                    dn,
                    offset: 0,
                    controls,
                    body: Body::Rename {
                        keyword: if moddn {
                            RenameKeyword::ModDn
                        } else {
                            RenameKeyword::ModRdn
                        },
                        new_rdn,
                        delete_old_rdn,
                        new_superior,
                    },
                }
            ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn ldif_write_then_read_is_identity(records in prop::collection::vec(record(), 0..6)) {
        let mut text = Vec::new();
        dump::write_ldif_header(&mut text).unwrap();
        for record in &records {
            dump::write_ldif(&mut text, record).unwrap();
        }
        let parsed = ldif::parse(&text);
        let errors: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity == exconn::diag::Severity::Error)
            .collect();
        prop_assert!(errors.is_empty(), "{:?}\n{}", errors, String::from_utf8_lossy(&text));
        let read: Vec<Record> = parsed.records.into_iter().map(|r| Record { offset: 0, ..r }).collect();
        prop_assert_eq!(read, records, "{}", String::from_utf8_lossy(&text));
    }
}
