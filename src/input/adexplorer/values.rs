//! Value blocks of an AD Explorer snapshot: checked little-endian reads and
//! the decoding of one block by the `adsType` of its property.
//!
//! A block is `u32 n` and a payload whose shape the property's `adsType`
//! gives (strings: `i32` offsets from the block start to NUL-terminated
//! UTF-16LE strings; booleans and integers: `u32` each; large integers:
//! `i64`; times: 16-byte `SYSTEMTIME`s; octet strings and security
//! descriptors: `u32` lengths, then the bytes; DN-with-binary: lengths,
//! then each value's bytes followed by its DN). Nothing is aligned, so
//! everything is read from byte slices; every count, offset and length is
//! checked against the object region before it is used, and nothing is
//! allocated for a count before the bytes it claims are known to exist.

use crate::diag::Diagnostic;

/// Reads `N` bytes at `at`, or `None` past the end of `bytes`.
fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// A little-endian `u16` at `at`.
pub(super) fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_le_bytes)
}

/// A little-endian `u32` at `at`.
pub(super) fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

/// A little-endian `i32` at `at`.
pub(super) fn i32_at(bytes: &[u8], at: usize) -> Option<i32> {
    array(bytes, at).map(i32::from_le_bytes)
}

/// A little-endian `u64` at `at`.
pub(super) fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    array(bytes, at).map(u64::from_le_bytes)
}

/// A little-endian `i64` at `at`.
fn i64_at(bytes: &[u8], at: usize) -> Option<i64> {
    array(bytes, at).map(i64::from_le_bytes)
}

/// How a property's values are encoded, from its `syntaxId` and `adsType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// ADSTYPE 1–5 and 12: DN, case-exact, case-ignore, printable, numeric
    /// strings and object classes.
    Strings,
    /// ADSTYPE 6.
    Boolean,
    /// ADSTYPE 7 (AD's Integer syntax: signed 32 bits).
    Integer,
    /// ADSTYPE 10.
    LargeInteger,
    /// ADSTYPE 8 and 25 (octet strings, security descriptors).
    Octets,
    /// ADSTYPE 9 (`SYSTEMTIME`).
    Time,
    /// ADSTYPE 27, and DN-Binary properties (syntax 21) that the property
    /// table labels ADSTYPE 8: binary bytes followed by a DN.
    DnBinary,
    /// ADSTYPE 28 (DN-with-string): AD Explorer stores the count only.
    CountOnly,
    /// Any other ADSTYPE: not decoded.
    Unknown(u32),
}

/// AD Explorer's syntax number of DN-Binary (2.5.5.7) properties.
const SYNTAX_DN_BINARY: i32 = 21;

impl Kind {
    /// The encoding of a property with this `syntaxId` and `adsType`.
    pub(super) fn of(syntax: i32, ads_type: u32) -> Kind {
        match ads_type {
            1..=5 | 12 => Kind::Strings,
            6 => Kind::Boolean,
            7 => Kind::Integer,
            8 if syntax == SYNTAX_DN_BINARY => Kind::DnBinary,
            8 | 25 => Kind::Octets,
            9 => Kind::Time,
            10 => Kind::LargeInteger,
            27 => Kind::DnBinary,
            28 => Kind::CountOnly,
            other => Kind::Unknown(other),
        }
    }
}

/// A block that cannot be decoded: where, and why.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Damage {
    /// File offset of the damage.
    pub(super) offset: usize,
    /// What was expected and what was found.
    pub(super) message: String,
}

impl Damage {
    fn new(offset: usize, message: impl Into<String>) -> Damage {
        Damage {
            offset,
            message: message.into(),
        }
    }
}

/// What one object may still decode to: the values it may keep
/// (`--max-values`) and the bytes (`--max-record-size`). Each value costs
/// its payload plus [`VALUE_OVERHEAD`], so that many tiny values count too.
#[derive(Debug)]
pub(super) struct Budget {
    /// Values that may still be kept.
    pub(super) values: usize,
    /// Bytes that may still be decoded.
    pub(super) bytes: usize,
    /// Values the blocks decoded so far hold (kept or not).
    pub(super) found: usize,
    /// Bytes spent so far (for the limit on the whole file).
    pub(super) spent: usize,
    /// The limit on bytes, for messages.
    pub(super) max_bytes: usize,
}

/// What a value costs besides its payload (the `Attr` that holds it).
pub(super) const VALUE_OVERHEAD: usize = 48;

impl Budget {
    pub(super) fn new(max_values: usize, max_bytes: usize) -> Budget {
        Budget {
            values: max_values,
            bytes: max_bytes,
            found: 0,
            spent: 0,
            max_bytes,
        }
    }

