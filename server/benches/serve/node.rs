//! A node: the release `webwx` binary's `webwx serve` in a child process, with its standard error
//! (its log) in a file. Dropped, it is killed (SIGKILL).

use crate::BoxError;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The admin token every node is started with (`WEBWX_ADMIN_TOKEN`).
pub(crate) const ADMIN_TOKEN: &str = "wxs_serve_bench_admin";

/// The webhook signing key (`WEBWX_WEBHOOK_SECRET`).
pub(crate) const WEBHOOK_SECRET: &str = "serve-bench-hook-key";

/// How to start a node.
pub(crate) struct NodeSpec<'a> {
    /// The `webwx` binary.
    pub(crate) webwx: &'a Path,
    /// `--node-id`.
    pub(crate) id: &'a str,
    /// `--database`.
    pub(crate) database: &'a str,
    /// The simulator (`--login-origin`).
    pub(crate) sim_url: &'a str,
    /// `--lease-seconds`, if not the default.
    pub(crate) lease_seconds: Option<u64>,
    /// `--webhook-url`, if any.
    pub(crate) webhook_url: Option<&'a str>,
    /// `--test-timing`.
    pub(crate) test_timing: bool,
    /// Where its log goes.
    pub(crate) log: PathBuf,
}

/// A running node.
pub(crate) struct NodeProcess {
    child: Option<Child>,
    /// `--node-id`.
    pub(crate) id: String,
    /// `http://ADDR` of its API.
    pub(crate) base_url: String,
    /// Its log.
    pub(crate) log: PathBuf,
}

impl NodeProcess {
    /// Starts it and waits (at most 60 s) for `listening on http://ADDR`.
    pub(crate) fn spawn(spec: &NodeSpec<'_>) -> Result<NodeProcess, BoxError> {
        let log = std::fs::File::create(&spec.log)?;
        let mut command = Command::new(spec.webwx);
        command
            .arg("serve")
            .args(["--listen", "127.0.0.1:0", "--database", spec.database])
            .args(["--node-id", spec.id, "--login-origin", spec.sim_url])
            .args(["--allow-host", "127.0.0.1"])
            .env("WEBWX_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("WEBWX_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        if let Some(lease) = spec.lease_seconds {
            command.args(["--lease-seconds", &lease.to_string()]);
        }
        if let Some(url) = spec.webhook_url {
            command.args(["--webhook-url", url]);
        }
        if spec.test_timing {
            command.arg("--test-timing");
        }
        let mut child = command.spawn()?;
        let stdout = child.stdout.take();
        let mut node = NodeProcess {
            child: Some(child),
            id: spec.id.to_string(),
            base_url: String::new(),
            log: spec.log.clone(),
        };
        let stdout = stdout.ok_or("no stdout of the node")?;
        let line = first_line(stdout, Duration::from_secs(60))
            .map_err(|e| format!("node {}: {e} (its log: {})", spec.id, node.log.display()))?;
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("node {} said {line:?}", spec.id))?;
        node.base_url = addr.to_string();
        Ok(node)
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// SIGKILL: as a crash (leases stay until they run out).
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, and waits (at most `limit`, then SIGKILL) for it to end: a graceful stop that
    /// gives the leases up.
    pub(crate) fn terminate(&mut self, limit: Duration) -> Result<Duration, BoxError> {
        let Some(mut child) = self.child.take() else {
            return Ok(Duration::ZERO);
        };
        let started = Instant::now();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()?;
        if !status.success() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("kill -TERM failed: {status}").into());
        }
        loop {
            if child.try_wait()?.is_some() {
                return Ok(started.elapsed());
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("node {} did not stop within {limit:?}", self.id).into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The first line a child writes on `out`, within `limit`. The rest of its output is read and
/// dropped by a thread of its own (a closed pipe would fail the child's next write).
pub(crate) fn first_line(
    out: impl Read + Send + 'static,
    limit: Duration,
) -> Result<String, BoxError> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(out);
        let mut line = String::new();
        let first = reader.read_line(&mut line).map(|_| line);
        let _ = tx.send(first);
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(line)) if !line.is_empty() => Ok(line),
        Ok(Ok(_)) => Err("the child ended without saying where it listens".into()),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(format!("no address within {limit:?}").into()),
    }
}
