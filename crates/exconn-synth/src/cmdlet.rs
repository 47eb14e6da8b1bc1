//! Cmdlet objects (`Get-ExchangeServer`, `Get-SendConnector`, …) as
//! `ConvertTo-Json` and `Export-Csv` write them, in the shapes customers
//! send.
//!
//! The objects are records as exconn's CLIXML reader makes of
//! `Export-Clixml` output of the cmdlets: one attribute per property
//! (several values for a collection), `PSTypeNames`, and
//! `PSEmptyProperties` naming the properties without a value. Source
//! servers (`SourceTransportServers`, `TargetTransportServers`) hold the
//! server objects' distinguished names.
//!
//! What the shapes rest on:
//! - `ConvertTo-Json`: Windows PowerShell 5.1 (`-Depth` 2 by default; dates
//!   as `"\/Date(ms)\/"`, enums as numbers, four-space indentation with two
//!   spaces after the colon, arrays indented under their bracket, as its
//!   example shows): Microsoft, "ConvertTo-Json" (5.1),
//!   <https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.utility/convertto-json?view=powershell-5.1>.
//!   PowerShell 7 (ISO 8601 dates, enums as numbers unless
//!   `-EnumsAsStrings`, two-space indentation, a warning when the depth
//!   cuts the object): the same page for 7.x,
//!   <https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json>,
//!   and its implementation, PowerShell/PowerShell
//!   `src/Microsoft.PowerShell.Commands.Utility/commands/utility/WebCmdlet/ConvertToJsonCommand.cs`
//!   (`Depth` 2 unless given) and `…/WebCmdlet/JsonObject.cs`.
//!   A collection that remoting deserialized carries extra properties, so
//!   5.1 writes it as an object `{"value": […], "Count": N}`; an object
//!   past the depth is written as a string, its type name for the objects
//!   whose `ToString` is not their name (the lost sources of issue 24, as
//!   customers' files show them). 5.1 escapes `'`, `<`, `>` and `&` as
//!   `\u0027`… where 6 and later do not: PowerShell/PowerShell issue 7693
//!   (<https://github.com/PowerShell/PowerShell/issues/7693>).
//! - `Export-Csv`: PowerShell/PowerShell
//!   `src/Microsoft.PowerShell.Commands.Utility/commands/utility/CsvCommands.cs`
//!   (commit 8c2e690a): a `#TYPE <first type name>` line unless
//!   `-NoTypeInformation` (Windows PowerShell 5.1's default; PowerShell 7
//!   writes it only with `-IncludeTypeInformation`); a header of the first
//!   object's property names; each value its `ToString()` — a collection's
//!   is its type name; every field quoted (`-UseQuotes Always`, the only
//!   way before 7.0) or, with `-UseQuotes AsNeeded`, only a field holding
//!   the delimiter, a quote or a line feed (Microsoft, "Export-Csv",
//!   <https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-csv>;
//!   MicrosoftDocs/PowerShell-Docs issue 7796); a quote doubled.
//!   `Select-Object` with a calculated property (`@{n='SourceTransportServers';
//!   e={$_.SourceTransportServers -join ';'}}`) makes the objects
//!   `Selected.<type>` (the type name `#TYPE` shows).

use exconn::record::Record;

/// Properties that hold a collection.
pub const COLLECTIONS: [&str; 7] = [
    "ObjectClass",
    "RemoteIPRanges",
    "SmartHosts",
    "SourceTransportServers",
    "TargetTransportServers",
    "AddressSpaces",
    "Bindings",
];

/// The `WhenChanged` every object is given (2024-03-01T09:30:00Z), so that
/// each shape writes a date.
const WHEN_CHANGED_MS: u64 = 1_709_285_400_000;

/// One cmdlet object: its type names and its properties (name, values) in
/// order, properties without a value having none.
#[derive(Clone, Debug)]
pub struct CmdletObject {
    /// `PSTypeNames`, most specific first.
    pub type_names: Vec<String>,
    /// (name, values) per property.
    pub properties: Vec<(String, Vec<String>)>,
}

