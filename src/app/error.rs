//! The app's one error type, printed once by `app::run`, and the one printer
//! of what is said on stderr without ending the run.

use std::fmt;
use std::io::{self, Write};

use super::exit::Status;

/// Why a command stopped before its report was written whole (in the style
/// of xsv's `CliError`): every command returns it, `app::run` prints it on
/// stderr and maps it to the exit-code table.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing failed (stdout, a closed pipe, a sink's error).
    /// A closed output pipe ends the run quietly with status 0.
    Io(io::Error),
    /// The command cannot answer: a usage error or inputs it cannot answer
    /// for. Each reason is a line of its own; status 2.
    Refused(Vec<String>),
}

impl Error {
    /// The command refuses to go on, for one reason.
    pub fn refused(reason: impl Into<String>) -> Error {
        Error::Refused(vec![reason.into()])
    }

    /// The exit status the error ends the run with.
    pub fn status(&self) -> Status {
        match self {
            Error::Io(error) if error.kind() == io::ErrorKind::BrokenPipe => Status::Success,
            Error::Io(_) | Error::Refused(_) => Status::Error,
        }
    }

    /// The lines printed on stderr, each after `exconn: `; none for a
    /// closed pipe.
    pub fn lines(&self) -> Vec<String> {
        match self {
            Error::Io(error) if error.kind() == io::ErrorKind::BrokenPipe => Vec::new(),
            Error::Io(error) => vec![error.to_string()],
            Error::Refused(reasons) => reasons.clone(),
        }
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Error::Io(error)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for Error {}

/// Says something on stderr that does not end the run: a diagnostic about
/// an input, a note (an input passed over or unreadable, an input that is
/// not whole) or a warning. The caller escapes what the inputs hold.
/// A closed stderr is ignored: the report on stdout is still valid.
pub fn note(line: impl fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::Error;
    use crate::app::exit::Status;

    #[test]
    fn a_closed_pipe_ends_quietly_with_success() {
        let error = Error::from(io::Error::from(io::ErrorKind::BrokenPipe));
        assert_eq!(error.status(), Status::Success);
        assert!(error.lines().is_empty());
    }

    #[test]
    fn other_errors_are_status_2_with_one_line_per_reason() {
        let error = Error::from(io::Error::other("disk full"));
        assert_eq!(
            (error.status(), error.lines()),
            (Status::Error, vec!["disk full".to_owned()])
        );
        let error = Error::Refused(vec!["--add: a".to_owned(), "--add: b".to_owned()]);
        assert_eq!(error.status(), Status::Error);
        assert_eq!(error.lines(), ["--add: a", "--add: b"]);
    }
}
