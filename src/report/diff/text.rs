//! The `diff` report for a person: the table for a terminal, the Markdown
//! page, and the phrasing they share with the HTML page (the sides, the
//! summary line, one row per changed object, a setting's values shown
//! through `visible`).

use std::io::{self, Write};

use super::{ConnectorChangeView, DiffView, FieldView, SideView, ValueView};
use crate::analysis::diff::Change;
use crate::report::{markdown, sources};
use crate::visible;

impl SideView {
    /// The inputs in one line: `path (format, N entries, sha256 0123456789ab)`.
    pub(super) fn inputs_line(&self) -> String {
        let mut parts: Vec<String> = self
            .inputs
            .iter()
            .map(|i| {
                format!(
                    "{} ({}, {} entries, sha256 {})",
                    visible::text(&i.path),
                    i.format,
                    i.entries,
                    i.sha256.get(..12).unwrap_or(&i.sha256)
                )
            })
            .collect();
        parts.extend(self.unreadable.iter().map(|u| {
            format!(
                "NOT READ: {} ({})",
                visible::text(&u.path),
                visible::text(&u.reason)
            )
        }));
        if parts.is_empty() {
            "no input".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

impl DiffView {
    pub(super) fn sides(&self) -> [(&'static str, &SideView); 2] {
        [("before", &self.before), ("after", &self.after)]
    }

    /// The organization both sides are of.
    pub(super) fn organization_line(&self) -> String {
        let side = if self.before.organization.is_some() {
            &self.before
        } else {
            &self.after
        };
        match (&side.organization, &side.forest) {
            (Some(name), Some(forest)) => format!(
                "organization {} (forest {})",
                visible::text(name),
                visible::text(forest)
            ),
            _ => "inputs that name no Exchange organization".to_owned(),
        }
    }

    /// The closing line: what is unchanged, and how many changes.
    pub fn summary_line(&self) -> String {
        let s = &self.summary;
        let mut parts = vec![format!("{} server(s)", s.servers_unchanged)];
        if let Some(n) = s.send_connectors_unchanged {
            parts.push(format!("{n} Send connector(s)"));
        }
        if let Some(n) = s.routing_group_connectors_unchanged {
            parts.push(format!("{n} routing group connector(s)"));
        }
        parts.push(format!(
            "{} receive connector(s)",
            s.receive_connectors_unchanged
        ));
        if let Some(n) = s.findings_unchanged {
            parts.push(format!("{n} finding(s)"));
        }
        format!("Unchanged: {}. {} change(s).", parts.join(", "), s.changes)
    }

    /// One line per changed object: sign, kind, name, and what moved;
    /// then the settings that differ, one per line.
    fn object_lines(&self) -> Vec<(String, Vec<String>)> {
        let mut lines = Vec::new();
        for server in &self.servers {
            lines.push((
                format!(
                    "{} Server {}",
                    sign(server.change),
                    visible::name(&server.name)
                ),
                server.fields.iter().map(field_text).collect(),
            ));
        }
        for (kind, list) in [
            ("Send connector", &self.send_connectors),
            ("Routing group connector", &self.routing_group_connectors),
            ("", &self.other_connectors),
        ] {
            for connector in list {
                let kind = connector.kind.map_or(kind, sources::kind_heading);
                let mut line = format!(
                    "{} {kind} {}",
                    sign(connector.change),
                    visible::name(&connector.name)
                );
                let moved = moved_text(connector);
                if !moved.is_empty() {
                    line.push_str(": ");
                    line.push_str(&moved);
                }
                lines.push((line, connector.fields.iter().map(field_text).collect()));
            }
        }
        for receive in &self.receive_connectors {
            let server = receive
                .server
                .as_deref()
                .map(|s| format!(" on {}", visible::name(s)))
                .unwrap_or_default();
            lines.push((
                format!(
                    "{} Receive connector {}{server}",
                    sign(receive.change),
                    visible::name(&receive.name)
                ),
                Vec::new(),
            ));
        }
        lines
    }
}

fn sign(change: Change) -> char {
    match change {
        Change::Added => '+',
        Change::Removed => '-',
        Change::Changed => '~',
    }
}

/// `sources +EX2019 -EX2016A; targets +EX2019`, or nothing.
fn moved_text(connector: &ConnectorChangeView) -> String {
    let list = |label: &str, added: &[String], removed: &[String]| -> Option<String> {
        if added.is_empty() && removed.is_empty() {
            return None;
        }
        let items: Vec<String> = added
            .iter()
            .map(|s| format!("+{}", visible::name(s)))
            .chain(removed.iter().map(|s| format!("-{}", visible::name(s))))
            .collect();
        Some(format!("{label} {}", items.join(" ")))
    };
    let parts: Vec<String> = [
        list(
            "sources",
            &connector.sources_added,
            &connector.sources_removed,
        ),
        list(
            "targets",
            connector.targets_added.as_deref().unwrap_or(&[]),
            connector.targets_removed.as_deref().unwrap_or(&[]),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join("; ")
}

/// How a field is named for a person.
fn label(field: &str) -> &str {
    match field {
        "in_export" => "in export",
        "address_spaces" => "address spaces",
        "smart_hosts" => "smart hosts",
        "fqdn" => "FQDN",
        other => other,
    }
}

/// A value for a person: names through `visible::name`, text through
/// `visible::text`, `-` for none.
fn shown(value: &ValueView) -> String {
    match value {
        ValueView::Absent => "-".to_owned(),
        ValueView::Enabled(true) => "enabled".to_owned(),
        ValueView::Enabled(false) => "disabled".to_owned(),
        ValueView::Flag(true) => "yes".to_owned(),
        ValueView::Flag(false) => "no".to_owned(),
        ValueView::Number(n) => n.to_string(),
        ValueView::Name(name) => visible::name(name).into_owned(),
        ValueView::Text(text) => visible::text(text).into_owned(),
        ValueView::List(list) if list.is_empty() => "-".to_owned(),
        ValueView::List(list) => list
            .iter()
            .map(|v| visible::text(v).into_owned())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// `version: 15.2.1544.4 → 15.2.1748.10`; lists as `+added -removed`
/// (case-insensitively, as they were compared).
fn field_text(field: &FieldView) -> String {
    let name = label(field.field);
    if let (ValueView::List(before), ValueView::List(after)) = (&field.before, &field.after) {
        let lower = |list: &[String]| -> Vec<String> {
            list.iter().map(|v| v.trim().to_lowercase()).collect()
        };
        let (b, a) = (lower(before), lower(after));
        let mut items: Vec<String> = after
            .iter()
            .zip(&a)
            .filter(|(_, l)| !b.contains(l))
            .map(|(v, _)| format!("+{}", visible::text(v)))
            .collect();
        items.extend(
            before
                .iter()
                .zip(&b)
                .filter(|(_, l)| !a.contains(l))
                .map(|(v, _)| format!("-{}", visible::text(v))),
        );
        if !items.is_empty() {
            return format!("{name} {}", items.join(" "));
        }
    }
    format!("{name}: {} → {}", shown(&field.before), shown(&field.after))
}

/// What a side that cannot show the Send connectors leaves out, and why.
pub(super) fn not_compared(name: &str, side: &SideView) -> String {
    format!(
        "Send connectors, routing group connectors and findings are not compared: the {name} side \
         cannot show the Send connectors ({}).",
        side.send_connectors_reason
    )
}

/// Renders the report for a terminal.
pub fn write_table(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    writeln!(
        out,
        "Changes between two exports, {}",
        view.organization_line()
    )?;
    for (name, side) in view.sides() {
        writeln!(
            out,
            "  {name}:{:pad$} {}",
            "",
            side.inputs_line(),
            pad = 6 - name.len()
        )?;
    }
    writeln!(out)?;
    for (name, side) in view.sides() {
        for f in &side.not_shown {
            writeln!(out, "{}", visible::text(&not_compared(name, side)))?;
            writeln!(out, "  remedy: {}", visible::text(&f.remedy))?;
            writeln!(out)?;
        }
    }
    if !view.findings.is_empty() {
        writeln!(out, "Findings")?;
        for f in &view.findings {
            writeln!(
                out,
                "  {:8}  {}: {}",
                f.change,
                f.code,
                visible::text(&f.message)
            )?;
        }
        writeln!(out)?;
    }
    let lines = view.object_lines();
    for (line, details) in &lines {
        writeln!(out, "{line}")?;
        for detail in details {
            writeln!(out, "    {detail}")?;
        }
    }
    if lines.is_empty() && view.findings.is_empty() {
        if view.send_connectors_compared {
            writeln!(out, "No change.")?;
        } else {
            writeln!(out, "No change in what could be compared.")?;
        }
    }
    if !lines.is_empty() {
        writeln!(out)?;
    }
    writeln!(out, "{}", view.summary_line())
}

/// The rows of the objects table: (sign, kind, name, what changed).
pub(super) fn object_rows(view: &DiffView) -> Vec<(char, &'static str, String, Vec<String>)> {
    let mut rows = Vec::new();
    for server in &view.servers {
        rows.push((
            sign(server.change),
            "Server",
            visible::name(&server.name).into_owned(),
            server.fields.iter().map(field_text).collect(),
        ));
    }
    for (kind, list) in [
        ("Send connector", &view.send_connectors),
        ("Routing group connector", &view.routing_group_connectors),
        ("", &view.other_connectors),
    ] {
        for connector in list {
            let kind = connector.kind.map_or(kind, sources::kind_heading);
            let mut what: Vec<String> = Vec::new();
            let moved = moved_text(connector);
            if !moved.is_empty() {
                what.push(moved);
            }
            what.extend(connector.fields.iter().map(field_text));
            rows.push((
                sign(connector.change),
                kind,
                visible::name(&connector.name).into_owned(),
                what,
            ));
        }
    }
    for receive in &view.receive_connectors {
        rows.push((
            sign(receive.change),
            "Receive connector",
            visible::name(&receive.name).into_owned(),
            receive
                .server
                .as_deref()
                .map(|s| vec![format!("on {}", visible::name(s))])
                .unwrap_or_default(),
        ));
    }
    rows
}

/// Renders Markdown for a written report.
pub fn write_markdown(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    writeln!(out, "# Changes between two exports\n")?;
    writeln!(
        out,
        "{}\n",
        markdown::text(&capitalized(&view.organization_line()))
    )?;
    writeln!(out, "| Side | Inputs | Send connectors shown |")?;
    writeln!(out, "|---|---|---|")?;
    for (name, side) in view.sides() {
        writeln!(
            out,
            "| {name} | {} | {} |",
            markdown::text(&side.inputs_line()),
            if side.send_connectors_shown {
                "yes".to_owned()
            } else {
                format!("no: {}", markdown::text(&side.send_connectors_reason))
            }
        )?;
    }
    writeln!(out)?;
    for (name, side) in view.sides() {
        for f in &side.not_shown {
            writeln!(
                out,
                "> **BLOCKER {}**: {}\n>\n> Remedy: {}\n",
                f.code,
                markdown::text(&not_compared(name, side)),
                markdown::text(&f.remedy)
            )?;
        }
    }
    if view.send_connectors_compared {
        writeln!(out, "## Findings\n")?;
        if view.findings.is_empty() {
            writeln!(out, "No finding appeared or was resolved.\n")?;
        } else {
            writeln!(out, "| Change | Severity | Code | Message |")?;
            writeln!(out, "|---|---|---|---|")?;
            for f in &view.findings {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    f.change,
                    f.severity,
                    f.code,
                    markdown::text(&f.message)
                )?;
            }
            writeln!(out)?;
        }
    }
    writeln!(out, "## Objects\n")?;
    let rows = object_rows(view);
    if rows.is_empty() {
        writeln!(out, "No object changed.\n")?;
    } else {
        writeln!(out, "| Change | Kind | Name | What changed |")?;
        writeln!(out, "|---|---|---|---|")?;
        for (sign, kind, name, what) in rows {
            let sign = match sign {
                '+' => "added",
                '-' => "removed",
                _ => "changed",
            };
            writeln!(
                out,
                "| {sign} | {kind} | {} | {} |",
                markdown::text(&name),
                markdown::text(&what.join("; "))
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "{}", markdown::text(&view.summary_line()))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_show_what_was_added_and_removed() {
        let field = FieldView {
            field: "address_spaces",
            before: ValueView::List(vec!["SMTP:*;1".into(), "SMTP:a.com;1".into()]),
            after: ValueView::List(vec!["smtp:*;1".into(), "SMTP:b.com;1".into()]),
        };
        assert_eq!(
            field_text(&field),
            "address spaces +SMTP:b.com;1 -SMTP:a.com;1"
        );
        let field = FieldView {
            field: "name",
            before: ValueView::Name("Relay\u{202e}".into()),
            after: ValueView::Name("Relay".into()),
        };
        assert_eq!(field_text(&field), "name: \"Relay\\u{202e}\" → Relay");
        let field = FieldView {
            field: "enabled",
            before: ValueView::Enabled(true),
            after: ValueView::Enabled(false),
        };
        assert_eq!(field_text(&field), "enabled: enabled → disabled");
    }
}
