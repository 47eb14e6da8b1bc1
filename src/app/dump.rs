//! `exconn dump`: every record of the inputs as JSON Lines or LDIF.

use std::io::{self, BufWriter, Write};

use super::inputs;
use crate::app::cli::{DumpArgs, DumpFormat};
use crate::app::error::Error;
use crate::app::exit::Status;
use exconn::input::{self, ReadOptions};
use exconn::record::Record;
use exconn::report::dump;

pub(super) fn run(args: &DumpArgs, quiet: bool) -> Result<Status, Error> {
    super::stdin_once(&args.input)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.format == DumpFormat::Ldif {
        dump::write_ldif_header(&mut out)?;
    }
    let options = inputs::read_options(&args.input);
    let (paths, mut unreadable) = inputs::paths(&args.input);
    let mut diagnostics = 0;
    let mut read = 0;
    for path in &paths {
        let write = |records: Vec<Record>| -> io::Result<()> {
            for record in &records {
                match args.format {
                    DumpFormat::Jsonl => dump::write_jsonl(&mut out, record)?,
                    DumpFormat::Ldif => dump::write_ldif(&mut out, record)?,
                }
            }
            Ok(())
        };
        let options = ReadOptions {
            only_exports: path.in_directory,
            ..options
        };
        let result = inputs::open(path, quiet).and_then(|(source, _progress)| {
            input::read_source(source, &options, |records| (records, Vec::new()), write)
        });
        match result {
            Ok(info) => {
                read += 1;
                out.flush()?;
                for located in &info.diagnostics {
                    super::print_diagnostic(located);
                }
                super::print_not_whole(&info);
                diagnostics += info.diagnostics.len();
            }
            Err(error) => inputs::unreadable_or_passed_over(path, error, &mut unreadable)?,
        }
    }
    out.flush()?;
    if read == 0 {
        if unreadable.is_empty() {
            return Err(Error::refused("no export was read"));
        }
        // Each unreadable input has been reported already.
        return Ok(Status::Error);
    }
    Ok(super::status(
        &unreadable,
        args.input.read.strict,
        diagnostics,
    ))
}
