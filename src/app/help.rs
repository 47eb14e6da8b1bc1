//! `exconn completions` and `exconn manpage`: generated from the clap definitions.

use std::io::{self, Write};

use crate::app::cli::Cli;
use crate::app::error::Error;
use crate::app::exit::Status;

pub(super) fn completions(shell: clap_complete::Shell) -> Result<Status, Error> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut command, "exconn", &mut out);
    out.flush()?;
    Ok(Status::Success)
}

pub(super) fn manpage() -> Result<Status, Error> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(command).render(&mut out)?;
    out.flush()?;
    Ok(Status::Success)
}
