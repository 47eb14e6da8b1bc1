//! Hostile XML inputs (DSML v2 and CLIXML), generated on the fly: entity
//! expansion, external entities, deep nesting, truncation, dangling and
//! exploding `Ref`s, UTF-16, foreign roots.
//!
//! Every run must end on its own with exit status 0 or 2 (never a panic's
//! 101 or a signal), without `panicked` on stderr, within a bounded time: a
//! watchdog kills the process after `DEADLINE` and the test fails.

use std::path::PathBuf;

use crate::guarded::{dump, dump_strict, Outcome};

const ONE_MB: usize = 1 << 20;

const DSML_NS: &str = "urn:oasis:names:tc:DSML:2:0:core";
const CLIXML_NS: &str = "http://schemas.microsoft.com/powershell/2004/04";

fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

// ---------------------------------------------------------------------------
// Generated documents
// ---------------------------------------------------------------------------

/// A DSML v2 search response around `entries`, with `prolog` (a DTD) after
/// the XML declaration.
fn dsml(prolog: &str, entries: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{prolog}\
         <batchResponse xmlns=\"{DSML_NS}\">\n<searchResponse>\n{entries}\
         <searchResultDone><resultCode code=\"0\" descr=\"success\"/></searchResultDone>\n\
         </searchResponse>\n</batchResponse>\n"
    )
}

fn dsml_entry(dn: &str, attrs: &[(&str, &str)]) -> String {
    let mut s = format!("<searchResultEntry dn=\"{dn}\">\n");
    for (name, value) in attrs {
        s.push_str(&format!(
            "  <attr name=\"{name}\"><value>{value}</value></attr>\n"
        ));
    }
    s.push_str("</searchResultEntry>\n");
    s
}

/// A CLIXML document around `objects`, with `prolog` before `<Objs>`.
fn clixml(prolog: &str, objects: &str) -> String {
    format!("{prolog}<Objs Version=\"1.1.0.1\" xmlns=\"{CLIXML_NS}\">\n{objects}</Objs>\n")
}

/// A Get-SendConnector-like object with `RefId` `id`, extra `props` inside
/// `<Props>`.
fn clixml_object(id: usize, name: &str, props: &str) -> String {
    format!(
        "<Obj RefId=\"{id}\">\n\
         <TN RefId=\"{id}\"><T>Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig</T><T>System.Object</T></TN>\n\
         <ToString>{name}</ToString>\n\
         <Props>\n\
         <S N=\"Name\">{name}</S>\n\
         <S N=\"DistinguishedName\">CN={name},CN=Connections,DC=x</S>\n\
         {props}\
         </Props>\n\
         </Obj>\n"
    )
}

/// Nine levels of ten references each: `&lol9;` would be 10^9 "lol"s.
fn billion_laughs_dtd(root: &str) -> String {
    let mut dtd = format!("<!DOCTYPE {root} [\n<!ENTITY lol0 \"lol\">\n");
    for i in 1..=9 {
        let refs = format!("&lol{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{refs}\">\n"));
    }
    dtd.push_str("]>\n");
    dtd
}

fn external_entity_dtd(root: &str) -> String {
    format!(
        "<!DOCTYPE {root} [\n\
         <!ENTITY x SYSTEM \"file:///etc/passwd\">\n\
         <!ENTITY % p SYSTEM \"file:///etc/passwd\">\n\
         %p;\n\
         ]>\n"
    )
}

const NESTING: usize = 100_000;

// ---------------------------------------------------------------------------
// Entity expansion ("billion laughs")
// ---------------------------------------------------------------------------

fn assert_not_expanded(out: &Outcome, what: &str) {
    out.assert_contained(what);
    out.assert_diagnosed(what);
    assert!(
        out.stdout_len < ONE_MB,
        "{what}: {} bytes on stdout, expected under 1 MB",
        out.stdout_len
    );
    assert!(
        !out.stdout.contains("lollol"),
        "{what}: an entity was expanded: {}",
        &out.stdout[..out.stdout.len().min(300)]
    );
}

#[test]
fn billion_laughs_dsml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dsml(
        &billion_laughs_dtd("batchResponse"),
        &format!(
            "{}{}",
            dsml_entry("cn=a,dc=x", &[("cn", "&lol9;")]),
            dsml_entry("cn=b,dc=x", &[("cn", "b")])
        ),
    );
    let path = write(&dir, "laughs.dsml.xml", doc);
    assert_not_expanded(&dump(&path), "billion laughs (DSML v2)");
}

