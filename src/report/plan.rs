//! The `plan` report: the simulated removal as a table or JSON, and the
//! PowerShell remediation script.
//!
//! The script is meant to be reviewed, then run in the Exchange Management
//! Shell: a header says what export it was computed from (files, SHA-256,
//! date); every name is a single-quoted PowerShell literal; each Send
//! connector gets one `Set-SendConnector` whose hashtable adds before it
//! removes; what cannot be done by a command (a connector left without
//! source, an Exchange 2003 connector) is a comment that says what to do;
//! every command carries `-WhatIf` unless asked otherwise.

use crate::visible;
use std::io::{self, Write};

use serde::Serialize;

use crate::graph::Graph;
use crate::input::InputInfo;
use crate::plan::{Plan, RoutingGroupChange, SendChange};
use crate::powershell::quote;

/// The JSON schema version of the `plan` report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct PlanJson<'a> {
    schema_version: u32,
    tool_version: &'static str,
    inputs: Vec<super::InputSummary<'a>>,
    findings: Vec<super::FindingSummary<'a>>,
    remove: Vec<ServerJson<'a>>,
    add: Vec<ServerJson<'a>>,
    blockers: usize,
    send_connectors: Vec<SendJson<'a>>,
    edge_subscriptions: &'a [String],
    routing_group_connectors: Vec<RoutingGroupJson<'a>>,
}

#[derive(Serialize)]
struct ServerJson<'a> {
    name: &'a str,
    in_export: bool,
    edge: bool,
}

#[derive(Serialize)]
struct SendJson<'a> {
    name: &'a str,
    dn: String,
    enabled: bool,
    before: &'a [String],
    after: &'a [String],
    left_without_source: bool,
    exchange_2003: bool,
}

#[derive(Serialize)]
struct RoutingGroupJson<'a> {
    name: &'a str,
    dn: String,
    sources_before: &'a [String],
    sources_after: &'a [String],
    targets_before: &'a [String],
    targets_after: &'a [String],
    left_without_bridgehead: bool,
}

