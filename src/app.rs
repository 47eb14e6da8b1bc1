//! Orchestration: inputs → analysis → output, and the run's status.
//!
//! This is the only module (with `main.rs`) that writes to stdout/stderr and
//! decides the exit status; everything below it returns data.

use std::io::{self, BufWriter, Write};

use crate::cli::{
    CheckArgs, Cli, Command, DumpArgs, DumpFormat, InputArgs, SourcesArgs, SourcesFormat,
};
use crate::exit::Status;
use crate::findings::{self, Finding};
use crate::graph::Graph;
use crate::input::{self, Loaded, Located};
use crate::model::{self, Objects};
use crate::report::dump;
use crate::report::sources::{self, Analysis, SourcesReport};

/// Runs the command line and returns how the run ended.
pub fn run(cli: &Cli) -> Status {
    if let Some(threads) = cli.threads {
        // Fails only when a pool already exists (tests calling `run` twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let outcome = match &cli.command {
        Command::Dump(args) => run_dump(args),
        Command::Sources(args) => run_sources(args),
        Command::Check(args) => run_check(args),
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
    /// (path, reason) of each input that could not be read.
    unreadable: Vec<(String, String)>,
}

impl Inputs {
    fn diagnostic_count(&self) -> usize {
        self.loaded.iter().map(|l| l.diagnostics.len()).sum()
    }

    /// The status for a run whose work succeeded, given `--strict` and the
    /// number of diagnostics reported.
    fn status(&self, strict: bool, diagnostics: usize) -> Status {
        if !self.unreadable.is_empty() || (strict && diagnostics > 0) {
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
        unreadable: Vec::new(),
    };
    for file in &args.files {
        match input::load(file, args.input_format.map(Into::into)) {
            Ok(loaded) => inputs.loaded.push(loaded),
            Err(error) => {
                eprintln!("exconn: {error}");
                inputs.unreadable.push((file.clone(), error.to_string()));
            }
        }
    }
    Ok(inputs)
}

fn print_diagnostics(diagnostics: &[Located]) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for located in diagnostics {
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
        print_diagnostics(&loaded.located_diagnostics());
    }
    out.flush()?;
    Ok(inputs.status(args.input.strict, inputs.diagnostic_count()))
}

/// The analysis of a run's inputs: model, graph, findings, located diagnostics.
struct Analyzed {
    inputs: Inputs,
    objects: Vec<Objects>,
    graph: Graph,
    findings: Vec<Finding>,
    diagnostics: Vec<Located>,
}

impl Analyzed {
    fn new(inputs: Inputs) -> Analyzed {
        let objects: Vec<Objects> = inputs
            .loaded
            .iter()
            .map(|l| model::build(&l.records))
            .collect();
        let graph = Graph::build(&objects);
        let findings = findings::analyze(&graph);
        let diagnostics = inputs
            .loaded
            .iter()
            .zip(&objects)
            .flat_map(|(loaded, objects)| {
                let mut all = loaded.diagnostics.clone();
                all.extend(objects.diagnostics.iter().cloned());
                all.sort_by_key(|d| d.offset);
                loaded.locate(&all)
            })
            .collect();
        Analyzed {
            inputs,
            objects,
            graph,
            findings,
            diagnostics,
        }
    }

    fn report(&self) -> SourcesReport {
        SourcesReport::new(&Analysis {
            loaded: &self.inputs.loaded,
            objects: &self.objects,
            unreadable: &self.inputs.unreadable,
            graph: &self.graph,
            findings: &self.findings,
            diagnostics: &self.diagnostics,
        })
    }

    /// `--strict`: any diagnostic, model ones included, is an error.
    fn status(&self, strict: bool) -> Status {
        self.inputs.status(strict, self.diagnostics.len())
    }
}

fn run_sources(args: &SourcesArgs) -> io::Result<Status> {
    let inputs = match load_inputs(&args.input) {
        Ok(inputs) => inputs,
        Err(status) => return Ok(status),
    };
    let analyzed = Analyzed::new(inputs);
    print_diagnostics(&analyzed.diagnostics);
    let report = analyzed.report();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        SourcesFormat::Table => sources::write_table(&mut out, &report)?,
        SourcesFormat::Json => sources::write_json(&mut out, &report)?,
        SourcesFormat::Csv => sources::write_csv(&mut out, &report)?,
        SourcesFormat::Markdown => sources::write_markdown(&mut out, &report)?,
    }
    out.flush()?;
    Ok(analyzed.status(args.input.strict))
}

fn run_check(args: &CheckArgs) -> io::Result<Status> {
    let inputs = match load_inputs(&args.input) {
        Ok(inputs) => inputs,
        Err(status) => return Ok(status),
    };
    let analyzed = Analyzed::new(inputs);
    print_diagnostics(&analyzed.diagnostics);
    let graph = &analyzed.graph;
    let Some(server) = graph.find_server(&args.server) else {
        let known: Vec<&str> = graph.servers.iter().map(|s| s.name.as_str()).collect();
        eprintln!(
            "exconn: server '{}' appears nowhere in the export (servers known: {})",
            args.server,
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        );
        return Ok(Status::Error);
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let node = &graph.servers[server];
    let count = node.send_connectors.len();
    let found = if count == 0 {
        writeln!(
            out,
            "{} is clear: it is a source transport server of no Send connector ({} Send connectors examined).",
            node.name,
            graph.send_connectors.len()
        )?;
        let skipped: usize = analyzed.inputs.loaded.iter().map(|l| l.skipped).sum();
        if skipped > 0 {
            writeln!(
                out,
                "Note: {skipped} record(s) could not be read (see the diagnostics): a Send connector among \
                 them is not counted. Fix the export or confirm with Get-SendConnector before relying on this."
            )?;
        }
        Status::Success
    } else {
        writeln!(
            out,
            "{} is a source transport server of {count} Send connector(s).",
            node.name
        )?;
        if node.is_edge() {
            writeln!(
                out,
                "It is an Edge Transport server: its Edge subscription makes it a source."
            )?;
            writeln!(out, "Setup: {}", findings::EDGE_SETUP_MESSAGE)?;
        } else {
            writeln!(out, "Setup: {}", findings::setup_message(count))?;
        }
        for &connector in &node.send_connectors {
            let c = &graph.send_connectors[connector];
            let state = if c.connector.enabled {
                "enabled"
            } else {
                "disabled"
            };
            writeln!(out, "  - {} ({state})", c.connector.name)?;
            if findings::is_last_source(graph, server, connector) {
                writeln!(out, "      it is the only source: add another server to the command's Add list first")?;
            }
            writeln!(
                out,
                "      {}",
                findings::remove_command(graph, server, connector)
            )?;
        }
        Status::Findings
    };
    out.flush()?;
    Ok(analyzed.status(args.input.strict).max(found))
}
