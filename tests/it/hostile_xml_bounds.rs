//! Hostile XML inputs that multiply what is read, generated on the fly: a
//! `Ref` chain deeper than the stack, objects reached again and again
//! through `Ref`s, attribute names copied into every value, and records of
//! millions of values. Each run must end cleanly (see `guarded`), within a
//! cap on its address space where memory is at stake, keep the records
//! around the hostile part, and say what it left out.

#[cfg(unix)]
use crate::guarded::run_capped;
use crate::guarded::{dump, Outcome};
use crate::hostile_xml::{clixml, clixml_object, dsml, dsml_entry, write};

/// The address space the runs of this module may take: far more than
/// they need, far less than the inputs would take if they were multiplied.
#[cfg(unix)]
const CAP_MIB: u64 = 1024;

#[cfg(unix)]
fn dump_capped(path: &std::path::Path) -> Outcome {
    run_capped(&["dump", "--format", "jsonl"], path, CAP_MIB)
}

/// Errors whose message contains `needle`.
#[cfg(unix)]
fn errors_with(out: &Outcome, needle: &str) -> Vec<String> {
    out.diagnostics()
        .into_iter()
        .filter(|(severity, message)| severity == "error" && message.contains(needle))
        .map(|(_, message)| message)
        .collect()
}

fn assert_around(out: &Outcome, what: &str) {
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
}

/// `count` top-level objects, each holding the one before through a `Ref`
/// in `Prev`, the first with the type names `TN` `t`; `props` gives each
/// object's other properties.
fn ref_chain(count: usize, first_types: &str, props: impl Fn(usize) -> String) -> String {
    let mut objects = String::with_capacity(count * 100);
    for n in 0..count {
        let types = if n == 0 {
            format!("<TN RefId=\"t\">{first_types}</TN>")
        } else {
            "<TNRef RefId=\"t\" />".to_owned()
        };
        let prev = if n == 0 {
            String::new()
        } else {
            format!("<Ref N=\"Prev\" RefId=\"{}\" />", n - 1)
        };
        objects.push_str(&format!(
            "<Obj RefId=\"{n}\">{types}<Props>{}{prev}</Props></Obj>\n",
            props(n)
        ));
    }
    objects
}

/// `count` ADObjectIds, each holding the one before through a `Ref`. Two
/// RefIds take turns, so that only the chain holds its objects: the last
/// one holds all the others, one inside the other.
fn object_id_chain(count: usize) -> String {
    let mut objects = String::with_capacity(count * 80);
    objects.push_str(
        "<Obj RefId=\"id0\"><TN RefId=\"t\"><T>Microsoft.Exchange.Data.Directory.ADObjectId</T></TN>\
         <Props /></Obj>\n",
    );
    for n in 1..count {
        objects.push_str(&format!(
            "<Obj RefId=\"id{}\"><TNRef RefId=\"t\" /><Props><Ref N=\"Parent\" RefId=\"id{}\" />\
             </Props></Obj>\n",
            n % 2,
            (n - 1) % 2
        ));
    }
    objects
}

#[test]
fn clixml_a_ref_chain_deeper_than_the_stack_is_read_whole() {
    let what = "150k ADObjectIds, each holding the one before";
    let mut objects = clixml_object(900_000, "Before", "<S N=\"Comment\">one</S>\n");
    objects.push_str(&object_id_chain(150_000));
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "chain.xml", clixml("", &objects));
    let out = dump(&path);
    out.assert_contained(what);
    assert!(out.diagnostics().is_empty(), "{}", out.summary());
    // One record per object: Before, then the chain.
    assert_eq!(
        out.stdout.lines().next().map(|l| l.contains("CN=Before")),
        Some(true)
    );
    assert!(out.stdout_len > 150_000 * 20, "{}", out.summary());
}

