//! `exconn plan --remove … [--add …]`: what taking servers out does to the
//! connectors, and the remediation script.

use std::io::{self, BufWriter, Write};
use std::path::Path;

use super::inputs;
use crate::app::cli::{PlanArgs, PlanFormat};
use crate::app::error::{note, Error};
use crate::app::exit::Status;
use exconn::report::unread::Form;
use exconn::report::{self, plan::PlanView};
use exconn::visible;

pub(super) fn run(args: &PlanArgs, quiet: bool) -> Result<Status, Error> {
    super::stdin_once(&args.input)?;
    if let Some(input) = args
        .script
        .as_deref()
        .and_then(|script| input_at(&args.input.files, script))
    {
        return Err(Error::refused(format!(
            "the script would overwrite the input {}: inputs are never written to",
            visible::text(&input)
        )));
    }
    let analysis = inputs::analyze(&args.input, quiet)?;
    super::print_diagnostics(&analysis);
    let form = match args.format {
        PlanFormat::Table => Form::Table,
        PlanFormat::Json => Form::Json,
        PlanFormat::Html => Form::Html,
    };
    if let Some(status) = super::nothing_read(&analysis, form) {
        return status;
    }
    let mut organization = super::one_organization(analysis, "plan")?;
    let request = exconn::analysis::plan::Request {
        remove: args.remove.clone(),
        add: args.add.clone(),
    };
    let plan = organization.plan(&request);
    let unknown: Vec<String> = plan
        .removed
        .iter()
        .filter(|r| r.server.is_none())
        .map(|r| visible::name(&r.name).into_owned())
        .collect();
    if !unknown.is_empty() {
        return Err(Error::refused(format!(
            "server(s) to remove appear nowhere in the export: {}",
            unknown.join(", ")
        )));
    }
    let (refusals, mut warnings) =
        exconn::report::plan::unfit_sources(&organization.graph, &plan.added);
    warnings.extend(exconn::report::plan::scoped_site_warnings(
        &organization.graph,
        &plan,
    ));
    for warning in &warnings {
        note(format_args!("exconn: warning: {warning}"));
    }
    if !refusals.is_empty() {
        return Err(Error::Refused(
            refusals
                .iter()
                .map(|refusal| format!("--add: {refusal}"))
                .collect(),
        ));
    }
    if args.redact {
        // The plan holds indices into the graph: it shows the pseudonyms.
        organization.redact();
    }
    let view = PlanView::new(&plan, &organization);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        PlanFormat::Table => report::plan::write_table(&mut out, &view)?,
        PlanFormat::Json => report::plan::write_json(&mut out, &view)?,
        PlanFormat::Html => report::plan::write_html(&mut out, &view)?,
    }
    out.flush()?;
    if let Some(path) = &args.script {
        let options = report::plan::ScriptOptions {
            whatif: !args.no_whatif,
            date: report::utc_today(),
        };
        let mut script = Vec::new();
        report::plan::write_script(&mut script, &view, &options)?;
        if let Err(error) = std::fs::write(path, script) {
            return Err(Error::refused(format!(
                "cannot write the script to {}: {error}",
                visible::text(&path.to_string_lossy())
            )));
        }
    }
    let status = super::verdict_status(&organization, args.input.read.strict);
    Ok(if status == Status::Success && plan.blockers() > 0 {
        Status::Findings
    } else {
        status
    })
}

/// The input the run would read that is the file at `script`, if any:
/// every file named or found under a named directory, compared by file
/// identity (device and inode, or volume and file index on Windows), so a
/// hard link, a symbolic link or another spelling of the path is caught.
fn input_at(files: &[String], script: &Path) -> Option<String> {
    exconn::input::expand(files)
        .inputs
        .into_iter()
        .filter(|input| input.path != "-")
        .find(|input| same_file::is_same_file(input.file_path(), script).unwrap_or(false))
        .map(|input| input.file_path().to_owned())
}
