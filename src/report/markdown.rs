//! Markdown that renders as the text it holds: a cell never becomes a tag,
//! a script, a link, an image, an entity, emphasis or a new table column.

use crate::visible;

/// The characters CommonMark (with GitHub's tables, strikethrough and math)
/// could read as markup anywhere in a line; each is written with a backslash
/// before it, which CommonMark allows before any ASCII punctuation.
const ACTIVE: [char; 14] = [
    '\\', '<', '>', '[', ']', '!', '`', '*', '_', '|', '&', '#', '~', '$',
];

/// One cell or line of text: unsafe characters escaped as `visible::text`
/// shows them, then every Markdown-active character backslash-escaped
/// (`<script>` is written `\<script\>`, `![](url)` `\!\[\](url)`).
pub(crate) fn text(text: &str) -> String {
    let text = visible::text(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if ACTIVE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn markup_is_written_as_text() {
        assert_eq!(
            text("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(
            text("![x](https://e/p.png) [l](u)"),
            "\\!\\[x\\](https://e/p.png) \\[l\\](u)"
        );
        assert_eq!(
            text("&lt; a|b `c` *d* _e_ #f ~g~ $h$ \\"),
            "\\&lt; a\\|b \\`c\\` \\*d\\* \\_e\\_ \\#f \\~g\\~ \\$h\\$ \\\\"
        );
        assert_eq!(text("Relay\n1"), "Relay\\\\n1");
        assert_eq!(text("EX2016A (15.1.2507.6)"), "EX2016A (15.1.2507.6)");
    }
}
