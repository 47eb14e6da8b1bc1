//! The exit-code table: the one place that decides what a run's status means.

use std::process::ExitCode;

/// How a run ended, from the caller's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// 0: the work was done; no finding that the command reports by status.
    Success,
    /// 1: the work was done and found what the command reports by status
    /// (`check`: the server is a source of Send connectors; `plan`: a
    /// connector would be left without a source; `diff`: the two exports
    /// differ).
    Findings,
    /// 2: usage error, an input that could not be read, no export read,
    /// inputs that cannot show the Send connectors (no verdict can rest on
    /// them), or (under `--strict`) any diagnostic. What was printed on
    /// stdout is still valid for the inputs that were read.
    Error,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::Findings => 1,
            Status::Error => 2,
        }
    }
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status.code())
    }
}

/// The table as shown in `--help` and the README.
pub const TABLE: &str = "\
Exit status:
  0  success: the report was written (check: the server is a source of no Send connector;
     diff: no change)
  1  findings: check: the server is a source of at least one Send connector;
     plan: a connector would be left without a source; diff: the exports differ
  2  usage error, an input that cannot be read (missing, directory, not an export,
     server not in the export for check), no export read at all, inputs that cannot
     show the Send connectors (check: cannot tell; sources, plan, inventory: the
     SendConnectorsNotInExport blocker; diff: a side that cannot show them), diff:
     sides of different organizations or a side of several, or any diagnostic under
     --strict
  A closed output pipe (e.g. `| head`) ends the run quietly with status 0.";
