//! `exconn check --server NAME`: Setup's readiness check, offline.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::cli::{CheckArgs, CheckFormat};
use crate::exit::Status;
use crate::report::check::{self, CheckView, Verdict};
use crate::report::unread::Form;
use crate::visible;

pub(super) fn run(args: &CheckArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = super::stdin_once(&args.input) {
        return Ok(status);
    }
    let analysis = inputs::analyze(&args.input, quiet)?;
    super::print_diagnostics(&analysis);
    let form = match args.format {
        CheckFormat::Table => Form::Table,
        CheckFormat::Json => Form::Json,
    };
    if let Some(status) = super::nothing_read(&analysis, form) {
        return status;
    }
    let organization = match super::one_organization(analysis, "check") {
        Ok(organization) => organization,
        Err(status) => return Ok(status),
    };
    let Some(view) = CheckView::new(&organization, &args.server) else {
        let known: Vec<String> = organization
            .graph
            .servers
            .iter()
            .map(|s| visible::name(&s.name).into_owned())
            .collect();
        eprintln!(
            "exconn: server {} appears nowhere in the export (servers known: {})",
            visible::name(&args.server),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        );
        return Ok(Status::Error);
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        CheckFormat::Table => check::write_table(&mut out, &view)?,
        CheckFormat::Json => check::write_json(&mut out, &view)?,
    }
    out.flush()?;
    let verdict = match view.verdict {
        Verdict::Clear => Status::Success,
        // "At least N": a source, but the inputs cannot give the count.
        Verdict::Source if !view.send_connectors_shown => Status::Error,
        Verdict::Source => Status::Findings,
        Verdict::CannotTell => Status::Error,
    };
    Ok(super::read_status(&organization, args.input.read.strict).max(verdict))
}
