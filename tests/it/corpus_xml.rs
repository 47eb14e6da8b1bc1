//! Conformance of the XML readers (CLIXML, DSML v2, DSML v1) with the suites
//! kept in the shared corpus, located and skipped exactly like the LDIF
//! suites (`corpus::corpus_root`).
//!
//! - `css-exchange-clixml`: real `Export-Clixml` output of Exchange cmdlets
//!   and of ADSI objects; the `dump` records are checked against what
//!   `expectations.json` states, and `sources` against the servers and
//!   connectors the files describe.
//! - `apache-directory-ldap-api/dsmlv2`: the DSML v2 search responses of the
//!   Apache parser tests.
//! - `perl-ldap/data/05-cmp.dsml`: DSML v1 written by Net::LDAP::DSML from
//!   the entries of `00-in.ldif`.
//!
//! Every suite collects all its mismatches and fails once with the full list.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::corpus::corpus_root;

// ---------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------

fn load_json(path: &Path) -> Value {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON in {}: {e}", path.display()))
}

/// A suite folder and its expectations; `None` when the corpus is missing.
fn open_suite(folder: &str) -> Option<(PathBuf, Value)> {
    let dir = corpus_root()?.join(folder);
    assert!(
        dir.is_dir(),
        "suite folder {} missing from the corpus",
        dir.display()
    );
    let expectations = load_json(&dir.join("expectations.json"));
    Some((dir, expectations))
}

struct Run {
    file: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str], files: &[&Path]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_exconn"))
        .args(args)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run exconn: {e}"));
    Run {
        file: files
            .first()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn dump(file: &Path, strict: bool) -> Run {
    let args: &[&str] = if strict {
        &["dump", "--strict", "--format", "jsonl"]
    } else {
        &["dump", "--format", "jsonl"]
    };
    run(args, &[file])
}

impl Run {
    fn records(&self) -> Result<Vec<Value>, String> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match serde_json::from_str::<Value>(l) {
                Ok(v) if v.is_object() => Ok(v),
                Ok(_) => Err(format!("stdout line is not a JSON object: {l}")),
                Err(e) => Err(format!("stdout line is not JSON ({e}): {l}")),
            })
            .collect()
    }

    fn summary(&self) -> String {
        let mut lines: Vec<&str> = self.stderr.lines().take(6).collect();
        if self.stderr.lines().count() > 6 {
            lines.push("...");
        }
        format!(
            "exit {}, stderr: [{}]",
            self.code.map_or("signal".to_string(), |c| c.to_string()),
            lines.join(" | ")
        )
    }

    /// Diagnostics `FILE:LINE:COL: SEVERITY: message` naming the file as
    /// passed on the command line: `(severity, message)`.
    fn diagnostics(&self) -> Vec<(String, String)> {
        self.stderr
            .lines()
            .filter_map(|l| parse_diagnostic(l, &self.file))
            .collect()
    }

    /// Any line that looks like a diagnostic or a fatal reason.
    fn has_any_diagnostic(&self) -> bool {
        self.stderr.lines().any(|l| {
            l.contains(": error: ") || l.contains(": warning: ") || l.starts_with("exconn: ")
        })
    }
}

fn is_positive_int(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.bytes().any(|b| b != b'0')
}

fn parse_diagnostic(line: &str, file: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix(file)?.strip_prefix(':')?;
    let mut parts = rest.splitn(3, ':');
    let (l, c, tail) = (parts.next()?, parts.next()?, parts.next()?);
    if !is_positive_int(l) || !is_positive_int(c) {
        return None;
    }
    for severity in ["error", "warning"] {
        if let Some(msg) = tail.strip_prefix(&format!(" {severity}: ")) {
            if !msg.trim().is_empty() {
                return Some((severity.to_owned(), msg.to_owned()));
            }
        }
    }
    None
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

struct Report {
    suite: &'static str,
    checked: usize,
    mismatches: Vec<String>,
}

impl Report {
    fn new(suite: &'static str) -> Self {
        Report {
            suite,
            checked: 0,
            mismatches: Vec::new(),
        }
    }

    fn fail(&mut self, case: &str, msg: impl Into<String>) {
        self.mismatches.push(format!("{case}: {}", msg.into()));
    }

    fn finish(self) {
        eprintln!("{}: {} case(s) checked", self.suite, self.checked);
        if !self.mismatches.is_empty() {
            panic!(
                "{} mismatch(es) in suite {} ({} case(s) checked):\n  - {}",
                self.mismatches.len(),
                self.suite,
                self.checked,
                self.mismatches.join("\n  - ")
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// The bytes of a dumped value: a string is its UTF-8, `{"base64": ..}` is
/// decoded. A URL (or anything else) is not a plain value.
fn dumped_bytes(v: &Value) -> Result<Vec<u8>, String> {
    match v {
        Value::String(s) => Ok(s.as_bytes().to_vec()),
        Value::Object(o) => match o.get("base64").and_then(Value::as_str) {
            Some(b) => BASE64
                .decode(b)
                .map_err(|e| format!("bad base64 in dump ({e}): {}", compact(v))),
            None => Err(format!("unexpected dumped value {}", compact(v))),
        },
        other => Err(format!("unexpected dumped value {}", compact(other))),
    }
}

/// Bytes shown readably in messages.
fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("base64:{}", BASE64.encode(bytes)),
    }
}

fn show_all(values: &[Vec<u8>]) -> String {
    format!(
        "[{}]",
        values
            .iter()
            .map(|v| show(v))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The values of attribute `name` (exact spelling) of a dumped record, in order.
fn values_of(rec: &Value, name: &str) -> Result<Vec<Vec<u8>>, String> {
    pairs_of(rec).map(|pairs| {
        pairs
            .into_iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v)
            .collect()
    })
}

/// All `(name, value bytes)` pairs of a dumped record, in order.
fn pairs_of(rec: &Value) -> Result<Vec<(String, Vec<u8>)>, String> {
    let attrs = rec
        .get("attrs")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("record without an attrs array: {}", compact(rec)))?;
    attrs
        .iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(n), v]) => dumped_bytes(v).map(|b| (n.clone(), b)),
            _ => Err(format!(
                "attrs item is not [NAME, VALUE]: {}",
                compact(pair)
            )),
        })
        .collect()
}

