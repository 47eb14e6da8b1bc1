//! How directory text is shown to a person: exact, and unable to act.
//!
//! Names and values come from the export, which the customer's directory
//! (or anyone who could write to it) filled. A name may hold a line feed
//! (conflict mangling writes `\0ACNF:<guid>`), an escape sequence or a
//! right-to-left override. Nothing of that kind reaches a terminal, a
//! Markdown, CSV or HTML file, or a script raw: [`text`] shows such
//! characters as escapes (`\n`, `\u{202e}`), and [`name`] also makes leading,
//! trailing and repeated spaces visible by quoting, so that two different
//! names never look the same. JSON keeps values byte for byte (its escaping
//! is the machine's business); PowerShell literals are `report::powershell`'s.

use std::borrow::Cow;

/// Whether a character must never be written raw where a person reads:
/// C0 and C1 controls, DEL, bidirectional controls and marks, line and
/// paragraph separators, and the byte-order mark / zero-width no-break space.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `text` with every unsafe character escaped (`\n`, `\r`, `\t`, `\u{1b}`,
/// `\u{202e}`); everything else, spaces included, as it is.
pub fn text(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        c => out.push(c),
    }
}

/// A value for a person ([`text`]), or `-` when there is none.
pub(crate) fn or_dash(value: Option<&str>) -> Cow<'_, str> {
    text(value.filter(|v| !v.is_empty()).unwrap_or("-"))
}

/// Whether a name is shown as it is: not empty, no unsafe character, no
/// space at either end or twice in a row, not starting with a double quote.
pub(crate) fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with([' ', '"'])
        && !name.ends_with(' ')
        && !name.contains("  ")
        && !name
            .chars()
            .any(|c| is_unsafe(c) || c.is_whitespace() && c != ' ')
}

/// A name as a person must see it to tell it from every other: a plain
/// name as it is, anything else double-quoted with `\"`, `\\` and the
/// escapes of [`text`] (`" Leading space"`, `"Relay\nCNF:…"`).
pub fn name(name: &str) -> Cow<'_, str> {
    if is_plain_name(name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 4);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_whitespace() && c != ' ' && !is_unsafe(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)))
            }
            c => push_escaped(&mut out, c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_characters_are_escaped_and_spaces_kept() {
        assert_eq!(text("  a  b "), "  a  b ");
        assert_eq!(text("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(text("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(text("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            text("\u{85}\u{7f}\u{2066}\u{200f}"),
            "\\u{85}\\u{7f}\\u{2066}\\u{200f}"
        );
        assert_eq!(text("Envoi vers l'Été 東京"), "Envoi vers l'Été 東京");
    }

    #[test]
    fn names_that_could_be_mistaken_are_quoted() {
        assert_eq!(name("Internet"), "Internet");
        assert_eq!(name("Partner, Relay"), "Partner, Relay");
        assert_eq!(name(" Leading space 14"), "\" Leading space 14\"");
        assert_eq!(name("Trailing "), "\"Trailing \"");
        assert_eq!(name("two  spaces"), "\"two  spaces\"");
        assert_eq!(name(""), "\"\"");
        assert_eq!(name("\"quoted\""), "\"\\\"quoted\\\"\"");
        assert_eq!(name("a\\b\nc"), "\"a\\\\b\\nc\"");
        assert_eq!(name("no\u{a0}break"), "\"no\\u{a0}break\"");
    }

    #[test]
    fn every_shown_form_is_free_of_unsafe_characters() {
        let hostile: String = (0u32..0x250)
            .chain(0x2000..0x2070)
            .chain([0xFEFF])
            .filter_map(char::from_u32)
            .collect();
        assert!(!text(&hostile).chars().any(is_unsafe));
        assert!(!name(&hostile).chars().any(is_unsafe));
        assert!(!name(&hostile).contains('\n'));
    }
}
