//! What the self-contained HTML reports share: the page skeleton (one
//! file, no external scripts, fonts or styles; tables sort when their header
//! is clicked; the inputs and their SHA-256 in the footer; readable printed),
//! its CSS and script, sortable tables, escaped lists, the blocker notice,
//! the inline SVG graph section, the foreign and Delivery Agent connectors
//! section, and the page of a run that read nothing. Each view's page lives
//! in its own folder (`sources/html.rs`, `plan/html.rs`,
//! `inventory/html.rs`, `diff/html.rs`).

use std::io::{self, Write};

use crate::report::diagram::{svg, xml_text as esc};
use crate::report::sources::{self, InputView, OtherConnectorView, SourcesReport, UnreadableView};
use crate::report::FindingSummary;

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1b2430;max-width:80rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
.meta{color:#556;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.88rem}
th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:' ▲'}th[aria-sort=descending]::after{content:' ▼'}
tr.row-blocker td:first-child{border-left:4px solid #c0392b}tr.row-warning td:first-child{border-left:4px solid #d68910}
.blocker{color:#a93226;font-weight:600}.ok{color:#1e8449;font-weight:600}
code{font-family:ui-monospace,Consolas,monospace;font-size:.85em;word-break:break-all}
figure{overflow-x:auto;margin:0}
footer{margin-top:2.5rem;font-size:.8rem;color:#556;border-top:1px solid #ccd;padding-top:.5rem}
@media print{body{margin:0;max-width:none}th{cursor:auto}th::after{content:''!important}tr{page-break-inside:avoid}h2{page-break-after:avoid}}
";

const SORT_SCRIPT: &str = "
document.querySelectorAll('table.sortable th').forEach(function(th){
  th.addEventListener('click',function(){
    var table=th.closest('table'),body=table.tBodies[0],index=Array.prototype.indexOf.call(th.parentNode.children,th);
    var ascending=th.getAttribute('aria-sort')!=='ascending';
    table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
    th.setAttribute('aria-sort',ascending?'ascending':'descending');
    var rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){
      var x=a.cells[index].textContent.trim(),y=b.cells[index].textContent.trim();
      var n=x.localeCompare(y,undefined,{numeric:true,sensitivity:'base'});
      return ascending?n:-n;
    });
    rows.forEach(function(r){body.appendChild(r)});
  });
});
";

/// A sortable table: headers and rows of already escaped HTML cells.
pub(super) fn table(id: &str, headers: &[&str], rows: &[(String, Vec<String>)]) -> String {
    let mut html = format!("<table class=\"sortable\" id=\"{id}\"><thead><tr>");
    for header in headers {
        html.push_str(&format!("<th scope=\"col\">{}</th>", esc(header)));
    }
    html.push_str("</tr></thead><tbody>");
    for (class, cells) in rows {
        if class.is_empty() {
            html.push_str("<tr>");
        } else {
            html.push_str(&format!("<tr class=\"row-{class}\">"));
        }
        for cell in cells {
            html.push_str(&format!("<td>{cell}</td>"));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// Values in a cell, comma-separated and escaped for HTML.
pub(super) fn escaped_list(items: &[String]) -> String {
    esc(&items.join(", "))
}

/// The page around `body`, with the inputs in the footer.
pub(super) fn page(
    out: &mut impl Write,
    title: &str,
    subtitle: &str,
    body: &str,
    inputs: &[InputView],
    unreadable: &[UnreadableView],
) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"exconn {}\"><title>{}</title><style>{STYLE}</style></head><body>\
         <h1>{}</h1><p class=\"meta\">{}</p>{body}<footer><p>Read by exconn {}:</p><ul>",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        esc(title),
        esc(subtitle),
        env!("CARGO_PKG_VERSION")
    )?;
    for input in inputs {
        write!(
            out,
            "<li><code>{}</code> — {} ({}), {} bytes, {} entries, {} skipped, SHA-256 <code>{}</code></li>",
            esc(&input.path),
            input.format,
            input.encoding,
            input.bytes,
            input.entries,
            input.skipped,
            input.sha256
        )?;
    }
    for unreadable in unreadable {
        write!(
            out,
            "<li class=\"blocker\">NOT READ: <code>{}</code> — {}</li>",
            esc(&unreadable.path),
            esc(&unreadable.reason)
        )?;
    }
    writeln!(
        out,
        "</ul></footer><script>{SORT_SCRIPT}</script></body></html>"
    )
}

pub(super) fn graph_section(report: &SourcesReport) -> String {
    format!(
        "<h2 id=\"graph\">Graph</h2><figure>{}<figcaption class=\"meta\">Servers (left) and the Send connectors \
         they are a source of (right). Orange: Edge; grey: not in the export; red: a connector \
         without a source.</figcaption></figure>",
        svg(report)
    )
}

/// Blockers that come before everything else (the inputs cannot show the
/// Send connectors), or nothing.
pub(super) fn notice(findings: &[FindingSummary]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "<p class=\"blocker\"><strong>BLOCKER {}</strong>: {}</p><p>Remedy: <code>{}</code></p>",
                f.code,
                esc(&f.message),
                esc(&f.remedy)
            )
        })
        .collect()
}

/// The page of a run that read nothing: only what could not be read.
pub(crate) fn write_nothing_read(
    out: &mut impl Write,
    headline: &str,
    unreadable: &[UnreadableView],
) -> io::Result<()> {
    let mut body = String::from("<ul>");
    for input in unreadable {
        body.push_str(&format!(
            "<li class=\"blocker\">NOT READ: <code>{}</code> — {}</li>",
            esc(&input.path),
            esc(&input.reason)
        ));
    }
    body.push_str("</ul>");
    page(out, "Nothing was read", headline, &body, &[], &[])
}

/// The foreign and Delivery Agent connectors with their sources (nothing
/// when there is none).
pub(super) fn other_connectors_section(connectors: &[OtherConnectorView]) -> String {
    if connectors.is_empty() {
        return String::new();
    }
    let rows: Vec<(String, Vec<String>)> = connectors
        .iter()
        .map(|c| {
            let class = if c.source_servers.is_empty() {
                "warning"
            } else {
                ""
            };
            (
                class.to_owned(),
                vec![
                    esc(&c.name),
                    esc(sources::kind_label(c.kind)),
                    escaped_list(&c.address_spaces),
                    escaped_list(&c.source_servers),
                    escaped_list(&c.unresolved_sources),
                ],
            )
        })
        .collect();
    let mut section = "<h2>Foreign and Delivery Agent connectors</h2>".to_owned();
    section.push_str(&table(
        "other-connectors",
        &[
            "Connector (Setup does not count it)",
            "Kind",
            "Address spaces",
            "Source servers",
            "Unresolved sources",
        ],
        &rows,
    ));
    section
}
