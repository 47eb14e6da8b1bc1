//! Orchestration: inputs → analysis → output, and the run's status.
//!
//! This is the only module (with `main.rs`) that writes to stdout/stderr and
//! decides the exit status; everything below it returns data.

use std::io::{self, BufWriter, Write};

use crate::cli::{
    CheckArgs, Cli, Command, DumpArgs, DumpFormat, InputArgs, InventoryArgs, InventoryFormat,
    PlanArgs, PlanFormat, SourcesArgs, SourcesFormat,
};
use std::sync::Arc;

use crate::coverage::Coverage;
use crate::diag::{Diagnostic, Position, Severity};
use crate::exit::Status;
use crate::findings::{self, Finding};
use crate::graph::Graph;
use crate::input::{self, InputInfo, LoadError, Located, Projection, ReadOptions, Source};
use crate::model::{self, Objects};
use crate::record::Record;
use crate::report::sources::{self, Analysis, SourcesReport};
use crate::report::{self, dump};
use crate::term::Progress;
use crate::visible;

/// Runs the command line and returns how the run ended.
pub fn run(cli: &Cli) -> Status {
    if let Some(threads) = cli.threads {
        // Fails only when a pool already exists (tests calling `run` twice).
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build_global();
    }
    let outcome = match &cli.command {
        Command::Dump(args) => run_dump(args, cli.quiet),
        Command::Sources(args) => run_sources(args, cli.quiet),
        Command::Check(args) => run_check(args, cli.quiet),
        Command::Plan(args) => run_plan(args, cli.quiet),
        Command::Inventory(args) => run_inventory(args, cli.quiet),
        Command::Completions { shell } => print_completions(*shell),
        Command::Manpage => print_manpage(),
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

/// Inputs that could not be read at all: (path, reason).
type Unreadable = Vec<(String, String)>;

/// Standard input can be read once.
fn stdin_once(args: &InputArgs) -> Result<(), Status> {
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        eprintln!("exconn: standard input ('-') can be given only once");
        return Err(Status::Error);
    }
    Ok(())
}

/// Status 2 for unreadable inputs, or for any diagnostic under `--strict`.
fn status(unreadable: &Unreadable, strict: bool, diagnostics: usize) -> Status {
    if !unreadable.is_empty() || (strict && diagnostics > 0) {
        Status::Error
    } else {
        Status::Success
    }
}

fn print_diagnostics(diagnostics: &[Located]) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for located in diagnostics {
        let _ = writeln!(err, "{}", visible::text(&located.to_string()));
    }
}

fn read_options(args: &InputArgs, projection: Projection) -> ReadOptions {
    ReadOptions {
        format: args.input_format.map(Into::into),
        projection,
        max_record: args.max_record_size,
        max_values: args.max_values,
        max_depth: args.max_depth,
        ..ReadOptions::default()
    }
}

/// Reads one input, with a progress bar when a person is watching.
fn read_input<T>(
    file: &str,
    options: &ReadOptions,
    quiet: bool,
    map: impl FnMut(Vec<Record>) -> (T, Vec<Diagnostic>),
    sink: impl FnMut(T) -> io::Result<()>,
) -> Result<InputInfo, LoadError> {
    let source = Source::open(file)?;
    let _progress = Progress::new(file, Arc::clone(&source.progress), source.size, quiet);
    input::read_source(source, options, map, sink)
}

/// One input to read: a path as given, or a file found in a directory given.
struct InputPath {
    path: String,
    /// Found in a directory: a file that is not an export is passed over.
    in_directory: bool,
}

/// The inputs named on the command line, directories replaced by the
/// regular files under them (recursively, sorted; hidden ones left out).
fn expand_inputs(files: &[String], unreadable: &mut Unreadable) -> Vec<InputPath> {
    let mut inputs = Vec::new();
    for file in files {
        let path = std::path::Path::new(file);
        if file != "-" && path.is_dir() {
            let mut found = Vec::new();
            if let Err(error) = files_under(path, &mut found) {
                eprintln!("exconn: {file}: {error}");
                unreadable.push((file.clone(), error.to_string()));
            }
            found.sort();
            if found.is_empty() {
                eprintln!("exconn: {file}: no files in this directory");
                unreadable.push((file.clone(), "no files in this directory".to_owned()));
            }
            inputs.extend(found.into_iter().map(|path| InputPath {
                path: path.to_string_lossy().into_owned(),
                in_directory: true,
            }));
        } else {
            inputs.push(InputPath {
                path: file.clone(),
                in_directory: false,
            });
        }
    }
    inputs
}

