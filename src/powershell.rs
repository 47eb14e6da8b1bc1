//! PowerShell quoting for the commands exconn suggests.
//!
//! Names in an Exchange organization may hold quotes, `$`, backticks and
//! commas; inside a single-quoted PowerShell string only the single-quote
//! characters (ASCII and the typographic ones PowerShell also accepts) need
//! doubling.

/// Quotes `text` as a single-quoted PowerShell string literal.
pub fn quote(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_are_doubled_and_the_rest_is_literal() {
        assert_eq!(quote("O'Brien"), "'O''Brien'");
        assert_eq!(quote("$env:x `n, y"), "'$env:x `n, y'");
        assert_eq!(quote("l\u{2019}été"), "'l\u{2019}\u{2019}été'");
    }
}
