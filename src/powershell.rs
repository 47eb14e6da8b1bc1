//! The PowerShell commands exconn suggests, and their literals.
//!
//! Every command a report or script holds is built here, so that one set of
//! rules names objects and quotes names.
//!
//! A name goes into a command as a string literal that PowerShell reads
//! back to exactly that name, and that can do nothing else. A name of
//! printable characters is single-quoted: only the single-quote characters
//! (ASCII and the typographic ones PowerShell also accepts) are doubled, so
//! `$`, backticks and commas stay literal. A name holding a control, bidi
//! or line-separator character is double-quoted with backtick escapes
//! (`` `n ``, `` `$ ``, `` `" ``) and `$([char]0x202E)` for the characters
//! without one, so no raw line break or invisible character reaches the
//! script. Windows PowerShell 5.1, which the Exchange Management Shell runs
//! on, reads both forms.

use crate::graph::{server_key, Graph};
use crate::visible;

/// `text` as a PowerShell string literal that evaluates to exactly `text`.
pub(crate) fn quote(text: &str) -> String {
    if text.chars().any(visible::is_unsafe) {
        double_quoted(text)
    } else {
        single_quoted(text)
    }
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

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    out.push('"');
    for c in text.chars() {
        match c {
            '`' | '"' | '$' | '\u{201C}' | '\u{201D}' | '\u{201E}' => {
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
            c if visible::is_unsafe(c) => {
                out.push_str(&format!("$([char]0x{:04X})", u32::from(c)));
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

/// How a connector is named in a command: its name, or its DN when another
/// connector has the same name.
pub(crate) fn connector_identity(graph: &Graph, connector: usize) -> String {
    let name = &graph.send_connectors[connector].connector.name;
    // Connectors are sorted by name: a namesake would be a neighbour.
    let namesake = |other: Option<usize>| {
        other
            .and_then(|other| graph.send_connectors.get(other))
            .is_some_and(|node| server_key(&node.connector.name) == server_key(name))
    };
    let ambiguous = namesake(connector.checked_sub(1)) || namesake(Some(connector + 1));
    if ambiguous {
        quote(&graph.send_connectors[connector].connector.dn.to_string())
    } else {
        quote(name)
    }
}

/// How a connector is named in a script: its GUID where the export has
/// one (unambiguous whatever the name holds), else as in
/// [`connector_identity`]. The script's comment above names it.
pub(crate) fn script_identity(graph: &Graph, connector: usize) -> String {
    match &graph.send_connectors[connector].connector.guid {
        Some(guid) => quote(guid),
        None => connector_identity(graph, connector),
    }
}

/// The command that removes an Edge server's subscription.
pub(crate) fn remove_edge_subscription(server: &str) -> String {
    format!("Remove-EdgeSubscription -Identity {}", quote(server))
}

/// The command that takes `server` off the connector's sources.
pub(crate) fn remove_command(graph: &Graph, server: usize, connector: usize) -> String {
    let node = &graph.servers[server];
    if node.is_edge() {
        remove_edge_subscription(&node.name)
    } else {
        format!(
            "Set-SendConnector -Identity {} -SourceTransportServers @{{Remove={}}}",
            connector_identity(graph, connector),
            quote(&node.name)
        )
    }
}

/// Takes servers off (and puts servers on) a Send connector's sources:
/// `None` when there is nothing to do. Added servers come first.
pub(crate) fn set_send_connector_sources(
    identity: &str,
    add: &[String],
    remove: &[String],
) -> Option<String> {
    let mut parts = Vec::new();
    if !add.is_empty() {
        parts.push(format!("Add={}", quoted_list(add)));
    }
    if !remove.is_empty() {
        parts.push(format!("Remove={}", quoted_list(remove)));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Set-SendConnector -Identity {identity} -SourceTransportServers @{{{}}}",
            parts.join("; ")
        )
    })
}

/// Removes a Send connector.
pub(crate) fn remove_send_connector(identity: &str) -> String {
    format!("Remove-SendConnector -Identity {identity}")
}

/// Re-creates a connector (an Exchange 2003 one) as a Send connector, to complete.
pub(crate) fn new_send_connector(name: &str, address_spaces: &[String]) -> String {
    format!(
        "New-SendConnector -Name {} -AddressSpaces {} -SourceTransportServers <new servers>",
        quote(name),
        quoted_list(address_spaces)
    )
}

/// A routing group connector in a command: its GUID, else its DN (names of
/// routing group connectors repeat across routing groups).
pub(crate) fn routing_group_identity(connector: &crate::model::RoutingGroupConnector) -> String {
    connector
        .guid
        .as_deref()
        .map_or_else(|| quote(&connector.dn.to_string()), quote)
}

/// Sets both sides of a routing group connector.
pub(crate) fn set_routing_group_connector(
    identity: &str,
    sources: &[String],
    targets: &[String],
) -> String {
    format!(
        "Set-RoutingGroupConnector -Identity {identity} -SourceTransportServers {} -TargetTransportServers {}",
        quoted_list(sources),
        quoted_list(targets)
    )
}

/// Removes a routing group connector.
pub(crate) fn remove_routing_group_connector(identity: &str) -> String {
    format!("Remove-RoutingGroupConnector -Identity {identity}")
}

/// Names as a PowerShell array literal (`'a','b'`).
pub(crate) fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(",")
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
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb\u{2028}c"), "# a\\nb\\u{2028}c");
    }
}
