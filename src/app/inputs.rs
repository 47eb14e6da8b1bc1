//! Reading the inputs a command names: directories expanded, files read in
//! parallel with the analysis's projection, a progress bar for a person
//! watching one large input, and what could not be read reported.

use std::sync::Arc;

use rayon::prelude::*;

use crate::app::cli::InputArgs;
use crate::app::error::{note, Error};
use crate::app::term::Progress;
use exconn::analysis::{self, Analysis, Input};
use exconn::input::Unreadable;
use exconn::input::{self, InputPath, LoadError, ReadOptions, Source};
use exconn::visible;

/// The reading options the command line sets.
pub(super) fn read_options(args: &InputArgs) -> ReadOptions {
    ReadOptions {
        format: args.read.input_format.map(Into::into),
        max_record: args.read.max_record_size,
        max_values: args.read.max_values,
        max_depth: args.read.max_depth,
        ..ReadOptions::default()
    }
}

/// The inputs named, directories expanded; what a directory holds but is
/// not read is noted, and directories that hold nothing are reported and
/// listed as unreadable.
pub(super) fn paths(args: &InputArgs) -> (Vec<InputPath>, Vec<Unreadable>) {
    let expanded = input::expand(&args.files);
    for (path, why) in &expanded.passed_over {
        note(format_args!(
            "exconn: passed over {}: {why}",
            visible::text(path)
        ));
    }
    let unreadable = expanded
        .unreadable
        .into_iter()
        .map(|(path, reason)| {
            note(format_args!(
                "exconn: {}: {}",
                visible::text(&path),
                visible::text(&reason)
            ));
            Unreadable { path, reason }
        })
        .collect();
    (expanded.inputs, unreadable)
}

/// Opens one input, with a progress bar when a person is watching.
pub(super) fn open(input: &InputPath, quiet: bool) -> Result<(Source, Progress), LoadError> {
    let source = Source::open_input(input)?;
    let progress = Progress::new(
        &input.path,
        Arc::clone(&source.progress),
        source.size,
        quiet,
    );
    Ok((source, progress))
}

/// Reads every input (in parallel) and analyzes them.
pub(super) fn analyze(args: &InputArgs, quiet: bool) -> Result<Analysis, Error> {
    let (paths, mut unreadable) = paths(args);
    let options = read_options(args);
    // One progress bar at a time: only a single input shows one.
    let quiet = quiet || paths.len() > 1;
    let results: Vec<Result<Input, LoadError>> = paths
        .par_iter()
        .map(|input| {
            let (source, _progress) = open(input, quiet)?;
            let options = ReadOptions {
                only_exports: input.in_directory,
                ..options
            };
            analysis::read(source, &options)
        })
        .collect();
    let mut inputs = Vec::new();
    for (path, result) in paths.iter().zip(results) {
        match result {
            Ok(input) => inputs.push(input),
            Err(error) => unreadable_or_passed_over(path, error, &mut unreadable)?,
        }
    }
    Ok(analysis::analyze(inputs, unreadable))
}

/// Reports an input that could not be read (a file found in a directory
/// that is not an export is only mentioned), or passes a sink's error on.
pub(super) fn unreadable_or_passed_over(
    input: &InputPath,
    error: LoadError,
    unreadable: &mut Vec<Unreadable>,
) -> Result<(), Error> {
    match error {
        LoadError::Sink(error) => Err(Error::Io(error)),
        LoadError::UnknownFormat { .. } if input.in_directory => {
            note(format_args!(
                "exconn: passed over {}",
                visible::text(&error.to_string())
            ));
            Ok(())
        }
        error => {
            note(format_args!(
                "exconn: {}",
                visible::text(&error.to_string())
            ));
            unreadable.push(Unreadable {
                path: input.path.clone(),
                reason: error.to_string(),
            });
            Ok(())
        }
    }
}
