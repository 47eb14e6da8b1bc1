//! The server ↔ connector graph drawn: Graphviz DOT, Mermaid, and an inline
//! SVG for the HTML report.
//!
//! Servers point to the Send connectors they are a source of; routing group
//! connectors are dashed server-to-server edges. Node identifiers are
//! positional (`s0`, `c0`), so names never need escaping as identifiers;
//! labels are escaped for each language. Everything is drawn from the
//! [`SourcesReport`] view, like the report's other formats.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::report::sources::{ConnectorView, ServerView, SourcesReport};
use crate::visible;

fn server_label(server: &ServerView) -> String {
    let mut label = visible::name(&server.name).into_owned();
    if let Some(product) = server.product {
        label.push('\n');
        label.push_str(product);
    }
    if server.edge {
        label.push_str("\n(Edge)");
    }
    if !server.in_export {
        label.push_str("\n(not in export)");
    }
    label
}

fn connector_label(c: &ConnectorView) -> String {
    let spaces: Vec<String> = c
        .address_spaces
        .iter()
        .map(|a| visible::text(a).into_owned())
        .collect();
    let mut label = visible::name(&c.name).into_owned();
    if !spaces.is_empty() {
        label.push('\n');
        label.push_str(&spaces.join(" "));
    }
    if !c.enabled {
        label.push_str("\n(disabled)");
    }
    label
}

fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes the graph in Graphviz DOT.
pub fn write_dot(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    writeln!(out, "digraph exconn {{")?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(out, "  node [fontname=\"Helvetica\", fontsize=10];")?;
    for (i, server) in report.servers.iter().enumerate() {
        let style = if server.edge {
            ", style=filled, fillcolor=\"#fde2c8\""
        } else if !server.in_export {
            ", style=dashed"
        } else {
            ""
        };
        writeln!(
            out,
            "  s{i} [shape=box, label={}{style}];",
            dot_string(&server_label(server))
        )?;
    }
    for (i, c) in report.send_connectors.iter().enumerate() {
        let style = if c.sources.is_empty() {
            ", color=red"
        } else if !c.enabled {
            ", style=dashed"
        } else {
            ""
        };
        writeln!(
            out,
            "  c{i} [shape=ellipse, label={}{style}];",
            dot_string(&connector_label(c))
        )?;
        for &server in &c.sources {
            writeln!(out, "  s{server} -> c{i};")?;
        }
    }
    for rgc in &report.routing_group_connectors {
        for &source in &rgc.sources {
            for &target in &rgc.targets {
                writeln!(
                    out,
                    "  s{source} -> s{target} [style=dashed, label={}];",
                    dot_string(&visible::name(&rgc.name))
                )?;
            }
        }
    }
    writeln!(out, "}}")
}

fn mermaid_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes the graph as a Mermaid flowchart.
pub fn write_mermaid(out: &mut impl Write, report: &SourcesReport) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for (i, server) in report.servers.iter().enumerate() {
        writeln!(out, "  s{i}[{}]", mermaid_string(&server_label(server)))?;
    }
    for (i, c) in report.send_connectors.iter().enumerate() {
        writeln!(out, "  c{i}([{}])", mermaid_string(&connector_label(c)))?;
        for &server in &c.sources {
            writeln!(out, "  s{server} --> c{i}")?;
        }
    }
    for rgc in &report.routing_group_connectors {
        for &source in &rgc.sources {
            for &target in &rgc.targets {
                writeln!(
                    out,
                    "  s{source} -.->|{}| s{target}",
                    mermaid_string(&visible::name(&rgc.name))
                )?;
            }
        }
    }
    Ok(())
}

/// Escapes text for XML and HTML content and attribute values; control,
/// bidi and line-separator characters are shown escaped (`\n`, `\u{202e}`).
pub(crate) fn xml_text(text: &str) -> String {
    quick_xml::escape::escape(visible::text(text).as_ref()).into_owned()
}

/// Text that fits a box: at most 34 characters, with an ellipsis when cut.
fn shorten(text: &str) -> String {
    if text.chars().count() <= 34 {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(33).collect();
    short.push('…');
    short
}

const ROW: usize = 34;
const BOX_WIDTH: usize = 230;
const GAP: usize = 260;

/// The graph as an SVG drawing: servers on the left, Send connectors on the
/// right, an arrow for each source; red for connectors without a source.
pub fn svg(report: &SourcesReport) -> String {
    let rows = report
        .servers
        .len()
        .max(report.send_connectors.len())
        .max(1);
    let width = 2 * BOX_WIDTH + GAP + 20;
    let height = rows * ROW + 40;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Servers and the Send connectors they are a source of\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = write!(
        svg,
        "<text x=\"10\" y=\"16\" font-weight=\"bold\">Servers</text>\
         <text x=\"{}\" y=\"16\" font-weight=\"bold\">Send connectors</text>",
        10 + BOX_WIDTH + GAP
    );
    let y = |row: usize| 28 + row * ROW;
    for (i, c) in report.send_connectors.iter().enumerate() {
        for &server in &c.sources {
            let _ = write!(
                svg,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#5b6b7f\" stroke-width=\"1.2\"/>",
                10 + BOX_WIDTH,
                y(server) + 12,
                10 + BOX_WIDTH + GAP,
                y(i) + 12
            );
        }
    }
    for (i, server) in report.servers.iter().enumerate() {
        let fill = if server.edge {
            "#fde2c8"
        } else if server.in_export {
            "#dbe8f7"
        } else {
            "#eeeeee"
        };
        let _ = write!(
            svg,
            "<g class=\"server\"><title>{}</title><rect x=\"10\" y=\"{}\" width=\"{BOX_WIDTH}\" height=\"24\" rx=\"3\" fill=\"{fill}\" stroke=\"#33415c\"/>\
             <text x=\"16\" y=\"{}\">{}</text></g>",
            xml_text(&server.name),
            y(i),
            y(i) + 16,
            xml_text(&shorten(&server_label(server).replace("Exchange Server ", "").replace('\n', " · ")))
        );
    }
    for (i, c) in report.send_connectors.iter().enumerate() {
        let stroke = if c.sources.is_empty() {
            "#c0392b"
        } else {
            "#33415c"
        };
        let _ = write!(
            svg,
            "<g class=\"connector\"><title>{}</title><rect x=\"{}\" y=\"{}\" width=\"{BOX_WIDTH}\" height=\"24\" rx=\"12\" fill=\"#ffffff\" stroke=\"{stroke}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text></g>",
            xml_text(&c.name),
            10 + BOX_WIDTH + GAP,
            y(i),
            18 + BOX_WIDTH + GAP,
            y(i) + 16,
            xml_text(&shorten(&visible::name(&c.name)))
        );
    }
    svg.push_str("</svg>");
    svg
}
