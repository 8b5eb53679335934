//! The upload benchmark: memory and time of sending a large file through `webwx-ureq`, beside
//! the same bytes posted as bare requests through the same transport (the floor).
//!
//! ```sh
//! cargo run --release -p webwx-tests --bin upload_bench            # --mib 200
//! ```
//!
//! The simulator runs in a child process (this program again, with `--serve-sim`), so only the
//! client's memory is measured. Memory is the peak resident set (`VmHWM`, reset through
//! `/proc/self/clear_refs` before each part) above the resident set of the idle, logged-in
//! process. Linux only.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use bytes::Bytes;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use webwx_core::{CHUNK_SIZE, Event};
use webwx_sim::{ContactSpec, Scenario};
use webwx_tests::child_sim::{self, ChildSim};

use webwx_tests::child_sim::BoxError;

fn status_kib(field: &str) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no {field} in /proc/self/status").into())
}

/// User + system CPU time of this process so far, in milliseconds (10 ms resolution).
fn cpu_ms() -> Result<u64, BoxError> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unreadable stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> Result<u64, BoxError> {
        Ok(fields.get(i).ok_or("short stat")?.parse::<u64>()?)
    };
    // utime and stime: fields 14 and 15 of the line, 12 and 13 after the command name.
    Ok((ticks(11)? + ticks(12)?) * 10)
}

/// Resets the peak resident set to the current one.
fn reset_peak() -> Result<(), BoxError> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    Ok(())
}

/// The scenario the child serves: logins confirmed at once, one friend.
fn scenario() -> Scenario {
    let mut s = Scenario::default();
    s.phone.scan_after_ms = 0;
    s.phone.confirm_after_ms = 0;
    s.contacts = ContactSpec {
        friends: 1,
        groups: 0,
        members_per_group: 0,
        officials: 0,
        page_size: 200,
    };
    s
}

/// A file of `mib` MiB of varied bytes, written a chunk at a time.
fn write_file(path: &Path, mib: usize) -> Result<(), BoxError> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let block: Vec<u8> = (0..1024 * 1024)
        .map(|i: usize| (i * 31 % 251) as u8)
        .collect();
    for i in 0..mib {
        let mut b = block.clone();
        if let Some(first) = b.first_mut() {
            *first = i as u8;
        }
        file.write_all(&b)?;
    }
    file.flush()?;
    Ok(())
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve-sim") {
        return child_sim::serve(scenario());
    }
    let mib: usize = args
        .iter()
        .position(|a| a == "--mib")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let sim = ChildSim::spawn(&[])?;
    let dir = std::env::temp_dir().join(format!("webwx-upload-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("big.bin");
    write_file(&path, mib)?;

    let mut config = webwx_tests::config_for_origin(&sim.base_url, 7);
    config.request_timeout = Duration::from_secs(30);
    let transport = webwx_ureq::Transport::new();
    let session = webwx_ureq::Session::start_with(config, transport.clone());
    let to = loop {
        match session.next_event_timeout(Duration::from_secs(30))? {
            Event::Ready { user, .. } => break user.user_name().to_string(),
            Event::Failed(e) => return Err(e.to_string().into()),
            _ => {}
        }
    };
    let file_url = session
        .handle()
        .save()?
        .map(|s| s.hosts().file.clone())
        .ok_or("no saved session")?;
    let idle = status_kib("VmRSS")?;

    // The floor: the same bytes, a chunk per bare POST through the same transport.
    reset_peak()?;
    let cpu = cpu_ms()?;
    let started = Instant::now();
    let mut source = std::fs::File::open(&path)?;
    let mut buf = vec![0u8; CHUNK_SIZE];
    loop {
        let n = source.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let request = http::Request::builder()
            .method("POST")
            .uri(format!(
                "{file_url}/cgi-bin/mmwebwx-bin/webwxuploadmedia?f=json"
            ))
            .body(Bytes::copy_from_slice(buf.get(..n).unwrap_or_default()))?;
        transport.execute(request, Duration::from_secs(30))?;
    }
    let floor_time = started.elapsed();
    let floor_cpu = cpu_ms()? - cpu;
    drop(buf);
    let floor_peak = status_kib("VmHWM")?.saturating_sub(idle);

    // webwx: the MD5 pass, the check (over 25 MiB), every chunk as the official client sends it,
    // then the message.
    let idle = status_kib("VmRSS")?;
    reset_peak()?;
    let cpu = cpu_ms()?;
    let started = Instant::now();
    let handle = session.handle().send_path(&to, &path)?;
    loop {
        match session.next_event_timeout(Duration::from_secs(120))? {
            Event::Sent { handle: h, .. } if h == handle => break,
            Event::SendFailed { handle: h, error } if h == handle => {
                return Err(error.to_string().into());
            }
            _ => {}
        }
    }
    let time = started.elapsed();
    let client_cpu = cpu_ms()? - cpu;
    let peak = status_kib("VmHWM")?.saturating_sub(idle);
    std::fs::remove_dir_all(&dir)?;
    drop(session);

    println!("upload of {mib} MiB through webwx-ureq (idle process: {idle} KiB resident)");
    println!("| what | time | client CPU | peak memory above idle |");
    println!("|---|---|---|---|");
    println!(
        "| bare POSTs of the same bytes, {CHUNK_SIZE} per request (floor) | {:.2} s | {:.2} s | {:.1} MiB |",
        floor_time.as_secs_f64(),
        floor_cpu as f64 / 1000.0,
        floor_peak as f64 / 1024.0
    );
    println!(
        "| webwx `send_path` (MD5 pass, checkupload, multipart chunks, send) | {:.2} s ({:.2}×) | {:.2} s ({:.2}×) | {:.1} MiB |",
        time.as_secs_f64(),
        time.as_secs_f64() / floor_time.as_secs_f64().max(1e-9),
        client_cpu as f64 / 1000.0,
        client_cpu as f64 / (floor_cpu as f64).max(1.0),
        peak as f64 / 1024.0
    );
    Ok(())
}
