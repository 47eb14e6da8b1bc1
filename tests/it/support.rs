//! Running the built binary and reading what it printed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What one run of `exconn` produced.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `exconn` with `args`.
pub fn exconn(args: &[&str]) -> Run {
    Command::new(env!("CARGO_BIN_EXE_exconn"))
        .args(args)
        .output()
        .expect("the exconn binary runs")
        .into()
}

/// Runs `exconn` with `args`, feeding `stdin`.
pub fn exconn_stdin(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_exconn"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the exconn binary starts");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap().into()
}

/// A file under `fixtures/`.
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Writes `bytes` to a fresh temporary file and returns its directory and path.
pub fn temp_file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path.to_string_lossy().into_owned())
}

/// Parses JSON Lines output.
pub fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// What a CommonMark renderer would act on in `text`, each with what
/// surrounds it: every `<` (a tag or an autolink), `![` (an image), `](`
/// (a link) and `&…;` (an entity) that no backslash before it makes literal.
pub fn markdown_markup(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut escaped = false;
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let acts = match c {
            '\\' => {
                escaped = true;
                false
            }
            '<' => true,
            '!' => next == Some('['),
            ']' => next == Some('('),
            '&' => starts_entity(&chars[i + 1..]),
            _ => false,
        };
        if acts {
            let around = &chars[i.saturating_sub(20)..(i + 20).min(chars.len())];
            found.push(around.iter().collect());
        }
    }
    found
}

/// Whether `rest` (what follows a `&`) is the rest of an entity: a name or
/// a `#` number, then `;`.
fn starts_entity(rest: &[char]) -> bool {
    let body = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    body > 0 && rest.get(body) == Some(&';')
}
