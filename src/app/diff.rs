//! `exconn diff BEFORE AFTER`: what changed between two exports of one
//! organization, each side a file or a directory in any format.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::app::cli::{DiffArgs, DiffFormat, InputArgs};
use crate::app::error::{note, Error};
use crate::app::exit::Status;
use exconn::analysis::{self, Organization};
use exconn::report::diff::{self, DiffView};
use exconn::visible;

pub(super) fn run(args: &DiffArgs, quiet: bool) -> Result<Status, Error> {
    if args.before == "-" && args.after == "-" {
        return Err(super::stdin_twice());
    }
    let mut before = side(args, "before", &args.before, quiet)?;
    let mut after = side(args, "after", &args.after, quiet)?;
    if let (Some(b), Some(a)) = (&before.name, &after.name) {
        if b != a {
            return Err(Error::refused(format!(
                "the two sides are exports of different organizations (before: {}; after: {}): compare exports of one organization",
                super::organization_heading(&before),
                super::organization_heading(&after)
            )));
        }
    }
    let diff = analysis::diff::diff(&before, &after);
    for side in &diff.not_shown {
        let path = if *side == analysis::diff::Side::Before {
            &args.before
        } else {
            &args.after
        };
        note(format_args!(
            "exconn: the {} side ({}) cannot show the Send connectors: they are not compared",
            side.as_str(),
            visible::text(path)
        ));
    }
    if args.redact {
        analysis::diff::redact(&mut before, &mut after);
    }
    let view = DiffView::new(&diff, &before, &after);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        DiffFormat::Table => diff::write_table(&mut out, &view)?,
        DiffFormat::Json => diff::write_json(&mut out, &view)?,
        DiffFormat::Markdown => diff::write_markdown(&mut out, &view)?,
        DiffFormat::Html => diff::write_html(&mut out, &view)?,
    }
    out.flush()?;
    let status = super::verdict_status(&before, args.read.strict)
        .max(super::verdict_status(&after, args.read.strict));
    Ok(if status == Status::Success && diff.changes() > 0 {
        Status::Findings
    } else {
        status
    })
}

/// Reads and analyzes one side: `Err` saying why when it holds no export
/// that could be read, or exports of several organizations.
fn side(args: &DiffArgs, name: &str, path: &str, quiet: bool) -> Result<Organization, Error> {
    let input = InputArgs {
        files: vec![path.to_owned()],
        read: args.read.clone(),
    };
    let analysis = inputs::analyze(&input, quiet)?;
    super::print_diagnostics(&analysis);
    let mut organizations = analysis.organizations;
    if organizations.len() > 1 {
        let names: Vec<String> = organizations
            .iter()
            .map(super::organization_heading)
            .collect();
        return Err(Error::refused(format!(
            "the {name} side ({}) holds exports of {} organizations ({}): give diff one organization on each side",
            visible::text(path),
            organizations.len(),
            names.join("; ")
        )));
    }
    let organization = organizations.remove(0);
    if organization.inputs.is_empty() {
        return Err(Error::refused(format!(
            "the {name} side ({}) holds no export that could be read",
            visible::text(path)
        )));
    }
    Ok(organization)
}