fn files_under(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            files_under(&entry.path(), found)?;
        } else if kind.is_file() {
            found.push(entry.path());
        }
    }
    Ok(())
}

/// Reports an input that could not be read; a file found in a directory
/// that is not an export is only mentioned.
fn unreadable_or_passed_over(
    input: &InputPath,
    error: LoadError,
    unreadable: &mut Unreadable,
) -> io::Result<()> {
    if input.in_directory && matches!(error, LoadError::UnknownFormat { .. }) {
        eprintln!("exconn: passed over {error}");
        return Ok(());
    }
    unreadable_or_sink_error(&input.path, error, unreadable)
}

/// Reports an input that could not be read, or passes a sink's error on.
fn unreadable_or_sink_error(
    file: &str,
    error: LoadError,
    unreadable: &mut Unreadable,
) -> io::Result<()> {
    match error {
        LoadError::Sink(error) => Err(error),
        error => {
            eprintln!("exconn: {error}");
            unreadable.push((file.to_owned(), error.to_string()));
            Ok(())
        }
    }
}

fn run_dump(args: &DumpArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = stdin_once(&args.input) {
        return Ok(status);
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.format == DumpFormat::Ldif {
        dump::write_ldif_header(&mut out)?;
    }
    let options = read_options(&args.input, Projection::All);
    let mut unreadable = Unreadable::new();
    let mut diagnostics = 0;
    let mut read = 0;
    for input in expand_inputs(&args.input.files, &mut unreadable) {
        let file = &input.path;
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
            only_exports: input.in_directory,
            ..options
        };
        match read_input(
            file,
            &options,
            quiet,
            |records| (records, Vec::new()),
            write,
        ) {
            Ok(info) => {
                read += 1;
                out.flush()?;
                print_diagnostics(&info.diagnostics);
                diagnostics += info.diagnostics.len();
            }
            Err(error) => unreadable_or_passed_over(&input, error, &mut unreadable)?,
        }
    }
    out.flush()?;
    if read == 0 {
        if unreadable.is_empty() {
            eprintln!("exconn: no export was read");
        }
        return Ok(Status::Error);
    }
    Ok(status(&unreadable, args.input.strict, diagnostics))
}

/// The analysis of a run's inputs: model, graph, findings, located diagnostics.
struct Analyzed {
    inputs: Vec<InputInfo>,
    objects: Vec<Objects>,
    unreadable: Unreadable,
    graph: Graph,
    findings: Vec<Finding>,
    diagnostics: Vec<Located>,
    /// The Exchange organization, when the objects name one.
    organization: Option<model::Organization>,
    /// What the inputs could show.
    coverage: Coverage,
}

impl Analyzed {
    /// Reads every input (in parallel), keeping only what the model needs.
    fn new(args: &InputArgs, quiet: bool) -> io::Result<Analyzed> {
        use rayon::prelude::*;
        let projection = Projection::Only {
            attribute: model::is_read_attribute,
            class: model::is_modelled_class,
        };
        let options = read_options(args, projection);
        let mut unreadable = Unreadable::new();
        let paths = expand_inputs(&args.files, &mut unreadable);
        // One progress bar at a time: only a single input shows one.
        let quiet = quiet || paths.len() > 1;
        let results: Vec<Result<(InputInfo, Objects), LoadError>> = paths
            .par_iter()
            .map(|input| {
                let mut objects = Objects::default();
                let options = ReadOptions {
                    only_exports: input.in_directory,
                    ..options
                };
                let info = read_input(&input.path, &options, quiet, model::build, |window| {
                    objects.append(window);
                    Ok(())
                })?;
                Ok((info, objects))
            })
            .collect();
        let mut inputs = Vec::new();
        let mut all_objects = Vec::new();
        for (input, result) in paths.iter().zip(results) {
            match result {
                Ok((mut info, objects)) => {
                    info.diagnostics.extend(input_warnings(&info, &objects));
                    inputs.push(info);
                    all_objects.push(objects);
                }
                Err(error) => unreadable_or_passed_over(input, error, &mut unreadable)?,
            }
        }
        Ok(Analyzed::of(inputs, all_objects, unreadable, None))
    }

