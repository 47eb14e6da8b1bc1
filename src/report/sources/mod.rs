//! The `sources` report: one view model, rendered as table, JSON, CSV, Markdown or HTML.
//!
//! [`SourcesReport`] is plain data built from the graph, the findings and the
//! inputs; its JSON form is the documented contract (`schema_version: 1`).
//! Every renderer shows what was read (files, formats, entries, SHA-256) and
//! what could not be read.
//!
//! This file owns the view model and its parts; each format family renders
//! it in its own file (`text`, `json`, `csv`, `markdown`, `html`); `build`
//! makes it from an analysis.

mod build;
mod csv;
mod html;
mod json;
mod markdown;
mod text;

pub use self::csv::{write_csv, write_csv_rows};
pub use self::html::write_html;
pub use self::json::write_json;
pub use self::markdown::write_markdown;
pub use self::text::write_table;
pub(crate) use self::text::{kind_heading, kind_label};

use serde::Serialize;

use crate::analysis::findings::{Code, Urgency};
use crate::analysis::Organization;
use crate::diag::Position;
use crate::model::OtherConnectorKind;

/// The JSON schema version of the `sources` report.
pub const SCHEMA_VERSION: u32 = 1;

/// An input that was read.
#[derive(Clone, Debug, Serialize)]
pub struct InputView {
    /// The path as given (`-` for stdin).
    pub path: String,
    /// The format read (`ldif`).
    pub format: &'static str,
    /// The encoding found.
    pub encoding: &'static str,
    /// The compression found (`gzip`, `zip`), if any.
    pub compression: Option<&'static str>,
    /// Size in bytes, as read.
    pub bytes: u64,
    /// Records read.
    pub entries: usize,
    /// Records skipped as malformed.
    pub skipped: usize,
    /// Deleted objects left out of the analysis.
    pub deleted: usize,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// As of when the input speaks: the newest `whenChanged` of its servers
    /// and Send connectors (RFC 3339, UTC), when they carry it.
    pub as_of: Option<String>,
}

impl InputView {
    /// Every input of an organization's analysis.
    pub fn all(analysis: &Organization) -> Vec<InputView> {
        analysis
            .inputs
            .iter()
            .zip(&analysis.objects)
            .map(|(input, objects)| InputView {
                path: input.name.clone(),
                format: input.format.as_str(),
                encoding: input.encoding.as_str(),
                compression: input.compression.map(|c| c.as_str()),
                bytes: input.bytes,
                entries: input.entries,
                skipped: input.skipped,
                deleted: objects.deleted,
                sha256: input.sha256.clone(),
                as_of: objects.newest_change().map(|t| t.to_string()),
            })
            .collect()
    }
}

/// An input that could not be read at all.
#[derive(Clone, Debug, Serialize)]
pub struct UnreadableView {
    /// The path as given.
    pub path: String,
    /// Why.
    pub reason: String,
}

impl UnreadableView {
    /// Every input of the run that could not be read.
    pub fn all(analysis: &Organization) -> Vec<UnreadableView> {
        analysis
            .unreadable
            .iter()
            .map(|u| UnreadableView {
                path: u.path.clone(),
                reason: u.reason.clone(),
            })
            .collect()
    }
}

/// A server.
#[derive(Clone, Debug, Serialize)]
pub struct ServerView {
    /// Display name.
    pub name: String,
    /// Server DN.
    pub dn: Option<String>,
    /// Whether the export holds its object.
    pub in_export: bool,
    /// Product name.
    pub product: Option<&'static str>,
    /// Build.
    pub version: Option<String>,
    /// Role names.
    pub roles: Vec<&'static str>,
    /// AD site.
    pub site: Option<String>,
    /// Edge Transport server.
    pub edge: bool,
    /// FQDN.
    pub fqdn: Option<String>,
    /// Names of the Send connectors it is a source of.
    pub send_connectors: Vec<String>,
    /// Names of the foreign and Delivery Agent connectors it is a source
    /// of (Setup does not count them).
    pub other_connectors: Vec<String>,
    /// The same connectors, as indices into [`SourcesReport::send_connectors`].
    #[serde(skip)]
    pub connectors: Vec<usize>,
}

/// A Send connector.
#[derive(Clone, Debug, Serialize)]
pub struct ConnectorView {
    /// Display name.
    pub name: String,
    /// DN.
    pub dn: String,
    /// Enabled.
    pub enabled: bool,
    /// Address spaces as stored.
    pub address_spaces: Vec<String>,
    /// Whether the connector is scoped (`Local:` address space).
    pub scoped: bool,
    /// Smart hosts.
    pub smart_hosts: Vec<String>,
    /// Port.
    pub port: Option<u16>,
    /// FQDN.
    pub fqdn: Option<String>,
    /// Names of the source servers.
    pub source_servers: Vec<String>,
    /// References that name no server.
    pub unresolved_sources: Vec<String>,
    /// The source servers, as indices into [`SourcesReport::servers`].
    #[serde(skip)]
    pub sources: Vec<usize>,
}

