//! `check`'s answer for a person: the verdict, what was examined, and the
//! commands to run.

use std::io::{self, Write};

use super::{CheckView, Verdict};
use crate::visible;

/// Writes the answer for a person.
pub fn write_table(out: &mut impl Write, view: &CheckView) -> io::Result<()> {
    let name = visible::name(&view.server);
    let reason = visible::text(&view.send_connectors_reason);
    match view.verdict {
        Verdict::CannotTell => {
            writeln!(
                out,
                "{name}: cannot tell whether it is a source transport server of a Send connector: {reason}."
            )?;
            if view.inputs_not_whole {
                writeln!(
                    out,
                    "Get each input that did not reach its proper end again, whole (a new copy, or a \
                     new export; ldapsearch paged with -E pr=1000/noprompt), and run again. If the \
                     Send connectors were not exported either:"
                )?;
            } else {
                writeln!(
                    out,
                    "Export the Send connectors and run again with that export too:"
                )?;
            }
            let (ldifde, cmdlet) = (&view.export_commands[0], &view.export_commands[1]);
            writeln!(out, "  {}", visible::text(ldifde))?;
            writeln!(out, "  or, in the Exchange Management Shell: {cmdlet}")?;
        }
        Verdict::Clear => {
            writeln!(
                out,
                "{name} is clear: it is a source transport server of no Send connector ({} Send connectors examined; {reason}).",
                view.send_connectors_examined
            )?;
            if view.skipped > 0 {
                writeln!(
                    out,
                    "Note: {} record(s) could not be read (see the diagnostics): a Send connector among \
                     them is not counted. Fix the export or confirm with Get-SendConnector before relying on this.",
                    view.skipped
                )?;
            }
        }
        Verdict::Source => write_source(out, view, &name, &reason)?,
    }
    Ok(())
}

fn write_source(
    out: &mut impl Write,
    view: &CheckView,
    name: &str,
    reason: &str,
) -> io::Result<()> {
    if view.edge && view.count == 0 {
        writeln!(
            out,
            "{name} is an Edge Transport server with an Edge subscription: Setup blocks its removal \
             until the subscription is removed, whatever its Send connectors."
        )?;
        if let Some(message) = &view.setup_message {
            writeln!(out, "Setup: {message}")?;
        }
        writeln!(
            out,
            "  {}",
            crate::report::powershell::remove_edge_subscription(
                &view.server,
                crate::report::powershell::Literals::Readable
            )
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{name} is a source transport server of {}{} Send connector(s).",
        if view.at_least { "at least " } else { "" },
        view.count
    )?;
    if view.at_least {
        writeln!(
            out,
            "The inputs do not show every Send connector ({reason}): there may be more."
        )?;
    }
    if view.edge {
        writeln!(
            out,
            "It is an Edge Transport server: its Edge subscription makes it a source."
        )?;
    }
    if let Some(message) = &view.setup_message {
        writeln!(out, "Setup: {message}")?;
    }
    for connector in &view.connectors {
        let state = if connector.enabled {
            "enabled"
        } else {
            "disabled"
        };
        writeln!(out, "  - {} ({state})", visible::name(&connector.name))?;
        if connector.only_source && !connector.exchange_2003 {
            writeln!(
                out,
                "      it is the only source: add another server to the command's Add list first"
            )?;
        }
        writeln!(out, "      {}", connector.command)?;
    }
    Ok(())
}
