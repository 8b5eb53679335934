//! The floor: the scale benchmark of the bare library (`tests/src/bin/scale/`, the release
//! `scale` binary), run at the same number of sessions in the same run, its table read back.

use crate::BoxError;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the scale benchmark printed, and the figures read from it.
#[derive(Debug, Default)]
pub(crate) struct Floor {
    /// Its whole table (markdown).
    pub(crate) table: String,
    /// Whether it exited successfully (it fails on a lost or duplicated message).
    pub(crate) ok: bool,
    /// Sessions, load rate and seconds it ran with.
    pub(crate) sessions: usize,
    /// Messages per second it delivered.
    pub(crate) rate: u32,
    /// How long.
    pub(crate) seconds: u64,
}

impl Floor {
    /// The value cell of the row whose label starts with `label`.
    pub(crate) fn cell(&self, label: &str) -> Option<String> {
        self.table.lines().find_map(|line| {
            let mut cells = line.split('|').map(str::trim);
            let _ = cells.next()?;
            let first = cells.next()?;
            if first.starts_with(label) {
                Some(cells.next()?.replace("**", ""))
            } else {
                None
            }
        })
    }

    /// The first number in that cell.
    pub(crate) fn number(&self, label: &str) -> Option<f64> {
        first_number(&self.cell(label)?)
    }
}

/// The first decimal number in `s` (commas ignored).
pub(crate) fn first_number(s: &str) -> Option<f64> {
    let s = s.replace(',', "");
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = s.get(start..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest.get(..end)?.parse().ok()
}

/// Runs `scale` (its progress on this program's standard error), at most `limit`.
pub(crate) fn run(
    scale: &Path,
    sessions: usize,
    rate: u32,
    seconds: u64,
    limit: Duration,
) -> Result<Floor, BoxError> {
    let mut child = Command::new(scale)
        .args(["--sessions", &sessions.to_string()])
        .args(["--rate", &rate.to_string()])
        .args(["--seconds", &seconds.to_string()])
        .args(["--idle-seconds", "30", "--baseline-seconds", "3"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let mut stdout = child.stdout.take().ok_or("no stdout of scale")?;
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the scale benchmark did not finish within {limit:?}").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let table = reader
        .join()
        .map_err(|_| "the reader of scale's output failed")?;
    Ok(Floor {
        table,
        ok: status.success(),
        sessions,
        rate,
        seconds,
    })
}
