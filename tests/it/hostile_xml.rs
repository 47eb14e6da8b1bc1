//! Hostile XML inputs (DSML v2 and CLIXML), generated on the fly: entity
//! expansion, external entities, deep nesting, truncation, dangling and
//! exploding `Ref`s, UTF-16, foreign roots.
//!
//! Every run must end on its own with exit status 0 or 2 (never a panic's
//! 101 or a signal), without `panicked` on stderr, within a bounded time: a
//! watchdog kills the process after `DEADLINE` and the test fails.
//!
//! Ending cleanly is not enough: a reader that read nothing would do that.
//! Each hostile part sits between well-formed records, and each test checks
//! the records (DNs and values) that must survive it, and that the
//! diagnostics point at the hostile part.

use std::path::PathBuf;

use crate::guarded::{dump, dump_strict, position, Outcome};

const ONE_MB: usize = 1 << 20;

const DSML_NS: &str = "urn:oasis:names:tc:DSML:2:0:core";
const CLIXML_NS: &str = "http://schemas.microsoft.com/powershell/2004/04";

pub(crate) fn write(dir: &tempfile::TempDir, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

// ---------------------------------------------------------------------------
// Generated documents
// ---------------------------------------------------------------------------

/// A DSML v2 search response around `entries`, with `prolog` (a DTD) after
/// the XML declaration.
pub(crate) fn dsml(prolog: &str, entries: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{prolog}\
         <batchResponse xmlns=\"{DSML_NS}\">\n<searchResponse>\n{entries}\
         <searchResultDone><resultCode code=\"0\" descr=\"success\"/></searchResultDone>\n\
         </searchResponse>\n</batchResponse>\n"
    )
}

