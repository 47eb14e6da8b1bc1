//! .NET type names where values should be: what `ConvertTo-Json` writes
//! past its depth and `Export-Csv` writes for a collection (its
//! `ToString`). Such a value is lost, never a name.

/// Whether `text` is a .NET type name, which `ConvertTo-Json` writes for
/// an object past its depth: `System.Object[]`,
/// `System.Collections.ArrayList`,
/// `Microsoft.Exchange.Data.Directory.ADMultiValuedProperty`1[…]`. Names
/// of three parts or more, each starting with a capital letter, under
/// `System.`, `Microsoft.` or `Deserialized.`; or two parts with generic
/// or array brackets.
pub(super) fn is_type_name(text: &str) -> bool {
    let (name, generic) = match text.find(['[', '`']) {
        Some(at) => (&text[..at], true),
        None => (text, false),
    };
    let parts: Vec<&str> = name.split('.').collect();
    let root = matches!(parts[0], "System" | "Microsoft" | "Deserialized");
    let identifiers = parts.iter().all(|part| {
        part.starts_with(|c: char| c.is_ascii_uppercase())
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
    });
    root && identifiers && (parts.len() >= 3 || (parts.len() == 2 && generic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_told_from_names() {
        for name in [
            "System.Object[]",
            "System.Collections.ArrayList",
            "Microsoft.Exchange.Data.Directory.ADObjectId",
            "Deserialized.Microsoft.Exchange.Data.Directory.ADObjectId",
        ] {
            assert!(is_type_name(name), "{name}");
        }
        for name in [
            "EX01",
            "mail.contoso.com",
            "Microsoft.com",
            "System.Net",
            "SMTP:*;1",
        ] {
            assert!(!is_type_name(name), "{name}");
        }
    }
}
