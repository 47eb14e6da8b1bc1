//! CSV that opens cleanly in a spreadsheet: RFC 4180 quoting, and cells a
//! spreadsheet would evaluate as a formula neutralized.

use std::borrow::Cow;

/// The UTF-8 byte-order mark Excel needs to read UTF-8 CSV as UTF-8 (`--excel`).
pub const EXCEL_BOM: &[u8] = b"\xEF\xBB\xBF";

/// One field: quoted when needed; a cell starting like a formula (`=`, `+`,
/// `-`, `@`, a tab or a carriage return) is prefixed with `'` so that it is
/// shown, never run, and so is every `;`-separated part of it, which a
/// spreadsheet whose list separator is `;` reads as a cell of its own.
/// Control and bidi characters are escaped (`crate::visible::text`); spaces
/// are kept as they are.
pub fn field(text: &str) -> String {
    let text = crate::visible::text(text);
    let text = text.split(';').map(guarded).collect::<Vec<_>>().join(";");
    if text.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A cell's text with `'` before it when it starts like a formula.
fn guarded(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
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

    #[test]
    fn every_part_a_semicolon_separates_is_neutralized_and_quoted() {
        assert_eq!(field("x;=cmd|' /C calc'!A0"), "\"x;'=cmd|' /C calc'!A0\"");
        assert_eq!(field("-1;+2;@a;b"), "\"'-1;'+2;'@a;b\"");
        assert_eq!(field("Mailbox;Edge"), "\"Mailbox;Edge\"");
    }
}