/// A routing group connector.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingGroupView {
    /// Display name.
    pub name: String,
    /// DN.
    pub dn: String,
    /// Source bridgeheads.
    pub source_servers: Vec<String>,
    /// Target bridgeheads.
    pub target_servers: Vec<String>,
    /// Source or target references that name no server.
    pub unresolved_servers: Vec<String>,
    /// Source bridgeheads, as indices into [`SourcesReport::servers`].
    #[serde(skip)]
    pub sources: Vec<usize>,
    /// Target bridgeheads, as indices into [`SourcesReport::servers`].
    #[serde(skip)]
    pub targets: Vec<usize>,
}

/// A foreign or Delivery Agent connector: it has source servers, but
/// Setup does not count it.
#[derive(Clone, Debug, Serialize)]
pub struct OtherConnectorView {
    /// `foreign` or `delivery_agent`.
    pub kind: OtherConnectorKind,
    /// Display name.
    pub name: String,
    /// DN.
    pub dn: String,
    /// Address spaces as stored.
    pub address_spaces: Vec<String>,
    /// Names of the source servers.
    pub source_servers: Vec<String>,
    /// References that name no server.
    pub unresolved_sources: Vec<String>,
}

impl OtherConnectorView {
    /// Every foreign and Delivery Agent connector of the graph.
    pub fn all(graph: &crate::analysis::graph::Graph) -> Vec<OtherConnectorView> {
        graph
            .other_connectors
            .iter()
            .map(|node| OtherConnectorView {
                kind: node.connector.kind,
                name: node.connector.name.clone(),
                dn: node.connector.dn.to_string(),
                address_spaces: node
                    .connector
                    .address_spaces
                    .iter()
                    .map(|a| a.raw.clone())
                    .collect(),
                source_servers: node
                    .sources
                    .iter()
                    .map(|&i| graph.servers[i].name.clone())
                    .collect(),
                unresolved_sources: node
                    .unresolved
                    .iter()
                    .map(|u| u.reference.clone())
                    .collect(),
            })
            .collect()
    }
}

/// The kind of a foreign or Delivery Agent connector, as every JSON
/// contract names it.
pub(crate) fn kind_name(kind: OtherConnectorKind) -> &'static str {
    match kind {
        OtherConnectorKind::Foreign => "foreign",
        OtherConnectorKind::DeliveryAgent => "delivery_agent",
    }
}

impl Serialize for OtherConnectorKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind_name(*self))
    }
}

/// A finding.
#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    /// Code.
    pub code: Code,
    /// `blocker`, `warning` or `info`.
    pub severity: Urgency,
    /// Server name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// Connector name (a Send connector's, or a foreign or Delivery Agent
    /// connector's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// For `ServerIsSourceForSendConnector`: the count Setup prints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// What was found.
    pub message: String,
    /// What to do.
    pub remedy: String,
}

/// A reader or model diagnostic.
#[derive(Clone, Debug, Serialize)]
pub struct DiagnosticView {
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Input path.
    pub file: String,
    /// Where in the input: `line` and `column` (1-based) in a text input,
    /// `offset` in a binary one.
    #[serde(flatten)]
    pub position: PositionView,
    /// What was expected and found.
    pub message: String,
}

impl DiagnosticView {
    /// The input and the place in it, as the terminal shows them:
    /// `FILE:LINE:COL`, or `FILE: offset 0x…` in a binary input.
    pub fn place(&self) -> String {
        match self.position {
            PositionView::Line { line, column } => format!("{}:{line}:{column}", self.file),
            PositionView::Offset { offset } => format!("{}: offset {offset:#x}", self.file),
        }
    }
}

/// Where a diagnostic is in its input.
#[derive(Clone, Copy, Debug, Serialize)]
#[serde(untagged)]
pub enum PositionView {
    /// A line and column of a text input.
    Line {
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
    },
    /// A byte offset in a binary input.
    Offset {
        /// The byte offset.
        offset: u64,
    },
}

impl From<Position> for PositionView {
    fn from(position: Position) -> PositionView {
        match position {
            Position::Line(at) => PositionView::Line {
                line: at.line,
                column: at.column,
            },
            Position::Offset(offset) => PositionView::Offset { offset },
        }
    }
}

/// A routing group the inputs name, and whether its connectors are shown.
#[derive(Clone, Debug, Serialize)]
pub struct RoutingGroupCoverageView {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: String,
    /// Whether its `CN=Connections` container is in the inputs.
    pub connections_container: bool,
    /// Send connectors read in it.
    pub send_connectors: usize,
}

