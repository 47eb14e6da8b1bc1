//! The `plan` report as JSON (`schema_version: 1`).

use std::io::{self, Write};

use serde::Serialize;

use super::{PlanView, ServerInPlan, SCHEMA_VERSION};
use crate::report::sources;

#[derive(Serialize)]
struct PlanJson<'a> {
    schema_version: u32,
    tool_version: &'static str,
    inputs: Vec<crate::report::InputSummary>,
    findings: Vec<crate::report::FindingSummary>,
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
        inputs: crate::report::input_summaries(&view.inputs),
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
