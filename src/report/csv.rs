//! CSV that opens cleanly in a spreadsheet: RFC 4180 quoting, and cells a
//! spreadsheet would evaluate as a formula neutralized.

/// The UTF-8 byte-order mark Excel needs to read UTF-8 CSV as UTF-8 (`--excel`).
pub const EXCEL_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One field: quoted when needed; a cell starting like a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return) is prefixed with `'` so that it is
/// shown, never run. Control and bidi characters are escaped
/// (`crate::visible::text`); spaces are kept as they are.
pub fn field(text: &str) -> String {
    let text = crate::visible::text(text);
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.into_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn formulas_are_neutralized_and_separators_quoted() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("plain"), "plain");
    }
}
