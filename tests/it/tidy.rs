//! ARCHITECTURE.md's invariants that can be read off the source text, held
//! by a test so that a change which breaks one fails here rather than in a
//! review. Each check names the invariant it holds.

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to `src/` (with `/`).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).unwrap();
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (name, fs::read_to_string(&path).unwrap())
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The text of a file before its `#[cfg(test)]` module: what ships.
fn shipped(text: &str) -> &str {
    text.find("#[cfg(test)]").map_or(text, |at| &text[..at])
}

/// The lines of shipped code that hold `needle`, outside comments.
fn code_lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    shipped(text)
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .filter(|line| line.contains(needle))
        .collect()
}

fn offenders(allowed: impl Fn(&str) -> bool, needles: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(name, _)| !allowed(name))
        .flat_map(|(name, text)| {
            needles
                .iter()
                .flat_map(|needle| {
                    code_lines_with(&text, needle)
                        .into_iter()
                        .map(|line| format!("{name}: {}", line.trim()))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn only_report_knows_serde() {
    // Invariant: domain types are not `Serialize`; only `report/` knows output
    // formats. (Readers may parse JSON input with serde_json; none writes it.)
    let found = offenders(
        |name| name.starts_with("report/"),
        &["Serialize", "serde_json::to_", "serde_json::json!"],
    );
    assert!(
        found.is_empty(),
        "serde outside report/:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_binary_writes_to_the_terminal() {
    // Invariant: only `app` (and `main.rs`) write to stdout or stderr.
    let found = offenders(
        |name| name.starts_with("app/") || name == "main.rs",
        &[
            "println!",
            "print!(",
            "eprint!(",
            "std::io::stdout",
            "std::io::stderr",
            "process::exit",
        ],
    );
    assert!(
        found.is_empty(),
        "terminal output outside app/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_library_does_not_export_the_command_line() {
    // Invariant: the binary owns app/ (cli, exit, term); lib.rs declares none of it.
    let lib = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    for module in ["app", "cli", "exit", "term"] {
        assert!(
            !lib.lines()
                .any(|l| l.trim().ends_with(&format!("mod {module};"))),
            "lib.rs declares `{module}`"
        );
    }
}

#[test]
fn readers_do_not_touch_the_filesystem() {
    // Invariant: input/source is the only place that opens files for reading.
    let found = offenders(
        |name| !name.starts_with("input/") || name.starts_with("input/source"),
        &["std::fs", "File::open", "fs::read", "OpenOptions"],
    );
    assert!(
        found.is_empty(),
        "a reader touches the filesystem:\n{}",
        found.join("\n")
    );
}

#[test]
fn redaction_maps_parsed_names_and_never_parses() {
    // Invariant: redaction works on parsed names; no path re-parses (and so
    // none can fall back to the real text when a parse fails).
    let found = offenders(
        |name| !name.starts_with("analysis/redact"),
        &["Dn::parse", "::parse("],
    );
    assert!(
        found.is_empty(),
        "redaction parses text:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_domain_layer_holds_no_finished_text_for_findings() {
    // Invariant: findings are data; English and commands are produced in report/.
    let found = offenders(
        |name| !name.starts_with("analysis/"),
        &["report::powershell", "crate::powershell"],
    );
    assert!(
        found.is_empty(),
        "analysis builds commands:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_grab_bag_modules() {
    // Style: one module per concern named for what it owns.
    let found: Vec<String> = sources()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| {
            let file = name.rsplit('/').next().unwrap();
            matches!(
                file,
                "util.rs" | "utils.rs" | "helpers.rs" | "misc.rs" | "common.rs"
            )
        })
        .collect();
    assert!(found.is_empty(), "grab-bag modules: {found:?}");
}

#[test]
fn every_file_does_one_job_in_at_most_600_lines() {
    // Style: a file that grows past this holds more than one job; split it
    // by what each part owns. Tests below `#[cfg(test)]` do not count.
    let found: Vec<String> = sources()
        .into_iter()
        .map(|(name, text)| (name, shipped(&text).lines().count()))
        .filter(|(_, lines)| *lines > 600)
        .map(|(name, lines)| format!("{name}: {lines} lines"))
        .collect();
    assert!(
        found.is_empty(),
        "files over 600 lines:\n{}",
        found.join("\n")
    );
}
