//! The `plan` report for a person: a terminal listing of what removing
//! the servers does to every connector.

use std::io::{self, Write};

use super::{list, ConnectorInPlan, PlanView, ServerInPlan};
use crate::visible;

/// Writes the plan for a person.
pub fn write_table(out: &mut impl Write, view: &PlanView<'_>) -> io::Result<()> {
    let plan = view.plan;
    let names = |servers: &[ServerInPlan]| {
        list(&servers.iter().map(|s| s.name.clone()).collect::<Vec<_>>())
    };
    crate::report::write_notice(out, &view.findings)?;
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
