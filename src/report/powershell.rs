//! The PowerShell commands exconn suggests, and their literals.
//!
//! Every command a report or script holds is built here, so that one set of
//! rules names objects and quotes names.
//!
//! A name goes into a command as a string literal that PowerShell reads
//! back to exactly that name, and that can do nothing else. There are two
//! styles ([`Literals`]):
//!
//! - *Readable*, for commands a person reads in a report and pastes (the
//!   clipboard carries Unicode): a name of printable characters is
//!   single-quoted, only the single-quote characters (ASCII and the
//!   typographic ones PowerShell also accepts) doubled, so `$`, backticks
//!   and commas stay literal. A name holding a control, bidi or
//!   line-separator character is double-quoted with backtick escapes
//!   (`` `n ``, `` `$ ``, `` `" ``) and `$([char]0x202E)` for the
//!   characters without one.
//! - *Ascii*, for the script file: every literal is pure ASCII, every
//!   character outside printable ASCII written `$([char]0x…)` (UTF-16
//!   units). Windows PowerShell 5.1 reads a script without a byte-order
//!   mark in the ANSI code page, where the UTF-8 bytes of `ё` read as `Ñ‘`
//!   and `‘` closes a single-quoted string; an ASCII literal means the same
//!   under every code page, with or without the mark.

use crate::analysis::graph::{server_key, Graph};
use crate::dn::Dn;
use crate::model::OtherConnectorKind;
use crate::visible;

/// How names are written as literals: for a person's report or for a
/// script file (see the module header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Literals {
    /// Names as they read, quote characters escaped.
    Readable,
    /// Pure ASCII: the same under every code page.
    Ascii,
}

impl Literals {
    /// `text` as a literal of this style.
    pub(crate) fn quote(self, text: &str) -> String {
        match self {
            Literals::Readable => quote(text),
            Literals::Ascii => ascii_quote(text),
        }
    }

