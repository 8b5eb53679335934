//! Child processes: the `webwx serve` nodes and the simulator. Each child's first line
//! (`listening on <url>`) is awaited with a deadline, its output goes to a log file, and it is
//! killed when dropped.

use crate::BoxError;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a child may take to say where it listens.
const START_LIMIT: Duration = Duration::from_secs(60);

/// Set when the run is being abandoned (a signal, the deadline): a start still waiting for
/// its child gives up (and kills it) at once.
pub(crate) static STOPPING: AtomicBool = AtomicBool::new(false);

/// The last `n` lines of the file at `path` (for reports of a failing child).
pub(crate) fn tail(path: &Path, n: usize) -> String {
    let mut text = String::new();
    if File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .is_err()
    {
        return format!("(no log at {})", path.display());
    }
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(n);
    lines
        .iter()
        .skip(skip)
        .map(|l| format!("    | {l}\n"))
        .collect()
}

/// A running child whose standard output is copied to `log` after its first line.
pub(crate) struct Process {
    child: Child,
    /// Kept open so a child that serves until its input closes (the simulator) keeps serving;
    /// dropped first when the process is dropped.
    stdin: Option<ChildStdin>,
    /// The URL of its `listening on <url>` line.
    pub(crate) url: String,
    /// Where its standard error and output go.
    pub(crate) log: PathBuf,
}

impl Process {
    /// [`Process::start`] on a blocking thread: the caller's task stays free (a signal may end
    /// the run meanwhile; the child is then killed as soon as it is started).
    pub(crate) async fn spawn(
        command: Command,
        log: PathBuf,
        what: String,
    ) -> Result<Process, BoxError> {
        tokio::task::spawn_blocking(move || Process::start(command, &log, &what)).await?
    }

    /// Starts `command` (standard error and output to `log`, appended) and waits, at most
    /// [`START_LIMIT`], for its `listening on <url>` line. `what` names it in errors.
    pub(crate) fn start(mut command: Command, log: &Path, what: &str) -> Result<Process, BoxError> {
        let mut header = OpenOptions::new().create(true).append(true).open(log)?;
        writeln!(header, "==== {what}: {command:?}")?;
        let errors = OpenOptions::new().append(true).open(log)?;
        let mut out = OpenOptions::new().append(true).open(log)?;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(errors)
            .spawn()
            .map_err(|e| format!("{what}: cannot start {command:?}: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        // From here on, dropping `process` kills the child, whatever fails.
        let mut process = Process {
            child,
            stdin,
            url: String::new(),
            log: log.to_path_buf(),
        };
        let stdout = stdout.ok_or_else(|| format!("{what}: no standard output"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(out, "{line}");
                if let Some(url) = line.trim().strip_prefix("listening on ")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let started = Instant::now();
        let waited = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Err(mpsc::RecvTimeoutError::Timeout)
                    if started.elapsed() < START_LIMIT && !STOPPING.load(Ordering::Relaxed) => {}
                other => break other,
            }
        };
        match waited {
            Ok(url) => {
                process.url = url;
                Ok(process)
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "{what} did not say `listening on ...` within {:?}; its log {}:\n{}",
                started.elapsed(),
                log.display(),
                tail(log, 30)
            )
            .into()),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Its output closed: it ended (give it a moment to be reaped).
                std::thread::sleep(Duration::from_millis(200));
                let status = process.exited();
                Err(format!(
                    "{what} ended before listening ({status:?}); its log {}:\n{}",
                    log.display(),
                    tail(log, 30)
                )
                .into())
            }
        }
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and waits for it to be gone.
    pub(crate) fn kill(&mut self) -> Result<ExitStatus, BoxError> {
        self.child.kill()?;
        Ok(self.child.wait()?)
    }

    /// Its exit status if it has ended.
    pub(crate) fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
