//! The `sources` report as CSV: one row per (source server, Send connector) pair.

use std::io::{self, Write};

use super::SourcesReport;
use crate::report::csv;

/// Renders one CSV row per (source server, Send connector) pair.
pub fn write_csv(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    let mut table = csv::writer(out);
    table
        .write_record([
            "server",
            "in_export",
            "product",
            "version",
            "roles",
            "site",
            "edge",
            "connector",
            "enabled",
            "address_spaces",
            "smart_hosts",
            "source_count",
        ])
        .map_err(csv::io_error)?;
    csv_rows(&mut table, report)?;
    table.flush()
}

/// The rows of [`write_csv`] without the header (for a further organization).
pub fn write_csv_rows(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    let mut table = csv::writer(out);
    csv_rows(&mut table, report)?;
    table.flush()
}

fn csv_rows(table: &mut ::csv::Writer<impl Write>, report: &SourcesReport) -> io::Result<()> {
    for server in report.source_servers() {
        for connector in report.connectors_of(server) {
            let fields = [
                server.name.clone(),
                server.in_export.to_string(),
                server.product.unwrap_or("").to_owned(),
                server.version.clone().unwrap_or_default(),
                server.roles.join(";"),
                server.site.clone().unwrap_or_default(),
                server.edge.to_string(),
                connector.name.clone(),
                connector.enabled.to_string(),
                connector.address_spaces.join(" "),
                connector.smart_hosts.join(" "),
                connector.source_servers.len().to_string(),
            ];
            table
                .write_record(fields.iter().map(|f| csv::cell(f)))
                .map_err(csv::io_error)?;
        }
    }
    Ok(())
}