impl CmdletObject {
    /// The object `record` stands for.
    pub fn from_record(record: &Record) -> Self {
        let mut object = CmdletObject {
            type_names: Vec::new(),
            properties: Vec::new(),
        };
        for attr in record.attrs() {
            let Some(value) = attr.value.as_text() else {
                continue;
            };
            match attr.name.as_str() {
                "PSTypeNames" => object.type_names.push(value.to_owned()),
                "PSEmptyProperties" => object.properties.push((value.to_owned(), Vec::new())),
                name => match object.properties.iter_mut().find(|(n, _)| n == name) {
                    Some((_, values)) => values.push(value.to_owned()),
                    None => object
                        .properties
                        .push((name.to_owned(), vec![value.to_owned()])),
                },
            }
        }
        object
    }

    /// The values of `name`.
    pub fn values(&self, name: &str) -> &[String] {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, values)| values)
    }
}

/// The server name of a source DN (`CN=EX01,CN=Servers,…` → `EX01`), as
/// an `ADObjectId`'s `Name`.
pub fn leaf(dn: &str) -> String {
    let first = dn.split(',').next().unwrap_or(dn).trim();
    first
        .split_once('=')
        .map_or(first, |(_, name)| name)
        .trim()
        .to_owned()
}

/// The text encoding of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark (PowerShell 7's default).
    Utf8,
    /// UTF-8 with a byte-order mark (5.1's `-Encoding UTF8`).
    Utf8Bom,
    /// UTF-16LE with a byte-order mark (5.1's `>` and `Out-File`,
    /// `-Encoding Unicode`).
    Utf16Bom,
}

/// `text` in `encoding`.
pub fn encoded(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        Encoding::Utf16Bom => {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        }
    }
}

/// Which PowerShell wrote the JSON, and how deep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonShape {
    /// Windows PowerShell 5.1, `-Depth 4` or more: collections of the
    /// objects as `{"value": […], "Count": N}`, sources as `ADObjectId`
    /// objects, dates `"\/Date(ms)\/"`, CRLF.
    Ps51,
    /// Windows PowerShell 5.1 at the default `-Depth 2`: the sources are
    /// past the depth and written as the type name
    /// `Microsoft.Exchange.Data.Directory.ADObjectId` (lost).
    Ps51Cut,
    /// PowerShell 7: plain arrays, sources as names, ISO 8601 dates, LF.
    Ps7,
}

/// What `ConvertTo-Json` is given and where its text goes.
#[derive(Clone, Copy, Debug)]
pub struct JsonOptions {
    /// Which PowerShell, how deep.
    pub shape: JsonShape,
    /// One object (`Get-SendConnector Internet | ConvertTo-Json`): the
    /// document is that object, not an array.
    pub single: bool,
    /// The file's encoding.
    pub encoding: Encoding,
}