fn dn_of(rec: &Value) -> Option<&str> {
    rec.get("dn").and_then(Value::as_str)
}

/// An expected CLIXML value as the dump must show it: strings verbatim,
/// numbers and booleans as PowerShell writes them, `{"bytes_b64"}` as the
/// bytes. `Ok(None)` for a `System.__ComObject` (its content is not in the
/// file: no pair, but it counts for the warning).
fn expected_clixml_value(v: &Value) -> Result<Option<Vec<u8>>, String> {
    match v {
        Value::String(s) => Ok(Some(s.as_bytes().to_vec())),
        Value::Number(n) => Ok(Some(n.to_string().into_bytes())),
        Value::Bool(b) => Ok(Some(b.to_string().into_bytes())),
        Value::Object(o) => {
            if let Some(b) = o.get("bytes_b64").and_then(Value::as_str) {
                return BASE64
                    .decode(b)
                    .map(Some)
                    .map_err(|e| format!("bad bytes_b64 in expectations ({e})"));
            }
            let com = o
                .get("$types")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|t| t.as_str() == Some("System.__ComObject")));
            if com {
                Ok(None)
            } else {
                Err(format!("no mapping for expected value {}", compact(v)))
            }
        }
        other => Err(format!("no mapping for expected value {}", compact(other))),
    }
}

// ---------------------------------------------------------------------------
// css-exchange-clixml
// ---------------------------------------------------------------------------

/// Keys of an Exchange cmdlet object in expectations.json that have no
/// counterpart in a dump record, and are therefore not checked:
/// - `type0` and `tostring`: the object's type name and ToString are not
///   part of a record (only property values are);
/// - `SourceTransportServers[].ObjectGuid`: the GUID of an ADObjectId, which
///   becomes its DistinguishedName;
/// - `SourceIPAddress`: given only as `{"$ref": ..}` to another object of
///   the walker's output, not as a value.
const CMDLET_KEYS_WITHOUT_MAPPING: &[&str] = &[
    "type0",
    "tostring",
    "SourceTransportServers[].ObjectGuid",
    "SourceIPAddress",
];

/// Keys describing an ADSI object as a whole (`type0`, `note`) or already
/// checked through the DN (`Path`, `top_level_objects`).
const ADSI_KEYS_WITHOUT_MAPPING: &[&str] = &["type0", "note"];

/// The pair name an expectation key of a cmdlet object maps onto, and
/// whether it is single-valued. `Identity` and `Server` are ADObjectIds: the
/// dump holds their DistinguishedName; lists of ADObjectIds hold one DN per
/// item; AddressSpaces, SmartHosts and Bindings items hold their ToString.
fn cmdlet_key_mapping(key: &str) -> Option<&str> {
    Some(match key {
        "Name" => "Name",
        "Guid" => "Guid",
        "DistinguishedName" => "DistinguishedName",
        "ObjectClass" => "ObjectClass",
        "Identity.DistinguishedName" => "Identity",
        "Server.DistinguishedName" => "Server",
        "SourceTransportServers[].DistinguishedName" => "SourceTransportServers",
        "AddressSpaces[].tostring" => "AddressSpaces",
        "SmartHosts[].tostring" => "SmartHosts",
        "Bindings[].tostring" => "Bindings",
        _ => return None,
    })
}

