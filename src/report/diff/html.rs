//! The `diff` report as one self-contained HTML page: the blockers of a
//! side that cannot show the Send connectors, the summary, then sortable
//! tables of the findings, the objects and the inputs.

use std::io::{self, Write};

use super::text::{not_compared, object_rows};
use super::DiffView;
use crate::analysis::diff::FindingState;
use crate::analysis::findings::Code;
use crate::report::diagram::xml_text as esc;
use crate::report::html;
use crate::report::sources::{InputView, UnreadableView};

/// A sortable table, or a sentence when it would be empty.
fn table_or(id: &str, headers: &[&str], rows: &[(String, Vec<String>)], empty: &str) -> String {
    if rows.is_empty() {
        format!("<p>{}</p>", esc(empty))
    } else {
        html::table(id, headers, rows)
    }
}

/// Renders one self-contained HTML page (findings first).
pub fn write_html(out: &mut impl Write, view: &DiffView) -> io::Result<()> {
    let mut body = String::new();
    for (name, side) in view.sides() {
        if !side.not_shown.is_empty() {
            body.push_str(&format!(
                "<p class=\"blocker\"><strong>BLOCKER {}</strong>: {}</p><p>Remedy: <code>{}</code></p>",
                Code::SendConnectorsNotInExport,
                esc(&not_compared(name, side)),
                esc(&side.not_shown.iter().map(|f| f.remedy.as_str()).collect::<String>())
            ));
        }
    }
    body.push_str(&format!(
        "<p><strong>{}</strong></p>",
        esc(&view.summary_line())
    ));
    if view.send_connectors_compared {
        body.push_str("<h2>Findings</h2>");
        let rows: Vec<(String, Vec<String>)> = view
            .findings
            .iter()
            .map(|f| {
                (
                    if f.change == FindingState::New {
                        f.severity.to_string()
                    } else {
                        String::new()
                    },
                    vec![
                        esc(&f.change.to_string()),
                        esc(&f.severity.to_string()),
                        esc(&f.code.to_string()),
                        esc(f.server.as_deref().unwrap_or("")),
                        esc(f.connector.as_deref().unwrap_or("")),
                        esc(&f.message),
                    ],
                )
            })
            .collect();
        body.push_str(&table_or(
            "diff-findings",
            &[
                "Change",
                "Severity",
                "Code",
                "Server",
                "Connector",
                "Finding",
            ],
            &rows,
            "No finding appeared or was resolved.",
        ));
    }
    body.push_str("<h2>Objects</h2>");
    let rows: Vec<(String, Vec<String>)> = object_rows(view)
        .into_iter()
        .map(|(sign, kind, name, what)| {
            let change = match sign {
                '+' => "added",
                '-' => "removed",
                _ => "changed",
            };
            (
                String::new(),
                vec![
                    change.to_owned(),
                    esc(kind),
                    esc(&name),
                    what.iter().map(|w| esc(w)).collect::<Vec<_>>().join("<br>"),
                ],
            )
        })
        .collect();
    body.push_str(&table_or(
        "diff-objects",
        &["Change", "Kind", "Name", "What changed"],
        &rows,
        "No object changed.",
    ));
    body.push_str("<h2>Inputs</h2>");
    let rows: Vec<(String, Vec<String>)> = view
        .sides()
        .into_iter()
        .map(|(name, side)| {
            (
                if side.send_connectors_shown {
                    String::new()
                } else {
                    "blocker".to_owned()
                },
                vec![
                    name.to_owned(),
                    esc(&side.inputs_line()),
                    if side.send_connectors_shown {
                        "yes".to_owned()
                    } else {
                        format!("no: {}", esc(&side.send_connectors_reason))
                    },
                ],
            )
        })
        .collect();
    body.push_str(&html::table(
        "diff-inputs",
        &["Side", "Inputs", "Send connectors shown"],
        &rows,
    ));
    let inputs: Vec<InputView> = view
        .before
        .input_views
        .iter()
        .chain(&view.after.input_views)
        .cloned()
        .collect();
    let unreadable: Vec<UnreadableView> = view
        .before
        .unreadable
        .iter()
        .chain(&view.after.unreadable)
        .cloned()
        .collect();
    html::page(
        out,
        "Changes between two exports",
        &format!(
            "exconn diff: {}, before and after.",
            view.organization_line()
        ),
        &body,
        &inputs,
        &unreadable,
    )
}
