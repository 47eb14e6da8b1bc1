//! PowerShell literals for the commands exconn suggests.
//!
//! A name goes into a command as a string literal that PowerShell reads
//! back to exactly that name, and that can do nothing else. A name of
//! printable characters is single-quoted: only the single-quote characters
//! (ASCII and the typographic ones PowerShell also accepts) are doubled, so
//! `$`, backticks and commas stay literal. A name holding a control, bidi
//! or line-separator character is double-quoted with backtick escapes
//! (`` `n ``, `` `$ ``, `` `" ``) and `$([char]0x202E)` for the characters
//! without one, so no raw line break or invisible character reaches the
//! script. Windows PowerShell 5.1, which the Exchange Management Shell runs
//! on, reads both forms.

use crate::visible;

/// `text` as a PowerShell string literal that evaluates to exactly `text`.
pub fn quote(text: &str) -> String {
    if text.chars().any(visible::is_unsafe) {
        double_quoted(text)
    } else {
        single_quoted(text)
    }
}

fn single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    out.push('"');
    for c in text.chars() {
        match c {
            '`' | '"' | '$' | '\u{201C}' | '\u{201D}' | '\u{201E}' => {
                out.push('`');
                out.push(c);
            }
            '\0' => out.push_str("`0"),
            '\u{7}' => out.push_str("`a"),
            '\u{8}' => out.push_str("`b"),
            '\u{c}' => out.push_str("`f"),
            '\n' => out.push_str("`n"),
            '\r' => out.push_str("`r"),
            '\t' => out.push_str("`t"),
            '\u{b}' => out.push_str("`v"),
            c if visible::is_unsafe(c) => {
                out.push_str(&format!("$([char]0x{:04X})", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment line: `# ` and `text` with nothing that could end the line.
pub fn comment(text: &str) -> String {
    format!("# {}", visible::text(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_the_rest_is_literal() {
        assert_eq!(quote("O'Brien"), "'O''Brien'");
        assert_eq!(quote("$env:x `n, y"), "'$env:x `n, y'");
        assert_eq!(quote("l\u{2019}été"), "'l\u{2019}\u{2019}été'");
        assert_eq!(quote(" Leading space 14"), "' Leading space 14'");
    }

    #[test]
    fn unsafe_names_are_double_quoted_with_escapes() {
        assert_eq!(
            quote("Relay\nRemove-SendConnector x"),
            "\"Relay`nRemove-SendConnector x\""
        );
        assert_eq!(quote("a$b`c\"d\u{201C}\r"), "\"a`$b``c`\"d`\u{201C}`r\"");
        assert_eq!(quote("abc\u{202E}fed"), "\"abc$([char]0x202E)fed\"");
        assert_eq!(quote("\u{1b}[2J"), "\"$([char]0x001B)[2J\"");
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment("a\nb\u{2028}c"), "# a\\nb\\u{2028}c");
    }
}
