//! What ends `webwx listen` from outside: Ctrl-C (SIGINT), SIGTERM, or the reader of standard
//! output going away (`webwx listen --json | head -1`). Each is an ordinary end: the session is
//! saved and the exit code is 0.
//!
//! SIGHUP keeps its usual meaning (a handler would override `nohup`'s ignoring it): it ends the
//! process without a last save, which loses nothing, since `listen` saves after each batch it
//! has printed.

use std::future::pending;

/// Why `listen` was asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A signal, by name.
    Signal(&'static str),
    /// Standard output was closed by its reader.
    OutputClosed,
}

/// Watches for every [`Stop`]. The signal handlers are installed when it is made and stay for
/// the life of the process, so a signal that arrives between two waits is not lost.
pub(crate) struct Stops {
    #[cfg(unix)]
    signals: Vec<(tokio::signal::unix::Signal, &'static str)>,
    #[cfg(unix)]
    output: Option<tokio::net::unix::pipe::Sender>,
}

impl Stops {
    /// Installs the signal handlers and the watch on standard output. Must be called within a
    /// tokio runtime. What cannot be watched is left out: standard output is watched only when
    /// it is a pipe (a terminal and a file have no reader to go away).
    pub(crate) fn install() -> Stops {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = [
                (SignalKind::interrupt(), "SIGINT"),
                (SignalKind::terminate(), "SIGTERM"),
            ]
            .into_iter()
            .filter_map(|(kind, name)| signal(kind).ok().map(|s| (s, name)))
            .collect();
            Stops {
                signals,
                output: watch_output(),
            }
        }
        #[cfg(not(unix))]
        Stops {}
    }

    /// Waits until something asks to stop.
    pub(crate) async fn next(&mut self) -> Stop {
        #[cfg(unix)]
        {
            let signals = std::pin::pin!(Self::signal(&mut self.signals));
            let output = std::pin::pin!(Self::output_closed(self.output.as_ref()));
            tokio::select! {
                name = signals => Stop::Signal(name),
                () = output => Stop::OutputClosed,
            }
        }
        #[cfg(not(unix))]
        match tokio::signal::ctrl_c().await {
            Ok(()) => Stop::Signal("Ctrl-C"),
            Err(_) => pending().await,
        }
    }

    /// The name of the next signal that arrives.
    #[cfg(unix)]
    async fn signal(signals: &mut [(tokio::signal::unix::Signal, &'static str)]) -> &'static str {
        std::future::poll_fn(|cx| {
            for (signal, name) in signals.iter_mut() {
                if let std::task::Poll::Ready(Some(())) = signal.poll_recv(cx) {
                    return std::task::Poll::Ready(*name);
                }
            }
            std::task::Poll::Pending
        })
        .await
    }

    /// Returns once the reader of standard output has gone; never when that cannot be watched.
    #[cfg(unix)]
    async fn output_closed(output: Option<&tokio::net::unix::pipe::Sender>) {
        match output {
            Some(pipe) => match pipe.ready(tokio::io::Interest::ERROR).await {
                Ok(ready) if ready.is_error() => {}
                _ => pending().await,
            },
            None => pending().await,
        }
    }
}

/// A watch on standard output when it is a pipe: the write end of a pipe reports an error once
/// its reader has gone. It watches a duplicate of the descriptor, left in blocking mode (the
/// unchecked constructor does not change it), and nothing is ever written through it: the
/// lines go to standard output as before.
#[cfg(unix)]
fn watch_output() -> Option<tokio::net::unix::pipe::Sender> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let file = std::fs::File::from(std::io::stdout().as_fd().try_clone_to_owned().ok()?);
    if !file.metadata().ok()?.file_type().is_fifo() {
        return None;
    }
    tokio::net::unix::pipe::Sender::from_file_unchecked(file).ok()
}
