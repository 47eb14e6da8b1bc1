//! The DN parser on arbitrary text: a DN that parses displays as a DN that
//! parses to the same comparison key, and displaying is stable.
#![no_main]

use exconn::dn::Dn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(dn) = Dn::parse(text) else {
        return;
    };
    let shown = dn.to_string();
    let again = Dn::parse(&shown).unwrap_or_else(|e| panic!("{text:?} displays as {shown:?}, which does not parse: {e:?}"));
    assert_eq!(again.key(), dn.key(), "{text:?} displays as {shown:?}, another DN");
    assert_eq!(again.to_string(), shown, "display is not stable");
    for ancestor in dn.ancestors() {
        let _ = ancestor.key();
    }
});
