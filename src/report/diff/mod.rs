//! The `diff` report: what changed between two exports of one organization
//! ([`DiffView`]), as a table, JSON, Markdown or HTML.
//!
//! The view is built from the [`Diff`] (decided on the real data) and the
//! two sides' analyses, which may be redacted copies: every name and value
//! shown comes from them. Its JSON form is the documented contract
//! (`schema_version: 1`, fields may be added).

use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::analysis::diff::{Diff, FindingChange, Side, Value};
use crate::analysis::Organization;
use crate::graph::Graph;
use crate::report::diagram::xml_text as esc;
use crate::report::sources::{InputView, UnreadableView};
use crate::report::{html, FindingSummary};
use crate::visible;

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
        SideView {
            inputs: organization
                .inputs
                .iter()
                .map(|i| DiffInputView {
                    path: i.name.clone(),
                    format: i.format.as_str(),
                    sha256: i.sha256.clone(),
                    entries: i.entries,
                    skipped: i.skipped,
                })
                .collect(),
            unreadable: organization
                .unreadable
                .iter()
                .map(|u| UnreadableView {
                    path: u.path.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            organization: organization.name.as_ref().map(|o| o.name.clone()),
            forest: organization.name.as_ref().map(|o| o.forest.clone()),
            send_connectors_shown: coverage.send_connectors.is_shown(),
            send_connectors_reason: coverage.send_connectors.reason().to_owned(),
            not_shown: super::finding_summaries(organization.not_shown()),
            input_views: InputView::all(organization),
        }
    }

    /// The inputs in one line: `path (format, N entries, sha256 0123456789ab)`.
    fn inputs_line(&self) -> String {
        let mut parts: Vec<String> = self
            .inputs
            .iter()
            .map(|i| {
                format!(
                    "{} ({}, {} entries, sha256 {})",
                    visible::text(&i.path),
                    i.format,
                    i.entries,
                    i.sha256.get(..12).unwrap_or(&i.sha256)
                )
            })
            .collect();
        parts.extend(self.unreadable.iter().map(|u| {
            format!(
                "NOT READ: {} ({})",
                visible::text(&u.path),
                visible::text(&u.reason)
            )
        }));
        if parts.is_empty() {
            "no input".to_owned()
        } else {
            parts.join("; ")
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
    /// A number.
    Number(u64),
    /// A text.
    Text(String),
    /// Several values.
    List(Vec<String>),
}

impl From<Value> for ValueView {
    fn from(value: Value) -> Self {
        match value {
            Value::Absent => ValueView::Absent,
            Value::Flag(flag) => ValueView::Flag(flag),
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
    pub change: &'static str,
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
    pub change: &'static str,
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
}

/// A receive connector added or removed.
#[derive(Clone, Debug, Serialize)]
pub struct ReceiveChangeView {
    /// Its name.
    pub name: String,
    /// The server it belongs to.
    pub server: Option<String>,
    /// `added` or `removed`.
    pub change: &'static str,
}

/// A finding that appeared or was resolved.
#[derive(Clone, Debug, Serialize)]
pub struct FindingChangeView {
    /// Its code.
    pub code: &'static str,
    /// `new` or `resolved`.
    pub change: &'static str,
    /// `blocker`, `warning` or `info` (of the finding, before it was resolved).
    pub severity: &'static str,
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
        let servers = diff
            .servers
            .iter()
            .map(|c| {
                let node = c
                    .after
                    .map_or_else(|| &b.servers[c.before.expect("a side")], |y| &a.servers[y]);
                ServerChangeView {
                    name: node.name.clone(),
                    change: c.change.as_str(),
                    fields: c
                        .fields
                        .iter()
                        .map(|f| {
                            field_view(
                                f.as_str(),
                                c.before.map(|x| f.value(&b.servers[x])),
                                c.after.map(|y| f.value(&a.servers[y])),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let send_connectors = diff
            .send_connectors
            .iter()
            .map(|c| {
                let node = c.after.map_or_else(
                    || &b.send_connectors[c.before.expect("a side")],
                    |y| &a.send_connectors[y],
                );
                ConnectorChangeView {
                    name: node.connector.name.clone(),
                    change: c.change.as_str(),
                    sources_added: names(a, &c.sources_added),
                    sources_removed: names(b, &c.sources_removed),
                    targets_added: None,
                    targets_removed: None,
                    fields: c
                        .fields
                        .iter()
                        .map(|f| {
                            field_view(
                                f.as_str(),
                                c.before.map(|x| f.value(&b.send_connectors[x])),
                                c.after.map(|y| f.value(&a.send_connectors[y])),
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let routing_group_connectors = diff
            .routing_group_connectors
            .iter()
            .map(|c| {
                let node = c.after.map_or_else(
                    || &b.routing_group_connectors[c.before.expect("a side")],
                    |y| &a.routing_group_connectors[y],
                );
                ConnectorChangeView {
                    name: node.connector.name.clone(),
                    change: c.change.as_str(),
                    sources_added: names(a, &c.sources_added),
                    sources_removed: names(b, &c.sources_removed),
                    targets_added: Some(names(a, &c.targets_added)),
                    targets_removed: Some(names(b, &c.targets_removed)),
                    fields: c
                        .fields
                        .iter()
                        .map(|f| {
                            field_view(
                                f.as_str(),
                                c.before.map(|x| f.value(b, x)),
                                c.after.map(|y| f.value(a, y)),
                            )
                        })
                        .collect(),
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
                    change: r.change.as_str(),
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
            receive_connectors,
            findings,
            summary: DiffSummaryView {
                servers_unchanged: u.servers,
                send_connectors_unchanged: u.send_connectors,
                routing_group_connectors_unchanged: u.routing_group_connectors,
                receive_connectors_unchanged: u.receive_connectors,
                findings_unchanged: u.findings,
                changes: diff.changes(),
            },
        }
    }

    fn sides(&self) -> [(&'static str, &SideView); 2] {
        [("before", &self.before), ("after", &self.after)]
    }

    /// The organization both sides are of.
    fn organization_line(&self) -> String {
        let side = if self.before.organization.is_some() {
            &self.before
        } else {
            &self.after
        };
        match (&side.organization, &side.forest) {
            (Some(name), Some(forest)) => format!(
                "organization {} (forest {})",
                visible::text(name),
                visible::text(forest)
            ),
            _ => "inputs that name no Exchange organization".to_owned(),
        }
    }

    /// The closing line: what is unchanged, and how many changes.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let mut parts = vec![format!("{} server(s)", s.servers_unchanged)];
        if let Some(n) = s.send_connectors_unchanged {
            parts.push(format!("{n} Send connector(s)"));
        }
        if let Some(n) = s.routing_group_connectors_unchanged {
            parts.push(format!("{n} routing group connector(s)"));
        }
        parts.push(format!(
            "{} receive connector(s)",
            s.receive_connectors_unchanged
        ));
        if let Some(n) = s.findings_unchanged {
            parts.push(format!("{n} finding(s)"));
        }
        format!("Unchanged: {}. {} change(s).", parts.join(", "), s.changes)
    }

    /// One line per changed object: sign, kind, name, and what moved;
    /// then the settings that differ, one per line.
    fn object_lines(&self) -> Vec<(String, Vec<String>)> {
        let mut lines = Vec::new();
        for server in &self.servers {
            lines.push((
                format!(
                    "{} Server {}",
                    sign(server.change),
                    visible::name(&server.name)
                ),
                server.fields.iter().map(field_text).collect(),
            ));
        }
        for (kind, list) in [
            ("Send connector", &self.send_connectors),
            ("Routing group connector", &self.routing_group_connectors),
        ] {
            for connector in list {
                let mut line = format!(
                    "{} {kind} {}",
                    sign(connector.change),
                    visible::name(&connector.name)
                );
                let moved = moved_text(connector);
                if !moved.is_empty() {
                    line.push_str(": ");
                    line.push_str(&moved);
                }
                lines.push((line, connector.fields.iter().map(field_text).collect()));
            }
        }
        for receive in &self.receive_connectors {
            let server = receive
                .server
                .as_deref()
                .map(|s| format!(" on {}", visible::name(s)))
                .unwrap_or_default();
            lines.push((
                format!(
                    "{} Receive connector {}{server}",
                    sign(receive.change),
                    visible::name(&receive.name)
                ),
                Vec::new(),
            ));
        }
        lines
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
    let severity = f
        .finding(organization)
        .map_or("warning", |found| found.severity.as_str());
    FindingChangeView {
        code: f.code.as_str(),
        change: f.state.as_str(),
        severity,
        server: f.server.map(|s| graph.servers[s].name.clone()),
        connector: f
            .connector
            .map(|c| graph.send_connectors[c].connector.name.clone()),
        message: f.message(before, after),
    }
}

fn sign(change: &str) -> char {
    match change {
        "added" => '+',
        "removed" => '-',
        _ => '~',
    }
}

/// `sources +EX2019 -EX2016A; targets +EX2019`, or nothing.
fn moved_text(connector: &ConnectorChangeView) -> String {
    let list = |label: &str, added: &[String], removed: &[String]| -> Option<String> {
        if added.is_empty() && removed.is_empty() {
            return None;
        }
        let items: Vec<String> = added
            .iter()
            .map(|s| format!("+{}", visible::name(s)))
            .chain(removed.iter().map(|s| format!("-{}", visible::name(s))))
            .collect();
        Some(format!("{label} {}", items.join(" ")))
    };
    let parts: Vec<String> = [
        list(
            "sources",
            &connector.sources_added,
            &connector.sources_removed,
        ),
        list(
            "targets",
            connector.targets_added.as_deref().unwrap_or(&[]),
            connector.targets_removed.as_deref().unwrap_or(&[]),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join("; ")
}

/// How a field is named for a person.
fn label(field: &str) -> &str {
    match field {
        "in_export" => "in export",
        "address_spaces" => "address spaces",
        "smart_hosts" => "smart hosts",
        "fqdn" => "FQDN",
        other => other,
    }
}

/// A value for a person: names through `visible::name`, text through
/// `visible::text`, `-` for none.
fn shown(field: &str, value: &ValueView) -> String {
    match value {
        ValueView::Absent => "-".to_owned(),
        ValueView::Flag(flag) => match (field, flag) {
            ("enabled", true) => "enabled".to_owned(),
            ("enabled", false) => "disabled".to_owned(),
            (_, true) => "yes".to_owned(),
            (_, false) => "no".to_owned(),
        },
        ValueView::Number(n) => n.to_string(),
        ValueView::Text(text) if field == "name" => visible::name(text).into_owned(),
        ValueView::Text(text) => visible::text(text).into_owned(),
        ValueView::List(list) if list.is_empty() => "-".to_owned(),
        ValueView::List(list) => list
            .iter()
            .map(|v| visible::text(v).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// `version: 15.2.1544.4 → 15.2.1748.10`; lists as `+added -removed`
/// (case-insensitively, as they were compared).
fn field_text(field: &FieldView) -> String {
    let name = label(field.field);
    if let (ValueView::List(before), ValueView::List(after)) = (&field.before, &field.after) {
        let lower = |list: &[String]| -> Vec<String> {
            list.iter().map(|v| v.trim().to_lowercase()).collect()
        };
        let (b, a) = (lower(before), lower(after));
        let mut items: Vec<String> = after
            .iter()
            .zip(&a)
            .filter(|(_, l)| !b.contains(l))
            .map(|(v, _)| format!("+{}", visible::text(v)))
            .collect();
        items.extend(
            before
                .iter()
                .zip(&b)
                .filter(|(_, l)| !a.contains(l))
                .map(|(v, _)| format!("-{}", visible::text(v))),
        );
        if !items.is_empty() {
            return format!("{name} {}", items.join(" "));
        }
    }
    format!(
        "{name}: {} → {}",
        shown(field.field, &field.before),
        shown(field.field, &field.after)
    )
}

const NOT_SHOWN: &str = "SendConnectorsNotInExport";

/// What a side that cannot show the Send connectors leaves out, and why.
fn not_compared(name: &str, side: &SideView) -> String {
    format!(
        "Send connectors, routing group connectors and findings are not compared: the {name} side \
         cannot show the Send connectors ({}).",
        side.send_connectors_reason
    )
}

/// Renders the report for a terminal.
pub fn write_table(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    writeln!(
        out,
        "Changes between two exports, {}",
        view.organization_line()
    )?;
    for (name, side) in view.sides() {
        writeln!(
            out,
            "  {name}:{:pad$} {}",
            "",
            side.inputs_line(),
            pad = 6 - name.len()
        )?;
    }
    writeln!(out)?;
    for (name, side) in view.sides() {
        for f in &side.not_shown {
            writeln!(out, "{}", visible::text(&not_compared(name, side)))?;
            writeln!(out, "  remedy: {}", visible::text(&f.remedy))?;
            writeln!(out)?;
        }
    }
    if !view.findings.is_empty() {
        writeln!(out, "Findings")?;
        for f in &view.findings {
            writeln!(
                out,
                "  {:8}  {}: {}",
                f.change,
                f.code,
                visible::text(&f.message)
            )?;
        }
        writeln!(out)?;
    }
    let lines = view.object_lines();
    for (line, details) in &lines {
        writeln!(out, "{line}")?;
        for detail in details {
            writeln!(out, "    {detail}")?;
        }
    }
    if lines.is_empty() && view.findings.is_empty() {
        if view.send_connectors_compared {
            writeln!(out, "No change.")?;
        } else {
            writeln!(out, "No change in what could be compared.")?;
        }
    }
    if !lines.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", view.summary_line())
}

/// Renders the JSON document.
pub fn write_json(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, view)?;
    writeln!(out)
}

/// Escapes what Markdown would read as table or code syntax.
fn md(text: &str) -> String {
    visible::text(text)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('`', "\\`")
}

/// The rows of the objects table: (sign, kind, name, what changed).
fn object_rows(view: &DiffView) -> Vec<(char, &'static str, String, Vec<String>)> {
    let mut rows = Vec::new();
    for server in &view.servers {
        rows.push((
            sign(server.change),
            "Server",
            visible::name(&server.name).into_owned(),
            server.fields.iter().map(field_text).collect(),
        ));
    }
    for (kind, list) in [
        ("Send connector", &view.send_connectors),
        ("Routing group connector", &view.routing_group_connectors),
    ] {
        for connector in list {
            let mut what: Vec<String> = Vec::new();
            let moved = moved_text(connector);
            if !moved.is_empty() {
                what.push(moved);
            }
            what.extend(connector.fields.iter().map(field_text));
            rows.push((
                sign(connector.change),
                kind,
                visible::name(&connector.name).into_owned(),
                what,
            ));
        }
    }
    for receive in &view.receive_connectors {
        rows.push((
            sign(receive.change),
            "Receive connector",
            visible::name(&receive.name).into_owned(),
            receive
                .server
                .as_deref()
                .map(|s| vec![format!("on {}", visible::name(s))])
                .unwrap_or_default(),
        ));
    }
    rows
}

/// Renders Markdown for a written report.
pub fn write_markdown(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    writeln!(out, "# Changes between two exports\n")?;
    writeln!(out, "{}\n", md(&capitalized(&view.organization_line())))?;
    writeln!(out, "| Side | Inputs | Send connectors shown |")?;
    writeln!(out, "|---|---|---|")?;
    for (name, side) in view.sides() {
        writeln!(
            out,
            "| {name} | {} | {} |",
            md(&side.inputs_line()),
            if side.send_connectors_shown {
                "yes".to_owned()
            } else {
                format!("no: {}", md(&side.send_connectors_reason))
            }
        )?;
    }
    writeln!(out)?;
    for (name, side) in view.sides() {
        for f in &side.not_shown {
            writeln!(
                out,
                "> **BLOCKER {}**: {}\n>\n> Remedy: {}\n",
                f.code,
                md(&not_compared(name, side)),
                md(&f.remedy)
            )?;
        }
    }
    if view.send_connectors_compared {
        writeln!(out, "## Findings\n")?;
        if view.findings.is_empty() {
            writeln!(out, "No finding appeared or was resolved.\n")?;
        } else {
            writeln!(out, "| Change | Severity | Code | Message |")?;
            writeln!(out, "|---|---|---|---|")?;
            for f in &view.findings {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    f.change,
                    f.severity,
                    f.code,
                    md(&f.message)
                )?;
            }
            writeln!(out)?;
        }
    }
    writeln!(out, "## Objects\n")?;
    let rows = object_rows(view);
    if rows.is_empty() {
        writeln!(out, "No object changed.\n")?;
    } else {
        writeln!(out, "| Change | Kind | Name | What changed |")?;
        writeln!(out, "|---|---|---|---|")?;
        for (sign, kind, name, what) in rows {
            let sign = match sign {
                '+' => "added",
                '-' => "removed",
                _ => "changed",
            };
            writeln!(
                out,
                "| {sign} | {kind} | {} | {} |",
                md(&name),
                md(&what.join("; "))
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", md(&view.summary_line()))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sortable table, or a sentence when it would be empty.
fn table_or(id: &str, headers: &[&str], rows: &[(String, Vec<String>)], empty: &str) -> String {
    if rows.is_empty() {
        format!("<p>{}</p>", esc(empty))
    } else {
        html::table(id, headers, rows)
    }
}

/// Renders one self-contained HTML page (findings first).
pub fn write_html(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    let mut body = String::new();
    for (name, side) in view.sides() {
        if !side.not_shown.is_empty() {
            body.push_str(&format!(
                "<p class=\"blocker\"><strong>BLOCKER {}</strong>: {}</p><p>Remedy: <code>{}</code></p>",
                NOT_SHOWN,
                esc(&not_compared(name, side)),
                esc(&side.not_shown.iter().map(|f| f.remedy.as_str()).collect::<String>())
            ));
        }
    }
    body.push_str(&format!(
        "<p><strong>{}</strong></p>",
        esc(&view.summary_line())
    ));
    if view.send_connectors_compared {
        body.push_str("<h2>Findings</h2>");
        let rows: Vec<(String, Vec<String>)> = view
            .findings
            .iter()
            .map(|f| {
                (
                    if f.change == "new" {
                        f.severity.to_owned()
                    } else {
                        String::new()
                    },
                    vec![
                        esc(f.change),
                        esc(f.severity),
                        esc(f.code),
                        esc(f.server.as_deref().unwrap_or("")),
                        esc(f.connector.as_deref().unwrap_or("")),
                        esc(&f.message),
                    ],
                )
            })
            .collect();
        body.push_str(&table_or(
            "diff-findings",
            &[
                "Change",
                "Severity",
                "Code",
                "Server",
                "Connector",
                "Finding",
            ],
            &rows,
            "No finding appeared or was resolved.",
        ));
    }
    body.push_str("<h2>Objects</h2>");
    let rows: Vec<(String, Vec<String>)> = object_rows(view)
        .into_iter()
        .map(|(sign, kind, name, what)| {
            let change = match sign {
                '+' => "added",
                '-' => "removed",
                _ => "changed",
            };
            (
                String::new(),
                vec![
                    change.to_owned(),
                    esc(kind),
                    esc(&name),
                    what.iter().map(|w| esc(w)).collect::<Vec<_>>().join("<br>"),
                ],
            )
        })
        .collect();
    body.push_str(&table_or(
        "diff-objects",
        &["Change", "Kind", "Name", "What changed"],
        &rows,
        "No object changed.",
    ));
    body.push_str("<h2>Inputs</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .sides()
        .into_iter()
        .map(|(name, side)| {
            (
                if side.send_connectors_shown {
                    String::new()
                } else {
                    "blocker".to_owned()
                },
                vec![
                    name.to_owned(),
                    esc(&side.inputs_line()),
                    if side.send_connectors_shown {
                        "yes".to_owned()
                    } else {
                        format!("no: {}", esc(&side.send_connectors_reason))
                    },
                ],
            )
        })
        .collect();
    body.push_str(&html::table(
        "diff-inputs",
        &["Side", "Inputs", "Send connectors shown"],
        &rows,
    ));
    let inputs: Vec<InputView> = view
        .before
        .input_views
        .iter()
        .chain(&view.after.input_views)
        .cloned()
        .collect();
    let unreadable: Vec<UnreadableView> = view
        .before
        .unreadable
        .iter()
        .chain(&view.after.unreadable)
        .cloned()
        .collect();
    html::page(
        out,
        "Changes between two exports",
        &format!(
            "exconn diff: {}, before and after.",
            view.organization_line()
        ),
        &body,
        &inputs,
        &unreadable,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_show_what_was_added_and_removed() {
        let field = FieldView {
            field: "address_spaces",
            before: ValueView::List(vec!["SMTP:*;1".into(), "SMTP:a.com;1".into()]),
            after: ValueView::List(vec!["smtp:*;1".into(), "SMTP:b.com;1".into()]),
        };
        assert_eq!(
            field_text(&field),
            "address spaces +SMTP:b.com;1 -SMTP:a.com;1"
        );
        let field = FieldView {
            field: "name",
            before: ValueView::Text("Relay\u{202e}".into()),
            after: ValueView::Text("Relay".into()),
        };
        assert_eq!(field_text(&field), "name: \"Relay\\u{202e}\" → Relay");
        let field = FieldView {
            field: "enabled",
            before: ValueView::Flag(true),
            after: ValueView::Flag(false),
        };
        assert_eq!(field_text(&field), "enabled: enabled → disabled");
    }

    #[test]
    fn fields_are_a_json_object_in_the_order_shown() {
        let view = ServerChangeView {
            name: "EX01".into(),
            change: "changed",
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
