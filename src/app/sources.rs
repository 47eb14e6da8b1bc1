//! `exconn sources`: every source transport server of Send connectors, one
//! report per organization, in the format asked for.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::app::cli::{SourcesArgs, SourcesFormat};
use crate::app::error::Error;
use crate::app::exit::Status;
use exconn::report::unread::Form;
use exconn::report::{self, sources, SourcesReport};

pub(super) fn run(args: &SourcesArgs, quiet: bool) -> Result<Status, Error> {
    super::stdin_once(&args.input)?;
    let mut analysis = inputs::analyze(&args.input, quiet)?;
    super::print_diagnostics(&analysis);
    let form = match args.format {
        SourcesFormat::Table => Form::Table,
        SourcesFormat::Json => Form::Json,
        SourcesFormat::Markdown => Form::Markdown,
        SourcesFormat::Html => Form::Html,
        SourcesFormat::Csv | SourcesFormat::Dot | SourcesFormat::Mermaid => Form::Silent,
    };
    if let Some(status) = super::nothing_read(&analysis, form) {
        return status;
    }
    super::redact_all(&mut analysis, args.redact);
    let several = analysis.organizations.len() > 1;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.excel && args.format == SourcesFormat::Csv {
        out.write_all(report::csv::EXCEL_BOM)?;
    }
    let mut worst = Status::Success;
    for (index, organization) in analysis.organizations.iter().enumerate() {
        let report = SourcesReport::new(organization);
        if several && matches!(args.format, SourcesFormat::Table | SourcesFormat::Markdown) {
            if index > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", super::organization_heading(organization))?;
            writeln!(out)?;
        }
        match args.format {
            SourcesFormat::Table => sources::write_table(&mut out, &report)?,
            SourcesFormat::Json => sources::write_json(&mut out, &report, several)?,
            SourcesFormat::Csv if index == 0 => sources::write_csv(&mut out, &report)?,
            SourcesFormat::Csv => sources::write_csv_rows(&mut out, &report)?,
            SourcesFormat::Markdown => sources::write_markdown(&mut out, &report)?,
            SourcesFormat::Html => sources::write_html(&mut out, &report)?,
            SourcesFormat::Dot => report::diagram::write_dot(&mut out, &report)?,
            SourcesFormat::Mermaid => report::diagram::write_mermaid(&mut out, &report)?,
        }
        worst = worst.max(super::verdict_status(organization, args.input.read.strict));
    }
    out.flush()?;
    Ok(worst)
}
