//! The plan's servers as the reports name them: each change of the plan
//! (which holds indices into the graph) with its servers named through the
//! organization's graph, its pseudonyms once redacted, and the sentences
//! that say why an added server is unfit or moves a scoped connector.

use crate::analysis::graph::Graph;
use crate::analysis::plan::{
    self, Named, OtherChange, Plan, PlanServer, RoutingGroupChange, SendChange, Unfit,
};
use crate::analysis::Organization;
use crate::model::OtherConnectorKind;
use crate::visible;

/// A server the plan names, as the reports show it.
#[derive(Clone, Debug)]
pub struct ServerInPlan {
    /// Its name (a pseudonym on a redacted organization; a new server the
    /// export does not know is then withheld).
    pub name: String,
    /// Whether the export knows it.
    pub in_export: bool,
    /// Whether it is an Edge Transport server.
    pub edge: bool,
}

/// A Send connector change, its servers named.
#[derive(Clone, Debug)]
pub struct SendInPlan {
    /// Sources before.
    pub before: Vec<String>,
    /// Sources after.
    pub after: Vec<String>,
    /// Removed sources (not Edge).
    pub remove: Vec<String>,
    /// Removed Edge sources.
    pub edge_remove: Vec<String>,
    /// Servers added to it.
    pub add: Vec<String>,
    /// An Exchange 2003 connector.
    pub legacy: bool,
    orphaned: bool,
    goes_with_subscription: bool,
}

impl SendInPlan {
    /// Left with no source: a blocker (see [`SendChange::orphaned`]).
    pub fn orphaned(&self) -> bool {
        self.orphaned
    }

    /// Its only sources are Edge servers whose subscription is removed.
    pub fn goes_with_subscription(&self) -> bool {
        self.goes_with_subscription
    }
}

/// A foreign or Delivery Agent connector change, its servers named.
#[derive(Clone, Debug)]
pub struct OtherInPlan {
    /// Which kind it is.
    pub kind: OtherConnectorKind,
    /// Sources before.
    pub before: Vec<String>,
    /// Sources after.
    pub after: Vec<String>,
    /// Removed sources.
    pub remove: Vec<String>,
    /// Servers added to it.
    pub add: Vec<String>,
}

impl OtherInPlan {
    /// Left with no source: a blocker.
    pub fn orphaned(&self) -> bool {
        self.after.is_empty()
    }
}

/// A routing group connector change, its bridgeheads named.
#[derive(Clone, Debug)]
pub struct RoutingGroupInPlan {
    /// Source bridgeheads before and after.
    pub sources: (Vec<String>, Vec<String>),
    /// Target bridgeheads before and after.
    pub targets: (Vec<String>, Vec<String>),
}

impl RoutingGroupInPlan {
    /// A side left without bridgehead.
    pub fn orphaned(&self) -> bool {
        self.sources.1.is_empty() || self.targets.1.is_empty()
    }
}

/// How the views name the plan's servers: by the graph (pseudonyms on a
/// redacted organization), a new server by its name as given — withheld
/// when the organization is redacted.
pub(super) struct Names<'o>(pub(super) &'o Organization);

