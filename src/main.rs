//! The `exconn` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// Readers allocate many small values on several threads at once, where
/// mimalloc is much faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = exconn::cli::Cli::parse();
    exconn::app::run(&cli).into()
}
