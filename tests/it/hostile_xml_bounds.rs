//! Hostile XML inputs that multiply what is read, generated on the fly: a
//! `Ref` chain deeper than the stack, objects reached again and again
//! through `Ref`s, attribute names copied into every value, and records of
//! millions of values. Each run must end cleanly (see `guarded`), within a
//! cap on its address space where memory is at stake, keep the records
//! around the hostile part, and say what it left out.

use crate::guarded::dump;
use crate::hostile_xml::{clixml, clixml_object, write};

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
