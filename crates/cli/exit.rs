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

#[allow(clippy::print_stderr)]
pub fn report_error(e: &Error) {
    eprintln!("vigil: error: {e}");
}

#[allow(clippy::print_stderr)]
pub fn note(message: &str) {
    eprintln!("vigil: {message}");
}

/// Several lines on stderr as they are (a message that is the whole output).
#[allow(clippy::print_stderr)]
pub fn say(text: &str) {
    eprint!("{text}");
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