#[test]
fn billion_laughs_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = clixml(
        &billion_laughs_dtd("Objs"),
        &clixml_object(0, "Laughs", "<S N=\"Comment\">&lol9;</S>\n"),
    );
    let path = write(&dir, "laughs.clixml.xml", doc);
    assert_not_expanded(&dump(&path), "billion laughs (CLIXML)");
}

// ---------------------------------------------------------------------------
// External entities
// ---------------------------------------------------------------------------

fn assert_no_local_file(out: &Outcome, what: &str) {
    out.assert_contained(what);
    out.assert_diagnosed(what);
    assert!(
        !out.stdout.contains("root:") && !out.stderr.contains("root:"),
        "{what}: /etc/passwd leaked into the output: {}",
        out.summary()
    );
}

#[test]
fn external_entity_dsml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dsml(
        &external_entity_dtd("batchResponse"),
        &dsml_entry("cn=a,dc=x", &[("description", "&x;")]),
    );
    let path = write(&dir, "xxe.dsml.xml", doc);
    assert_no_local_file(&dump(&path), "external entity (DSML v2)");
}

#[test]
fn external_entity_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = clixml(
        &external_entity_dtd("Objs"),
        &clixml_object(0, "Xxe", "<S N=\"Comment\">&x;</S>\n"),
    );
    let path = write(&dir, "xxe.clixml.xml", doc);
    assert_no_local_file(&dump(&path), "external entity (CLIXML)");
}

// ---------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------

fn assert_nesting_diagnosed(out: &Outcome, what: &str) {
    out.assert_contained(what);
    let diagnostics = out.diagnostics();
    assert!(
        diagnostics.iter().any(|(_, m)| {
            let m = m.to_ascii_lowercase();
            m.contains("nest") || m.contains("deeper") || m.contains("depth")
        }),
        "{what}: expected a diagnostic about nesting depth, got {}",
        out.summary()
    );
}

#[test]
fn deep_nesting_dsml() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "<searchResultEntry dn=\"cn=deep,dc=x\">\n{}{}</searchResultEntry>\n",
        "<x>".repeat(NESTING),
        "</x>".repeat(NESTING)
    );
    let doc = dsml(
        "",
        &format!("{}{deep}", dsml_entry("cn=a,dc=x", &[("cn", "a")])),
    );
    let path = write(&dir, "deep.dsml.xml", doc);
    let out = dump(&path);
    assert_nesting_diagnosed(&out, "100,000 nested elements (DSML v2)");
    assert_eq!(
        out.dns("deep DSML"),
        ["cn=a,dc=x"],
        "the entry before the deep one is still dumped, the deep one is not"
    );
}

#[test]
fn deep_nesting_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let deep_prop = format!(
        "<Obj N=\"Deep\" RefId=\"100\"><TN RefId=\"100\"><T>System.Object</T></TN>{}{}</Obj>\n",
        "<LST>".repeat(NESTING),
        "</LST>".repeat(NESTING)
    );
    let objects = format!(
        "{}{}",
        clixml_object(0, "First", ""),
        clixml_object(1, "Deep", &deep_prop)
    );
    let path = write(&dir, "deep.clixml.xml", clixml("", &objects));
    let out = dump(&path);
    assert_nesting_diagnosed(&out, "100,000 nested elements (CLIXML)");
    assert_eq!(
        out.dns("deep CLIXML"),
        ["CN=First,CN=Connections,DC=x"],
        "the object before the deep one is still dumped, the deep one is not"
    );
}

// ---------------------------------------------------------------------------
// Truncation
// ---------------------------------------------------------------------------

/// Cut points inside the last of three entries: every few bytes from its
/// start tag to just before the `>` that closes it.
fn cut_points(doc: &str, start_marker: &str, end_marker: &str) -> Vec<usize> {
    let start = doc.find(start_marker).expect("start marker");
    let end = start + doc[start..].find(end_marker).expect("end marker") + end_marker.len() - 1;
    let mut cuts: Vec<usize> = (start + 1..end).step_by(5).collect();
    cuts.push(end - 1);
    cuts.push(end);
    cuts.retain(|&c| doc.is_char_boundary(c));
    cuts.dedup();
    cuts
}

