//! The `diff` report: what changed between two exports of one organization
//! ([`DiffView`]), as a table, JSON, Markdown or HTML.
//!
//! The view is built from the [`Diff`] (decided on the real data) and the
//! two sides' analyses, which may be redacted copies: every name and value
//! shown comes from them. Its JSON form is the documented contract
//! (`schema_version: 1`, fields may be added).
//!
//! This file owns the view model and its JSON; `text` renders it as a table
//! and as Markdown (and phrases what every page for a person says), `html`
//! as a self-contained page.

mod html;
mod text;

pub use html::write_html;
pub use text::{write_markdown, write_table};

use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::analysis::diff::{Change, FindingState};
use crate::analysis::diff::{
    Diff, FindingChange, RoutingGroupField, SendField, ServerField, Side, Value,
};
use crate::analysis::findings::{Code, Urgency};
use crate::analysis::graph::Graph;
use crate::analysis::Organization;
use crate::model::OtherConnectorKind;
use crate::report::sources::{InputView, UnreadableView};
use crate::report::{findings, FindingSummary};

/// The JSON schema version of the `diff` report.
pub const SCHEMA_VERSION: u32 = 1;

/// An input of one side.
#[derive(Clone, Debug, Serialize)]
pub struct DiffInputView {
    /// The path as given.
    pub path: String,
    /// The format read (`ldif`, `dsml`, `clixml`).
    pub format: &'static str,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// Records read.
    pub entries: usize,
    /// Records skipped as malformed.
    pub skipped: usize,
}

/// What one side is.
#[derive(Clone, Debug, Serialize)]
pub struct SideView {
    /// The inputs read.
    pub inputs: Vec<DiffInputView>,
    /// Inputs that could not be read.
    pub unreadable: Vec<UnreadableView>,
    /// The Exchange organization, when the objects name one.
    pub organization: Option<String>,
    /// Its forest root domain.
    pub forest: Option<String>,
    /// Whether the inputs could show the Send connectors.
    pub send_connectors_shown: bool,
    /// Why (what was seen, or what is missing).
    pub send_connectors_reason: String,
    /// The `SendConnectorsNotInExport` blocker, when they could not.
    #[serde(skip)]
    pub not_shown: Vec<FindingSummary>,
    /// The inputs as the other reports describe them (HTML footer).
    #[serde(skip)]
    pub input_views: Vec<InputView>,
}

impl SideView {
    fn new(organization: &Organization) -> SideView {
        let coverage = &organization.coverage;
        let input_views = InputView::all(organization);
        SideView {
            inputs: input_views
                .iter()
                .map(|i| DiffInputView {
                    path: i.path.clone(),
                    format: i.format,
                    sha256: i.sha256.clone(),
                    entries: i.entries,
                    skipped: i.skipped,
                })
                .collect(),
            unreadable: UnreadableView::all(organization),
            organization: organization.name.as_ref().map(|o| o.name.clone()),
            forest: organization.name.as_ref().map(|o| o.forest.clone()),
            send_connectors_shown: coverage.send_connectors.is_shown(),
            send_connectors_reason: findings::reason(coverage),
            not_shown: super::finding_summaries(organization.not_shown(), organization),
            input_views,
        }
    }
}

/// A setting's value, as JSON shows it (`null` when not known).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ValueView {
    /// Not known on that side.
    Absent,
    /// A flag.
    Flag(bool),
    /// Whether the object is enabled.
    Enabled(bool),
    /// A number.
    Number(u64),
    /// A text.
    Text(String),
    /// An object's name.
    Name(String),
    /// Several values.
    List(Vec<String>),
}

impl From<Value> for ValueView {
    fn from(value: Value) -> Self {
        match value {
            Value::Absent => ValueView::Absent,
            Value::Flag(flag) => ValueView::Flag(flag),
            Value::Enabled(enabled) => ValueView::Enabled(enabled),
            Value::Name(name) => ValueView::Name(name),
            Value::Number(n) => ValueView::Number(n),
            Value::Text(text) => ValueView::Text(text),
            Value::List(list) => ValueView::List(list),
        }
    }
}

/// A setting that differs.
#[derive(Clone, Debug, Serialize)]
pub struct FieldView {
    /// Its name (`address_spaces`).
    #[serde(skip)]
    pub field: &'static str,
    /// Before.
    pub before: ValueView,
    /// After.
    pub after: ValueView,
}

