//! Base64 as the readers decode it, one way for every format.
//!
//! LDIF (`::`), DSML (`xsd:base64Binary`) and CLIXML (`<BA>`) all carry
//! base64. Whitespace inside a value is ignored (writers wrap it), a missing
//! `=` padding is accepted (the value decodes) but is what a value cut
//! short looks like, so every reader warns about it with [`is_unpadded`].

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decodes a value; the error says what was found (for "expected base64, …").
pub fn decode(data: &[u8]) -> Result<Vec<u8>, String> {
    let compact;
    let data = if data.iter().any(u8::is_ascii_whitespace) {
        compact = data
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect::<Vec<u8>>();
        &compact[..]
    } else {
        data
    };
    ENGINE.decode(data).map_err(|error| match error {
        base64::DecodeError::InvalidByte(at, byte) => format!(
            "found '{}' at position {}",
            (byte as char).escape_default(),
            at + 1
        ),
        base64::DecodeError::InvalidLength(_) => {
            "found a truncated value (length is not a multiple of 4)".to_owned()
        }
        other => format!("found invalid data ({other})"),
    })
}

/// Whether a value lacks its `=` padding (whitespace aside).
pub(crate) fn is_unpadded(data: &[u8]) -> bool {
    data.iter().filter(|b| !b.is_ascii_whitespace()).count() % 4 != 0
}

/// The warning every reader gives for an unpadded value of `what`.
pub(crate) fn unpadded_warning(what: &str, data: &[u8]) -> String {
    let length = data.iter().filter(|b| !b.is_ascii_whitespace()).count();
    format!(
        "base64 value of {what} lacks its '=' padding ({length} characters): read as it is, \
         but it may have been cut short"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_ignored_and_padding_optional() {
        assert_eq!(decode(b"aGVs\n bG8=").unwrap(), b"hello");
        assert_eq!(decode(b"aGVsbG8").unwrap(), b"hello");
        assert!(is_unpadded(b"aGVsbG8"));
        assert!(!is_unpadded(b"aGVs bG8="));
        assert_eq!(decode(b"aGV!").unwrap_err(), "found '!' at position 4");
    }
}
