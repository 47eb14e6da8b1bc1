//! `exconn inventory`: servers with their support status, connectors with
//! their settings, receive connectors to re-create; one per organization.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::app::cli::{InventoryArgs, InventoryFormat};
use crate::app::error::Error;
use crate::app::exit::Status;
use exconn::report::unread::Form;
use exconn::report::{self, inventory::InventoryView};

pub(super) fn run(args: &InventoryArgs, quiet: bool) -> Result<Status, Error> {
    super::stdin_once(&args.input)?;
    let mut analysis = inputs::analyze(&args.input, quiet)?;
    super::print_diagnostics(&analysis);
    let form = match args.format {
        InventoryFormat::Table => Form::Table,
        InventoryFormat::Json => Form::Json,
        InventoryFormat::Html => Form::Html,
        InventoryFormat::Csv => Form::Silent,
    };
    if let Some(status) = super::nothing_read(&analysis, form) {
        return status;
    }
    super::redact_all(&mut analysis, args.redact);
    let date = args.date.unwrap_or_else(report::utc_today);
    let several = analysis.organizations.len() > 1;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.excel && args.format == InventoryFormat::Csv {
        out.write_all(report::csv::EXCEL_BOM)?;
    }
    let mut worst = Status::Success;
    for (index, organization) in analysis.organizations.iter().enumerate() {
        let inventory = organization.inventory(date);
        let view = InventoryView::new(&inventory, organization);
        if several && args.format == InventoryFormat::Table {
            if index > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", super::organization_heading(organization))?;
            writeln!(out)?;
        }
        match args.format {
            InventoryFormat::Table => report::inventory::write_table(&mut out, &view)?,
            InventoryFormat::Json => report::inventory::write_json(&mut out, &view, several)?,
            InventoryFormat::Html => report::inventory::write_html(&mut out, &view)?,
            InventoryFormat::Csv => report::inventory::write_csv(&mut out, &view, index == 0)?,
        }
        worst = worst.max(super::verdict_status(organization, args.input.read.strict));
    }
    out.flush()?;
    Ok(worst)
}