/// Fields as a JSON object `{"field": {"before", "after"}}`, in the order shown.
fn fields_map<S: Serializer>(fields: &[FieldView], serializer: S) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(fields.len()))?;
    for field in fields {
        map.serialize_entry(field.field, field)?;
    }
    map.end()
}

/// A server added, removed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct ServerChangeView {
    /// Its name (after, else before).
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: Change,
    /// The settings that differ.
    #[serde(serialize_with = "fields_map")]
    pub fields: Vec<FieldView>,
}

/// A Send or routing group connector added, removed or changed.
#[derive(Clone, Debug, Serialize)]
pub struct ConnectorChangeView {
    /// Its name (after, else before).
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub change: Change,
    /// Source servers only after (every source of an added connector).
    pub sources_added: Vec<String>,
    /// Source servers only before (every source of a removed connector).
    pub sources_removed: Vec<String>,
    /// Routing group connectors: target bridgeheads only after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets_added: Option<Vec<String>>,
    /// Routing group connectors: target bridgeheads only before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub targets_removed: Option<Vec<String>>,
    /// The settings that differ.
    #[serde(serialize_with = "fields_map")]
    pub fields: Vec<FieldView>,
    /// Foreign and Delivery Agent connectors: `foreign` or `delivery_agent`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<OtherConnectorKind>,
}

/// A receive connector added or removed.
#[derive(Clone, Debug, Serialize)]
pub struct ReceiveChangeView {
    /// Its name.
    pub name: String,
    /// The server it belongs to.
    pub server: Option<String>,
    /// `added` or `removed`.
    pub change: Change,
}

/// A finding that appeared or was resolved.
#[derive(Clone, Debug, Serialize)]
pub struct FindingChangeView {
    /// Its code.
    pub code: Code,
    /// `new` or `resolved`.
    pub change: FindingState,
    /// `blocker`, `warning` or `info` (of the finding, before it was resolved).
    pub severity: Urgency,
    /// The server concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The Send connector concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector: Option<String>,
    /// New: the finding; resolved: what its absence means.
    pub message: String,
}

/// What is the same on both sides, and how much changed.
#[derive(Clone, Debug, Serialize)]
pub struct DiffSummaryView {
    /// Servers on both sides, unchanged.
    pub servers_unchanged: usize,
    /// Send connectors on both sides, unchanged (`null`: not compared).
    pub send_connectors_unchanged: Option<usize>,
    /// Routing group connectors on both sides, unchanged (`null`: not compared).
    pub routing_group_connectors_unchanged: Option<usize>,
    /// Foreign and Delivery Agent connectors unchanged (`None`: not compared).
    pub other_connectors_unchanged: Option<usize>,
    /// Receive connectors on both sides.
    pub receive_connectors_unchanged: usize,
    /// Findings on both sides (`null`: not compared).
    pub findings_unchanged: Option<usize>,
    /// Changes listed (objects and findings).
    pub changes: usize,
}

/// The whole `diff` report.
#[derive(Clone, Debug, Serialize)]
pub struct DiffView {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The exconn version that wrote it.
    pub tool_version: &'static str,
    /// The export before the change.
    pub before: SideView,
    /// The export after it.
    pub after: SideView,
    /// Whether Send and routing group connectors and findings were
    /// compared (both sides can show the Send connectors).
    pub send_connectors_compared: bool,
    /// Servers added, removed or changed.
    pub servers: Vec<ServerChangeView>,
    /// Send connectors added, removed or changed.
    pub send_connectors: Vec<ConnectorChangeView>,
    /// Routing group connectors added, removed or changed.
    pub routing_group_connectors: Vec<ConnectorChangeView>,
    /// Foreign and Delivery Agent connectors added, removed or changed
    /// (each with its `kind`).
    pub other_connectors: Vec<ConnectorChangeView>,
    /// Receive connectors added or removed.
    pub receive_connectors: Vec<ReceiveChangeView>,
    /// Findings that appeared (first) or were resolved.
    pub findings: Vec<FindingChangeView>,
    /// Totals.
    pub summary: DiffSummaryView,
}

