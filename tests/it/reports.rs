//! The HTML reports rendered in a real browser (headless Chromium), and the
//! graph formats checked by their own tools where present.
//!
//! Chromium is looked up on the PATH; without it these tests say so and pass,
//! unless `EXCONN_REQUIRE_CHROMIUM` is set (as `.ci/run` does after
//! installing it), in which case they fail. Screenshots are kept in
//! `tests/artifacts/` for a person to look at.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{exconn, fixture};

fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("which").arg(name).output().ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        });
    if found.is_none() {
        assert!(
            std::env::var_os("EXCONN_REQUIRE_CHROMIUM").is_none(),
            "EXCONN_REQUIRE_CHROMIUM is set but no Chromium is on the PATH"
        );
        eprintln!(
            "skipped: no Chromium on the PATH (set EXCONN_REQUIRE_CHROMIUM to make this fail)"
        );
    }
    found
}

fn headless(browser: &Path, args: &[&str]) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .args(args)
        .output()
        .expect("Chromium runs")
}

/// Writes `exconn ARGS` output to `name` in a temporary folder, renders it,
/// saves a screenshot as a test artifact, and returns the DOM.
fn render(browser: &Path, name: &str, args: &[&str]) -> String {
    let run = exconn(args);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let html = &run.stdout;
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: nothing is fetched.
    for external in ["src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(
            !html.contains(external),
            "{name}: external resource `{external}`"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join(format!("{name}.html"));
    std::fs::write(&page, html).unwrap();
    let url = format!("file://{}", page.display());
    let dom = headless(browser, &["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    let shot = artifacts.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let screenshot = format!("--screenshot={}", shot.display());
    headless(browser, &[&screenshot, "--window-size=1280,2400", &url]);
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{name}: empty screenshot"
    );
    String::from_utf8_lossy(&dom.stdout).into_owned()
}

/// The text of the element with `id` in a DOM dump, roughly: from its start tag to the next table end.
fn section<'d>(dom: &'d str, id: &str) -> &'d str {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let end = dom[start..]
        .find("</table>")
        .map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

#[test]
fn the_sources_report_renders_with_its_servers_connectors_findings_and_graph() {
    let Some(browser) = chromium() else { return };
    let sample = fixture("contoso.ldif");
    let dom = render(
        &browser,
        "sources",
        &["sources", "--format", "html", &sample],
    );
    let servers = section(&dom, "servers");
    for server in ["EDGE01", "EX2003", "EX2010", "EX2016A", "EX2019", "GHOST01"] {
        assert!(
            servers.contains(server),
            "{server} missing from the servers table"
        );
    }
    let connectors = section(&dom, "send-connectors");
    for connector in [
        "Internet",
        "Legacy SMTP",
        "Partner, Relay",
        "Orphan",
        "Envoi vers l'Été",
    ] {
        assert!(connectors.contains(connector), "{connector} missing");
    }
    let findings = section(&dom, "findings");
    assert_eq!(
        findings.matches("ServerIsSourceForSendConnector").count(),
        5
    );
    assert!(findings.contains("EdgeServerIsSource"));
    // Findings come before everything else.
    assert!(dom.find("id=\"findings\"") < dom.find("id=\"servers\""));
    // The graph: one box per server and per Send connector.
    assert_eq!(dom.matches("<g class=\"server\">").count(), 6);
    assert_eq!(dom.matches("<g class=\"connector\">").count(), 9);
    assert!(dom.contains("cbb0af5ba5c854c15b73d0446797a5ce1315d61627cd82cf55f37da49e3f69ff"));
}

#[test]
fn the_plan_and_inventory_reports_render() {
    let Some(browser) = chromium() else { return };
    let sample = fixture("contoso.ldif");
    let plan = render(
        &browser,
        "plan",
        &[
            "plan",
            "--remove",
            "EX2003,EX2010",
            "--format",
            "html",
            &sample,
        ],
    );
    let send = section(&plan, "plan-send");
    assert!(send.contains("Legacy SMTP") && send.contains("BLOCKER"));
    assert!(section(&plan, "plan-rgc").contains("Interop RGC"));
    let inventory = render(
        &browser,
        "inventory",
        &[
            "inventory",
            "--date",
            "2026-11-24",
            "--format",
            "html",
            &sample,
        ],
    );
    assert!(section(&inventory, "inventory-servers").contains("out of support since 2014-04-08"));
    assert!(section(&inventory, "inventory-receive").contains("custom: re-create"));
}

#[test]
fn dot_and_mermaid_draw_every_source_edge() {
    let sample = fixture("contoso.ldif");
    let dot = exconn(&["sources", "--format", "dot", &sample]).stdout;
    // 10 source pairs (EDGE01 2, EX2003, EX2010, EX2016A 3, EX2019 2, GHOST01), plus the RGC edge.
    assert_eq!(dot.matches(" -> c").count(), 10, "{dot}");
    assert_eq!(
        dot.matches("style=dashed, label=\"Interop RGC\"").count(),
        1
    );
    let mermaid = exconn(&["sources", "--format", "mermaid", &sample]).stdout;
    assert!(mermaid.starts_with("flowchart LR\n"));
    assert_eq!(mermaid.matches(" --> c").count(), 10, "{mermaid}");
    assert!(mermaid.contains("Envoi vers l'Été"));
    // Graphviz, when installed, must accept the DOT.
    if let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
    {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
    }
}
