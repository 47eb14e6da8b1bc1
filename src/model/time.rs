//! When an object last changed: directory and cmdlet times read as one
//! instant.

use super::attributes as attr;
use super::fields::first;
use crate::record::Record;

/// When an object last changed, as its record says: `whenChanged` (the
/// cmdlets' `WhenChanged`) and `uSNChanged`. Of two copies of one object,
/// the one that changed later is the newer; their order is the order of
/// this type (a copy that says nothing is the oldest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Changed {
    /// `whenChanged`, in UTC.
    pub when: Option<jiff::Timestamp>,
    /// `uSNChanged` (comparable only between copies from one domain controller).
    pub usn: Option<u64>,
}

impl Changed {
    pub(super) fn of(record: &Record) -> Changed {
        Changed {
            when: first(record, attr::WHEN_CHANGED).and_then(|text| parse_time(&text)),
            usn: first(record, attr::USN_CHANGED).and_then(|text| text.trim().parse().ok()),
        }
    }
}

/// A time as the directory (`20240311120000.0Z`, GeneralizedTime) or a
/// cmdlet (`2024-03-11T12:00:00.1234567+01:00`, ISO 8601) writes it, in UTC;
/// a cmdlet time without an offset is taken as UTC.
fn parse_time(text: &str) -> Option<jiff::Timestamp> {
    let text = text.trim();
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Some(timestamp);
    }
    if let Ok(civil) = text.parse::<jiff::civil::DateTime>() {
        return jiff::tz::Offset::UTC.to_timestamp(civil).ok();
    }
    generalized_time(text)
}

/// GeneralizedTime `YYYYMMDDHHMMSS[.f]Z` (or with a `+HHMM` offset), in UTC.
fn generalized_time(text: &str) -> Option<jiff::Timestamp> {
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let civil = jiff::civil::DateTime::new(
        i16::try_from(digits(0..4)?).ok()?,
        i8::try_from(digits(4..6)?).ok()?,
        i8::try_from(digits(6..8)?).ok()?,
        i8::try_from(digits(8..10)?).ok()?,
        i8::try_from(digits(10..12)?).ok()?,
        i8::try_from(digits(12..14).unwrap_or(0)).ok()?,
        0,
    )
    .ok()?;
    let rest = text.get(14..).unwrap_or("");
    let rest = rest.trim_start_matches(|c: char| c == '.' || c == ',' || c.is_ascii_digit());
    let offset_minutes = match rest.as_bytes() {
        [] | [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if rest.len() >= 5 => {
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(3..5)?.parse().ok()?;
            let total = hours * 60 + minutes;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let utc = jiff::tz::Offset::UTC.to_timestamp(civil).ok()?;
    utc.checked_sub(jiff::SignedDuration::from_mins(offset_minutes))
        .ok()
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn directory_and_cmdlet_times_read_as_one_instant() {
        let expected: jiff::Timestamp = "2025-11-03T09:12:00Z".parse().unwrap();
        for text in [
            "20251103091200.0Z",
            "20251103091200Z",
            "20251103101200.0+0100",
            "2025-11-03T10:12:00+01:00",
            "2025-11-03T09:12:00.0000000Z",
            "2025-11-03T09:12:00",
        ] {
            assert_eq!(parse_time(text), Some(expected), "{text}");
        }
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("20251399000000.0Z"), None);
    }
}
