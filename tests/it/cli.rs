//! The command line's contract: exit codes, stdout/stderr split, stdin.

use base64::Engine;

use crate::support::{exconn, exconn_stdin, json_lines, temp_file};

#[test]
fn exit_0_when_everything_was_read() {
    let (_dir, path) = temp_file("ok.ldif", b"dn: cn=a\ncn: a\n\n");
    let run = exconn(&["dump", "--strict", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_eq!(json_lines(&run.stdout).len(), 1);
}

#[test]
fn exit_2_for_a_missing_file_with_a_one_line_reason() {
    let run = exconn(&["dump", "/nonexistent/export.ldif"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(
        run.stderr.contains("/nonexistent/export.ldif"),
        "{}",
        run.stderr
    );
}

#[test]
fn exit_2_for_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = exconn(&["dump", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("no files in this directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn exit_2_for_input_that_is_not_ldif() {
    let (_dir, path) = temp_file("x.xml", b"<?xml version=\"1.0\"?>\n<html/>");
    let run = exconn(&["dump", &path]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("found XML"), "{}", run.stderr);
}

#[test]
fn exit_2_for_a_usage_error() {
    assert_eq!(exconn(&["dump"]).code, 2);
    assert_eq!(exconn(&["dump", "--format", "yaml", "x"]).code, 2);
    assert_eq!(exconn(&["frobnicate"]).code, 2);
    assert_eq!(exconn(&["dump", "-", "-"]).code, 2);
}

#[test]
fn help_and_version_exit_0_and_help_shows_the_exit_codes() {
    let help = exconn(&["--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Exit status:"));
    assert_eq!(exconn(&["--version"]).code, 0);
}

#[test]
fn diagnostics_go_to_stderr_and_exit_0_without_strict() {
    let (_dir, path) = temp_file(
        "bad.ldif",
        b"dn: cn=a\ncn: a\n\ndn: cn=b\ncn:: !!\n\ndn: cn=c\ncn: c\n",
    );
    let run = exconn(&["dump", &path]);
    assert_eq!(run.code, 0);
    assert_eq!(json_lines(&run.stdout).len(), 2);
    let expected = format!("{path}:5:1: error: expected base64 after '::'");
    assert!(run.stderr.starts_with(&expected), "{}", run.stderr);
}

#[test]
fn strict_turns_any_diagnostic_into_exit_2() {
    let (_dir, path) = temp_file("url.ldif", b"dn: cn=a\njpegPhoto:< file:///etc/passwd\n");
    let lenient = exconn(&["dump", &path]);
    assert_eq!(lenient.code, 0);
    assert!(lenient.stderr.contains("warning"), "{}", lenient.stderr);
    assert_eq!(exconn(&["dump", "--strict", &path]).code, 2);
}

#[test]
fn url_values_are_never_read() {
    let (_dir, path) = temp_file("url.ldif", b"dn: cn=a\njpegPhoto:< file:///etc/passwd\n");
    let run = exconn(&["dump", &path]);
    let records = json_lines(&run.stdout);
    assert_eq!(
        records[0]["attrs"][0][1],
        serde_json::json!({"url": "file:///etc/passwd"})
    );
    assert!(!run.stdout.contains("root:"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let run = exconn_stdin(&["dump", "-"], b"dn: cn=a\ncn: a\n");
    assert_eq!(run.code, 0);
    assert_eq!(json_lines(&run.stdout)[0]["dn"], "cn=a");
}

#[test]
fn unreadable_input_does_not_stop_the_others() {
    let (_dir, path) = temp_file("ok.ldif", b"dn: cn=a\ncn: a\n");
    let run = exconn(&["dump", "/nonexistent.ldif", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(json_lines(&run.stdout).len(), 1);
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let mut text = String::new();
    for i in 0..20000 {
        text.push_str(&format!("dn: cn=user{i},dc=example\ncn: user{i}\n\n"));
    }
    let (_dir, path) = temp_file("big.ldif", text.as_bytes());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_exconn"))
        .args(["dump", &path])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn ldif_output_writes_control_characters_as_base64_and_reads_back() {
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let input = format!(
        "version: 1\n\ndn:: {}\ndescription:: {}\ninfo:: {}\ncomment:: {}\nname:: {}\n\n\
         dn: cn=b\nchangetype: modify\nreplace: cn\ncn:: {}\n-\n\n\
         dn: cn=c\nchangetype: moddn\nnewrdn:: {}\ndeleteoldrdn: 1\n",
        b64("cn=a\u{1b}[2J,dc=x"),
        b64("\u{1b}]8;;https://evil.example/\u{7}click\u{1b}]8;;\u{7}"),
        b64("tab\there"),
        b64("del\u{7f}"),
        b64("\u{c9}t\u{e9}"),
        b64("\u{9b}31m"),
        b64("cn=\u{1b}[1m"),
    );
    let (_dir, path) = temp_file("in.ldif", input.as_bytes());
    let ldif = exconn(&["dump", "--format", "ldif", &path]);
    assert_eq!(ldif.code, 0, "{}", ldif.stderr);
    let raw: Vec<char> = ldif
        .stdout
        .chars()
        .filter(|&c| c.is_control() && c != '\n')
        .collect();
    assert!(raw.is_empty(), "raw {raw:?} in\n{}", ldif.stdout);
    assert!(ldif.stdout.is_ascii(), "{}", ldif.stdout);
    let (_dir2, again) = temp_file("again.ldif", ldif.stdout.as_bytes());
    let original = exconn(&["dump", &path]).stdout;
    assert_eq!(json_lines(&original).len(), 3);
    assert_eq!(original, exconn(&["dump", &again]).stdout);
}

#[test]
fn ldif_output_writes_no_control_character_in_a_name_or_url() {
    // CLIXML escapes a control character in a property name as `_x001B_`;
    // LDIF has no way to write such a name, nor such a URL.
    let clixml =
        "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\
        <Obj RefId=\"0\"><TN RefId=\"0\"><T>Microsoft.ActiveDirectory.Management.ADObject</T></TN>\
        <Props><S N=\"DistinguishedName\">CN=a,DC=x</S><S N=\"na_x001B_]8;;x_x0007_me\">v</S>\
        </Props></Obj></Objs>";
    let (_dir, xml) = temp_file("in.xml", clixml.as_bytes());
    let (_dir2, url) = temp_file(
        "url.ldif",
        b"dn: cn=a\nphoto:< file:///x\x1b[2J\xe2\x80\xaez\n",
    );
    for path in [&xml, &url] {
        let ldif = exconn(&["dump", "--format", "ldif", path]);
        assert_eq!(ldif.code, 0, "{}", ldif.stderr);
        let raw: Vec<char> = ldif
            .stdout
            .chars()
            .filter(|&c| c.is_control() && c != '\n' || c == '\u{202e}')
            .collect();
        assert!(raw.is_empty(), "raw {raw:?} in\n{}", ldif.stdout);
    }
    // The URL is held percent-encoded, so it reads back the same.
    let json = exconn(&["dump", &url]).stdout;
    assert!(json.contains("file:///x%1B[2J%E2%80%AEz"), "{json}");
    let ldif = exconn(&["dump", "--format", "ldif", &url]).stdout;
    let (_dir3, again) = temp_file("again.ldif", ldif.as_bytes());
    assert_eq!(exconn(&["dump", &again]).stdout, json);
}

#[test]
fn ldif_output_reads_back_to_the_same_records() {
    let input = "version: 1\n\ndn: cn=a\ncn: a\ndescription:: AAEC\nphoto:< file:///x\n\ndn: cn=b\nchangetype: modify\nreplace: cn\ncn: b\n-\n\ndn: cn=c\ncontrol: 1.2.3 true\nchangetype: moddn\nnewrdn: cn=d\ndeleteoldrdn: 1\nnewsuperior: dc=x\n";
    let (_dir, path) = temp_file("in.ldif", input.as_bytes());
    let first = exconn(&["dump", "--format", "ldif", &path]);
    assert_eq!(first.code, 0);
    let (_dir2, again) = temp_file("again.ldif", first.stdout.as_bytes());
    let original = exconn(&["dump", &path]).stdout;
    let round_trip = exconn(&["dump", &again]).stdout;
    assert_eq!(original, round_trip);
    assert_eq!(json_lines(&original).len(), 3);
}