fn check_cmdlet_object(report: &mut Report, case: &str, want: &Map<String, Value>, got: &Value) {
    if let Some(dn) = want.get("DistinguishedName").and_then(Value::as_str) {
        if dn_of(got) != Some(dn) {
            report.fail(
                case,
                format!("dn: expected {dn:?}, got {}", compact(&got["dn"])),
            );
        }
    }
    for (key, expected) in want {
        if CMDLET_KEYS_WITHOUT_MAPPING.contains(&key.as_str()) {
            continue;
        }
        let Some(pair_name) = cmdlet_key_mapping(key) else {
            report.fail(
                case,
                format!("expectation key {key:?} has no mapping in this test"),
            );
            continue;
        };
        let expected: Vec<Vec<u8>> = match expected {
            Value::Array(items) => items
                .iter()
                .filter_map(Value::as_str)
                .map(|s| s.as_bytes().to_vec())
                .collect(),
            Value::String(s) => vec![s.as_bytes().to_vec()],
            other => {
                report.fail(
                    case,
                    format!("{key}: unexpected expectation {}", compact(other)),
                );
                continue;
            }
        };
        match values_of(got, pair_name) {
            Ok(have) if have == expected => {}
            Ok(have) => report.fail(
                case,
                format!(
                    "{key} -> pairs {pair_name:?}: expected {}, got {}",
                    show_all(&expected),
                    show_all(&have)
                ),
            ),
            Err(e) => report.fail(case, e),
        }
    }
    // Noise properties of remoting and serialization are dropped.
    for noise in [
        "SerializationData",
        "PSComputerName",
        "RunspaceId",
        "PSShowComputerName",
    ] {
        if matches!(values_of(got, noise), Ok(v) if !v.is_empty()) {
            report.fail(case, format!("noise property {noise} was kept"));
        }
    }
}

/// Compares an ADSI attribute map (`name -> [values]`) with the pairs of a
/// record: the same names with the same values in the same order, except
/// `System.__ComObject` values, which have no pair. Returns how many such
/// values the map holds.
fn check_adsi_attributes(
    report: &mut Report,
    case: &str,
    want: &Map<String, Value>,
    got: &Value,
) -> usize {
    let mut lost = 0;
    let mut expected: BTreeMap<&str, Vec<Vec<u8>>> = BTreeMap::new();
    for (name, values) in want {
        let Some(values) = values.as_array() else {
            report.fail(case, format!("attribute {name}: expectation is not a list"));
            continue;
        };
        let mut list = Vec::new();
        for v in values {
            match expected_clixml_value(v) {
                Ok(Some(bytes)) => list.push(bytes),
                Ok(None) => lost += 1,
                Err(e) => report.fail(case, format!("attribute {name}: {e}")),
            }
        }
        if !list.is_empty() {
            expected.insert(name.as_str(), list);
        }
    }
    let pairs = match pairs_of(got) {
        Ok(p) => p,
        Err(e) => {
            report.fail(case, e);
            return lost;
        }
    };
    let mut have: BTreeMap<&str, Vec<Vec<u8>>> = BTreeMap::new();
    for (name, value) in &pairs {
        have.entry(name.as_str()).or_default().push(value.clone());
    }
    let names: std::collections::BTreeSet<&str> =
        expected.keys().chain(have.keys()).copied().collect();
    for name in names {
        let (w, h) = (expected.get(name), have.get(name));
        if w != h {
            report.fail(
                case,
                format!(
                    "attribute {name}: expected {}, got {}",
                    w.map_or("(absent)".to_owned(), |v| show_all(v)),
                    h.map_or("(absent)".to_owned(), |v| show_all(v))
                ),
            );
        }
    }
    lost
}

/// `LDAP://server/DN` or `LDAP://DN` -> DN.
fn dn_of_ldap_path(path: &str) -> &str {
    let rest = path.strip_prefix("LDAP://").unwrap_or(path);
    match rest.split_once('/') {
        Some((server, dn)) if !server.contains('=') => dn,
        _ => rest,
    }
}