    /// The analysis of these inputs' objects.
    fn of(
        inputs: Vec<InputInfo>,
        objects: Vec<Objects>,
        unreadable: Unreadable,
        organization: Option<model::Organization>,
    ) -> Analyzed {
        let graph = Graph::build(&objects);
        let coverage = Coverage::of(&objects);
        let findings = findings::analyze(&graph, &coverage);
        let mut diagnostics: Vec<Located> = inputs
            .iter()
            .flat_map(|i| i.diagnostics.iter().cloned())
            .collect();
        diagnostics.extend(conflict_warnings(&graph, &inputs));
        Analyzed {
            inputs,
            objects,
            unreadable,
            graph,
            findings,
            diagnostics,
            organization,
            coverage,
        }
    }

    /// One analysis per Exchange organization (told apart by organization
    /// name and forest). Inputs whose objects name none go with the only
    /// organization when there is one, and stand alone otherwise.
    fn by_organization(self) -> Vec<Analyzed> {
        let organizations: Vec<Option<model::Organization>> =
            self.objects.iter().map(Objects::organization).collect();
        let mut known: Vec<model::Organization> = organizations.iter().flatten().cloned().collect();
        known.sort();
        known.dedup();
        if known.len() <= 1 {
            let organization = known.pop();
            return vec![Analyzed {
                organization,
                ..self
            }];
        }
        let mut groups: Vec<(Option<model::Organization>, Vec<InputInfo>, Vec<Objects>)> = known
            .into_iter()
            .map(|o| (Some(o), Vec::new(), Vec::new()))
            .collect();
        groups.push((None, Vec::new(), Vec::new()));
        for ((info, objects), organization) in
            self.inputs.into_iter().zip(self.objects).zip(organizations)
        {
            let group = groups
                .iter_mut()
                .find(|(o, _, _)| *o == organization)
                .expect("every organization has a group");
            group.1.push(info);
            group.2.push(objects);
        }
        groups
            .into_iter()
            .filter(|(_, inputs, _)| !inputs.is_empty())
            .map(|(organization, inputs, objects)| {
                Analyzed::of(inputs, objects, self.unreadable.clone(), organization)
            })
            .collect()
    }

    fn report(&self) -> SourcesReport {
        let mut report = SourcesReport::new(&Analysis {
            inputs: &self.inputs,
            objects: &self.objects,
            unreadable: &self.unreadable,
            graph: &self.graph,
            findings: &self.findings,
            diagnostics: &self.diagnostics,
            coverage: &self.coverage,
        });
        if let Some(organization) = &self.organization {
            report.organization = Some(organization.name.clone());
            report.forest = Some(organization.forest.clone());
        }
        report
    }

    /// `--redact`: pseudonyms everywhere a report looks (graph, findings,
    /// inputs, diagnostics). Returns the pseudonyms, for what was computed
    /// on the real names (a plan).
    fn redact(&mut self) -> crate::redact::Pseudonyms {
        let pseudonyms = crate::redact::Pseudonyms::of(&self.graph, self.organization.as_ref());
        pseudonyms.redact_graph(&mut self.graph);
        pseudonyms.redact_coverage(&mut self.coverage);
        self.findings = findings::analyze(&self.graph, &self.coverage);
        let names: Vec<String> = self.inputs.iter().map(|i| i.name.clone()).collect();
        crate::redact::redact_inputs(&mut self.inputs, &mut self.unreadable);
        for diagnostic in &mut self.diagnostics {
            let index = names.iter().position(|n| *n == diagnostic.file);
            let name = index.map_or_else(|| "input".to_owned(), |i| format!("input-{}", i + 1));
            crate::redact::redact_diagnostic(diagnostic, &name);
        }
        self.organization = self
            .organization
            .as_ref()
            .map(|o| pseudonyms.organization(o));
        pseudonyms
    }

    /// The finding that says the inputs cannot show the Send connectors.
    fn not_shown(&self) -> Option<Finding> {
        self.findings
            .iter()
            .find(|f| f.code == findings::Code::SendConnectorsNotInExport)
            .cloned()
    }

    /// `--strict`: any diagnostic is an error; a run that read no export
    /// cannot say anything.
    fn status_besides_coverage(&self, strict: bool) -> Status {
        if self.inputs.is_empty() {
            return Status::Error;
        }
        status(&self.unreadable, strict, self.diagnostics.len())
    }