#[test]
fn clixml_objects_reached_again_through_refs_give_one_record_each() {
    let what = "500 objects with DNs, each holding the one before";
    // Object 0 also holds a directory object, which every later object
    // reaches again through the chain.
    let inner = "<Obj N=\"Inner\" RefId=\"inner\"><TN RefId=\"i\"><T>X</T></TN><Props>\
                 <S N=\"DistinguishedName\">CN=Inner,DC=x</S></Props></Obj>";
    let mut objects = clixml_object(900_000, "Before", "<S N=\"Comment\">one</S>\n");
    objects.push_str(&ref_chain(500, "<T>X</T>", |n| {
        let held = if n == 0 { inner } else { "" };
        format!("<S N=\"DistinguishedName\">CN=o{n},DC=x</S>{held}")
    }));
    objects.push_str(&clixml_object(
        900_001,
        "After",
        "<S N=\"Comment\">two</S>\n",
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "reached.xml", clixml("", &objects));
    let out = dump(&path);
    out.assert_contained(what);
    assert!(out.diagnostics().is_empty(), "{}", out.summary());
    let mut expected: Vec<String> = (0..500).map(|n| format!("CN=o{n},DC=x")).collect();
    expected.insert(0, "CN=Before,CN=Connections,DC=x".to_owned());
    expected.insert(2, "CN=Inner,DC=x".to_owned());
    expected.push("CN=After,CN=Connections,DC=x".to_owned());
    assert_eq!(out.dns(what), expected);
    assert_around(&out, what);
}

#[test]
fn clixml_a_long_ref_chain_without_dns_is_walked_once() {
    // Walked again for each object, 60k objects take 1.8 billion steps:
    // the watchdog would stop the run.
    let what = "60k objects without DNs, each holding the one before";
    let mut objects = clixml_object(900_000, "Before", "<S N=\"Comment\">one</S>\n");
    objects.push_str(&ref_chain(60_000, "<T>X</T>", |n| {
        format!("<S N=\"Name\">o{n}</S>")
    }));
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "walked.xml", clixml("", &objects));
    let out = dump(&path);
    out.assert_contained(what);
    assert!(out.diagnostics().is_empty(), "{}", out.summary());
    assert_eq!(
        out.stdout.lines().next().map(|l| l.contains("CN=Before")),
        Some(true)
    );
}

