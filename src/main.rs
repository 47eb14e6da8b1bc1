//! The `exconn` binary: parse the command line, run, map the outcome to an exit code.
//!
//! Everything that belongs to the command line — the options (`app::cli`),
//! the exit-code table (`app::exit`), the terminal (`app::term`) and one
//! small file per command — lives in `app/`; the library (`lib.rs`) knows
//! none of it.

use std::process::ExitCode;

use clap::Parser;

mod app;

/// Readers allocate many small values on several threads at once, where
/// mimalloc is much faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = app::cli::Cli::parse();
    app::run(&cli).into()
}