/// A JSON value, its members in order.
enum J {
    Bool(bool),
    Num(u64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// `ServerRole` as the enum's number (ServerRole flags of Exchange).
fn role_number(names: &str) -> u64 {
    names
        .split(',')
        .map(|name| match name.trim() {
            "Mailbox" => 2,
            "ClientAccess" => 4,
            "UnifiedMessaging" => 16,
            "HubTransport" => 32,
            "Edge" => 64,
            _ => 0,
        })
        .sum()
}

fn scalar(name: &str, value: &str) -> J {
    match (name, value) {
        (_, "true" | "True") => J::Bool(true),
        (_, "false" | "False") => J::Bool(false),
        ("ServerRole", names) => J::Num(role_number(names)),
        ("Port", port) => port.parse().map_or_else(|_| J::Str(port.into()), J::Num),
        _ => J::Str(value.to_owned()),
    }
}

/// A source server as 5.1 writes an `ADObjectId` at depth 2: its scalar
/// properties, its `Parent` and `DomainId` (objects one level deeper) as
/// their `ToString`.
fn object_id(dn: &str) -> J {
    let parent = dn.split_once(',').map_or("", |(_, parent)| parent);
    J::Obj(vec![
        ("IsDeleted".into(), J::Bool(false)),
        (
            "Rdn".into(),
            J::Str(dn.split(',').next().unwrap_or(dn).into()),
        ),
        ("Parent".into(), J::Str(parent.into())),
        ("Depth".into(), J::Num(dn.split(',').count() as u64 - 1)),
        ("DistinguishedName".into(), J::Str(dn.into())),
        ("IsRelativeDn".into(), J::Bool(false)),
        ("DomainId".into(), J::Str("contoso.com".into())),
        (
            "ObjectGuid".into(),
            J::Str("00000000-0000-0000-0000-000000000000".into()),
        ),
        ("Name".into(), J::Str(leaf(dn))),
    ])
}

fn json_object(shape: JsonShape, object: &CmdletObject) -> J {
    let mut members = Vec::new();
    for (name, values) in &object.properties {
        let servers = name.ends_with("TransportServers");
        let value = match (shape, name.as_str()) {
            (JsonShape::Ps7, "ObjectClass") => continue,
            _ if COLLECTIONS.contains(&name.as_str()) || values.is_empty() => {
                let items: Vec<J> = values
                    .iter()
                    .map(|value| match shape {
                        JsonShape::Ps7 if servers => J::Str(leaf(value)),
                        JsonShape::Ps51 if servers => object_id(value),
                        JsonShape::Ps51Cut if servers => {
                            J::Str("Microsoft.Exchange.Data.Directory.ADObjectId".into())
                        }
                        _ => J::Str(value.clone()),
                    })
                    .collect();
                if servers && shape != JsonShape::Ps7 {
                    let count = items.len() as u64;
                    J::Obj(vec![
                        ("value".into(), J::Arr(items)),
                        ("Count".into(), J::Num(count)),
                    ])
                } else {
                    J::Arr(items)
                }
            }
            _ => scalar(name, &values[0]),
        };
        members.push((name.clone(), value));
    }
    let when = match shape {
        JsonShape::Ps7 => J::Str("2024-03-01T09:30:00+00:00".into()),
        JsonShape::Ps51 | JsonShape::Ps51Cut => J::Str(format!("/Date({WHEN_CHANGED_MS})/")),
    };
    members.push(("WhenChanged".into(), when));
    J::Obj(members)
}

/// `objects` piped to `ConvertTo-Json` as `options` says.
pub fn convert_to_json(objects: &[CmdletObject], options: JsonOptions) -> Vec<u8> {
    let mut items: Vec<J> = objects
        .iter()
        .map(|object| json_object(options.shape, object))
        .collect();
    let document = if options.single {
        items.swap_remove(0)
    } else {
        J::Arr(items)
    };
    let mut text = String::new();
    match options.shape {
        JsonShape::Ps7 => write_ps7(&mut text, &document, 0),
        JsonShape::Ps51 | JsonShape::Ps51Cut => {
            write_ps51(&mut text, &document, 0);
            text = text.replace('\n', "\r\n");
        }
    }
    encoded(&text, options.encoding)
}

/// A JSON string; `html_safe` escapes `'`, `<`, `>`, `&` (5.1) and the `/`
/// of a `/Date(…)/` value.
fn string(out: &mut String, text: &str, html_safe: bool) {
    out.push('"');
    let date = html_safe && text.starts_with("/Date(") && text.ends_with(")/");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if date => out.push_str("\\/"),
            '\'' | '<' | '>' | '&' if html_safe => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)))
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// PowerShell 7 (Newtonsoft.Json, indented): two spaces a level.
fn write_ps7(out: &mut String, value: &J, level: usize) {
    let pad = |n: usize| "  ".repeat(n);
    match value {
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Str(s) => string(out, s, false),
        J::Arr(items) if items.is_empty() => out.push_str("[]"),
        J::Arr(items) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                out.push_str(&pad(level + 1));
                write_ps7(out, item, level + 1);
                out.push_str(if index + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(level));
            out.push(']');
        }
        J::Obj(members) => {
            out.push_str("{\n");
            for (index, (name, item)) in members.iter().enumerate() {
                out.push_str(&pad(level + 1));
                string(out, name, false);
                out.push_str(": ");
                write_ps7(out, item, level + 1);
                out.push_str(if index + 1 < members.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&pad(level));
            out.push('}');
        }
    }
}