#[test]
fn css_exchange_clixml_dump() {
    let Some((dir, exp)) = open_suite("css-exchange-clixml") else {
        return;
    };
    let mut report = Report::new("css-exchange-clixml (dump)");
    let files = exp
        .get("files")
        .and_then(Value::as_object)
        .expect("expectations.json has a `files` object");
    for (name, want) in files {
        report.checked += 1;
        let path = dir.join(name);
        let run = dump(&path, false);
        if run.code != Some(0) {
            report.fail(name, format!("expected exit 0, got {}", run.summary()));
            continue;
        }
        let records = match run.records() {
            Ok(r) => r,
            Err(e) => {
                report.fail(name, e);
                continue;
            }
        };
        if let Some(n) = want.get("top_level_objects").and_then(Value::as_u64) {
            if records.len() as u64 != n {
                report.fail(
                    name,
                    format!(
                        "expected {n} record(s) (top-level objects), got {}",
                        records.len()
                    ),
                );
            }
        }
        let mut lost = 0;
        if let Some(objects) = want.get("objects").and_then(Value::as_array) {
            // Exchange cmdlet objects, in file order.
            for (i, object) in objects.iter().enumerate() {
                let case = format!("{name} object {i}");
                match (object.as_object(), records.get(i)) {
                    (Some(o), Some(rec)) => check_cmdlet_object(&mut report, &case, o, rec),
                    (None, _) => report.fail(&case, "expectation is not an object"),
                    (_, None) => report.fail(&case, "no such record"),
                }
            }
        } else if let Some(attributes) = want.get("attributes").and_then(Value::as_object) {
            // [ADSI] DirectoryEntry: LDAP names, values of PropertyValueCollections.
            for key in want.as_object().into_iter().flat_map(|o| o.keys()) {
                if !["top_level_objects", "attributes"].contains(&key.as_str())
                    && !ADSI_KEYS_WITHOUT_MAPPING.contains(&key.as_str())
                {
                    report.fail(name, format!("expectation key {key:?} has no mapping"));
                }
            }
            let Some(rec) = records.first() else {
                report.fail(name, "no record");
                continue;
            };
            let dn = attributes
                .get("distinguishedName")
                .and_then(|v| v.get(0))
                .and_then(Value::as_str);
            if dn.is_some() && dn_of(rec) != dn {
                report.fail(
                    name,
                    format!("dn: expected {dn:?}, got {}", compact(&rec["dn"])),
                );
            }
            lost += check_adsi_attributes(&mut report, name, attributes, rec);
        } else if let Some(properties) = want.get("Properties").and_then(Value::as_object) {
            // DirectorySearcher SearchResult: DN from Path, lower-case keys of Properties.
            for key in want.as_object().into_iter().flat_map(|o| o.keys()) {
                if !["top_level_objects", "Path", "Properties"].contains(&key.as_str())
                    && !ADSI_KEYS_WITHOUT_MAPPING.contains(&key.as_str())
                {
                    report.fail(name, format!("expectation key {key:?} has no mapping"));
                }
            }
            let Some(rec) = records.first() else {
                report.fail(name, "no record");
                continue;
            };
            if let Some(path) = want.get("Path").and_then(Value::as_str) {
                let dn = dn_of_ldap_path(path);
                if dn_of(rec) != Some(dn) {
                    report.fail(
                        name,
                        format!("dn from Path: expected {dn:?}, got {}", compact(&rec["dn"])),
                    );
                }
            }
            lost += check_adsi_attributes(&mut report, name, properties, rec);
        } else {
            report.fail(
                name,
                "expectation has neither objects, attributes nor Properties",
            );
        }
        // Diagnostics: none, except one warning counting the
        // System.__ComObject values that are not in the file.
        let diagnostics = run.diagnostics();
        if lost == 0 {
            if run.has_any_diagnostic() {
                report.fail(
                    name,
                    format!("expected no diagnostic, got {}", run.summary()),
                );
            }
        } else {
            let counted: Vec<&(String, String)> = diagnostics
                .iter()
                .filter(|(sev, msg)| sev == "warning" && msg.contains("__ComObject"))
                .collect();
            let says_count = counted.len() == 1
                && counted[0]
                    .1
                    .split(|c: char| !c.is_ascii_digit())
                    .any(|n| n == lost.to_string());
            if !says_count || diagnostics.len() != 1 {
                report.fail(
                    name,
                    format!(
                        "expected exactly one warning saying {lost} System.__ComObject value(s) \
                         are not in the file, got {}",
                        run.summary()
                    ),
                );
            }
        }
    }
    report.finish();
}