    fn list(self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// `text` as a PowerShell string literal that evaluates to exactly `text`.
pub(crate) fn quote(text: &str) -> String {
    if text.chars().any(visible::is_unsafe) {
        double_quoted(text, visible::is_unsafe)
    } else {
        single_quoted(text)
    }
}

/// `text` as a pure-ASCII PowerShell literal that evaluates to exactly
/// `text`: single-quoted when it is printable ASCII, else double-quoted
/// with every other character written `$([char]0x…)`.
pub(crate) fn ascii_quote(text: &str) -> String {
    if text.chars().all(is_printable_ascii) {
        single_quoted(text)
    } else {
        double_quoted(text, |c| !is_printable_ascii(c))
    }
}

fn is_printable_ascii(c: char) -> bool {
    matches!(c, ' '..='~')
}

fn single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A double-quoted literal; `as_code` says which characters are written
/// `$([char]0x…)` rather than raw (after the backtick escapes).
fn double_quoted(text: &str, as_code: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    out.push('"');
    for c in text.chars() {
        match c {
            '`' | '"' | '$' => {
                out.push('`');
                out.push(c);
            }
            '\0' => out.push_str("`0"),
            '\u{7}' => out.push_str("`a"),
            '\u{8}' => out.push_str("`b"),
            '\u{c}' => out.push_str("`f"),
            '\n' => out.push_str("`n"),
            '\r' => out.push_str("`r"),
            '\t' => out.push_str("`t"),
            '\u{b}' => out.push_str("`v"),
            c if as_code(c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("$([char]0x{unit:04X})"));
                }
            }
            '\u{201C}' | '\u{201D}' | '\u{201E}' => {
                out.push('`');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment line: `# ` and `text` with nothing that could end the line.
pub fn comment(text: &str) -> String {
    format!("# {}", visible::text(text))
}

/// How the connector at `index` of a list sorted by name is named in a
/// command: its name, or its DN when another connector of the list has the
/// same name (unquoted). `name_and_dn` gives each of the list.
fn identity_in_sorted<'g>(
    index: usize,
    name_and_dn: impl Fn(usize) -> Option<(&'g str, &'g Dn)>,
) -> String {
    let Some((name, dn)) = name_and_dn(index) else {
        return String::new();
    };
    // Connectors are sorted by name: a namesake would be a neighbour.
    let namesake = |other: Option<usize>| {
        other
            .and_then(&name_and_dn)
            .is_some_and(|(other, _)| server_key(other) == server_key(name))
    };
    if namesake(index.checked_sub(1)) || namesake(Some(index + 1)) {
        dn.to_string()
    } else {
        name.to_owned()
    }
}

/// How a Send connector is named in a command ([`identity_in_sorted`]).
fn connector_identity_text(graph: &Graph, connector: usize) -> String {
    identity_in_sorted(connector, |i| {
        let node = graph.send_connectors.get(i)?;
        Some((node.connector.name.as_str(), &node.connector.dn))
    })
}

/// How a foreign or Delivery Agent connector is named in a command
/// ([`identity_in_sorted`]).
fn other_connector_identity_text(graph: &Graph, connector: usize) -> String {
    identity_in_sorted(connector, |i| {
        let node = graph.other_connectors.get(i)?;
        Some((node.connector.name.as_str(), &node.connector.dn))
    })
}

/// How a report's command names a foreign or Delivery Agent connector:
/// [`other_connector_identity_text`], quoted readably.
pub(crate) fn other_connector_identity(graph: &Graph, connector: usize) -> String {
    quote(&other_connector_identity_text(graph, connector))
}

/// How a script names a foreign or Delivery Agent connector: its GUID where
/// the export has one, else as in [`other_connector_identity`]; an ASCII
/// literal.
pub(crate) fn other_script_identity(graph: &Graph, connector: usize) -> String {
    match &graph.other_connectors[connector].connector.guid {
        Some(guid) => ascii_quote(&guid.to_string()),
        None => ascii_quote(&other_connector_identity_text(graph, connector)),
    }
}

/// How a report's command names a connector: [`connector_identity_text`],
/// quoted readably.
pub(crate) fn connector_identity(graph: &Graph, connector: usize) -> String {
    quote(&connector_identity_text(graph, connector))
}

/// How a connector is named in a script: its GUID where the export has
/// one (unambiguous whatever the name holds), else as in
/// [`connector_identity`]; an ASCII literal. The script's comment above
/// names it.
pub(crate) fn script_identity(graph: &Graph, connector: usize) -> String {
    match &graph.send_connectors[connector].connector.guid {
        Some(guid) => ascii_quote(&guid.to_string()),
        None => ascii_quote(&connector_identity_text(graph, connector)),
    }
}

/// The command that removes an Edge server's subscription.
pub(crate) fn remove_edge_subscription(server: &str, literals: Literals) -> String {
    format!(
        "Remove-EdgeSubscription -Identity {}",
        literals.quote(server)
    )
}

/// What takes `server` off the connector's sources, by one rule for every
/// report (the plan's script says the same): an Edge leaves with its
/// subscription; an Exchange 2003 connector is changed in Exchange System
/// Manager (a comment, since no cmdlet can); where the server is the only
/// source, the command adds a replacement first, `<new server>` left for
/// the reader to fill in (PowerShell refuses the line as it stands).
pub(crate) fn remove_command(graph: &Graph, server: usize, connector: usize) -> String {
    let node = &graph.servers[server];
    let last = crate::analysis::findings::is_last_source(graph, server, connector);
    let c = &graph.send_connectors[connector].connector;
    if node.is_edge() {
        remove_edge_subscription(&node.name, Literals::Readable)
    } else if crate::analysis::plan::is_legacy(&c.dn) && last {
        let spaces: Vec<String> = c.address_spaces.iter().map(|a| a.raw.clone()).collect();
        comment(&format!(
            "Exchange 2003 connector, read-only to Set-SendConnector, with no other bridgehead: \
             re-create it as a Send connector ({}), then delete it in Exchange System Manager",
            new_send_connector(&c.name, &spaces, Literals::Readable)
        ))
    } else if crate::analysis::plan::is_legacy(&c.dn) {
        comment(&format!(
            "Exchange 2003 connector, read-only to Set-SendConnector: in Exchange System \
             Manager, remove {} from its local bridgeheads",
            node.name
        ))
    } else {
        let add = if last { "Add=<new server>; " } else { "" };
        let command = format!(
            "Set-SendConnector -Identity {} -SourceTransportServers @{{{add}Remove={}}}",
            connector_identity(graph, connector),
            quote(&node.name)
        );
        if role_unknown(graph, server) {
            // Cmdlet output without the server: it may be an Edge.
            format!(
                "{command}  # the inputs do not show its role: if it is an Edge Transport \
                 server, {} instead",
                remove_edge_subscription(&node.name, Literals::Readable)
            )
        } else {
            command
        }
    }
}

/// Whether the inputs do not show a server's roles (no server object, or
/// one without them), so that it may be an Edge.
fn role_unknown(graph: &Graph, server: usize) -> bool {
    graph.servers[server]
        .object
        .as_ref()
        .is_none_or(|o| o.roles.is_none())
}

/// Takes servers off (and puts servers on) a Send connector's sources:
/// `None` when there is nothing to do. Added servers come first.
pub(crate) fn set_send_connector_sources(
    identity: &str,
    add: &[String],
    remove: &[String],
    literals: Literals,
) -> Option<String> {
    set_sources("SendConnector", identity, add, remove, literals)
}

/// [`set_send_connector_sources`] for a foreign or Delivery Agent
/// connector (`Set-ForeignConnector`, `Set-DeliveryAgentConnector`).
pub(crate) fn set_other_connector_sources(
    kind: OtherConnectorKind,
    identity: &str,
    add: &[String],
    remove: &[String],
    literals: Literals,
) -> Option<String> {
    set_sources(kind.cmdlet_noun(), identity, add, remove, literals)
}

/// `Set-<noun> -Identity … -SourceTransportServers @{Add=…; Remove=…}`.
fn set_sources(
    noun: &str,
    identity: &str,
    add: &[String],
    remove: &[String],
    literals: Literals,
) -> Option<String> {
    let mut parts = Vec::new();
    if !add.is_empty() {
        parts.push(format!("Add={}", literals.list(add)));
    }
    if !remove.is_empty() {
        parts.push(format!("Remove={}", literals.list(remove)));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Set-{noun} -Identity {identity} -SourceTransportServers @{{{}}}",
            parts.join("; ")
        )
    })
}

/// Removes a Send connector.
pub(crate) fn remove_send_connector(identity: &str) -> String {
    format!("Remove-SendConnector -Identity {identity}")
}

/// Removes a foreign or Delivery Agent connector.
pub(crate) fn remove_other_connector(kind: OtherConnectorKind, identity: &str) -> String {
    format!("Remove-{} -Identity {identity}", kind.cmdlet_noun())
}

/// Re-creates a connector (an Exchange 2003 one) as a Send connector, to complete.
pub(crate) fn new_send_connector(
    name: &str,
    address_spaces: &[String],
    literals: Literals,
) -> String {
    format!(
        "New-SendConnector -Name {} -AddressSpaces {} -SourceTransportServers <new servers>",
        literals.quote(name),
        literals.list(address_spaces)
    )
}

/// A routing group connector in a script: its GUID, else its DN (names of
/// routing group connectors repeat across routing groups); an ASCII literal.
pub(crate) fn routing_group_identity(connector: &crate::model::RoutingGroupConnector) -> String {
    match &connector.guid {
        Some(guid) => ascii_quote(&guid.to_string()),
        None => ascii_quote(&connector.dn.to_string()),
    }
}

/// Sets both sides of a routing group connector.
pub(crate) fn set_routing_group_connector(
    identity: &str,
    sources: &[String],
    targets: &[String],
    literals: Literals,
) -> String {
    format!(
        "Set-RoutingGroupConnector -Identity {identity} -SourceTransportServers {} -TargetTransportServers {}",
        literals.list(sources),
        literals.list(targets)
    )
}

/// Removes a routing group connector.
pub(crate) fn remove_routing_group_connector(identity: &str) -> String {
    format!("Remove-RoutingGroupConnector -Identity {identity}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_the_rest_is_literal() {
        assert_eq!(quote("O'Brien"), "'O''Brien'");
        assert_eq!(quote("$env:x `n, y"), "'$env:x `n, y'");
        assert_eq!(quote("l\u{2019}été"), "'l\u{2019}\u{2019}été'");
        assert_eq!(quote(" Leading space 14"), "' Leading space 14'");
    }

    #[test]
    fn unsafe_names_are_double_quoted_with_escapes() {
        assert_eq!(
            quote("Relay\nRemove-SendConnector x"),
            "\"Relay`nRemove-SendConnector x\""
        );
        assert_eq!(quote("a$b`c\"d\u{201C}\r"), "\"a`$b``c`\"d`\u{201C}`r\"");
        assert_eq!(quote("abc\u{202E}fed"), "\"abc$([char]0x202E)fed\"");
        assert_eq!(quote("\u{1b}[2J"), "\"$([char]0x001B)[2J\"");
    }

    #[test]
    fn ascii_literals_hold_no_byte_outside_printable_ascii() {
        assert_eq!(ascii_quote("O'Brien"), "'O''Brien'");
        assert_eq!(
            ascii_quote("X\u{451}$(New-Item C:\\pwned.txt)"),
            "\"X$([char]0x0451)`$(New-Item C:\\pwned.txt)\""
        );
        assert_eq!(
            ascii_quote("l\u{2019}\u{e9}t\u{e9}"),
            "\"l$([char]0x2019)$([char]0x00E9)t$([char]0x00E9)\""
        );
        assert_eq!(
            ascii_quote("a\u{1F600}\n"),
            "\"a$([char]0xD83D)$([char]0xDE00)`n\""
        );
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb\u{2028}c"), "# a\\nb\\u{2028}c");
    }
}
