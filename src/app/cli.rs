//! The command line, as clap sees it: plain data, no behaviour.

use clap::{Args, Parser, Subcommand, ValueEnum};
use jiff::civil::Date;

/// Offline analyzer for exports of the Exchange configuration partition.
#[derive(Debug, Parser)]
#[command(name = "exconn", version, about, after_help = crate::app::exit::TABLE)]
pub struct Cli {
    /// Worker threads for parsing and analysis (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// No progress bar (it is shown only on a terminal, for inputs of 64 MiB or more).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every record read, in order (the reader made visible).
    #[command(after_help = crate::app::exit::TABLE)]
    Dump(DumpArgs),
    /// Report every server that is a source transport server of Send connectors.
    #[command(after_help = crate::app::exit::TABLE)]
    Sources(SourcesArgs),
    /// Setup's readiness check, offline: is this server a source of Send connectors?
    #[command(after_help = crate::app::exit::TABLE)]
    Check(CheckArgs),
    /// Simulate taking servers out (and putting new ones in); write the remediation script.
    #[command(after_help = crate::app::exit::TABLE)]
    Plan(PlanArgs),
    /// Servers with their support status, connectors with their settings, receive connectors.
    #[command(after_help = crate::app::exit::TABLE)]
    Inventory(InventoryArgs),
    /// What changed between two exports of one organization (before and after a remediation).
    #[command(after_help = crate::app::exit::TABLE)]
    Diff(DiffArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `exconn manpage > exconn.1`.
    Manpage,
}

/// The inputs of a command that reads exports, and how to read them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Export files to read (`-` for standard input).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,

    /// How to read them.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// How exports are read: the options every command that reads them has.
#[derive(Clone, Debug, Args)]
pub struct ReadArgs {
    /// Exit with status 2 when any diagnostic (error or warning) was reported.
    #[arg(long)]
    pub strict: bool,

    /// Read every input as this format instead of detecting it.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// The longest record accepted: LDIF without an empty line, or one XML
    /// record element (bytes; K, M and G suffixes accepted). Longer ones are
    /// skipped with an error.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    pub max_record_size: usize,

    /// The most values one entry keeps; the rest are left out with an error.
    #[arg(long, value_name = "N", default_value_t = exconn::input::MAX_VALUES)]
    pub max_values: usize,

    /// The deepest XML element nesting read; deeper content is left out with an error.
    #[arg(long, value_name = "N", default_value_t = exconn::input::xml::MAX_DEPTH)]
    pub max_depth: usize,
}

/// A size in bytes, with an optional K, M or G suffix (powers of 1024).
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((at, 'k' | 'K')) => (&text[..at], 10),
        Some((at, 'm' | 'M')) => (&text[..at], 20),
        Some((at, 'g' | 'G')) => (&text[..at], 30),
        _ => (text, 0),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("expected a size such as 65536, 64K, 256M or 1G, found '{text}'"))
}

/// Input formats, for `--input-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// LDIF (ldifde, ldapsearch).
    Ldif,
    /// DSML v1 or v2.
    Dsml,
    /// PowerShell Export-Clixml.
    Clixml,
    /// CSV written by csvde.
    Csv,
    /// JSON written by ConvertTo-Json (Get-SendConnector and the others).
    Json,
    /// CSV written by Export-Csv (Get-SendConnector and the others).
    #[value(name = "cmdletcsv")]
    CmdletCsv,
    /// Sysinternals AD Explorer snapshot (.dat).
    #[value(name = "adexplorer")]
    AdExplorer,
}

impl From<InputFormat> for exconn::input::Format {
    fn from(format: InputFormat) -> Self {
        match format {
            InputFormat::Ldif => exconn::input::Format::Ldif,
            InputFormat::Dsml => exconn::input::Format::Dsml,
            InputFormat::Clixml => exconn::input::Format::Clixml,
            InputFormat::Csv => exconn::input::Format::Csv,
            InputFormat::Json => exconn::input::Format::Json,
            InputFormat::CmdletCsv => exconn::input::Format::CmdletCsv,
            InputFormat::AdExplorer => exconn::input::Format::AdExplorer,
        }
    }
}

/// `exconn dump`
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Jsonl)]
    pub format: DumpFormat,

    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `dump`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DumpFormat {
    /// One JSON object per record and line.
    Jsonl,
    /// RFC 2849 LDIF.
    Ldif,
}

/// `exconn sources`
#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = SourcesFormat::Table)]
    pub format: SourcesFormat,

    /// With --format csv: start with the UTF-8 byte-order mark Excel needs.
    #[arg(long)]
    pub excel: bool,

    /// Replace organization, domain, server and connector names with stable
    /// pseudonyms, so that the report can be shared outside the customer.
    #[arg(long)]
    pub redact: bool,

    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `sources`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourcesFormat {
    /// A readable terminal report.
    Table,
    /// The JSON document (schema_version 1).
    Json,
    /// One row per (source server, Send connector) pair.
    Csv,
    /// Markdown tables for a written report.
    Markdown,
    /// One self-contained HTML page (findings, tables, the graph as SVG).
    Html,
    /// The server ↔ connector graph in Graphviz DOT.
    Dot,
    /// The server ↔ connector graph as a Mermaid flowchart.
    Mermaid,
}

