//! `exconn check --server NAME`: Setup's readiness check, offline.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::app::cli::{CheckArgs, CheckFormat};
use crate::app::error::Error;
use crate::app::exit::Status;
use exconn::analysis::check::Verdict;
use exconn::report::check::{self, CheckView};
use exconn::report::unread::Form;
use exconn::visible;

pub(super) fn run(args: &CheckArgs, quiet: bool) -> Result<Status, Error> {
    super::stdin_once(&args.input)?;
    let analysis = inputs::analyze(&args.input, quiet)?;
    super::print_diagnostics(&analysis);
    let form = match args.format {
        CheckFormat::Table => Form::Table,
        CheckFormat::Json => Form::Json,
    };
    if let Some(status) = super::nothing_read(&analysis, form) {
        return status;
    }
    let organization = super::one_organization(analysis, "check")?;
    let Some(decided) = organization.check(&args.server) else {
        return Err(Error::refused(unknown_server(&organization, &args.server)));
    };
    let view = CheckView::new(&organization, &decided);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        CheckFormat::Table => check::write_table(&mut out, &view)?,
        CheckFormat::Json => check::write_json(&mut out, &view)?,
    }
    out.flush()?;
    let verdict = match decided.verdict {
        Verdict::Clear => Status::Success,
        // "At least N": a source, but the inputs cannot give the count.
        Verdict::Source if !decided.shown => Status::Error,
        Verdict::Source => Status::Findings,
        Verdict::CannotTell => Status::Error,
    };
    Ok(super::read_status(&organization, args.input.read.strict).max(verdict))
}

/// Why no answer can be given for a server the inputs do not name: the
/// names nearest to it, or how many servers are known; and, when the inputs
/// hold no server object, that the name cannot be confirmed at all.
fn unknown_server(organization: &exconn::analysis::Organization, name: &str) -> String {
    let graph = &organization.graph;
    let closest = graph.closest_servers(name, 3);
    let hint = if !closest.is_empty() {
        let names: Vec<String> = closest
            .iter()
            .map(|n| visible::name(n).into_owned())
            .collect();
        format!("did you mean {}?", names.join(", "))
    } else if graph.servers.is_empty() {
        "the inputs name no server".to_owned()
    } else {
        format!(
            "{} servers are known: `exconn sources` lists them",
            graph.servers.len()
        )
    };
    let mut message = format!(
        "server {} appears nowhere in the export; {hint}",
        visible::name(name)
    );
    if organization.coverage.server_objects == 0 {
        message.push_str(
            ". The inputs hold no server object, so a server name cannot be confirmed: add an \
             export of the servers (ldifde of CN=Servers, or Get-ExchangeServer | Export-Clixml \
             -Path ExchangeServers.xml)",
        );
    }
    message
}
