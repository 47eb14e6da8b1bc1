//! The `plan` report: the view of a simulated removal ([`PlanView`]), as a
//! table or JSON; the HTML page and the PowerShell script (`script`) render
//! the same view. This file owns the view and how it is built; `text`,
//! `json` and `html` render it, `names` names what it is about.

use crate::analysis::plan::Plan;
use crate::analysis::Organization;
use crate::report::powershell;
use crate::report::sources::{InputView, SourcesReport};
use crate::visible;

pub use super::script::{write_script, ScriptOptions};
pub use names::{
    scoped_site_warnings, unfit_sources, OtherInPlan, RoutingGroupInPlan, SendInPlan, ServerInPlan,
};

mod html;
mod json;
mod names;
mod text;

pub use self::html::write_html;
pub use self::json::write_json;
pub use self::text::write_table;

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