/// `exconn check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The server to check: its name (case-insensitive, as Setup matches) or its DN.
    #[arg(long, value_name = "NAME")]
    pub server: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,

    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// The answer for a person.
    Table,
    /// One JSON document (schema_version 1): verdict, count, connectors, commands.
    Json,
}

/// `exconn plan`
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Servers to take out: names (as Setup matches them) or DNs, comma-separated or repeated.
    #[arg(long, value_delimiter = ',', required = true, value_name = "SERVER")]
    pub remove: Vec<String>,

    /// Servers to put in their place on the connectors they leave.
    #[arg(long, value_delimiter = ',', value_name = "SERVER")]
    pub add: Vec<String>,

    /// Write the PowerShell remediation script to this file.
    #[arg(long, value_name = "FILE")]
    pub script: Option<std::path::PathBuf>,

    /// Leave -WhatIf out of the script's commands.
    #[arg(long)]
    pub no_whatif: bool,

    /// Replace organization, domain, server and connector names with stable
    /// pseudonyms, so that the report can be shared outside the customer.
    #[arg(long)]
    pub redact: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,

    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `plan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// A readable report.
    Table,
    /// The JSON document (schema_version 1).
    Json,
    /// One self-contained HTML page.
    Html,
}

/// `exconn inventory`
#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,

    /// With --format csv: start with the UTF-8 byte-order mark Excel needs.
    #[arg(long)]
    pub excel: bool,

    /// Judge support status as of this date (YYYY-MM-DD; default: today, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub date: Option<Date>,

    /// Replace organization, domain, server and connector names with stable
    /// pseudonyms, so that the report can be shared outside the customer.
    #[arg(long)]
    pub redact: bool,

    /// The inputs.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `inventory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// A readable report.
    Table,
    /// The JSON document (schema_version 1).
    Json,
    /// One row per server or connector, `kind` saying which.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// `exconn diff`
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The export before the change: a file or a directory (`-` for standard input).
    #[arg(value_name = "BEFORE")]
    pub before: String,

    /// The export after the change: a file or a directory (`-` for standard input).
    #[arg(value_name = "AFTER")]
    pub after: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,

    /// Replace organization, domain, server and connector names with stable
    /// pseudonyms (the same on both sides), so that the report can be shared
    /// outside the customer.
    #[arg(long)]
    pub redact: bool,

    /// How to read the exports.
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Output formats of `diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// A line per changed object, for a person.
    Table,
    /// The JSON document (schema_version 1).
    Json,
    /// Markdown tables for a written report.
    Markdown,
    /// One self-contained HTML page.
    Html,
}

/// A date on the calendar as `YYYY-MM-DD` (no other form jiff would take,
/// such as `20250214` or `2025-02-14T10:00`).
fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape {
        return Err(format!("expected a date as YYYY-MM-DD, found '{text}'"));
    }
    text.parse::<Date>()
        .map_err(|error| format!("expected a date as YYYY-MM-DD that is on the calendar: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn dates_parse_as_calendar_dates() {
        assert_eq!(parse_date("2025-10-14"), Ok(date(2025, 10, 14)));
        assert_eq!(parse_date("2024-02-29"), Ok(date(2024, 2, 29)));
        for bad in [
            "2025-02-31",
            "2023-02-29",
            "2025-04-31",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "yesterday",
            "",
            "2025-1-01",
            "20250101",
            "2025-01-01T10:00",
            "+02025-01-01",
            "2025/01/01",
        ] {
            let error = parse_date(bad).unwrap_err();
            assert!(error.contains("YYYY-MM-DD"), "{bad}: {error}");
        }
    }

    #[test]
    fn an_invalid_date_is_a_usage_error() {
        for bad in ["2025-02-31", "2025-13-01", "yesterday"] {
            let error =
                Cli::try_parse_from(["exconn", "inventory", "--date", bad, "x.ldif"]).unwrap_err();
            assert_eq!(
                error.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{bad}"
            );
            assert_eq!(error.exit_code(), 2, "{bad}");
            let message = error.to_string();
            assert!(
                message.contains("expected a date as YYYY-MM-DD"),
                "{message}"
            );
        }
        let cli =
            Cli::try_parse_from(["exconn", "inventory", "--date", "2025-10-14", "x.ldif"]).unwrap();
        match cli.command {
            Command::Inventory(args) => assert_eq!(args.date, Some(date(2025, 10, 14))),
            _ => panic!("not inventory"),
        }
    }
}
