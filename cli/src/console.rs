//! Lines to standard output and notes to standard error, without panicking: `println!` panics
//! when the reader has gone (`webwx listen --json | head`), and a reader that has what it wanted
//! is an ordinary way for a command to end.

use crate::failure::CliError;
use std::io::Write;

/// Writes `line` and a newline to standard output and flushes it, so that once this returns
/// `Ok` the line has left the process.
pub(crate) fn print(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// [`print()`] for a command whose output is its result: a reader that has gone stops the command
/// quietly ([`CliError::output`]).
pub(crate) fn result(line: &str) -> Result<(), CliError> {
    print(line).map_err(CliError::output)
}

/// Writes `note` and a newline to standard error. A failure is ignored: there is nowhere left to
/// report it, and a note is never what a command is for.
pub(crate) fn note(note: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{note}");
}
