//! The baseline of the memory measurement, in a process of its own: what `webwx-hyper`'s
//! transport alone (hyper's pooled HTTP/1.1 client) holds for N requests kept open by the
//! simulator (`/__sim/hold/<ms>`), with no session, no core and no driver. Every idle session
//! holds one such request (its synccheck), so this is the floor under the memory of an idle
//! session with this transport.
//!
//! Measured twice, each in a process of its own: cold, each request held on a fresh connection
//! (whose buffers hyper has allocated but mostly not touched, so not resident), and warm, each
//! task first sending one ordinary request whose answer (`/__sim/bytes/<n>`) is about what a
//! session's connection carried during its login, so that the held request sits on a connection
//! whose buffers have been used, as a session's synccheck does. The warm figure is the fair floor.
//!
//! Then, with those still held, the CPU the transport alone spends on one request: requests
//! that the simulator answers at once (`/__sim/hold/0`), paced at the rate the load will need,
//! so a delivered message can be compared with the bare requests it costs at least.

use crate::procfs;
use bytes::Bytes;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use webwx_hyper::Transport;
use webwx_sim::LoadStatus;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn get(url: String) -> Result<http::Request<Bytes>, http::Error> {
    http::Request::get(url).body(Bytes::new())
}

/// The size of the answer that warms each connection up before its request is held: about
/// what a session's connection has received by the time it holds its synccheck. Measured with
/// `ss -tin` on the client's connections to the simulator while 2,000 sessions idle (one friend
/// per account): 5.0 KB received per connection on average, headers included (median 4.5 KB,
/// 90th percentile 8.3 KB, at most 20 KB); the login's answers are small, and the login storm
/// spreads them over the pool's connections. (The same connections had sent 11.7 KB on average:
/// a session's requests carry cookies and JSON bodies, the baseline's are bare GETs.)
pub(crate) const WARM_ANSWER_BYTES: usize = 5 * 1024;

/// What the baseline processes measured.
#[derive(Debug)]
pub(crate) struct Floor {
    /// Resident memory per held request on a fresh connection, in bytes.
    pub(crate) cold_bytes_per_held_request: u64,
    /// Resident memory per held request on a connection that first carried one answer of
    /// [`WARM_ANSWER_BYTES`], in bytes.
    pub(crate) warm_bytes_per_held_request: u64,
    /// Sockets the warm process had open while holding (one per held request expected).
    pub(crate) warm_sockets: usize,
    /// CPU per bare request, in microseconds.
    pub(crate) cpu_us_per_request: f64,
}

/// Sends `rate` requests a second for `seconds` (each answered at once), waits for every
/// answer, and returns how many were answered.
async fn paced(transport: &Transport, base_url: &str, rate: u32, seconds: u64) -> u64 {
    let total = u64::from(rate) * seconds;
    let started = Instant::now();
    let mut ticks = tokio::time::interval(Duration::from_millis(1));
    let mut tasks = tokio::task::JoinSet::new();
    let mut sent = 0;
    while sent < total {
        ticks.tick().await;
        let due = (started.elapsed().as_micros() * u128::from(rate) / 1_000_000) as u64;
        while sent < due.min(total) {
            let (transport, url) = (transport.clone(), format!("{base_url}/__sim/hold/0"));
            tasks.spawn(async move {
                match get(url) {
                    Ok(r) => transport.execute(r, Duration::from_secs(30)).await.is_ok(),
                    Err(_) => false,
                }
            });
            sent += 1;
        }
    }
    let mut answered = 0;
    while let Some(done) = tasks.join_next().await {
        answered += u64::from(matches!(done, Ok(true)));
    }
    answered
}

