//! The `sources` report as a terminal table, and the words the other
//! renderers share for a server's version, a connector's state and the kind
//! of a foreign or Delivery Agent connector.

use std::io::{self, Write};

use unicode_width::UnicodeWidthStr;

use super::{ConnectorView, OtherConnectorView, ServerView, SourcesReport};
use crate::analysis::findings::Code;
use crate::model::OtherConnectorKind;
use crate::report::findings;
use crate::visible;

pub(super) fn product_version(server: &ServerView) -> String {
    match (server.product, &server.version) {
        (Some(product), Some(version)) => format!("{product} ({version})"),
        _ if !server.in_export => "not in export".to_owned(),
        _ => "version unknown".to_owned(),
    }
}

pub(super) fn enabled_word(enabled: bool) -> &'static str {
    if enabled {
        "enabled"
    } else {
        "disabled"
    }
}

/// Renders the terminal table.
pub fn write_table(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    for finding in report
        .findings
        .iter()
        .filter(|f| f.code == Code::SendConnectorsNotInExport)
    {
        writeln!(
            out,
            "BLOCKER  {}: {}",
            finding.code,
            visible::text(&finding.message)
        )?;
        writeln!(out, "         remedy: {}", visible::text(&finding.remedy))?;
        writeln!(out)?;
    }
    writeln!(out, "Source transport servers of Send connectors")?;
    writeln!(out)?;
    if report.source_servers().next().is_none() {
        if report.coverage.send_connectors_shown {
            writeln!(out, "  No server is a source of a Send connector.")?;
        } else {
            writeln!(
                out,
                "  None found, but the inputs cannot show the Send connectors: cannot tell."
            )?;
        }
        writeln!(out)?;
    }
    for server in report.source_servers() {
        let roles = if server.roles.is_empty() {
            "-".to_owned()
        } else {
            server.roles.join(", ")
        };
        writeln!(
            out,
            "{}  {}",
            visible::name(&server.name),
            product_version(server)
        )?;
        writeln!(
            out,
            "  roles: {roles}   site: {}",
            visible::or_dash(server.site.as_deref())
        )?;
        let width = report
            .connectors_of(server)
            .map(|c| visible::name(&c.name).width())
            .max()
            .unwrap_or(0);
        for connector in report.connectors_of(server) {
            let name = visible::name(&connector.name);
            let pad = width - name.width();
            writeln!(
                out,
                "  - {name}{:pad$}  {:8}  {}",
                "",
                enabled_word(connector.enabled),
                visible::text(&connector.address_spaces.join(" "))
            )?;
        }
        writeln!(out)?;
    }
    let unsourced: Vec<&ConnectorView> = report
        .send_connectors
        .iter()
        .filter(|c| c.source_servers.is_empty())
        .collect();
    if !unsourced.is_empty() {
        writeln!(out, "Send connectors without a source server")?;
        for connector in unsourced {
            writeln!(
                out,
                "  - {}  {}",
                visible::name(&connector.name),
                enabled_word(connector.enabled)
            )?;
        }
        writeln!(out)?;
    }
    write_other_connectors_table(out, &report.other_connectors)?;
    if !report.findings.is_empty() {
        writeln!(out, "Findings")?;
        for finding in &report.findings {
            writeln!(
                out,
                "  {:7}  {}: {}",
                findings::urgency_name(finding.severity).to_uppercase(),
                finding.code,
                visible::text(&finding.message)
            )?;
            writeln!(out, "           remedy: {}", visible::text(&finding.remedy))?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", visible::text(&report.summary_line()))
}

/// The foreign and Delivery Agent connectors, with their sources (nothing
/// when there is none).
pub(crate) fn write_other_connectors_table(
    out: &mut impl Write,
    connectors: &[OtherConnectorView],
) -> io::Result<()> {
    if connectors.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "Foreign and Delivery Agent connectors (Setup does not count them; each needs a source)"
    )?;
    for connector in connectors {
        let sources: Vec<String> = connector
            .source_servers
            .iter()
            .map(|s| visible::name(s).into_owned())
            .collect();
        writeln!(
            out,
            "  - {}  {}  sources: {}",
            visible::name(&connector.name),
            kind_label(connector.kind),
            if sources.is_empty() {
                "none".to_owned()
            } else {
                sources.join(", ")
            }
        )?;
    }
    writeln!(out)
}

/// How a person reads the kind of a foreign or Delivery Agent connector.
pub(crate) fn kind_label(kind: OtherConnectorKind) -> &'static str {
    match kind {
        OtherConnectorKind::Foreign => "Foreign",
        OtherConnectorKind::DeliveryAgent => "Delivery Agent",
    }
}

/// The kind of a foreign or Delivery Agent connector as a heading
/// (`Foreign connector`).
pub(crate) fn kind_heading(kind: OtherConnectorKind) -> &'static str {
    match kind {
        OtherConnectorKind::Foreign => "Foreign connector",
        OtherConnectorKind::DeliveryAgent => "Delivery Agent connector",
    }
}