#[cfg(unix)]
#[test]
fn clixml_a_list_referred_to_by_every_object_is_expanded_within_a_budget() {
    let what = "a 20k-value list referred to by 2000 objects";
    let list: String = (0..20_000).map(|i| format!("<S>v{i}</S>")).collect();
    let mut objects = clixml_object(
        900_000,
        "Before",
        &format!(
            "<S N=\"Comment\">one</S>\n<Obj N=\"Members\" RefId=\"list\"><TN RefId=\"l\"><T>L</T></TN>\
             <LST>{list}</LST></Obj>\n"
        ),
    );
    for n in 0..2000 {
        objects.push_str(&format!(
            "<Obj RefId=\"{n}\"><TNRef RefId=\"900000\" /><Props>\
             <S N=\"DistinguishedName\">CN=o{n},DC=x</S><Ref N=\"Members\" RefId=\"list\" /></Props></Obj>\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "shared.xml", clixml("", &objects));
    let out = dump_capped(&path);
    out.assert_contained(what);
    let errors = errors_with(&out, "times its text");
    assert_eq!(errors.len(), 1, "{}", out.summary());
    assert!(errors[0].contains("reading stopped"), "{errors:?}");
    assert!(out.stdout_len < 64 << 20, "{}", out.summary());
    let first = out.stdout.lines().next().unwrap_or_default();
    assert!(
        first.contains("CN=Before") && first.contains("\"v19999\""),
        "{first:.200}"
    );
}

/// A name of `cn;x-` and a MiB: far beyond what an attribute description may be.
#[cfg(unix)]
fn overlong_name() -> String {
    format!("cn;x-{}", "a".repeat(1 << 20))
}

#[cfg(unix)]
#[test]
fn dsml_an_overlong_attribute_description_is_skipped_with_an_error() {
    let what = "DSML attribute named by a MiB, 20k values";
    let long = format!(
        "<searchResultEntry dn=\"CN=Long,DC=x\">\n<attr name=\"cn\"><value>Long</value></attr>\n\
         <attr name=\"{}\">{}</attr>\n<attr name=\"description\"><value>kept</value></attr>\n\
         </searchResultEntry>\n",
        overlong_name(),
        "<value>v</value>".repeat(20_000)
    );
    let entries = [
        dsml_entry(
            "CN=Before,CN=Connections,DC=x",
            &[("Name", "Before"), ("Comment", "one")],
        ),
        long,
        dsml_entry(
            "CN=After,CN=Connections,DC=x",
            &[("Name", "After"), ("Comment", "two")],
        ),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "long-name.dsml", dsml("", &entries));
    let out = dump_capped(&path);
    out.assert_contained(what);
    let errors = errors_with(&out, "attribute description of at most 1 KiB");
    assert_eq!(errors.len(), 1, "{}", out.summary());
    assert!(errors[0].contains("attribute skipped"), "{errors:?}");
    assert_around(&out, what);
    out.assert_record(
        what,
        "CN=Long,DC=x",
        &[("cn", "Long"), ("description", "kept")],
    );
    assert_eq!(out.records(what)[1]["attrs"].as_array().unwrap().len(), 2);
}

#[cfg(unix)]
#[test]
fn clixml_an_overlong_property_name_is_skipped_with_an_error() {
    let what = "CLIXML property named by a MiB, 20k values";
    let long = clixml_object(
        1,
        "Long",
        &format!(
            "<Obj N=\"{}\" RefId=\"2\"><TN RefId=\"2\"><T>L</T></TN><LST>{}</LST></Obj>\n\
             <S N=\"Comment\">kept</S>\n",
            overlong_name(),
            "<S>v</S>".repeat(20_000)
        ),
    );
    let objects = [
        clixml_object(100, "Before", "<S N=\"Comment\">one</S>\n"),
        long,
        clixml_object(101, "After", "<S N=\"Comment\">two</S>\n"),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "long-name.xml", clixml("", &objects));
    let out = dump_capped(&path);
    out.assert_contained(what);
    let errors = errors_with(&out, "attribute description of at most 1 KiB");
    assert_eq!(errors.len(), 1, "{}", out.summary());
    assert_around(&out, what);
    out.assert_record(
        what,
        "CN=Long,CN=Connections,DC=x",
        &[("Name", "Long"), ("Comment", "kept")],
    );
}

#[cfg(unix)]
#[test]
fn dsml_names_copied_into_every_value_count_against_the_text() {
    // Names within the limit, but copied into 80k values an entry: 20
    // entries would take 1.7 GB.
    let what = "DSML entries of 80k empty values under a 1000-byte name";
    let name = format!("cn;x-{}", "a".repeat(995));
    let mut entries = dsml_entry(
        "CN=Before,CN=Connections,DC=x",
        &[("Name", "Before"), ("Comment", "one")],
    );
    for n in 0..20 {
        entries.push_str(&format!(
            "<searchResultEntry dn=\"CN=e{n},DC=x\"><attr name=\"{name}\">{}</attr></searchResultEntry>\n",
            "<value/>".repeat(80_000)
        ));
    }
    entries.push_str(&dsml_entry(
        "CN=After,CN=Connections,DC=x",
        &[("Name", "After"), ("Comment", "two")],
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "copied-names.dsml", dsml("", &entries));
    let out = dump_capped(&path);
    out.assert_contained(what);
    let errors = errors_with(&out, "times their text");
    assert_eq!(errors.len(), 20, "{}", out.summary());
    assert!(
        errors.iter().all(|e| e.contains("entry skipped")),
        "{errors:?}"
    );
    assert_eq!(
        out.dns(what),
        [
            "CN=Before,CN=Connections,DC=x",
            "CN=After,CN=Connections,DC=x"
        ]
    );
}

#[cfg(unix)]
#[test]
fn clixml_names_copied_into_every_value_count_against_the_text() {
    // 30 objects would take 1.9 GB.
    let what = "CLIXML objects of 60k empty values under a 1000-byte name";
    let name = format!("x{}", "a".repeat(999));
    let mut objects = clixml_object(900_000, "Before", "<S N=\"Comment\">one</S>\n");
    for n in 0..30 {
        objects.push_str(&format!(
            "<Obj RefId=\"{n}\"><TNRef RefId=\"900000\" /><Props><S N=\"DistinguishedName\">CN=o{n},DC=x</S>\
             <Obj N=\"{name}\" RefId=\"l{n}\"><TN RefId=\"l{n}\"><T>L</T></TN><LST>{}</LST></Obj></Props></Obj>\n",
            "<S />".repeat(60_000)
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "copied-names.xml", clixml("", &objects));
    let out = dump_capped(&path);
    out.assert_contained(what);
    let errors = errors_with(&out, "times its text");
    assert_eq!(errors.len(), 1, "{}", out.summary());
    // Before, and the first object whole: 60k values of 1000 bytes.
    assert!(out.stdout_len < 128 << 20, "{}", out.summary());
    assert_eq!(
        out.stdout.lines().next().map(|l| l.contains("CN=Before")),
        Some(true)
    );
}

/// The one `--max-values` error, which must say how many values were found.
#[cfg(unix)]
fn assert_values_cut(out: &Outcome, found: usize) {
    let errors = errors_with(out, "--max-values");
    assert_eq!(errors.len(), 1, "{}", out.summary());
    assert!(
        errors[0].contains(&format!("found {found}:")),
        "expected found {found}: {errors:?}"
    );
}

#[cfg(unix)]
#[test]
fn dsml_values_past_the_limit_are_not_collected() {
    let what = "DSML entry of 4M empty values";
    let many = format!(
        "<searchResultEntry dn=\"CN=Many,DC=x\"><attr name=\"cn\">{}</attr></searchResultEntry>\n",
        "<value/>".repeat(4_000_000)
    );
    let entries = [
        dsml_entry(
            "CN=Before,CN=Connections,DC=x",
            &[("Name", "Before"), ("Comment", "one")],
        ),
        many,
        dsml_entry(
            "CN=After,CN=Connections,DC=x",
            &[("Name", "After"), ("Comment", "two")],
        ),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "many.dsml", dsml("", &entries));
    let out = run_capped(&["dump", "--format", "jsonl"], &path, 512);
    out.assert_contained(what);
    assert_values_cut(&out, 4_000_000);
    assert_around(&out, what);
    assert_eq!(out.values(what, "CN=Many,DC=x", "cn").len(), 100_000);
}

#[cfg(unix)]
#[test]
fn clixml_values_past_the_limit_are_not_collected() {
    let what = "CLIXML list of 4M empty values";
    let many = clixml_object(
        1,
        "Many",
        &format!(
            "<Obj N=\"Members\" RefId=\"2\"><TN RefId=\"2\"><T>L</T></TN><LST>{}</LST></Obj>\n",
            "<S/>".repeat(4_000_000)
        ),
    );
    let objects = [
        clixml_object(100, "Before", "<S N=\"Comment\">one</S>\n"),
        many,
        clixml_object(101, "After", "<S N=\"Comment\">two</S>\n"),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "many.xml", clixml("", &objects));
    let out = run_capped(&["dump", "--format", "jsonl"], &path, 512);
    out.assert_contained(what);
    // Name, DistinguishedName, 4M members and two type names.
    assert_values_cut(&out, 4_000_004);
    assert_around(&out, what);
}
