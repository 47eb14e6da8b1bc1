//! Orchestration: inputs → analysis → output, and the run's status.
//!
//! This is the only module (with `main.rs`) that writes to stdout/stderr and
//! decides the exit status; everything below it returns data.

use std::io::{self, BufWriter, Write};

use crate::cli::{Cli, Command, DumpArgs, DumpFormat, InputArgs};
use crate::exit::Status;
use crate::input::{self, Loaded};
use crate::report::dump;

/// Runs the command line and returns how the run ended.
pub fn run(cli: &Cli) -> Status {
    if let Some(threads) = cli.threads {
        // Fails only when a pool already exists (tests calling `run` twice).
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build_global();
    }
    let outcome = match &cli.command {
        Command::Dump(args) => run_dump(args),
    };
    match outcome {
        Ok(status) => status,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Status::Success,
        Err(error) => {
            eprintln!("exconn: {error}");
            Status::Error
        }
    }
}

/// The inputs of a run, and whether any could not be read.
struct Inputs {
    loaded: Vec<Loaded>,
    unreadable: usize,
}

impl Inputs {
    fn diagnostic_count(&self) -> usize {
        self.loaded.iter().map(|l| l.diagnostics.len()).sum()
    }

    /// The status for a run whose work succeeded, given `--strict`.
    fn status(&self, strict: bool) -> Status {
        if self.unreadable > 0 || (strict && self.diagnostic_count() > 0) {
            Status::Error
        } else {
            Status::Success
        }
    }
}

fn load_inputs(args: &InputArgs) -> Result<Inputs, Status> {
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        eprintln!("exconn: standard input ('-') can be given only once");
        return Err(Status::Error);
    }
    let mut inputs = Inputs {
        loaded: Vec::with_capacity(args.files.len()),
        unreadable: 0,
    };
    for file in &args.files {
        match input::load(file) {
            Ok(loaded) => inputs.loaded.push(loaded),
            Err(error) => {
                eprintln!("exconn: {error}");
                inputs.unreadable += 1;
            }
        }
    }
    Ok(inputs)
}

fn print_diagnostics(loaded: &Loaded) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for located in loaded.located_diagnostics() {
        let _ = writeln!(err, "{located}");
    }
}

fn run_dump(args: &DumpArgs) -> io::Result<Status> {
    let inputs = match load_inputs(&args.input) {
        Ok(inputs) => inputs,
        Err(status) => return Ok(status),
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.format == DumpFormat::Ldif {
        dump::write_ldif_header(&mut out)?;
    }
    for loaded in &inputs.loaded {
        for record in &loaded.records {
            match args.format {
                DumpFormat::Jsonl => dump::write_jsonl(&mut out, record)?,
                DumpFormat::Ldif => dump::write_ldif(&mut out, record)?,
            }
        }
        out.flush()?;
        print_diagnostics(loaded);
    }
    out.flush()?;
    Ok(inputs.status(args.input.strict))
}
