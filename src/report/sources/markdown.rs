//! The `sources` report as Markdown tables, for a written report.

use std::io::{self, Write};

use super::text::{enabled_word, kind_label, product_version};
use super::SourcesReport;
use crate::analysis::findings::Code;
use crate::report::markdown;
use crate::visible;

/// Renders Markdown tables for a written report.
pub fn write_markdown(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    writeln!(out, "# Source transport servers of Send connectors\n")?;
    for finding in report
        .findings
        .iter()
        .filter(|f| f.code == Code::SendConnectorsNotInExport)
    {
        writeln!(
            out,
            "> **BLOCKER {}**: {}\n>\n> Remedy: {}\n",
            finding.code,
            markdown::text(&finding.message),
            markdown::text(&finding.remedy)
        )?;
    }
    writeln!(
        out,
        "| Server | Product (build) | Roles | Site | Send connector | Enabled | Address spaces |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|")?;
    for server in report.source_servers() {
        for connector in report.connectors_of(server) {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                markdown::text(&visible::name(&server.name)),
                markdown::text(&product_version(server)),
                markdown::text(&server.roles.join(", ")),
                markdown::text(&visible::or_dash(server.site.as_deref())),
                markdown::text(&visible::name(&connector.name)),
                enabled_word(connector.enabled),
                markdown::text(&connector.address_spaces.join(" "))
            )?;
        }
    }
    writeln!(out, "\n## Findings\n")?;
    writeln!(out, "| Severity | Code | Message | Remedy |")?;
    writeln!(out, "|---|---|---|---|")?;
    for f in &report.findings {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            f.severity,
            f.code,
            markdown::text(&f.message),
            markdown::text(&f.remedy)
        )?;
    }
    if !report.other_connectors.is_empty() {
        writeln!(out, "\n## Foreign and Delivery Agent connectors\n")?;
        writeln!(out, "Setup does not count them; each needs a source.\n")?;
        writeln!(
            out,
            "| Connector | Kind | Address spaces | Source servers |"
        )?;
        writeln!(out, "|---|---|---|---|")?;
        for c in &report.other_connectors {
            let sources: Vec<String> = c
                .source_servers
                .iter()
                .map(|s| visible::name(s).into_owned())
                .collect();
            writeln!(
                out,
                "| {} | {} | {} | {} |",
                markdown::text(&visible::name(&c.name)),
                kind_label(c.kind),
                markdown::text(&c.address_spaces.join(" ")),
                markdown::text(&sources.join(", "))
            )?;
        }
    }
    writeln!(out, "\n## Inputs\n")?;
    writeln!(
        out,
        "| File | Format | Encoding | Entries | Skipped | SHA-256 |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for i in &report.inputs {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | `{}` |",
            markdown::text(&i.path),
            i.format,
            i.encoding,
            i.entries,
            i.skipped,
            i.sha256
        )?;
    }
    for u in &report.unreadable {
        writeln!(
            out,
            "| {} | not read: {} | | | | |",
            markdown::text(&u.path),
            markdown::text(&u.reason)
        )?;
    }
    writeln!(out, "\n{}", markdown::text(&report.summary_line()))
}
