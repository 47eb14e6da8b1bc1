//! The README's examples are run and their output compared, so that they
//! stay true. A `text` block whose lines start with `$ exconn …` (or
//! `$ grep PATTERN FILE`, on a file an earlier command wrote) is a session:
//! the lines after a command are its expected output, where a line `...`
//! stands for any number of lines. Commands run in a scratch folder that
//! sees the project's `fixtures/`.

use std::path::Path;
use std::process::Command;

/// (command line, expected output lines) for every session in the README.
fn sessions(readme: &str) -> Vec<Vec<(String, Vec<String>)>> {
    let mut sessions = Vec::new();
    let mut in_text = false;
    let mut current: Vec<(String, Vec<String>)> = Vec::new();
    for line in readme.lines() {
        if !in_text {
            in_text = line.trim() == "```text";
            continue;
        }
        if line.trim() == "```" {
            in_text = false;
            if !current.is_empty() {
                sessions.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            current.push((command.to_owned(), Vec::new()));
        } else if let Some((_, expected)) = current.last_mut() {
            expected.push(line.to_owned());
        }
    }
    sessions
}

/// Whether `actual` matches `expected`, where a `...` line matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first() == Some(&first.as_str()) && matches(rest, &actual[1..])
        }
    }
}

fn run(command: &str, dir: &Path) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["exconn", args @ ..] => {
            let out = Command::new(env!("CARGO_BIN_EXE_exconn"))
                .args(args)
                .current_dir(dir)
                .output()
                .expect("exconn runs");
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
        ["grep", pattern, file] => std::fs::read_to_string(dir.join(file))
            .unwrap_or_else(|e| panic!("`{command}`: {e}"))
            .lines()
            .filter(|line| line.contains(pattern))
            .map(|line| format!("{line}\n"))
            .collect(),
        _ => panic!("README example `{command}` is neither exconn nor grep"),
    }
}

#[test]
fn every_readme_example_gives_the_output_shown() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let sessions = sessions(&readme);
    let commands: Vec<&str> = sessions
        .iter()
        .flatten()
        .filter_map(|(command, _)| command.strip_prefix("exconn "))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    for subcommand in [
        "sources",
        "check",
        "plan",
        "inventory",
        "diff",
        "dump",
        "completions",
        "manpage",
    ] {
        assert!(
            commands.contains(&subcommand),
            "the README has no example of `exconn {subcommand}`"
        );
    }
    let mut failures = Vec::new();
    for session in &sessions {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root.join("fixtures"), &dir.path().join("fixtures"));
        for (command, expected) in session {
            let output = run(command, dir.path());
            let actual: Vec<&str> = output.lines().collect();
            if !matches(expected, &actual) {
                failures.push(format!(
                    "`{command}`\n--- README:\n{}\n--- actual:\n{output}",
                    expected.join("\n")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_wildcard_matches_any_run_of_lines() {
    let expected: Vec<String> = ["a", "...", "d"].iter().map(|s| (*s).to_owned()).collect();
    assert!(matches(&expected, &["a", "b", "c", "d"]));
    assert!(matches(&expected, &["a", "d"]));
    assert!(!matches(&expected, &["a", "b"]));
    assert!(!matches(&expected, &["x", "d"]));
}

/// Copies a directory tree (what a symlink would do, on every platform).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
