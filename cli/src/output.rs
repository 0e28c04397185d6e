//! Writing to stdout without panicking: a closed pipe (`octodiag events | head`)
//! ends the run quietly with exit 0, any other write error is fatal (exit 2).

use std::io::{self, BufWriter, Write};

/// A buffered, locked stdout. Errors propagate with `?` instead of panicking
/// as `println!` would.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

/// Whether an error chain ends in a broken pipe.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Whether stdout is a terminal (colour and widths only then).
pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    io::stdout().is_terminal()
}

/// Colour is used only on a terminal and never when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    stdout_is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Flushes, turning the error into an anyhow error with context.
pub fn finish(mut w: impl Write) -> anyhow::Result<()> {
    w.flush()?;
    Ok(())
}