/// Writes the plan as one JSON document.
pub fn write_json(
    out: &mut impl Write,
    plan: &Plan,
    graph: &Graph,
    inputs: &[InputInfo],
) -> io::Result<()> {
    let doc = PlanJson {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        inputs: super::input_summaries(inputs),
        findings: super::finding_summaries(plan.not_shown.as_ref()),
        remove: plan.removed.iter().map(server_json).collect(),
        add: plan.added.iter().map(server_json).collect(),
        blockers: plan.blockers(),
        send_connectors: plan
            .send
            .iter()
            .map(|change| {
                let connector = &graph.send_connectors[change.connector].connector;
                SendJson {
                    name: &connector.name,
                    dn: connector.dn.to_string(),
                    enabled: connector.enabled,
                    before: &change.before,
                    after: &change.after,
                    left_without_source: change.orphaned(),
                    exchange_2003: change.legacy,
                }
            })
            .collect(),
        edge_subscriptions: &plan.edge_subscriptions,
        routing_group_connectors: plan
            .routing_group
            .iter()
            .map(|change| {
                let connector = &graph.routing_group_connectors[change.connector].connector;
                RoutingGroupJson {
                    name: &connector.name,
                    dn: connector.dn.to_string(),
                    sources_before: &change.sources.0,
                    sources_after: &change.sources.1,
                    targets_before: &change.targets.0,
                    targets_after: &change.targets.1,
                    left_without_bridgehead: change.orphaned(),
                }
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

fn server_json(named: &crate::plan::Named) -> ServerJson<'_> {
    ServerJson {
        name: &named.name,
        in_export: named.server.is_some(),
        edge: named.edge,
    }
}

/// Names for a person: each as [`visible::name`] shows it.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_owned()
    } else {
        names
            .iter()
            .map(|name| visible::name(name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Writes the plan for a person.
pub fn write_table(out: &mut impl Write, plan: &Plan, graph: &Graph) -> io::Result<()> {
    let names = |servers: &[crate::plan::Named]| {
        list(&servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
    };
    super::write_notice(out, plan.not_shown.as_ref())?;
    writeln!(out, "Decommission plan")?;
    writeln!(out, "  remove: {}", names(&plan.removed))?;
    writeln!(out, "  add:    {}", names(&plan.added))?;
    for unknown in plan.unknown() {
        writeln!(
            out,
            "  note: {} is not in the export (a new server, or a name to check)",
            visible::name(&unknown.name)
        )?;
    }
    writeln!(out)?;
    if plan.send.is_empty() {
        writeln!(
            out,
            "No Send connector has a removed server among its sources."
        )?;
    } else {
        writeln!(out, "Send connectors ({}):", plan.send.len())?;
    }
    for change in &plan.send {
        let connector = &graph.send_connectors[change.connector].connector;
        let state = if connector.enabled { "" } else { " (disabled)" };
        writeln!(out, "  {}{state}", visible::name(&connector.name))?;
        writeln!(out, "      before: {}", list(&change.before))?;
        writeln!(out, "      after:  {}", list(&change.after))?;
        if change.orphaned() {
            writeln!(
                out,
                "      BLOCKER: left without a source; routing would ignore it (event 5014) and mail for {} would stop",
                address_spaces(graph, change)
            )?;
        }
        if change.legacy && change.orphaned() {
            writeln!(
                out,
                "      Exchange 2003 connector: re-create it as a Send connector on the new servers (New-SendConnector)"
            )?;
        } else if change.legacy {
            writeln!(
                out,
                "      Exchange 2003 connector: change its bridgeheads in Exchange System Manager"
            )?;
        }
    }
    if !plan.edge_subscriptions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Edge subscriptions to remove: {}",
            list(&plan.edge_subscriptions)
        )?;
    }
    if !plan.routing_group.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Routing group connectors ({}):",
            plan.routing_group.len()
        )?;
        for change in &plan.routing_group {
            let connector = &graph.routing_group_connectors[change.connector].connector;
            writeln!(out, "  {}", visible::name(&connector.name))?;
            writeln!(
                out,
                "      source bridgeheads: {} -> {}",
                list(&change.sources.0),
                list(&change.sources.1)
            )?;
            writeln!(
                out,
                "      target bridgeheads: {} -> {}",
                list(&change.targets.0),
                list(&change.targets.1)
            )?;
            if change.orphaned() {
                writeln!(
                    out,
                    "      BLOCKER: a side would be left without bridgehead"
                )?;
            }
        }
    }
    writeln!(out)?;
    let blockers = plan.blockers();
    if plan.not_shown.is_some() {
        writeln!(
            out,
            "Cannot tell whether the plan leaves every connector with a source: the inputs do not show the Send connectors."
        )
    } else if blockers == 0 {
        writeln!(out, "The plan leaves every connector with a source.")
    } else {
        writeln!(
            out,
            "{blockers} connector(s) would be left without a source or bridgehead: give replacements with --add, \
             or remove them first."
        )
    }
}

fn address_spaces(graph: &Graph, change: &SendChange) -> String {
    let spaces: Vec<&str> = graph.send_connectors[change.connector]
        .connector
        .address_spaces
        .iter()
        .map(|a| a.raw.as_str())
        .collect();
    if spaces.is_empty() {
        "its address spaces".to_owned()
    } else {
        spaces.join(", ")
    }
}

/// How the script is written.
pub struct ScriptOptions<'a> {
    /// `-WhatIf` on every command.
    pub whatif: bool,
    /// The date it was computed on (`YYYY-MM-DD`).
    pub date: &'a str,
}

/// Writes the PowerShell remediation script.
pub fn write_script(
    out: &mut impl Write,
    plan: &Plan,
    graph: &Graph,
    inputs: &[InputInfo],
    options: &ScriptOptions<'_>,
) -> io::Result<()> {
    let whatif = if options.whatif { " -WhatIf" } else { "" };
    let names = |servers: &[crate::plan::Named]| {
        list(&servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
    };
    writeln!(
        out,
        "# exconn {}: remediation script for a decommission plan.",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(
        out,
        "# Review every line before running it in the Exchange Management Shell."
    )?;
    writeln!(out, "# Computed on {} from:", options.date)?;
    for input in inputs {
        writeln!(
            out,
            "#   {}  sha256 {}  ({} entries, {} skipped)",
            one_line(&input.name),
            input.sha256,
            input.entries,
            input.skipped
        )?;
    }
    writeln!(out, "# Removing: {}", one_line(&names(&plan.removed)))?;
    writeln!(out, "# Adding:   {}", one_line(&names(&plan.added)))?;
    if options.whatif {
        writeln!(
            out,
            "# Every command carries -WhatIf: it shows what would change. Remove -WhatIf to apply."
        )?;
    }
    writeln!(
        out,
        "# On each connector the new servers are added before the old ones are removed."
    )?;
    writeln!(out, "$ErrorActionPreference = 'Stop'")?;
    if !plan.send.is_empty() {
        writeln!(out)?;
        writeln!(out, "# --- Send connectors ---")?;
    }
    for change in &plan.send {
        send_commands(out, graph, change, whatif)?;
    }
    if !plan.edge_subscriptions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "# --- Edge subscriptions (removing one takes the Edge off every Send connector) ---"
        )?;
        for edge in &plan.edge_subscriptions {
            writeln!(
                out,
                "Remove-EdgeSubscription -Identity {}{whatif}",
                quote(edge)
            )?;
        }
    }
    if !plan.routing_group.is_empty() {
        writeln!(out)?;
        writeln!(out, "# --- Routing group connectors ---")?;
    }
    for change in &plan.routing_group {
        routing_group_commands(out, graph, change, whatif)?;
    }
    if plan.blockers() > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "# {} connector(s) would be left without a source or bridgehead: see the BLOCKER comments above.",
            plan.blockers()
        )?;
    }
    Ok(())
}

