//! The `plan` report: the view of a simulated removal ([`PlanView`]), as a
//! table or JSON; the HTML page and the PowerShell script (`script`) render
//! the same view.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::plan::Plan;
use crate::analysis::Organization;
use crate::report::powershell;
use crate::report::sources::{self, InputView, SourcesReport};
use crate::visible;

pub use super::script::{write_script, ScriptOptions};
pub use names::{
    scoped_site_warnings, unfit_sources, OtherInPlan, RoutingGroupInPlan, SendInPlan, ServerInPlan,
};

mod html;
mod names;

pub use html::write_html;

/// A connector the plan changes, as the reports name and describe it.
#[derive(Clone, Debug)]
pub struct ConnectorInPlan {
    /// Its name.
    pub name: String,
    /// Its DN.
    pub dn: String,
    /// Enabled.
    pub enabled: bool,
    /// Address spaces, as stored.
    pub address_spaces: Vec<String>,
    /// How a command names it: its GUID where the export has one.
    pub identity: String,
    /// Whether [`Self::identity`] is its GUID (the name then goes in a comment).
    pub by_guid: bool,
}

/// What the plan reports are built from: the plan, with every connector it
/// changes described and every server named, and the inputs.
#[derive(Clone, Debug)]
pub struct PlanView<'p> {
    /// The plan.
    pub plan: &'p Plan,
    /// Servers taken out.
    pub removed: Vec<ServerInPlan>,
    /// Servers put in.
    pub added: Vec<ServerInPlan>,
    /// Edge servers whose subscription must be removed.
    pub edge_subscriptions: Vec<String>,
    /// The changes of `plan.send`, their servers named.
    pub send_changes: Vec<SendInPlan>,
    /// The changes of `plan.routing_group`, their servers named.
    pub routing_group_changes: Vec<RoutingGroupInPlan>,
    /// The changes of `plan.other`, their servers named.
    pub other_changes: Vec<OtherInPlan>,
    /// The Send connectors of `plan.send`, in the same order.
    pub send: Vec<ConnectorInPlan>,
    /// The routing group connectors of `plan.routing_group`, in the same order.
    pub routing_group: Vec<ConnectorInPlan>,
    /// The foreign and Delivery Agent connectors of `plan.other`, in the same order.
    pub other: Vec<ConnectorInPlan>,
    /// The inputs it was computed from.
    pub inputs: Vec<InputView>,
    /// The blocker that comes before everything (the inputs cannot show
    /// the Send connectors), if any.
    pub findings: Vec<super::FindingSummary>,
    /// The organization's sources view, for the HTML page's graph and footer.
    pub sources: SourcesReport,
}

impl<'p> PlanView<'p> {
    /// The view of `plan`, computed on `organization`'s graph.
    pub fn new(plan: &'p Plan, organization: &Organization) -> PlanView<'p> {
        let graph = &organization.graph;
        let send = plan
            .send
            .iter()
            .map(|change| {
                let c = &graph.send_connectors[change.connector].connector;
                ConnectorInPlan {
                    name: c.name.clone(),
                    dn: c.dn.to_string(),
                    enabled: c.enabled,
                    address_spaces: c.address_spaces.iter().map(|a| a.raw.clone()).collect(),
                    identity: powershell::script_identity(graph, change.connector),
                    by_guid: c.guid.is_some(),
                }
            })
            .collect();
        let routing_group = plan
            .routing_group
            .iter()
            .map(|change| {
                let c = &graph.routing_group_connectors[change.connector].connector;
                ConnectorInPlan {
                    name: c.name.clone(),
                    dn: c.dn.to_string(),
                    enabled: true,
                    address_spaces: Vec::new(),
                    identity: powershell::routing_group_identity(c),
                    by_guid: c.guid.is_some(),
                }
            })
            .collect();
        let other = plan
            .other
            .iter()
            .map(|change| {
                let c = &graph.other_connectors[change.connector].connector;
                ConnectorInPlan {
                    name: c.name.clone(),
                    dn: c.dn.to_string(),
                    enabled: true,
                    address_spaces: c.address_spaces.iter().map(|a| a.raw.clone()).collect(),
                    identity: powershell::other_script_identity(graph, change.connector),
                    by_guid: c.guid.is_some(),
                }
            })
            .collect();
        let names = names::Names(organization);
        PlanView {
            plan,
            removed: plan.removed.iter().map(|n| names.named(n)).collect(),
            added: plan.added.iter().map(|n| names.named(n)).collect(),
            edge_subscriptions: names.of(&plan.edge_subscriptions),
            send_changes: plan.send.iter().map(|c| names.send(c)).collect(),
            routing_group_changes: plan
                .routing_group
                .iter()
                .map(|c| names.routing_group(c))
                .collect(),
            other_changes: plan.other.iter().map(|c| names.other(c)).collect(),
            send,
            routing_group,
            other,
            inputs: InputView::all(organization),
            findings: super::finding_summaries(plan.not_shown.as_ref(), organization),
            sources: SourcesReport::new(organization),
        }
    }

    /// Each Send connector change with its connector.
    pub fn send_changes(&self) -> impl Iterator<Item = (&SendInPlan, &ConnectorInPlan)> {
        self.send_changes.iter().zip(&self.send)
    }

    /// Each routing group connector change with its connector.
    pub fn routing_group_changes(
        &self,
    ) -> impl Iterator<Item = (&RoutingGroupInPlan, &ConnectorInPlan)> {
        self.routing_group_changes.iter().zip(&self.routing_group)
    }

    /// Each foreign or Delivery Agent connector change with its connector.
    pub fn other_changes(&self) -> impl Iterator<Item = (&OtherInPlan, &ConnectorInPlan)> {
        self.other_changes.iter().zip(&self.other)
    }
}

/// The JSON schema version of the `plan` report.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct PlanJson<'a> {
    schema_version: u32,
    tool_version: &'static str,
    inputs: Vec<super::InputSummary>,
    findings: Vec<super::FindingSummary>,
    remove: Vec<ServerJson<'a>>,
    add: Vec<ServerJson<'a>>,
    blockers: usize,
    send_connectors: Vec<SendJson<'a>>,
    edge_subscriptions: &'a [String],
    routing_group_connectors: Vec<RoutingGroupJson<'a>>,
    other_connectors: Vec<OtherJson<'a>>,
}