/// What the inputs could show (see `coverage`): the basis of every verdict.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageView {
    /// Whether the inputs could show every Send connector with its sources;
    /// when false, no server is reported clear.
    pub send_connectors_shown: bool,
    /// Why (what was seen, or what is missing).
    pub send_connectors_reason: String,
    /// Routing groups seen.
    pub routing_groups: Vec<RoutingGroupCoverageView>,
    /// Send connector objects read (copies in several inputs counted each).
    pub send_connector_objects: usize,
    /// Send connectors whose record does not say what their sources are.
    pub sources_not_in_export: usize,
    /// Whether a `CN=Servers` container is in the inputs.
    pub servers_container: bool,
    /// Exchange server objects read.
    pub server_objects: usize,
    /// Servers known only from references (their objects are not in the inputs).
    pub servers_known_by_reference_only: usize,
    /// Inputs that did not reach their proper end (cut, capped, stopped):
    /// they show no absence.
    pub inputs_not_whole: Vec<NotWholeView>,
}

/// An input that is not whole, and its first sign.
#[derive(Clone, Debug, Serialize)]
pub struct NotWholeView {
    /// The input's name.
    pub path: String,
    /// Where and why (`line:col: reason`).
    pub reason: String,
}

/// Totals for the one-line summary.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SummaryView {
    /// Records read over all inputs.
    pub entries: usize,
    /// Records skipped as malformed.
    pub skipped: usize,
    /// Deleted objects left out.
    pub deleted: usize,
    /// Servers known.
    pub servers: usize,
    /// Servers that are sources of Send connectors.
    pub source_servers: usize,
    /// Send connectors.
    pub send_connectors: usize,
    /// Findings of severity blocker.
    pub blockers: usize,
    /// Diagnostics reported.
    pub diagnostics: usize,
    /// Inputs that could not be read.
    pub unreadable: usize,
}

/// The whole `sources` report.
#[derive(Clone, Debug, Serialize)]
pub struct SourcesReport {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The exconn version that wrote it.
    pub tool_version: &'static str,
    /// The Exchange organization, when the objects name one.
    pub organization: Option<String>,
    /// Its forest root domain.
    pub forest: Option<String>,
    /// Inputs read.
    pub inputs: Vec<InputView>,
    /// Inputs that could not be read.
    pub unreadable: Vec<UnreadableView>,
    /// What the inputs could show.
    pub coverage: CoverageView,
    /// Every server known, sorted by name.
    pub servers: Vec<ServerView>,
    /// Every Send connector, sorted by name.
    pub send_connectors: Vec<ConnectorView>,
    /// Routing group connectors (never count for Setup's check).
    pub routing_group_connectors: Vec<RoutingGroupView>,
    /// Foreign and Delivery Agent connectors (never count for Setup's
    /// check, but stop working without a source).
    pub other_connectors: Vec<OtherConnectorView>,
    /// Findings, most severe first.
    pub findings: Vec<FindingView>,
    /// Reader and model diagnostics.
    pub diagnostics: Vec<DiagnosticView>,
    /// Totals.
    pub summary: SummaryView,
}

impl SourcesReport {
    /// The Send connectors `server` is a source of.
    fn connectors_of<'r>(
        &'r self,
        server: &'r ServerView,
    ) -> impl Iterator<Item = &'r ConnectorView> + 'r {
        server.connectors.iter().map(|&i| &self.send_connectors[i])
    }

    fn source_servers(&self) -> impl Iterator<Item = &ServerView> {
        self.servers
            .iter()
            .filter(|s| !s.send_connectors.is_empty())
    }

    /// The one-line summary of what was read and found.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let files: Vec<String> = self
            .inputs
            .iter()
            .map(|i| {
                let as_of = i
                    .as_of
                    .as_deref()
                    .map_or_else(String::new, |t| format!(", as of {t}"));
                format!(
                    "{} ({}, {}, {} entries{as_of}, sha256 {})",
                    i.path,
                    i.format,
                    i.encoding,
                    i.entries,
                    &i.sha256[..12]
                )
            })
            .collect();
        let read = if files.is_empty() {
            "Read no input".to_owned()
        } else {
            format!("Read {} input(s): {}", files.len(), files.join("; "))
        };
        let mut line = format!(
            "{read}. {} servers known, {} source(s) of {} Send connectors; {} blocker(s)",
            s.servers, s.source_servers, s.send_connectors, s.blockers
        );
        if s.skipped > 0 || s.diagnostics > 0 {
            line.push_str(&format!(
                "; {} record(s) skipped, {} diagnostic(s)",
                s.skipped, s.diagnostics
            ));
        }
        if s.deleted > 0 {
            line.push_str(&format!("; {} deleted object(s) ignored", s.deleted));
        }
        for unreadable in &self.unreadable {
            line.push_str(&format!(
                "; NOT READ: {} ({})",
                unreadable.path, unreadable.reason
            ));
        }
        line.push('.');
        line
    }
}
