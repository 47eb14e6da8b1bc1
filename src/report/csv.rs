//! CSV that opens cleanly in a spreadsheet: RFC 4180 quoting (the `csv`
//! crate's writer), and cells a spreadsheet would evaluate as a formula
//! neutralized.

use std::borrow::Cow;
use std::io;

use ::csv::{QuoteStyle, Terminator, WriterBuilder};

/// The UTF-8 byte-order mark Excel needs to read UTF-8 CSV as UTF-8 (`--excel`).
pub const EXCEL_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV writer onto `out`: `\n` line ends; a field is quoted when it holds
/// a `,`, a `"`, a line end or a `;` (the list separator of many
/// spreadsheets, declared as the "comment" byte, which the writer quotes
/// wherever it occurs). Its rows take [`cell`]s; call `flush` at the end.
pub fn writer<W: io::Write>(out: W) -> ::csv::Writer<W> {
    WriterBuilder::new()
        .terminator(Terminator::Any(b'\n'))
        .quote_style(QuoteStyle::Necessary)
        .comment(Some(b';'))
        .from_writer(out)
}

/// The writer's error as the I/O error it is, keeping its kind (a closed
/// pipe must stay a closed pipe).
pub fn io_error(error: ::csv::Error) -> io::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(error) => error,
        // Rows of unequal length: the reports' rows never are.
        kind => io::Error::other(format!("CSV: {kind:?}")),
    }
}

/// One cell's text (the writer quotes it): a cell starting like a formula
/// (`=`, `+`, `-`, `@`, a tab or a carriage return) is prefixed with `'` so
/// that it is shown, never run, and so is every `;`-separated part of it,
/// which a spreadsheet whose list separator is `;` reads as a cell of its
/// own. Control and bidi characters are escaped (`crate::visible::text`);
/// spaces are kept as they are.
pub fn cell(text: &str) -> String {
    let text = crate::visible::text(text);
    text.split(';').map(guarded).collect::<Vec<_>>().join(";")
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
    use super::{cell, writer};

    /// One row of cells as written.
    fn row(cells: &[&str]) -> String {
        let mut out = Vec::new();
        let mut csv = writer(&mut out);
        csv.write_record(cells.iter().map(|c| cell(c))).unwrap();
        csv.flush().unwrap();
        drop(csv);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formulas_are_neutralized_and_separators_quoted() {
        assert_eq!(row(&["=HYPERLINK(\"x\")"]), "\"'=HYPERLINK(\"\"x\"\")\"\n");
        assert_eq!(row(&["@SUM(A1)"]), "'@SUM(A1)\n");
        assert_eq!(row(&["a,b"]), "\"a,b\"\n");
        assert_eq!(row(&["plain", "", "x"]), "plain,,x\n");
    }

    #[test]
    fn every_part_a_semicolon_separates_is_neutralized_and_quoted() {
        assert_eq!(
            row(&["x;=cmd|' /C calc'!A0"]),
            "\"x;'=cmd|' /C calc'!A0\"\n"
        );
        assert_eq!(row(&["-1;+2;@a;b"]), "\"'-1;'+2;'@a;b\"\n");
        assert_eq!(row(&["Mailbox;Edge"]), "\"Mailbox;Edge\"\n");
    }

    #[test]
    fn line_ends_are_escaped_before_the_writer_sees_them() {
        assert_eq!(row(&["a\nb", "c\rd"]), "a\\nb,c\\rd\n");
    }
}
