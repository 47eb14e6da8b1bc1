//! `check`'s answer for one server: the view of the verdict decided by
//! `analysis::check`, as text or JSON.
//!
//! "Clear" with what was examined, "source" with the count Setup prints
//! and the command that clears each connector, "cannot tell" with the
//! commands that export what is missing.
//!
//! This file owns the view and how it is built; `text` and `json` render it.

use serde::Serialize;

pub use crate::analysis::check::Verdict;
use crate::analysis::coverage::Coverage;

use crate::analysis::check::Check;
use crate::analysis::Organization;
use crate::report::sources::InputView;
use crate::report::{findings, powershell};

mod json;
mod text;

pub use self::json::write_json;
pub use self::text::write_table;

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
