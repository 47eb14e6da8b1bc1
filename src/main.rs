//! The `exconn` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = exconn::cli::Cli::parse();
    exconn::app::run(&cli).into()
}
