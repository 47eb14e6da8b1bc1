//! Exchange versions: decoding `serialNumber` and `versionNumber`, naming products.

use std::fmt;

use jiff::civil::{date, Date};

/// An Exchange build, e.g. 15.1.845.34.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major version (6 = 2000/2003, 8 = 2007, 14 = 2010, 15 = 2013+).
    pub major: u32,
    /// Minor version (15.0 = 2013, 15.1 = 2016, 15.2 = 2019 / SE).
    pub minor: u32,
    /// Build number.
    pub build: u32,
    /// Revision, when known (`versionNumber` does not carry it).
    pub revision: Option<u32>,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.build)?;
        if let Some(revision) = self.revision {
            write!(f, ".{revision}")?;
        }
        Ok(())
    }
}

/// First Subscription Edition build (15.2.2562.17, RTM).
const SUBSCRIPTION_EDITION_BUILD: u32 = 2562;

impl Version {
    /// Decodes `serialNumber`: `Version 15.1 (Build 30845.34)` → 15.1.845.34,
    /// `Version 6.5 (Build 7638.2: Service Pack 2)` → 6.5.7638.2.
    pub fn from_serial_number(text: &str) -> Option<Version> {
        let rest = strip_prefix_ignore_case(text.trim(), "version")?.trim_start();
        let (major_minor, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (major, minor) = major_minor.split_once('.')?;
        let (major, minor): (u32, u32) = (major.parse().ok()?, minor.parse().ok()?);
        let build_part = rest.trim_start().strip_prefix('(')?;
        let build_part = strip_prefix_ignore_case(build_part, "build")?.trim_start();
        let end = build_part
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(build_part.len());
        let mut numbers = build_part[..end].split('.');
        let mut build: u32 = numbers.next()?.parse().ok()?;
        let revision = numbers.next().and_then(|r| r.parse().ok());
        if major >= 8 {
            // Exchange 2007+ store the build with 30000 (sometimes 10000) added.
            if build >= 30000 {
                build -= 30000;
            } else if build >= 10000 {
                build -= 10000;
            }
        }
        Some(Version {
            major,
            minor,
            build,
            revision,
        })
    }

    /// Decodes `versionNumber`: bit fields on Exchange 2007+, a plain build
    /// number on Exchange 2003 and older.
    pub fn from_version_number(value: i64) -> Option<Version> {
        let value = u32::try_from(value).ok()?;
        if value >= 0x7200_0000 {
            return Some(Version {
                major: (value >> 22) & 0x3F,
                minor: (value >> 16) & 0x3F,
                build: value & 0x7FFF,
                revision: None,
            });
        }
        let (major, minor) = match value {
            6500.. => (6, 5),
            4000.. => (6, 0),
            _ => (5, 5),
        };
        Some(Version {
            major,
            minor,
            build: value,
            revision: None,
        })
    }

    /// The product this build belongs to.
    pub fn product(&self) -> Product {
        match (self.major, self.minor) {
            (15, 2) if self.build >= SUBSCRIPTION_EDITION_BUILD => Product::SubscriptionEdition,
            (15, 2) => Product::Exchange2019,
            (15, 1) => Product::Exchange2016,
            (15, _) => Product::Exchange2013,
            (14, _) => Product::Exchange2010,
            (8, _) => Product::Exchange2007,
            (6, 5) => Product::Exchange2003,
            (6, _) => Product::Exchange2000,
            (5, _) => Product::Exchange55,
            _ => Product::Unknown,
        }
    }
}

/// When each product's support ended (extended support; `None`: still
/// supported under the Modern Lifecycle Policy). The one place these
/// dates live.
const END_OF_SUPPORT: [(Product, Option<Date>); 9] = [
    (Product::Exchange55, Some(date(2006, 1, 10))),
    (Product::Exchange2000, Some(date(2011, 1, 11))),
    (Product::Exchange2003, Some(date(2014, 4, 8))),
    (Product::Exchange2007, Some(date(2017, 4, 11))),
    (Product::Exchange2010, Some(date(2020, 10, 13))),
    (Product::Exchange2013, Some(date(2023, 4, 11))),
    (Product::Exchange2016, Some(date(2025, 10, 14))),
    (Product::Exchange2019, Some(date(2025, 10, 14))),
    (Product::SubscriptionEdition, None),
];

/// A product's support status on a given date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Supported on that date (support ends on the date given, if any).
    Supported(Option<Date>),
    /// Support ended on the date given.
    Ended(Date),
    /// The product is not known.
    Unknown,
}