/// The child's side: hold `n` requests (each task first fetching `warm_bytes` on the same
/// connection, when not 0), print the resident memory they cost in bytes and the sockets open
/// while they are held, then (when `seconds` is not 0) the CPU per bare request at `rate` per
/// second, and exit.
pub(crate) fn measure(
    n: usize,
    base_url: &str,
    warm_bytes: usize,
    rate: u32,
    seconds: u64,
) -> Result<(), BoxError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let admin = Transport::new();
        let transport = Transport::new();
        // Warm up: TLS roots, the pool, the runtime's timers.
        transport
            .execute(get(format!("{base_url}/"))?, Duration::from_secs(10))
            .await?;
        let me = std::process::id();
        let before = procfs::rss_kib(me)?;
        let files_before = procfs::open_files(me)?;
        // The warm-ups are held by the simulator long enough to be seen all in flight at once:
        // each then has a connection of its own, and once they are answered every connection
        // in the pool has carried one, so each held request takes a warmed connection (one is
        // idle whenever a task, its warm-up answered, sends its held request).
        let warm_hold_ms = 2_000 + n as u64;
        let warmed = Arc::new(AtomicUsize::new(0));
        for _ in 0..n {
            let (transport, url) = (transport.clone(), format!("{base_url}/__sim/hold/600000"));
            let warm_url = format!("{base_url}/__sim/bytes/{warm_bytes}?hold_ms={warm_hold_ms}");
            let warmed = Arc::clone(&warmed);
            tokio::spawn(async move {
                if warm_bytes > 0 {
                    let answer = match get(warm_url) {
                        Ok(r) => transport.execute(r, Duration::from_secs(700)).await.ok(),
                        Err(_) => None,
                    };
                    if answer.is_none_or(|a| a.body().len() != warm_bytes) {
                        eprintln!("baseline: a warm-up request failed");
                    }
                    warmed.fetch_add(1, Ordering::SeqCst);
                }
                if let Ok(request) = get(url) {
                    let _ = transport.execute(request, Duration::from_secs(700)).await;
                }
            });
        }
        let held = async || -> Result<usize, BoxError> {
            let status = admin
                .execute(
                    get(format!("{base_url}/__sim/load"))?,
                    Duration::from_secs(10),
                )
                .await?;
            Ok(serde_json::from_slice::<LoadStatus>(status.body())?.long_polls)
        };
        if warm_bytes > 0 {
            // Every warm-up in flight at once (read before any was answered).
            loop {
                let in_flight = held().await?;
                if warmed.load(Ordering::SeqCst) > 0 {
                    return Err(format!(
                        "the warm-up requests were not all in flight at once ({in_flight} of {n})"
                    )
                    .into());
                }
                if in_flight >= n {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        let to_warm = if warm_bytes > 0 { n } else { 0 };
        let started = Instant::now();
        loop {
            if warmed.load(Ordering::SeqCst) >= to_warm && held().await? >= n {
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                return Err("the held requests did not all arrive".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = procfs::rss_kib(me)?;
        let files = procfs::open_files(me)?.saturating_sub(files_before);
        println!("{}", after.saturating_sub(before) * 1024 / n.max(1) as u64);
        println!("{files}");
        if seconds == 0 {
            return Ok(());
        }
        // Warm the pool up for the paced requests, then measure.
        paced(&transport, base_url, rate, 1).await;
        let cpu_before = procfs::cpu_ms(me)?;
        let answered = paced(&transport, base_url, rate, seconds.max(1)).await;
        let cpu = procfs::cpu_ms(me)? - cpu_before;
        println!("{}", cpu as f64 * 1000.0 / answered.max(1) as f64);
        Ok::<(), BoxError>(())
    })?;
    // Leave at once: the held requests end with the process.
    std::process::exit(0)
}

/// Runs one measurement in a child; its printed lines.
fn child(
    n: usize,
    base_url: &str,
    warm_bytes: usize,
    message_rate: u32,
    seconds: u64,
) -> Result<Vec<String>, BoxError> {
    let out = Command::new(std::env::current_exe()?)
        .args(["--transport-floor", &n.to_string(), "--sim-url", base_url])
        .args(["--floor-warm-bytes", &warm_bytes.to_string()])
        .args(["--rate", &message_rate.to_string()])
        .args(["--baseline-seconds", &seconds.to_string()])
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("the baseline process failed: {}", out.status).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_string())
        .collect())
}

/// The parent's side: runs the measurements in children, cold (with the CPU figure) then warm.
/// `message_rate` is the load's; the child paces its bare requests at twice that.
pub(crate) fn run(
    n: usize,
    base_url: &str,
    message_rate: u32,
    seconds: u64,
) -> Result<Floor, BoxError> {
    let too_little = || "the baseline process said too little";
    let cold = child(n, base_url, 0, message_rate, seconds.max(1))?;
    let warm = child(n, base_url, WARM_ANSWER_BYTES, message_rate, 0)?;
    let line = |lines: &[String], i: usize| lines.get(i).cloned().ok_or_else(too_little);
    Ok(Floor {
        cold_bytes_per_held_request: line(&cold, 0)?.parse()?,
        warm_bytes_per_held_request: line(&warm, 0)?.parse()?,
        warm_sockets: line(&warm, 1)?.parse()?,
        cpu_us_per_request: line(&cold, 2)?.parse()?,
    })
}
