//! The PowerShell remediation script of a plan.
//!
//! The script is meant to be reviewed, then run in the Exchange Management
//! Shell: a header says what export it was computed from (files, SHA-256,
//! date); every name is a literal `powershell` builds (connectors by GUID
//! where the export has one, their names in a comment); each Send connector
//! gets one `Set-SendConnector` whose hashtable adds before it removes (a
//! foreign or Delivery Agent connector one `Set-ForeignConnector` or
//! `Set-DeliveryAgentConnector`); what
//! cannot be done by a command (a connector left without source, an
//! Exchange 2003 connector) is a comment that says what to do; every
//! command carries `-WhatIf` unless asked otherwise. No line holds a raw
//! control character: comments show them escaped.
//!
//! The script means the same however the shell reads it: it starts with a
//! UTF-8 byte-order mark (without one, Windows PowerShell 5.1 reads it in
//! the ANSI code page), and every literal in a command is pure ASCII
//! (`Literals::Ascii`), so a reading without the mark changes at most the
//! comments' look, never what a command does.

use std::io::{self, Write};

use jiff::civil::Date;

use super::plan::{list, ConnectorInPlan, PlanView};
use super::plan::{OtherInPlan, RoutingGroupInPlan, SendInPlan};
use crate::report::powershell::{self, Literals};

/// The first character of the script: the UTF-8 byte-order mark.
pub const BYTE_ORDER_MARK: &str = "\u{FEFF}";

/// How the script is written.
pub struct ScriptOptions {
    /// `-WhatIf` on every command.
    pub whatif: bool,
    /// The date it was computed on.
    pub date: Date,
}

/// Writes the PowerShell remediation script.
pub fn write_script(
    out: &mut impl Write,
    view: &PlanView<'_>,
    options: &ScriptOptions,
) -> io::Result<()> {
    let plan = view.plan;
    let whatif = if options.whatif { " -WhatIf" } else { "" };
    let names = |servers: &[super::plan::ServerInPlan]| {
        list(&servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
    };
    out.write_all(BYTE_ORDER_MARK.as_bytes())?;
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
    for input in &view.inputs {
        writeln!(
            out,
            "#   {}  sha256 {}  ({} entries, {} skipped)",
            one_line(&input.path),
            input.sha256,
            input.entries,
            input.skipped
        )?;
    }
    writeln!(out, "# Removing: {}", one_line(&names(&view.removed)))?;
    writeln!(out, "# Adding:   {}", one_line(&names(&view.added)))?;
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
    for (change, connector) in view.send_changes() {
        send_commands(out, connector, change, whatif)?;
    }
    if !view.edge_subscriptions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "# --- Edge subscriptions (removing one takes the Edge off every Send connector) ---"
        )?;
        for edge in &view.edge_subscriptions {
            writeln!(
                out,
                "{}{whatif}",
                powershell::remove_edge_subscription(edge, Literals::Ascii)
            )?;
        }
    }
    if !plan.routing_group.is_empty() {
        writeln!(out)?;
        writeln!(out, "# --- Routing group connectors ---")?;
    }
    for (change, connector) in view.routing_group_changes() {
        routing_group_commands(out, connector, change, whatif)?;
    }
    if !plan.other.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "# --- Foreign and Delivery Agent connectors (not Send connectors to Setup) ---"
        )?;
    }
    for (change, connector) in view.other_changes() {
        other_commands(out, connector, change, whatif)?;
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

fn send_commands(
    out: &mut impl Write,
    connector: &ConnectorInPlan,
    change: &SendInPlan,
    whatif: &str,
) -> io::Result<()> {
    let identity = &connector.identity;
    writeln!(out)?;
    writeln!(
        out,
        "# Send connector {}: sources {} -> {}",
        one_line(&powershell::quote(&connector.name)),
        one_line(&list(&change.before)),
        one_line(&list(&change.after))
    )?;
    if change.goes_with_subscription() {
        writeln!(
            out,
            "# It goes with the Edge subscription of {} (below); a new subscription brings its own.",
            one_line(&change.edge_remove.join(", "))
        )?;
    } else if !change.edge_remove.is_empty() {
        writeln!(
            out,
            "# {} leave(s) with the Edge subscription (below).",
            one_line(&change.edge_remove.join(", "))
        )?;
    }
    if change.orphaned() && change.legacy {
        writeln!(
            out,
            "# BLOCKER: this Exchange 2003 connector would be left without a bridgehead. Re-create it as a \
             Send connector on the new servers, then delete it in Exchange System Manager:"
        )?;
        writeln!(
            out,
            "{}",
            powershell::comment(&format!(
                "{}{whatif}",
                powershell::new_send_connector(
                    &connector.name,
                    &connector.address_spaces,
                    Literals::Ascii
                )
            ))
        )?;
        return Ok(());
    }
    if change.orphaned() {
        return orphan_blocker(out, &powershell::remove_send_connector(identity), whatif);
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
    if let Some(command) = powershell::set_send_connector_sources(
        identity,
        &change.add,
        &change.remove,
        Literals::Ascii,
    ) {
        writeln!(out, "{command}{whatif}{}", name_comment(connector))?;
    }
    Ok(())
}

/// What a connector left without a source gets: a BLOCKER comment, and
/// the command that would remove it, commented out.
fn orphan_blocker(out: &mut impl Write, removal: &str, whatif: &str) -> io::Result<()> {
    writeln!(
        out,
        "# BLOCKER: no source would be left. Give a replacement (--add), or remove the connector:"
    )?;
    writeln!(
        out,
        "{}",
        powershell::comment(&format!("{removal}{whatif}"))
    )
}

fn other_commands(
    out: &mut impl Write,
    connector: &ConnectorInPlan,
    change: &OtherInPlan,
    whatif: &str,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "# {} {}: sources {} -> {}",
        change.kind.label(),
        one_line(&powershell::quote(&connector.name)),
        one_line(&list(&change.before)),
        one_line(&list(&change.after))
    )?;
    if change.orphaned() {
        orphan_blocker(
            out,
            &powershell::remove_other_connector(change.kind, &connector.identity),
            whatif,
        )?;
        return Ok(());
    }
    if let Some(command) = powershell::set_other_connector_sources(
        change.kind,
        &connector.identity,
        &change.add,
        &change.remove,
        Literals::Ascii,
    ) {
        writeln!(out, "{command}{whatif}{}", name_comment(connector))?;
    }
    Ok(())
}

/// After a command that names a connector by its GUID: the name, for the
/// reader, as a comment to the end of the line (escaped, so it stays one).
fn name_comment(connector: &ConnectorInPlan) -> String {
    if connector.by_guid {
        format!("  # {}", crate::visible::name(&connector.name))
    } else {
        String::new()
    }
}

fn routing_group_commands(
    out: &mut impl Write,
    connector: &ConnectorInPlan,
    change: &RoutingGroupInPlan,
    whatif: &str,
) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "# Routing group connector {}: sources {} -> {}; targets {} -> {}",
        one_line(&powershell::quote(&connector.name)),
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
            "{}",
            powershell::comment(&format!(
                "{}{whatif}",
                powershell::remove_routing_group_connector(&connector.identity)
            ))
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{}{whatif}{}",
        powershell::set_routing_group_connector(
            &connector.identity,
            &change.sources.1,
            &change.targets.1,
            Literals::Ascii
        ),
        name_comment(connector)
    )
}