pub(crate) fn dsml_entry(dn: &str, attrs: &[(&str, &str)]) -> String {
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
pub(crate) fn clixml(prolog: &str, objects: &str) -> String {
    format!("{prolog}<Objs Version=\"1.1.0.1\" xmlns=\"{CLIXML_NS}\">\n{objects}</Objs>\n")
}

/// A Get-SendConnector-like object with `RefId` `id`, extra `props` inside
/// `<Props>`.
pub(crate) fn clixml_object(id: usize, name: &str, props: &str) -> String {
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

/// The DTD of `doc` is ignored with a warning at its `<!DOCTYPE`, and the
/// one reference to `entity` (declared there) is left out with an error at
/// its `&`; nothing else is diagnosed. The value of `attr` in record `dn`,
/// which held the reference, keeps nothing of it.
fn assert_entity_left_out(
    out: &Outcome,
    what: &str,
    doc: &str,
    entity: &str,
    (dn, attr): (&str, &str),
) {
    let (dtd_line, dtd_column) = position(doc, "<!DOCTYPE", 0);
    let body = doc.find("]>").expect("end of the DTD");
    let (line, column) = position(doc, entity, body);
    let diagnostics = out.located_diagnostics();
    let dtd_warned = diagnostics.iter().any(|d| {
        d.severity == "warning"
            && (d.line, d.column) == (dtd_line, dtd_column)
            && d.message.contains("DTD")
    });
    let entity_refused = diagnostics.iter().any(|d| {
        d.severity == "error" && (d.line, d.column) == (line, column) && d.message.contains(entity)
    });
    assert!(
        dtd_warned && entity_refused && diagnostics.len() == 2,
        "{what}: expected a warning at {dtd_line}:{dtd_column} (DTD ignored) and an error at \
         {line}:{column} naming {entity}, nothing else; got {}",
        out.summary()
    );
    let values = out.values(what, dn, attr);
    assert!(
        values.iter().all(|v| v == ""),
        "{what}: {dn} {attr} should hold nothing of {entity}, holds {values:?}"
    );
}

#[test]
fn billion_laughs_dsml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dsml(
        &billion_laughs_dtd("batchResponse"),
        &[
            dsml_entry(
                "cn=before,dc=x",
                &[("cn", "before"), ("description", "one")],
            ),
            dsml_entry("cn=a,dc=x", &[("cn", "&lol9;"), ("description", "kept")]),
            dsml_entry("cn=b,dc=x", &[("cn", "b")]),
        ]
        .concat(),
    );
    let path = write(&dir, "laughs.dsml.xml", &doc);
    let what = "billion laughs (DSML v2)";
    let out = dump(&path);
    assert_not_expanded(&out, what);
    assert_entity_left_out(&out, what, &doc, "&lol9;", ("cn=a,dc=x", "cn"));
    assert_eq!(out.dns(what), ["cn=before,dc=x", "cn=a,dc=x", "cn=b,dc=x"]);
    out.assert_record(
        what,
        "cn=before,dc=x",
        &[("cn", "before"), ("description", "one")],
    );
    out.assert_record(what, "cn=a,dc=x", &[("description", "kept")]);
    out.assert_record(what, "cn=b,dc=x", &[("cn", "b")]);
}

#[test]
fn billion_laughs_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = clixml(
        &billion_laughs_dtd("Objs"),
        &[
            clixml_object(0, "Before", "<S N=\"Comment\">one</S>\n"),
            clixml_object(
                1,
                "Laughs",
                "<S N=\"Comment\">&lol9;</S>\n<S N=\"Other\">kept</S>\n",
            ),
            clixml_object(2, "After", "<B N=\"Enabled\">true</B>\n"),
        ]
        .concat(),
    );
    let path = write(&dir, "laughs.clixml.xml", &doc);
    let what = "billion laughs (CLIXML)";
    let out = dump(&path);
    assert_not_expanded(&out, what);
    let laughs = "CN=Laughs,CN=Connections,DC=x";
    assert_entity_left_out(&out, what, &doc, "&lol9;", (laughs, "Comment"));
    assert_eq!(
        out.dns(what),
        [
            "CN=Before,CN=Connections,DC=x",
            laughs,
            "CN=After,CN=Connections,DC=x"
        ]
    );
    out.assert_record(
        what,
        "CN=Before,CN=Connections,DC=x",
        &[("Name", "Before"), ("Comment", "one")],
    );
    out.assert_record(what, laughs, &[("Name", "Laughs"), ("Other", "kept")]);
    out.assert_record(
        what,
        "CN=After,CN=Connections,DC=x",
        &[("Name", "After"), ("Enabled", "true")],
    );
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
        &[
            dsml_entry("cn=before,dc=x", &[("cn", "before")]),
            dsml_entry("cn=a,dc=x", &[("description", "&x;"), ("cn", "a")]),
            dsml_entry("cn=b,dc=x", &[("cn", "b"), ("description", "after")]),
        ]
        .concat(),
    );
    let path = write(&dir, "xxe.dsml.xml", &doc);
    let what = "external entity (DSML v2)";
    let out = dump(&path);
    assert_no_local_file(&out, what);
    assert_entity_left_out(&out, what, &doc, "&x;", ("cn=a,dc=x", "description"));
    assert_eq!(out.dns(what), ["cn=before,dc=x", "cn=a,dc=x", "cn=b,dc=x"]);
    out.assert_record(what, "cn=before,dc=x", &[("cn", "before")]);
    out.assert_record(what, "cn=a,dc=x", &[("cn", "a")]);
    out.assert_record(what, "cn=b,dc=x", &[("cn", "b"), ("description", "after")]);
}

#[test]
fn external_entity_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let doc = clixml(
        &external_entity_dtd("Objs"),
        &[
            clixml_object(0, "Before", ""),
            clixml_object(
                1,
                "Xxe",
                "<S N=\"Comment\">&x;</S>\n<I32 N=\"Port\">25</I32>\n",
            ),
            clixml_object(2, "After", "<S N=\"Comment\">after</S>\n"),
        ]
        .concat(),
    );
    let path = write(&dir, "xxe.clixml.xml", &doc);
    let what = "external entity (CLIXML)";
    let out = dump(&path);
    assert_no_local_file(&out, what);
    let xxe = "CN=Xxe,CN=Connections,DC=x";
    assert_entity_left_out(&out, what, &doc, "&x;", (xxe, "Comment"));
    assert_eq!(
        out.dns(what),
        [
            "CN=Before,CN=Connections,DC=x",
            xxe,
            "CN=After,CN=Connections,DC=x"
        ]
    );
    out.assert_record(what, "CN=Before,CN=Connections,DC=x", &[("Name", "Before")]);
    out.assert_record(what, xxe, &[("Name", "Xxe"), ("Port", "25")]);
    out.assert_record(
        what,
        "CN=After,CN=Connections,DC=x",
        &[("Name", "After"), ("Comment", "after")],
    );
}