/// A setting's values on the sides that have the object.
fn field_view(field: &'static str, before: Option<Value>, after: Option<Value>) -> FieldView {
    FieldView {
        field,
        before: before.map_or(ValueView::Absent, ValueView::from),
        after: after.map_or(ValueView::Absent, ValueView::from),
    }
}

/// Each setting that differs, with its values on the sides (before,
/// after) that have the object at the given indices.
fn fields_view<F: Copy>(
    fields: &[F],
    (before, after): (Option<usize>, Option<usize>),
    (b, a): (&Graph, &Graph),
    name: fn(F) -> &'static str,
    value: impl Fn(F, &Graph, usize) -> Value,
) -> Vec<FieldView> {
    fields
        .iter()
        .map(|&f| {
            field_view(
                name(f),
                before.map(|x| value(f, b, x)),
                after.map(|y| value(f, a, y)),
            )
        })
        .collect()
}

/// The object as the after side has it, else as the before side had it.
fn latest<'g, T>((before, after): (Option<usize>, Option<usize>), b: &'g [T], a: &'g [T]) -> &'g T {
    after.map_or_else(|| &b[before.expect("a side")], |y| &a[y])
}

fn names(graph: &Graph, servers: &[usize]) -> Vec<String> {
    servers
        .iter()
        .map(|&s| graph.servers[s].name.clone())
        .collect()
}

impl DiffView {
    /// The view of `diff`, named from the two sides (redacted or not).
    pub fn new(diff: &Diff, before: &Organization, after: &Organization) -> DiffView {
        let (b, a) = (&before.graph, &after.graph);
        let sides = (b, a);
        let servers = diff
            .servers
            .iter()
            .map(|c| ServerChangeView {
                name: latest((c.before, c.after), &b.servers, &a.servers)
                    .name
                    .clone(),
                change: c.change,
                fields: fields_view(
                    &c.fields,
                    (c.before, c.after),
                    sides,
                    server_field_name,
                    |f, g, i| f.value(&g.servers[i]),
                ),
            })
            .collect();
        let send_connectors = diff
            .send_connectors
            .iter()
            .map(|c| ConnectorChangeView {
                name: latest((c.before, c.after), &b.send_connectors, &a.send_connectors)
                    .connector
                    .name
                    .clone(),
                change: c.change,
                sources_added: names(a, &c.sources_added),
                sources_removed: names(b, &c.sources_removed),
                targets_added: None,
                targets_removed: None,
                kind: None,
                fields: fields_view(
                    &c.fields,
                    (c.before, c.after),
                    sides,
                    send_field_name,
                    |f, g, i| f.value(&g.send_connectors[i]),
                ),
            })
            .collect();
        let routing_group_connectors = diff
            .routing_group_connectors
            .iter()
            .map(|c| ConnectorChangeView {
                name: latest(
                    (c.before, c.after),
                    &b.routing_group_connectors,
                    &a.routing_group_connectors,
                )
                .connector
                .name
                .clone(),
                change: c.change,
                sources_added: names(a, &c.sources_added),
                sources_removed: names(b, &c.sources_removed),
                targets_added: Some(names(a, &c.targets_added)),
                targets_removed: Some(names(b, &c.targets_removed)),
                fields: fields_view(
                    &c.fields,
                    (c.before, c.after),
                    sides,
                    routing_group_field_name,
                    |f, g, i| f.value(g, i),
                ),
                kind: None,
            })
            .collect();
        let other_connectors = diff
            .other_connectors
            .iter()
            .map(|c| {
                let sides_of = (c.before, c.after);
                let node = latest(sides_of, &b.other_connectors, &a.other_connectors);
                let name_on = |graph: &Graph, i: usize| {
                    Value::Name(graph.other_connectors[i].connector.name.clone())
                };
                ConnectorChangeView {
                    name: node.connector.name.clone(),
                    change: c.change,
                    sources_added: names(a, &c.sources_added),
                    sources_removed: names(b, &c.sources_removed),
                    targets_added: None,
                    targets_removed: None,
                    fields: if c.renamed {
                        vec![field_view(
                            "name",
                            c.before.map(|x| name_on(b, x)),
                            c.after.map(|y| name_on(a, y)),
                        )]
                    } else {
                        Vec::new()
                    },
                    kind: Some(node.connector.kind),
                }
            })
            .collect();
        let receive_connectors = diff
            .receive_connectors
            .iter()
            .map(|r| {
                let graph = if r.side == Side::Before { b } else { a };
                let node = &graph.receive_connectors[r.index];
                ReceiveChangeView {
                    name: node.connector.name.clone(),
                    server: node.server.map(|s| graph.servers[s].name.clone()),
                    change: r.change,
                }
            })
            .collect();
        let findings = diff
            .findings
            .iter()
            .map(|f| finding_view(f, before, after))
            .collect();
        let u = &diff.unchanged;
        DiffView {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            before: SideView::new(before),
            after: SideView::new(after),
            send_connectors_compared: diff.send_connectors_compared(),
            servers,
            send_connectors,
            routing_group_connectors,
            other_connectors,
            receive_connectors,
            findings,
            summary: DiffSummaryView {
                servers_unchanged: u.servers,
                send_connectors_unchanged: u.send_connectors,
                routing_group_connectors_unchanged: u.routing_group_connectors,
                other_connectors_unchanged: u.other_connectors,
                receive_connectors_unchanged: u.receive_connectors,
                findings_unchanged: u.findings,
                changes: diff.changes(),
            },
        }
    }
}