impl Names<'_> {
    pub(super) fn of(&self, servers: &[usize]) -> Vec<String> {
        let graph = &self.0.graph;
        servers
            .iter()
            .map(|&s| graph.servers[s].name.clone())
            .collect()
    }

    fn new_server(&self, name: &str) -> String {
        match self.0.redacted {
            true => "(withheld)".to_owned(),
            false => name.to_owned(),
        }
    }

    pub(super) fn any(&self, servers: &[PlanServer]) -> Vec<String> {
        servers
            .iter()
            .map(|s| match s {
                PlanServer::Graph(i) => self.0.graph.servers[*i].name.clone(),
                PlanServer::New(name) => self.new_server(name),
            })
            .collect()
    }

    pub(super) fn named(&self, named: &Named) -> ServerInPlan {
        ServerInPlan {
            name: match named.server {
                Some(i) => self.0.graph.servers[i].name.clone(),
                None => self.new_server(&named.name),
            },
            in_export: named.server.is_some(),
            edge: named.edge,
        }
    }

    pub(super) fn send(&self, change: &SendChange) -> SendInPlan {
        SendInPlan {
            before: self.of(&change.before),
            after: self.any(&change.after),
            remove: self.of(&change.remove),
            edge_remove: self.of(&change.edge_remove),
            add: self.any(&change.add),
            legacy: change.legacy,
            orphaned: change.orphaned(),
            goes_with_subscription: change.goes_with_subscription(),
        }
    }

    pub(super) fn other(&self, change: &OtherChange) -> OtherInPlan {
        OtherInPlan {
            kind: change.kind,
            before: self.of(&change.before),
            after: self.any(&change.after),
            remove: self.of(&change.remove),
            add: self.any(&change.add),
        }
    }

    pub(super) fn routing_group(&self, change: &RoutingGroupChange) -> RoutingGroupInPlan {
        let side = |(before, after): &(Vec<usize>, Vec<usize>)| (self.of(before), self.of(after));
        RoutingGroupInPlan {
            sources: side(&change.sources),
            targets: side(&change.targets),
        }
    }
}

/// Why each added server cannot be a Send connector's source (refusals),
/// and what the inputs do not show about the others (warnings): an Edge
/// Transport server takes its connectors from its Edge subscription; an
/// Exchange 2000/2003 server, or one without a transport role (Mailbox from
/// 2013 on, Hub Transport in 2007/2010), cannot be a source at all.
pub fn unfit_sources(graph: &Graph, added: &[Named]) -> (Vec<String>, Vec<String>) {
    let mut refusals = Vec::new();
    let mut warnings = Vec::new();
    for (i, why) in plan::unfit_sources(graph, added) {
        let named = &added[i];
        let shown = visible::name(&named.name);
        let object = named.server.and_then(|s| graph.servers[s].object.as_ref());
        let roles = object.and_then(|o| o.roles).map(|r| r.names().join(", "));
        let text = match why {
            Unfit::NotInExport => format!(
                "the inputs hold no server object for {shown}: make sure it is a Mailbox server \
                 (Exchange 2013 or later) or a Hub Transport server (2007, 2010)"
            ),
            Unfit::Edge => format!(
                "{shown} is an Edge Transport server: it cannot be added as a source; an Edge gets \
                 its Send connectors from its Edge subscription (New-EdgeSubscription)"
            ),
            Unfit::Legacy => {
                format!(
                    "{shown} runs Exchange 2000/2003: it cannot be a source of a Send connector"
                )
            }
            Unfit::NoTransportRole => format!(
                "{shown} has no transport role (its roles: {}): a source must be a Mailbox \
                 server (Exchange 2013 or later) or a Hub Transport server (2007, 2010)",
                roles.unwrap_or_default()
            ),
            Unfit::RolesUnknown => format!(
                "the inputs do not show the roles of {shown}: make sure it is a Mailbox or Hub \
                 Transport server"
            ),
        };
        match why.refused() {
            true => refusals.push(text),
            false => warnings.push(text),
        }
    }
    (refusals, warnings)
}

/// Scoped connectors (a `Local:` address space serves only its own AD site)
/// whose sources the plan moves to servers in another site: one warning each.
pub fn scoped_site_warnings(graph: &Graph, plan: &Plan) -> Vec<String> {
    plan::scoped_moves(graph, plan)
        .into_iter()
        .map(|m| {
            format!(
                "Send connector {} is scoped (Local:) to the site of its sources ({}); {} is in \
                 site {}: there the connector serves only that site's servers",
                visible::name(&graph.send_connectors[m.connector].connector.name),
                m.sites_before.join(", "),
                visible::name(&graph.servers[m.server].name),
                m.site
            )
        })
        .collect()
}
