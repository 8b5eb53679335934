//! Whole-process CPU (user + system) and peak resident memory of one child process, as the
//! kernel accounts them when the child is reaped (`wait4`'s rusage).
//!
//! Each measured program runs under a measurer of its own: this program again, with
//! `--measure`, whose only child it is. The measurer reaps it and reads `getrusage(
//! RUSAGE_CHILDREN)`: CPU times to the microsecond, and `ru_maxrss`, the peak resident set of
//! its largest child — here, of the program alone (a process that had reaped several children
//! would get the largest peak of all of them, which is why each measurement has a measurer of
//! its own). The program's standard output goes to a file (read afterwards), its standard error
//! to `/dev/null`, its standard input is empty.

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What one measured run of a program cost.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Usage {
    /// User CPU time, µs.
    pub(crate) user_us: u64,
    /// System CPU time, µs.
    pub(crate) sys_us: u64,
    /// Peak resident set, KiB.
    pub(crate) max_rss_kib: u64,
    /// Wall time from spawn to reaping, ms.
    pub(crate) wall_ms: f64,
}

impl Usage {
    /// User + system CPU time, ms.
    pub(crate) fn cpu_ms(&self) -> f64 {
        (self.user_us + self.sys_us) as f64 / 1000.0
    }
}

/// Waits for `child` until `timeout`, killing it past that; `None` when it was killed.
fn wait_until(
    child: &mut std::process::Child,
    timeout: Duration,
) -> Result<Option<std::process::ExitStatus>, BoxError> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if started.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The measurer's side: runs `program args` (standard output to `stdout`), reaps it, and
/// writes what it cost as JSON to `report`. Fails when the program fails or outlives `timeout`.
pub(crate) fn measure(
    timeout: Duration,
    stdout: &Path,
    report: &Path,
    command: &[String],
) -> Result<(), BoxError> {
    let (program, args) = command.split_first().ok_or("nothing to measure")?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(stdout)?)
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let status = wait_until(&mut child, timeout)?;
    let wall = started.elapsed();
    let status = status.ok_or_else(|| format!("{program} {args:?} ran past {timeout:?}"))?;
    if !status.success() {
        return Err(format!("{program} {args:?} failed: {status}").into());
    }
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let report_json = json!({
        "user_us": usage.user_time().num_microseconds(),
        "sys_us": usage.system_time().num_microseconds(),
        "max_rss_kib": usage.max_rss(),
        "wall_ms": wall.as_secs_f64() * 1000.0,
    });
    std::fs::write(report, report_json.to_string())?;
    Ok(())
}

/// The parent's side: measures `command` in a measurer (this program with `--measure`), its
/// standard output going to `stdout`; `report` is a scratch file for the measurer's answer.
pub(crate) fn run(
    timeout: Duration,
    stdout: &Path,
    report: &Path,
    command: &[String],
) -> Result<Usage, BoxError> {
    let _ = std::fs::remove_file(report);
    let mut measurer = Command::new(std::env::current_exe()?)
        .arg("--measure")
        .args(["--timeout-secs", &timeout.as_secs().to_string()])
        .arg("--stdout")
        .arg(stdout)
        .arg("--report")
        .arg(report)
        .arg("--")
        .args(command)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let status = wait_until(&mut measurer, timeout + Duration::from_secs(30))?
        .ok_or("the measurer did not end")?;
    if !status.success() {
        return Err(format!("measuring {command:?} failed ({status})").into());
    }
    let v: Value = serde_json::from_slice(&std::fs::read(report)?)?;
    let field = |k: &str| {
        v.get(k)
            .and_then(Value::as_u64)
            .ok_or_else(|| format!("no {k} in the measurer's report {v}"))
    };
    Ok(Usage {
        user_us: field("user_us")?,
        sys_us: field("sys_us")?,
        max_rss_kib: field("max_rss_kib")?,
        wall_ms: v.get("wall_ms").and_then(Value::as_f64).unwrap_or(0.0),
    })
}