// ---------------------------------------------------------------------------
// Deep nesting
// ---------------------------------------------------------------------------

/// One diagnostic, an error about nesting depth on `line` (where the deep
/// elements are).
fn assert_nesting_diagnosed(out: &Outcome, what: &str, line: usize) {
    out.assert_contained(what);
    let diagnostics = out.located_diagnostics();
    assert!(
        diagnostics.len() == 1
            && diagnostics.iter().all(|d| {
                let m = d.message.to_ascii_lowercase();
                d.severity == "error"
                    && d.line == line
                    && (m.contains("nest") || m.contains("deeper") || m.contains("depth"))
            }),
        "{what}: expected one error about nesting depth on line {line}, got {}",
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
        &[
            dsml_entry("cn=a,dc=x", &[("cn", "a")]),
            deep,
            dsml_entry("cn=z,dc=x", &[("cn", "z"), ("description", "after")]),
        ]
        .concat(),
    );
    let path = write(&dir, "deep.dsml.xml", &doc);
    let out = dump(&path);
    let what = "100,000 nested elements (DSML v2)";
    assert_nesting_diagnosed(&out, what, position(&doc, "<x><x>", 0).0);
    assert_eq!(
        out.dns(what),
        ["cn=a,dc=x", "cn=z,dc=x"],
        "the entries around the deep one are still dumped, the deep one is not"
    );
    out.assert_record(what, "cn=a,dc=x", &[("cn", "a")]);
    out.assert_record(what, "cn=z,dc=x", &[("cn", "z"), ("description", "after")]);
}

