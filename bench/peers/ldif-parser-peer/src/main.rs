//! Benchmark peer: the Send-connector source analysis as someone would write
//! it today on the `ldif-parser` crate (reads the whole file into a String,
//! parses every entry, splits DNs naively on ',').
//!
//! Prints `{"server": ["connector", ...]}` as JSON for comparison with exconn.

use std::collections::{BTreeMap, BTreeSet};

use ldif_parser::LdifParser;

fn main() {
    let path = std::env::args().nth(1).expect("usage: ldif-parser-peer FILE");
    let text = std::fs::read_to_string(&path).expect("the export is UTF-8 text");
    let parsed = match LdifParser::parse_with_warnings(&text) {
        Ok(parsed) => parsed,
        Err(error) => {
            eprintln!("ldif-parser: {error}");
            std::process::exit(2);
        }
    };
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for entry in &parsed.entries {
        if !entry.has_object_class("msExchRoutingSMTPConnector") {
            continue;
        }
        if entry.get_attr("isDeleted").is_some_and(|v| v.iter().any(|v| v.eq_ignore_ascii_case("TRUE"))) {
            continue;
        }
        let name = entry
            .get_attr("cn")
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| entry.dn.clone());
        for reference in entry.get_attr("msExchSourceBridgeheadServersDN").into_iter().flatten() {
            // The naive way: split on ',' and take the RDN before CN=Servers.
            let parts: Vec<&str> = reference.split(',').collect();
            if let Some(at) = parts.iter().position(|p| *p == "CN=Servers") {
                if at > 0 {
                    let server = parts[at - 1].trim_start_matches("CN=").to_owned();
                    sources.entry(server).or_default().insert(name.clone());
                }
            }
        }
    }
    println!("{}", serde_json::to_string(&sources).expect("JSON"));
}
