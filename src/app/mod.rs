//! The commands. Each parses its options into calls of the library
//! (`analysis`, `plan`, `inventory`) and hands the result to a renderer in
//! `report`; none analyzes or formats report content itself.
//!
//! This is the only module (with `main.rs`) that writes to stdout/stderr and
//! decides the exit status; everything below it returns data. Every command
//! returns its status or an [`Error`], which `run` alone prints; what is
//! said on stderr without ending the run goes through [`note`].

pub mod cli;
pub mod exit;
pub mod term;

mod check;
mod diff;
mod dump;
mod error;
mod help;
mod inputs;
mod inventory;
mod plan;
mod sources;

use std::io::{self, Write};

use self::cli::{Cli, Command, InputArgs};
use self::error::{note, Error};
use self::exit::Status;
use exconn::analysis::{Analysis, Organization};
use exconn::diag::Located;
use exconn::input::Unreadable;
use exconn::report::unread;
use exconn::visible;

/// Runs the command line and returns how the run ended.
pub fn run(cli: &Cli) -> Status {
    if let Some(threads) = cli.threads {
        // Fails only when a pool already exists (tests calling `run` twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let outcome = match &cli.command {
        Command::Dump(args) => dump::run(args, cli.quiet),
        Command::Sources(args) => sources::run(args, cli.quiet),
        Command::Check(args) => check::run(args, cli.quiet),
        Command::Plan(args) => plan::run(args, cli.quiet),
        Command::Inventory(args) => inventory::run(args, cli.quiet),
        Command::Diff(args) => diff::run(args, cli.quiet),
        Command::Completions { shell } => help::completions(*shell),
        Command::Manpage => help::manpage(),
    };
    match outcome {
        Ok(status) => status,
        Err(error) => {
            // The one place the app's error is printed.
            for line in error.lines() {
                eprintln!("exconn: {line}");
            }
            error.status()
        }
    }
}

/// Standard input can be read once.
fn stdin_once(args: &InputArgs) -> Result<(), Error> {
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        return Err(stdin_twice());
    }
    Ok(())
}

fn stdin_twice() -> Error {
    Error::refused("standard input ('-') can be given only once")
}

/// Status 2 for unreadable inputs, or for any diagnostic under `--strict`.
fn status(unreadable: &[Unreadable], strict: bool, diagnostics: usize) -> Status {
    if !unreadable.is_empty() || (strict && diagnostics > 0) {
        Status::Error
    } else {
        Status::Success
    }
}

/// The status of a command about what an organization's inputs show: 2 for
/// unreadable inputs, a run that read no export, or (under `--strict`) any
/// diagnostic.
fn read_status(organization: &Organization, strict: bool) -> Status {
    if organization.inputs.is_empty() {
        return Status::Error;
    }
    status(
        &organization.unreadable,
        strict,
        organization.diagnostics.len(),
    )
}

/// [`read_status`], and 2 when the inputs cannot show the Send connectors:
/// no verdict rests on them.
fn verdict_status(organization: &Organization, strict: bool) -> Status {
    if organization.not_shown().is_some() {
        Status::Error
    } else {
        read_status(organization, strict)
    }
}

/// Diagnostics on stderr, with every unsafe character escaped.
fn print_diagnostics(analysis: &Analysis) {
    for organization in &analysis.organizations {
        for located in &organization.diagnostics {
            print_diagnostic(located);
        }
    }
}

/// For `dump`, which gives no verdict: a note on each sign that the input
/// is not whole that is not already a diagnostic (an LDIF file that ends
/// inside a record is valid LDIF, but not a whole export).
fn print_not_whole(info: &exconn::input::InputInfo) {
    for sign in info
        .incomplete
        .iter()
        .filter(|sign| !info.diagnostics.contains(sign))
    {
        note(format_args!(
            "exconn: note: {} is not a whole export ({}: {})",
            visible::text(&sign.file),
            sign.position,
            visible::text(&sign.message)
        ));
    }
}

fn print_diagnostic(located: &Located) {
    note(visible::text(&located.to_string()));
}

/// When no input could be read: says only that, in the form asked for,
/// and gives the status (2); `None` when something was read.
fn nothing_read(analysis: &Analysis, form: unread::Form) -> Option<Result<Status, Error>> {
    let view = unread::NothingRead::of(analysis)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    Some(
        unread::write(&mut out, &view, form)
            .and_then(|()| out.flush())
            .map(|()| Status::Error)
            .map_err(Error::from),
    )
}

/// `--redact`: every organization's analysis with pseudonyms.
fn redact_all(analysis: &mut Analysis, redact: bool) {
    if redact {
        for organization in &mut analysis.organizations {
            organization.redact();
        }
    }
}

fn organization_heading(organization: &Organization) -> String {
    match &organization.name {
        Some(o) => format!(
            "Organization {} (forest {})",
            visible::text(&o.name),
            visible::text(&o.forest)
        ),
        None => "Inputs that name no Exchange organization".to_owned(),
    }
}

/// The only organization's analysis, or `Err` saying why when the inputs
/// belong to several, which a command about one organization cannot mix.
fn one_organization(analysis: Analysis, command: &str) -> Result<Organization, Error> {
    let mut organizations = analysis.organizations;
    if organizations.len() == 1 {
        return Ok(organizations.remove(0));
    }
    let names: Vec<String> = organizations.iter().map(organization_heading).collect();
    Err(Error::refused(format!(
        "the inputs belong to {} organizations ({}): give {command} the exports of one",
        organizations.len(),
        names.join("; ")
    )))
}
