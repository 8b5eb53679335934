//! What the benchmarks read of a process from `/proc` (Linux only): resident memory, its peak,
//! CPU time, open files; and the open-file limit.

use std::io;

/// `USER_HZ`: the unit of the CPU times in `/proc/<pid>/stat`, 100 on every Linux architecture
/// Rust supports.
const TICKS_PER_SECOND: u64 = 100;

fn status_kib(pid: u32, field: &str) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {field} in /proc/{pid}/status")))
}

/// Resident memory now, in KiB.
pub fn rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmRSS")
}

/// The peak resident memory so far, in KiB.
pub fn peak_rss_kib(pid: u32) -> io::Result<u64> {
    status_kib(pid, "VmHWM")
}

/// User + system CPU time so far, in milliseconds (10 ms resolution).
pub fn cpu_ms(pid: u32) -> io::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start at field 3 (state);
    // utime and stime are fields 14 and 15.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| io::Error::other("unreadable /proc/<pid>/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> io::Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| io::Error::other("unreadable CPU time in /proc/<pid>/stat"))
    };
    Ok((ticks(11)? + ticks(12)?) * 1000 / TICKS_PER_SECOND)
}

/// CPU time the whole machine spent busy so far (every CPU; user, nice, system, interrupts,
/// steal), in milliseconds: what the other programs on it took is this less the benchmark's.
pub fn machine_busy_ms() -> io::Result<u64> {
    let stat = std::fs::read_to_string("/proc/stat")?;
    let line = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .ok_or_else(|| io::Error::other("no cpu line in /proc/stat"))?;
    let fields: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|i| fields.get(*i))
        .sum();
    Ok(busy * 1000 / TICKS_PER_SECOND)
}

/// How many files (sockets, mostly) the process has open.
pub fn open_files(pid: u32) -> io::Result<usize> {
    Ok(std::fs::read_dir(format!("/proc/{pid}/fd"))?.count())
}

/// The soft limit on open files of this process (the children inherit it).
pub fn open_file_limit() -> io::Result<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits")?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .map(|v| v.parse().unwrap_or(u64::MAX)) // "unlimited"
        .ok_or_else(|| io::Error::other("no open-file limit in /proc/self/limits"))
}