fn finding_view(
    f: &FindingChange,
    before: &Organization,
    after: &Organization,
) -> FindingChangeView {
    let organization = match f.side() {
        Side::Before => before,
        Side::After => after,
    };
    let graph = &organization.graph;
    let found = f.finding(organization);
    let severity = found.map_or(Urgency::Warning, |found| found.urgency);
    let other_connector = found
        .and_then(|found| found.other_connector)
        .map(|c| graph.other_connectors[c].connector.name.clone());
    FindingChangeView {
        code: f.code,
        change: f.state,
        severity,
        server: f.server.map(|s| graph.servers[s].name.clone()),
        connector: f
            .connector
            .map(|c| graph.send_connectors[c].connector.name.clone())
            .or(other_connector),
        message: findings::change_message(f, before, after),
    }
}

/// A change's name in every output format.
fn change_name(change: Change) -> &'static str {
    match change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Changed => "changed",
    }
}

/// A finding change's name in every output format.
fn finding_state_name(state: FindingState) -> &'static str {
    match state {
        FindingState::New => "new",
        FindingState::Resolved => "resolved",
    }
}

/// A server field's name in every output format.
fn server_field_name(field: ServerField) -> &'static str {
    match field {
        ServerField::InExport => "in_export",
        ServerField::Product => "product",
        ServerField::Version => "version",
        ServerField::Roles => "roles",
        ServerField::Site => "site",
    }
}

/// A Send connector field's name in every output format.
fn send_field_name(field: SendField) -> &'static str {
    match field {
        SendField::Name => "name",
        SendField::Enabled => "enabled",
        SendField::AddressSpaces => "address_spaces",
        SendField::SmartHosts => "smart_hosts",
        SendField::Port => "port",
        SendField::Fqdn => "fqdn",
    }
}

/// A routing group connector field's name in every output format.
fn routing_group_field_name(field: RoutingGroupField) -> &'static str {
    match field {
        RoutingGroupField::Name => "name",
    }
}

impl Serialize for Change {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(change_name(*self))
    }
}

impl Serialize for FindingState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(finding_state_name(*self))
    }
}

impl std::fmt::Display for FindingState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(finding_state_name(*self))
    }
}

/// Renders the JSON document.
pub fn write_json(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, view)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_a_json_object_in_the_order_shown() {
        let view = ServerChangeView {
            name: "EX01".into(),
            change: Change::Changed,
            fields: vec![
                FieldView {
                    field: "version",
                    before: ValueView::Text("15.1.2507.6".into()),
                    after: ValueView::Text("15.1.2507.9".into()),
                },
                FieldView {
                    field: "site",
                    before: ValueView::Absent,
                    after: ValueView::Text("Lyon".into()),
                },
            ],
        };
        assert_eq!(
            serde_json::to_string(&view).unwrap(),
            r#"{"name":"EX01","change":"changed","fields":{"version":{"before":"15.1.2507.6","after":"15.1.2507.9"},"site":{"before":null,"after":"Lyon"}}}"#
        );
    }
}