impl Product {
    /// The support status on `day`: support ends at the start of the end date.
    pub fn support_on(self, day: Date) -> Support {
        match END_OF_SUPPORT.iter().find(|(product, _)| *product == self) {
            None => Support::Unknown,
            Some((_, None)) => Support::Supported(None),
            Some(&(_, Some(end))) if day >= end => Support::Ended(end),
            Some(&(_, Some(end))) => Support::Supported(Some(end)),
        }
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// An Exchange product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Product {
    /// Exchange Server 5.5
    Exchange55,
    /// Exchange 2000 Server
    Exchange2000,
    /// Exchange Server 2003
    Exchange2003,
    /// Exchange Server 2007
    Exchange2007,
    /// Exchange Server 2010
    Exchange2010,
    /// Exchange Server 2013
    Exchange2013,
    /// Exchange Server 2016
    Exchange2016,
    /// Exchange Server 2019
    Exchange2019,
    /// Exchange Server Subscription Edition
    SubscriptionEdition,
    /// A version exconn does not know.
    Unknown,
}

impl Product {
    /// The product's name.
    pub fn name(self) -> &'static str {
        match self {
            Product::Exchange55 => "Exchange Server 5.5",
            Product::Exchange2000 => "Exchange 2000 Server",
            Product::Exchange2003 => "Exchange Server 2003",
            Product::Exchange2007 => "Exchange Server 2007",
            Product::Exchange2010 => "Exchange Server 2010",
            Product::Exchange2013 => "Exchange Server 2013",
            Product::Exchange2016 => "Exchange Server 2016",
            Product::Exchange2019 => "Exchange Server 2019",
            Product::SubscriptionEdition => "Exchange Server Subscription Edition",
            Product::Unknown => "unknown Exchange version",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_decode() {
        let v = Version::from_serial_number("Version 15.1 (Build 30845.34)").unwrap();
        assert_eq!(v.to_string(), "15.1.845.34");
        assert_eq!(v.product(), Product::Exchange2016);
        let old =
            Version::from_serial_number("Version 6.5 (Build 7638.2: Service Pack 2)").unwrap();
        assert_eq!(old.to_string(), "6.5.7638.2");
        assert_eq!(old.product(), Product::Exchange2003);
        let se = Version::from_serial_number("Version 15.2 (Build 32562.17)").unwrap();
        assert_eq!(se.product(), Product::SubscriptionEdition);
        assert!(Version::from_serial_number("garbage").is_none());
    }

    #[test]
    fn version_numbers_decode() {
        let v = Version::from_version_number(1942127578).unwrap();
        assert_eq!(v.to_string(), "15.2.986");
        assert_eq!(v.product(), Product::Exchange2019);
        assert_eq!(
            Version::from_version_number(1937997947)
                .unwrap()
                .to_string(),
            "14.3.123"
        );
        assert_eq!(
            Version::from_version_number(1912832083).unwrap().product(),
            Product::Exchange2007
        );
        let legacy = Version::from_version_number(6944).unwrap();
        assert_eq!(
            legacy.product().support_on(date(2026, 11, 24)),
            Support::Ended(date(2014, 4, 8))
        );
        assert_eq!(
            Product::SubscriptionEdition.support_on(date(2030, 1, 1)),
            Support::Supported(None)
        );
        assert_eq!(
            Product::Unknown.support_on(date(2030, 1, 1)),
            Support::Unknown
        );
        assert_eq!(legacy.product(), Product::Exchange2003);
        assert_eq!(legacy.to_string(), "6.5.6944");
    }

    #[test]
    fn support_ends_on_the_end_date() {
        let end = date(2025, 10, 14);
        let on = |day: Date| Product::Exchange2019.support_on(day);
        assert_eq!(on(date(2025, 10, 13)), Support::Supported(Some(end)));
        assert_eq!(on(date(2025, 10, 14)), Support::Ended(end));
        assert_eq!(on(date(2025, 10, 15)), Support::Ended(end));
        // Dates, not strings: across a year and a month boundary, and far
        // from the end (a string compare of unpadded years would get these wrong).
        let end = date(2014, 4, 8);
        let on = |day: Date| Product::Exchange2003.support_on(day);
        assert_eq!(on(date(2014, 4, 7)), Support::Supported(Some(end)));
        assert_eq!(on(date(2014, 4, 8)), Support::Ended(end));
        assert_eq!(on(date(2014, 4, 9)), Support::Ended(end));
        assert_eq!(on(date(999, 12, 31)), Support::Supported(Some(end)));
        assert_eq!(on(date(9999, 12, 31)), Support::Ended(end));
        let end = date(2011, 1, 11);
        let on = |day: Date| Product::Exchange2000.support_on(day);
        assert_eq!(on(date(2010, 12, 31)), Support::Supported(Some(end)));
        assert_eq!(on(date(2011, 1, 11)), Support::Ended(end));
        assert_eq!(on(date(2011, 1, 12)), Support::Ended(end));
    }
}