fn sources_json(report: &mut Report, case: &str, files: &[&Path]) -> Option<Value> {
    let run = run(&["sources", "--format", "json"], files);
    // Exit 2 is right only when an organization's inputs cannot show its
    // Send connectors (Get-ExchangeServer output alone), and says so.
    let cannot_tell = serde_json::Deserializer::from_str(&run.stdout)
        .into_iter::<Value>()
        .flatten()
        .filter(|doc| doc["coverage"]["send_connectors_shown"] == false)
        .all(|doc| doc["findings"][0]["code"] == "SendConnectorsNotInExport");
    let shown_everywhere = !run.stdout.contains("\"send_connectors_shown\":false")
        && !run.stdout.contains("\"send_connectors_shown\": false");
    let expected = if shown_everywhere { 0 } else { 2 };
    if run.code != Some(expected) || (expected == 2 && (!cannot_tell || !run.stderr.is_empty())) {
        report.fail(
            case,
            format!(
                "expected exit {expected} (2 only for organizations whose Send connectors are not in the \
                 inputs, each with SendConnectorsNotInExport first), got {}",
                run.summary()
            ),
        );
        return None;
    }
    // One document per organization: merged here into one view, each
    // document's organization kept in `organizations`.
    let mut merged = Map::new();
    let mut organizations = Vec::new();
    for document in serde_json::Deserializer::from_str(&run.stdout).into_iter::<Value>() {
        let document = match document {
            Ok(Value::Object(document)) => document,
            Ok(other) => {
                report.fail(
                    case,
                    format!("stdout holds a non-object {}", compact(&other)),
                );
                return None;
            }
            Err(e) => {
                report.fail(case, format!("stdout is not JSON ({e})"));
                return None;
            }
        };
        organizations.push(Value::from(vec![
            document.get("organization").cloned().unwrap_or(Value::Null),
            document.get("forest").cloned().unwrap_or(Value::Null),
        ]));
        for (key, value) in document {
            match (merged.get_mut(&key), value) {
                (Some(Value::Array(all)), Value::Array(more)) => all.extend(more),
                (None, value) => {
                    merged.insert(key, value);
                }
                _ => {}
            }
        }
    }
    merged.insert("organizations".to_owned(), Value::from(organizations));
    Some(Value::Object(merged))
}

/// The (organization, forest) pairs the DNs in a file name.
fn organizations_in(path: &Path) -> BTreeSet<(String, String)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let marker = ",CN=Microsoft Exchange,CN=Services,CN=Configuration,";
    text.match_indices(marker)
        .filter_map(|(at, _)| {
            let before = &text[..at];
            let org = &before[before.rfind("CN=")? + 3..];
            let after = &text[at + marker.len()..];
            let end = after.find(['<', '"']).unwrap_or(after.len());
            let forest: Vec<&str> = after[..end]
                .split(',')
                .filter_map(|dc| dc.strip_prefix("DC="))
                .collect();
            Some((org.to_owned(), forest.join(".").to_lowercase()))
        })
        .collect()
}

fn named<'a>(report_json: &'a Value, list: &str, name: &str) -> Option<&'a Value> {
    report_json
        .get(list)
        .and_then(Value::as_array)?
        .iter()
        .find(|item| item.get("name").and_then(Value::as_str) == Some(name))
}

fn str_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

/// The connector `connector` has exactly `server` as its source, nothing
/// unresolved, and the server lists the connector.
fn check_only_source(report: &mut Report, case: &str, json: &Value, connector: &str, server: &str) {
    let Some(c) = named(json, "send_connectors", connector) else {
        report.fail(case, format!("no send connector named {connector:?}"));
        return;
    };
    let sources = str_list(c.get("source_servers"));
    if sources != [server] {
        report.fail(
            case,
            format!("{connector}: expected source_servers [{server:?}], got {sources:?}"),
        );
    }
    let unresolved = c.get("unresolved_sources");
    if !unresolved
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        report.fail(
            case,
            format!(
                "{connector}: expected no unresolved sources, got {}",
                unresolved.map_or("(absent)".into(), compact)
            ),
        );
    }
    match named(json, "servers", server) {
        Some(s) => {
            if !str_list(s.get("send_connectors"))
                .iter()
                .any(|n| n == connector)
            {
                report.fail(
                    case,
                    format!(
                        "server {server}: expected {connector:?} among its send_connectors, got {}",
                        compact(&s["send_connectors"])
                    ),
                );
            }
        }
        None => report.fail(case, format!("no server named {server:?}")),
    }
}