#[derive(Serialize)]
struct OtherJson<'a> {
    kind: &'static str,
    name: &'a str,
    dn: String,
    before: &'a [String],
    after: &'a [String],
    left_without_source: bool,
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
pub fn write_json(out: &mut impl Write, view: &PlanView<'_>) -> io::Result<()> {
    let plan = view.plan;
    let doc = PlanJson {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        inputs: super::input_summaries(&view.inputs),
        findings: view.findings.clone(),
        remove: view.removed.iter().map(server_json).collect(),
        add: view.added.iter().map(server_json).collect(),
        blockers: plan.blockers(),
        send_connectors: view
            .send_changes()
            .map(|(change, connector)| SendJson {
                name: &connector.name,
                dn: connector.dn.clone(),
                enabled: connector.enabled,
                before: &change.before,
                after: &change.after,
                left_without_source: change.orphaned(),
                exchange_2003: change.legacy,
            })
            .collect(),
        edge_subscriptions: &view.edge_subscriptions,
        routing_group_connectors: view
            .routing_group_changes()
            .map(|(change, connector)| RoutingGroupJson {
                name: &connector.name,
                dn: connector.dn.clone(),
                sources_before: &change.sources.0,
                sources_after: &change.sources.1,
                targets_before: &change.targets.0,
                targets_after: &change.targets.1,
                left_without_bridgehead: change.orphaned(),
            })
            .collect(),
        other_connectors: view
            .other_changes()
            .map(|(change, connector)| OtherJson {
                kind: sources::kind_name(change.kind),
                name: &connector.name,
                dn: connector.dn.clone(),
                before: &change.before,
                after: &change.after,
                left_without_source: change.orphaned(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

fn server_json(server: &ServerInPlan) -> ServerJson<'_> {
    ServerJson {
        name: &server.name,
        in_export: server.in_export,
        edge: server.edge,
    }
}

/// Names for a person: each as [`visible::name`] shows it.
pub(super) fn list(names: &[String]) -> String {
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
pub fn write_table(out: &mut impl Write, view: &PlanView<'_>) -> io::Result<()> {
    let plan = view.plan;
    let names = |servers: &[ServerInPlan]| {
        list(&servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
    };
    super::write_notice(out, &view.findings)?;
    writeln!(out, "Decommission plan")?;
    writeln!(out, "  remove: {}", names(&view.removed))?;
    writeln!(out, "  add:    {}", names(&view.added))?;
    for unknown in view
        .removed
        .iter()
        .chain(&view.added)
        .filter(|s| !s.in_export)
    {
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
    for (change, connector) in view.send_changes() {
        let state = if connector.enabled { "" } else { " (disabled)" };
        writeln!(out, "  {}{state}", visible::name(&connector.name))?;
        writeln!(out, "      before: {}", list(&change.before))?;
        writeln!(out, "      after:  {}", list(&change.after))?;
        if change.orphaned() {
            writeln!(
                out,
                "      BLOCKER: left without a source; routing would ignore it (event 5014) and mail for {} would stop",
                address_spaces(connector)
            )?;
        }
        if change.goes_with_subscription() {
            writeln!(
                out,
                "      goes with the Edge subscription of {} (Remove-EdgeSubscription removes it; a new subscription brings its own)",
                list(&change.edge_remove)
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
    if !view.edge_subscriptions.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Edge subscriptions to remove: {}",
            list(&view.edge_subscriptions)
        )?;
    }
    if !plan.routing_group.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Routing group connectors ({}):",
            plan.routing_group.len()
        )?;
        for (change, connector) in view.routing_group_changes() {
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
    if !plan.other.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "Foreign and Delivery Agent connectors ({}; Setup does not count them):",
            plan.other.len()
        )?;
        for (change, connector) in view.other_changes() {
            writeln!(
                out,
                "  {}  ({})",
                visible::name(&connector.name),
                change.kind.label()
            )?;
            writeln!(out, "      before: {}", list(&change.before))?;
            writeln!(out, "      after:  {}", list(&change.after))?;
            if change.orphaned() {
                writeln!(
                    out,
                    "      BLOCKER: left without a source; mail for {} would stop",
                    address_spaces(connector)
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

fn address_spaces(connector: &ConnectorInPlan) -> String {
    if connector.address_spaces.is_empty() {
        "its address spaces".to_owned()
    } else {
        visible::text(&connector.address_spaces.join(", ")).into_owned()
    }
}
