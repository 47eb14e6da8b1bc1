//! Output formats. Only this module knows serde and how things are shown.

pub mod csv;
pub mod diagram;
pub mod dump;
pub mod html;
pub mod inventory;
pub mod plan;
pub mod sources;

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::findings::Finding;
use crate::input::InputInfo;
use crate::visible;

/// A finding as the `plan` and `inventory` documents carry it.
#[derive(Serialize)]
struct FindingSummary<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    remedy: &'a str,
}

fn finding_summaries(finding: Option<&Finding>) -> Vec<FindingSummary<'_>> {
    finding
        .map(|f| FindingSummary {
            code: f.code.as_str(),
            severity: f.severity.as_str(),
            message: &f.message,
            remedy: &f.remedy,
        })
        .into_iter()
        .collect()
}

/// Writes a blocker notice (the inputs cannot show the Send connectors)
/// for a person, before anything else.
fn write_notice(out: &mut impl std::io::Write, finding: Option<&Finding>) -> std::io::Result<()> {
    if let Some(f) = finding {
        writeln!(
            out,
            "BLOCKER  {}: {}",
            f.code.as_str(),
            visible::text(&f.message)
        )?;
        writeln!(out, "         remedy: {}", visible::text(&f.remedy))?;
        writeln!(out)?;
    }
    Ok(())
}

/// What the `plan` and `inventory` documents say about each input.
#[derive(Serialize)]
struct InputSummary<'a> {
    path: &'a str,
    sha256: &'a str,
    entries: usize,
    skipped: usize,
}

fn input_summaries(inputs: &[InputInfo]) -> Vec<InputSummary<'_>> {
    inputs
        .iter()
        .map(|i| InputSummary {
            path: &i.name,
            sha256: &i.sha256,
            entries: i.entries,
            skipped: i.skipped,
        })
        .collect()
}

/// The date of `time` in UTC, as `YYYY-MM-DD` (for report headers).
pub fn utc_date(time: SystemTime) -> String {
    let days = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_civil_utc_dates() {
        let at = |secs| utc_date(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_795_478_400), "2026-11-24");
        assert_eq!(at(1_795_564_799), "2026-11-24");
    }
}