    /// Decodes with at most `values` values but this budget's bytes, as if
    /// it were another budget (for the DN and the classes).
    pub(super) fn within(
        &mut self,
        values: usize,
        decode: impl FnOnce(&mut Budget) -> Result<Vec<Vec<u8>>, Damage>,
    ) -> Result<Vec<Vec<u8>>, Damage> {
        let mut other = Budget::new(values, self.bytes);
        other.max_bytes = self.max_bytes;
        let result = decode(&mut other);
        self.bytes = other.bytes;
        self.spent = self.spent.saturating_add(other.spent);
        result
    }

    /// Counts `scanned` bytes as spent, without failing.
    fn charge(&mut self, scanned: usize) {
        self.spent = self.spent.saturating_add(scanned);
        self.bytes = self.bytes.saturating_sub(scanned);
    }

    /// Takes `payload` bytes for one value, or says the object is too large.
    fn spend(&mut self, at: usize, payload: usize) -> Result<(), Damage> {
        let cost = payload.saturating_add(VALUE_OVERHEAD);
        if cost > self.bytes {
            // What was scanned to find out counts as spent, so that the
            // limit on the whole file also bounds the work.
            self.spent = self.spent.saturating_add(self.bytes);
            self.bytes = 0;
            return Err(Damage::new(
                at,
                format!(
                    "expected an object whose values decode to at most {} KiB (--max-record-size), \
                     found more",
                    self.max_bytes >> 10
                ),
            ));
        }
        self.bytes -= cost;
        self.spent = self.spent.saturating_add(cost);
        Ok(())
    }
}

