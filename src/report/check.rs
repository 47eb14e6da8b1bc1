//! `check`'s answer for one server: the view of the verdict decided by
//! `analysis::check`, as text or JSON.
//!
//! "Clear" with what was examined, "source" with the count Setup prints
//! and the command that clears each connector, "cannot tell" with the
//! commands that export what is missing.

use std::io::{self, Write};

use serde::Serialize;

pub use crate::analysis::check::Verdict;
use crate::analysis::coverage::Coverage;

use crate::analysis::check::Check;
use crate::analysis::Organization;
use crate::report::sources::InputView;
use crate::report::{findings, powershell};
use crate::visible;

/// The JSON schema version of the `check` report.
pub const SCHEMA_VERSION: u32 = 1;

/// One Send connector the server is a source of.
#[derive(Clone, Debug, Serialize)]
pub struct CheckConnector {
    /// Its name.
    pub name: String,
    /// Enabled (disabled ones count for Setup too).
    pub enabled: bool,
    /// The server is its only source: another must be added first.
    pub only_source: bool,
    /// The command that takes the server off it.
    pub command: String,
    /// An Exchange 2003 connector: changed in Exchange System Manager (the
    /// command is then a comment that says how).
    #[serde(skip)]
    pub exchange_2003: bool,
}

/// The whole answer.
#[derive(Clone, Debug, Serialize)]
pub struct CheckView {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The exconn version that wrote it.
    pub tool_version: &'static str,
    /// The server, as the directory names it.
    pub server: String,
    /// Whether its object is in the inputs.
    pub in_export: bool,
    /// An Edge Transport server (its Edge subscription makes it a source).
    pub edge: bool,
    /// The verdict.
    pub verdict: Verdict,
    /// Send connectors it is a source of.
    pub count: usize,
    /// The count may be short: the inputs do not show every connector.
    pub at_least: bool,
    /// What Setup prints, for a source.
    pub setup_message: Option<String>,
    /// Whether the inputs could show the Send connectors, and why.
    pub send_connectors_shown: bool,
    /// Why (what was seen, or what is missing).
    pub send_connectors_reason: String,
    /// Send connectors examined.
    pub send_connectors_examined: usize,
    /// For "cannot tell": the commands that export what is missing.
    pub export_commands: Vec<String>,
    /// Whether some input did not reach its proper end (the reason says
    /// which): getting it whole comes before any new export.
    pub inputs_not_whole: bool,
    /// Records skipped as malformed: a connector among them is not counted.
    pub skipped: usize,
    /// The connectors it is a source of.
    pub connectors: Vec<CheckConnector>,
    /// The inputs read.
    pub inputs: Vec<InputView>,
}

/// Why a server is undecided (see [`crate::analysis::graph::ServerNode::undecided`]).
const UNDECIDED: &str = "copies of a Send connector in different inputs disagree on whether it is \
     a source, and neither is newer (whenChanged); give the newest export alone, or exports that \
     carry whenChanged";

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Verdict::Clear => "clear",
            Verdict::Source => "source",
            Verdict::CannotTell => "cannot_tell",
        })
    }
}

impl CheckView {
    /// The view of `check`'s verdict on one of `organization`'s servers.
    pub fn new(organization: &Organization, check: &Check) -> CheckView {
        let graph = &organization.graph;
        let coverage = &organization.coverage;
        let server = check.server;
        let node = &graph.servers[server];
        let count = check.connectors.len();
        let setup_message = (count > 0 || node.is_edge()).then(|| {
            if node.is_edge() {
                findings::EDGE_SETUP_MESSAGE.to_owned()
            } else {
                findings::setup_message(count)
            }
        });
        let export_commands = if check.verdict == Verdict::CannotTell {
            vec![
                coverage.ldifde_command(),
                Coverage::CMDLET_COMMAND.to_owned(),
            ]
        } else {
            Vec::new()
        };
        CheckView {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            server: node.name.clone(),
            in_export: node.in_export(),
            edge: node.is_edge(),
            verdict: check.verdict,
            count,
            at_least: check.at_least(),
            setup_message,
            send_connectors_shown: check.shown,
            send_connectors_reason: if check.undecided {
                UNDECIDED.to_owned()
            } else {
                findings::reason(coverage)
            },
            send_connectors_examined: graph.send_connectors.len(),
            export_commands,
            inputs_not_whole: !coverage.not_whole.is_empty(),
            skipped: organization.skipped(),
            connectors: check
                .connectors
                .iter()
                .map(|&connector| {
                    let c = &graph.send_connectors[connector].connector;
                    CheckConnector {
                        name: c.name.clone(),
                        enabled: c.enabled,
                        only_source: crate::analysis::findings::is_last_source(
                            graph, server, connector,
                        ),
                        command: powershell::remove_command(graph, server, connector),
                        exchange_2003: crate::analysis::plan::is_legacy(&c.dn),
                    }
                })
                .collect(),
            inputs: InputView::all(organization),
        }
    }
}

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

/// Writes the answer as one JSON document.
pub fn write_json(out: &mut impl Write, view: &CheckView) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, view)?;
    writeln!(out)
}