#[test]
fn truncated_dsml() {
    let dir = tempfile::tempdir().unwrap();
    let entries = [
        dsml_entry("cn=a,dc=x", &[("cn", "a")]),
        dsml_entry("cn=b,dc=x", &[("cn", "b"), ("description", "two")]),
        dsml_entry("cn=c,dc=x", &[("cn", "c"), ("description", "three")]),
    ]
    .concat();
    let doc = dsml("", &entries);
    let mut failures = Vec::new();
    for cut in cut_points(&doc, "<searchResultEntry dn=\"cn=c", "</searchResultEntry>") {
        let path = write(&dir, &format!("cut{cut}.xml"), &doc[..cut]);
        let what = format!(
            "DSML v2 cut at byte {cut} ({:?})",
            &doc[cut.saturating_sub(12)..cut]
        );
        let out = dump(&path);
        out.assert_contained(&what);
        if out.diagnostics().is_empty() {
            failures.push(format!("{what}: no diagnostic ({})", out.summary()));
        }
        let dns = out.dns(&what);
        if dns != ["cn=a,dc=x", "cn=b,dc=x"] {
            failures.push(format!("{what}: expected records a and b, got {dns:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn truncated_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let objects = [
        clixml_object(0, "A", ""),
        clixml_object(1, "B", "<B N=\"Enabled\">true</B>\n"),
        clixml_object(2, "C", "<B N=\"Enabled\">false</B>\n"),
    ]
    .concat();
    let doc = clixml("", &objects);
    let mut failures = Vec::new();
    let start = doc.find("<Obj RefId=\"2\"").unwrap();
    let end = start + doc[start..].find("</Obj>").unwrap() + "</Obj>".len();
    let mut cuts: Vec<usize> = (start + 1..end).step_by(9).collect();
    cuts.push(end - 1);
    for cut in cuts {
        let path = write(&dir, &format!("cut{cut}.xml"), &doc[..cut]);
        let what = format!(
            "CLIXML cut at byte {cut} ({:?})",
            &doc[cut.saturating_sub(12)..cut]
        );
        let out = dump(&path);
        out.assert_contained(&what);
        if out.diagnostics().is_empty() {
            failures.push(format!("{what}: no diagnostic ({})", out.summary()));
        }
        let dns = out.dns(&what);
        if dns != ["CN=A,CN=Connections,DC=x", "CN=B,CN=Connections,DC=x"] {
            failures.push(format!("{what}: expected records A and B, got {dns:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// CLIXML references
// ---------------------------------------------------------------------------

#[test]
fn clixml_unknown_ref() {
    let dir = tempfile::tempdir().unwrap();
    let objects = [
        clixml_object(
            0,
            "Dangling",
            "<Obj N=\"SourceTransportServers\" RefId=\"10\"><TN RefId=\"10\"><T>Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1</T></TN>\
             <LST><Ref RefId=\"4242\" /></LST></Obj>\n<Ref N=\"HomeMTA\" RefId=\"4343\" />\n",
        ),
        "<Ref RefId=\"4444\" />\n".to_owned(),
        clixml_object(1, "Fine", ""),
    ]
    .concat();
    let path = write(&dir, "dangling.xml", clixml("", &objects));
    let out = dump(&path);
    out.assert_contained("unknown Ref RefId");
    let diagnostics = out.diagnostics();
    for id in ["4242", "4343", "4444"] {
        assert!(
            diagnostics.iter().any(|(_, m)| m.contains(id)),
            "expected a diagnostic naming the unknown RefId {id}, got {}",
            out.summary()
        );
    }
    let dns = out.dns("unknown Ref RefId");
    assert!(
        dns.iter().any(|d| d == "CN=Fine,CN=Connections,DC=x"),
        "the object after the dangling references is still dumped: {dns:?}"
    );
}

/// Object N holds 10 `Ref`s to object N-1, 30 levels deep: followed
/// naively, 10^30 values.
fn ref_chain_in_properties() -> String {
    let mut props = String::from(
        "<Obj N=\"L0\" RefId=\"1\"><TN RefId=\"1\"><T>Deserialized.System.Object</T></TN><LST><S>leaf</S></LST></Obj>\n",
    );
    for n in 1..=30 {
        props.push_str(&format!(
            "<Obj N=\"L{n}\" RefId=\"{}\"><TNRef RefId=\"1\" /><LST>{}</LST></Obj>\n",
            n + 1,
            format!("<Ref RefId=\"{n}\" />").repeat(10)
        ));
    }
    clixml("", &clixml_object(0, "Chain", &props))
}

/// The same chain over top-level objects, each with its own DN.
fn ref_chain_top_level() -> String {
    let mut objects = String::from(
        "<Obj RefId=\"0\"><TN RefId=\"0\"><T>Deserialized.System.Object</T></TN>\
         <LST><S>leaf</S></LST><Props><S N=\"DistinguishedName\">CN=L0,DC=x</S></Props></Obj>\n",
    );
    for n in 1..=30 {
        objects.push_str(&format!(
            "<Obj RefId=\"{n}\"><TNRef RefId=\"0\" /><LST>{}</LST>\
             <Props><S N=\"DistinguishedName\">CN=L{n},DC=x</S>\
             <Obj N=\"Members\" RefId=\"{}\"><TNRef RefId=\"0\" /><LST>{}</LST></Obj></Props></Obj>\n",
            format!("<Ref RefId=\"{}\" />", n - 1).repeat(10),
            1000 + n,
            format!("<Ref RefId=\"{}\" />", n - 1).repeat(10),
        ));
    }
    clixml("", &objects)
}

fn assert_chain_bounded(doc: String, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "chain.xml", doc);
    let out = dump(&path);
    out.assert_contained(what);
    assert!(
        out.stdout_len < ONE_MB,
        "{what}: {} bytes on stdout, expected under 1 MB",
        out.stdout_len
    );
}

#[test]
fn clixml_ref_chain_in_properties() {
    assert_chain_bounded(
        ref_chain_in_properties(),
        "Ref chain x10, 30 levels (properties)",
    );
}

#[test]
fn clixml_ref_chain_top_level() {
    assert_chain_bounded(
        ref_chain_top_level(),
        "Ref chain x10, 30 levels (top-level objects)",
    );
}

// ---------------------------------------------------------------------------
// UTF-16LE with BOM
// ---------------------------------------------------------------------------

fn utf16le_with_bom(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn assert_same_records_as_utf8_twin(utf8_doc: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let utf16_doc = utf8_doc.replacen("encoding=\"UTF-8\"", "encoding=\"UTF-16\"", 1);
    let utf8 = write(&dir, "utf8.xml", utf8_doc);
    let utf16 = write(&dir, "utf16.xml", utf16le_with_bom(&utf16_doc));
    let (a, b) = (dump_strict(&utf8), dump_strict(&utf16));
    for (out, label) in [(&a, "UTF-8"), (&b, "UTF-16LE")] {
        out.assert_contained(&format!("{what} ({label})"));
        assert!(
            out.code == Some(0) && out.stderr.trim().is_empty(),
            "{what} ({label}): expected exit 0 and no diagnostic under --strict, got {}",
            out.summary()
        );
    }
    let (ra, rb) = (a.records(what), b.records(what));
    assert!(!ra.is_empty(), "{what}: the UTF-8 twin has records");
    assert_eq!(
        rb, ra,
        "{what}: UTF-16LE records differ from the UTF-8 twin"
    );
}

#[test]
fn utf16le_bom_dsml() {
    let entries = [
        dsml_entry(
            "cn=Zoë Ünal,dc=x",
            &[("cn", "Zoë Ünal"), ("description", "λ ☃ 😀")],
        ),
        dsml_entry("cn=b,dc=x", &[("cn", "b")]),
    ]
    .concat();
    assert_same_records_as_utf8_twin(&dsml("", &entries), "DSML v2");
}

#[test]
fn utf16le_bom_clixml() {
    // Windows PowerShell's Export-Clixml writes UTF-16LE with a BOM by default.
    let objects = [
        clixml_object(0, "Zoë Ünal", "<S N=\"Comment\">λ ☃ 😀</S>\n"),
        clixml_object(1, "B", ""),
    ]
    .concat();
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        clixml("", &objects)
    );
    assert_same_records_as_utf8_twin(&doc, "CLIXML");
}

// ---------------------------------------------------------------------------
// Foreign root element
// ---------------------------------------------------------------------------

#[test]
fn foreign_root_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    for (name, doc, root) in [
        (
            "catalog.xml",
            "<?xml version=\"1.0\"?>\n<catalog><book id=\"1\"/></catalog>\n",
            "catalog",
        ),
        (
            "inventory.xml",
            "<?xml version=\"1.0\"?>\n<p:inventory xmlns:p=\"urn:example:inventory\"><p:item/></p:inventory>\n",
            "inventory",
        ),
    ] {
        let path = write(&dir, name, doc);
        let out = dump(&path);
        out.assert_contained(name);
        assert_eq!(out.code, Some(2), "{name}: {}", out.summary());
        let reasons: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.starts_with("exconn: "))
            .collect();
        assert!(
            reasons.len() == 1 && reasons[0].contains(root),
            "{name}: expected one line `exconn: ...` naming the root element <{root}>, got {}",
            out.summary()
        );
        assert!(out.stdout.trim().is_empty(), "{name}: no records expected");
    }
}
