//! The report of a run that read nothing: when no input could be read there
//! is no organization to report on, so every format says only what could
//! not be read and why — no findings, no coverage blocker, no empty tables.

use std::io::{self, Write};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::report::markdown;
use crate::report::sources::{InputView, UnreadableView, SCHEMA_VERSION};
use crate::visible;

/// The inputs of a run none of which could be read.
#[derive(Clone, Debug, Serialize)]
pub struct NothingRead {
    /// The JSON contract's version.
    pub schema_version: u32,
    /// exconn's version.
    pub tool_version: &'static str,
    /// Always empty: nothing was read.
    pub inputs: Vec<InputView>,
    /// Every input given, and why it could not be read.
    pub unreadable: Vec<UnreadableView>,
}

/// How the command was asked to write its report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Text for a terminal.
    Table,
    /// A JSON document.
    Json,
    /// Markdown.
    Markdown,
    /// A self-contained page.
    Html,
    /// A format with no place for it (CSV, DOT, Mermaid): nothing on
    /// stdout; stderr has said what could not be read.
    Silent,
}

impl NothingRead {
    /// The view, when the run read no input at all.
    pub fn of(analysis: &Analysis) -> Option<NothingRead> {
        let organization = match analysis.organizations.as_slice() {
            [only] if only.inputs.is_empty() => only,
            _ => return None,
        };
        Some(NothingRead {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION"),
            inputs: Vec::new(),
            unreadable: UnreadableView::all(organization),
        })
    }
}

/// The headline every form opens with.
const HEADLINE: &str = "Nothing was read: no input could be read, so there is nothing to report";

/// Writes the view in the form asked for.
pub fn write(out: &mut impl Write, view: &NothingRead, form: Form) -> io::Result<()> {
    match form {
        Form::Table => write_table(out, view),
        Form::Json => {
            serde_json::to_writer_pretty(&mut *out, view)?;
            writeln!(out)
        }
        Form::Markdown => write_markdown(out, view),
        Form::Html => crate::report::html::write_nothing_read(out, HEADLINE, &view.unreadable),
        Form::Silent => Ok(()),
    }
}

fn write_table(out: &mut impl Write, view: &NothingRead) -> io::Result<()> {
    writeln!(out, "{HEADLINE}.")?;
    for unreadable in &view.unreadable {
        writeln!(out)?;
        writeln!(out, "NOT READ: {}", visible::text(&unreadable.path))?;
        writeln!(out, "  {}", visible::text(&unreadable.reason))?;
    }
    Ok(())
}

fn write_markdown(out: &mut impl Write, view: &NothingRead) -> io::Result<()> {
    writeln!(out, "# {HEADLINE}")?;
    writeln!(out)?;
    writeln!(out, "| File | Why it could not be read |")?;
    writeln!(out, "|---|---|")?;
    for unreadable in &view.unreadable {
        writeln!(
            out,
            "| {} | {} |",
            markdown::text(&unreadable.path),
            markdown::text(&unreadable.reason)
        )?;
    }
    Ok(())
}