#[test]
fn deep_nesting_clixml() {
    let dir = tempfile::tempdir().unwrap();
    let deep_prop = format!(
        "<Obj N=\"Deep\" RefId=\"100\"><TN RefId=\"100\"><T>System.Object</T></TN>{}{}</Obj>\n",
        "<LST>".repeat(NESTING),
        "</LST>".repeat(NESTING)
    );
    let objects = [
        clixml_object(0, "First", "<S N=\"Comment\">before</S>\n"),
        clixml_object(1, "Deep", &deep_prop),
        clixml_object(2, "Last", "<S N=\"Comment\">after</S>\n"),
    ]
    .concat();
    let doc = clixml("", &objects);
    let path = write(&dir, "deep.clixml.xml", &doc);
    let out = dump(&path);
    let what = "100,000 nested elements (CLIXML)";
    assert_nesting_diagnosed(&out, what, position(&doc, "<LST><LST>", 0).0);
    assert_eq!(
        out.dns(what),
        [
            "CN=First,CN=Connections,DC=x",
            "CN=Last,CN=Connections,DC=x"
        ],
        "the objects around the deep one are still dumped, the deep one is not"
    );
    out.assert_record(
        what,
        "CN=First,CN=Connections,DC=x",
        &[("Name", "First"), ("Comment", "before")],
    );
    out.assert_record(
        what,
        "CN=Last,CN=Connections,DC=x",
        &[("Name", "Last"), ("Comment", "after")],
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
        // The damage is in the third entry: an error must point there, not before.
        let damaged_from = position(&doc, "<searchResultEntry dn=\"cn=c", 0).0;
        if !out
            .located_diagnostics()
            .iter()
            .any(|d| d.severity == "error" && d.line >= damaged_from)
        {
            failures.push(format!(
                "{what}: no error at line {damaged_from} or after ({})",
                out.summary()
            ));
        }
        let dns = out.dns(&what);
        if dns != ["cn=a,dc=x", "cn=b,dc=x"] {
            failures.push(format!("{what}: expected records a and b, got {dns:?}"));
        }
        for (dn, expected) in [
            ("cn=a,dc=x", &[("cn", "a")][..]),
            ("cn=b,dc=x", &[("cn", "b"), ("description", "two")][..]),
        ] {
            if let Err(message) = out.check_record(&what, dn, expected) {
                failures.push(message);
            }
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
        // The damage is in the third object: an error must point there, not before.
        let damaged_from = position(&doc, "<Obj RefId=\"2\"", 0).0;
        if !out
            .located_diagnostics()
            .iter()
            .any(|d| d.severity == "error" && d.line >= damaged_from)
        {
            failures.push(format!(
                "{what}: no error at line {damaged_from} or after ({})",
                out.summary()
            ));
        }
        let dns = out.dns(&what);
        if dns != ["CN=A,CN=Connections,DC=x", "CN=B,CN=Connections,DC=x"] {
            failures.push(format!("{what}: expected records A and B, got {dns:?}"));
        }
        for (dn, expected) in [
            ("CN=A,CN=Connections,DC=x", &[("Name", "A")][..]),
            (
                "CN=B,CN=Connections,DC=x",
                &[("Name", "B"), ("Enabled", "true")][..],
            ),
        ] {
            if let Err(message) = out.check_record(&what, dn, expected) {
                failures.push(message);
            }
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
        clixml_object(5, "Before", "<S N=\"Comment\">one</S>\n"),
        clixml_object(
            0,
            "Dangling",
            "<Obj N=\"SourceTransportServers\" RefId=\"10\"><TN RefId=\"10\"><T>Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1</T></TN>\
             <LST><Ref RefId=\"4242\" /></LST></Obj>\n<Ref N=\"HomeMTA\" RefId=\"4343\" />\n",
        ),
        "<Ref RefId=\"4444\" />\n".to_owned(),
        clixml_object(1, "Fine", "<I32 N=\"Port\">587</I32>\n"),
    ]
    .concat();
    let doc = clixml("", &objects);
    let path = write(&dir, "dangling.xml", &doc);
    let out = dump(&path);
    let what = "unknown Ref RefId";
    out.assert_contained(what);
    let diagnostics = out.located_diagnostics();
    for id in ["4242", "4343", "4444"] {
        let (line, _) = position(&doc, &format!("RefId=\"{id}\""), 0);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.severity == "error" && d.line == line && d.message.contains(id)),
            "expected an error on line {line} naming the unknown RefId {id}, got {}",
            out.summary()
        );
    }
    assert_eq!(diagnostics.len(), 3, "{}", out.summary());
    assert_eq!(
        out.dns(what),
        [
            "CN=Before,CN=Connections,DC=x",
            "CN=Dangling,CN=Connections,DC=x",
            "CN=Fine,CN=Connections,DC=x"
        ],
        "the objects before, with and after the dangling references are dumped"
    );
    out.assert_record(
        what,
        "CN=Before,CN=Connections,DC=x",
        &[("Name", "Before"), ("Comment", "one")],
    );
    out.assert_record(
        what,
        "CN=Dangling,CN=Connections,DC=x",
        &[("Name", "Dangling")],
    );
    out.assert_record(
        what,
        "CN=Fine,CN=Connections,DC=x",
        &[("Name", "Fine"), ("Port", "587")],
    );
    // The values that named nothing are left out, not made up.
    for property in ["SourceTransportServers", "HomeMTA"] {
        let values = out.values(what, "CN=Dangling,CN=Connections,DC=x", property);
        assert!(values.is_empty(), "{property}: {values:?}");
    }
}

/// Object N holds 10 `Ref`s to object N-1, 30 levels deep: followed
/// naively, 10^30 values. Between two well-formed objects.
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
    let objects = [
        clixml_object(100, "Before", "<S N=\"Comment\">one</S>\n"),
        clixml_object(0, "Chain", &props),
        clixml_object(101, "After", "<S N=\"Comment\">two</S>\n"),
    ]
    .concat();
    clixml("", &objects)
}

/// The same chain over top-level objects, each with its own DN, between
/// two well-formed objects.
fn ref_chain_top_level() -> String {
    let mut objects = clixml_object(2000, "Before", "<S N=\"Comment\">one</S>\n");
    objects.push_str(
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
    objects.push_str(&clixml_object(2001, "After", "<S N=\"Comment\">two</S>\n"));
    clixml("", &objects)
}

fn assert_chain_bounded(doc: String, what: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "chain.xml", doc);
    let out = dump(&path);
    out.assert_contained(what);
    assert!(
        out.stdout_len < ONE_MB,
        "{what}: {} bytes on stdout, expected under 1 MB",
        out.stdout_len
    );
    out.assert_record(
        what,
        "CN=Before,CN=Connections,DC=x",
        &[("Name", "Before"), ("Comment", "one")],
    );
    out.assert_record(
        what,
        "CN=After,CN=Connections,DC=x",
        &[("Name", "After"), ("Comment", "two")],
    );
    out
}