fn sha256_hex(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `Fqdn` properties of a CLIXML file, read from its text.
fn fqdns_in(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.split("<S N=\"Fqdn\">")
        .skip(1)
        .filter_map(|rest| rest.split_once("</S>").map(|(v, _)| v.to_owned()))
        .collect()
}

#[test]
fn css_exchange_clixml_sources() {
    let Some((dir, _exp)) = open_suite("css-exchange-clixml") else {
        return;
    };
    let mut report = Report::new("css-exchange-clixml (sources)");

    // One connector per file; its source server is not in the export.
    for (file, connector) in [
        ("GetSendConnector.xml", "Mail to O365"),
        (
            "GetSendConnectorConfiguredToRelayToM365.xml",
            "My company to Office 365",
        ),
    ] {
        report.checked += 1;
        let path = dir.join(file);
        if let Some(json) = sources_json(&mut report, file, &[&path]) {
            check_only_source(&mut report, file, &json, connector, "WIN-CTD3L0RGEN4");
        }
    }

    // The connector together with Get-ExchangeServer output of other labs.
    report.checked += 1;
    let case = "GetSendConnector.xml + 3 Get-ExchangeServer files";
    let files = [
        "GetSendConnector.xml",
        "E19_GetExchangeServer.xml",
        "E16_GetExchangeServer.xml",
        "MonitorAuthCert_GetExchangeServer_2servers.xml",
    ];
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let path_refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    if let Some(json) = sources_json(&mut report, case, &path_refs) {
        check_only_source(&mut report, case, &json, "Mail to O365", "WIN-CTD3L0RGEN4");
        // The files come from different labs: one report per organization.
        let expected: BTreeSet<(String, String)> =
            paths.iter().flat_map(|p| organizations_in(p)).collect();
        let reported: BTreeSet<(String, String)> = json["organizations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| {
                let text = |i: usize| pair[i].as_str().unwrap_or("").to_owned();
                (text(0), text(1))
            })
            .collect();
        if expected.len() < 2 || reported != expected {
            report.fail(
                case,
                format!("organizations: expected {expected:?}, got {reported:?}"),
            );
        }
        let fqdns: Vec<String> = paths.iter().flat_map(|p| fqdns_in(p)).collect();
        let expected_servers = [
            ("SOLO-E19A", "Exchange Server 2019", "15.2.986.5"),
            ("SOLO-E16A", "Exchange Server 2016", "15.1.2375.7"),
            ("E2k16-1", "Exchange Server 2016", "15.1.2507.18"),
            ("E2k16-2", "Exchange Server 2016", "15.1.2507.18"),
        ];
        for (name, product, version) in expected_servers {
            let Some(server) = named(&json, "servers", name) else {
                report.fail(case, format!("no server named {name:?}"));
                continue;
            };
            let fqdn = fqdns.iter().find(|f| {
                f.split('.')
                    .next()
                    .is_some_and(|host| host.eq_ignore_ascii_case(name))
            });
            if fqdn.is_none() {
                report.fail(
                    case,
                    format!("{name}: no Fqdn property for it in the files"),
                );
            }
            let checks = [
                ("in_export", Value::Bool(true)),
                ("product", Value::from(product)),
                ("version", Value::from(version)),
                (
                    "fqdn",
                    fqdn.map_or(Value::Null, |f| Value::from(f.as_str())),
                ),
            ];
            for (field, want) in checks {
                let have = server.get(field).unwrap_or(&Value::Null);
                if *have != want {
                    report.fail(
                        case,
                        format!(
                            "server {name}: {field}: expected {}, got {}",
                            compact(&want),
                            compact(have)
                        ),
                    );
                }
            }
        }
        match named(&json, "servers", "WIN-CTD3L0RGEN4") {
            Some(s) if s.get("in_export") == Some(&Value::Bool(false)) => {}
            Some(s) => report.fail(
                case,
                format!(
                    "server WIN-CTD3L0RGEN4: expected in_export false, got {}",
                    compact(&s["in_export"])
                ),
            ),
            None => report.fail(case, "no server named WIN-CTD3L0RGEN4"),
        }
        // One input per file (in the report of its organization), read as
        // CLIXML, with its hash and as many entries as the file has
        // top-level objects.
        let inputs = json.get("inputs").and_then(Value::as_array);
        let inputs = inputs.map(Vec::as_slice).unwrap_or_default();
        if inputs.len() != paths.len() {
            report.fail(
                case,
                format!("expected {} inputs, got {}", paths.len(), inputs.len()),
            );
        }
        for path in &paths {
            let shown = path.to_string_lossy();
            let Some(input) = inputs
                .iter()
                .find(|i| i.get("path").and_then(Value::as_str) == Some(&shown))
            else {
                report.fail(case, format!("no input {shown}"));
                continue;
            };
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let entries = dump(path, false).records().map(|r| r.len()).unwrap_or(0);
            let checks = [
                ("path", Value::from(path.to_string_lossy().into_owned())),
                ("format", Value::from("clixml")),
                ("entries", Value::from(entries)),
                ("sha256", Value::from(sha256_hex(path))),
            ];
            for (field, want) in checks {
                let have = input.get(field).unwrap_or(&Value::Null);
                if *have != want {
                    report.fail(
                        case,
                        format!(
                            "input {file}: {field}: expected {}, got {}",
                            compact(&want),
                            compact(have)
                        ),
                    );
                }
            }
            let encoding = input.get("encoding").and_then(Value::as_str).unwrap_or("");
            if encoding.is_empty() {
                report.fail(case, format!("input {file}: no encoding"));
            }
        }
    }
    report.finish();
}

// ---------------------------------------------------------------------------
// apache-directory-ldap-api: DSML v2 search responses
// ---------------------------------------------------------------------------