    /// `--strict`: any diagnostic, model ones included, is an error. A
    /// run that read no export, or whose inputs cannot show the Send
    /// connectors, supports no verdict: never 0.
    fn status(&self, strict: bool) -> Status {
        let status = status(&self.unreadable, strict, self.diagnostics.len());
        if self.inputs.is_empty() || !self.coverage.send_connectors.is_shown() {
            Status::Error
        } else {
            status
        }
    }
}

/// A warning for each object found in two inputs with a setting that differs.
fn conflict_warnings(graph: &Graph, inputs: &[InputInfo]) -> Vec<Located> {
    graph
        .conflicts
        .iter()
        .map(|conflict| {
            let (used, other) = conflict.inputs;
            let name = |i: usize| inputs.get(i).map_or("?", |input| input.name.as_str());
            Located {
                file: name(other).to_owned(),
                position: Position { line: 1, column: 1 },
                severity: Severity::Warning,
                message: format!(
                    "'{}' is also in {} and its {} differs: '{}' there, '{}' here; the report uses {}",
                    conflict.name,
                    name(used),
                    conflict.field,
                    conflict.values.0,
                    conflict.values.1,
                    name(used)
                ),
            }
        })
        .collect()
}

/// What the analysis must say about an input as a whole.
fn input_warnings(info: &InputInfo, objects: &Objects) -> Vec<Located> {
    let warning = |message: String| Located {
        file: info.name.clone(),
        position: Position { line: 1, column: 1 },
        severity: Severity::Warning,
        message,
    };
    let mut warnings = Vec::new();
    if info.entries == 0 {
        warnings.push(warning(
            "no records were read from this input: is it an export of the configuration partition?"
                .to_owned(),
        ));
    }
    if objects.change_records > 0 {
        warnings.push(warning(format!(
            "{} change record(s) (modify, delete, rename) are not applied: the analysis reads entries, \
             so what they would change is not in the report",
            objects.change_records
        )));
    }
    warnings
}

fn run_sources(args: &SourcesArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = stdin_once(&args.input) {
        return Ok(status);
    }
    let analyzed = Analyzed::new(&args.input, quiet)?;
    print_diagnostics(&analyzed.diagnostics);
    let parts = per_organization(analyzed, args.redact);
    let several = parts.len() > 1;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.excel && args.format == SourcesFormat::Csv {
        out.write_all(report::csv::EXCEL_BOM)?;
    }
    let mut worst = Status::Success;
    for (index, part) in parts.iter().enumerate() {
        let report = part.report();
        if several && matches!(args.format, SourcesFormat::Table | SourcesFormat::Markdown) {
            if index > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", organization_heading(part.organization.as_ref()))?;
            writeln!(out)?;
        }
        match args.format {
            SourcesFormat::Table => sources::write_table(&mut out, &report)?,
            SourcesFormat::Json => sources::write_json(&mut out, &report, several)?,
            SourcesFormat::Csv if index == 0 => sources::write_csv(&mut out, &report)?,
            SourcesFormat::Csv => sources::write_csv_rows(&mut out, &report)?,
            SourcesFormat::Markdown => sources::write_markdown(&mut out, &report)?,
            SourcesFormat::Html => report::html::write_sources(
                &mut out,
                &report,
                &part.graph,
                &part.inputs,
                &part.unreadable,
            )?,
            SourcesFormat::Dot => report::diagram::write_dot(&mut out, &part.graph)?,
            SourcesFormat::Mermaid => report::diagram::write_mermaid(&mut out, &part.graph)?,
        }
        worst = worst.max(part.status(args.input.strict));
    }
    out.flush()?;
    Ok(worst)
}

/// The analysis of each organization, redacted when asked.
fn per_organization(analyzed: Analyzed, redact: bool) -> Vec<Analyzed> {
    let mut parts = analyzed.by_organization();
    if redact {
        for part in &mut parts {
            part.redact();
        }
    }
    parts
}

fn organization_heading(organization: Option<&model::Organization>) -> String {
    match organization {
        Some(o) => format!("Organization {} (forest {})", o.name, o.forest),
        None => "Inputs that name no Exchange organization".to_owned(),
    }
}