/// Windows PowerShell 5.1: members four spaces in from their bracket's
/// column, two spaces after the colon.
fn write_ps51(out: &mut String, value: &J, column: usize) {
    let pad = |n: usize| " ".repeat(n);
    match value {
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Str(s) => string(out, s, true),
        J::Arr(items) if items.is_empty() => {
            out.push_str("[\n\n");
            out.push_str(&pad(column));
            out.push(']');
        }
        J::Arr(items) => {
            out.push_str("[\n");
            for (index, item) in items.iter().enumerate() {
                out.push_str(&pad(column + 4));
                write_ps51(out, item, column + 4);
                out.push_str(if index + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&pad(column));
            out.push(']');
        }
        J::Obj(members) => {
            out.push_str("{\n");
            for (index, (name, item)) in members.iter().enumerate() {
                out.push_str(&pad(column + 4));
                string(out, name, true);
                out.push_str(":  ");
                // Nested brackets open where the value starts.
                let at = out.len() - out.rfind('\n').map_or(0, |at| at + 1);
                write_ps51(out, item, at);
                out.push_str(if index + 1 < members.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&pad(column));
            out.push('}');
        }
    }
}

/// How `Export-Csv` quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    /// Every field (Windows PowerShell 5.1; 7's default `-UseQuotes Always`).
    Always,
    /// `-UseQuotes AsNeeded` (PowerShell 7): a field holding the
    /// delimiter, a quote or a line feed.
    AsNeeded,
}

/// What a collection property becomes in the CSV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Collections {
    /// Its `ToString()`: the collection's type name
    /// (`Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[…]`) —
    /// the values are lost.
    TypeName,
    /// As remoting deserialized it: `System.Collections.ArrayList` — the
    /// values are lost.
    ArrayList,
    /// Joined by a script's calculated property (`-join ';'`), sources as
    /// server names.
    Joined(char),
}

/// What `Export-Csv` is given.
#[derive(Clone, Copy, Debug)]
pub struct CsvOptions {
    /// The `#TYPE` line (5.1 without `-NoTypeInformation`, 7 with
    /// `-IncludeTypeInformation`).
    pub type_line: bool,
    /// How fields are quoted.
    pub quoting: Quoting,
    /// What collections become.
    pub collections: Collections,
    /// The file's encoding.
    pub encoding: Encoding,
}

/// The type name `ToString()` gives for the collection `name`.
fn collection_type(name: &str) -> &'static str {
    match name {
        "SourceTransportServers" | "TargetTransportServers" => {
            "Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[Microsoft.Exchange.Data.Directory.ADObjectId]"
        }
        "AddressSpaces" => {
            "Microsoft.Exchange.Data.MultiValuedProperty`1[Microsoft.Exchange.Data.AddressSpace]"
        }
        _ => "Microsoft.Exchange.Data.MultiValuedProperty`1[System.String]",
    }
}