/// `parsed_summary.entries` in pair form: `(dn, [(name, value)])`. An attr
/// with no value has no pair; `{"utf8": s}` is `s` whether or not it came
/// from base64 in the file (the dump decodes it).
#[allow(clippy::type_complexity)]
fn summary_entries(summary: &Value) -> Result<Vec<(String, Vec<(String, Vec<u8>)>)>, String> {
    let entries = summary
        .get("entries")
        .and_then(Value::as_array)
        .ok_or("parsed_summary has no entries list")?;
    entries
        .iter()
        .map(|entry| {
            let dn = entry
                .get("dn")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("entry without a dn: {}", compact(entry)))?;
            let mut pairs = Vec::new();
            for attr in entry
                .get("attrs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some([Value::String(name), Value::Array(values)]) =
                    attr.as_array().map(Vec::as_slice)
                else {
                    return Err(format!("unsupported attr {}", compact(attr)));
                };
                for v in values {
                    let bytes = match (v.get("utf8"), v.get("base64")) {
                        (Some(Value::String(s)), _) => s.as_bytes().to_vec(),
                        (_, Some(Value::String(b))) => BASE64
                            .decode(b)
                            .map_err(|e| format!("bad base64 in expectations ({e})"))?,
                        _ => return Err(format!("unsupported value {}", compact(v))),
                    };
                    pairs.push((name.clone(), bytes));
                }
            }
            Ok((dn.to_owned(), pairs))
        })
        .collect()
}