/// Decodes the block at `at` (in `region`, the object region of the file:
/// nothing outside it is read) as `kind`. Values beyond the budget's count
/// are left out (the caller reports it from `budget.found`); a value that
/// is not valid UTF-16 is decoded with U+FFFD and a warning.
pub(super) fn decode(
    region: &[u8],
    at: usize,
    kind: Kind,
    budget: &mut Budget,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<Vec<u8>>, Damage> {
    let n = u32_at(region, at).ok_or_else(|| {
        Damage::new(
            at,
            format!(
                "expected a value block (a 4-byte count) at {at:#x}, found the end of the object region at {:#x}",
                region.len()
            ),
        )
    })? as usize;
    let body = at + 4;
    let room = region.len() - body;
    // The fixed part every value has after the count, which bounds `n` by
    // what the region can hold before anything is allocated.
    let fixed = match kind {
        Kind::Strings | Kind::Boolean | Kind::Integer | Kind::Octets | Kind::DnBinary => 4,
        Kind::LargeInteger => 8,
        Kind::Time => 16,
        Kind::CountOnly | Kind::Unknown(_) => 0,
    };
    if n.checked_mul(fixed).is_none_or(|need| need > room) {
        return Err(Damage::new(
            at,
            format!(
                "expected a value block whose {n} value(s) fit before the end of the object region \
                 at {:#x} ({fixed} bytes each at least), found room for {}",
                region.len(),
                room / fixed.max(1)
            ),
        ));
    }
    budget.found = budget.found.saturating_add(n);
    let take = n.min(budget.values);
    budget.values -= take;
    let mut values = Vec::with_capacity(take);
    match kind {
        Kind::Strings => {
            for i in 0..take {
                let relative = i32_at(region, body + 4 * i).unwrap_or_default();
                let start = at as i64 + i64::from(relative);
                let start = usize::try_from(start)
                    .ok()
                    .filter(|&start| start >= super::HEADER && start < region.len())
                    .ok_or_else(|| {
                        Damage::new(
                            body + 4 * i,
                            format!(
                                "expected value {} of the string block at {at:#x} inside the object \
                                 region ({:#x} to {:#x}), found offset {relative} (to {start:#x})",
                                i + 1,
                                super::HEADER,
                                region.len()
                            ),
                        )
                    })?;
                values.push(zstr(region, start, budget, warnings)?.0.into_bytes());
            }
        }
        Kind::Boolean | Kind::Integer => {
            for i in 0..take {
                let raw = u32_at(region, body + 4 * i).unwrap_or_default();
                budget.spend(body + 4 * i, 11)?;
                values.push(match kind {
                    Kind::Boolean if raw == 0 => b"FALSE".to_vec(),
                    Kind::Boolean => b"TRUE".to_vec(),
                    _ => (raw as i32).to_string().into_bytes(),
                });
            }
        }
        Kind::LargeInteger => {
            for i in 0..take {
                let raw = i64_at(region, body + 8 * i).unwrap_or_default();
                budget.spend(body + 8 * i, 20)?;
                values.push(raw.to_string().into_bytes());
            }
        }
        Kind::Time => {
            for i in 0..take {
                let at = body + 16 * i;
                let field = |k: usize| u16_at(region, at + 2 * k).unwrap_or_default();
                budget.spend(at, 20)?;
                values.push(generalized_time([
                    field(0),
                    field(1),
                    field(3),
                    field(4),
                    field(5),
                    field(6),
                    field(7),
                ]));
            }
        }
        Kind::Octets | Kind::DnBinary => {
            // Every length comes first; the payloads follow back to back
            // (for DN-with-binary, each followed by its DN).
            let mut cursor = body + 4 * n;
            for i in 0..n {
                let length = u32_at(region, body + 4 * i).unwrap_or_default() as usize;
                let payload = cursor
                    .checked_add(length)
                    .filter(|&end| end <= region.len())
                    .map(|end| cursor..end)
                    .ok_or_else(|| {
                        Damage::new(
                            body + 4 * i,
                            format!(
                                "expected value {} of the block at {at:#x} ({length} bytes from \
                                 {cursor:#x}) to end inside the object region, which ends at {:#x}",
                                i + 1,
                                region.len()
                            ),
                        )
                    })?;
                cursor = payload.end;
                let keep = i < take;
                if kind == Kind::Octets {
                    if keep {
                        budget.spend(payload.start, length)?;
                        values.push(region[payload].to_vec());
                    }
                    continue;
                }
                // The DN follows the binary part: it must be read to find
                // where the next value starts, kept or not.
                let (dn, units) = zstr(region, cursor, budget, warnings)?;
                cursor += 2 * units + 2;
                if keep {
                    budget.spend(payload.start, 2 * length + 16)?;
                    values.push(dn_binary(&region[payload], &dn));
                }
            }
        }
        Kind::CountOnly | Kind::Unknown(_) => {}
    }
    Ok(values)
}

/// The NUL-terminated UTF-16LE string at `start`, as UTF-8, and its length
/// in UTF-16 units (without the NUL). Scanning stops at the end of the
/// region and at the budget.
pub(super) fn zstr(
    region: &[u8],
    start: usize,
    budget: &mut Budget,
    warnings: &mut Vec<Diagnostic>,
) -> Result<(String, usize), Damage> {
    let limit = region
        .len()
        .min(start.saturating_add(budget.bytes.saturating_mul(2)));
    let units = region[start..limit].chunks_exact(2);
    let Some(length) = units.clone().position(|unit| unit == [0, 0]) else {
        if limit < region.len() {
            budget.spend(start, usize::MAX)?;
        }
        budget.charge(limit - start);
        return Err(Damage::new(
            start,
            format!(
                "expected a UTF-16 string ending with NUL at {start:#x}, found none before the end of \
                 the object region at {:#x}",
                region.len()
            ),
        ));
    };
    budget.spend(start, 2 * length)?;
    let units = units
        .take(length)
        .map(|unit| u16::from_le_bytes([unit[0], unit[1]]));
    let mut lossy = false;
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if lossy {
        warnings.push(Diagnostic::warning(
            start,
            "expected UTF-16 text, found an unpaired surrogate: replaced by U+FFFD",
        ));
    }
    Ok((text, length))
}

/// A `SYSTEMTIME` (year, month, day, hour, minute, second, milliseconds)
/// as LDAP's GeneralizedTime, as `ldifde` writes it: `20240131120000.0Z`.
/// Fields are written as they are, even when no calendar has them.
pub(super) fn generalized_time(t: [u16; 7]) -> Vec<u8> {
    let [year, month, day, hour, minute, second, millis] = t;
    let fraction = if millis == 0 {
        "0".to_owned()
    } else {
        format!("{millis:03}")
    };
    format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}.{fraction}Z").into_bytes()
}

