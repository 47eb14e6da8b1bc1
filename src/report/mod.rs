//! Output formats. Only this module knows serde and how things are shown.

pub mod check;
pub mod csv;
pub mod diagram;
pub mod diff;
pub mod dump;
mod findings;
pub mod html;
pub mod inventory;
mod markdown;
pub mod plan;
pub(crate) mod powershell;
mod script;
pub mod sources;
pub mod unread;

#[cfg(test)]
mod agreement;

pub use sources::SourcesReport;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;

use crate::analysis::findings::{Code, Finding, Urgency};
use crate::visible;

/// A finding as the `plan` and `inventory` documents carry it.
#[derive(Clone, Debug, Serialize)]
pub struct FindingSummary {
    /// Its code.
    pub code: Code,
    /// `blocker`, `warning` or `info`.
    pub severity: Urgency,
    /// What was found.
    pub message: String,
    /// What to do.
    pub remedy: String,
}

fn finding_summaries(
    finding: Option<&Finding>,
    organization: &crate::analysis::Organization,
) -> Vec<FindingSummary> {
    finding
        .map(|f| FindingSummary {
            code: f.code,
            severity: f.urgency,
            message: findings::message(f, organization),
            remedy: findings::remedy(f, organization),
        })
        .into_iter()
        .collect()
}

/// Writes blocker notices (the inputs cannot show the Send connectors) for
/// a person, before anything else.
fn write_notice(out: &mut impl std::io::Write, findings: &[FindingSummary]) -> std::io::Result<()> {
    for f in findings {
        writeln!(out, "BLOCKER  {}: {}", f.code, visible::text(&f.message))?;
        writeln!(out, "         remedy: {}", visible::text(&f.remedy))?;
        writeln!(out)?;
    }
    Ok(())
}

/// What the `plan` and `inventory` documents say about each input.
#[derive(Clone, Debug, Serialize)]
pub struct InputSummary {
    /// The path as given.
    pub path: String,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// Records read.
    pub entries: usize,
    /// Records skipped.
    pub skipped: usize,
}

fn input_summaries(inputs: &[sources::InputView]) -> Vec<InputSummary> {
    inputs
        .iter()
        .map(|i| InputSummary {
            path: i.path.clone(),
            sha256: i.sha256.clone(),
            entries: i.entries,
            skipped: i.skipped,
        })
        .collect()
}

/// Today's date in UTC (for report headers and the default `--date`);
/// shown as `YYYY-MM-DD`.
pub fn utc_today() -> Date {
    utc_date(Timestamp::now())
}

/// The date of `time` in UTC.
fn utc_date(time: Timestamp) -> Date {
    jiff::tz::Offset::UTC.to_datetime(time).date()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc_dates() {
        let at = |secs| utc_date(Timestamp::from_second(secs).unwrap()).to_string();
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_795_478_400), "2026-11-24");
        assert_eq!(at(1_795_564_799), "2026-11-24");
        assert_eq!(at(1_795_564_800), "2026-11-25");
    }
}