fn show_pairs(pairs: &[(String, Vec<u8>)]) -> String {
    format!(
        "[{}]",
        pairs
            .iter()
            .map(|(n, v)| format!("{n}: {}", show(v)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A dumped record: DN and its (name, value bytes) pairs.
type DumpedRecord = (String, Vec<(String, Vec<u8>)>);

/// Whether an `ok` case carries a search that ended with a non-zero result code.
fn failed_search_deviation(case: &Value) -> bool {
    case.get("parsed_summary")
        .and_then(|summary| summary.get("done"))
        .and_then(Value::as_array)
        .is_some_and(|done| {
            done.iter().any(|d| {
                d.get("code")
                    .and_then(Value::as_str)
                    .is_some_and(|code| code != "0")
            })
        })
}

/// Of a case's `parsed_summary`, only `entries` maps onto dump records:
/// `references`, `done`, `controls`, `root` and `namespace` describe parts
/// of a DSML response that are not records, and are not checked (except
/// `done` codes for the documented failed-search deviation).
#[test]
fn apache_dsmlv2() {
    let Some((dir, exp)) = open_suite("apache-directory-ldap-api") else {
        return;
    };
    let mut report = Report::new("apache-directory-ldap-api (dsmlv2)");
    let cases = exp
        .get("cases")
        .and_then(Value::as_object)
        .expect("expectations.json has a `cases` object");
    for (name, case) in cases.iter().filter(|(n, _)| n.starts_with("dsmlv2/")) {
        report.checked += 1;
        let run = dump(&dir.join(name), true);
        match case.get("expect").and_then(Value::as_str).unwrap_or("") {
            "error" => {
                let diagnostics = run.diagnostics();
                if run.code != Some(2) || diagnostics.is_empty() {
                    report.fail(
                        name,
                        format!(
                            "expected exit 2 and a diagnostic `{}:LINE:COL: error|warning: ...`, got {}",
                            run.file,
                            run.summary()
                        ),
                    );
                    continue;
                }
                let why = case.get("why").and_then(Value::as_str).unwrap_or("");
                if why.starts_with("structural:") {
                    if !diagnostics.iter().any(|(sev, _)| sev == "error") {
                        report.fail(
                            name,
                            format!(
                                "{why}: expected an error (not only warnings), got {}",
                                run.summary()
                            ),
                        );
                    }
                } else if !why.starts_with("validation:") {
                    report.fail(
                        name,
                        format!("`why` is neither structural: nor validation: ({why:?})"),
                    );
                }
            }
            "ok" => {
                if failed_search_deviation(case) {
                    // Documented deviation: a searchResultDone with a non-zero
                    // result code parses fine for Apache's response parser, but
                    // for an export it means the search stopped early: exconn
                    // reports it as an error (the export is incomplete), so
                    // --strict exits 2. The entries must still be read.
                    let incomplete = run.diagnostics().iter().any(|(sev, message)| {
                        sev == "error" && message.contains("the export is incomplete")
                    });
                    if run.code != Some(2) || !incomplete {
                        report.fail(
                            name,
                            format!(
                                "[documented deviation: failed search = incomplete export] expected exit 2 \
                                 and an 'export is incomplete' error, got {}",
                                run.summary()
                            ),
                        );
                    }
                    continue;
                }
                if run.code != Some(0) || run.has_any_diagnostic() {
                    report.fail(
                        name,
                        format!("expected exit 0 and no diagnostic, got {}", run.summary()),
                    );
                    continue;
                }
                let Some(summary) = case.get("parsed_summary") else {
                    continue;
                };
                let want = match summary_entries(summary) {
                    Ok(w) => w,
                    Err(e) => {
                        report.fail(name, e);
                        continue;
                    }
                };
                let got = match run.records() {
                    Ok(g) => g,
                    Err(e) => {
                        report.fail(name, e);
                        continue;
                    }
                };
                if want.len() != got.len() {
                    report.fail(
                        name,
                        format!("expected {} record(s), got {}", want.len(), got.len()),
                    );
                }
                for (i, ((dn, pairs), rec)) in want.iter().zip(&got).enumerate() {
                    if dn_of(rec) != Some(dn.as_str()) {
                        report.fail(
                            name,
                            format!(
                                "record {i}: dn: expected {dn:?}, got {}",
                                compact(&rec["dn"])
                            ),
                        );
                    }
                    match pairs_of(rec) {
                        Ok(have) if have == *pairs => {}
                        Ok(have) => report.fail(
                            name,
                            format!(
                                "record {i}: expected pairs {}, got {}",
                                show_pairs(pairs),
                                show_pairs(&have)
                            ),
                        ),
                        Err(e) => report.fail(name, format!("record {i}: {e}")),
                    }
                }
            }
            other => report.fail(name, format!("unknown expect {other:?}")),
        }
    }
    if report.checked == 0 {
        report.fail("dsmlv2/", "no dsmlv2 case in expectations.json");
    }
    report.finish();
}

// ---------------------------------------------------------------------------
// perl-ldap: DSML v1 twin of an LDIF file
// ---------------------------------------------------------------------------

/// Per record: DN and the sorted multiset of (lower-cased name, value).
#[allow(clippy::type_complexity)]
fn normalised(records: &[Value]) -> Result<Vec<(String, Vec<(String, Vec<u8>)>)>, String> {
    records
        .iter()
        .map(|rec| {
            let dn = dn_of(rec)
                .ok_or_else(|| format!("record without a dn: {}", compact(rec)))?
                .to_owned();
            let mut pairs: Vec<(String, Vec<u8>)> = pairs_of(rec)?
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect();
            pairs.sort();
            Ok((dn, pairs))
        })
        .collect()
}

#[test]
fn perl_ldap_dsml_v1() {
    let Some((dir, exp)) = open_suite("perl-ldap") else {
        return;
    };
    let mut report = Report::new("perl-ldap (dsml v1)");
    let files = exp
        .get("files")
        .and_then(Value::as_object)
        .expect("expectations.json has a `files` object");
    for (name, case) in files.iter().filter(|(n, _)| n.ends_with(".dsml")) {
        report.checked += 1;
        let Some(twin) = case.get("equivalent_to").and_then(Value::as_str) else {
            report.fail(name, "no `equivalent_to` in expectations.json");
            continue;
        };
        let run = dump(&dir.join(name), true);
        if run.code != Some(0) || run.has_any_diagnostic() {
            report.fail(
                name,
                format!("expected exit 0 and no diagnostic, got {}", run.summary()),
            );
            continue;
        }
        let reference = dump(&dir.join(twin), false);
        if reference.code != Some(0) {
            report.fail(
                twin,
                format!("expected exit 0, got {}", reference.summary()),
            );
            continue;
        }
        let (got, want) = match (
            run.records().and_then(|r| normalised(&r)),
            reference.records().and_then(|r| normalised(&r)),
        ) {
            (Ok(g), Ok(w)) => (g, w),
            (Err(e), _) => {
                report.fail(name, e);
                continue;
            }
            (_, Err(e)) => {
                report.fail(twin, e);
                continue;
            }
        };
        let dns =
            |rs: &[DumpedRecord]| -> Vec<String> { rs.iter().map(|(dn, _)| dn.clone()).collect() };
        if dns(&got) != dns(&want) {
            report.fail(
                name,
                format!(
                    "DNs differ from {twin}: expected {:?}, got {:?}",
                    dns(&want),
                    dns(&got)
                ),
            );
            continue;
        }
        for ((dn, g), (_, w)) in got.iter().zip(&want) {
            if g != w {
                let missing: Vec<(String, Vec<u8>)> =
                    w.iter().filter(|p| !g.contains(p)).cloned().collect();
                let extra: Vec<(String, Vec<u8>)> =
                    g.iter().filter(|p| !w.contains(p)).cloned().collect();
                report.fail(
                    name,
                    format!(
                        "{dn}: pairs differ from {twin}: missing {}, extra {} ({} vs {} pairs)",
                        show_pairs(&missing),
                        show_pairs(&extra),
                        g.len(),
                        w.len()
                    ),
                );
            }
        }
    }
    if report.checked == 0 {
        report.fail("data/", "no .dsml file in expectations.json");
    }
    report.finish();
}