/// The only organization's analysis, or `Err` (after saying why) when the
/// inputs belong to several, which a command about one organization cannot mix.
fn one_organization(analyzed: Analyzed, command: &str) -> Result<Analyzed, Status> {
    let mut parts = analyzed.by_organization();
    if parts.len() == 1 {
        return Ok(parts.remove(0));
    }
    let names: Vec<String> = parts
        .iter()
        .map(|p| organization_heading(p.organization.as_ref()))
        .collect();
    eprintln!(
        "exconn: the inputs belong to {} organizations ({}): give {command} the exports of one",
        parts.len(),
        names.join("; ")
    );
    Err(Status::Error)
}

fn run_check(args: &CheckArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = stdin_once(&args.input) {
        return Ok(status);
    }
    let analyzed = Analyzed::new(&args.input, quiet)?;
    print_diagnostics(&analyzed.diagnostics);
    let analyzed = match one_organization(analyzed, "check") {
        Ok(analyzed) => analyzed,
        Err(status) => return Ok(status),
    };
    let graph = &analyzed.graph;
    let Some(server) = graph.find_server(&args.server) else {
        let known: Vec<String> = graph
            .servers
            .iter()
            .map(|s| visible::name(&s.name).into_owned())
            .collect();
        eprintln!(
            "exconn: server {} appears nowhere in the export (servers known: {})",
            visible::name(&args.server),
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
    let found = write_check(&mut out, &analyzed, server)?;
    out.flush()?;
    Ok(analyzed
        .status_besides_coverage(args.input.strict)
        .max(found))
}

/// Writes `check`'s answer for one server and returns its status: 0 clear
/// (only when the inputs could show the Send connectors), 1 a source, 2
/// cannot tell.
fn write_check(out: &mut impl Write, analyzed: &Analyzed, server: usize) -> io::Result<Status> {
    let graph = &analyzed.graph;
    let coverage = &analyzed.coverage;
    let node = &graph.servers[server];
    let name = visible::name(&node.name);
    let count = node.send_connectors.len();
    if count == 0 && !coverage.send_connectors.is_shown() {
        writeln!(
            out,
            "{name}: cannot tell whether it is a source transport server of a Send connector: {}.",
            visible::text(coverage.send_connectors.reason())
        )?;
        writeln!(
            out,
            "Export the Send connectors and run again with that export too:"
        )?;
        writeln!(out, "  {}", visible::text(&coverage.ldifde_command()))?;
        writeln!(
            out,
            "  or, in the Exchange Management Shell: {}",
            Coverage::CMDLET_COMMAND
        )?;
        return Ok(Status::Error);
    }
    if count == 0 {
        writeln!(
            out,
            "{name} is clear: it is a source transport server of no Send connector ({} Send connectors examined; {}).",
            graph.send_connectors.len(),
            visible::text(coverage.send_connectors.reason())
        )?;
        let skipped: usize = analyzed.inputs.iter().map(|i| i.skipped).sum();
        if skipped > 0 {
            writeln!(
                out,
                "Note: {skipped} record(s) could not be read (see the diagnostics): a Send connector among \
                 them is not counted. Fix the export or confirm with Get-SendConnector before relying on this."
            )?;
        }
        return Ok(Status::Success);
    }
    writeln!(
        out,
        "{name} is a source transport server of {}{count} Send connector(s).",
        if coverage.send_connectors.is_shown() {
            ""
        } else {
            "at least "
        }
    )?;
    if !coverage.send_connectors.is_shown() {
        writeln!(
            out,
            "The inputs do not show every Send connector ({}): there may be more.",
            visible::text(coverage.send_connectors.reason())
        )?;
    }
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
        writeln!(out, "  - {} ({state})", visible::name(&c.connector.name))?;
        if findings::is_last_source(graph, server, connector) {
            writeln!(
                out,
                "      it is the only source: add another server to the command's Add list first"
            )?;
        }
        writeln!(
            out,
            "      {}",
            findings::remove_command(graph, server, connector)
        )?;
    }
    Ok(Status::Findings)
}

fn run_plan(args: &PlanArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = stdin_once(&args.input) {
        return Ok(status);
    }
    if let Some(script) = &args.script {
        if args
            .input
            .files
            .iter()
            .any(|file| same_file(std::path::Path::new(file), script))
        {
            eprintln!(
                "exconn: the script would overwrite the input {}: inputs are never written to",
                script.display()
            );
            return Ok(Status::Error);
        }
    }
    let analyzed = Analyzed::new(&args.input, quiet)?;
    print_diagnostics(&analyzed.diagnostics);
    let analyzed = match one_organization(analyzed, "plan") {
        Ok(analyzed) => analyzed,
        Err(status) => return Ok(status),
    };
    let request = crate::plan::Request {
        remove: args.remove.clone(),
        add: args.add.clone(),
    };
    let mut analyzed = analyzed;
    let mut plan = crate::plan::simulate(&analyzed.graph, &request);
    plan.not_shown = analyzed.not_shown();
    let unknown: Vec<&str> = plan
        .removed
        .iter()
        .filter(|r| r.server.is_none())
        .map(|r| r.name.as_str())
        .collect();
    if !unknown.is_empty() {
        eprintln!(
            "exconn: server(s) to remove appear nowhere in the export: {}",
            unknown.join(", ")
        );
        return Ok(Status::Error);
    }
    if args.redact {
        let pseudonyms = analyzed.redact();
        pseudonyms.redact_plan(&mut plan);
        plan.not_shown = analyzed.not_shown();
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match args.format {
        PlanFormat::Table => report::plan::write_table(&mut out, &plan, &analyzed.graph)?,
        PlanFormat::Json => {
            report::plan::write_json(&mut out, &plan, &analyzed.graph, &analyzed.inputs)?
        }
        PlanFormat::Html => {
            report::html::write_plan(&mut out, &plan, &analyzed.graph, &analyzed.inputs)?
        }
    }
    out.flush()?;
    if let Some(path) = &args.script {
        let date = report::utc_date(std::time::SystemTime::now());
        let options = report::plan::ScriptOptions {
            whatif: !args.no_whatif,
            date: &date,
        };
        let mut script = Vec::new();
        report::plan::write_script(
            &mut script,
            &plan,
            &analyzed.graph,
            &analyzed.inputs,
            &options,
        )?;
        if let Err(error) = std::fs::write(path, script) {
            eprintln!(
                "exconn: cannot write the script to {}: {error}",
                path.display()
            );
            return Ok(Status::Error);
        }
    }
    let status = analyzed.status(args.input.strict);
    Ok(if status == Status::Success && plan.blockers() > 0 {
        Status::Findings
    } else {
        status
    })
}

/// Whether two paths name the same file (when both exist).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn run_inventory(args: &InventoryArgs, quiet: bool) -> io::Result<Status> {
    if let Err(status) = stdin_once(&args.input) {
        return Ok(status);
    }
    let analyzed = Analyzed::new(&args.input, quiet)?;
    print_diagnostics(&analyzed.diagnostics);
    let date = args
        .date
        .clone()
        .unwrap_or_else(|| report::utc_date(std::time::SystemTime::now()));
    let parts = per_organization(analyzed, args.redact);
    let several = parts.len() > 1;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.excel && args.format == InventoryFormat::Csv {
        out.write_all(report::csv::EXCEL_BOM)?;
    }
    let mut worst = Status::Success;
    for (index, part) in parts.iter().enumerate() {
        let mut inventory = crate::inventory::Inventory::new(&part.graph, &date);
        inventory.not_shown = part.not_shown();
        let graph = &part.graph;
        if several && args.format == InventoryFormat::Table {
            if index > 0 {
                writeln!(out)?;
            }
            writeln!(out, "{}", organization_heading(part.organization.as_ref()))?;
            writeln!(out)?;
        }
        match args.format {
            InventoryFormat::Table => report::inventory::write_table(&mut out, &inventory, graph)?,
            InventoryFormat::Json => {
                report::inventory::write_json(&mut out, &inventory, graph, &part.inputs, several)?
            }
            InventoryFormat::Html => {
                report::html::write_inventory(&mut out, &inventory, graph, &part.inputs)?
            }
            InventoryFormat::Csv => {
                report::inventory::write_csv(&mut out, &inventory, graph, index == 0)?
            }
        }
        worst = worst.max(part.status(args.input.strict));
    }
    out.flush()?;
    Ok(worst)
}

fn print_completions(shell: clap_complete::Shell) -> io::Result<Status> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut command, "exconn", &mut out);
    out.flush()?;
    Ok(Status::Success)
}

fn print_manpage() -> io::Result<Status> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = io::stdout().lock();
    clap_mangen::Man::new(command).render(&mut out)?;
    out.flush()?;
    Ok(Status::Success)
}