fn csv_field(out: &mut String, value: &str, quoting: Quoting) {
    let quote = quoting == Quoting::Always || value.contains([',', '"', '\n']);
    if quote {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `objects` piped to `Export-Csv`, one file per cmdlet (type), as
/// (file name, bytes).
pub fn export_csv(objects: &[CmdletObject], options: CsvOptions) -> Vec<(String, Vec<u8>)> {
    let mut types: Vec<(&str, Vec<&CmdletObject>)> = Vec::new();
    for object in objects {
        let type_name = object.type_names.first().map_or("", String::as_str);
        match types.iter_mut().find(|(t, _)| *t == type_name) {
            Some((_, group)) => group.push(object),
            None => types.push((type_name, vec![object])),
        }
    }
    let mut files = Vec::new();
    for (index, (type_name, group)) in types.iter().enumerate() {
        let mut header: Vec<&str> = Vec::new();
        for (name, _) in group.iter().flat_map(|object| &object.properties) {
            if !header.contains(&name.as_str()) {
                header.push(name);
            }
        }
        let mut text = String::new();
        if options.type_line {
            let prefix = match options.collections {
                Collections::Joined(_) => "Selected.Deserialized.",
                _ => "Deserialized.",
            };
            text.push_str(&format!("#TYPE {prefix}{type_name}\r\n"));
        }
        for (at, name) in header.iter().enumerate() {
            if at > 0 {
                text.push(',');
            }
            csv_field(&mut text, name, options.quoting);
        }
        text.push_str("\r\n");
        for object in group {
            for (at, name) in header.iter().enumerate() {
                if at > 0 {
                    text.push(',');
                }
                let values = object.values(name);
                let value = if !COLLECTIONS.contains(name) {
                    values.first().cloned().unwrap_or_default()
                } else {
                    match options.collections {
                        Collections::TypeName => collection_type(name).to_owned(),
                        Collections::ArrayList => "System.Collections.ArrayList".to_owned(),
                        Collections::Joined(separator) => {
                            let values: Vec<String> = if name.ends_with("TransportServers") {
                                values.iter().map(|dn| leaf(dn)).collect()
                            } else {
                                values.to_vec()
                            };
                            values.join(&separator.to_string())
                        }
                    }
                };
                csv_field(&mut text, &value, options.quoting);
            }
            text.push_str("\r\n");
        }
        files.push((
            format!("cmdlet{index}.csv"),
            encoded(&text, options.encoding),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connector() -> CmdletObject {
        CmdletObject {
            type_names: vec![
                "Microsoft.Exchange.Data.Directory.SystemConfiguration.SmtpSendConnectorConfig"
                    .into(),
            ],
            properties: vec![
                ("Name".into(), vec!["Envoi vers l'Été".into()]),
                ("Enabled".into(), vec!["true".into()]),
                (
                    "SourceTransportServers".into(),
                    vec!["CN=EX1,CN=Servers,CN=Org".into()],
                ),
            ],
        }
    }

    #[test]
    fn windows_powershell_writes_as_its_documented_example() {
        let options = JsonOptions {
            shape: JsonShape::Ps51Cut,
            single: true,
            encoding: Encoding::Utf8,
        };
        let text = String::from_utf8(convert_to_json(&[connector()], options)).unwrap();
        let expected = "{\r\n    \"Name\":  \"Envoi vers l\\u0027Été\",\r\n    \"Enabled\":  true,\r\n    \
            \"SourceTransportServers\":  {\r\n                                   \"value\":  [\r\n                                                 \
            \"Microsoft.Exchange.Data.Directory.ADObjectId\"\r\n                                             ],\r\n                                   \
            \"Count\":  1\r\n                               },\r\n    \"WhenChanged\":  \"\\/Date(1709285400000)\\/\"\r\n}";
        assert_eq!(text, expected);
    }

    #[test]
    fn export_csv_quotes_as_asked() {
        let csv = |quoting| {
            let options = CsvOptions {
                type_line: false,
                quoting,
                collections: Collections::Joined('|'),
                encoding: Encoding::Utf8,
            };
            String::from_utf8(export_csv(&[connector()], options).remove(0).1).unwrap()
        };
        assert_eq!(
            csv(Quoting::Always),
            "\"Name\",\"Enabled\",\"SourceTransportServers\"\r\n\"Envoi vers l'Été\",\"true\",\"EX1\"\r\n"
        );
        assert_eq!(
            csv(Quoting::AsNeeded),
            "Name,Enabled,SourceTransportServers\r\nEnvoi vers l'Été,true,EX1\r\n"
        );
    }
}