/// A comment line never spans lines, whatever a name holds: every control,
/// bidi and line-separator character is shown escaped.
fn one_line(text: &str) -> String {
    crate::visible::text(text).into_owned()
}

fn quoted_list(names: &[String]) -> String {
    names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(",")
}

fn send_commands(
    out: &mut impl Write,
    graph: &Graph,
    change: &SendChange,
    whatif: &str,
) -> io::Result<()> {
    let connector = &graph.send_connectors[change.connector].connector;
    let identity = crate::findings::script_identity(graph, change.connector);
    writeln!(out)?;
    writeln!(
        out,
        "# Send connector {}: sources {} -> {}",
        one_line(&quote(&connector.name)),
        one_line(&list(&change.before)),
        one_line(&list(&change.after))
    )?;
    if !change.edge_remove.is_empty() {
        writeln!(
            out,
            "# {} leave(s) with the Edge subscription (below).",
            one_line(&change.edge_remove.join(", "))
        )?;
    }
    if change.orphaned() && change.legacy {
        let spaces: Vec<String> = connector
            .address_spaces
            .iter()
            .map(|a| quote(&a.raw))
            .collect();
        writeln!(
            out,
            "# BLOCKER: this Exchange 2003 connector would be left without a bridgehead. Re-create it as a \
             Send connector on the new servers, then delete it in Exchange System Manager:"
        )?;
        writeln!(
            out,
            "# New-SendConnector -Name {} -AddressSpaces {} -SourceTransportServers <new servers>{whatif}",
            one_line(&quote(&connector.name)),
            one_line(&spaces.join(","))
        )?;
        return Ok(());
    }
    if change.orphaned() {
        writeln!(
            out,
            "# BLOCKER: no source would be left. Give a replacement (--add), or remove the connector:"
        )?;
        writeln!(
            out,
            "# Remove-SendConnector -Identity {}{whatif}",
            one_line(&identity)
        )?;
        return Ok(());
    }
    if change.legacy {
        writeln!(
            out,
            "# Exchange 2003 connector, read-only to Set-SendConnector: in Exchange System Manager, \
             make its local bridgeheads {}.",
            one_line(&list(&change.after))
        )?;
        return Ok(());
    }
    let mut parts = Vec::new();
    if !change.add.is_empty() {
        parts.push(format!("Add={}", quoted_list(&change.add)));
    }
    if !change.remove.is_empty() {
        parts.push(format!("Remove={}", quoted_list(&change.remove)));
    }
    if !parts.is_empty() {
        writeln!(
            out,
            "Set-SendConnector -Identity {identity} -SourceTransportServers @{{{}}}{whatif}{}",
            parts.join("; "),
            name_comment(connector.guid.is_some(), &connector.name)
        )?;
    }
    Ok(())
}

/// After a command that names a connector by its GUID: the name, for the
/// reader, as a comment to the end of the line (escaped, so it stays one).
fn name_comment(by_guid: bool, name: &str) -> String {
    if by_guid {
        format!("  # {}", crate::visible::name(name))
    } else {
        String::new()
    }
}

/// A routing group connector in a command: its GUID, else its DN (names
/// of routing group connectors repeat across routing groups).
fn rgc_identity(connector: &crate::model::RoutingGroupConnector) -> String {
    connector
        .guid
        .as_deref()
        .map_or_else(|| quote(&connector.dn.to_string()), quote)
}

fn routing_group_commands(
    out: &mut impl Write,
    graph: &Graph,
    change: &RoutingGroupChange,
    whatif: &str,
) -> io::Result<()> {
    let connector = &graph.routing_group_connectors[change.connector].connector;
    writeln!(out)?;
    writeln!(
        out,
        "# Routing group connector {}: sources {} -> {}; targets {} -> {}",
        one_line(&quote(&connector.name)),
        one_line(&list(&change.sources.0)),
        one_line(&list(&change.sources.1)),
        one_line(&list(&change.targets.0)),
        one_line(&list(&change.targets.1))
    )?;
    if change.orphaned() {
        writeln!(
            out,
            "# BLOCKER: a side would be left without bridgehead. Once no Exchange 2003 server needs it, remove it:"
        )?;
        writeln!(
            out,
            "# Remove-RoutingGroupConnector -Identity {}{whatif}",
            one_line(&rgc_identity(connector))
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Set-RoutingGroupConnector -Identity {} -SourceTransportServers {} -TargetTransportServers {}{whatif}{}",
        rgc_identity(connector),
        quoted_list(&change.sources.1),
        quoted_list(&change.targets.1),
        name_comment(connector.guid.is_some(), &connector.name)
    )
}