#[test]
fn clixml_ref_chain_in_properties() {
    let what = "Ref chain x10, 30 levels (properties)";
    let out = assert_chain_bounded(ref_chain_in_properties(), what);
    assert_eq!(
        out.dns(what),
        [
            "CN=Before,CN=Connections,DC=x",
            "CN=Chain,CN=Connections,DC=x",
            "CN=After,CN=Connections,DC=x"
        ]
    );
    // The object holding the chain keeps its own values and the chain's leaf.
    out.assert_record(
        what,
        "CN=Chain,CN=Connections,DC=x",
        &[("Name", "Chain"), ("L0", "leaf")],
    );
}

#[test]
fn clixml_ref_chain_top_level() {
    let what = "Ref chain x10, 30 levels (top-level objects)";
    let out = assert_chain_bounded(ref_chain_top_level(), what);
    // Every object of the chain is dumped once (a `Ref` to an earlier
    // object does not repeat it), with its own DN, and nothing else.
    let dns = out.dns(what);
    let mut expected: Vec<String> = (0..=30).map(|n| format!("CN=L{n},DC=x")).collect();
    expected.extend([
        "CN=Before,CN=Connections,DC=x".to_owned(),
        "CN=After,CN=Connections,DC=x".to_owned(),
    ]);
    expected.sort();
    let mut sorted = dns.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(
        dns.first().map(String::as_str),
        Some("CN=Before,CN=Connections,DC=x")
    );
    assert_eq!(
        dns.last().map(String::as_str),
        Some("CN=After,CN=Connections,DC=x")
    );
    for n in 0..=30 {
        let dn = format!("CN=L{n},DC=x");
        let values = out.values(what, &dn, "DistinguishedName");
        assert!(
            !values.is_empty() && values.iter().all(|v| *v == dn.as_str()),
            "{dn}: DistinguishedName {values:?}"
        );
    }
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

/// Both twins read under `--strict` to the same records, which are
/// `expected`: `(dn, values it holds)` in order.
fn assert_same_records_as_utf8_twin(
    utf8_doc: &str,
    what: &str,
    expected: &[(&str, &[(&str, &str)])],
) {
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
    let dns: Vec<&str> = expected.iter().map(|(dn, _)| *dn).collect();
    assert_eq!(b.dns(what), dns, "{what} (UTF-16LE)");
    for (dn, values) in expected {
        b.assert_record(&format!("{what} (UTF-16LE)"), dn, values);
    }
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
    assert_same_records_as_utf8_twin(
        &dsml("", &entries),
        "DSML v2",
        &[
            (
                "cn=Zoë Ünal,dc=x",
                &[("cn", "Zoë Ünal"), ("description", "λ ☃ 😀")],
            ),
            ("cn=b,dc=x", &[("cn", "b")]),
        ],
    );
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
    assert_same_records_as_utf8_twin(
        &doc,
        "CLIXML",
        &[
            (
                "CN=Zoë Ünal,CN=Connections,DC=x",
                &[("Name", "Zoë Ünal"), ("Comment", "λ ☃ 😀")],
            ),
            ("CN=B,CN=Connections,DC=x", &[("Name", "B")]),
        ],
    );
}

// ---------------------------------------------------------------------------
// Foreign root element
// ---------------------------------------------------------------------------

/// Nothing can survive here by design: a document whose root element is
/// not an export's (`batchResponse`, `Objs`) is not an export, so the whole
/// file is refused before any record is read, even elements inside it that
/// look like records. The test therefore pins the one-line reason exactly
/// and checks that stdout is empty.
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
        (
            "wrapped.xml",
            "<?xml version=\"1.0\"?>\n<catalog xmlns=\"urn:oasis:names:tc:DSML:2:0:core\">\
             <searchResultEntry dn=\"cn=a,dc=x\"><attr name=\"cn\"><value>a</value></attr>\
             </searchResultEntry></catalog>\n",
            "catalog",
        ),
    ] {
        let path = write(&dir, name, doc);
        let out = dump(&path);
        out.assert_contained(name);
        assert_eq!(out.code, Some(2), "{name}: {}", out.summary());
        assert_eq!(
            out.stderr,
            format!(
                "exconn: {}: expected an export (LDIF, DSML or CLIXML), found XML with root element <{root}>\n",
                path.display()
            ),
            "{name}"
        );
        assert_eq!(out.stdout_len, 0, "{name}: no records expected: {}", out.stdout);
    }
}
