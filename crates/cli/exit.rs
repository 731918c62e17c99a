//! Exit codes (stable, documented in the README) and error printing.
use std::process::ExitCode;

/// vigil's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// Nothing found, everything scanned.
    Clean = 0,
    /// Findings (or, for verification, a failed check).
    Findings = 1,
    /// Bad usage or configuration.
    Usage = 2,
    /// Some content could not be scanned: "found nothing" would be a lie.
    Incomplete = 3,
}

impl Code {
    /// The exit code of an outcome: every command maps it the same way.
    pub fn of(status: vigil_core::Status) -> Code {
        match status {
            vigil_core::Status::Clean => Code::Clean,
            vigil_core::Status::Findings => Code::Findings,
            vigil_core::Status::Incomplete => Code::Incomplete,
            vigil_core::Status::Malformed => Code::Usage,
        }
    }
}

impl From<Code> for ExitCode {
    fn from(c: Code) -> ExitCode {
        ExitCode::from(c as u8)
    }
}

/// A failure that stops the command before or while it runs (exit 2).
pub type Error = Box<dyn std::error::Error>;

/// Writes `text` to stderr. A closed stderr (`vigil … 2>&1 | head -1`) is no reason to
/// stop, let alone to panic as `eprintln!` does: the text is dropped.
fn to_stderr(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// The error that stopped a command. Errors quote paths, names and lines from files
/// vigil read: every control character is escaped, so none reaches the terminal. A
/// message of several lines (a TOML error pointing at a column) keeps its lines, each
/// after the first indented, so no line of it can pass for one of vigil's own.
pub fn report_error(e: &Error) {
    let text = e
        .to_string()
        .split('\n')
        .map(vigil_core::report::printable_message)
        .collect::<Vec<_>>()
        .join("\n    ");
    to_stderr(&format!("vigil: error: {text}\n"));
}

/// One line on stderr; control characters in it are escaped (a last line of defence:
/// the untrusted parts should have gone through `printable` already).
pub fn note(message: &str) {
    to_stderr(&format!(
        "vigil: {}\n",
        vigil_core::report::printable_message(message)
    ));
}

/// Several lines on stderr as they are (a message that is the whole output), with
/// every control character but the line breaks escaped.
pub fn say(text: &str) {
    to_stderr(&vigil_core::report::printable_lines(text));
}

/// One line on stdout (`outln!`), control characters escaped; a closed stdout ends the
/// output quietly.
pub fn line(text: &str) {
    let _ = print(&format!(
        "{}\n",
        vigil_core::report::printable_message(text)
    ));
}

/// Several lines on stdout, every control character but the line breaks escaped.
pub fn lines(text: &str) {
    let _ = print(&vigil_core::report::printable_lines(text));
}

/// Writes `text` to stdout; a closed stdout (`vigil … | head`) ends the output quietly.
pub fn print(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    write_ok(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// Writing to a closed pipe (`vigil scan | head`) is not an error worth a message.
pub fn write_ok(r: std::io::Result<()>) -> Result<(), Error> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// `-j N` as used: capped at a few threads per core, saying so when it was lowered.
pub fn threads(requested: usize) -> usize {
    let used = vigil_core::input::cap_threads(requested);
    if used != requested {
        note(&vigil_core::input::capped_threads_note(requested, used));
    }
    used
}