/// A DN-with-binary value as LDAP writes it: `B:<hex digits>:<HEX>:<DN>`.
fn dn_binary(binary: &[u8], dn: &str) -> Vec<u8> {
    let mut text = format!("B:{}:", 2 * binary.len());
    for byte in binary {
        text.push_str(&format!("{byte:02X}"));
    }
    text.push(':');
    text.push_str(dn);
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::adexplorer::test_bytes::{strings as strings_block, utf16z};
    use crate::input::adexplorer::HEADER;

    /// An object region: `HEADER` filler bytes, then `block` at an odd
    /// offset (nothing is aligned), then `tail`.
    fn place(block: &[u8], tail: &[u8]) -> (Vec<u8>, usize) {
        let mut region = vec![0xAA; HEADER + 1];
        let at = region.len();
        region.extend_from_slice(block);
        region.extend_from_slice(tail);
        (region, at)
    }

    fn decode_all(region: &[u8], at: usize, kind: Kind) -> Result<Vec<String>, Damage> {
        let mut budget = Budget::new(1000, 1 << 20);
        let mut warnings = Vec::new();
        decode(region, at, kind, &mut budget, &mut warnings).map(|values| {
            values
                .into_iter()
                .map(|v| String::from_utf8(v).unwrap())
                .collect()
        })
    }

    #[test]
    fn checked_reads_stop_at_the_end_and_need_no_alignment() {
        let bytes = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        assert_eq!(u16_at(&bytes, 1), Some(0x0302));
        assert_eq!(u32_at(&bytes, 5), Some(0x0908_0706));
        assert_eq!(u32_at(&bytes, 6), None);
        assert_eq!(u64_at(&bytes, 1), Some(0x0908_0706_0504_0302));
        assert_eq!(u64_at(&bytes, 2), None);
        assert_eq!(i32_at(&bytes, usize::MAX - 1), None);
    }

    #[test]
    fn the_kind_follows_adstype_and_dn_binary_syntax() {
        assert_eq!(Kind::of(18, 1), Kind::Strings);
        assert_eq!(Kind::of(12, 3), Kind::Strings);
        assert_eq!(Kind::of(5, 2), Kind::Strings);
        assert_eq!(Kind::of(12, 12), Kind::Strings);
        assert_eq!(Kind::of(11, 8), Kind::Octets);
        assert_eq!(Kind::of(21, 8), Kind::DnBinary);
        assert_eq!(Kind::of(9, 25), Kind::Octets);
        assert_eq!(Kind::of(17, 28), Kind::CountOnly);
        assert_eq!(Kind::of(0, 11), Kind::Unknown(11));
    }

    #[test]
    fn strings_are_utf16_at_offsets_from_the_block_start() {
        let (region, at) = place(
            &strings_block(&["top", "msExchRoutingSMTPConnector", "é"]),
            &[],
        );
        assert_eq!(
            decode_all(&region, at, Kind::Strings).unwrap(),
            ["top", "msExchRoutingSMTPConnector", "é"]
        );
    }

    #[test]
    fn a_string_offset_may_point_back_before_the_block() {
        // The string lies before the block: a negative offset, as dedup
        // writes across objects.
        let mut bytes = vec![0; HEADER];
        let string_at = bytes.len();
        bytes.extend(utf16z("CN=EX01"));
        let at = bytes.len();
        bytes.extend(1u32.to_le_bytes());
        bytes.extend((string_at as i32 - at as i32).to_le_bytes());
        assert_eq!(decode_all(&bytes, at, Kind::Strings).unwrap(), ["CN=EX01"]);
        // Into the header is outside the object region.
        let mut bytes = vec![0; HEADER];
        let at = bytes.len();
        bytes.extend(1u32.to_le_bytes());
        bytes.extend((-8i32).to_le_bytes());
        bytes.extend(utf16z("x"));
        let damage = decode_all(&bytes, at, Kind::Strings).unwrap_err();
        assert!(
            damage.message.contains("inside the object region"),
            "{damage:?}"
        );
    }

    #[test]
    fn counts_that_the_region_cannot_hold_are_refused_before_allocating() {
        for kind in [
            Kind::Strings,
            Kind::Integer,
            Kind::LargeInteger,
            Kind::Time,
            Kind::Octets,
            Kind::DnBinary,
        ] {
            let (region, at) = place(&u32::MAX.to_le_bytes(), &[0; 64]);
            let damage = decode_all(&region, at, kind).unwrap_err();
            assert!(
                damage.message.contains("fit before the end"),
                "{kind:?}: {damage:?}"
            );
        }
        let (region, at) = place(&[1, 0], &[]);
        assert!(decode_all(&region, at, Kind::Integer)
            .unwrap_err()
            .message
            .contains("4-byte count"));
    }

    #[test]
    fn an_unterminated_string_is_damage() {
        let mut block = strings_block(&["abc"]);
        block.truncate(block.len() - 2);
        let (region, at) = place(&block, &[]);
        let damage = decode_all(&region, at, Kind::Strings).unwrap_err();
        assert!(damage.message.contains("ending with NUL"), "{damage:?}");
    }

    #[test]
    fn an_unpaired_surrogate_is_replaced_with_a_warning() {
        let mut block = 1u32.to_le_bytes().to_vec();
        block.extend(8i32.to_le_bytes());
        block.extend([0x00, 0xD8, b'a', 0, 0, 0]);
        let (region, at) = place(&block, &[]);
        let mut warnings = Vec::new();
        let values = decode(
            &region,
            at,
            Kind::Strings,
            &mut Budget::new(10, 1 << 20),
            &mut warnings,
        )
        .unwrap();
        assert_eq!(values, ["\u{FFFD}a".as_bytes()]);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn numbers_booleans_and_times_take_their_ldap_form() {
        let mut block = 3u32.to_le_bytes().to_vec();
        block.extend([0, 0, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]);
        let (region, at) = place(&block, &[]);
        assert_eq!(
            decode_all(&region, at, Kind::Boolean).unwrap(),
            ["FALSE", "TRUE", "TRUE"]
        );
        assert_eq!(
            decode_all(&region, at, Kind::Integer).unwrap(),
            ["0", "1", "-1"]
        );
        let mut block = 1u32.to_le_bytes().to_vec();
        block.extend((-9_223_372_036_854_775_807i64).to_le_bytes());
        let (region, at) = place(&block, &[]);
        assert_eq!(
            decode_all(&region, at, Kind::LargeInteger).unwrap(),
            ["-9223372036854775807"]
        );
        let mut block = 2u32.to_le_bytes().to_vec();
        for t in [
            [2024u16, 1, 3, 31, 12, 5, 9, 0],
            [1601, 1, 1, 1, 0, 0, 0, 7],
        ] {
            block.extend(t.iter().flat_map(|f| f.to_le_bytes()));
        }
        let (region, at) = place(&block, &[]);
        assert_eq!(
            decode_all(&region, at, Kind::Time).unwrap(),
            ["20240131120509.0Z", "16010101000000.007Z"]
        );
    }

    #[test]
    fn octets_have_their_lengths_first() {
        let mut block = 2u32.to_le_bytes().to_vec();
        block.extend(3u32.to_le_bytes());
        block.extend(1u32.to_le_bytes());
        block.extend([b'a', b'b', b'c', b'd']);
        let (region, at) = place(&block, &[]);
        assert_eq!(decode_all(&region, at, Kind::Octets).unwrap(), ["abc", "d"]);
        // A length past the region is damage.
        let mut block = 1u32.to_le_bytes().to_vec();
        block.extend(1000u32.to_le_bytes());
        let (region, at) = place(&block, b"abc");
        assert!(decode_all(&region, at, Kind::Octets)
            .unwrap_err()
            .message
            .contains("to end inside"));
    }

    #[test]
    fn dn_with_binary_values_carry_a_dn_after_each_binary() {
        // Two values: a plain octet reader would read the first binary
        // right and every later value wrong.
        let mut block = 2u32.to_le_bytes().to_vec();
        block.extend(2u32.to_le_bytes());
        block.extend(1u32.to_le_bytes());
        block.extend([0xAB, 0x01]);
        block.extend(utf16z("CN=A,DC=x"));
        block.extend([0xFF]);
        block.extend(utf16z("CN=B"));
        let (region, at) = place(&block, &[]);
        assert_eq!(
            decode_all(&region, at, Kind::DnBinary).unwrap(),
            ["B:4:AB01:CN=A,DC=x", "B:2:FF:CN=B"]
        );
    }

    #[test]
    fn the_budget_caps_values_and_bytes() {
        let (region, at) = place(&strings_block(&["a", "b", "c"]), &[]);
        let mut budget = Budget::new(2, 1 << 20);
        let values = decode(&region, at, Kind::Strings, &mut budget, &mut Vec::new()).unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(budget.found, 3);
        let long = "x".repeat(1000);
        let (region, at) = place(&strings_block(&[&long]), &[]);
        let mut budget = Budget::new(10, 500);
        let damage = decode(&region, at, Kind::Strings, &mut budget, &mut Vec::new()).unwrap_err();
        assert!(damage.message.contains("--max-record-size"), "{damage:?}");
        // An unterminated string longer than the budget is refused by the
        // budget, without scanning to the end of the region.
        let mut block = 1u32.to_le_bytes().to_vec();
        block.extend(8i32.to_le_bytes());
        block.extend(vec![b'x'; 4000]);
        let (region, at) = place(&block, &[]);
        let mut budget = Budget::new(10, 500);
        let damage = decode(&region, at, Kind::Strings, &mut budget, &mut Vec::new()).unwrap_err();
        assert!(damage.message.contains("--max-record-size"), "{damage:?}");
    }
}
